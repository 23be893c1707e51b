#!/usr/bin/env bash
# `make bench`: modelgate against pandas + scikit-learn, DuckDB and `cat` on the
# same generated files, in the same run (see bench/README.md). Not a test: it
# prints figures and asserts nothing but that every tool agrees on the accuracy.
#
# Environment (all optional):
#   BENCH_ROWS=1000000      rows of the generated test set (1M to 100M)
#   BENCH_REPS=3            runs of each command; the table shows medians
#   BENCH_PEERS="pandas duckdb"  peers to run (pandas on 100M rows needs ~11 GB)
#   BENCH_THREADS=1         also time evaluate with --threads 1 (0 to skip)
#   BENCH_STATS=1           also time compare/fairness/evaluate --confidence 0.95
#                           (1000 bootstrap replicates) on BENCH_STATS_ROWS=5000000,
#                           BENCH_STATS_REPS=1 run each (they take long)
#   BENCH_LINEAR="1000000 2000000 5000000 10000000"  only time evaluate on the
#                           CSV at each size (the linearity table), nothing else
#   BENCH_SLICES=1          only time evaluate with and without --slice-by
#                           region,channel,age --slice-bins 20 (50 slices) on the
#                           same BENCH_SLICES_ROWS=10000000-row CSV (bench_gen
#                           --slices), and print the slices' overhead, nothing else
#   BENCH_MG=build/modelgate  the binary;  BENCH_OUT=bench/out  the work folder
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
mg=${BENCH_MG:-$root/build/modelgate}
gen=$(dirname "$mg")/tests/bench_gen
metrics_alone=$(dirname "$mg")/tests/bench_metrics
rows=${BENCH_ROWS:-1000000}
reps=${BENCH_REPS:-3}
peers=${BENCH_PEERS:-pandas duckdb}
threads1=${BENCH_THREADS:-1}
out=${BENCH_OUT:-$root/bench/out}
py=/usr/bin/python3
mkdir -p "$out"

for tool in "$mg" "$gen" "$metrics_alone" /usr/bin/time; do
  [ -x "$tool" ] || { echo "bench: $tool is missing (run make first; /usr/bin/time: apt-get install time)" >&2; exit 2; }
done

# ---- measuring ------------------------------------------------------------
median() { sort -g | awk '{a[NR]=$1} END {if (NR % 2) print a[(NR+1)/2]; else print (a[NR/2]+a[NR/2+1])/2}'; }

# measure NAME OKCODES CMD...: runs CMD $reps times under /usr/bin/time -v,
# stdout to $out/NAME.stdout (to /dev/null for a NAME starting with cat_: the
# I/O floor is `cat FILE > /dev/null`); sets WALL[NAME], CPU[NAME] (user+sys,
# s) and RSS[NAME] (peak, MB), the medians. An exit code not in OKCODES stops
# the run.
declare -A WALL CPU RSS
measure() {
  local name=$1 ok=$2 rc sink
  shift 2
  sink=$out/$name.stdout
  [[ $name == cat_* ]] && sink=/dev/null
  : >"$out/$name.runs"
  for _ in $(seq "$reps"); do
    rc=0
    /usr/bin/time -v -o "$out/$name.time" "$@" >"$sink" 2>"$out/$name.stderr" || rc=$?
    if [[ " $ok " != *" $rc "* ]]; then
      echo "bench: $name exited $rc: $*" >&2
      tail -3 "$out/$name.stderr" >&2
      exit 1
    fi
    awk -F': ' '/Elapsed \(wall clock\)/ {n=split($2,t,":"); s=0; for(i=1;i<=n;i++) s=s*60+t[i]; w=s}
                /User time/ {u=$2} /System time/ {y=$2} /Maximum resident set size/ {r=$2/1024}
                END {printf "%.3f %.3f %.1f\n", w, u+y, r}' "$out/$name.time" >>"$out/$name.runs"
  done
  WALL[$name]=$(cut -d' ' -f1 "$out/$name.runs" | median)
  CPU[$name]=$(cut -d' ' -f2 "$out/$name.runs" | median)
  RSS[$name]=$(cut -d' ' -f3 "$out/$name.runs" | median)
}

# row LABEL NAME [REF]: one table row; the ratios are NAME's wall and CPU
# over REF's, for a peer (how many times slower than modelgate the peer is).
row() {
  local rw="" rc=""
  if [ -n "${3:-}" ]; then
    rw=$(ratio "${WALL[$2]}" "${WALL[$3]}")
    rc=$(ratio "${CPU[$2]}" "${CPU[$3]}")
  fi
  printf '| %s | %.2f | %.2f | %.0f | %s | %s |\n' "$1" "${WALL[$2]}" "${CPU[$2]}" "${RSS[$2]}" "$rw" "$rc"
}
header() {
  echo
  echo "$1"
  echo
  echo "| command | wall s | CPU s | peak RSS MB | peer / modelgate, wall | peer / modelgate, CPU |"
  echo "|---|---|---|---|---|---|"
}
# sum NAME A B: WALL/CPU of NAME = A + B, RSS = the larger (two processes in a row)
sum() {
  WALL[$1]=$(awk -v a="${WALL[$2]}" -v b="${WALL[$3]}" 'BEGIN {print a + b}')
  CPU[$1]=$(awk -v a="${CPU[$2]}" -v b="${CPU[$3]}" 'BEGIN {print a + b}')
  RSS[$1]=$(awk -v a="${RSS[$2]}" -v b="${RSS[$3]}" 'BEGIN {print (a > b ? a : b)}')
}
# ratio A B: A / B with 2 decimals, "n/a" when B is 0 (a time below the 10 ms
# resolution of /usr/bin/time); verdict V OP LIMIT: "met", "NOT met" or "n/a".
ratio() { awk -v a="$1" -v b="$2" 'BEGIN {if (b + 0 == 0) print "n/a"; else printf "%.2f", a / b}'; }
verdict() { awk -v v="$1" -v op="$2" -v t="$3" 'BEGIN {if (v == "n/a") {print "n/a"; exit}
  ok = (op == ">=") ? v + 0 >= t : v + 0 <= t; print (ok ? "met" : "NOT met")}'; }
# target TEXT OP LIMIT A_WALL B_WALL A_CPU B_CPU: a target on the ratio A / B,
# judged on wall time and, separately, on CPU time.
target() {
  local w c
  w=$(ratio "$4" "$5")
  c=$(ratio "$6" "$7")
  echo "| $1 | ${w}x | $(verdict "$w" "$2" "$3") | ${c}x | $(verdict "$c" "$2" "$3") |"
}

# data FILE ROWS [--baseline]: generates the CSV once (bench_gen is
# deterministic, so an existing file of the right name is the same bytes,
# unless bench_gen was rebuilt since).
data() {
  if [ ! -s "$1" ] || [ "$gen" -nt "$1" ]; then
    "$gen" "$2" "$1.tmp" "${@:3}"
    mv -f "$1.tmp" "$1"
  fi
}

machine() {
  local model cores ram
  model=$(lscpu | awk -F': *' '/^Model name/ {print $2; exit}')
  cores=$(nproc)
  ram=$(free -g | awk '/^Mem:/ {print $2}')
  echo "machine: $model, $cores CPUs, $ram GB RAM; $(uname -sr); load average $(cut -d' ' -f1-3 /proc/loadavg)"
  echo "date: $(date -u '+%Y-%m-%d %H:%M UTC'); modelgate $(git -C "$root" rev-parse --short HEAD 2>/dev/null || echo '?')" \
       "($("$mg" version 2>/dev/null | head -1)); $reps runs each, medians"
}

mgflags=(--model column:score --label label --quiet)
attrs=(--protected-attributes gender,age_group)

# ---- linearity: evaluate alone at several sizes ----------------------------
if [ -n "${BENCH_LINEAR:-}" ]; then
  machine
  echo
  echo "| rows | CSV MB | evaluate wall s | CPU s | peak RSS MB | wall s per 1M rows | CPU s per 1M rows | RSS bytes per row |"
  echo "|---|---|---|---|---|---|---|---|"
  for n in $BENCH_LINEAR; do
    csv=$out/bench-$n.csv
    data "$csv" "$n"
    measure lin "0" "$mg" evaluate "${mgflags[@]}" "${attrs[@]}" --test-data "$csv" --output "$out/lin.json"
    awk -v n="$n" -v mb="$(stat -c %s "$csv")" -v w="${WALL[lin]}" -v c="${CPU[lin]}" -v r="${RSS[lin]}" \
      'BEGIN {printf "| %d | %.0f | %.2f | %.2f | %.0f | %.3f | %.3f | %.1f |\n", n, mb / 1e6, w, c, r, w / (n / 1e6), c / (n / 1e6), r * 1048576 / n}'
  done
  exit 0
fi

# ---- slices: the overhead of --slice-by on the same file ---------------------
if [ "${BENCH_SLICES:-0}" = 1 ]; then
  machine
  n=${BENCH_SLICES_ROWS:-10000000}
  csv=$out/bench-slices-$n.csv
  data "$csv" "$n" --slices
  measure slices_off "0" "$mg" evaluate "${mgflags[@]}" --test-data "$csv" --output "$out/slices_off.json"
  measure slices_on "0" "$mg" evaluate "${mgflags[@]}" --test-data "$csv" \
    --slice-by region,channel,age --slice-bins 20 --output "$out/slices_on.json"
  echo
  echo "$n rows, $(awk -v b="$(stat -c %s "$csv")" 'BEGIN {printf "%.0f", b / 1e6}') MB CSV"
  echo
  echo "| command | wall s | CPU s | peak RSS MB |"
  echo "|---|---|---|---|"
  printf '| evaluate | %.2f | %.2f | %.0f |\n' "${WALL[slices_off]}" "${CPU[slices_off]}" "${RSS[slices_off]}"
  printf '| evaluate --slice-by region,channel,age --slice-bins 20 | %.2f | %.2f | %.0f |\n' \
    "${WALL[slices_on]}" "${CPU[slices_on]}" "${RSS[slices_on]}"
  echo
  awk -v a="${CPU[slices_off]}" -v b="${CPU[slices_on]}" -v wa="${WALL[slices_off]}" -v wb="${WALL[slices_on]}" \
    'BEGIN {printf "slices overhead: CPU %+.0f%%, wall %+.0f%% (target: at most +30%%)\n", (b / a - 1) * 100, (wb / wa - 1) * 100}'
  exit 0
fi

# ---- the main run ------------------------------------------------------------
csv=$out/bench-$rows.csv
parquet=$out/bench-$rows.parquet
data "$csv" "$rows"
want_duckdb=0
[[ " $peers " == *" duckdb "* ]] && want_duckdb=1
if [ $want_duckdb = 1 ] || [ ! -s "$parquet" ]; then
  "$root/scripts/npm-ci.sh" "$root/bench"
fi
if [ ! -s "$parquet" ] || [ "$csv" -nt "$parquet" ]; then
  node "$root/bench/peers/duckdb.mjs" to-parquet "$csv" "$parquet.tmp"
  mv -f "$parquet.tmp" "$parquet"
fi

machine
echo "data: $csv ($(stat -c %s "$csv") bytes), $parquet ($(stat -c %s "$parquet") bytes), $rows rows"

# The floor: reading the file (page cache warm, as for every command here) and
# the metrics computed on data already in memory.
measure cat_csv "0" cat "$csv"
measure cat_parquet "0" cat "$parquet"
"$metrics_alone" "$csv" "$reps" >"$out/metrics_alone.json"
metrics_ms=$(jq .ms "$out/metrics_alone.json")
metrics_cpu_ms=$(jq .cpu_ms "$out/metrics_alone.json")

for fmt in csv parquet; do
  file=$csv
  [ $fmt = parquet ] && file=$parquet
  measure "eval_$fmt" "0" "$mg" evaluate "${mgflags[@]}" "${attrs[@]}" --test-data "$file" \
      --output "$out/metrics-$fmt.json"
  [ "$threads1" = 1 ] && measure "eval1_$fmt" "0" "$mg" evaluate "${mgflags[@]}" "${attrs[@]}" \
      --test-data "$file" --threads 1 --output "$out/metrics1-$fmt.json"
  # fairness exits 1 or 3 when a ratio misses the band: a verdict, not a failure
  measure "fair_$fmt" "0 1 3" "$mg" fairness "${mgflags[@]}" "${attrs[@]}" --test-data "$file" \
      --output "$out/fairness-$fmt.json"
  # ---- GATE: when `modelgate gate` exists, time the bundled policy without its
  # latency section here, e.g.
  #   measure "gate_$fmt" "0 1 3" "$mg" gate --policy "$out/policy-$fmt.yml"
  # and make "mg_$fmt" that measurement instead of the sum below.
  sum "mg_$fmt" "eval_$fmt" "fair_$fmt"
  if [[ " $peers " == *" duckdb "* ]]; then
    measure "duck_$fmt" "0" node "$root/bench/peers/duckdb.mjs" "$fmt" "$file"
  fi
done
if [[ " $peers " == *" pandas "* ]]; then
  measure pandas_csv "0" "$py" "$root/bench/peers/pandas_sklearn.py" "$csv"
fi

# Every tool computed the same accuracy from the same rows.
acc_mg=$(jq .accuracy "$out/metrics-csv.json")
for f in "$out/metrics-parquet.json" "$out/metrics_alone.json" \
         ${WALL[duck_csv]:+"$out/duck_csv.stdout"} ${WALL[duck_parquet]:+"$out/duck_parquet.stdout"} \
         ${WALL[pandas_csv]:+"$out/pandas_csv.stdout"}; do
  a=$(jq .accuracy "$f")
  awk -v a="$a" -v b="$acc_mg" 'BEGIN {exit !(a - b < 1e-12 && b - a < 1e-12)}' ||
    { echo "bench: accuracy $a in $f differs from modelgate's $acc_mg" >&2; exit 1; }
done
echo "accuracy $acc_mg, ROC AUC $(jq .roc_auc "$out/metrics-csv.json"): the same in every tool that computes it"

for fmt in csv parquet; do
  file=$csv
  [ $fmt = parquet ] && file=$parquet
  header "${fmt^^} ($(awk -v b="$(stat -c %s "$file")" 'BEGIN {printf "%.0f", b / 1e6}') MB, $rows rows)"
  row "\`cat FILE > /dev/null\` (I/O floor)" "cat_$fmt"
  row "modelgate evaluate (every metric, 2 attributes read)" "eval_$fmt"
  [ -n "${WALL[eval1_$fmt]:-}" ] && row "modelgate evaluate --threads 1" "eval1_$fmt"
  row "modelgate fairness (gender, age_group)" "fair_$fmt"
  row "**modelgate evaluate + fairness**" "mg_$fmt"
  [ -n "${WALL[duck_$fmt]:-}" ] && { [ $fmt = csv ] && d="DuckDB: load CSV + accuracy + 2 group-bys" ||
                                      d="DuckDB: accuracy + 2 group-bys on the file"; row "$d" "duck_$fmt" "mg_$fmt"; }
  [ $fmt = csv ] && [ -n "${WALL[pandas_csv]:-}" ] &&
    row "pandas + scikit-learn: read + 10 metrics + 2 group-bys" pandas_csv mg_csv
done
echo
echo "metrics alone (mg_binary_metrics_compute on label+score already in memory, its two halves on two threads; median of $reps in one process): ${metrics_ms} ms wall, ${metrics_cpu_ms} ms CPU"

# ---- the targets (issue: 10M rows; at other sizes indicative only) ----------
decoded_eval=$((rows * 16)) # label and score, 8 bytes a row each as modelgate holds them
echo
echo "| target | on wall | | on CPU | |"
echo "|---|---|---|---|---|"
if [ -n "${WALL[pandas_csv]:-}" ]; then
  target "CSV: >= 30x faster than pandas + scikit-learn" ">=" 30 \
      "${WALL[pandas_csv]}" "${WALL[mg_csv]}" "${CPU[pandas_csv]}" "${CPU[mg_csv]}"
fi
if [ -n "${WALL[duck_csv]:-}" ]; then
  target "CSV: >= 5x faster than DuckDB loading the CSV" ">=" 5 \
      "${WALL[duck_csv]}" "${WALL[mg_csv]}" "${CPU[duck_csv]}" "${CPU[mg_csv]}"
fi
floor=$(awk -v c="${WALL[cat_csv]}" -v m="$metrics_ms" 'BEGIN {print c + m / 1000}')
floor_cpu=$(awk -v c="${CPU[cat_csv]}" -v m="$metrics_cpu_ms" 'BEGIN {print c + m / 1000}')
target "CSV: evaluate within 3x of cat + metrics alone (${floor} s wall, ${floor_cpu} s CPU)" "<=" 3 \
    "${WALL[eval_csv]}" "$floor" "${CPU[eval_csv]}" "$floor_cpu"
target "CSV: evaluate + fairness within 3x of cat + metrics alone" "<=" 3 \
    "${WALL[mg_csv]}" "$floor" "${CPU[mg_csv]}" "$floor_cpu"
if [ -n "${WALL[duck_parquet]:-}" ]; then
  target "Parquet: evaluate no slower than DuckDB's query (ratio modelgate / DuckDB)" "<=" 1 \
      "${WALL[eval_parquet]}" "${WALL[duck_parquet]}" "${CPU[eval_parquet]}" "${CPU[duck_parquet]}"
  target "Parquet: evaluate + fairness no slower than DuckDB's query" "<=" 1 \
      "${WALL[mg_parquet]}" "${WALL[duck_parquet]}" "${CPU[mg_parquet]}" "${CPU[duck_parquet]}"
fi
for fmt in csv parquet; do
  r=$(awk -v r="${RSS[eval_$fmt]}" -v d="$decoded_eval" 'BEGIN {printf "%.2f", r * 1048576 / d}')
  echo "| peak RSS of evaluate ($fmt) <= 1.5x decoded label+score ($((decoded_eval / 1000000)) MB) | ${r}x | $(verdict "$r" "<=" 1.5) | | |"
done
for fmt in csv parquet; do
  if [ -n "${WALL[eval1_$fmt]:-}" ]; then
    r=$(ratio "${WALL[eval1_$fmt]}" "${WALL[eval_$fmt]}")
    echo "| two threads >= 1.6x faster than one (evaluate, $fmt, $(nproc) CPUs; wall only) | ${r}x | $(verdict "$r" ">=" 1.6) | | |"
  fi
done

# ---- statistics at scale ------------------------------------------------------
if [ "${BENCH_STATS:-0}" = 1 ]; then
  srows=${BENCH_STATS_ROWS:-5000000}
  sreps=${BENCH_STATS_REPS:-1}
  scsv=$out/bench-$srows-baseline.csv
  data "$scsv" "$srows" --baseline
  header "Statistics at scale ($srows-row CSV, 1000 bootstrap replicates, confidence 0.95; $sreps run(s))"
  reps=$sreps
  measure st_compare "0 1 3" "$mg" compare --new column:score --baseline column:score_baseline --label label \
      --test-data "$scsv" --confidence 0.95 --quiet --output "$out/comparison.json"
  measure st_fair "0 1 3" "$mg" fairness "${mgflags[@]}" "${attrs[@]}" --test-data "$scsv" --confidence 0.95 \
      --ignore score_baseline --output "$out/fairness-stats.json"
  measure st_eval "0" "$mg" evaluate "${mgflags[@]}" --test-data "$scsv" --confidence 0.95 --bootstrap 1000 \
      --ignore gender,age_group,score_baseline --output "$out/metrics-stats.json"
  row "compare --confidence 0.95" st_compare
  row "fairness --confidence 0.95 (gender, age_group)" st_fair
  row "evaluate --confidence 0.95 --bootstrap 1000" st_eval
  echo
  echo "| target | figure | verdict |"
  echo "|---|---|---|"
  for s in "st_compare compare" "st_fair fairness" "st_eval evaluate"; do
    set -- $s
    echo "| $2 --confidence 0.95 under 5 s | ${WALL[$1]} s | $(verdict "${WALL[$1]}" "<=" 5) |"
  done
fi
