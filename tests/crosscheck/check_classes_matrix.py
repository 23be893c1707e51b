"""Cross-check: a model's classes, the labels and the predictions (DESIGN §6
"Classes"), as a matrix of backends x label codings x positive label, through
`evaluate` and `compare`.

Backends: XGBoost binary:logistic, multi:softprob and multi:softmax (2 and 3
classes; XGBoost names no classes), a scikit-learn LogisticRegression pickle
through adapters/sklearn_runner.py, `column:` scores, `column:` hard classes,
`columns:` per-class probabilities. Label codings: 0/1, 1/2, -1/1, booleans,
yes/no, arbitrary strings, and a class absent from the test set. Every cell
either equals scikit-learn (accuracy, precision, recall, f1, roc_auc, pr_auc
as average_precision_score, log_loss with labels=, brier; multiclass macro
metrics) to 1e-9 (1e-6 where XGBoost's float32 outputs are involved), or is
exit 2 with the documented message.

Also: a model without feature names takes columns in file order and says so;
--features sets the order; a pandas index column is named in the count error.

Usage: /usr/bin/python3 check_classes_matrix.py <path-to-modelgate>"""
import csv
import json
import os
import pickle
import subprocess
import sys
import tempfile

import numpy as np
import pandas as pd
import sklearn.metrics as skm
import xgboost as xgb
from sklearn.linear_model import LogisticRegression

MG = sys.argv[1]
SRC = os.environ.get("MG_SOURCE_DIR", os.path.join(os.path.dirname(__file__), "..", ".."))
RUNNER = os.path.join(SRC, "adapters", "sklearn_runner.py")
TMP = tempfile.mkdtemp(prefix="mg-classes-")
FAILS = []
CELLS = {"equal": 0, "refused": 0}
NAMES = ["income", "age", "debt"]


def fail(cell, what):
    FAILS.append(f"{cell}: {what}")
    print(f"FAIL {cell}: {what}")


def run(args):
    return subprocess.run([MG, *args], capture_output=True, text=True, timeout=300)


def fmt(v):
    if isinstance(v, (bool, np.bool_)):
        return "true" if v else "false"
    if isinstance(v, (float, np.floating)):
        return repr(float(v))
    return str(v)


def write_csv(path, header, columns):
    with open(path, "w", newline="") as f:
        w = csv.writer(f)
        w.writerow(header)
        for row in zip(*columns):
            w.writerow([fmt(v) for v in row])


# ---- data and models --------------------------------------------------------

rng = np.random.default_rng(7)
N = 160
X = rng.normal(size=(N, 3))
latent = X[:, 0] - 0.7 * X[:, 1] + 0.4 * X[:, 2] + rng.normal(scale=0.8, size=N)
Y2 = (latent > 0).astype(int)                 # binary class index
Y3 = np.digitize(latent, [-0.6, 0.6])         # 3-class index


def train_xgb(y, objective, num_class=None, named=True):
    params = {"objective": objective, "max_depth": 3, "eta": 0.3, "seed": 1}
    if num_class:
        params["num_class"] = num_class
    d = xgb.DMatrix(X, label=y, feature_names=NAMES if named else None)
    return xgb.train(params, d, num_boost_round=8)


def xgb_probs(booster, objective, k):
    d = xgb.DMatrix(X, feature_names=booster.feature_names)
    if objective == "multi:softmax":
        m = booster.predict(d, output_margin=True).astype(np.float64).reshape(N, k)
        e = np.exp(m - m.max(axis=1, keepdims=True))
        return e / e.sum(axis=1, keepdims=True)
    p = booster.predict(d).astype(np.float64)
    return np.column_stack([1 - p, p]) if p.ndim == 1 else p


XGB = {}
for name, obj, y, k in [("xgb-binary-logistic", "binary:logistic", Y2, 2),
                        ("xgb-softprob-2", "multi:softprob", Y2, 2),
                        ("xgb-softmax-2", "multi:softmax", Y2, 2),
                        ("xgb-softprob-3", "multi:softprob", Y3, 3),
                        ("xgb-softmax-3", "multi:softmax", Y3, 3)]:
    b = train_xgb(y, obj, None if obj.startswith("binary") else k)
    path = os.path.join(TMP, name + ".json")
    b.save_model(path)
    P = xgb_probs(b, obj, k)
    if obj == "binary:logistic":  # the score is P(class 1): P0 = 1 - P1 exactly
        P = np.column_stack([1 - P[:, 1], P[:, 1]])
    XGB[name] = (path, P)

# ---- label codings ------------------------------------------------------------

BINARY_CODINGS = {
    "0/1": [0, 1], "1/2": [1, 2], "-1/1": [-1, 1], "bool": [False, True],
    "yes/no": ["no", "yes"], "strings": ["cat", "dog"],
}
MULTI_CODINGS = {"0/1/2": [0, 1, 2], "1/2/3": [1, 2, 3], "strings": ["ant", "bee", "cow"]}


def close(a, b, tol):
    if a is None or b is None:
        return a is None and b is None
    return abs(a - b) <= tol * max(1.0, abs(b))


def binary_reference(y, s, pred):
    """sklearn on y (1 = positive), score s and hard predictions pred; None
    where modelgate's rules make the metric null."""
    pos, neg, ppos = int(y.sum()), int((1 - y).sum()), int(pred.sum())
    return {
        "accuracy": skm.accuracy_score(y, pred),
        "precision": None if ppos == 0 else skm.precision_score(y, pred),
        "recall": None if pos == 0 else skm.recall_score(y, pred),
        "f1": None if pos == 0 and ppos == 0 else skm.f1_score(y, pred, labels=[0, 1]),
        "roc_auc": None if pos == 0 or neg == 0 else skm.roc_auc_score(y, s),
        "pr_auc": None if pos == 0 else skm.average_precision_score(y, s),
        "log_loss": skm.log_loss(y, s, labels=[0, 1]),
        "brier": skm.brier_score_loss(y, s, pos_label=1),
    }


def multi_reference(y, P, pred, classes):
    ref = {"accuracy": skm.accuracy_score(y, pred)}
    present = set(y.tolist())
    if all(c in present for c in classes):
        for m, f in [("precision_macro", skm.precision_score), ("recall_macro", skm.recall_score),
                     ("f1_macro", skm.f1_score)]:
            ref[m] = f(y, pred, average="macro", labels=classes, zero_division=0)
    else:
        ref["recall_macro"] = None  # a class with no rows: undefined, never 0
    if P is not None:
        ref["log_loss"] = skm.log_loss(y, P, labels=classes)
        if all(c in present for c in classes):
            ref["roc_auc_ovr"] = skm.roc_auc_score(y, P, multi_class="ovr", labels=classes)
    return ref


def metrics_of(cmd, out):
    doc = json.loads(out)
    return doc["new"] if cmd == "compare" else doc


def check_cell(cell, args, data, expect, tol, refusal=None, baseline=None,
               commands=("evaluate", "compare")):
    """Runs evaluate and compare (the model against itself, or against
    `baseline`) for one cell; expect: dict of metrics or None (then refusal is
    the message text stderr must hold, with exit 2)."""
    for cmd in commands:
        name = f"{cell} [{cmd}]"
        model = args[args.index("--model") + 1]
        rest = [a for i, a in enumerate(args) if a != "--model" and
                (i == 0 or args[i - 1] != "--model")]
        if cmd == "evaluate":
            argv = ["evaluate", "--model", model, "--test-data", data, "--output", "-"] + rest
        else:
            argv = ["compare", "--new", model, "--baseline", baseline or model, "--test-data", data,
                    "--output", "-"] + rest  # no bootstrap: the matrix checks values, not intervals
        r = run(argv)
        if expect is None:
            if r.returncode != 2:
                fail(name, f"exit {r.returncode}, expected 2 ({refusal}); stderr {r.stderr!r}")
            elif refusal not in r.stderr:
                fail(name, f"stderr {r.stderr.strip()!r} lacks {refusal!r}")
            elif "Segmentation" in r.stderr or r.stdout.strip():
                fail(name, "output written on a refusal")
            else:
                CELLS["refused"] += 1
            continue
        if r.returncode != 0:
            fail(name, f"exit {r.returncode}: {r.stderr.strip()}")
            continue
        got = metrics_of(cmd, r.stdout)
        bad = [f"{k} = {got.get(k)!r}, scikit-learn {v!r}" for k, v in expect.items()
               if not close(got.get(k), v, tol)]
        if bad:
            fail(name, "; ".join(bad))
        else:
            CELLS["equal"] += 1


# ---- binary ---------------------------------------------------------------------


def sklearn_model(y_coded):
    # fitted on a frame, so the pickle knows its feature names
    m = LogisticRegression(max_iter=500).fit(pd.DataFrame(X, columns=NAMES), y_coded)
    path = os.path.join(TMP, f"lr-{len(os.listdir(TMP))}.pkl")
    with open(path, "wb") as f:
        pickle.dump(m, f)
    return path, m


def binary_cells():
    for cname, codes in list(BINARY_CODINGS.items()) + [("absent (0/1, only 1s)", [0, 1])]:
        absent = cname.startswith("absent")
        rows = np.flatnonzero(Y2 == 1) if absent else np.arange(N)
        yidx = Y2[rows]
        labels = np.array(codes, dtype=object)[yidx]
        Xr = X[rows]
        base = os.path.join(TMP, f"bin-{len(os.listdir(TMP))}")
        numeric = not isinstance(codes[0], str)
        by_index = numeric and set(codes) <= {0, 1} or isinstance(codes[0], bool)
        classes_flag = ["--classes=" + ",".join(fmt(c) for c in codes)]

        # model outputs: P(index 1) per backend
        backends = {}
        for name in ("xgb-binary-logistic", "xgb-softprob-2", "xgb-softmax-2"):
            path, P = XGB[name]
            backends[name] = ("model", path, P[rows], 1e-6)
        lr_path, lr = sklearn_model(np.array(codes, dtype=object if not numeric else None)[Y2]
                                    if not isinstance(codes[0], bool)
                                    else np.array(codes)[Y2])
        backends["sklearn-runner"] = ("model", f"cmd:/usr/bin/python3 {RUNNER} {lr_path}",
                                      lr.predict_proba(pd.DataFrame(Xr, columns=NAMES)), 1e-9)
        Pxgb = XGB["xgb-binary-logistic"][1][rows]
        hard = (Pxgb[:, 1] > 0.5).astype(int)
        data = base + ".csv"
        write_csv(data, NAMES + ["label", "score", "pred", f"p_{fmt(codes[0])}", f"p_{fmt(codes[1])}"],
                  [Xr[:, 0], Xr[:, 1], Xr[:, 2], labels, Pxgb[:, 1],
                   np.array(codes, dtype=object)[hard], Pxgb[:, 0], Pxgb[:, 1]])

        for pos_idx, pos_name in ((1, "default"), (0, "other")):
            pos_args = [] if pos_name == "default" else ["--positive-label", fmt(codes[0])]
            y = (yidx == pos_idx).astype(int)
            for bname, (_, arg, P, tol) in backends.items():
                s = P[:, pos_idx]
                ref = binary_reference(y, s, (s > 0.5).astype(int))
                cell = f"binary {bname} x {cname} x positive {pos_name}"
                if bname.startswith("xgb") and not by_index:
                    if numeric:
                        bad = next(fmt(c) for c in codes if c not in (0, 1))
                        msg = f"holds label '{bad}', which is not a class of model {arg}"
                    else:
                        msg = (f"model {arg} names no classes (its outputs are classes 0..1 by "
                               f"index) and column 'label' holds text labels")
                    check_cell(cell, ["--model", arg] + pos_args, data, None, tol, msg)
                    check_cell(cell + " --classes", ["--model", arg] + pos_args + classes_flag,
                               data, ref, tol)
                elif bname == "sklearn-runner":
                    # a runner starts in seconds: compare it once per coding, against
                    # the per-class probability columns as its baseline
                    check_cell(cell, ["--model", arg] + pos_args, data, ref, tol,
                               baseline=f"columns:p_{fmt(codes[0])},p_{fmt(codes[1])}",
                               commands=("evaluate", "compare") if pos_name == "default"
                               else ("evaluate",))
                else:
                    check_cell(cell, ["--model", arg] + pos_args, data, ref, tol)
            # column: scores are P(the positive label); columns: P per class
            s_col = Pxgb[:, 1] if pos_idx == 1 else Pxgb[:, 1]
            check_cell(f"binary column:score x {cname} x positive {pos_name}",
                       ["--model", "column:score"] + pos_args, data,
                       binary_reference(y, s_col, (s_col > 0.5).astype(int)), 1e-9)
            s_cols = Pxgb[:, pos_idx]
            check_cell(f"binary columns:p_* x {cname} x positive {pos_name}",
                       ["--model", f"columns:p_{fmt(codes[0])},p_{fmt(codes[1])}"] + pos_args,
                       data, binary_reference(y, s_cols, (s_cols > 0.5).astype(int)), 1e-9)
            hp = (hard == pos_idx).astype(int)
            check_cell(f"binary column:pred (hard classes) x {cname} x positive {pos_name}",
                       ["--model", "column:pred"] + pos_args, data,
                       binary_reference(y, hp.astype(float), hp), 1e-9)

        if absent:
            continue
        # hard predictions that are not label values: refused, naming the row
        bad_pred = np.array(codes, dtype=object)[hard].copy()
        wrong = {"0/1": 3, "1/2": 3, "-1/1": 2, "bool": "maybe", "yes/no": "Yes",
                 "strings": "bird"}[cname]
        if cname == "yes/no":
            bad_pred[bad_pred == "yes"] = "Yes"
            first = int(np.flatnonzero(bad_pred == "Yes")[0]) + 1
        else:
            bad_pred[4] = wrong
            first = 5
        bad_data = base + "-badpred.csv"
        write_csv(bad_data, ["label", "pred"], [labels, bad_pred])
        shown = f"'{wrong}'" if isinstance(wrong, str) else str(wrong)
        check_cell(f"binary column:pred x {cname} x a prediction that is no label",
                   ["--model", "column:pred"], bad_data, None, 0,
                   f"row {first}, column 'pred': predicted class {shown} is not a value of label "
                   f"column 'label'")

    # a runner trained on other labels: its classes are not the labels
    lr_path, _ = sklearn_model(np.array(["bad", "good"], dtype=object)[Y2])
    data = os.path.join(TMP, "yesno.csv")
    write_csv(data, NAMES + ["label"], [X[:, 0], X[:, 1], X[:, 2],
                                        np.array(["no", "yes"], dtype=object)[Y2]])
    arg = f"cmd:/usr/bin/python3 {RUNNER} {lr_path}"
    check_cell("binary sklearn-runner(bad/good) x yes/no", ["--model", arg], data, None, 0,
               f"holds label 'no', which is not a class of model {arg} (labels: no, yes; the "
               f"model's classes: bad, good)")


# ---- multiclass -------------------------------------------------------------------


def multi_cells():
    for cname, codes in list(MULTI_CODINGS.items()) + [("absent (0/1/2, no 2s)", [0, 1, 2])]:
        absent = cname.startswith("absent")
        rows = np.flatnonzero(Y3 != 2) if absent else np.arange(N)
        yidx = Y3[rows]
        codes_arr = np.array(codes, dtype=object)
        labels = codes_arr[yidx]
        Xr = X[rows]
        numeric = not isinstance(codes[0], str)
        by_index = numeric and codes == [0, 1, 2]
        base = os.path.join(TMP, f"multi-{len(os.listdir(TMP))}")
        backends = {}
        for name in ("xgb-softprob-3", "xgb-softmax-3"):
            path, P = XGB[name]
            backends[name] = (path, P[rows], 1e-6)
        lr_path, lr = sklearn_model(codes_arr[Y3] if not numeric else np.array(codes)[Y3])
        backends["sklearn-runner"] = (f"cmd:/usr/bin/python3 {RUNNER} {lr_path}",
                                      lr.predict_proba(pd.DataFrame(Xr, columns=NAMES)), 1e-9)
        Pcols = XGB["xgb-softprob-3"][1][rows]
        hard = Pcols.argmax(axis=1)
        data = base + ".csv"
        pcols = [f"p_{fmt(c)}" for c in codes]
        write_csv(data, NAMES + ["label", "pred"] + pcols,
                  [Xr[:, 0], Xr[:, 1], Xr[:, 2], labels, codes_arr[hard]] +
                  [Pcols[:, c] for c in range(3)])
        classes = [0, 1, 2]
        for bname, (arg, P, tol) in backends.items():
            ref = multi_reference(yidx, P, P.argmax(axis=1), classes)
            cell = f"multiclass {bname} x {cname}"
            if bname.startswith("xgb") and not by_index:
                msg = (f"holds label '3', which is not a class of model {arg}" if numeric else
                       f"model {arg} names no classes (its outputs are classes 0..2 by index)")
                check_cell(cell, ["--model", arg], data, None, tol, msg)
                check_cell(cell + " --classes",
                           ["--model", arg, "--classes=" + ",".join(fmt(c) for c in codes)],
                           data, ref, tol)
            elif bname == "sklearn-runner":
                check_cell(cell, ["--model", arg], data, ref, tol,
                           baseline="columns:" + ",".join(pcols))
            else:
                check_cell(cell, ["--model", arg], data, ref, tol)
        # columns: in shuffled order; names after p_ are the classes
        check_cell(f"multiclass columns:p_* x {cname}",
                   ["--model", f"columns:{pcols[2]},{pcols[0]},{pcols[1]}"], data,
                   multi_reference(yidx, Pcols, hard, classes), 1e-9)
        present = sorted(set(yidx.tolist()) | set(hard.tolist()))
        check_cell(f"multiclass column:pred (hard classes) x {cname}",
                   ["--model", "column:pred", "--task", "multiclass"], data,
                   multi_reference(yidx, None, hard, present), 1e-9)


# ---- features by position ------------------------------------------------------------


def feature_cells():
    b = train_xgb(Y2, "binary:logistic", named=False)
    path = os.path.join(TMP, "unnamed.json")
    b.save_model(path)
    p = b.predict(xgb.DMatrix(X)).astype(np.float64)
    ref = binary_reference(Y2, p, (p > 0.5).astype(int))
    data = os.path.join(TMP, "feat.csv")
    write_csv(data, ["income", "age", "debt", "label"], [X[:, 0], X[:, 1], X[:, 2], Y2])
    r = run(["evaluate", "--model", path, "--test-data", data, "--output", "-"])
    note = "model has no feature names; columns income, age, debt taken in file order"
    if r.returncode != 0 or note not in r.stderr:
        fail("features in file order", f"exit {r.returncode}, stderr {r.stderr!r}")
    else:
        got = json.loads(r.stdout)
        bad = [k for k, v in ref.items() if not close(got.get(k), v, 1e-6)]
        if bad:
            fail("features in file order", f"metrics differ: {bad}")
        else:
            CELLS["equal"] += 1
    # swapped columns: --features restores the model's order
    swapped = os.path.join(TMP, "feat-swapped.csv")
    write_csv(swapped, ["age", "income", "debt", "label"], [X[:, 1], X[:, 0], X[:, 2], Y2])
    r = run(["evaluate", "--model", path, "--test-data", swapped, "--output", "-",
             "--features", "income,age,debt"])
    note = "model has no feature names; columns income, age, debt taken in the order of --features"
    if r.returncode != 0 or note not in r.stderr:
        fail("--features", f"exit {r.returncode}, stderr {r.stderr!r}")
    else:
        got = json.loads(r.stdout)
        bad = [k for k, v in ref.items() if not close(got.get(k), v, 1e-6)]
        if bad:
            fail("--features", f"metrics differ: {bad}")
        else:
            CELLS["equal"] += 1
    # a pandas index column makes one feature too many: named in the error
    indexed = os.path.join(TMP, "feat-index.csv")
    write_csv(indexed, ["Unnamed: 0", "income", "age", "debt", "label"],
              [np.arange(N), X[:, 0], X[:, 1], X[:, 2], Y2])
    r = run(["evaluate", "--model", path, "--test-data", indexed, "--output", "-"])
    msg = ("expects 3 features but the test data has 4 feature columns (all but label, protected "
           "attributes, weight, id and --ignore); column 'Unnamed: 0' looks like a pandas index "
           "written with the data: list it in --ignore")
    if r.returncode != 2 or msg not in r.stderr:
        fail("pandas index column", f"exit {r.returncode}, stderr {r.stderr!r}")
    else:
        CELLS["refused"] += 1


binary_cells()
multi_cells()
feature_cells()
total = CELLS["equal"] + CELLS["refused"] + len(FAILS)
print(f"{total} cells: {CELLS['equal']} equal, {CELLS['refused']} refused as documented"
      + (f", {len(FAILS)} FAILED" if FAILS else ""))
sys.exit(1 if FAILS else 0)
