#!/usr/bin/env bash
# Benchmark: the realtime WebSocket with many subscribers: delivery latency from the request that raises an
# event to every client (p50/p99) and the hub's memory per idle subscribed connection; with a baseline in the
# same run (the same Swift clients against a bare Vapor broadcast server).
#   bench/realtime.sh   (CLIENTS=1000, EVENTS=50 by default; CONFIGURATION=release (or debug);
#                        SCRATCH_PATH=.build-release builds there instead of .build)
set -euo pipefail
cd "$(dirname "$0")/.."
scratch=${SCRATCH_PATH:-.build}
configuration=${CONFIGURATION:-release}
swift build -c "$configuration" --product berqenas --scratch-path "$scratch" >/dev/null
swift build -c "$configuration" --product berqenas-bench --scratch-path "$scratch" >/dev/null
bin=$(swift build -c "$configuration" --scratch-path "$scratch" --show-bin-path)
ulimit -n "$(ulimit -Hn)"  # a socket per client, on both sides
python3 bench/realtime.py --binary "$bin/berqenas" --bench "$bin/berqenas-bench" --clients "${CLIENTS:-1000}" --events "${EVENTS:-50}"
