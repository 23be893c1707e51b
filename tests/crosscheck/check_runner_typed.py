"""Runner protocol 2: a scikit-learn Pipeline whose ColumnTransformer one-hot
encodes string columns (with missing values) and passes an integer and a
boolean column through runs unchanged, given as a joblib file or through
cmd:. modelgate's metrics must equal scikit-learn's on the Pipeline's own
predict_proba of the same CSV read by pandas, to 1e-12; the same holds for a
multiclass Pipeline, and for a Pipeline fitted on an array (no feature names),
which still gets float64 rows.

Usage: check_runner_typed.py path/to/modelgate   (run with Debian's /usr/bin/python3)
"""
import json
import os
import subprocess
import sys
import tempfile

import joblib
import numpy as np
import pandas as pd
from sklearn.compose import ColumnTransformer
from sklearn.impute import SimpleImputer
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import accuracy_score, f1_score, log_loss, roc_auc_score
from sklearn.pipeline import Pipeline, make_pipeline
from sklearn.preprocessing import OneHotEncoder, StandardScaler

MG = sys.argv[1]
SRC = os.environ.get("MG_SOURCE_DIR", os.path.join(os.path.dirname(__file__), "..", ".."))
RUNNER = os.path.join(SRC, "adapters", "sklearn_runner.py")
failures = []
cases = 0


def make(n, seed):
    rng = np.random.default_rng(seed)
    region = rng.choice(["north", "south", "east", "west"], n).astype(object)
    region[rng.random(n) < 0.08] = None
    city = rng.choice(["Oslo", "Lyon", "Köln", "São Paulo", "a,b"], n)
    age = rng.integers(18, 80, n)
    income = rng.normal(50, 15, n).round(3)
    member = rng.random(n) < 0.4
    z = (0.04 * (income - 50) - 0.02 * (age - 45) + 0.8 * member
         + np.select([region == "north", region == "south"], [1.0, -1.0], 0.0)
         + (city == "Oslo") * 0.5 + rng.normal(0, 1, n))
    label = np.where(z > 0.3, "approve", "deny")
    label3 = np.select([z > 1.0, z > -0.5], ["high", "mid"], "low")
    return pd.DataFrame({"income": income, "age": age, "member": member, "region": region,
                         "city": city, "label": label, "tier": label3})


def pipeline():
    cats = make_pipeline(SimpleImputer(strategy="constant", fill_value="missing"),
                         OneHotEncoder(handle_unknown="ignore"))
    ct = ColumnTransformer([("num", StandardScaler(), ["income", "age"]),
                            ("cat", cats, ["region", "city"]),
                            ("flag", "passthrough", ["member"])])
    return Pipeline([("prep", ct), ("clf", LogisticRegression(max_iter=1000))])


def evaluate(model, data, *extra):
    with tempfile.TemporaryDirectory() as tmp:
        out = os.path.join(tmp, "m.json")
        p = subprocess.run([MG, "evaluate", "--model", model, "--test-data", data,
                            "--output", out, *extra], capture_output=True, text=True)
        return p.returncode, p.stderr, (json.load(open(out)) if p.returncode == 0 else None)


def check(name, model, data, want, *extra):
    global cases
    cases += 1
    code, err, m = evaluate(model, data, *extra)
    if code != 0:
        failures.append("%s: exit %d: %s" % (name, code, err.strip().splitlines()[-1:]))
        return
    for k, v in want.items():
        if m.get(k) is None or abs(m[k] - v) > 1e-12:
            failures.append("%s: %s = %r, scikit-learn %r" % (name, k, m.get(k), v))


with tempfile.TemporaryDirectory() as tmp:
    train, test = make(600, 1), make(300, 2)
    train_csv, test_csv = os.path.join(tmp, "train.csv"), os.path.join(tmp, "test.csv")
    train.to_csv(train_csv, index=False)
    test.to_csv(test_csv, index=False)
    tr, te = pd.read_csv(train_csv), pd.read_csv(test_csv)  # the dtypes a user's model saw
    features = ["income", "age", "member", "region", "city"]

    # Binary, string labels: P(classes_[1]) is P('deny').
    pipe = pipeline().fit(tr[features], tr["label"])
    path = os.path.join(tmp, "pipe.joblib")
    joblib.dump(pipe, path)
    p = pipe.predict_proba(te[features])[:, 1]
    y = (te["label"] == pipe.classes_[1]).astype(int)
    want = {"accuracy": accuracy_score(y, p > 0.5), "roc_auc": roc_auc_score(y, p),
            "log_loss": log_loss(y, p)}
    args = ["--python", "/usr/bin/python3", "--ignore", "tier"]
    check("binary pipeline, joblib file", path, test_csv, want, *args)
    check("binary pipeline, cmd:", "cmd:/usr/bin/python3 %s %s" % (RUNNER, path), test_csv, want,
          "--ignore", "tier")

    # Multiclass.
    pipe3 = pipeline().fit(tr[features], tr["tier"])
    path3 = os.path.join(tmp, "pipe3.joblib")
    joblib.dump(pipe3, path3)
    P = pipe3.predict_proba(te[features])
    pred = pipe3.classes_[P.argmax(axis=1)]
    want3 = {"accuracy": accuracy_score(te["tier"], pred),
             "f1_macro": f1_score(te["tier"], pred, average="macro"),
             "log_loss": log_loss(te["tier"], P, labels=pipe3.classes_)}
    check("multiclass pipeline", path3, test_csv, want3, "--python", "/usr/bin/python3",
          "--label", "tier", "--ignore", "label")

    # Fitted on an array: float64 rows in file order, as protocol 1 sent them.
    num = ["income", "age"]
    arr = make_pipeline(StandardScaler(), LogisticRegression()).fit(tr[num].to_numpy(), tr["label"])
    patha = os.path.join(tmp, "arr.pkl")
    joblib.dump(arr, patha)
    pa = arr.predict_proba(te[num].to_numpy())[:, 1]
    wanta = {"accuracy": accuracy_score(y, pa > 0.5), "roc_auc": roc_auc_score(y, pa)}
    check("array-fitted pipeline", patha, test_csv, wanta, "--python", "/usr/bin/python3",
          "--ignore", "tier,member,region,city")

print("\n".join("FAIL " + f for f in failures))
print("%d passed, %d failed" % (cases - len({f.split(":")[0] for f in failures}), len(failures)))
sys.exit(1 if failures else 0)
