#!/bin/sh
# Exits with the code given as $1 (default 1) after one line on stderr.
code=${1:-1}
case $code in
  '' | *[!0-9]*) echo "fail: exit code must be 0-255, got '$code'" >&2; exit 2 ;;
esac
if [ "$code" -gt 255 ]; then
  echo "fail: exit code must be 0-255, got '$code'" >&2
  exit 2
fi
echo "fail: exiting with code $code as asked" >&2
exit "$code"
