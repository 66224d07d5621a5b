#!/bin/sh
# The processes using the most CPU or memory, with a header line.
#   top_processes.sh [--sort_by=cpu|memory] [--count=10]
set -u
export LC_ALL=C

sort_by=cpu count=10
for arg in "$@"; do
  case $arg in
    --sort_by=*) sort_by=${arg#--sort_by=} ;;
    --count=*) count=${arg#--count=} ;;
    *) echo "top_processes: unknown argument: $arg" >&2; exit 2 ;;
  esac
done

case $sort_by in
  cpu) key=-pcpu ;;
  memory) key=-rss ;;
  *) echo "top_processes: sort_by must be cpu or memory, got '$sort_by'" >&2; exit 2 ;;
esac
case $count in '' | *[!0-9]* | 0) echo "top_processes: count must be an integer >= 1, got '$count'" >&2; exit 2 ;; esac

# ww: never cut the command line (ps otherwise trims to the terminal width).
ps -e -ww -o pid,ppid,user,pcpu,pmem,rss,stat,etime,args --sort="$key" | head -n "$((count + 1))"
