#!/bin/sh
# Is a TCP port listening (IPv4 or IPv6)?
#   check_port.sh --port=22
# Prints {"port":22,"listening":true,"method":"ss","addresses":["0.0.0.0:22","[::]:22"]} and
# exits 0 when something listens, 1 when nothing does, 2 on bad input. Uses ss when present,
# else reads /proc/net/tcp and /proc/net/tcp6 directly.
set -u
export LC_ALL=C

port=''
for arg in "$@"; do
  case $arg in
    --port=*) port=${arg#--port=} ;;
    *) echo "check_port: unknown argument: $arg" >&2; exit 2 ;;
  esac
done
given=$port
case $port in
  '' | *[!0-9]*) echo "check_port: port must be an integer 1-65535, got '$given'" >&2; exit 2 ;;
esac
# Leading zeros go as text: in $((...)) they would make the number octal.
while [ "${port#0}" != "$port" ] && [ -n "${port#0}" ]; do port=${port#0}; done
if [ "${#port}" -gt 5 ] || [ "$port" -lt 1 ] || [ "$port" -gt 65535 ]; then
  echo "check_port: port must be an integer 1-65535, got '$given'" >&2
  exit 2
fi

# Listening local addresses, one per line, e.g. 0.0.0.0:22 or [0:0:0:0:0:0:0:1]:22, read from
# /proc/net/tcp{,6}: field 2 is ADDR:PORT in hex, the address in host (little-endian) order
# per 32-bit word; field 4 is the state, 0A = LISTEN.
listeners_proc() {
  hex_port=$(printf '%04X' "$port")
  cat /proc/net/tcp /proc/net/tcp6 2>/dev/null | awk -v want="$hex_port" '
    function hexval(h,   i, v) {
      v = 0
      for (i = 1; i <= length(h); i++) v = v * 16 + index("0123456789ABCDEF", substr(h, i, 1)) - 1
      return v
    }
    # One 8-hex-digit word, little-endian bytes, as 4 bytes in network order.
    function word_bytes(w,   i, out) {
      out = ""
      for (i = 7; i >= 1; i -= 2) out = out substr(w, i, 2)
      return out
    }
    $4 == "0A" {
      split($2, local, ":")
      if (local[2] != want) next
      addr = local[1]
      if (length(addr) == 8) {
        b = word_bytes(addr)
        printf "%d.%d.%d.%d:%d\n", hexval(substr(b, 1, 2)), hexval(substr(b, 3, 2)),
          hexval(substr(b, 5, 2)), hexval(substr(b, 7, 2)), hexval(want)
      } else {
        b = ""
        for (i = 0; i < 4; i++) b = b word_bytes(substr(addr, i * 8 + 1, 8))
        out = ""
        for (i = 0; i < 8; i++) out = out (i ? ":" : "") sprintf("%x", hexval(substr(b, i * 4 + 1, 4)))
        printf "[%s]:%d\n", out, hexval(want)
      }
    }'
}

# ss fails where netlink is not allowed (some sandboxes): fall back to /proc then too.
if command -v ss >/dev/null 2>&1 && sockets=$(ss -H -t -l -n "sport = :$port" 2>/dev/null); then
  method=ss
  listeners=$(printf '%s\n' "$sockets" | awk 'NF { print $4 }')
else
  method=proc
  listeners=$(listeners_proc)
fi

addresses=''
for address in $listeners; do
  escaped=$(printf '%s' "$address" | tr -d '\000-\037\177' | sed -e 's/\\/\\\\/g' -e 's/"/\\"/g')
  addresses="$addresses${addresses:+,}\"$escaped\""
done
if [ -n "$listeners" ]; then listening=true; else listening=false; fi
printf '{"port":%d,"listening":%s,"method":"%s","addresses":[%s]}\n' \
  "$port" "$listening" "$method" "$addresses"
[ "$listening" = true ]
