#!/usr/bin/env bash
# Strings from data end to end: a CSV (tests/data/strings/bad_utf8.csv) with
# invalid UTF-8 in a column name, in group values and in labels, escape bytes
# in a group value and an attribute named "\n::error::x". Every JSON output
# must parse with a strict parser (bytes decoded strictly as UTF-8) and hold
# the names as Python's bytes.decode("utf-8", "replace") gives them (U+FFFD
# per maximal subpart); every stderr must be valid UTF-8 without a raw control
# byte (other than the line ends), without DEL, and with no line that data
# could have started (no "::" at a line start).
set -u
mg=$1
py=${MG_PYTHON:-/usr/bin/python3}
src=${MG_SOURCE_DIR:-$(cd "$(dirname "$0")/../.." && pwd)}
csv="$src/tests/data/strings/bad_utf8.csv"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fails=0
fail() { echo "FAIL: $*"; fails=$((fails + 1)); }

# check_stderr NAME: the stderr of the last run ($tmp/NAME.err) is clean.
check_stderr() {
    "$py" - "$tmp/$1.err" <<'PY' || fail "$1: stderr is not clean: $(head -c 300 "$tmp/$1.err" | od -c | head -5)"
import sys
raw = open(sys.argv[1], "rb").read()
raw.decode("utf-8")  # strict: raises on an invalid byte
bad = [b for b in raw if (b < 0x20 and b not in (0x0a,)) or b == 0x7f]
assert not bad, "raw control bytes %r" % bad[:5]
assert not any(0x80 <= ord(c) <= 0x9f for c in raw.decode("utf-8")), "C1 control"
for line in raw.split(b"\n"):
    assert not line.startswith(b"::"), "a line starts with '::': %r" % line
PY
}

# check_json NAME PYTHON-ASSERTIONS: $tmp/NAME.json parses strictly; the
# assertions see it as `d` and the raw CSV names as `raw`.
check_json() {
    "$py" - "$tmp/$1.json" "$2" <<'PY' || fail "$1: JSON check failed"
import json, sys
data = open(sys.argv[1], "rb").read()
d = json.loads(data.decode("utf-8"))  # strict UTF-8, strict JSON
def fix(b):
    return b.decode("utf-8", "replace")
strings = set()
def walk(v):
    if isinstance(v, dict):
        for k, x in v.items():
            strings.add(k)
            walk(x)
    elif isinstance(v, list):
        for x in v:
            walk(x)
    elif isinstance(v, str):
        strings.add(v)
walk(d)
exec(sys.argv[2])
PY
}

attrs=$(printf 'grp\xff\xfe,\n::error::x')

# fairness: group values and attribute names with invalid bytes and escapes.
"$mg" fairness --model column:score --test-data "$csv" --protected-attributes "$attrs" \
    --ignore "$(printf 'lab\xc0\xaf')" --min-group-size 1 --output "$tmp/fair.json" 2>"$tmp/fair.err"
code=$?
[ "$code" = 0 ] || [ "$code" = 1 ] || [ "$code" = 3 ] || fail "fairness: exit $code"
check_stderr fair
check_json fair '
assert fix(b"grp\xff\xfe") in strings, "attribute name"
assert fix(b"\n::error::x") in strings, "newline attribute"
for g in (b"a\xc3", b"b\xed\xa0\x80", b"c\x1b[31m\x7f", b"d\xf4\x8f\xbf\xbf"):
    assert fix(g) in strings, "group %r" % g
'

# evaluate with the invalid label text as the label column.
"$mg" evaluate --model column:score --test-data "$csv" --label "$(printf 'lab\xc0\xaf')" \
    --ignore "$attrs" --output "$tmp/eval.json" 2>"$tmp/eval.err"
[ $? = 0 ] || fail "evaluate: exit not 0: $(head -c 300 "$tmp/eval.err")"
check_stderr eval
check_json eval '
assert d["positive_label"] == fix(b"yes\xe2\x82"), d["positive_label"]
assert d["n"] == 240
'

# inspect as JSON and as the readable schema (stdout is for humans there).
"$mg" inspect --test-data "$csv" --format json >"$tmp/insp.json" 2>"$tmp/insp.err"
[ $? = 0 ] || fail "inspect json: exit not 0"
check_json insp '
for name in (b"grp\xff\xfe", b"\n::error::x", b"lab\xc0\xaf", b"a\xc3", b"yes\xe2\x82"):
    assert fix(name) in strings, "inspect: %r" % name
'
"$mg" inspect --test-data "$csv" --format schema >"$tmp/schema.err" 2>&1 || fail "inspect schema: exit not 0"
check_stderr schema
grep -aqF 'grp\xff\xfe' "$tmp/schema.err" || fail "inspect schema: the name is not shown escaped"

# Errors that name data: an unknown attribute carrying an escape and a newline.
"$mg" fairness --model column:score --test-data "$csv" \
    --protected-attributes "$(printf 'nope\x1b[2J\n::error::y')" --output "$tmp/x.json" 2>"$tmp/err1.err"
[ $? = 2 ] || fail "unknown attribute: exit not 2"
check_stderr err1
[ "$(wc -l <"$tmp/err1.err")" = 1 ] || fail "unknown attribute: not one stderr line"
grep -aqF '\x1b[2J' "$tmp/err1.err" || fail "unknown attribute: ESC not shown as \\x1b"
[ -e "$tmp/x.json" ] && fail "unknown attribute: output written"

# A bad option value and a missing file whose name holds control bytes.
"$mg" evaluate --model column:score --test-data "$(printf '%s/no\x1b]0;t\x07pe\n::error::z.csv' "$tmp")" \
    --output - >/dev/null 2>"$tmp/err2.err"
[ $? = 2 ] || fail "missing file: exit not 2"
check_stderr err2
"$mg" evaluate --model column:score --test-data "$csv" --min "$(printf 'acc\nuracy=x')" \
    --output - >/dev/null 2>"$tmp/err3.err"
[ $? = 2 ] || fail "bad gate: exit not 2"
check_stderr err3

if [ "$fails" -gt 0 ]; then
    echo "$fails checks failed"
    exit 1
fi
echo "strings: every check passed"
