#!/bin/sh
# Prints each argument on its own line between markers, then the StackStorm environment, so
# tests can see exactly what the runner passed.
echo "--- args ($#) ---"
for arg in "$@"; do
  printf '%s\n' "$arg"
done
echo "--- end args ---"
printf 'ST2_ACTION_PACK_NAME=%s\n' "${ST2_ACTION_PACK_NAME-}"
printf 'ST2_ACTION_EXECUTION_ID=%s\n' "${ST2_ACTION_EXECUTION_ID-}"
