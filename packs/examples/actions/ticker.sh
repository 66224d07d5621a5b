#!/bin/sh
# Prints "tick <n> <epoch nanoseconds>" every 0.2 s, so a follower can measure how late each
# line reaches it.
count=${1:-10}
n=1
while [ "$n" -le "$count" ]; do
  echo "tick $n $(date +%s%N)"
  n=$((n + 1))
  sleep 0.2
done
