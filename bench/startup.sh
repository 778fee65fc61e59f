#!/usr/bin/env bash
# Benchmark: release-build cold start of `berqenas serve` (embedded default) to the first /health 200,
# and its idle RSS; with a baseline (python3 -m http.server) measured the same way in the same run.
#   bench/startup.sh            (RUNS=10 by default)
set -euo pipefail
cd "$(dirname "$0")/.."
swift build -c release --product berqenas >/dev/null
python3 bench/startup.py --binary "$(swift build -c release --show-bin-path)/berqenas" --runs "${RUNS:-10}"
