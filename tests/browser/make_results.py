"""Builds a results folder for the report.html browser test.

    make_results.py MODELGATE SOURCE_DIR OUT_DIR

The JSON files come from modelgate itself (evaluate, fairness, compare,
benchmark) run on examples/data/test.csv with hostile group names written into
its `gender` column; the keys that other commands add later (metrics.json's
`curves`, `calibration`, `score_histogram`, latency.json's `histogram`) are
added here as the contract specifies them, from scikit-learn and numpy, and
gate.json is written by hand from the files' numbers. The test then checks the
report's charts against these files.
"""
import csv
import io
import json
import math
import os
import subprocess
import sys

import numpy as np
from sklearn.calibration import calibration_curve
from sklearn.metrics import precision_recall_curve, roc_curve

MG, SRC, OUT = sys.argv[1], sys.argv[2], sys.argv[3]
os.makedirs(OUT, exist_ok=True)

# Group names a report must show as text: markup, quotes and ampersands, a
# line break, bytes that are not UTF-8, a missing value (an empty cell), and a
# name longer than a chart's label (cut there, whole in the table).
HOSTILE = [
    b'<script>document.title="pwned"</script>',
    b'a"b&c\'<img src=x onerror=alert(1)>',
    b"two\nlines",
    b"bad \xff\xfe bytes",
    b"",
    "a group name far too long for a chart's label area: \u00e9\u00e9\u00e9 and more".encode(),
]

with open(os.path.join(SRC, "examples/data/test.csv"), newline="") as f:
    rows = list(csv.reader(f))
header, body = rows[0], rows[1:]
gi = header.index("gender")
# 40 rows for each hostile value (min_group_size is 30), the rest untouched.
for k, value in enumerate(HOSTILE):
    for r in body[k * 40:(k + 1) * 40]:
        r[gi] = value


def cell(v):
    raw = v if isinstance(v, bytes) else v.encode()
    if any(c in raw for c in b',"\n\r'):
        raw = b'"' + raw.replace(b'"', b'""') + b'"'
    return raw


data = os.path.join(OUT, "data.csv")
with open(data, "wb") as f:
    for r in [header] + body:
        f.write(b",".join(cell(v) for v in r) + b"\n")

features = ["income", "debt_ratio", "credit_history_years", "num_accounts",
            "late_payments", "utilization"]
ignore_score = ["--ignore", ",".join(features)]


def run(*args, ok=(0, 1, 3)):
    p = subprocess.run([MG, *args], capture_output=True)
    if p.returncode not in ok:
        sys.exit("modelgate %s failed (%d): %s" % (args[0], p.returncode,
                                                    p.stderr.decode(errors="replace")))


path = lambda name: os.path.join(OUT, name)
run("evaluate", "--model", "column:score", "--test-data", data, *ignore_score,
    "--protected-attributes", "gender,age_group", "--min", "accuracy=0.85",
    "--output", path("metrics.json"), "--quiet")
run("fairness", "--model", "column:score", "--test-data", data, *ignore_score,
    "--protected-attributes", "gender,age_group", "--confidence", "0.95",
    "--bootstrap", "200", "--output", path("fairness.json"), "--quiet")
run("compare", "--new", os.path.join(SRC, "examples/models/model.json"),
    "--baseline", "column:score", "--test-data", data,
    "--ignore", "gender,age_group,score", "--output", path("comparison.json"), "--quiet")
run("benchmark", "--model", os.path.join(SRC, "examples/models/model.json"),
    "--test-data", data, "--ignore", "gender,age_group,score", "--samples", "200",
    "--output", path("latency.json"), "--quiet")


def load(name):
    with open(path(name)) as f:
        return json.load(f)


def dump(name, obj):
    with open(path(name), "w") as f:
        json.dump(obj, f, indent=2, allow_nan=False)


# metrics.json: curves, calibration and score histogram from scikit-learn.
y = np.array([int(r[header.index("label")]) for r in body])
s = np.array([float(r[header.index("score")]) for r in body])
fpr, tpr, thr = roc_curve(y, s)
prec, rec, pthr = precision_recall_curve(y, s)
finite = lambda a: [None if not math.isfinite(v) else float(v) for v in a]
m = load("metrics.json")
m["curves"] = {
    "roc": {"fpr": finite(fpr), "tpr": finite(tpr), "thresholds": finite(thr),
            "points": len(fpr), "of": len(fpr)},
    "pr": {"precision": finite(prec), "recall": finite(rec), "thresholds": finite(pthr),
           "points": len(prec), "of": len(prec)},
}
edges = np.linspace(0, 1, 21)
m["score_histogram"] = {
    "edges": [float(e) for e in edges],
    "classes": [{"label": str(c), "counts": [int(v) for v in np.histogram(s[y == c], edges)[0]]}
                for c in (0, 1)],
}
prob_true, prob_pred = calibration_curve(y, s, n_bins=10, strategy="uniform")
bins, z = [], 1.959963984540054
idx = np.clip(np.searchsorted(np.linspace(0, 1, 11)[1:-1], s, side="right"), 0, 9)
k = 0
for b in range(10):
    sel = idx == b
    n = int(sel.sum())
    if n == 0:
        continue
    p = float(prob_true[k])
    # Wilson interval, by hand
    den = 1 + z * z / n
    centre = (p + z * z / (2 * n)) / den
    half = z * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / den
    bins.append({"low": b / 10, "high": (b + 1) / 10, "mean_score": float(prob_pred[k]),
                 "observed_rate": p, "count": n, "ci_low": centre - half, "ci_high": centre + half})
    k += 1
gaps = [abs(b["observed_rate"] - b["mean_score"]) for b in bins]
m["calibration"] = {"strategy": "uniform", "bins": bins,
                    "ece": sum(g * b["count"] for g, b in zip(gaps, bins)) / len(s),
                    "mce": max(gaps)}
dump("metrics.json", m)

# latency.json: a log-spaced histogram between min and max whose counts sum to
# the samples (the calls' own times are not in the file; these are drawn).
lat = load("latency.json")
lo, hi = lat["min_ms"], lat["max_ms"]
ledges = np.geomspace(lo, hi if hi > lo else lo * 2, 25)
draws = np.random.default_rng(7).lognormal(math.log(lat["p50_ms"]), 0.6, lat["samples"])
draws = np.clip(draws, ledges[0], ledges[-1])
lat["histogram"] = {"scale": "log", "edges_ms": [float(e) for e in ledges],
                    "counts": [int(c) for c in np.histogram(draws, ledges)[0]]}
dump("latency.json", lat)

# gate.json by hand, from the files' numbers.
fa = load("fairness.json")
cmp_ = load("comparison.json")
dp = fa["demographic_parity"]["gender"]
acc_delta = cmp_["deltas"]["accuracy"]
gates = [
    {"name": "accuracy >= 0.85", "kind": "metric", "metric": "accuracy", "attribute": None,
     "op": ">=", "threshold": 0.85, "value": m["accuracy"], "value_reason": None,
     "ci": m["ci"]["accuracy"], "decided_on": "point", "interval_straddles_threshold": False,
     "verdict": "pass" if m["accuracy"] >= 0.85 else "fail",
     "reason": "accuracy against the minimum 0.85", "source": "modelgate.yml:4:3 gates.accuracy.min"},
    {"name": "demographic_parity_ratio[gender] >= 0.8", "kind": "fairness",
     "metric": "demographic_parity_ratio", "attribute": "gender", "op": ">=", "threshold": 0.8,
     "value": dp["ratio"], "value_reason": None,
     "ci": None, "decided_on": "interval", "interval_straddles_threshold": False,
     "verdict": dp.get("verdict") or "inconclusive", "reason": dp.get("reason") or "ratio in the band",
     "source": "modelgate.yml:9:5 gates.fairness"},
    {"name": "p99_ms <= 50", "kind": "latency", "metric": "p99_ms", "attribute": None,
     "op": "<=", "threshold": 50, "value": lat["p99_ms"], "value_reason": None, "ci": None,
     "decided_on": "point", "interval_straddles_threshold": False, "verdict": "pass",
     "reason": "p99 under 50 ms", "source": "modelgate.yml:12:3 gates.latency.p99_ms"},
    {"name": "accuracy >= baseline - 0.02", "kind": "regression", "metric": "accuracy",
     "attribute": None, "op": ">=", "threshold": -0.02, "value": acc_delta["value"],
     "value_reason": None, "ci": None, "decided_on": "point",
     "interval_straddles_threshold": False, "verdict": "pass",
     "reason": "within the allowed drop", "source": "modelgate.yml:15:3 gates.regression"},
    {"name": "roc_auc >= 0.9", "kind": "metric", "metric": "roc_auc", "attribute": None,
     "op": ">=", "threshold": 0.9, "value": None, "value_reason": "the <b>test</b> needs both classes",
     "ci": None, "decided_on": "point", "interval_straddles_threshold": False,
     "verdict": "skipped", "reason": "skipped & noted", "source": None},
]
counts = {v: sum(g["verdict"] == v for g in gates) for v in ("pass", "fail", "inconclusive", "skipped")}
verdict = "fail" if counts["fail"] else "inconclusive" if counts["inconclusive"] else "pass"
dump("gate.json", {
    "verdict": verdict, "exit_code": {"pass": 0, "fail": 1, "inconclusive": 3}[verdict],
    "on_inconclusive": "fail", "counts": counts, "gates": gates,
    "outputs": {"metrics": "metrics.json", "fairness": "fairness.json",
                "latency": "latency.json", "comparison": "comparison.json"},
    "provenance": {"model": "examples/models/model.json",
                   "model_sha256": lat["provenance"]["model_sha256"],
                   "data": "data.csv", "data_sha256": m["provenance"]["data_sha256"],
                   "policy": "modelgate.yml", "policy_sha256": None,
                   "baseline": "column:score", "baseline_sha256": None, "baseline_version": None,
                   "modelgate_version": m["provenance"]["modelgate_version"], "seed": 42,
                   "created_at": "2026-11-30T09:00:00Z"},
})
