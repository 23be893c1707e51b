"""Writes the ONNX benchmark model and its rows (not a test).

    /usr/bin/python3 bench/onnx/make_model.py DIR ROWS

DIR/model.onnx: a TreeEnsembleClassifier of 100 trees of depth 6 over 20
features, shaped as onnxmltools exports a binary XGBoost model (BRANCH_LEQ,
missing values tracked to the true branch, one weighted class, one base value,
LOGISTIC), plus a ZipMap. DIR/X.f32 and DIR/X.f64: ROWS rows of 20 features,
row-major, 1% missing (NaN)."""
import os
import sys

import numpy as np
import onnx
from onnx import TensorProto, helper

out, n = sys.argv[1], int(sys.argv[2])
rng = np.random.default_rng(6)
NT, DEPTH, F = 100, 6, 20
ML = "ai.onnx.ml"
a = {k: [] for k in ("treeids", "nodeids", "featureids", "modes", "values", "truenodeids",
                     "falsenodeids", "missing")}
cw = {"treeids": [], "nodeids": [], "ids": [], "weights": []}
for t in range(NT):
    for i in range(2 ** (DEPTH + 1) - 1):
        a["treeids"].append(t)
        a["nodeids"].append(i)
        leaf = i >= 2 ** DEPTH - 1
        a["featureids"].append(0 if leaf else int(rng.integers(0, F)))
        a["modes"].append("LEAF" if leaf else "BRANCH_LEQ")
        a["values"].append(0.0 if leaf else float(np.float32(rng.normal())))
        a["truenodeids"].append(0 if leaf else 2 * i + 1)
        a["falsenodeids"].append(0 if leaf else 2 * i + 2)
        a["missing"].append(0 if leaf else int(rng.random() < 0.5))
        if leaf:
            cw["treeids"].append(t)
            cw["nodeids"].append(i)
            cw["ids"].append(0)
            cw["weights"].append(float(np.float32(rng.normal() * 0.1)))
node = helper.make_node(
    "TreeEnsembleClassifier", ["X"], ["label", "probabilities"], name="xgb", domain=ML,
    nodes_treeids=a["treeids"], nodes_nodeids=a["nodeids"], nodes_featureids=a["featureids"],
    nodes_modes=a["modes"], nodes_values=a["values"], nodes_truenodeids=a["truenodeids"],
    nodes_falsenodeids=a["falsenodeids"], nodes_missing_value_tracks_true=a["missing"],
    class_treeids=cw["treeids"], class_nodeids=cw["nodeids"], class_ids=cw["ids"],
    class_weights=cw["weights"], classlabels_int64s=[0, 1], base_values=[0.1], post_transform="LOGISTIC")
g = helper.make_graph([node], "bench", [helper.make_tensor_value_info("X", TensorProto.FLOAT, [None, F])],
                      [helper.make_tensor_value_info("label", TensorProto.INT64, [None]),
                       helper.make_tensor_value_info("probabilities", TensorProto.FLOAT, [None, 2])])
m = helper.make_model(g, opset_imports=[helper.make_opsetid("", 17), helper.make_opsetid(ML, 3)])
m.ir_version = 8
onnx.checker.check_model(m)
onnx.save(m, os.path.join(out, "model.onnx"))
X = rng.normal(size=(n, F)).astype(np.float32)
X[rng.random((n, F)) < 0.01] = np.nan
X.tofile(os.path.join(out, "X.f32"))
X.astype(np.float64).tofile(os.path.join(out, "X.f64"))
