#!/usr/bin/env bash
# Parquet benchmark (not a test; see bench/README.md): modelgate evaluate versus
# DuckDB on the same 10M-row snappy Parquet file, in the same run.
#   bench/parquet/run.sh [BINARY] [ROWS] [REPS]
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
mg=${1:-$root/build/modelgate}
rows=${2:-10000000}
reps=${3:-5}
out=$root/bench/out
mkdir -p "$out"
big=$out/big-$rows.parquet
here=$root/bench/parquet

median() { sort -g | awk '{a[NR]=$1} END {if (NR % 2) print a[(NR+1)/2]; else print (a[NR/2]+a[NR/2+1])/2}'; }

[ -d "$root/tests/fixtures/node_modules" ] || (cd "$root/tests/fixtures" && npm ci --no-audit --no-fund)
[ -f "$big" ] || node "$here/duckdb.mjs" gen "$big" "$rows" >/dev/null
echo "file: $big ($(stat -c %s "$big") bytes, $rows rows), $(nproc) CPUs, $reps repetitions"

: >"$out/mg_ms" ; : >"$out/mg_rss"
for _ in $(seq "$reps"); do
  /usr/bin/time -v -o "$out/time.txt" "$mg" evaluate --model column:score --label label \
      --test-data "$big" --output /dev/null
  awk -F': ' '/Elapsed \(wall clock\)/ {n=split($2,t,":"); s=0; for(i=1;i<=n;i++) s=s*60+t[i]; print s*1000}' \
      "$out/time.txt" >>"$out/mg_ms"
  awk -F': ' '/Maximum resident set size/ {print $2 * 1024}' "$out/time.txt" >>"$out/mg_rss"
done
"$mg" evaluate --model column:score --label label --test-data "$big" --output "$out/metrics.json"
duck=$(node "$here/duckdb.mjs" query "$big" "$reps")
echo "$duck" | jq -r '.ms[]' >"$out/duck_ms"

mg_ms=$(median <"$out/mg_ms")
mg_rss=$(median <"$out/mg_rss")
duck_ms=$(median <"$out/duck_ms")
used=$(node "$here/duckdb.mjs" size "$big" label,score | jq .bytes)
all4=$(node "$here/duckdb.mjs" size "$big" label,score,gender,age_group | jq .bytes)
echo "accuracy: modelgate $(jq .accuracy "$out/metrics.json"), DuckDB $(echo "$duck" | jq .accuracy)"
echo "modelgate evaluate (whole process, all metrics): median ${mg_ms} ms"
echo "DuckDB accuracy + selection rates by gender, age_group (query time in process): median ${duck_ms} ms"
awk -v a="$mg_ms" -v b="$duck_ms" 'BEGIN {printf "ratio modelgate/DuckDB: %.2f\n", a / b}'
awk -v r="$mg_rss" -v u="$used" -v w="$all4" 'BEGIN {
  printf "modelgate peak RSS: %.1f MB; decoded label+score: %.1f MB (RSS/decoded %.2f); all 4 columns: %.1f MB (%.2f)\n",
         r / 1e6, u / 1e6, r / u, w / 1e6, r / w }'
