#!/usr/bin/env bash
# Runs the hub on its embedded default (SQLite under ./.berqenas, http://127.0.0.1:8080), installing the
# C libraries the build links where they are missing. Arguments go to `berqenas serve`.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/apt-ensure.sh

apt_ensure "${BUILD_PACKAGES[@]}"
exec swift run berqenas serve "$@"
