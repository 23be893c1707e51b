#!/usr/bin/env bash
# Sharded runs (docs/scale.md), the refusals: every hostile or mismatched set
# of partial results is exit 2 with one stderr line naming the file, and
# writes no output; a correct set merges (exit and output as the whole run's).
#  - --shard K/N: K >= N, K < 0, N = 0, no slash, and --shard without --partial;
#  - merge: no partials, a file that is not a partial, a truncated partial
#    (every cut of the first 64 bytes and the last byte), one damaged byte
#    (checksum), a format version from the future, trailing bytes;
#  - mixed partials: another model, other options, another command, a shard
#    given twice, a missing shard, --shard mixed with part files, the same
#    part file twice, other slice column types.
set -u
mg=$1
src=${MG_SOURCE_DIR:?}
py=${MG_PYTHON:-/usr/bin/python3}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
failures=0
fail() { echo "FAIL: $*"; failures=$((failures + 1)); }

"$py" - "$tmp" <<'PY'
import csv, random, sys
random.seed(5)
tmp = sys.argv[1]
rows = []
for i in range(120):
    y = random.randint(0, 1)
    rows.append([y, round(min(1, max(0, random.gauss(0.35 + 0.3 * y, 0.2))), 3),
                 round(min(1, max(0, random.gauss(0.4 + 0.2 * y, 0.2))), 3),
                 random.choice("ab"), random.randint(1, 9)])
def write(name, part):
    with open(f"{tmp}/{name}", "w", newline="") as f:
        w = csv.writer(f)
        w.writerow(["label", "score", "other", "group", "k"])
        w.writerows(part)
write("all.csv", rows)
write("part0.csv", rows[:60])
write("part1.csv", rows[60:])
# Column k as text in one part: a slice column of another type.
with open(f"{tmp}/part1s.csv", "w", newline="") as f:
    w = csv.writer(f)
    w.writerow(["label", "score", "other", "group", "k"])
    w.writerows([r[:4] + [f"k{r[4]}"] for r in rows[60:]])
PY

ev() { "$mg" evaluate --model "${MODEL:-column:score}" --slice-by group,k --quiet "$@"; }

# expect_usage NAME FILE-IN-MESSAGE COMMAND...: exit 2, one line naming the file.
expect_usage() {
  local name=$1 file=$2
  shift 2
  "$@" >"$tmp/out" 2>"$tmp/err"
  local code=$?
  [ "$code" = 2 ] || { fail "$name: exit $code, expected 2: $(head -c 300 "$tmp/err")"; return; }
  [ "$(wc -l <"$tmp/err")" = 1 ] || fail "$name: expected one stderr line, got: $(cat "$tmp/err")"
  grep -qF -- "$file" "$tmp/err" || fail "$name: the message does not name $file: $(cat "$tmp/err")"
}

cd "$tmp" || exit 1
# ---- --shard ---------------------------------------------------------------
for bad in 4/4 5/4 -1/4 0/0 3 a/b; do
  expect_usage "--shard $bad" "--shard" ev --test-data all.csv --shard "$bad" --partial p.mgp
done
expect_usage "--shard without --partial" "--partial" ev --test-data all.csv --shard 0/2
[ ! -e p.mgp ] || fail "a refused --shard wrote p.mgp"

# ---- good partials -----------------------------------------------------------
for k in 0 1 2; do ev --test-data all.csv --shard $k/3 --partial s$k.mgp || fail "shard $k/3"; done
ev --test-data all.csv --output whole.json
"$mg" merge s2.mgp s0.mgp s1.mgp --output merged.json --quiet || fail "merge of 3 shards"
[ "$(jq -S 'del(.provenance)' merged.json)" = "$(jq -S 'del(.provenance)' whole.json)" ] ||
  fail "merged shards differ from the whole run"
[ "$(jq -c '.provenance | [.data, .data_sha256, .model]' merged.json)" = '[null,null,"column:score"]' ] ||
  fail "merged provenance: $(jq -c .provenance merged.json)"
ev --test-data part0.csv --partial a0.mgp && ev --test-data part1.csv --partial a1.mgp ||
  fail "part-file partials"
"$mg" merge a0.mgp a1.mgp --output parts.json --quiet || fail "merge of part files"
[ "$(jq -S 'del(.provenance)' parts.json)" = "$(jq -S 'del(.provenance)' whole.json)" ] ||
  fail "merged part files differ from the whole run"

# The gates' exit code is the whole run's: 1 when a --min fails.
ev --test-data all.csv --min accuracy=0.99 --output /dev/null 2>/dev/null
want=$?
for k in 0 1; do ev --test-data all.csv --min accuracy=0.99 --shard $k/2 --partial g$k.mgp; done
"$mg" merge g0.mgp g1.mgp --output gated.json --quiet 2>/dev/null
got=$?
[ "$want" = 1 ] && [ "$got" = 1 ] || fail "gate exit: merged $got, whole $want (expected 1)"
[ "$(jq -r .verdict gated.json)" = fail ] || fail "merged verdict $(jq -r .verdict gated.json)"

# ---- gate: the policy's metric, slice and fairness gates ---------------------
cat >p.yml <<'EOF'
version: 1
data: {test: all.csv, label: label}
model: column:score
gates:
  accuracy: {min: 0.7, confidence: 0.95}
  fairness:
    protected_attributes: [group]
    demographic_parity_ratio: {min: 0.8}
slices:
  by: [group, k]
  gates:
    accuracy: {min: 0.5}
outputs: {dir: gate-whole}
EOF
"$mg" gate --policy p.yml --quiet 2>/dev/null
want=$?
for k in 0 1 2 3; do
  "$mg" gate --policy p.yml --shard $k/4 --partial gate$k.mgp --quiet 2>/dev/null || fail "gate shard $k/4"
done
"$mg" merge gate3.mgp gate1.mgp gate0.mgp gate2.mgp --output gate-merged --quiet 2>/dev/null
got=$?
[ "$got" = "$want" ] || fail "gate: merged exit $got, whole $want"
for f in gate.json metrics.json fairness.json; do
  [ "$(jq -S 'del(.provenance)' gate-merged/$f)" = "$(jq -S 'del(.provenance)' gate-whole/$f)" ] ||
    fail "gate: merged $f differs from the whole run's"
done
[ "$(jq '[.gates[] | .kind] | unique | join(",")' gate-merged/gate.json)" = '"fairness,metric,slice"' ] ||
  fail "gate: merged gate kinds $(jq -c '[.gates[] | .kind] | unique' gate-merged/gate.json)"
printf 'baseline: column:other\n' >>p.yml
expect_usage "gate with a baseline" "p.yml" "$mg" gate --policy p.yml --shard 0/4 --partial gx.mgp
# The policy changed since the shards ran: the merge says so.
expect_usage "policy changed" "p.yml" "$mg" merge gate0.mgp gate1.mgp gate2.mgp gate3.mgp --output gm2
grep -q "not the policy the shards ran with" "$tmp/err" || fail "policy changed: $(cat "$tmp/err")"

# ---- hostile files -----------------------------------------------------------
expect_usage "no partials" "PARTIAL" "$mg" merge --output m.json
expect_usage "not a partial" "all.csv" "$mg" merge all.csv --output m.json
expect_usage "missing file" "nosuch.mgp" "$mg" merge nosuch.mgp --output m.json
size=$(stat -c %s s0.mgp)
for cut in 0 1 7 8 12 19 20 21 40 64 $((size / 2)) $((size - 1)); do
  head -c "$cut" s0.mgp >cut.mgp
  expect_usage "truncated at $cut" "cut.mgp" "$mg" merge cut.mgp s1.mgp s2.mgp --output m.json
done
# One byte changed in the body: the checksum says so.
cp s0.mgp flip.mgp
printf '\x55' | dd of=flip.mgp bs=1 seek=$((size / 2)) conv=notrunc 2>/dev/null
expect_usage "damaged" "flip.mgp" "$mg" merge flip.mgp s1.mgp s2.mgp --output m.json
grep -q "checksum" "$tmp/err" || fail "damaged: $(cat "$tmp/err")"
# Version 2 in the header.
cp s0.mgp v2.mgp
printf '\x02' | dd of=v2.mgp bs=1 seek=8 conv=notrunc 2>/dev/null
expect_usage "version" "v2.mgp" "$mg" merge s1.mgp v2.mgp s2.mgp --output m.json
grep -q "version 2" "$tmp/err" || fail "version: $(cat "$tmp/err")"
cat s0.mgp >tail.mgp && printf 'x' >>tail.mgp
expect_usage "trailing bytes" "tail.mgp" "$mg" merge tail.mgp s1.mgp s2.mgp --output m.json

# A piped partial announcing 2^48 bytes of body is refused after its header:
# the writer (200 MiB on offer) sees the pipe closed after little more than
# what the pipe buffer holds.
"$py" -c '
import struct, sys
out = sys.stdout.buffer
out.write(b"MGPART\r\n" + struct.pack("<I", 1) + struct.pack("<Q", 1 << 48))
n = 0
try:
    while n < 200 << 20:
        out.write(b"\0" * 65536); out.flush(); n += 65536
except BrokenPipeError:
    pass
open("written", "w").write(str(n))
' 2>/dev/null | "$mg" merge /dev/stdin s1.mgp s2.mgp --output m.json >/dev/null 2>"$tmp/err"
code=$?
[ "$code" = 2 ] && grep -q "/dev/stdin: the header at byte 12 announces 281474976710656 bytes" "$tmp/err" ||
  fail "huge piped partial: exit $code: $(cat "$tmp/err")"
[ "$(cat written)" -lt $((16 << 20)) ] || fail "huge piped partial: $(cat written) bytes read before the refusal"
grep -q "max-input-bytes" "$tmp/err" && fail "huge piped partial names an option merge lacks: $(cat "$tmp/err")"
# A piped partial that is whole merges as the file does.
cat s0.mgp | "$mg" merge /dev/stdin s1.mgp s2.mgp --output piped.json --quiet || fail "piped partial"
cmp -s piped.json merged.json || fail "piped partial: merged result differs"

# ---- mixed partials ----------------------------------------------------------
MODEL=column:other ev --test-data all.csv --shard 1/3 --partial other1.mgp
expect_usage "another model" "other1.mgp" "$mg" merge s0.mgp other1.mgp s2.mgp --output m.json
grep -q "another model" "$tmp/err" || fail "another model: $(cat "$tmp/err")"
ev --test-data all.csv --shard 1/3 --partial opt1.mgp --decision-threshold 0.4
expect_usage "other options" "opt1.mgp" "$mg" merge s0.mgp opt1.mgp s2.mgp --output m.json
grep -q "decision-threshold" "$tmp/err" || fail "other options: $(cat "$tmp/err")"
"$mg" fairness --model column:score --test-data all.csv --protected-attributes group --shard 1/3 \
  --partial fair1.mgp --quiet
expect_usage "another command" "fair1.mgp" "$mg" merge s0.mgp fair1.mgp s2.mgp --output m.json
expect_usage "shard twice" "s1.mgp" "$mg" merge s0.mgp s1.mgp s1.mgp s2.mgp --output m.json
grep -q "given twice" "$tmp/err" || fail "shard twice: $(cat "$tmp/err")"
expect_usage "missing shard" "s0.mgp" "$mg" merge s0.mgp s2.mgp --output m.json
grep -q "shard 1/3 is missing" "$tmp/err" || fail "missing shard: $(cat "$tmp/err")"
expect_usage "shard and part" "a0.mgp" "$mg" merge s0.mgp a0.mgp --output m.json
expect_usage "part twice" "a0.mgp" "$mg" merge a0.mgp a1.mgp a0.mgp --output m.json
grep -q "given twice" "$tmp/err" || fail "part twice: $(cat "$tmp/err")"
ev --test-data part1s.csv --partial a1s.mgp
expect_usage "column type" "a1s.mgp" "$mg" merge a0.mgp a1s.mgp --output m.json
grep -q "column-type" "$tmp/err" || fail "column type: $(cat "$tmp/err")"
# ---- an output is never an input ---------------------------------------------
cp all.csv keep.csv
cp keep.csv keep0.csv
expect_usage "--partial is the test data" "--partial keep.csv is the --test-data file" \
  ev --test-data keep.csv --shard 0/2 --partial keep.csv
cmp -s keep.csv keep0.csv || fail "--partial replaced the test data"
expect_usage "--partial is the test data (fairness)" "--partial ./keep.csv" \
  "$mg" fairness --model column:score --test-data keep.csv --protected-attributes group \
  --partial ./keep.csv --quiet
cmp -s keep.csv keep0.csv || fail "fairness --partial replaced the test data"
printf 'version: 1\ndata: {test: all.csv, label: label}\nmodel: column:score\ngates:\n  accuracy: {min: 0.5}\n' >pk.yml
cp pk.yml pk0.yml
expect_usage "--partial is the policy" "--partial pk.yml is the --policy file" \
  "$mg" gate --policy pk.yml --shard 0/2 --partial pk.yml --quiet
cmp -s pk.yml pk0.yml || fail "gate --partial replaced the policy"
cp s0.mgp s0keep.mgp
expect_usage "merge output is an input" "s0.mgp" "$mg" merge s0.mgp s1.mgp s2.mgp --output ./s0.mgp
cmp -s s0.mgp s0keep.mgp || fail "merge --output replaced an input partial"
expect_usage "merge empty output" "--output" "$mg" merge gate0.mgp gate1.mgp gate2.mgp gate3.mgp --output ""
grep -q "cannot create" "$tmp/err" && fail "merge --output '': $(cat "$tmp/err")"

# ---- --shard K/N of different files ------------------------------------------
ev --test-data part0.csv --shard 0/2 --partial d0.mgp && ev --test-data part1.csv --shard 1/2 --partial d1.mgp ||
  fail "shards of two files"
expect_usage "shards of two files" "d1.mgp" "$mg" merge d0.mgp d1.mgp --output m.json
grep -qF "d0.mgp" "$tmp/err" || fail "shards of two files: $(cat "$tmp/err")"

# ---- --column-type is recorded whole and replayed ----------------------------
for ct in "age=float" "age=int" "gender=string"; do
  "$py" - <<'PY'
import csv, random
random.seed(11)
with open("ct.csv", "w", newline="") as f:
    w = csv.writer(f)
    w.writerow(["label", "score", "age", "gender"])
    for i in range(80):
        y = random.randint(0, 1)
        w.writerow([y, round(random.random() * 0.6 + 0.3 * y, 3), random.choice([20, 30, 40]), random.choice("01")])
PY
  col=${ct%%=*}
  e() { "$mg" evaluate --model column:score --test-data ct.csv --slice-by "$col" --column-type "$ct" \
        --quiet "$@"; }
  e --output ct-whole.json || fail "column-type $ct: whole"
  for k in 0 1; do e --shard $k/2 --partial ct$k.mgp || fail "column-type $ct: shard $k"; done
  "$mg" merge ct0.mgp ct1.mgp --output ct-merged.json --quiet 2>"$tmp/err" ||
    fail "column-type $ct: merge: $(cat "$tmp/err")"
  [ "$(jq -S 'del(.provenance)' ct-merged.json)" = "$(jq -S 'del(.provenance)' ct-whole.json)" ] ||
    fail "column-type $ct: merged evaluate differs from the whole run"
  # The slices are of the type given: age=float slices read "20.0"-style
  # values as numbers; gender=string keeps "0"/"1" as text.
  [ "$(jq -r '.slices | length' ct-merged.json)" -gt 0 ] || fail "column-type $ct: no slices"
  if [ "$ct" = age=float ]; then
    # fairness takes no float attribute: the merge says so as the whole run does.
    for k in 0 1; do
      "$mg" fairness --model column:score --test-data ct.csv --protected-attributes age \
        --column-type age=float --shard $k/2 --partial ctf$k.mgp --quiet 2>/dev/null
    done
    "$mg" merge ctf0.mgp ctf1.mgp --output ctf-merged.json --quiet 2>"$tmp/err"
    [ "$?" = 2 ] && grep -q "^modelgate merge: protected attribute 'age' holds floating-point" "$tmp/err" ||
      fail "fairness age=float: $(cat "$tmp/err")"
    continue
  fi
  f() { "$mg" fairness --model column:score --test-data ct.csv --protected-attributes "$col" \
        --column-type "$ct" --quiet "$@" 2>/dev/null; }
  f --output ctf-whole.json
  want=$?
  for k in 0 1; do f --shard $k/2 --partial ctf$k.mgp || fail "column-type $ct: fairness shard $k"; done
  "$mg" merge ctf0.mgp ctf1.mgp --output ctf-merged.json --quiet 2>"$tmp/err"
  got=$?
  [ "$got" = "$want" ] && [ "$got" != 2 ] || fail "column-type $ct: fairness merge exit $got, whole $want: $(cat "$tmp/err")"
  [ "$(jq -S 'del(.provenance)' ctf-merged.json)" = "$(jq -S 'del(.provenance)' ctf-whole.json)" ] ||
    fail "column-type $ct: merged fairness differs from the whole run"
done

# ---- shards that hold one label value ---------------------------------------
# Sorted by label, each half of these holds one label: --classes names the
# other, and the merge equals the whole run.
printf 'label,score\nyes,0.9\nyes,0.7\nyes,0.4\nyes,0.35\nno,0.5\nno,0.2\nno,0.1\nno,0.6\n' >yn.csv
printf 'label,score\n1,0.9\n1,0.7\n1,0.4\n1,0.35\n-1,0.5\n-1,0.2\n-1,0.1\n-1,0.6\n' >pm1.csv
for set in "yn.csv|--positive-label yes --task binary --classes no,yes" "yn.csv|--classes no,yes" \
           "pm1.csv|--classes -1,1"; do
  f=${set%%|*}; read -r -a o <<<"${set#*|}"
  "$mg" evaluate --model column:score --test-data "$f" "${o[@]}" --quiet --output one-whole.json 2>/dev/null ||
    fail "one label $set: whole"
  for k in 0 1; do
    "$mg" evaluate --model column:score --test-data "$f" "${o[@]}" --quiet --shard $k/2 --partial one$k.mgp 2>/dev/null ||
      fail "one label $set: shard $k"
  done
  "$mg" merge one0.mgp one1.mgp --output one-merged.json --quiet 2>"$tmp/err" ||
    fail "one label $set: merge: $(cat "$tmp/err")"
  [ "$(jq -S 'del(.provenance)' one-merged.json)" = "$(jq -S 'del(.provenance)' one-whole.json)" ] ||
    fail "one label $set: merged result differs from the whole run"
done
# Hand-computed (pm1.csv): a score above 0.5 is positive: TP 2 (0.9, 0.7),
# FN 2 (0.4, 0.35), FP 1 (0.6), TN 3 (0.5, 0.2, 0.1): accuracy 5 / 8.
[ "$(jq .accuracy one-merged.json)" = 0.625 ] || fail "one label: accuracy $(jq .accuracy one-merged.json)"
# Without --classes the merge cannot know the other label: it says so, names
# no label the data lacks and no flag the user gave.
for k in 0 1; do
  "$mg" evaluate --model column:score --test-data yn.csv --positive-label yes --quiet --shard $k/2 --partial one$k.mgp 2>/dev/null
done
expect_usage "one label, no --classes" "one0.mgp" "$mg" merge one0.mgp one1.mgp --output m.json
grep -q -- "--classes" "$tmp/err" && ! grep -q "give --positive-label" "$tmp/err" && ! grep -q "''" "$tmp/err" ||
  fail "one label, no --classes: $(cat "$tmp/err")"
for k in 0 1; do
  "$mg" evaluate --model column:score --test-data pm1.csv --quiet --shard $k/2 --partial one$k.mgp 2>/dev/null
done
expect_usage "one label -1/1" "one1.mgp" "$mg" merge one0.mgp one1.mgp --output m.json
grep -q "'0'" "$tmp/err" && fail "one label -1/1 names a label the data lacks: $(cat "$tmp/err")"
grep -q "only label '-1'" "$tmp/err" || fail "one label -1/1: $(cat "$tmp/err")"

# ---- merge's messages --------------------------------------------------------
ev --test-data all.csv --shard 1/3 --partial conf1.mgp --confidence 0.9
expect_usage "options by name" "conf1.mgp" "$mg" merge s0.mgp conf1.mgp s2.mgp --output m.json
grep -qF "conf1.mgp has --confidence 0.9 where s0.mgp has none" "$tmp/err" ||
  fail "options by name: $(cat "$tmp/err")"
ev --test-data all.csv --shard 0/2 --partial t0.mgp --decision-threshold 0.4
ev --test-data all.csv --shard 1/2 --partial t1.mgp --decision-threshold 0.45
expect_usage "option values as written" "t1.mgp" "$mg" merge t0.mgp t1.mgp --output m.json
grep -qF "t1.mgp has --decision-threshold 0.45 where t0.mgp has --decision-threshold 0.4" "$tmp/err" ||
  fail "option values as written: $(cat "$tmp/err")"
# A merge's message is merge's, whatever command wrote the partials.
sed 's/min: 0.7/min: 0.6/' p.yml >p2.yml
printf 'version: 1\ndata: {test: all.csv, label: label}\nmodel: column:score\ngates:\n  accuracy: {min: 0.5}\n' >pm.yml
for k in 0 1; do "$mg" gate --policy pm.yml --shard $k/2 --partial pm$k.mgp --quiet 2>/dev/null; done
echo 'gates: [' >>pm.yml
"$mg" merge pm0.mgp pm1.mgp --output pm-out >/dev/null 2>"$tmp/err"
[ "$?" = 2 ] || fail "merge with a broken policy: exit not 2"
grep -q "^modelgate merge: " "$tmp/err" || fail "merge message prefix: $(cat "$tmp/err")"
grep -q "modelgate gate" "$tmp/err" && fail "merge message names gate: $(cat "$tmp/err")"
[ ! -e m.json ] || fail "a refused merge wrote m.json"
[ ! -e gm2 ] || fail "a refused gate merge wrote its folder"

# An output flag beside --partial would go unused: refused, nothing written.
expect_usage "evaluate --partial --output" "--output has no use with --partial" \
  "$mg" evaluate --model column:score --test-data all.csv --partial po.mgp --output po.json
expect_usage "gate --partial --outputs" "--outputs has no use with --partial" \
  "$mg" gate --policy pm.yml --shard 0/2 --partial po.mgp --outputs po-dir
[ ! -e po.mgp ] && [ ! -e po.json ] && [ ! -e po-dir ] || fail "a refused --partial run wrote a file"

[ "$failures" = 0 ] && echo "shards: all checks passed"
[ "$failures" = 0 ]
