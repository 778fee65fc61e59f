#!/usr/bin/env bash
# Soak (issue 19, not CI): one hub (release build, embedded SQLite) for DURATION seconds under continuous sync of
# a PostgreSQL site at RATE changes/s, the generated API at about API_RATE requests/s, a peer added and revoked
# every second and WebSocket clients coming and going; sampled every 10 s into docs/soak.csv and docs/soak.png.
#   bench/soak.sh   (DURATION=1800 RATE=500 API_RATE=2800 by default; SCRATCH_PATH=.build-release builds there)
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/apt-ensure.sh
apt_ensure wrk
python3 -m pip install --quiet --disable-pip-version-check -r bench/requirements.txt
scratch=${SCRATCH_PATH:-.build}
swift build -c release --product berqenas --scratch-path "$scratch" >/dev/null
binary="$(swift build -c release --scratch-path "$scratch" --show-bin-path)/berqenas"
work=$(mktemp -d /tmp/berqenas-soak.XXXXXX)
chmod 755 "$work"
trap 'scripts/pg-cluster.sh stop "$work/pg" || true; rm -rf "$work"' EXIT
site=$(scripts/pg-cluster.sh start "$work/pg")
ulimit -n "$(ulimit -Hn)"
python3 bench/soak.py --binary "$binary" --site "$site" --duration "${DURATION:-1800}" --rate "${RATE:-500}" \
  --api-rate "${API_RATE:-2800}" --out docs/soak
