#!/bin/sh
# Prints the eight positional parameters of the typed action as name=value lines.
printf 'argc=%s\n' "$#"
printf 'name=%s\n' "${1-}"
printf 'count=%s\n' "${2-}"
printf 'ratio=%s\n' "${3-}"
printf 'enabled=%s\n' "${4-}"
printf 'tags=%s\n' "${5-}"
printf 'meta=%s\n' "${6-}"
printf 'color=%s\n' "${7-}"
printf 'note=%s\n' "${8-}"
