#!/usr/bin/env bash
# Installs every Debian 12 package dlmeval needs to build, test and run, and selects a fast BLAS.
set -euo pipefail
SUDO=""
if [ "$(id -u)" != "0" ]; then SUDO="sudo"; fi
export DEBIAN_FRONTEND=noninteractive
PACKAGES=(
  build-essential cmake ninja-build pkg-config git ca-certificates
  libtorch-dev
  libopenblas0-openmp
  libre2-dev libfmt-dev nlohmann-json3-dev libcli11-dev libspdlog-dev
  libboost-dev libboost-iostreams-dev libboost-filesystem-dev
  libgtest-dev libgmock-dev libbenchmark-dev
  libssl-dev libpcre2-dev libicu-dev zlib1g-dev libbz2-dev libsqlite3-dev
  bubblewrap python3-minimal ccache
  chromium
)
missing=()
for p in "${PACKAGES[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ "${#missing[@]}" -gt 0 ]; then
  $SUDO apt-get update -qq
  $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}"
fi
# Debian's LibTorch links the reference BLAS by default (~3 GFLOP/s fp32); route the BLAS/LAPACK
# alternatives to OpenBLAS (OpenMP build). The core type is chosen at run time by dlmeval itself.
arch_dir=/usr/lib/x86_64-linux-gnu
[ -d "$arch_dir" ] || arch_dir=/usr/lib/$(dpkg-architecture -qDEB_HOST_MULTIARCH)
for alt in libblas.so.3 liblapack.so.3 libopenblas.so.0; do
  target=$(update-alternatives --list "${alt}-$(basename "$arch_dir")" 2>/dev/null | grep openblas-openmp | head -n 1 || true)
  if [ -n "$target" ]; then
    $SUDO update-alternatives --set "${alt}-$(basename "$arch_dir")" "$target" >/dev/null
  fi
done
echo "dlmeval dependencies installed"
