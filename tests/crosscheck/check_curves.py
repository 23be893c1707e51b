"""metrics.json's curves, calibration and score histogram against
scikit-learn and numpy, on the examples' data and on generated data (ties,
weights with zeros, 100k rows, 200k rows of rounded scores, one class only,
multiclass):

- every kept ROC / PR point is one of scikit-learn's points (roc_curve with
  drop_intermediate=True, precision_recall_curve) to 1e-12, in its order,
  the first and last being scikit-learn's, at most 200 points, `of` equal to
  scikit-learn's count; the first ROC threshold and the last PR one are null;
- reliability bins (both strategies, 10 bins) equal
  sklearn.calibration.calibration_curve's non-empty bins (mean predicted
  probability and observed rate to 1e-9), with counts, edges and Wilson
  intervals recomputed in numpy/scipy; with weights, bins recomputed in numpy;
- ECE and MCE hand-computed in numpy; evaluate's --max ece gate and
  --confidence bootstrap interval use the same value;
- calibration slope and intercept equal LogisticRegression(penalty=None) on
  logit(p) (p clipped to [1e-15, 1 - 1e-15]) to 1e-6;
- score_histogram counts equal numpy.histogram's per true class.

Usage: check_curves.py path/to/modelgate   (run with Debian's /usr/bin/python3)
"""
import json
import os
import subprocess
import sys
import tempfile

import numpy as np
import pandas as pd
from scipy.stats import norm
from sklearn.calibration import calibration_curve
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import precision_recall_curve, roc_curve

MG = sys.argv[1]
SRC = os.environ.get("MG_SOURCE_DIR", os.path.join(os.path.dirname(__file__), "..", ".."))
failures = []
checks = 0


def fail(case, msg):
    failures.append("%s: %s" % (case, msg))


def run(args):
    p = subprocess.run([MG] + args + ["--quiet", "--output", "-"], capture_output=True, text=True)
    return p.returncode, p.stdout, p.stderr


def evaluate(path, extra=()):
    code, out, err = run(["evaluate", "--model", "column:score", "--test-data", path] + list(extra))
    if code != 0:
        raise RuntimeError("exit %d: %s" % (code, err[-400:]))
    return json.loads(out)


def on_curve(case, name, kept, full, thr_kept, thr_full, skip_thr):
    """kept: list of coordinate arrays; full likewise. Each kept point must be
    a full point, in order, ends included."""
    global checks
    checks += 1
    m = len(full[0])
    k = len(kept[0])
    if k > 200:
        fail(case, "%s: %d points, more than 200" % (name, k))
    j = 0
    idx = []
    for i in range(k):
        while j < m and not all(abs(kept[c][i] - full[c][j]) <= 1e-12 for c in range(len(full))):
            j += 1
        if j == m:
            fail(case, "%s: point %d %r is not on scikit-learn's curve (in order)"
                 % (name, i, [kept[c][i] for c in range(len(kept))]))
            return
        idx.append(j)
        j += 1
    if idx[0] != 0 or idx[-1] != m - 1:
        fail(case, "%s: first/last kept are scikit-learn's points %d/%d of %d"
             % (name, idx[0], idx[-1], m))
    for i, jj in enumerate(idx):
        if jj == skip_thr % m:
            if thr_kept[i] is not None:
                fail(case, "%s: threshold of point %d should be null" % (name, i))
        elif thr_kept[i] is None or abs(thr_kept[i] - thr_full[jj]) > 1e-12:
            fail(case, "%s: threshold %r at point %d, scikit-learn %r"
                 % (name, thr_kept[i], i, thr_full[jj]))


def check_curves(case, m, y, s, w):
    c = m["curves"]
    if (y == 1).all() or (y == 0).all():
        if c["roc"] is not None or "roc" not in c.get("null_reasons", {}):
            fail(case, "one class: the ROC curve should be null with a reason")
        if (y == 0).all() and c["pr"] is not None:
            fail(case, "no positives: the PR curve should be null")
        if (y == 0).all():
            return
    else:
        fpr, tpr, thr = roc_curve(y, s, sample_weight=w, drop_intermediate=True)
        roc = c["roc"]
        on_curve(case, "roc", [roc["fpr"], roc["tpr"]], [fpr, tpr], roc["thresholds"], thr, 0)
        if roc["of"] != len(fpr) or roc["points"] != len(roc["fpr"]):
            fail(case, "roc: of %d points %d, scikit-learn has %d"
                 % (roc["of"], roc["points"], len(fpr)))
    prec, rec, thr = precision_recall_curve(y, s, sample_weight=w)
    pr = c["pr"]
    thr_full = list(thr) + [None]
    on_curve(case, "pr", [pr["precision"], pr["recall"]], [prec, rec], pr["thresholds"],
             thr_full, -1)
    if pr["of"] != len(prec) or pr["points"] != len(pr["precision"]):
        fail(case, "pr: of %d points %d, scikit-learn has %d" % (pr["of"], pr["points"], len(prec)))


def wilson(p, n, level):
    z = norm.ppf(0.5 + level / 2)
    den = 1 + z * z / n
    centre = (p + z * z / (2 * n)) / den
    half = z / den * np.sqrt(p * (1 - p) / n + z * z / (4 * n * n))
    return max(0.0, centre - half), min(1.0, centre + half)


def bins_numpy(conf, hit, w, strategy, nb=10):
    """calibration_curve's binning (edges, searchsorted left), weighted."""
    keep = w != 0
    if strategy == "quantile":
        edges = np.percentile(conf[keep], np.linspace(0, 1, nb + 1) * 100)
    else:
        edges = np.linspace(0.0, 1.0, nb + 1)
    ids = np.searchsorted(edges[1:-1], conf)
    out = []
    for b in range(nb):
        sel = ids == b
        wb = w[sel]
        if not (wb.sum() > 0):
            continue
        out.append(dict(low=edges[b], high=edges[b + 1], count=int(sel.sum()), weight=wb.sum(),
                        w2=(wb * wb).sum(),
                        mean=np.sum(wb * conf[sel]) / wb.sum(),
                        rate=np.sum(wb * hit[sel]) / wb.sum()))
    return out


def check_reliability(case, cal, conf, hit, w, weighted):
    global checks
    level = cal["level"]
    for strategy, obj in (("uniform", cal), ("quantile", cal["quantile"])):
        checks += 1
        if obj["strategy"] != strategy or obj["n_bins"] != 10:
            fail(case, "%s: strategy/n_bins %r %r" % (strategy, obj["strategy"], obj["n_bins"]))
        got = obj["bins"]
        want = bins_numpy(conf, hit, w, strategy)
        if not weighted and not cal.get("top_label_case"):
            pt, pp = calibration_curve(hit, conf, n_bins=10, strategy=strategy)
            if len(pt) != len(got):
                fail(case, "%s: %d bins, calibration_curve has %d" % (strategy, len(got), len(pt)))
                continue
            for i, b in enumerate(got):
                if abs(b["mean_score"] - pp[i]) > 1e-9 or abs(b["observed_rate"] - pt[i]) > 1e-9:
                    fail(case, "%s bin %d: mean %r rate %r, calibration_curve %r %r"
                         % (strategy, i, b["mean_score"], b["observed_rate"], pp[i], pt[i]))
        if len(want) != len(got):
            fail(case, "%s: %d bins, numpy has %d" % (strategy, len(got), len(want)))
            continue
        total = sum(b["weight"] for b in want)
        ece = sum(b["weight"] / total * abs(b["rate"] - b["mean"]) for b in want)
        mce = max(abs(b["rate"] - b["mean"]) for b in want)
        if abs(obj["ece"] - ece) > 1e-9 or abs(obj["mce"] - mce) > 1e-9:
            fail(case, "%s: ece %r mce %r, numpy %r %r" % (strategy, obj["ece"], obj["mce"], ece, mce))
        for i, (b, x) in enumerate(zip(got, want)):
            if b["low"] != x["low"] or b["high"] != x["high"] or b["count"] != x["count"]:
                fail(case, "%s bin %d: low/high/count %r %r %r, numpy %r %r %r"
                     % (strategy, i, b["low"], b["high"], b["count"], x["low"], x["high"], x["count"]))
            if abs(b["mean_score"] - x["mean"]) > 1e-9 or abs(b["observed_rate"] - x["rate"]) > 1e-9:
                fail(case, "%s bin %d: mean/rate %r %r, numpy %r %r"
                     % (strategy, i, b["mean_score"], b["observed_rate"], x["mean"], x["rate"]))
            n_eff = x["weight"] ** 2 / x["w2"]
            lo, hi = wilson(x["rate"], n_eff, level)
            if abs(b["ci_low"] - lo) > 1e-9 or abs(b["ci_high"] - hi) > 1e-9:
                fail(case, "%s bin %d: wilson [%r, %r], scipy [%r, %r]"
                     % (strategy, i, b["ci_low"], b["ci_high"], lo, hi))


def check_fit(case, cal, y, s, w, max_iter=10000):
    global checks
    checks += 1
    if (y == 1).all() or (y == 0).all():
        if cal["slope"] is not None or "slope" not in cal.get("null_reasons", {}):
            fail(case, "one class: slope should be null with a reason")
        return
    p = np.clip(s, 1e-15, 1 - 1e-15)
    x = (np.log(p) - np.log1p(-p)).reshape(-1, 1)
    lr = LogisticRegression(penalty=None, solver="newton-cg", tol=1e-12, max_iter=max_iter)
    lr.fit(x, y, sample_weight=w)
    slope, intercept = lr.coef_[0][0], lr.intercept_[0]
    if abs(cal["slope"] - slope) > 1e-6 or abs(cal["intercept"] - intercept) > 1e-6:
        fail(case, "slope/intercept %r %r, LogisticRegression %r %r"
             % (cal["slope"], cal["intercept"], slope, intercept))


def check_histogram(case, h, conf, cls, labels):
    global checks
    checks += 1
    if h["edges"] != list(np.linspace(0, 1, 21)):
        fail(case, "histogram edges %r" % h["edges"][:4])
    for k, lab in enumerate(labels):
        got = [c for c in h["classes"] if c["label"] == lab]
        want, _ = np.histogram(conf[cls == k], bins=20, range=(0, 1))
        if len(got) != 1 or got[0]["counts"] != list(want):
            fail(case, "histogram of class %s: %r, numpy %r"
                 % (lab, got[0]["counts"] if got else None, list(want)))


def binary_case(case, tmp, y, s, w=None, gates=False, max_iter=10000):
    df = pd.DataFrame({"label": y, "score": s})
    extra = []
    if w is not None:
        df["w"] = w
        extra = ["--weight", "w"]
    path = os.path.join(tmp, case + ".csv")
    df.to_csv(path, index=False, float_format="%.17g")
    s = pd.read_csv(path, float_precision="round_trip")["score"].to_numpy()  # what modelgate reads
    try:
        m = evaluate(path, extra)
    except RuntimeError as e:
        fail(case, str(e))
        return
    weights = np.ones(len(y)) if w is None else np.asarray(w, dtype=float)
    check_curves(case, m, y, s, w)
    cal = m["calibration"]
    check_reliability(case, cal, s, y.astype(float), weights, w is not None)
    check_fit(case, cal, y, s, w, max_iter)
    check_histogram(case, m["score_histogram"], s, y, ["0", "1"])
    if gates and cal["ece"] is not None:
        global checks
        checks += 1
        bound = cal["ece"]
        code, out, err = run(["evaluate", "--model", "column:score", "--test-data", path,
                              "--max", "ece=%r" % (bound * 0.999), "--confidence", "0.95",
                              "--bootstrap", "200", "--seed", "7"] + extra)
        g = json.loads(out)
        gate = g["gates"][0] if g.get("gates") else {}
        ci = g["ci"].get("ece", {})
        if gate.get("value") != bound or ci.get("method") != "bootstrap_percentile":
            fail(case, "--max ece: gate %r, ci %r" % (gate, ci))
        elif not (ci["low"] <= bound * 1.5 and ci["high"] >= ci["low"]):
            fail(case, "--max ece: interval %r" % ci)
        code, out, err = run(["evaluate", "--model", "column:score", "--test-data", path,
                              "--max", "ece=%r" % (bound * 0.999)] + extra)
        if code != 1:
            fail(case, "--max ece below the value: exit %d, expected 1" % code)
        code, out, err = run(["evaluate", "--model", "column:score", "--test-data", path,
                              "--max", "ece=%r" % bound, "--min", "calibration_slope=-1e9"] + extra)
        if code != 0:
            fail(case, "--max ece at the value: exit %d, expected 0 (%s)" % (code, err[-200:]))


def multiclass_case(case, tmp, rng, n=3000, k=3):
    logits = rng.normal(size=(n, k)) * 2
    p = np.exp(logits) / np.exp(logits).sum(axis=1, keepdims=True)
    p = np.round(p, 3)
    p[:, -1] = np.clip(1 - p[:, :-1].sum(axis=1), 0, 1)
    y = np.array([rng.choice(k, p=row / row.sum()) for row in p])
    labels = ["a", "b", "c"][:k]
    df = pd.DataFrame({"label": [labels[i] for i in y]})
    for c in range(k):
        df["p_" + labels[c]] = p[:, c]
    path = os.path.join(tmp, case + ".csv")
    df.to_csv(path, index=False, float_format="%.17g")
    code, out, err = run(["evaluate", "--model", "columns:" + ",".join("p_" + l for l in labels),
                          "--test-data", path])
    if code != 0:
        fail(case, "exit %d: %s" % (code, err[-300:]))
        return
    m = json.loads(out)
    conf = p.max(axis=1)
    hit = (p.argmax(axis=1) == y).astype(float)
    cal = dict(m["calibration"])
    cal["top_label_case"] = True
    check_reliability(case, cal, conf, hit, np.ones(n), False)
    check_histogram(case, m["score_histogram"], conf, y, labels)
    if "curves" in m or "slope" in m["calibration"]:
        fail(case, "multiclass: no curves and no slope expected")


with tempfile.TemporaryDirectory() as tmp:
    ex = pd.read_csv(os.path.join(SRC, "examples", "data", "test.csv"))
    binary_case("examples", tmp, ex["label"].to_numpy(), ex["score"].to_numpy(), gates=True)
    rng = np.random.default_rng(11)
    n = 100_000
    y = rng.integers(0, 2, n)
    s = 1 / (1 + np.exp(-(1.5 * (2 * y - 1) + rng.normal(0, 1.5, n))))
    binary_case("100k", tmp, y, s, gates=True)
    y = rng.integers(0, 2, 5000)
    s = np.clip(np.round(0.3 * y + rng.uniform(0, 0.7, 5000), 2), 0, 1)
    binary_case("ties", tmp, y, s)
    w = rng.integers(0, 5, 5000) / 4.0  # dyadic weights (exact sums), zeros included
    binary_case("weights", tmp, y, s, w=w)
    binary_case("weights-continuous", tmp, y, np.clip(0.3 * y + rng.uniform(0, 0.7, 5000), 0, 1),
                w=w)
    # 200k rows of scores with 3 decimals (1001 values): the logistic fit
    # takes its terms once per distinct score; with and without weights.
    # (newton-cg's line search can stall at tol 1e-12 on so many rows, with
    # the coefficients already converged: 100 iterations bound its time.)
    n = 200_000
    y = rng.integers(0, 2, n)
    s = np.round(1 / (1 + np.exp(-(1.2 * (2 * y - 1) + rng.normal(0, 1.5, n)))), 3)
    binary_case("200k-rounded", tmp, y, s, max_iter=100)
    binary_case("200k-rounded-weights", tmp, y, s, w=rng.integers(0, 5, n) / 4.0, max_iter=100)
    binary_case("all-positive", tmp, np.ones(50, dtype=int), rng.uniform(0, 1, 50))
    binary_case("all-negative", tmp, np.zeros(50, dtype=int), rng.uniform(0, 1, 50))
    # a perfectly separating score: no logistic fit exists
    ys = np.array([0] * 20 + [1] * 20)
    ss = np.concatenate([rng.uniform(0, 0.4, 20), rng.uniform(0.6, 1, 20)])
    sep = os.path.join(tmp, "sep.csv")
    pd.DataFrame({"label": ys, "score": ss}).to_csv(sep, index=False)
    try:
        m = evaluate(sep)
        checks += 1
        if m["calibration"]["slope"] is not None or "slope" not in m["calibration"]["null_reasons"]:
            fail("separated", "slope should be null with a reason: %r" % m["calibration"].get("slope"))
    except RuntimeError as e:
        fail("separated", str(e))
    multiclass_case("multiclass", tmp, rng)

if failures:
    print("\n".join(failures))
    print("%d failures" % len(failures))
    sys.exit(1)
print("curves, calibration and histograms agree with scikit-learn/numpy (%d checks)" % checks)
