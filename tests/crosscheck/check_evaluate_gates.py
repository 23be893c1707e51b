"""evaluate's --min/--max gates in metrics.json: without --confidence they
decide on the point estimate (and say when the interval straddles the
bound); with it they decide on the interval: pass only when the whole
interval clears the bound, fail only when it wholly misses, exit 3 when it
straddles. The accuracy interval is checked against Wilson's formula, the
value against scikit-learn, and every verdict against the rule.

Usage: check_evaluate_gates.py path/to/modelgate   (run with Debian's /usr/bin/python3)
"""
import json
import math
import os
import subprocess
import sys

import numpy as np
import pandas as pd
from scipy.stats import norm
from sklearn.metrics import accuracy_score

MG = sys.argv[1]
SRC = os.environ.get("MG_SOURCE_DIR", os.path.join(os.path.dirname(__file__), "..", ".."))
DATA = os.path.join(SRC, "examples", "data", "test.csv")
failures, cases = [], 0


def check(ok, msg):
    global cases
    cases += 1
    if not ok:
        failures.append(msg)


def run(*extra):
    p = subprocess.run([MG, "evaluate", "--model", "column:score", "--test-data", DATA,
                        "--quiet", "--output", "-", *extra], capture_output=True, text=True)
    return p.returncode, p.stderr, (json.loads(p.stdout) if p.stdout else None)


df = pd.read_csv(DATA)
y, p = df["label"].to_numpy(), df["score"].to_numpy()
acc = accuracy_score(y, p > 0.5)
n = len(y)
z = norm.ppf(0.975)
centre = (acc + z * z / (2 * n)) / (1 + z * z / n)
half = z / (1 + z * z / n) * math.sqrt(acc * (1 - acc) / n + z * z / (4 * n * n))
low, high = centre - half, centre + half

# (bound, expected exit on the point, expected exit on the interval)
bounds = [(round(low - 0.02, 4), 0, 0), (round((low + acc) / 2, 4), 0, 3),
          (round((acc + high) / 2, 4), 1, 3), (round(high + 0.02, 4), 1, 1)]
for bound, want_point, want_interval in bounds:
    for confidence, want in ((None, want_point), ("0.95", want_interval)):
        extra = ["--min", "accuracy=%r" % bound] + (["--confidence", confidence] if confidence else [])
        code, err, m = run(*extra)
        label = "accuracy >= %r%s" % (bound, " at 0.95" if confidence else "")
        check(code == want, "%s: exit %d, expected %d (%s)" % (label, code, want, err.strip()[-200:]))
        if m is None:
            continue
        g = m["gates"][0]
        check(abs(g["value"] - acc) < 1e-12, "%s: value %r, scikit-learn %r" % (label, g["value"], acc))
        check(abs(g["ci"]["low"] - low) < 1e-12 and abs(g["ci"]["high"] - high) < 1e-12,
              "%s: ci %r, Wilson [%r, %r]" % (label, g["ci"], low, high))
        check(g["decided_on"] == ("interval" if confidence else "point"), "%s: decided_on" % label)
        verdict = {0: "pass", 1: "fail", 3: "inconclusive"}[want]
        check(g["verdict"] == verdict and m["verdict"] == verdict,
              "%s: verdict %s / %s, expected %s" % (label, g["verdict"], m["verdict"], verdict))
        straddles = low < bound < high
        check(g["interval_straddles_threshold"] == straddles, "%s: straddles flag" % label)
        if not confidence and want == 0 and straddles:
            check("passes on the point only" in err, "%s: no straddle warning: %r" % (label, err))

# A maximum on a loss, decided on the bootstrap interval the file reports.
code, err, m = run("--max", "log_loss=0.5", "--confidence", "0.95", "--bootstrap", "200")
g = m["gates"][0] if m else {}
ci = (m or {}).get("ci", {}).get("log_loss", {})
check(code == 0 and g.get("ci", {}).get("low") == ci.get("low") and g.get("ci", {}).get("high") == ci.get("high")
      and g.get("verdict") == ("pass" if ci.get("high", 1) <= 0.5 else "inconclusive"),
      "log_loss <= 0.5 at 0.95: exit %d, gate %r, file ci %r" % (code, g, ci))

# No gates: an empty list and a pass.
code, err, m = run()
check(code == 0 and m["gates"] == [] and m["verdict"] == "pass", "no gates: %r" % ((m or {}).get("gates"),))

print("\n".join("FAIL " + f for f in failures))
print("%d passed, %d failed" % (cases - len(failures), len(failures)))
sys.exit(1 if failures else 0)
