#!/bin/sh
# Writes $1 to stderr and a fixed line to stdout; exits 0.
printf '%s\n' "${1-something went wrong}" >&2
echo "wrote to stderr"
