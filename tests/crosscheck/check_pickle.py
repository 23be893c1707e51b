"""A pickled scikit-learn model given as a file (--model model.pkl), as the
tutorial gives it: plain pickle, joblib, and joblib compressed with zlib,
gzip, bz2, xz and lz4-less fallbacks, each recognised by its bytes and scored
through the bundled runner. The metrics must equal scikit-learn's on the
model's own predict_proba to 1e-12.

Usage: check_pickle.py path/to/modelgate   (run with Debian's /usr/bin/python3)
"""
import json
import os
import pickle
import subprocess
import sys
import tempfile

import joblib
import numpy as np
import pandas as pd
from sklearn.metrics import accuracy_score, log_loss, roc_auc_score

MG = sys.argv[1]
SRC = os.environ.get("MG_SOURCE_DIR", os.path.join(os.path.dirname(__file__), "..", ".."))
MODEL = os.path.join(SRC, "examples", "models", "model.pkl")
DATA = os.path.join(SRC, "examples", "data", "test.csv")
NONFEATURES = ["score", "gender", "age_group"]
failures = 0


def fail(msg):
    global failures
    failures += 1
    print("FAIL " + msg)


def run(model, *extra, env=None):
    with tempfile.TemporaryDirectory() as tmp:
        out = os.path.join(tmp, "metrics.json")
        p = subprocess.run([MG, "evaluate", "--model", model, "--test-data", DATA,
                            "--ignore", ",".join(NONFEATURES), "--output", out, *extra],
                           capture_output=True, text=True, env=env)
        metrics = json.load(open(out)) if p.returncode == 0 else None
        return p.returncode, p.stderr, metrics


estimator = joblib.load(MODEL)
df = pd.read_csv(DATA)
y = df["label"].to_numpy()
X = df.drop(columns=["label"] + NONFEATURES)
p1 = estimator.predict_proba(X)[:, 1]
want = {"accuracy": accuracy_score(y, (p1 > 0.5).astype(int)), "roc_auc": roc_auc_score(y, p1),
        "log_loss": log_loss(y, p1)}

env = dict(os.environ, MODELGATE_PYTHON="/usr/bin/python3")
cases = 0
with tempfile.TemporaryDirectory() as tmp:
    forms = {"examples/models/model.pkl": MODEL}
    for protocol in (0, 1, 2, pickle.HIGHEST_PROTOCOL):
        path = os.path.join(tmp, "plain%d.pickle" % protocol)
        with open(path, "wb") as f:
            pickle.dump(estimator, f, protocol=protocol)
        forms["pickle protocol %d" % protocol] = path
    for compress in ["zlib", "gzip", "bz2", "xz"]:
        path = os.path.join(tmp, "model.joblib." + compress)
        joblib.dump(estimator, path, compress=(compress, 3))
        forms["joblib " + compress] = path
    for name, path in forms.items():
        cases += 1
        code, err, m = run(path, env=env)
        if code != 0:
            fail("%s: exit %d: %s" % (name, code, err.strip().splitlines()[-1:]))
            continue
        for k, v in want.items():
            if abs(m[k] - v) > 1e-12:
                fail("%s: %s %r, scikit-learn %r" % (name, k, m[k], v))

    # --python wins over $MODELGATE_PYTHON.
    cases += 1
    code, err, m = run(MODEL, "--python", "/usr/bin/python3",
                       env=dict(os.environ, MODELGATE_PYTHON="/nonexistent/python"))
    if code != 0 or abs(m["accuracy"] - want["accuracy"]) > 1e-12:
        fail("--python over MODELGATE_PYTHON: exit %d %s" % (code, err.strip()[-200:]))

    # An interpreter without the model's packages: exit 2 naming it and the way out.
    cases += 1
    bare = os.path.join(tmp, "bare-python")
    with open(bare, "w") as f:
        f.write("#!/bin/sh\nexec /usr/bin/python3 -S \"$@\"\n")
    os.chmod(bare, 0o755)
    code, err, m = run(MODEL, "--python", bare, env=env)
    last = err.strip().splitlines()[-1] if err.strip() else ""
    if code != 2 or "the Python interpreter /usr/bin/python3" not in last \
            or "No module named" not in last or "--python PATH" not in last:
        fail("interpreter without the packages: exit %d, last line %r" % (code, last))

    # A file that is neither a model nor a pickle still says what is read.
    cases += 1
    junk = os.path.join(tmp, "junk.pkl")
    with open(junk, "wb") as f:
        f.write(b"not a model at all\n")
    code, err, m = run(junk, env=env)
    if code != 2 or "scikit-learn pickle or joblib file" not in err:
        fail("junk file: exit %d, %r" % (code, err.strip()[-200:]))

print("%d passed, %d failed" % (cases - failures, failures))
sys.exit(1 if failures else 0)
