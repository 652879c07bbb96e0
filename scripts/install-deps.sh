#!/usr/bin/env bash
# Installs everything dlmeval needs to build, test and run on Debian 12: the Debian packages, and
# LibTorch as PyTorch's own wheel (pinned in scripts/torch-requirements.txt) in the project-local
# environment .venv. The CUDA toolkit (nvcc) is not installed here; the CUDA configuration needs it
# (scripts/build.sh --cuda).
set -euo pipefail
cd "$(dirname "$0")/.."
SUDO=""
if [ "$(id -u)" != "0" ]; then SUDO="sudo"; fi
export DEBIAN_FRONTEND=noninteractive
PACKAGES=(
  build-essential cmake ninja-build pkg-config git ca-certificates
  python3 python3-venv
  libre2-dev libfmt-dev nlohmann-json3-dev libcli11-dev libspdlog-dev
  libboost-dev libboost-iostreams-dev libboost-filesystem-dev
  libgtest-dev libgmock-dev libbenchmark-dev
  libssl-dev libpcre2-dev libicu-dev zlib1g-dev libbz2-dev libsqlite3-dev libyaml-cpp-dev
  bubblewrap ccache
  slurm-wlm munge
  clang libclang-rt-14-dev
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

# PyTorch from the package index, with only what its shared libraries load (--no-deps: torch's
# Python dependencies are not needed by a C++ program). Debian's python3, not a pyenv one on PATH,
# so the environment does not depend on the user's shell set-up.
VENV=.venv
if [ ! -x "$VENV/bin/pip" ]; then
  /usr/bin/python3 -m venv "$VENV"
fi
stamp="$VENV/.dlmeval-torch-requirements"
if ! cmp -s scripts/torch-requirements.txt "$stamp"; then
  "$VENV/bin/pip" install --quiet --no-deps --progress-bar off -r scripts/torch-requirements.txt
  cp scripts/torch-requirements.txt "$stamp"
fi
echo "dlmeval dependencies installed (LibTorch: $(ls -d "$VENV"/lib/python3*/site-packages/torch-*.dist-info | sed 's/.*torch-//; s/.dist-info//'))"
