#!/bin/sh
# Starts a grandchild that detaches into its own session and a child in the background, then
# waits: timeout and cancel must leave none of them running.
setsid sleep 600 &
sleep 600 &
echo "tree started"
wait
