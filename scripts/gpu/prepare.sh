#!/usr/bin/env bash
# Prepares, on this (Debian) machine, what the GPU job needs and cannot find there, in .gpu/
# (ignored by git, carried to the GPU machine): sources of the build's dependencies, taken from
# this machine's packages, and the goldens the torch tests compare with. Sources only: libraries
# built here could have another C++ ABI than the GPU machine's LibTorch.
#   .gpu/vendor/include/nlohmann   nlohmann-json3-dev (headers)
#   .gpu/vendor/googletest         googletest (CMake project, without googlemock, docs and tests)
#   .gpu/shared/golden             ../shared/golden checkpoints and expectations (no tokenizers)
# Usage: scripts/gpu/prepare.sh [shared-dir]   (default ../shared)
set -euo pipefail
cd "$(dirname "$0")/../.."
SHARED=${1:-../shared}
DEST=.gpu

for path in /usr/include/nlohmann/json.hpp /usr/src/googletest/CMakeLists.txt "$SHARED/golden/checkpoints"; do
  if [ ! -e "$path" ]; then
    echo "prepare.sh: $path is missing (bash scripts/install-deps.sh installs the packages)" >&2
    exit 1
  fi
done

rm -rf "$DEST"
mkdir -p "$DEST/vendor/include" "$DEST/vendor/googletest" "$DEST/shared/golden"
cp -r /usr/include/nlohmann "$DEST/vendor/include/"
cp /usr/src/googletest/CMakeLists.txt "$DEST/vendor/googletest/"
mkdir -p "$DEST/vendor/googletest/googletest"
for part in CMakeLists.txt cmake include src; do
  cp -r "/usr/src/googletest/googletest/$part" "$DEST/vendor/googletest/googletest/"
done
cp -r "$SHARED/golden/checkpoints" "$SHARED/golden/expected" "$DEST/shared/golden/"
chmod -R u+w "$DEST"

{
  echo "prepared $(date -u +%Y-%m-%dT%H:%M:%SZ)"
  dpkg-query -W -f='${Package} ${Version}\n' nlohmann-json3-dev googletest 2>/dev/null || true
} >"$DEST/PROVENANCE"
du -sh "$DEST/vendor" "$DEST/shared"
echo "prepared $DEST ($(du -sh "$DEST" | cut -f1)); carry it: carry [\".gpu\"]"
