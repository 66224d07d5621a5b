#!/usr/bin/env bash
# Builds Rivet in Release mode into ./build-release and runs the benchmarks (loopback only,
# bounded in time). Usage: bench/run.sh [runs of the Python overhead benchmark]
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/install-deps.sh
# The ssh peer of fleet_fanout runs an sshd of its own on 127.0.0.1. The package's system
# service is not wanted: where an init system started it, it is stopped and disabled again.
if ! command -v /usr/sbin/sshd > /dev/null; then
  sudo_prefix=$([ "$(id -u)" -eq 0 ] || echo sudo)
  $sudo_prefix apt-get install -y -q openssh-client openssh-server > /dev/null
  $sudo_prefix systemctl disable --now ssh > /dev/null 2>&1 || true
fi
cmake -S . -B build-release -G Ninja -DCMAKE_BUILD_TYPE=Release -DRIVET_BUILD_TESTS=ON > /dev/null
cmake --build build-release --parallel "$(nproc)" --target rivet_bench_python_overhead \
  rivet_bench_fleet_fanout rivetd
build-release/bin/rivet_bench_python_overhead "${1:-50}"
echo
build-release/bin/rivet_bench_fleet_fanout 100 500
