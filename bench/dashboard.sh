#!/usr/bin/env bash
# Benchmark: `GET /api/v1/dashboard/stats` (platform and one tenant) on a hub with 40 tenants and a large job
# history, against the cheapest signed-in request in the same run.
#   bench/dashboard.sh   (JOBS=200000, RUNS=200 by default; SCRATCH_PATH=.build-release builds there)
set -euo pipefail
cd "$(dirname "$0")/.."
scratch=${SCRATCH_PATH:-.build}
swift build -c release --product berqenas --scratch-path "$scratch" >/dev/null
python3 bench/dashboard.py --binary "$(swift build -c release --scratch-path "$scratch" --show-bin-path)/berqenas" \
  --jobs "${JOBS:-200000}" --runs "${RUNS:-200}"
