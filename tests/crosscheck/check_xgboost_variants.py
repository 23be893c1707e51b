"""XGBoost models the way users save them: an XGBClassifier saved after early
stopping predicts with its best iteration (as its scikit-learn predict_proba
does, and modelgate says so on stderr), and a gblinear booster predicts at
all (libxgboost 1.7 has no in-place prediction for it). Metrics must equal
scikit-learn's on xgboost's own predictions to 1e-6 (float32 outputs).

Usage: check_xgboost_variants.py path/to/modelgate   (run with Debian's /usr/bin/python3)
"""
import json
import os
import subprocess
import sys
import tempfile

import numpy as np
import pandas as pd
import xgboost as xgb
from sklearn.metrics import accuracy_score, log_loss, roc_auc_score

MG = sys.argv[1]
failures, cases = [], 0


def evaluate(model, data):
    p = subprocess.run([MG, "evaluate", "--model", model, "--test-data", data, "--quiet",
                        "--output", "-"], capture_output=True, text=True)
    return p.returncode, p.stderr, (json.loads(p.stdout) if p.returncode == 0 else None)


def check(name, model, data, y, p, stderr_has=None):
    global cases
    cases += 1
    code, err, m = evaluate(model, data)
    if code != 0:
        failures.append("%s: exit %d %s" % (name, code, err.strip()[-300:]))
        return
    want = {"accuracy": accuracy_score(y, p > 0.5), "roc_auc": roc_auc_score(y, p),
            "log_loss": log_loss(y, p)}
    for k, v in want.items():
        if abs(m[k] - v) > 1e-6:
            failures.append("%s: %s %r, xgboost + scikit-learn %r" % (name, k, m[k], v))
    if stderr_has and stderr_has not in err:
        failures.append("%s: stderr lacks %r: %r" % (name, stderr_has, err[-300:]))


rng = np.random.default_rng(7)
n = 1200
X = pd.DataFrame(rng.normal(size=(n, 5)), columns=["a", "b", "c", "d", "e"])
y = ((X.a - X.b + 0.5 * X.c * X.d + rng.normal(0, 1.2, n)) > 0).astype(int)
Xtr, Xva, Xte = X[:600], X[600:800], X[800:]
ytr, yva, yte = y[:600], y[600:800], y[800:]

with tempfile.TemporaryDirectory() as tmp:
    data = os.path.join(tmp, "test.csv")
    Xte.assign(label=yte.to_numpy()).to_csv(data, index=False)

    clf = xgb.XGBClassifier(n_estimators=200, learning_rate=0.3, max_depth=4,
                            early_stopping_rounds=5, eval_metric="logloss")
    clf.fit(Xtr, ytr, eval_set=[(Xva, yva)], verbose=False)
    path = os.path.join(tmp, "early.json")
    clf.save_model(path)
    loaded = xgb.XGBClassifier()
    loaded.load_model(path)
    cases += 1
    if not loaded.best_iteration < 199:
        failures.append("the fixture did not stop early (best_iteration %r)" % loaded.best_iteration)
    check("early-stopped XGBClassifier", path, data, yte,
          loaded.predict_proba(Xte)[:, 1], "best_iteration %d" % loaded.best_iteration)

    dtrain = xgb.DMatrix(Xtr, label=ytr)
    lin = xgb.train({"booster": "gblinear", "objective": "binary:logistic"}, dtrain, 20)
    path = os.path.join(tmp, "linear.json")
    lin.save_model(path)
    check("gblinear booster", path, data, yte, lin.predict(xgb.DMatrix(Xte)))

print("\n".join("FAIL " + f for f in failures))
print("%d passed, %d failed" % (cases - len(failures), len(failures)))
sys.exit(1 if failures else 0)
