"""A stand-in for `modelgate gate` in the action's harness (test_action.sh):
it does what the gate contract says the command does under GitHub Actions,
with fixed numbers, so that the action's plumbing can be tested alone.

    stub_gate.py gate --policy P [--model M] [--test-data D] [--baseline B]
                 [--registry R] [--on-inconclusive fail|warn|pass]

Records its argv as JSON lines in $STUB_LOG; fails with exit 2 when the policy
file is missing; writes modelgate-results/{gate.json,report.md}; appends the
contract's keys (verdict, accuracy, p99_ms, report, gate_json) to
$GITHUB_OUTPUT and report.md to $GITHUB_STEP_SUMMARY; exits 0 for
STUB_VERDICT=pass (the default), 1 for fail, 3 for inconclusive unless
--on-inconclusive is warn or pass."""
import json
import os
import sys

argv = sys.argv[1:]
with open(os.environ["STUB_LOG"], "a") as f:
    f.write(json.dumps({"argv": argv, "cwd": os.getcwd()}) + "\n")
opts = {}
i = 1
while i < len(argv):
    opts[argv[i]] = argv[i + 1]
    i += 2
if not os.path.isfile(opts.get("--policy", "")):
    print("modelgate gate: %s: no such policy file" % opts.get("--policy"), file=sys.stderr)
    sys.exit(2)
verdict = os.environ.get("STUB_VERDICT", "pass")
os.makedirs("modelgate-results", exist_ok=True)
gate = {"verdict": verdict, "exit_code": {"pass": 0, "fail": 1, "inconclusive": 3}[verdict],
        "gates": [{"name": "accuracy >= 0.85", "metric": "accuracy", "value": 0.9125,
                   "verdict": verdict}]}
if verdict == "inconclusive" and opts.get("--on-inconclusive") in ("warn", "pass"):
    gate["exit_code"] = 0
with open("modelgate-results/gate.json", "w") as f:
    json.dump(gate, f)
icon = {"pass": "✅", "fail": "❌", "inconclusive": "⚠️"}[verdict]
report = "<!-- modelgate:gate -->\n## %s modelgate: %s\n\n| Metric | Value |\n|---|---|\n" \
         "| accuracy | 0.9125 |\n" % (icon, verdict)
with open("modelgate-results/report.md", "w") as f:
    f.write(report)
with open(os.environ["GITHUB_OUTPUT"], "a") as f:
    f.write("verdict=%s\naccuracy=0.9125\np99_ms=12.5\nreport=modelgate-results/report.md\n"
            "gate_json=modelgate-results/gate.json\n" % verdict)
with open(os.environ["GITHUB_STEP_SUMMARY"], "a") as f:
    f.write(report)
print("::notice::modelgate: %s" % verdict)
sys.exit(gate["exit_code"])
