#!/usr/bin/env bash
# test_render_model_card.sh - `modelgate report --format model-card`: valid
# against the Model Card Toolkit's schema v0.0.2 (tests/data/model_card/,
# python3-jsonschema with format checks), every metric of metrics.json with
# its value and interval equal to the file's, the fairness groups' rates as
# slices equal to fairness.json's, one ethical consideration per fairness
# measure, the test set with its sha256, and the name and version from the
# registry with --registry/--model-name; hostile data stays valid. (The
# schema types values and bounds as strings: they are read back with float.)
# Usage: test_render_model_card.sh <modelgate-binary>   (env: MG_PYTHON, MG_SOURCE_DIR)
set -u
MG=$(cd "$(dirname "$1")" && pwd)/$(basename "$1")
PY=${MG_PYTHON:-/usr/bin/python3}
SRC=${MG_SOURCE_DIR:-$(cd "$(dirname "$0")/../.." && pwd)}
SCHEMA=$SRC/tests/data/model_card/model_card.schema.json
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
failures=0
fail() { echo "FAIL: $*"; failures=$((failures + 1)); }
example=$SRC/tests/data/results/example

validate() { # CARD
  "$PY" - "$SCHEMA" "$1" <<'PYEOF'
import json, sys, jsonschema
schema = json.load(open(sys.argv[1]))
card = json.loads(open(sys.argv[2], "rb").read().decode("utf-8"))  # strict UTF-8
v = jsonschema.Draft7Validator(schema, format_checker=jsonschema.FormatChecker())
errs = sorted(v.iter_errors(card), key=lambda e: list(e.path))
for e in errs[:10]:
    print("schema: %s: %s" % ("/".join(map(str, e.path)), e.message))
sys.exit(1 if errs else 0)
PYEOF
}

"$MG" report --results "$example" --format model-card --output "$work/card.json" || fail "example exited $?"
validate "$work/card.json" || fail "example: not valid against the schema"
"$PY" - "$example" "$work/card.json" <<'PYEOF' || fail "example: values"
import json, sys
d = sys.argv[1]
card = json.load(open(sys.argv[2]))
metrics = json.load(open(d + "/metrics.json"))
fair = json.load(open(d + "/fairness.json"))
gate = json.load(open(d + "/gate.json"))
bad = []
def want(cond, what):
    if not cond:
        bad.append(what)
perf = card["quantitative_analysis"]["performance_metrics"]
unsliced = {}
for m in perf:
    if "slice" not in m:
        unsliced.setdefault(m["type"], []).append(m)
checked = 0
for k, v in metrics.items():
    if k in ("n", "threshold") or isinstance(v, bool) or not isinstance(v, (int, float)):
        continue
    ms = unsliced.get(k, [])
    want(len(ms) == 1, "metric %s appears %d times" % (k, len(ms)))
    if not ms:
        continue
    want(float(ms[0]["value"]) == v, "%s: %r != %r" % (k, ms[0]["value"], v))
    ci = metrics["ci"].get(k)
    if ci:
        c = ms[0].get("confidence_interval", {})
        want(float(c.get("lower_bound")) == ci["low"] and float(c.get("upper_bound")) == ci["high"], "%s interval" % k)
    else:
        want("confidence_interval" not in ms[0], "%s has no interval" % k)
    checked += 1
want(checked >= 10, "only %d metrics checked" % checked)
sliced = {(m["slice"], m["type"]): float(m["value"]) for m in perf if "slice" in m}
groups = 0
for attr, e in fair["demographic_parity"].items():
    label = " \u00d7 ".join(e["attributes"]) if "attributes" in e else attr
    for g in e["groups"]:
        parts = g["value"] if isinstance(g["value"], list) else [g["value"]]
        s = label + "=" + " \u00d7 ".join("(missing)" if p is None else p for p in parts)
        for rate in ("selection_rate", "tpr", "fpr"):
            if g.get(rate) is not None:
                want(sliced.get((s, rate)) == g[rate], "%s %s" % (s, rate))
        groups += 1
want(groups == 19, "groups %d" % groups)
want(("gender=(missing)", "selection_rate") in sliced, "the missing group")
risks = card["considerations"]["ethical_considerations"]
want(len(risks) == 3 * len(fair["demographic_parity"]), "one risk per measure and attribute")
want(any(r["name"].startswith("demographic_parity across age_group: ratio 0.6015") and r["name"].endswith(": fail") for r in risks), "the failing ratio %r" % [r["name"] for r in risks])
lims = card["considerations"]["limitations"]
want(len(lims) == sum(1 for g in gate["gates"] if g["verdict"] != "pass"), "a limitation per gate that did not pass")
data = card["model_parameters"]["data"][0]
want(data["name"] == gate["provenance"]["data"] and gate["provenance"]["data_sha256"] in data["description"], "dataset sha256")
want(data["sensitive"]["sensitive_data"] == ["gender", "age_group"], "sensitive data")
md = card["model_details"]
want(md["name"] == "models/model.json" and md["version"]["name"] == "sha256:" + gate["provenance"]["model_sha256"][:12], "details %r" % md)
want(md["version"]["date"] == "2026-11-30", "date")
if bad:
    print("\n".join(bad)); sys.exit(1)
PYEOF

# name and version from the registry
export MODELGATE_REGISTRY=$work/registry
"$MG" registry push credit "$SRC/examples/models/model.json" --meta owner=risk-team >/dev/null 2>&1 || fail "push v1"
"$MG" registry push credit "$SRC/examples/models/model.json" --meta owner=risk-team >/dev/null 2>&1 || fail "push v2"
"$MG" report --results "$example" --format model-card --model-name credit@v1 --output "$work/reg.json" || fail "registry exited $?"
validate "$work/reg.json" || fail "registry card not valid"
[ "$(jq -r '.model_details.name + " " + .model_details.version.name' "$work/reg.json")" = "credit v1" ] || fail "registry name/version: $(jq -c .model_details "$work/reg.json")"
"$MG" report --results "$example" --format model-card --registry "$work/registry" --model-name credit --output "$work/reg2.json" || fail "registry latest exited"
[ "$(jq -r .model_details.version.name "$work/reg2.json")" = v2 ] || fail "latest version"
"$MG" report --results "$example" --format model-card --model-name nosuch >/dev/null 2>"$work/err"
[ $? = 2 ] && grep -q nosuch "$work/err" || fail "unknown model: $(cat "$work/err")"

# hostile data: still valid, texts kept (invalid UTF-8 as U+FFFD)
"$PY" "$SRC/tests/e2e/helpers/render_fixtures.py" hostile "$work/h" "$MG" || fail "hostile fixture"
"$MG" report --results "$work/h" --format model-card --output "$work/h.json" || fail "hostile exited $?"
validate "$work/h.json" || fail "hostile card not valid"
"$PY" - "$work/h.json" "$SRC/tests/e2e/helpers" <<'PYEOF' || fail "hostile texts"
import json, sys
sys.path.insert(0, sys.argv[2])
from render_fixtures import HOSTILE_GROUPS, HOSTILE_ATTR, sanitize
card = json.load(open(sys.argv[1]))
slices = {m["slice"] for m in card["quantitative_analysis"]["performance_metrics"] if "slice" in m}
want = {HOSTILE_ATTR + "=" + sanitize(g) for g in HOSTILE_GROUPS}
missing = want - slices
if missing:
    print("slices missing: %r" % missing); sys.exit(1)
PYEOF

[ "$failures" = 0 ] && echo "test_render_model_card: ok"
exit $((failures > 0))
