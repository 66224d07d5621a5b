#!/bin/sh
# Top N directories by size under a path, biggest first.
#   disk_usage.sh [--path=/var] [--depth=1] [--top=10]
# du -x stays on the path's filesystem (no /proc, no network mounts under /) and -P never
# follows a symlink inside the tree; a symlinked path itself is resolved first and measured.
# Unreadable directories are reported on stderr and skipped: sizes are then lower bounds and
# the action still succeeds.
set -u
export LC_ALL=C

path=/var depth=1 top=10
for arg in "$@"; do
  case $arg in
    --path=*) path=${arg#--path=} ;;
    --depth=*) depth=${arg#--depth=} ;;
    --top=*) top=${arg#--top=} ;;
    *) echo "disk_usage: unknown argument: $arg" >&2; exit 2 ;;
  esac
done

case $depth in '' | *[!0-9]*) echo "disk_usage: depth must be an integer >= 0, got '$depth'" >&2; exit 2 ;; esac
case $top in '' | *[!0-9]* | 0) echo "disk_usage: top must be an integer >= 1, got '$top'" >&2; exit 2 ;; esac
if [ ! -d "$path" ]; then
  echo "disk_usage: not a directory: $path" >&2
  exit 1
fi
# Resolve a symlinked starting point once, so du measures the real tree with -P throughout.
real=$(cd -P -- "$path" && pwd) || exit 1

# $(...) keeps du's exit status: 1 when some directory could not be read.
sizes=$(du -x -P -h --max-depth="$depth" -- "$real")
status=$?
if [ -z "$sizes" ]; then
  echo "disk_usage: du could not measure $real" >&2
  exit 1
fi
if [ "$real" != "$path" ]; then
  echo "# $path -> $real"
fi
printf '%s\n' "$sizes" | sort -rh | head -n "$top"
if [ "$status" -ne 0 ]; then
  echo "disk_usage: some entries could not be read (see above); their sizes are lower bounds" >&2
fi
exit 0
