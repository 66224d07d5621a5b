#!/usr/bin/env bash
# Installs the Debian 12 packages Rivet builds and tests with, only when one is missing.
set -euo pipefail

packages=(
  build-essential cmake ninja-build pkg-config git
  libboost-dev libboost-filesystem-dev libboost-system-dev
  libpoco-dev libsqlite3-dev libssl-dev libyaml-cpp-dev nlohmann-json3-dev
  libcli11-dev libzstd-dev libarchive-dev libcgroup-dev libgtest-dev prometheus-cpp-dev
  python3 python3-venv curl procps iproute2
  perl nodejs   # interpreters the interpreter-generic tests and example packs run
  nginx-light   # the HTTPS pack store the pack_store tests publish to (WebDAV PUT)
)

missing=()
for package in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q "install ok installed" \
    || missing+=("$package")
done
[ ${#missing[@]} -eq 0 ] && exit 0

sudo=""
[ "$(id -u)" -eq 0 ] || sudo="sudo"
echo "Installing: ${missing[*]}"
$sudo apt-get update -qq
DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}"
