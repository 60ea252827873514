#!/usr/bin/env bash
# Sets a fresh Debian 12 machine up for isokit: installs every package the
# build and the tests need, then configures and builds into build/.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install-deps.sh
if [ ! -d build ]; then
	meson setup build -Dwerror=true
fi
ninja -C build
echo "bootstrap: built build/tools/isokit/isokit"
