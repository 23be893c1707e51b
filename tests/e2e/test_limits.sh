#!/usr/bin/env bash
# Size limits (docs/security.md) that need generated data or a look inside
# the output:
# 1. fairness.json lists 100 excluded groups of an attribute by name and counts
#    the rest: 300 one-row groups with --min-group-size 2 give 100 names and
#    {"groups": 200, "rows": 200} (counted by hand: every group has one row).
# 2. --max-memory caps the address space: a 1.5-million-row CSV that evaluates
#    without it (exit 0, n = 1500000) is exit 2 "out of memory" under 64M, and
#    no metrics.json is written. Skipped (with a note) in sanitizer builds and
#    under valgrind, where the cap is not applied.
set -u
mg=$1
src=${MG_SOURCE_DIR:?}
py=${MG_PYTHON:-/usr/bin/python3}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fail=0

"$mg" fairness --model column:score --test-data "$src/tests/data/parquet/limits/many_groups.parquet" \
  --protected-attributes grp --min-group-size 2 --output "$tmp/f.json" 2>"$tmp/err"
code=$?
[ "$code" = 3 ] || { echo "FAIL excluded summary: exit $code, expected 3 (no group large enough)"; fail=1; }
"$py" - "$tmp/f.json" <<'PY' || fail=1
import json, sys
d = json.load(open(sys.argv[1]))
listed = d["excluded_groups"]["grp"]
want = [{"value": "g%03d" % i, "n": 1} for i in range(100)]
if listed != want:
    print("FAIL excluded summary: excluded_groups.grp lists", len(listed), "groups:", list(listed)[:3], "...")
    sys.exit(1)
if d["excluded_groups_not_listed"] != {"grp": {"groups": 200, "rows": 200}}:
    print("FAIL excluded summary: excluded_groups_not_listed is", d["excluded_groups_not_listed"])
    sys.exit(1)
PY

# 1.5 million rows: label, score.
awk 'BEGIN { print "label,score"; for (i = 0; i < 1500000; i++) printf "%d,0.%d\n", i % 2, (i * 7) % 10 }' \
  >"$tmp/big.csv"
"$mg" evaluate --model column:score --test-data "$tmp/big.csv" --threads 1 --output "$tmp/m.json" 2>"$tmp/err"
code=$?
if [ "$code" != 0 ] || ! grep -q '"n": 1500000' "$tmp/m.json"; then
  echo "FAIL max-memory baseline: exit $code without --max-memory: $(tail -n 1 "$tmp/err")"; fail=1
fi
rm -f "$tmp/m.json"
"$mg" evaluate --model column:score --test-data "$tmp/big.csv" --threads 1 --max-memory 64M \
  --output "$tmp/m.json" 2>"$tmp/err"
code=$?
if grep -q "max-memory is not applied" "$tmp/err"; then
  echo "note: --max-memory is not applied here ($(tail -n 1 "$tmp/err")); its check is skipped"
elif [ "$code" != 2 ] || ! tail -n 1 "$tmp/err" | grep -q "out of memory"; then
  echo "FAIL max-memory: exit $code under 64M, expected 2 naming an allocation: $(tail -n 1 "$tmp/err")"; fail=1
elif [ -e "$tmp/m.json" ]; then
  echo "FAIL max-memory: metrics.json was written"; fail=1
fi
[ $fail = 0 ] && echo "limits: ok"
exit $fail
