#!/usr/bin/env bash
# The benchmark's data generator (bench/gen.c) is deterministic: 1000 rows
# written twice have the same SHA-256, equal to the pinned one (so a change to
# the generator, which would make bench/RESULTS.md incomparable, is seen); the
# header and every row hold the expected columns and values (checked by
# pandas; --slices adds region, channel and age and changes nothing else); a
# 1000-row file is the prefix of a 2000-row one; another seed gives
# other rows; a bad argument exits 2 with one line on stderr.
set -u
gen=${MG_BENCH_GEN:?MG_BENCH_GEN names the bench_gen binary (set by CTest)}
py=${MG_PYTHON:-/usr/bin/python3}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fails=0
fail() { echo "FAIL: $*"; fails=$((fails + 1)); }

"$gen" 1000 "$tmp/a.csv" || fail "bench_gen 1000 exited $?"
"$gen" 1000 "$tmp/b.csv" || fail "second bench_gen 1000 exited $?"
a=$(sha256sum <"$tmp/a.csv" | cut -d' ' -f1)
b=$(sha256sum <"$tmp/b.csv" | cut -d' ' -f1)
[ "$a" = "$b" ] || fail "two runs differ: $a vs $b"
want=46642b40ffd140da931956174c8e58edcadaca9b073baec6b26a6e2c8afbf95a
[ "$a" = "$want" ] || fail "sha256 of 1000 rows is $a, pinned $want (generator changed?)"
"$gen" 1000 - | cmp -s - "$tmp/a.csv" || fail "stdout differs from the file"

"$gen" 2000 "$tmp/c.csv" || fail "bench_gen 2000 exited $?"
head -n 1001 "$tmp/c.csv" | cmp -s - "$tmp/a.csv" || fail "1000 rows are not the prefix of 2000"
"$gen" 1000 "$tmp/d.csv" --seed 7 || fail "--seed 7 exited $?"
cmp -s "$tmp/a.csv" "$tmp/d.csv" && fail "--seed 7 gave the same rows as seed 42"
"$gen" 1000 "$tmp/e.csv" --baseline || fail "--baseline exited $?"
"$gen" 5000 "$tmp/s.csv" --slices || fail "--slices exited $?"
"$gen" 1000 "$tmp/bs.csv" --baseline --slices || fail "--baseline --slices exited $?"

"$py" - "$tmp/a.csv" "$tmp/e.csv" "$tmp/s.csv" "$tmp/bs.csv" <<'PY' || fail "pandas check of the columns"
import sys
import pandas as pd
a = pd.read_csv(sys.argv[1], keep_default_na=False, dtype={"gender": str, "age_group": str})
assert list(a.columns) == ["label", "score", "gender", "age_group"], list(a.columns)
assert len(a) == 1000, len(a)
assert set(a.label) <= {0, 1} and a.label.nunique() == 2, set(a.label)
assert a.score.between(0, 1).all()
assert set(a.gender) <= {"female", "male", "nonbinary", ""}, set(a.gender)
assert set(a.age_group) == {"18-25", "26-40", "41-60", "61+"}, set(a.age_group)
# the label follows the score: positives score higher on average
assert a.score[a.label == 1].mean() > a.score[a.label == 0].mean() + 0.1
e = pd.read_csv(sys.argv[2], keep_default_na=False, dtype={"gender": str, "age_group": str})
assert list(e.columns) == ["label", "score", "gender", "age_group", "score_baseline"], list(e.columns)
assert (e[["label", "score", "gender", "age_group"]] == a).all().all(), "--baseline changed the other columns"
assert e.score_baseline.between(0, 1).all() and (abs(e.score_baseline - e.score) <= 0.15 + 1e-9).all()
# --slices: three more columns, the others as without it
s = pd.read_csv(sys.argv[3], keep_default_na=False, dtype={"gender": str, "age_group": str})
assert list(s.columns) == ["label", "score", "gender", "age_group", "region", "channel", "age"], list(s.columns)
assert (s.iloc[:1000, :4] == a).all().all(), "--slices changed the other columns"
assert s.region.nunique() == 16 and s.channel.nunique() == 14, (s.region.nunique(), s.channel.nunique())
assert s.age.dtype.kind == "i" and s.age.min() == 18 and s.age.max() == 87, (s.age.min(), s.age.max())
assert pd.qcut(s.age, 20, duplicates="drop").nunique() == 20
bs = pd.read_csv(sys.argv[4], keep_default_na=False, dtype={"gender": str, "age_group": str})
assert list(bs.columns) == list(e.columns) + ["region", "channel", "age"], list(bs.columns)
assert (bs[list(e.columns)] == e).all().all() and (bs[["region", "channel", "age"]] == s.iloc[:1000, 4:]).all().all()
PY

"$gen" 0 "$tmp/z.csv" 2>"$tmp/err"
[ $? -eq 2 ] || fail "ROWS 0 did not exit 2"
[ "$(wc -l <"$tmp/err")" -ge 1 ] && grep -q '^bench_gen: ROWS' "$tmp/err" || fail "ROWS 0: stderr $(cat "$tmp/err")"

[ $fails -eq 0 ] && echo "bench_gen: all checks passed"
exit $((fails > 0))
