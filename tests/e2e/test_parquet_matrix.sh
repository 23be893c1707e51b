#!/usr/bin/env bash
# The Parquet fixture matrix: the same 2000-row table written by DuckDB,
# parquet-wasm and hyparquet-writer (every codec, page v1/v2, PLAIN, dictionary,
# DELTA_*, BYTE_STREAM_SPLIT, several row groups, a directory of part files) must
# give exactly the metrics of its CSV copy. The CSV run itself is checked against
# an accuracy and a row count computed here with Python, so that two equally
# wrong runs cannot pass. Regenerate the files with tests/fixtures/make_matrix.mjs.
set -u
mg=$1
src=${MG_SOURCE_DIR:?MG_SOURCE_DIR is not set}
py=${MG_PYTHON:-/usr/bin/python3}
dir=$src/tests/data/parquet/matrix
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fail=0

# Until the evaluate command is in the build, say so and let ctest report a skip (77).
probe=$("$mg" evaluate --help 2>&1 >/dev/null || true)
if [[ $probe == *"unknown command 'evaluate'"* ]]; then
  echo "SKIP: this modelgate has no evaluate command"
  exit 77
fi

evaluate() { # evaluate DATA OUT: metrics without provenance into OUT
  if ! "$mg" evaluate --model column:score --label label --test-data "$1" --output - \
      >"$tmp/raw.json" 2>"$tmp/err"; then
    echo "FAIL $(basename "$1"): evaluate exited non-zero: $(tail -n 1 "$tmp/err")"
    return 1
  fi
  jq -S 'del(.provenance)' "$tmp/raw.json" >"$2"
}

evaluate "$dir/test.csv" "$tmp/csv.json" || exit 1

# Independent figures for the CSV copy: row count and accuracy (positive when score > 0.5).
read -r want_n want_acc < <("$py" - "$dir/test.csv" <<'EOF'
import csv, sys
rows = list(csv.DictReader(open(sys.argv[1])))
hits = sum((float(r["score"]) > 0.5) == (r["label"] == "1") for r in rows)  # evaluate: positive when score > 0.5
print(len(rows), repr(hits / len(rows)))
EOF
)
got_n=$(jq '.n' "$tmp/csv.json")
ok_acc=$("$py" -c "import sys,json; print(abs(json.load(open(sys.argv[1]))['accuracy'] - float(sys.argv[2])) < 1e-12)" \
  "$tmp/csv.json" "$want_acc")
if [ "$got_n" != "$want_n" ] || [ "$ok_acc" != "True" ]; then
  echo "FAIL test.csv: n=$got_n accuracy=$(jq .accuracy "$tmp/csv.json"), expected n=$want_n accuracy=$want_acc"
  fail=1
fi

count=0
for data in "$dir"/*.parquet "$dir/parts"; do
  name=${data#"$dir"/}
  count=$((count + 1))
  if ! evaluate "$data" "$tmp/pq.json"; then
    fail=1
    continue
  fi
  if ! cmp -s "$tmp/csv.json" "$tmp/pq.json"; then
    echo "FAIL $name: metrics differ from the CSV copy"
    diff "$tmp/csv.json" "$tmp/pq.json" | head -n 20
    fail=1
  fi
done
if [ "$count" -lt 20 ]; then
  echo "FAIL: only $count matrix inputs under $dir"
  fail=1
fi
[ "$fail" = 0 ] && echo "ok: $count Parquet inputs give the CSV copy's metrics (n=$want_n, accuracy=$want_acc)"
exit "$fail"
