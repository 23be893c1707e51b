"""A score exactly at the decision threshold is decided as the model decides
it, whichever class is chosen as positive: a 4-tree RandomForest gives
P = 0.5 exactly on many rows, and scikit-learn's predict gives those rows to
classes_[0]. With --positive-label naming either class, modelgate's
confusion counts, accuracy, precision and recall must equal scikit-learn's on
model.predict with pos_label set likewise.

Usage: check_ties.py path/to/modelgate   (run with Debian's /usr/bin/python3)
"""
import json
import os
import subprocess
import sys
import tempfile

import numpy as np
import pandas as pd
from sklearn.ensemble import RandomForestClassifier
from sklearn.metrics import accuracy_score, confusion_matrix, precision_score, recall_score

MG = sys.argv[1]
failures, cases = [], 0

rng = np.random.default_rng(3)
n = 300
X = pd.DataFrame(rng.normal(size=(n, 4)), columns=["f0", "f1", "f2", "f3"])
y = ((X.f0 + 0.5 * X.f1 + rng.normal(0, 1, n)) > 0).astype(int)
model = RandomForestClassifier(n_estimators=4, random_state=0).fit(X[:150], y[:150])
test = X[150:].assign(label=y[150:].to_numpy())
proba = model.predict_proba(test[X.columns])[:, 1]
ties = int((proba == 0.5).sum())
pred = model.predict(test[X.columns])

with tempfile.TemporaryDirectory() as tmp:
    import joblib
    path = os.path.join(tmp, "rf.pkl")
    joblib.dump(model, path)
    data = os.path.join(tmp, "test.csv")
    test.to_csv(data, index=False)
    cases += 1
    if ties < 5:
        failures.append("the fixture has only %d ties at 0.5" % ties)
    for pos in (1, 0):
        cases += 1
        p = subprocess.run([MG, "evaluate", "--model", path, "--python", "/usr/bin/python3",
                            "--test-data", data, "--positive-label", str(pos), "--quiet",
                            "--output", "-"], capture_output=True, text=True)
        if p.returncode != 0:
            failures.append("positive label %d: exit %d %s" % (pos, p.returncode, p.stderr[-300:]))
            continue
        m = json.loads(p.stdout)
        tn, fp, fn, tp = confusion_matrix(test.label == pos, pred == pos).ravel()
        want = {"accuracy": accuracy_score(test.label, pred),
                "precision": precision_score(test.label, pred, pos_label=pos),
                "recall": recall_score(test.label, pred, pos_label=pos)}
        for k, v in want.items():
            if abs(m[k] - v) > 1e-12:
                failures.append("positive label %d: %s %r, scikit-learn %r" % (pos, k, m[k], v))
        cm = m["confusion_matrix"]
        if (cm["tp"], cm["fp"], cm["tn"], cm["fn"]) != (tp, fp, tn, fn):
            failures.append("positive label %d: confusion %r, scikit-learn tp %d fp %d tn %d fn %d"
                            % (pos, cm, tp, fp, tn, fn))
        if m["threshold"] != 0.5:
            failures.append("positive label %d: threshold %r written" % (pos, m["threshold"]))

print("\n".join("FAIL " + f for f in failures))
print("%d passed, %d failed (%d ties at 0.5)" % (cases - len(failures), len(failures), ties))
sys.exit(1 if failures else 0)
