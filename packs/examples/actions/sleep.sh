#!/bin/sh
# Sleeps $1 seconds (default 5), printing "tick i/n" once a second, then "done".
seconds=${1:-5}
case $seconds in
  '' | *[!0-9]*) echo "sleep: seconds must be a non-negative integer, got '$seconds'" >&2; exit 2 ;;
esac
i=1
while [ "$i" -le "$seconds" ]; do
  echo "tick $i/$seconds"
  sleep 1
  i=$((i + 1))
done
echo "done"
