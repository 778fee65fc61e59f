#!/usr/bin/env bash
# Benchmark: verification of a ROWS-row table (ten columns of mixed types) between two PostgreSQL clusters
# on this machine, as a verify job does it (key-range digests computed in each database), against the way
# an operator checks two tables by hand in the same run: dump each in key order and compare checksums
# (`COPY (SELECT … ORDER BY id) TO STDOUT | md5sum` on both). Then 8 differences are planted (changed,
# deleted, inserted, NULL against '', a microsecond, a float a few ulps off, a flipped boolean, a cent) and
# verification must list exactly those keys.
#   bench/verify.sh                 (ROWS=1000000, ROUNDS=3, CONFIG=release by default;
#                                    SCRATCH_PATH=.build-release builds there instead of .build)
set -euo pipefail
cd "$(dirname "$0")/.."
rows=${ROWS:-1000000}
rounds=${ROUNDS:-3}
config=${CONFIG:-release}
scratch=${SCRATCH_PATH:-.build}
swift build -c "$config" --product berqenas-bench --scratch-path "$scratch" >/dev/null
bench_bin="$(swift build -c "$config" --scratch-path "$scratch" --show-bin-path)/berqenas-bench"

work=$(mktemp -d /tmp/berqenas-bench.XXXXXX)
chmod 755 "$work"  # the clusters run as the postgres user, who must traverse it
cleanup() { scripts/pg-cluster.sh stop "$work/local"; scripts/pg-cluster.sh stop "$work/cloud"; rm -rf "$work"; }
trap cleanup EXIT
local_url=$(scripts/pg-cluster.sh start "$work/local")
cloud_url=$(scripts/pg-cluster.sh start "$work/cloud")

for url in "$local_url" "$cloud_url"; do
  psql -q "$url" <<SQL
CREATE TABLE bench (
  id bigint PRIMARY KEY, qty integer, price numeric(12,2), ratio double precision, active boolean,
  name text, code varchar(16), created timestamptz, day date, token uuid
);
INSERT INTO bench
SELECT g, (g % 1000)::int, (g % 100000) / 100.0, g / 7.0, g % 2 = 0,
       'customer ' || g, 'C' || (g % 9973), '2024-01-01 00:00:00+00'::timestamptz + g * interval '1 second 1 microsecond',
       '2020-01-01'::date + (g % 3650)::int, md5(g::text)::uuid
FROM generate_series(1, $rows) AS g;
VACUUM ANALYZE bench;
SQL
done

median() { sort -n "$1" | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }
: > "$work/dump"; : > "$work/equal"
for round in $(seq "$rounds"); do
  start=$(date +%s.%N)
  a=$(psql -At "$local_url" -c "COPY (SELECT * FROM bench ORDER BY id) TO STDOUT" | md5sum)
  b=$(psql -At "$cloud_url" -c "COPY (SELECT * FROM bench ORDER BY id) TO STDOUT" | md5sum)
  end=$(date +%s.%N)
  [[ $a == "$b" ]] || { echo "the two tables should start equal" >&2; exit 1; }
  python3 -c "print($end - $start)" >> "$work/dump"
  "$bench_bin" verify "$local_url" "$cloud_url" public.bench > "$work/out"
  grep -q " differing=0 " "$work/out" || { echo "verify found differences in equal tables: $(cat "$work/out")" >&2; exit 1; }
  sed -n 's/.*seconds=\([0-9.]*\).*/\1/p' "$work/out" >> "$work/equal"
done
equal_ranges=$(sed -n 's/.* ranges=\([0-9]*\).*/\1/p' "$work/out")

# Planted at fixed fractions of the table (for ROWS=1000000: 10, 200000, 300000, 400000, 600000, 800000, 999999).
i2=$((rows / 5)); i3=$((rows * 3 / 10)); i4=$((rows * 2 / 5)); i6=$((rows * 3 / 5)); i8=$((rows * 4 / 5)); i9=$((rows - 1))
psql -q "$local_url" -c "UPDATE bench SET code = NULL WHERE id = $i3"
psql -q "$cloud_url" <<SQL
UPDATE bench SET code = '' WHERE id = $i3;
UPDATE bench SET name = 'changed' WHERE id = 10;
UPDATE bench SET created = created + interval '1 microsecond' WHERE id = $i2;
UPDATE bench SET ratio = ratio + ratio * 1e-15 WHERE id = $i4;
DELETE FROM bench WHERE id = $i6;
INSERT INTO bench (id, name) VALUES ($((rows + 1000)), 'stray');
UPDATE bench SET active = NOT active WHERE id = $i8;
UPDATE bench SET price = price + 0.01 WHERE id = $i9;
SQL
: > "$work/planted"
for round in $(seq "$rounds"); do
  "$bench_bin" verify "$local_url" "$cloud_url" public.bench > "$work/out"
  sed -n 's/.*seconds=\([0-9.]*\).*/\1/p' "$work/out" >> "$work/planted"
done
found=$(sed -n 's/.* keys=\(.*\)/\1/p' "$work/out")
expected="integer(10):changed;integer($i2):changed;integer($i3):changed;integer($i4):changed;integer($i6):missing_in_cloud;integer($i8):changed;integer($i9):changed;integer($((rows + 1000))):missing_locally"
python3 - "$found" "$expected" <<'PY' || { echo "verify did not list exactly the planted keys: $found" >&2; exit 1; }
import sys
assert sorted(sys.argv[1].split(";")) == sorted(sys.argv[2].split(";"))
PY
planted_ranges=$(sed -n 's/.* ranges=\([0-9]*\).*/\1/p' "$work/out")

python3 - "$rows" "$(median "$work/dump")" "$(median "$work/equal")" "$equal_ranges" "$(median "$work/planted")" "$planted_ranges" "$rounds" "$config" <<'PY'
import sys
rows, dump, equal, equal_ranges, planted, planted_ranges, rounds, config = sys.argv[1:]
print("| what | rows | seconds | ranges compared |")
print("|---|---|---|---|")
print(f"| dump both in key order \\| md5sum (baseline: equal or not, nothing more) | {rows} | {float(dump):.2f} | - |")
print(f"| verify, equal tables | {rows} | {float(equal):.2f} | {equal_ranges} |")
print(f"| verify, 8 planted differences (all 8 keys listed) | {rows} | {float(planted):.2f} | {planted_ranges} |")
print(f"median of {rounds} rounds each ({config} build)")
print(f"ratio (baseline / verify, equal): {float(dump) / float(equal):.2f}x; with differences: {float(dump) / float(planted):.2f}x")
PY
