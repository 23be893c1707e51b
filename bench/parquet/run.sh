#!/usr/bin/env bash
# Parquet benchmark (not a test; see bench/README.md): modelgate versus DuckDB on
# the same 10M-row snappy Parquet file, in the same run.
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

# measure NAME CMD...: REPS runs under /usr/bin/time -v; sets NAME_ms and NAME_rss (medians).
measure() {
  local name=$1
  shift
  : >"$out/$name.ms"
  : >"$out/$name.rss"
  for _ in $(seq "$reps"); do
    /usr/bin/time -v -o "$out/time.txt" "$@" >/dev/null
    awk -F': ' '/Elapsed \(wall clock\)/ {n=split($2,t,":"); s=0; for(i=1;i<=n;i++) s=s*60+t[i]; print s*1000}' \
        "$out/time.txt" >>"$out/$name.ms"
    awk -F': ' '/Maximum resident set size/ {print $2 * 1024}' "$out/time.txt" >>"$out/$name.rss"
  done
  printf -v "${name}_ms" '%s' "$(median <"$out/$name.ms")"
  printf -v "${name}_rss" '%s' "$(median <"$out/$name.rss")"
}

[ -d "$root/tests/fixtures/node_modules" ] || (cd "$root/tests/fixtures" && npm ci --no-audit --no-fund)
[ -f "$big" ] || node "$here/duckdb.mjs" gen "$big" "$rows" >/dev/null
echo "file: $big ($(stat -c %s "$big") bytes, $rows rows), $(nproc) CPUs, $reps repetitions, medians"

used=$(node "$here/duckdb.mjs" size "$big" label,score | jq .bytes)
all4=$(node "$here/duckdb.mjs" size "$big" label,score,gender,age_group | jq .bytes)
duck=$(node "$here/duckdb.mjs" query "$big" "$reps")
duck_ms=$(echo "$duck" | jq -r '.ms[]' | median)
echo "DuckDB: accuracy + selection rate per (gender, age_group), query time in process: ${duck_ms} ms" \
     "(accuracy $(echo "$duck" | jq .accuracy))"

report() { # report LABEL MS RSS DECODED
  awk -v l="$1" -v a="$2" -v b="$duck_ms" -v r="$3" -v u="$4" 'BEGIN {
    printf "%s: %.0f ms, ratio to DuckDB %.2f, peak RSS %.1f MB = %.2f x decoded %.1f MB\n",
           l, a, a / b, r / 1e6, r / u, u / 1e6 }'
}

# The reader alone: the four columns decoded into the table, nothing printed but the schema.
measure read "$mg" inspect --test-data "$big" --columns label,score,gender,age_group \
    --format schema --output /dev/null
report "modelgate inspect (read label, score, gender, age_group)" "$read_ms" "$read_rss" "$all4"

probe=$("$mg" evaluate --help 2>&1 >/dev/null || true)
if [[ $probe == *"unknown command 'evaluate'"* ]]; then
  echo "modelgate evaluate: not in this build; skipped"
  exit 0
fi
measure eval "$mg" evaluate --model column:score --label label --test-data "$big" --output /dev/null
"$mg" evaluate --model column:score --label label --test-data "$big" --output "$out/metrics.json"
report "modelgate evaluate (every metric, AUC and CIs included)" "$eval_ms" "$eval_rss" "$used"
echo "modelgate accuracy: $(jq .accuracy "$out/metrics.json")"
