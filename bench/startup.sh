#!/usr/bin/env bash
# Benchmark: release-build cold start of `berqenas serve` (embedded default) to the first /health 200, its
# idle RSS and its CPU while idle; with a baseline (python3 -m http.server) measured the same way in the same run.
#   bench/startup.sh   (RUNS=10 by default; IDLE=seconds of idle measured, 3 by default;
#                       SCRATCH_PATH=.build-release builds there instead of .build)
set -euo pipefail
cd "$(dirname "$0")/.."
scratch=${SCRATCH_PATH:-.build}
swift build -c release --product berqenas --scratch-path "$scratch" >/dev/null
python3 bench/startup.py --binary "$(swift build -c release --scratch-path "$scratch" --show-bin-path)/berqenas" \
  --runs "${RUNS:-10}" --idle "${IDLE:-3}"
