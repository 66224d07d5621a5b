#!/usr/bin/env bash
# Configures and builds Rivet into ./build (warnings are errors). Extra arguments go to cmake.
set -euo pipefail
cd "$(dirname "$0")/.."
cmake -S . -B build -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo -DRIVET_WERROR=ON "$@"
cmake --build build --parallel "$(nproc)"
