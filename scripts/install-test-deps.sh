#!/usr/bin/env bash
# Installs what the tests need where it is missing: Debian packages and pinned Python packages.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/apt-ensure.sh

apt_ensure "${BUILD_PACKAGES[@]}" postgresql postgresql-15-postgis-3 wireguard-tools wireguard-go nftables iproute2 zbar-tools \
  chromium chromium-driver docker-compose

python3 -m pip install --quiet --disable-pip-version-check -r e2e/requirements.txt
