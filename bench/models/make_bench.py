#!/usr/bin/python3
"""Builds the benchmark's data and model in DIR: X.f64 (N rows x 10 float64,
row-major, 5% NaN), model.json (XGBoost binary:logistic, 100 trees, depth 6)
and prints the rows/s of xgboost's own in-place prediction on the same rows.

Usage: /usr/bin/python3 make_bench.py DIR [N]"""
import os
import sys
import time

import numpy as np
import xgboost as xgb

out = sys.argv[1]
n = int(sys.argv[2]) if len(sys.argv) > 2 else 1_000_000
F = 10
rng = np.random.default_rng(1)
X = rng.normal(size=(n, F))
X[rng.random(X.shape) < 0.05] = np.nan
y = (np.nan_to_num(X[:, 0]) + 0.5 * np.nan_to_num(X[:, 1]) ** 2 + rng.normal(size=n) > 0.5)
os.makedirs(out, exist_ok=True)
X.astype("<f8").tofile(os.path.join(out, "X.f64"))
m = min(n, 100_000)
booster = xgb.train({"objective": "binary:logistic", "max_depth": 6, "seed": 1},
                    xgb.DMatrix(X[:m], label=y[:m].astype(int)), num_boost_round=100)
booster.save_model(os.path.join(out, "model.json"))
booster.set_param({"nthread": os.cpu_count()})
booster.inplace_predict(X[:1000])  # warm
best = float("inf")
for _ in range(3):
    t = time.perf_counter()
    p = booster.inplace_predict(X)
    best = min(best, time.perf_counter() - t)
np.asarray(p, dtype="<f8").tofile(os.path.join(out, "xgb_preds.f64"))
print("xgboost-python inplace_predict: %d rows in %.3f s = %.0f rows/s (%d threads)"
      % (n, best, n / best, os.cpu_count()))
