#!/usr/bin/env bash
# test_render_junit.sh - `modelgate report --format junit` (junit.xml): valid
# against the Jenkins xUnit plugin's junit-10.xsd (tests/data/junit/, with
# xmllint), one testcase per gate of gate.json with its name and kind, the
# counts of tests, failures and skipped equal to gate.json's verdicts, an
# inconclusive gate a failure (type "inconclusive") or skipped as
# on_inconclusive says, and data names (markup, newlines, control characters,
# invalid UTF-8) kept as text.
# Usage: test_render_junit.sh <modelgate-binary>   (env: MG_PYTHON, MG_SOURCE_DIR)
set -u
MG=$(cd "$(dirname "$1")" && pwd)/$(basename "$1")
PY=${MG_PYTHON:-/usr/bin/python3}
SRC=${MG_SOURCE_DIR:-$(cd "$(dirname "$0")/../.." && pwd)}
XSD=$SRC/tests/data/junit/junit-10.xsd
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
failures=0
fail() { echo "FAIL: $*"; failures=$((failures + 1)); }
command -v xmllint >/dev/null || { echo "FAIL: xmllint is missing (scripts/install-deps.sh)"; exit 1; }

# checks DIR/gate.json against the junit.xml in FILE
check() {
  "$PY" - "$1" "$2" <<'PYEOF'
import sys, xml.etree.ElementTree as ET, json, re
gate = json.loads(open(sys.argv[1] + "/gate.json", "rb").read().decode("utf-8", "replace"))
root = ET.parse(sys.argv[2]).getroot()
bad = []
def want(cond, what):
    if not cond:
        bad.append(what)
def clean(s):  # what XML can hold of a data string
    return re.sub("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]", "", s)
fails_inconclusive = gate.get("on_inconclusive", "fail") == "fail"
v = [g["verdict"] for g in gate["gates"]]
n_fail = v.count("fail") + (v.count("inconclusive") if fails_inconclusive else 0)
n_skip = v.count("skipped") + (0 if fails_inconclusive else v.count("inconclusive"))
want(root.tag == "testsuites", "root is testsuites")
suites = root.findall("testsuite")
want(len(suites) == 1 and suites[0].get("name") == "modelgate", "one testsuite modelgate")
s = suites[0]
for el in (root, s):
    want(el.get("tests") == str(len(v)), "%s tests=%s" % (el.tag, el.get("tests")))
    want(el.get("failures") == str(n_fail), "%s failures=%s, want %d" % (el.tag, el.get("failures"), n_fail))
    want(el.get("errors") == "0", "errors")
want(s.get("skipped") == str(n_skip), "skipped=%s, want %d" % (s.get("skipped"), n_skip))
cases = s.findall("testcase")
want(len(cases) == len(v), "testcases %d" % len(cases))
for c, g in zip(cases, gate["gates"]):
    want(c.get("name") == clean(g["name"]), "name %r != %r" % (c.get("name"), clean(g["name"])))
    want(c.get("classname") == "modelgate." + g["kind"], "classname " + c.get("classname"))
    f, sk = c.findall("failure"), c.findall("skipped")
    if g["verdict"] == "fail" or (g["verdict"] == "inconclusive" and fails_inconclusive):
        want(len(f) == 1 and not sk, "failure of %r" % g["name"])
        if f:
            want(f[0].get("type") == ("inconclusive" if g["verdict"] == "inconclusive" else "fail"), "type")
            want(clean(g["reason"]) in f[0].get("message"), "message has the reason: %r" % f[0].get("message"))
    elif g["verdict"] in ("skipped", "inconclusive"):
        want(len(sk) == 1 and not f, "skipped of %r" % g["name"])
        if sk:
            want(sk[0].get("message").startswith("inconclusive: ") == (g["verdict"] == "inconclusive"), "skipped message")
    else:
        want(not f and not sk and len(list(c)) == 0, "pass is empty")
if bad:
    print("\n".join(bad)); sys.exit(1)
PYEOF
}

run() { # DIR NAME
  "$MG" report --results "$1" --format junit --output "$work/$2.xml" || { fail "$2: exited $?"; return; }
  xmllint --noout --schema "$XSD" "$work/$2.xml" 2>"$work/$2.err" || fail "$2: not valid: $(cat "$work/$2.err")"
  check "$1" "$work/$2.xml" || fail "$2: counts or cases"
}

example=$SRC/tests/data/results/example
run "$example" example
grep -q '<failure type="inconclusive"' "$work/example.xml" || fail "example: the inconclusive gate is a failure"

# on_inconclusive warn: the inconclusive gate is skipped
mkdir -p "$work/warn"
jq '.on_inconclusive = "warn" | del(.outputs)' "$example/gate.json" >"$work/warn/gate.json"
run "$work/warn" warn
grep -q '<skipped message="inconclusive: recall' "$work/warn.xml" || fail "warn: inconclusive skipped"

# hostile names; control characters and NUL (a \u0000 escape) in a name
"$PY" "$SRC/tests/e2e/helpers/render_fixtures.py" hostile "$work/h" "$MG" || fail "hostile fixture"
run "$work/h" hostile
mkdir -p "$work/ctl"
jq '.gates[0].name = "esc\u001b[31mred\u0000nul\u0007 \ufffe end" | .gates[0].kind = "metric<&>"' \
  "$SRC/tests/data/results/example/gate.json" >"$work/ctl/gate.json"
"$MG" report --results "$work/ctl" --format junit --output "$work/ctl.xml" || fail "ctl: exited"
xmllint --noout --schema "$XSD" "$work/ctl.xml" 2>/dev/null || fail "ctl: not valid"
grep -q 'classname="modelgate.metric&lt;&amp;&gt;" name="esc\[31mrednul  end"' "$work/ctl.xml" || fail "ctl: control characters dropped: $(grep esc "$work/ctl.xml")"

[ "$failures" = 0 ] && echo "test_render_junit: ok"
exit $((failures > 0))
