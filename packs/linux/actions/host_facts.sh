#!/bin/sh
# Prints one JSON object describing the host. Strings are escaped (backslash, quote; control
# characters dropped); numbers that cannot be read become null.
set -u
export LC_ALL=C

json_string() {
  printf '"%s"' "$(printf '%s' "$1" | tr -d '\000-\037\177' | sed -e 's/\\/\\\\/g' -e 's/"/\\"/g')"
}

# Prints $1 if it is a decimal number, else null.
json_number() {
  case $1 in
    '' | *[!0-9.]* | *.*.* | .* | *.) printf 'null' ;;
    *) printf '%s' "$1" ;;
  esac
}

# The value of KEY in /etc/os-release, parsed (never sourced): quotes removed, \x unescaped.
os_release() {
  file=/etc/os-release
  [ -r "$file" ] || file=/usr/lib/os-release
  [ -r "$file" ] || return 0
  sed -n "s/^$1=//p" "$file" | head -n 1 |
    sed -e 's/^"\(.*\)"$/\1/' -e "s/^'\(.*\)'\$/\1/" -e 's/\\\(.\)/\1/g'
}

meminfo_kb() {
  awk -v key="$1:" '$1 == key { print $2; exit }' /proc/meminfo 2>/dev/null
}

hostname=$(cat /proc/sys/kernel/hostname 2>/dev/null || uname -n)
uptime_seconds=$(cut -d ' ' -f 1 /proc/uptime 2>/dev/null)
uptime_seconds=${uptime_seconds%.*}
cpus=$(nproc 2>/dev/null || getconf _NPROCESSORS_ONLN 2>/dev/null)
read -r load1 load5 load15 _ < /proc/loadavg 2>/dev/null || { load1='' load5='' load15=''; }

printf '{'
printf '"hostname":%s,' "$(json_string "$hostname")"
printf '"kernel":%s,' "$(json_string "$(uname -r)")"
printf '"kernel_version":%s,' "$(json_string "$(uname -v)")"
printf '"architecture":%s,' "$(json_string "$(uname -m)")"
printf '"os":{"id":%s,"version_id":%s,"pretty_name":%s},' \
  "$(json_string "$(os_release ID)")" \
  "$(json_string "$(os_release VERSION_ID)")" \
  "$(json_string "$(os_release PRETTY_NAME)")"
printf '"uptime_seconds":%s,' "$(json_number "$uptime_seconds")"
printf '"cpu_count":%s,' "$(json_number "$cpus")"
printf '"memory_kb":{"total":%s,"available":%s,"swap_total":%s,"swap_free":%s},' \
  "$(json_number "$(meminfo_kb MemTotal)")" \
  "$(json_number "$(meminfo_kb MemAvailable)")" \
  "$(json_number "$(meminfo_kb SwapTotal)")" \
  "$(json_number "$(meminfo_kb SwapFree)")"
printf '"load_average":[%s,%s,%s]' \
  "$(json_number "$load1")" "$(json_number "$load5")" "$(json_number "$load15")"
printf '}\n'
