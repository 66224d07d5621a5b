#!/usr/bin/env bash
# Builds rivetd and starts it on its embedded default (SQLite in ./rivet-data, the example
# packs, dev certificates generated on first start), then runs example actions through the
# CLI over mutual TLS. On a terminal rivetd keeps running until Ctrl-C; otherwise it stops.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/install-deps.sh
scripts/build.sh

data_dir="$PWD/rivet-data"
mkdir -p "$data_dir"
rm -f "$data_dir/rivetd.endpoints"
build/bin/rivetd > "$data_dir/rivetd.log" 2>&1 &
rivetd_pid=$!
trap 'kill $rivetd_pid 2>/dev/null; wait $rivetd_pid 2>/dev/null || true' EXIT

for _ in $(seq 1 100); do
  [ -f "$data_dir/rivetd.endpoints" ] && break
  kill -0 $rivetd_pid 2>/dev/null || { cat "$data_dir/rivetd.log"; exit 1; }
  sleep 0.1
done
[ -f "$data_dir/rivetd.endpoints" ] || { echo "rivetd did not start:"; cat "$data_dir/rivetd.log"; exit 1; }
endpoint=$(head -n 1 "$data_dir/rivetd.endpoints")
export RIVET_HOST="${endpoint#https://}" RIVET_CERTS="$data_dir/pki"

rivet=build/bin/rivet
say() { printf '\n\033[1m$ %s\033[0m\n' "$*"; "$@"; }
echo "rivetd is listening on $endpoint (log: $data_dir/rivetd.log)"
say $rivet health
say $rivet actions
say $rivet run linux.host_facts --wait
say $rivet run linux.disk_usage path=/var depth=1 top=5 --wait
say $rivet run examples.perl_facts --wait
say $rivet run examples.sleep seconds=2 --follow
say $rivet list --limit 5

if [ -t 0 ]; then
  cat <<MSG

rivetd keeps running. In another terminal:
  export RIVET_HOST=${RIVET_HOST} RIVET_CERTS=${RIVET_CERTS}
  $PWD/$rivet run linux.top_processes sort_by=memory --wait
Press Ctrl-C to stop it.
MSG
  wait $rivetd_pid
fi
