#!/usr/bin/env bash
# Builds Rivet in Release mode into ./build-release and runs the benchmarks (loopback only,
# bounded in time). Usage: bench/run.sh [runs of the Python overhead benchmark]
# [rivet_bench_agent's arguments: --quick and/or round trips per action, default 2000]
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/install-deps.sh
# Peers the benchmarks run on 127.0.0.1 themselves: fleet_fanout's sshd and rivet_bench_agent's
# webhook (adnanh/webhook). Their packages' system services are not wanted: where an init
# system started one, it is stopped and disabled again.
install_peer() {  # program, service, packages...
  command -v "$1" > /dev/null && return
  local sudo_prefix
  sudo_prefix=$([ "$(id -u)" -eq 0 ] || echo sudo)
  $sudo_prefix apt-get install -y -q "${@:3}" > /dev/null
  $sudo_prefix systemctl disable --now "$2" > /dev/null 2>&1 || true
}
install_peer /usr/sbin/sshd ssh openssh-client openssh-server
install_peer /usr/bin/webhook webhook webhook
cmake -S . -B build-release -G Ninja -DCMAKE_BUILD_TYPE=Release -DRIVET_BUILD_TESTS=ON > /dev/null
cmake --build build-release --parallel "$(nproc)" --target rivet_bench_python_overhead \
  rivet_bench_fleet_fanout rivet_bench_agent rivetd rivet-shim shell storage-sqlite transport-https
build-release/bin/rivet_bench_python_overhead "${1:-50}"
echo
build-release/bin/rivet_bench_fleet_fanout 100 500
echo
build-release/bin/rivet_bench_agent "${@:2}"
