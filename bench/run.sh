#!/usr/bin/env bash
# Builds Rivet in Release mode into ./build-release and runs the benchmarks (loopback only,
# bounded in time). Usage: bench/run.sh [runs]
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/install-deps.sh
cmake -S . -B build-release -G Ninja -DCMAKE_BUILD_TYPE=Release -DRIVET_BUILD_TESTS=ON > /dev/null
cmake --build build-release --parallel "$(nproc)" --target rivet_bench_python_overhead rivetd
build-release/bin/rivet_bench_python_overhead "${1:-50}"
