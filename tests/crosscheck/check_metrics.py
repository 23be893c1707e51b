"""check_metrics.py - every metric of `modelgate evaluate` against scikit-learn.

Run as `/usr/bin/python3 check_metrics.py <modelgate-binary>`. Generates random
test sets (binary with many tied scores, weights, heavy imbalance; multiclass
with predicted classes or class probabilities, numeric and string labels;
regression) and the edge cases where metrics are undefined, writes them as CSV
in a temporary directory, runs `modelgate evaluate ... --output -` and compares
every metric of metrics.json with scikit-learn to 1e-9 (relative above 1).
A metric must be null (with a reason in "null_reasons") exactly where
docs/metrics.md says it is undefined, and a number everywhere else.
"""
import json
import math
import os
import subprocess
import sys
import tempfile
import warnings

import numpy as np
from sklearn import metrics as skm

TOL = 1e-9
FAILURES = []


def fail(case, msg):
    FAILURES.append(f"{case}: {msg}")


def close(a, b):
    return abs(a - b) <= TOL * max(1.0, abs(b))


def write_csv(path, columns):
    """columns: list of (name, values); floats written with repr (exact)."""
    names = [c[0] for c in columns]
    n = len(columns[0][1])
    with open(path, "w", encoding="utf-8") as f:
        f.write(",".join(names) + "\n")
        for i in range(n):
            cells = []
            for _, vals in columns:
                v = vals[i]
                if isinstance(v, (float, np.floating)):
                    cells.append(repr(float(v)))
                else:
                    cells.append(str(v))
            f.write(",".join(cells) + "\n")


def run(binary, tmp, case, columns, args):
    path = os.path.join(tmp, case + ".csv")
    write_csv(path, columns)
    cmd = [binary, "evaluate", "--test-data", path, "--output", "-"] + args
    proc = subprocess.run(cmd, capture_output=True, text=True, timeout=120)
    if proc.returncode != 0:
        fail(case, f"exit {proc.returncode}: {' '.join(cmd)}\n{proc.stderr.strip()}")
        return None
    try:
        return json.loads(proc.stdout)
    except json.JSONDecodeError as e:
        fail(case, f"stdout is not JSON ({e}): {proc.stdout[:200]!r}")
        return None


def compare(case, got, expected):
    """expected: {metric: float or None}; None means the metric must be null."""
    reasons = got.get("null_reasons") or {}
    for key, exp in expected.items():
        if key not in got:
            fail(case, f"{key} missing from metrics.json")
            continue
        val = got[key]
        if exp is None:
            if val is not None:
                fail(case, f"{key} = {val}, expected null")
            elif not isinstance(reasons.get(key), str) or not reasons[key]:
                fail(case, f"{key} is null without a reason in null_reasons")
        elif val is None:
            fail(case, f"{key} is null ({reasons.get(key)}), expected {exp!r}")
        elif not close(val, exp):
            fail(case, f"{key} = {val!r}, scikit-learn says {exp!r}")
        elif key in reasons:
            fail(case, f"{key} has a value and a null reason")


def sk(fn, *a, **kw):
    """Calls a scikit-learn metric, silencing its undefined-metric warnings
    (the expected-null rules are decided separately, from the counts)."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return float(fn(*a, **kw))


# ---- binary -----------------------------------------------------------------


def binary_expected(y, s, w, thr):
    """y: 0/1 array; s: scores; w: weights or None."""
    pred = (s > thr).astype(int)
    ww = np.ones(len(y)) if w is None else w
    pos, neg = ww[y == 1].sum(), ww[y == 0].sum()
    ppos, pneg = ww[pred == 1].sum(), ww[pred == 0].sum()
    kw = {"sample_weight": w}
    e = {
        "accuracy": sk(skm.accuracy_score, y, pred, **kw),
        "balanced_accuracy": None
        if pos == 0 or neg == 0
        else sk(skm.balanced_accuracy_score, y, pred, **kw),
        "precision": None if ppos == 0 else sk(skm.precision_score, y, pred, **kw),
        "recall": None if pos == 0 else sk(skm.recall_score, y, pred, **kw),
        "f1": None if pos == 0 and ppos == 0 else sk(skm.f1_score, y, pred, labels=[0, 1], **kw),
        "specificity": None if neg == 0 else sk(skm.recall_score, y, pred, pos_label=0, **kw),
        "mcc": None if min(pos, neg, ppos, pneg) == 0 else sk(skm.matthews_corrcoef, y, pred, **kw),
        "roc_auc": None if pos == 0 or neg == 0 else sk(skm.roc_auc_score, y, s, **kw),
        "pr_auc": None if pos == 0 else sk(skm.average_precision_score, y, s, **kw),
        "log_loss": sk(skm.log_loss, y, s, labels=[0, 1], **kw),
        "brier": sk(skm.brier_score_loss, y, s, pos_label=1, **kw),
    }
    tn, fp, fn, tp = skm.confusion_matrix(y, pred, labels=[0, 1], sample_weight=w).ravel()
    return e, {"tp": tp, "fp": fp, "tn": tn, "fn": fn}


def check_binary(binary, tmp, case, y, s, w=None, thr=None, names=("0", "1"), extra=None):
    labels = [names[v] for v in y]
    cols = [("label", labels), ("score", [float(v) for v in s])]
    args = ["--model", "column:score", "--task", "binary", "--positive-label", names[1]]
    if w is not None:
        cols.append(("w", [float(v) for v in w]))
        args += ["--weight", "w"]
    if thr is not None:
        args += ["--decision-threshold", repr(thr)]
    got = run(binary, tmp, case, cols, args + (extra or []))
    if got is None:
        return
    expected, confusion = binary_expected(y, s, w, 0.5 if thr is None else thr)
    compare(case, got, expected)
    cm = got.get("confusion_matrix") or {}
    for k, v in confusion.items():
        if k not in cm or not close(cm[k], float(v)):
            fail(case, f"confusion_matrix.{k} = {cm.get(k)!r}, scikit-learn says {v!r}")
    if got.get("n") != len(y):
        fail(case, f"n = {got.get('n')!r}, expected {len(y)}")


def binary_cases(binary, tmp, rng):
    n = 3000
    y = (rng.random(n) < 0.4).astype(int)
    # Scores rounded to two decimals: about 100 distinct values, many ties.
    s = np.round(np.clip(0.35 * y + rng.random(n) * 0.65, 0, 1), 2)
    check_binary(binary, tmp, "binary_ties", y, s)
    w = np.round(rng.random(n) * 3, 3)
    w[rng.random(n) < 0.05] = 0.0
    check_binary(binary, tmp, "binary_ties_weighted", y, s, w)
    check_binary(binary, tmp, "binary_threshold_0.3", y, s, w, thr=0.3)
    # Continuous scores, exact 0 and 1 included (log loss clipping).
    s2 = rng.beta(2, 3, n) * 0.8 + 0.2 * y * rng.random(n)
    s2[:10] = 0.0
    s2[10:20] = 1.0
    check_binary(binary, tmp, "binary_continuous", y, s2)
    # Heavily imbalanced: about 0.5% positives, weighted.
    m = 8000
    yi = (rng.random(m) < 0.005).astype(int)
    yi[0] = 1
    si = np.round(np.clip(rng.random(m) * 0.6 + 0.3 * yi, 0, 1), 3)
    wi = rng.random(m) * 2 + 0.1
    check_binary(binary, tmp, "binary_imbalanced", yi, si, wi)
    # String labels: the positive class named explicitly.
    check_binary(binary, tmp, "binary_strings", y[:500], s[:500], names=("good", "bad"))

    # Undefined cases.
    k = 200
    zeros = np.zeros(k, dtype=int)
    sc = np.round(rng.random(k), 2)
    check_binary(binary, tmp, "binary_only_negatives", zeros, sc)
    check_binary(binary, tmp, "binary_only_positives", zeros + 1, sc)
    ym = (rng.random(k) < 0.5).astype(int)
    check_binary(binary, tmp, "binary_no_predicted_positive", ym, sc * 0.4)
    check_binary(binary, tmp, "binary_all_predicted_positive", ym, 0.6 + sc * 0.4)
    check_binary(binary, tmp, "binary_no_positive_no_predicted", zeros, sc * 0.4)
    # The positive rows exist but weigh nothing.
    wz = np.where(ym == 1, 0.0, 1.0)
    check_binary(binary, tmp, "binary_positives_weigh_zero", ym, sc, wz)


# ---- multiclass -------------------------------------------------------------


def multiclass_expected(yc, pc, proba, w, k):
    ww = np.ones(len(yc)) if w is None else w
    support = np.array([ww[yc == c].sum() for c in range(k)])
    predicted = np.array([ww[pc == c].sum() for c in range(k)])
    labels = list(range(k))
    kw = {"sample_weight": w}
    prf = {}
    for avg in ("macro", "weighted", "micro"):
        p, r, f, _ = sk_prf(yc, pc, labels, avg, w)
        prf[avg] = (p, r, f)
    no_support = (support == 0).any()
    e = {
        "accuracy": sk(skm.accuracy_score, yc, pc, **kw),
        "balanced_accuracy": None if no_support else sk(skm.balanced_accuracy_score, yc, pc, **kw),
        "precision_macro": None if (predicted == 0).any() else prf["macro"][0],
        "recall_macro": None if no_support else prf["macro"][1],
        "f1_macro": None if ((support == 0) & (predicted == 0)).any() else prf["macro"][2],
        "precision_weighted": None
        if ((support > 0) & (predicted == 0)).any()
        else prf["weighted"][0],
        "recall_weighted": prf["weighted"][1],
        "f1_weighted": prf["weighted"][2],
        "precision_micro": prf["micro"][0],
        "recall_micro": prf["micro"][1],
        "f1_micro": prf["micro"][2],
    }
    if proba is None:
        e["roc_auc_ovr"] = None
        e["log_loss"] = None
    else:
        e["roc_auc_ovr"] = (
            None
            if no_support
            else sk(
                skm.roc_auc_score, yc, proba, multi_class="ovr", average="macro",
                labels=labels, **kw,
            )
        )
        e["log_loss"] = sk(skm.log_loss, yc, proba, labels=labels, **kw)
    p, r, f, s = skm.precision_recall_fscore_support(
        yc, pc, labels=labels, average=None, sample_weight=w, zero_division=0
    )
    per_class = []
    for c in range(k):
        per_class.append(
            {
                "precision": None if predicted[c] == 0 else float(p[c]),
                "recall": None if support[c] == 0 else float(r[c]),
                "f1": None if support[c] == 0 and predicted[c] == 0 else float(f[c]),
                "support": float(support[c]),
            }
        )
    cm = skm.confusion_matrix(yc, pc, labels=labels, sample_weight=w)
    return e, per_class, cm


def sk_prf(yc, pc, labels, avg, w):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        p, r, f, s = skm.precision_recall_fscore_support(
            yc, pc, labels=labels, average=avg, sample_weight=w, zero_division=0
        )
    return float(p), float(r), float(f), s


def check_multiclass(binary, tmp, case, names, yc, pred=None, proba=None, w=None):
    """names: class labels in sorted order; yc/pred: class indexes; proba: n x k."""
    k = len(names)
    cols = [("label", [names[c] for c in yc])]
    if proba is not None:
        pcols = [f"p_{nm}" for nm in names]
        for c, nm in enumerate(pcols):
            cols.append((nm, [float(v) for v in proba[:, c]]))
        args = ["--model", "columns:" + ",".join(pcols)]
        # numpy's argmax also takes the first maximum
        pc = np.argmax(proba, axis=1)
    else:
        cols.append(("pred", [names[c] for c in pred]))
        args = ["--model", "column:pred"]
        pc = pred
    args += ["--task", "multiclass"]
    if w is not None:
        cols.append(("w", [float(v) for v in w]))
        args += ["--weight", "w"]
    got = run(binary, tmp, case, cols, args)
    if got is None:
        return
    expected, per_class, cm = multiclass_expected(yc, pc, proba, w, k)
    compare(case, got, expected)
    table = got.get("per_class") or {}
    for c, nm in enumerate(names):
        row = table.get(str(nm))
        if row is None:
            fail(case, f"per_class lacks {nm!r}")
            continue
        for key, exp in per_class[c].items():
            val = row.get(key, "missing")
            if exp is None:
                if val is not None:
                    fail(case, f"per_class[{nm}].{key} = {val!r}, expected null")
            elif not isinstance(val, (int, float)) or not close(val, exp):
                fail(case, f"per_class[{nm}].{key} = {val!r}, scikit-learn says {exp!r}")
    gcm = got.get("confusion_matrix") or {}
    if [str(v) for v in gcm.get("labels", [])] != [str(v) for v in names]:
        fail(case, f"confusion_matrix.labels = {gcm.get('labels')!r}, expected {names!r}")
    mat = gcm.get("matrix")
    if mat is None or np.shape(mat) != cm.shape or not all(
        close(float(a), float(b)) for a, b in zip(np.ravel(mat), np.ravel(cm))
    ):
        fail(case, f"confusion_matrix.matrix = {mat!r}, scikit-learn says {cm.tolist()!r}")


def tied_probabilities(rng, n, k, truth):
    """Rows of small integer counts / their sum: exact sums of 1 up to
    rounding, many tied probabilities and tied argmaxes."""
    counts = rng.integers(0, 4, size=(n, k)).astype(float)
    counts[np.arange(n), truth] += rng.integers(0, 3, size=n)
    counts[counts.sum(axis=1) == 0, 0] = 1
    return counts / counts.sum(axis=1, keepdims=True)


def multiclass_cases(binary, tmp, rng):
    n = 2500
    names = ["cat", "dog", "emu"]
    yc = rng.integers(0, 3, n)
    pred = np.where(rng.random(n) < 0.6, yc, rng.integers(0, 3, n))
    check_multiclass(binary, tmp, "multi_pred_strings", names, yc, pred=pred)
    w = np.round(rng.random(n) * 2, 2)
    check_multiclass(binary, tmp, "multi_pred_weighted", names, yc, pred=pred, w=w)

    y4 = rng.integers(0, 4, n)
    proba = tied_probabilities(rng, n, 4, y4)
    check_multiclass(binary, tmp, "multi_proba", [0, 1, 2, 3], y4, proba=proba)
    check_multiclass(binary, tmp, "multi_proba_weighted", [0, 1, 2, 3], y4, proba=proba, w=w)
    # Continuous probabilities (Dirichlet), string labels, with exact 0 and 1.
    pr = rng.dirichlet([0.7, 1.0, 1.3], n)
    pr[:5] = [1.0, 0.0, 0.0]
    check_multiclass(binary, tmp, "multi_proba_strings", ["a", "b", "c"], yc, proba=pr)

    # Undefined cases: a class that is only predicted (no rows), a class that
    # is never predicted.
    yd = rng.integers(0, 3, 300)
    pd_ = np.where(rng.random(300) < 0.1, 3, yd)
    check_multiclass(binary, tmp, "multi_class_without_rows", ["a", "b", "c", "d"], yd, pred=pd_)
    pn = np.where(yd == 2, 1, yd)
    check_multiclass(binary, tmp, "multi_class_never_predicted", ["a", "b", "c"], yd, pred=pn)


# ---- regression -------------------------------------------------------------


def regression_expected(y, p, w):
    ww = np.ones(len(y)) if w is None else w
    live = y[ww > 0]
    constant = len(y) < 2 or (live == live[0]).all()
    kw = {"sample_weight": w}
    return {
        "mae": sk(skm.mean_absolute_error, y, p, **kw),
        "mse": sk(skm.mean_squared_error, y, p, **kw),
        "rmse": sk(skm.mean_squared_error, y, p, squared=False, **kw),
        "r2": None if constant else sk(skm.r2_score, y, p, **kw),
        "mape": sk(skm.mean_absolute_percentage_error, y, p, **kw),
        "max_error": sk(skm.max_error, y, p),
        "median_absolute_error": sk(skm.median_absolute_error, y, p, **kw),
    }


def check_regression(binary, tmp, case, y, p, w=None):
    cols = [("label", [float(v) for v in y]), ("pred", [float(v) for v in p])]
    args = ["--model", "column:pred", "--task", "regression"]
    if w is not None:
        cols.append(("w", [float(v) for v in w]))
        args += ["--weight", "w"]
    got = run(binary, tmp, case, cols, args)
    if got is not None:
        compare(case, got, regression_expected(np.asarray(y), np.asarray(p), w))


def regression_cases(binary, tmp, rng):
    n = 3001
    y = rng.normal(50, 20, n)
    p = y + rng.normal(0, 5, n)
    check_regression(binary, tmp, "regression", y, p)
    check_regression(binary, tmp, "regression_even", y[:3000], p[:3000])
    w = rng.random(n) * 4
    w[::17] = 0.0
    check_regression(binary, tmp, "regression_weighted", y, p, w)
    # Unit weights on an even count: the weighted median is the lower middle
    # error (the cumulative weight reaches exactly half there), not the mean
    # of the two middle errors that the unweighted median takes.
    check_regression(binary, tmp, "regression_unit_weights", y[:3000], p[:3000], np.ones(3000))
    # Labels that are exactly zero: MAPE divides by float64 eps.
    yz = np.round(rng.normal(0, 1, 400), 1)
    check_regression(binary, tmp, "regression_zero_labels", yz, yz + rng.normal(0, 0.1, 400))
    # Undefined: constant label (R² has no variance to explain).
    check_regression(binary, tmp, "regression_constant", np.full(100, 3.0), rng.normal(3, 1, 100))
    check_regression(binary, tmp, "regression_single_row", np.array([2.0]), np.array([2.5]))


def main():
    if len(sys.argv) != 2:
        sys.exit("usage: check_metrics.py <modelgate-binary>")
    binary = sys.argv[1]
    probe = subprocess.run([binary, "evaluate", "--help"], capture_output=True, text=True)
    if probe.returncode != 0:
        sys.exit(f"check_metrics: '{binary} evaluate --help' failed: {probe.stderr.strip()}")
    rng = np.random.default_rng(20261126)
    with tempfile.TemporaryDirectory(prefix="mg-metrics-") as tmp:
        binary_cases(binary, tmp, rng)
        multiclass_cases(binary, tmp, rng)
        regression_cases(binary, tmp, rng)
    if FAILURES:
        for f in FAILURES:
            print("FAIL", f)
        sys.exit(1)
    print("check_metrics: every metric agrees with scikit-learn to 1e-9")


if __name__ == "__main__":
    main()
