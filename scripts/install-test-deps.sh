#!/usr/bin/env bash
# Installs what the tests need where it is missing: Debian packages and pinned Python packages.
set -euo pipefail
cd "$(dirname "$0")/.."

apt_packages=(postgresql postgresql-15-postgis-3 freetds-dev wireguard-tools wireguard-go nftables iproute2)
missing=()
for package in "${apt_packages[@]}"; do
  dpkg -s "$package" >/dev/null 2>&1 || missing+=("$package")
done
if ((${#missing[@]})); then
  echo "installing Debian packages: ${missing[*]}"
  sudo_cmd=""
  [[ $(id -u) -eq 0 ]] || sudo_cmd="sudo"
  $sudo_cmd apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo_cmd apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

python3 -m pip install --quiet --disable-pip-version-check -r e2e/requirements.txt
