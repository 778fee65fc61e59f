#!/usr/bin/env bash
# Benchmark: snapshot copy of ROWS rows (ten columns of mixed types) between two PostgreSQL clusters on
# this machine through the connectors, against `COPY (SELECT …) TO STDOUT | COPY … FROM STDIN` between
# the same clusters, in the same run. Prints rows/s of each, their ratio and the copier's peak RSS.
#   bench/snapshot_copy.sh            (ROWS=1000000 by default)
set -euo pipefail
cd "$(dirname "$0")/.."
rows=${ROWS:-1000000}
swift build -c release --product berqenas-bench >/dev/null
bench_bin="$(swift build -c release --show-bin-path)/berqenas-bench"

work=$(mktemp -d /tmp/berqenas-bench.XXXXXX)
chmod 755 "$work"  # the clusters run as the postgres user, who must traverse it
cleanup() { scripts/pg-cluster.sh stop "$work/source"; scripts/pg-cluster.sh stop "$work/target"; rm -rf "$work"; }
trap cleanup EXIT
source_url=$(scripts/pg-cluster.sh start "$work/source")
target_url=$(scripts/pg-cluster.sh start "$work/target")

psql -q "$source_url" <<SQL
CREATE TABLE bench (
  id bigint PRIMARY KEY, qty integer, price numeric(12,2), ratio double precision, active boolean,
  name text, code varchar(16), created timestamptz, day date, token uuid
);
INSERT INTO bench
SELECT g, (g % 1000)::int, (g % 100000) / 100.0, g / 7.0, g % 2 = 0,
       'customer ' || g, 'C' || (g % 9973), '2024-01-01 00:00:00+00'::timestamptz + g * interval '1 second',
       '2020-01-01'::date + (g % 3650)::int, md5(g::text)::uuid
FROM generate_series(1, $rows) AS g;
ANALYZE bench;
SQL
table_ddl="CREATE TABLE bench (id bigint PRIMARY KEY, qty integer, price numeric(12,2), ratio double precision, active boolean, name text, code varchar(16), created timestamptz, day date, token uuid)"

# Rounds alternate the baseline and the connectors; each side's median is reported (the machine is shared
# and noisy).
rounds=${ROUNDS:-3}
: > "$work/pipe"; : > "$work/copy"; : > "$work/rss"
for round in $(seq "$rounds"); do
  # Baseline: COPY pipe into an empty table of the same shape.
  psql -q "$target_url" -c "$table_ddl"
  start=$(date +%s.%N)
  psql -q "$source_url" -c "COPY (SELECT * FROM bench) TO STDOUT" | psql -q "$target_url" -c "COPY bench FROM STDIN"
  end=$(date +%s.%N)
  python3 -c "print($end - $start)" >> "$work/pipe"
  pipe_count=$(psql -At "$target_url" -c "SELECT count(*) FROM bench")
  psql -q "$target_url" -c "DROP TABLE bench"

  # The connectors: the copier creates the target table from the source's description.
  /usr/bin/time -a -f "%M" -o "$work/rss" "$bench_bin" copy "$source_url" "$target_url" public.bench > "$work/out"
  sed -n 's/.*seconds=\([0-9.]*\).*/\1/p' "$work/out" >> "$work/copy"
  copy_count=$(psql -At "$target_url" -c "SELECT count(*) FROM bench")
  same=$(psql -At "$source_url" -c "SELECT md5(string_agg(t::text, '|' ORDER BY id)) FROM bench t")
  copied=$(psql -At "$target_url" -c "SELECT md5(string_agg(t::text, '|' ORDER BY id)) FROM bench t")
  [[ $same == "$copied" ]] || { echo "the copy differs from the source" >&2; exit 1; }
  psql -q "$target_url" -c "DROP TABLE bench"
done
pipe_seconds=$(sort -n "$work/pipe" | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}')
copy_seconds=$(sort -n "$work/copy" | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}')
rss_kib=$(sort -n "$work/rss" | tail -n 1)

python3 - "$rows" "$pipe_count" "$pipe_seconds" "$copy_count" "$copy_seconds" "$rss_kib" "$rounds" <<'PY'
import sys
rows, pipe_count, pipe_s, copy_count, copy_s, rss_kib, rounds = sys.argv[1:]
pipe_rate, copy_rate = int(pipe_count) / float(pipe_s), int(copy_count) / float(copy_s)
print("| what | rows | seconds | rows/s | peak RSS |")
print("|---|---|---|---|---|")
print(f"| COPY TO STDOUT \\| COPY FROM STDIN (baseline) | {pipe_count} | {float(pipe_s):.2f} | {pipe_rate:,.0f} | - |")
print(f"| connectors: keyset read + COPY write | {copy_count} | {float(copy_s):.2f} | {copy_rate:,.0f} | {int(rss_kib) / 1024:.0f} MiB |")
print(f"median of {rounds} rounds each; every copy checked identical to the source (md5 of all rows)")
print(f"ratio (connectors / pipe): {copy_rate / pipe_rate:.2f}x")
PY
