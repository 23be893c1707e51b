"""Cross-check: models trained here with python3-xgboost (1.7) are predicted by
`modelgate predict` and by xgboost itself; every output agrees to 1e-6 for the
JSON, UBJSON and legacy binary files. Models as XGBoost 2 writes them, missing
features and string features are refused with exit 2.

Usage: /usr/bin/python3 check_xgboost.py <path-to-modelgate>"""
import csv
import os
import subprocess
import sys
import tempfile

import numpy as np
import xgboost as xgb

MG = sys.argv[1]
TMP = tempfile.mkdtemp(prefix="mg-xgb-")
FAILS = []


def check(cond, what):
    if not cond:
        FAILS.append(what)
        print("FAIL:", what)


def run(*args):
    return subprocess.run([MG, *args], capture_output=True, text=True)


def write_csv(path, header, columns):
    with open(path, "w", newline="") as f:
        w = csv.writer(f)
        w.writerow(header)
        for row in zip(*columns):
            w.writerow(["" if isinstance(v, float) and np.isnan(v) else
                        (repr(float(v)) if isinstance(v, (float, np.floating)) else v)
                        for v in row])


def read_preds(path):
    with open(path, newline="") as f:
        rows = list(csv.reader(f))
    return rows[0], np.array([[float(x) for x in r] for r in rows[1:]])


rng = np.random.default_rng(20240611)
N, F = 400, 5
X = rng.normal(size=(N, F))
X[:, 3] = np.round(X[:, 3] * 3)  # a few ties
X[rng.random((N, F)) < 0.1] = np.nan  # missing values
logit = X[:, 0] - 0.5 * np.nan_to_num(X[:, 1]) + 0.3 * np.nan_to_num(X[:, 2])
y_bin = (np.nan_to_num(logit) + rng.normal(scale=0.5, size=N) > 0).astype(int)
y_multi = np.digitize(np.nan_to_num(logit), [-0.5, 0.5])
y_reg = np.nan_to_num(logit) * 3 + rng.normal(size=N)
NAMES = ["income", "debt", "years", "accounts", "util"]
GROUP = rng.choice(["a", "b"], size=N)

# Test data: named columns (shuffled order, plus a label and a string column
# to ignore) and unnamed columns in the model's order.
named_csv = os.path.join(TMP, "named.csv")
order = [4, 2, 0, 3, 1]
write_csv(named_csv, ["label", "group"] + [NAMES[i] for i in order],
          [y_bin, GROUP] + [X[:, i] for i in order])
plain_csv = os.path.join(TMP, "plain.csv")
write_csv(plain_csv, ["label"] + ["c%d" % i for i in range(F)], [y_bin] + [X[:, i] for i in range(F)])


def softmax(z):
    z = z - z.max(axis=1, keepdims=True)
    e = np.exp(z)
    return e / e.sum(axis=1, keepdims=True)


def reference(booster, objective):
    if objective == "multi:softmax":
        return softmax(booster.inplace_predict(X, predict_type="margin").astype(np.float64))
    if objective == "binary:logitraw":
        return (1 / (1 + np.exp(-booster.inplace_predict(X).astype(np.float64)))).reshape(N, 1)
    out = booster.inplace_predict(X).astype(np.float64)
    return out.reshape(N, -1)


CASES = [
    ("binary:logistic", y_bin, {}),
    ("binary:logitraw", y_bin, {}),
    ("multi:softprob", y_multi, {"num_class": 3}),
    ("multi:softmax", y_multi, {"num_class": 3}),
    ("reg:squarederror", y_reg, {}),
    ("reg:gamma", np.abs(y_reg) + 0.1, {}),
]
EXPECTED_HEADER = {"binary:logistic": ["score"], "binary:logitraw": ["score"],
                   "multi:softprob": ["p_0", "p_1", "p_2"], "multi:softmax": ["p_0", "p_1", "p_2"],
                   "reg:squarederror": ["prediction"], "reg:gamma": ["prediction"]}

for objective, y, extra in CASES:
    for named in (True, False):
        d = xgb.DMatrix(X, label=y, feature_names=NAMES if named else None)
        params = {"objective": objective, "max_depth": 4, "eta": 0.3, "seed": 1, "nthread": 1,
                  **extra}
        booster = xgb.train(params, d, num_boost_round=15)
        ref = reference(booster, objective)
        base = os.path.join(TMP, "%s-%s" % (objective.replace(":", "_"), named))
        for ext in ("json", "ubj", "bin"):
            path = base + "." + ext
            booster.save_model(path)
            out = path + ".preds.csv"
            # The legacy binary format keeps no feature names: columns go by order.
            by_name = named and ext != "bin"
            data = named_csv if by_name else plain_csv
            args = ["predict", "--model", path, "--test-data", data, "--output", out]
            if by_name:
                args += ["--ignore", "group"]
            r = run(*args)
            what = "%s named=%s .%s" % (objective, named, ext)
            check(r.returncode == 0, "%s: exit %d: %s" % (what, r.returncode, r.stderr.strip()))
            if r.returncode != 0:
                continue
            header, got = read_preds(out)
            check(header == EXPECTED_HEADER[objective], "%s: header %s" % (what, header))
            check(got.shape == ref.shape, "%s: shape %s vs %s" % (what, got.shape, ref.shape))
            if got.shape == ref.shape:
                err = np.max(np.abs(got - ref))
                check(err <= 1e-6, "%s: max abs difference %g" % (what, err))
            if objective == "multi:softmax" and got.shape == ref.shape:
                cls = booster.predict(xgb.DMatrix(X, feature_names=NAMES if named else None))
                check(np.array_equal(got.argmax(axis=1), cls.astype(int)),
                      "%s: argmax differs from xgboost's class" % what)

# One thread and many threads, small batches and one batch: the same numbers.
model = os.path.join(TMP, "binary_logistic-True.json")
outs = []
for extra in (["--threads", "1", "--batch-size", "7"], ["--threads", "4"]):
    out = os.path.join(TMP, "threads%d.csv" % len(outs))
    r = run("predict", "--model", model, "--test-data", named_csv, "--ignore", "group",
            "--output", out, *extra)
    check(r.returncode == 0, "threads run: " + r.stderr)
    outs.append(open(out).read() if r.returncode == 0 else None)
check(outs[0] is not None and outs[0] == outs[1], "threads/batches change the predictions")


def refused(path, needle, what, data=named_csv, extra=("--ignore", "group")):
    r = run("predict", "--model", path, "--test-data", data, "--output",
            os.path.join(TMP, "never.csv"), *extra)
    last = r.stderr.strip().splitlines()[-1] if r.stderr.strip() else ""
    check(r.returncode == 2, "%s: exit %d (%s)" % (what, r.returncode, last))
    check(needle in last, "%s: message %r lacks %r" % (what, last, needle))
    check(not os.path.exists(os.path.join(TMP, "never.csv")), "%s: wrote output" % what)


# XGBoost 2.x writes version [2, x, y] and base_score as a list.
src = open(model).read()
assert '"version":[1,7,4]' in src and '"base_score":"5E-1"' in src, "unexpected 1.7 JSON layout"
v2 = os.path.join(TMP, "v2.json")
open(v2, "w").write(src.replace('"version":[1,7,4]', '"version":[2,0,0]')
                    .replace('"base_score":"5E-1"', '"base_score":"[5E-1]"'))
refused(v2, "written by XGBoost 2.0.0", "2.x JSON")
listonly = os.path.join(TMP, "list.json")
open(listonly, "w").write(src.replace('"base_score":"5E-1"', '"base_score":"[5E-1]"'))
refused(listonly, "base_score is a list", "list-valued base_score")
ubj = open(model[:-4] + "ubj", "rb").read()
marker = b"version[#L" + (3).to_bytes(8, "big") + b"i\x01i\x07i\x04"
assert marker in ubj, "unexpected 1.7 UBJ layout"
v2u = os.path.join(TMP, "v2.ubj")
open(v2u, "wb").write(ubj.replace(marker, marker[:-6] + b"i\x02i\x01i\x00"))
refused(v2u, "written by XGBoost 2.1.0", "2.x UBJ")
binf = bytearray(open(model[:-4] + "bin", "rb").read())
start = 4 if binf[:4] == b"binf" else 0
assert binf[start + 20:start + 24] == (1).to_bytes(4, "little"), "unexpected binary layout"
binf[start + 20:start + 24] = (2).to_bytes(4, "little")
v2b = os.path.join(TMP, "v2.bin")
open(v2b, "wb").write(bytes(binf))
refused(v2b, "written by XGBoost 2.", "2.x binary")

# Feature matching errors.
refused(model, "needs feature 'income'", "missing feature",
        data=plain_csv, extra=())
refused(os.path.join(TMP, "binary_logistic-False.json"), "column 'group' holds strings",
        "string feature", data=named_csv, extra=("--ignore", "util"))
refused(os.path.join(TMP, "binary_logistic-False.json"), "expects 5 features", "count mismatch",
        data=named_csv, extra=("--ignore", "group,util"))
notmodel = os.path.join(TMP, "notes.txt")
open(notmodel, "w").write("hello\n")
refused(notmodel, "not a model format modelgate reads", "not a model")
truncated = os.path.join(TMP, "truncated.json")
open(truncated, "w").write(src[: len(src) // 2])
refused(truncated, "truncated.json", "truncated JSON")

# The bundled example's model on the bundled test data.
SRC = os.environ.get("MG_SOURCE_DIR") or os.path.join(os.path.dirname(__file__), "..", "..")
example = os.path.join(SRC, "examples", "models", "model.json")
example_data = os.path.join(SRC, "examples", "data", "test.csv")
out = os.path.join(TMP, "example.csv")
r = run("predict", "--model", example, "--test-data", example_data, "--output", out)
check(r.returncode == 0, "example model: " + r.stderr)
if r.returncode == 0:
    booster = xgb.Booster(model_file=example)
    with open(example_data, newline="") as f:
        rows = list(csv.DictReader(f))
    EX = np.array([[float(row[c]) if row[c] != "" else np.nan for c in booster.feature_names]
                   for row in rows])
    want = booster.inplace_predict(EX).astype(np.float64)
    _, got = read_preds(out)
    check(got.shape == (len(rows), 1) and np.max(np.abs(got[:, 0] - want)) <= 1e-6,
          "example model differs from xgboost")
    # End to end: evaluate runs the model itself; its metrics are scikit-learn's
    # on xgboost's own predictions.
    import json
    from sklearn.metrics import accuracy_score, roc_auc_score
    r = run("evaluate", "--model", example, "--test-data", example_data, "--ignore", "score",
            "--protected-attributes", "gender,age_group", "--output", "-")
    check(r.returncode in (0, 1), "evaluate with the example model: " + r.stderr)
    if r.returncode in (0, 1):
        metrics = json.loads(r.stdout)
        y = np.array([int(row["label"]) for row in rows])
        p = want.astype(np.float32).astype(np.float64)
        check(abs(metrics["accuracy"] - accuracy_score(y, p > 0.5)) < 1e-12,
              "evaluate accuracy %r" % metrics["accuracy"])
        check(abs(metrics["roc_auc"] - roc_auc_score(y, p)) < 1e-9,
              "evaluate roc_auc %r" % metrics["roc_auc"])

if FAILS:
    print("%d failure(s)" % len(FAILS))
    sys.exit(1)
print("check_xgboost: all cases agree")
