#!/usr/bin/env bash
# Sync benchmarks (issue 4), each beside a baseline measured in the same run:
#   1. propagation latency, commit on the local side to visible in the cloud store, at RATES row changes
#      per second for SECONDS_EACH seconds each, continuous mode PostgreSQL -> PostgreSQL, next to PostgreSQL's own
#      logical replication (publication + subscription) between the same two clusters;
#   2. sustained incremental throughput: CHANGES captured inserts carried by one incremental job, then an update
#      of each of those rows by a second, each next to logical replication catching up on the same changes; then
#      both jobs rolled back from their undo images, newest first;
#   3. a bidirectional run with 1% of ROWS keys changed on both sides: converges, conflicts counted.
#   bench/sync.sh   (RATES="500 5000" SECONDS_EACH=60 CHANGES=200000 ROWS=100000 by default; RATES="" skips 1;
#                    SCRATCH_PATH=.build-release builds there instead of .build)
set -euo pipefail
cd "$(dirname "$0")/.."
scratch=${SCRATCH_PATH:-.build}
swift build -c release --product berqenas --scratch-path "$scratch" >/dev/null
binary="$(swift build -c release --scratch-path "$scratch" --show-bin-path)/berqenas"
work=$(mktemp -d /tmp/berqenas-sync-bench.XXXXXX)
chmod 755 "$work"
cleanup() {
  [[ -n ${hub_pid:-} ]] && kill "$hub_pid" 2>/dev/null && wait "$hub_pid" 2>/dev/null || true
  scripts/pg-cluster.sh stop "$work/local"; scripts/pg-cluster.sh stop "$work/cloud"; rm -rf "$work"
}
trap cleanup EXIT
local_url=$(scripts/pg-cluster.sh start "$work/local")
cloud_url=$(scripts/pg-cluster.sh start "$work/cloud")
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
BERQENAS_DATA_DIR="$work/hub" BERQENAS_PORT=$port BERQENAS_DATABASE_URL="$cloud_url" BERQENAS_ADMIN_PASSWORD=bench-password \
  BERQENAS_REMOTE_ALLOW="127.0.0.0/8" "$binary" serve > "$work/hub.log" 2>&1 &
hub_pid=$!
python3 bench/sync_bench.py --hub "http://127.0.0.1:$port" --local "$local_url" --cloud "$cloud_url" \
  --pgbench "$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -n 1)/pgbench" \
  --rates "${RATES-500 5000}" --seconds "${SECONDS_EACH:-60}" --changes "${CHANGES:-200000}" --rows "${ROWS:-100000}"
