"""Cross-check: modelgate's built-in ONNX interpreter against ONNX Runtime.

Every fixture in tests/data/models/onnx (built by tests/fixtures/onnx/
make_fixtures.py with onnx.helper) must pass onnx.checker, and `modelgate
predict` must reproduce the outputs ONNX Runtime (onnxruntime-node) gave for it,
committed in expected.json, to 1e-6. Then hand-computed edge cases built here
(tree modes on ties, NaN routing, MIN/MAX/AVERAGE, the binary-class rules) and
the refusals: an unknown operator (exit 2 naming it and its node), external
tensor data, a truncated file, a missing named column.

Usage: /usr/bin/python3 check_onnx.py <path-to-modelgate>"""
import csv
import json
import math
import os
import subprocess
import sys
import tempfile

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper

MG = sys.argv[1]
SRC = os.environ.get("MG_SOURCE_DIR", os.path.join(os.path.dirname(__file__), "..", ".."))
DIR = os.path.join(SRC, "tests", "data", "models", "onnx")
TMP = tempfile.mkdtemp(prefix="mg-onnx-")
FAILS = []
ML = "ai.onnx.ml"


def check(cond, what):
    if not cond:
        FAILS.append(what)
        print("FAIL:", what)


def run(*args):
    return subprocess.run([MG, *args], capture_output=True, text=True)


def predict(model, data, *extra):
    out = os.path.join(TMP, "preds.csv")
    r = run("predict", "--model", model, "--test-data", data, "--output", out, *extra)
    if r.returncode != 0:
        return r, None, None
    with open(out, newline="") as f:
        rows = list(csv.reader(f))
    return r, rows[0], np.array([[float(x) if x != "" else math.nan for x in row] for row in rows[1:]])


# ---- fixtures against ONNX Runtime ---------------------------------------------------------

manifest = json.load(open(os.path.join(DIR, "manifest.json")))
expected = json.load(open(os.path.join(DIR, "expected.json")))
check(len(manifest) >= 20, "the manifest lists the fixtures")
for fx in manifest:
    name = fx["name"]
    path = os.path.join(DIR, name + ".onnx")
    model = onnx.load(path)
    try:
        onnx.checker.check_model(model)
        if fx["full_check"]:
            onnx.checker.check_model(model, full_check=True)
    except Exception as e:  # noqa: BLE001 - any checker complaint fails the fixture
        check(False, "%s: onnx.checker refuses it: %s" % (name, e))
    exp = expected[name]
    ref = np.array([math.nan if v is None else v for v in exp["values"]]).reshape(exp["dims"])
    r, header, got = predict(path, os.path.join(DIR, name + ".csv"))
    if got is None:
        check(False, "%s: modelgate predict failed: %s" % (name, r.stderr.strip()))
        continue
    if header == ["score"]:
        want = ref[:, 1:2]
    elif header[0].startswith("p_"):
        want = ref
    else:
        want = ref.reshape(len(ref), -1)[:, :1]
    if got.shape != want.shape:
        check(False, "%s: shape %s, ONNX Runtime %s (header %s)" % (name, got.shape, want.shape, header))
        continue
    err = np.nanmax(np.abs(got - want)) if got.size else 0.0
    same_nan = np.array_equal(np.isnan(got), np.isnan(want))
    check(err <= 1e-6 and same_nan, "%s: max |modelgate - ONNX Runtime| = %g (%s)" % (name, err, fx["note"]))
    # 1 thread and many threads, small and large batches give identical numbers
    r2, _, got2 = predict(path, os.path.join(DIR, name + ".csv"), "--threads", "1", "--batch-size", "7")
    check(got2 is not None and np.array_equal(np.nan_to_num(got2, nan=-9), np.nan_to_num(got, nan=-9)),
          "%s: threads/batches change the predictions" % name)

# Class names come from the classifier's labels.
r, header, _ = predict(os.path.join(DIR, "tree_multi_softmax.onnx"), os.path.join(DIR, "tree_multi_softmax.csv"))
check(header == ["p_setosa", "p_versicolor", "p_virginica"], "classlabels_strings name the columns: %s" % header)
r, header, _ = predict(os.path.join(DIR, "tree_multi_softmax_zero.onnx"), os.path.join(DIR, "tree_multi_softmax_zero.csv"))
check(header == ["p_3", "p_5", "p_7"], "classlabels_int64s name the columns: %s" % header)


# ---- hand-computed edge cases ----------------------------------------------------------------

def save(graph, name, core=17, ml=3):
    m = helper.make_model(graph, opset_imports=[helper.make_opsetid("", core), helper.make_opsetid(ML, ml)])
    m.ir_version = 8
    onnx.checker.check_model(m)
    p = os.path.join(TMP, name + ".onnx")
    onnx.save(m, p)
    return p


def data(name, header, rows):
    p = os.path.join(TMP, name + ".csv")
    with open(p, "w") as f:
        f.write(",".join(header) + "\n")
        for row in rows:
            f.write(",".join("" if isinstance(v, float) and math.isnan(v) else repr(v) for v in row) + "\n")
    return p


X2 = helper.make_tensor_value_info("X", TensorProto.FLOAT, [None, 2])


def stump(mode, thr, missing=0, agg="SUM", base=None, extra_tree=False):
    """x0 MODE thr ? 1.0 : 2.0 (+ optional second tree: always 10)."""
    attrs = dict(nodes_treeids=[0, 0, 0], nodes_nodeids=[0, 1, 2], nodes_featureids=[0, 0, 0],
                 nodes_modes=[mode, "LEAF", "LEAF"], nodes_values=[thr, 0.0, 0.0],
                 nodes_truenodeids=[1, 0, 0], nodes_falsenodeids=[2, 0, 0],
                 nodes_missing_value_tracks_true=[missing, 0, 0],
                 target_treeids=[0, 0], target_nodeids=[1, 2], target_ids=[0, 0], target_weights=[1.0, 2.0],
                 n_targets=1, aggregate_function=agg)
    if extra_tree:
        for k in ("nodes_treeids",):
            attrs[k] = attrs[k] + [1]
        attrs["nodes_nodeids"] += [0]
        attrs["nodes_featureids"] += [0]
        attrs["nodes_modes"] += ["LEAF"]
        attrs["nodes_values"] += [0.0]
        attrs["nodes_truenodeids"] += [0]
        attrs["nodes_falsenodeids"] += [0]
        attrs["nodes_missing_value_tracks_true"] += [0]
        attrs["target_treeids"] += [1]
        attrs["target_nodeids"] += [0]
        attrs["target_ids"] += [0]
        attrs["target_weights"] += [10.0]
    if base is not None:
        attrs["base_values"] = base
    node = helper.make_node("TreeEnsembleRegressor", ["X"], ["y"], name="stump", domain=ML, **attrs)
    return helper.make_graph([node], "stump", [X2], [helper.make_tensor_value_info("y", TensorProto.FLOAT, [None, 1])])


rows = [[0.5, 0.0], [1.0, 0.0], [1.5, 0.0], [math.nan, 0.0]]
d = data("stump", ["a", "b"], rows)
# x0 against threshold 1.0 on [0.5, 1.0 (tie), 1.5, NaN]; NaN compares false except !=.
cases = {
    "BRANCH_LEQ": [1, 1, 2, 2], "BRANCH_LT": [1, 2, 2, 2], "BRANCH_GTE": [2, 1, 1, 2],
    "BRANCH_GT": [2, 2, 1, 2], "BRANCH_EQ": [2, 1, 2, 2], "BRANCH_NEQ": [1, 2, 1, 1],
}
for mode, want in cases.items():
    _, _, got = predict(save(stump(mode, 1.0), "stump_" + mode), d)
    check(got is not None and got[:, 0].tolist() == want, "%s on a tie and NaN: %s, want %s" %
          (mode, None if got is None else got[:, 0].tolist(), want))
_, _, got = predict(save(stump("BRANCH_LEQ", 1.0, missing=1), "stump_missing"), d)
check(got is not None and got[:, 0].tolist() == [1, 1, 2, 1], "missing_value_tracks_true sends NaN to the true branch")
# Aggregation over two trees (leaf 1 or 2, and 10) with base value 0.5.
for agg, want in {"SUM": [11.5, 12.5], "AVERAGE": [6.0, 6.5], "MIN": [1.5, 2.5], "MAX": [10.5, 10.5]}.items():
    _, _, got = predict(save(stump("BRANCH_LEQ", 1.0, agg=agg, base=[0.5], extra_tree=True), "agg_" + agg),
                        data("agg", ["a", "b"], [[0.0, 0.0], [2.0, 0.0]]))
    check(got is not None and got[:, 0].tolist() == want, "%s aggregation: %s, want %s" %
          (agg, None if got is None else got[:, 0].tolist(), want))
# Thresholds compare in float32: 0.1 as a float input equals the float32 threshold 0.1.
_, _, got = predict(save(stump("BRANCH_EQ", 0.1), "stump_f32"), data("f32", ["a", "b"], [[0.1, 0.0]]))
check(got is not None and got[0, 0] == 1, "float32 rounding of inputs against thresholds")


def binary_gb(weights, post, base):
    attrs = dict(nodes_treeids=[0, 0, 0], nodes_nodeids=[0, 1, 2], nodes_featureids=[0, 0, 0],
                 nodes_modes=["BRANCH_LEQ", "LEAF", "LEAF"], nodes_values=[0.0, 0.0, 0.0],
                 nodes_truenodeids=[1, 0, 0], nodes_falsenodeids=[2, 0, 0],
                 class_treeids=[0, 0], class_nodeids=[1, 2], class_ids=[0, 0], class_weights=weights,
                 classlabels_int64s=[0, 1], post_transform=post)
    if base is not None:
        attrs["base_values"] = base
    node = helper.make_node("TreeEnsembleClassifier", ["X"], ["label", "prob"], name="gb", domain=ML, **attrs)
    return helper.make_graph([node], "gb", [X2], [helper.make_tensor_value_info("label", TensorProto.INT64, [None]),
                                                 helper.make_tensor_value_info("prob", TensorProto.FLOAT, [None, 2])])


d2 = data("gb", ["a", "b"], [[-1.0, 0.0], [1.0, 0.0]])
sig = lambda z: 1 / (1 + math.exp(-z))  # noqa: E731
# Mixed signs, one base value, LOGISTIC: P(class 1) = sigmoid(w + base).
_, h, got = predict(save(binary_gb([-0.4, 0.9], "LOGISTIC", [0.1]), "gb_logistic"), d2)
check(got is not None and h == ["score"] and np.allclose(got[:, 0], [sig(-0.3), sig(1.0)], atol=1e-7),
      "binary LOGISTIC with one class weighted: %s" % (None if got is None else got[:, 0]))
# Positive weights, no base: scores are [1 - s, s].
_, _, got = predict(save(binary_gb([0.25, 0.75], "NONE", None), "gb_positive"), d2)
check(got is not None and np.allclose(got[:, 0], [0.25, 0.75], atol=1e-7), "binary positive weights: [1-s, s]")


# ---- evaluate, compare and benchmark take .onnx models ---------------------------------------
# Metrics from modelgate on an ONNX model equal scikit-learn's on ONNX Runtime's outputs.
from sklearn.metrics import accuracy_score, log_loss, mean_absolute_error, roc_auc_score  # noqa: E402


def labelled(name, labels):
    """The fixture's test data with a label column drawn at random from `labels`."""
    lrng = np.random.default_rng(7)
    with open(os.path.join(DIR, name + ".csv"), newline="") as f:
        rows = list(csv.reader(f))
    ys = [labels[int(i)] for i in lrng.integers(0, len(labels), size=len(rows) - 1)]
    p = os.path.join(TMP, name + "_labelled.csv")
    with open(p, "w", newline="") as f:
        w = csv.writer(f, lineterminator="\n")
        w.writerow(rows[0] + ["label"])
        for r, y in zip(rows[1:], ys):
            w.writerow(r + [y])
    return p, ys


def ort(name):
    e = expected[name]
    return np.array(e["values"], dtype=float).reshape(e["dims"])


def metrics(model, data, *extra):
    out = os.path.join(TMP, "metrics.json")
    r = run("evaluate", "--model", os.path.join(DIR, model + ".onnx"), "--test-data", data, "--output", out, *extra)
    check(r.returncode == 0, "evaluate %s: exit %d %s" % (model, r.returncode, r.stderr.strip()))
    return json.load(open(out)) if r.returncode == 0 else {}


classes = ["setosa", "versicolor", "virginica"]
data_mc, y_mc = labelled("tree_multi_softmax", classes)
m = metrics("tree_multi_softmax", data_mc)
p_mc = ort("tree_multi_softmax")
check(m.get("task") == "multiclass", "evaluate: a 3-class ONNX classifier is multiclass")
check(abs(m.get("accuracy", -1) - accuracy_score(y_mc, [classes[i] for i in p_mc.argmax(1)])) < 1e-12,
      "evaluate accuracy on ONNX = scikit-learn on ONNX Runtime's probabilities")
check(abs(m.get("log_loss", -1) - log_loss(y_mc, p_mc / p_mc.sum(1, keepdims=True), labels=classes)) < 1e-6,
      "evaluate log_loss on ONNX = scikit-learn on ONNX Runtime's probabilities")

data_bin, y_bin = labelled("tree_binary_gb_logistic", ["no", "yes"])
m = metrics("tree_binary_gb_logistic", data_bin, "--positive-label", "yes")
p_bin = ort("tree_binary_gb_logistic")[:, 1]
check(m.get("task") == "binary", "evaluate: a 2-class ONNX classifier is binary")
check(abs(m.get("roc_auc", -1) - roc_auc_score([y == "yes" for y in y_bin], p_bin)) < 1e-9,
      "evaluate roc_auc on ONNX = scikit-learn on ONNX Runtime's P(yes)")

with open(os.path.join(DIR, "tree_reg_sum.csv"), newline="") as f:
    reg_rows = list(csv.reader(f))
y_reg = np.linspace(-2, 2, len(reg_rows) - 1)
data_reg = os.path.join(TMP, "reg_labelled.csv")
with open(data_reg, "w", newline="") as f:
    w = csv.writer(f, lineterminator="\n")
    w.writerow(reg_rows[0] + ["label"])
    for r, y in zip(reg_rows[1:], y_reg):
        w.writerow(r + [repr(float(y))])
m = metrics("tree_reg_sum", data_reg)
check(m.get("task") == "regression" and
      abs(m.get("mae", -1) - mean_absolute_error(y_reg, ort("tree_reg_sum")[:, 0])) < 1e-6,
      "evaluate mae on an ONNX regressor = scikit-learn on ONNX Runtime's values")

# compare: two ONNX models on the same rows; its per-model metrics equal evaluate's.
out = os.path.join(TMP, "comparison.json")
# A baseline whose classes are 0/1 cannot score labels no/yes: exit 2 naming both.
r = run("compare", "--new", os.path.join(DIR, "tree_binary_gb_logistic.onnx"),
        "--baseline", os.path.join(DIR, "tree_binary_base2.onnx"), "--test-data", data_bin,
        "--positive-label", "yes", "--output", out)
check(r.returncode == 2 and "the model's classes: 0, 1" in r.stderr,
      "compare refuses a baseline whose classes are not the labels: %d %s"
      % (r.returncode, r.stderr.strip()[-300:]))
r = run("compare", "--new", os.path.join(DIR, "tree_binary_gb_logistic.onnx"),
        "--baseline", os.path.join(DIR, "tree_binary_gb_logistic.onnx"), "--test-data", data_bin,
        "--positive-label", "yes", "--output", out)
check(r.returncode == 0, "compare takes two .onnx models: %d %s" % (r.returncode, r.stderr.strip()))
if r.returncode == 0:
    text = open(out).read()
    check(repr(m_auc := metrics("tree_binary_gb_logistic", data_bin, "--positive-label", "yes")["roc_auc"])[:12] in text,
          "compare reports the new model's roc_auc as evaluate does (%s)" % m_auc)

# benchmark: single-row latency of an ONNX model.
out = os.path.join(TMP, "latency.json")
r = run("benchmark", "--model", os.path.join(DIR, "tree_binary_deep.onnx"), "--test-data",
        os.path.join(DIR, "tree_binary_deep.csv"), "--samples", "300", "--output", out)
lat = json.load(open(out)) if r.returncode == 0 else {}
check(r.returncode == 0 and lat.get("backend") == "onnx" and lat.get("samples") == 300 and lat.get("p50_ms", 0) > 0,
      "benchmark times an .onnx model: %d %s" % (r.returncode, r.stderr.strip()))


# ---- refusals ------------------------------------------------------------------------------

g = helper.make_graph([helper.make_node("Erf", ["X"], ["y"], name="mystery")], "erf", [X2],
                      [helper.make_tensor_value_info("y", TensorProto.FLOAT, [None, 2])])
r = run("predict", "--model", save(g, "erf"), "--test-data", d, "--output", os.path.join(TMP, "o.csv"))
check(r.returncode == 2 and "Erf" in r.stderr and "'mystery'" in r.stderr,
      "an unknown operator is exit 2 naming it and its node: %d %s" % (r.returncode, r.stderr.strip()))
check(not os.path.exists(os.path.join(TMP, "o.csv")), "no output file after a refused model")

# External tensor data.
w = numpy_helper.from_array(np.ones((2, 1), np.float32), "w")
w.data_location = TensorProto.EXTERNAL
w.ClearField("raw_data")
e = w.external_data.add()
e.key, e.value = "location", "weights.bin"
g = helper.make_graph([helper.make_node("MatMul", ["X", "w"], ["y"], name="mm")], "ext", [X2],
                      [helper.make_tensor_value_info("y", TensorProto.FLOAT, [None, 1])], initializer=[w])
m = helper.make_model(g, opset_imports=[helper.make_opsetid("", 17)])
ext = os.path.join(TMP, "external.onnx")
with open(ext, "wb") as f:
    f.write(m.SerializeToString())
r = run("predict", "--model", ext, "--test-data", d, "--output", os.path.join(TMP, "o.csv"))
check(r.returncode == 2 and "external" in r.stderr and "'w'" in r.stderr,
      "external tensor data is refused clearly: %d %s" % (r.returncode, r.stderr.strip()))

# A truncated model: detected as ONNX by content only when whole; a cut file is bad input.
blob = open(os.path.join(DIR, "tree_multi_softmax.onnx"), "rb").read()
cut = os.path.join(TMP, "cut.onnx")
with open(cut, "wb") as f:
    f.write(blob[: len(blob) // 2])
r = run("predict", "--model", cut, "--test-data", d, "--output", os.path.join(TMP, "o.csv"))
check(r.returncode == 2, "a truncated model is exit 2: %d %s" % (r.returncode, r.stderr.strip()))

# String inputs: a decimal column fed to a string input, and benchmark (rows of numbers), are exit 2.
sd = data("strings_bad", ["plan", "income", "city"], [["free", 20.5, 1.5]])
r = run("predict", "--model", os.path.join(DIR, "string_inputs.onnx"), "--test-data", sd, "--output", os.path.join(TMP, "o.csv"))
check(r.returncode == 2 and "'city'" in r.stderr and "takes strings" in r.stderr,
      "a decimal column fed to a string input is exit 2 naming it: %s" % r.stderr.strip())
r = run("benchmark", "--model", os.path.join(DIR, "string_inputs.onnx"), "--test-data",
        os.path.join(DIR, "string_inputs.csv"), "--samples", "20", "--output", os.path.join(TMP, "o.json"))
check(r.returncode == 2 and "'city'" in r.stderr and "benchmark" in r.stderr,
      "benchmark of a model with string inputs is exit 2 saying why: %s" % r.stderr.strip())

# Named inputs: a missing column is named.
nd = data("named_missing", ["city", "age", "grade"], [[1, 30, 2]])
r = run("predict", "--model", os.path.join(DIR, "named_inputs.onnx"), "--test-data", nd, "--output", os.path.join(TMP, "o.csv"))
check(r.returncode == 2 and "'income'" in r.stderr, "a missing named input column is exit 2 naming it: %s" % r.stderr.strip())

if FAILS:
    print("%d failure(s)" % len(FAILS))
    sys.exit(1)
print("ok: %d ONNX fixtures match ONNX Runtime, edge cases and refusals hold" % len(manifest))
