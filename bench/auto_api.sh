#!/usr/bin/env bash
# Auto-API benchmark (issue 6): a generated API over a ROWS-row PostgreSQL table (default 1,000,000),
# served by the release binary; wrk with CONNECTIONS connections (default 64) GETs one row by primary key,
# then 100 rows in key order. Baseline in the same run, against the same cluster: pgbench at the same
# concurrency running the SQL the API runs. Prints requests/s, transactions/s and their ratios.
#   bench/auto_api.sh   (ROWS=1000000 CONNECTIONS=64 SECONDS=20 by default)
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/apt-ensure.sh
apt_ensure wrk
rows=${ROWS:-1000000}
connections=${CONNECTIONS:-64}
seconds=${SECONDS_EACH:-20}
swift build -c release --product berqenas >/dev/null
binary="$(swift build -c release --show-bin-path)/berqenas"

work=$(mktemp -d /tmp/berqenas-api-bench.XXXXXX)
chmod 755 "$work"
cleanup() {
  [[ -n ${hub_pid:-} ]] && kill "$hub_pid" 2>/dev/null && wait "$hub_pid" 2>/dev/null || true
  scripts/pg-cluster.sh stop "$work/pg" || true
  rm -rf "$work"
}
trap cleanup EXIT
admin_url=$(scripts/pg-cluster.sh start "$work/pg")
psql -q "$admin_url" -c "CREATE DATABASE bench"
db_url="${admin_url%/*}/bench"
psql -q "$db_url" <<SQL
CREATE TABLE items (id bigint PRIMARY KEY, name text NOT NULL, price numeric(12,2), qty integer, created timestamptz);
INSERT INTO items SELECT g, 'item ' || g, (g % 100000) / 100.0, (g % 1000)::int,
  '2024-01-01 00:00:00+00'::timestamptz + g * interval '1 second' FROM generate_series(1, $rows) g;
ANALYZE items;
SQL

port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
BERQENAS_DATA_DIR="$work/hub" BERQENAS_PORT=$port BERQENAS_ADMIN_PASSWORD=bench-password LOG_LEVEL=warning \
  BERQENAS_REMOTE_ALLOW="127.0.0.0/8" BERQENAS_ANONYMOUS_RATE_LIMIT=1000000 \
  "$binary" serve > "$work/hub.log" 2>&1 &
hub_pid=$!
python3 bench/auto_api.py setup --hub "http://127.0.0.1:$port" --database "$db_url" > "$work/path"
path=$(cat "$work/path")

# The SQL the API runs for each request (its read forms: numerics and timestamps as text).
cat > "$work/by_key.sql" <<SQL
\set id random(1, $rows)
SELECT "id" AS "id", "name" AS "name", "price"::text AS "price", "qty" AS "qty", "created"::text AS "created" FROM "public"."items" WHERE "id" = :id::int8;
SQL
cat > "$work/hundred.sql" <<SQL
\set id random(0, $rows - 100)
SELECT "id" AS "id", "name" AS "name", "price"::text AS "price", "qty" AS "qty", "created"::text AS "created" FROM "public"."items" WHERE "id" > :id::int8 ORDER BY "public"."items"."id" ASC LIMIT 100;
SQL

run_wrk() {  # script -> requests/s
  BENCH_ROWS=$rows BENCH_PATH=$path wrk -t2 -c"$connections" -d"${seconds}s" --latency -s "bench/lua/$1" "http://127.0.0.1:$port" \
    > "$work/wrk.out"
  grep -q "Non-2xx" "$work/wrk.out" && { cat "$work/wrk.out" >&2; echo "the API answered errors" >&2; exit 1; }
  awk '/Requests\/sec/ {print $2}' "$work/wrk.out"
}
run_pgbench() {  # script -> transactions/s
  pgbench -n -M extended -c "$connections" -j 2 -T "$seconds" -f "$work/$1" "$db_url" 2>/dev/null \
    | awk '/^tps/ {print $3; exit}'
}
python3 bench/auto_api.py check --hub "http://127.0.0.1:$port" --path "$path"
# Rounds alternate the API and pgbench; each figure is the median of its rounds (the machine is shared
# and noisy). A first short wrk run warms the hub's pool and the table's pages.
BENCH_ROWS=$rows BENCH_PATH=$path wrk -t2 -c"$connections" -d5s -s bench/lua/by_key.lua "http://127.0.0.1:$port" > /dev/null
rounds=${ROUNDS:-3}
: > "$work/results"
for round in $(seq "$rounds"); do
  echo "key_api $(run_wrk by_key.lua) $(awk '/ 99%/ {print $2}' "$work/wrk.out")" >> "$work/results"
  echo "key_pg $(run_pgbench by_key.sql)" >> "$work/results"
  echo "hundred_api $(run_wrk hundred_rows.lua) $(awk '/ 99%/ {print $2}' "$work/wrk.out")" >> "$work/results"
  echo "hundred_pg $(run_pgbench hundred.sql)" >> "$work/results"
done
python3 - "$work/results" "$connections" "$rows" "$rounds" <<'PY'
import statistics, sys
path, connections, rows, rounds = sys.argv[1:]
runs = {}
for line in open(path):
    name, value, *rest = line.split()
    runs.setdefault(name, []).append((float(value), rest[0] if rest else ""))
def median(name):
    values = sorted(runs[name])
    return values[len(values) // 2]
print(f"{int(rows):,} rows, {connections} connections, median of {rounds} alternating rounds")
for label, key in (("GET by primary key", "key"), ("GET 100 rows      ", "hundred")):
    api, p99 = median(f"{key}_api")
    pg, _ = median(f"{key}_pg")
    pairs = list(zip(runs[f"{key}_api"], runs[f"{key}_pg"]))
    every = ", ".join(f"{a:.0f}/{b:.0f}" for (a, _), (b, _) in pairs)
    paired = sorted(a / b for (a, _), (b, _) in pairs)[len(pairs) // 2]
    print(f"{label}: API {api:7.0f} req/s (p99 {p99})   pgbench {pg:7.0f} tps   ratio {api / pg:.2f}"
          f"   median of round ratios {paired:.2f}   (rounds api/pgbench: {every})")
PY
