"""Cross-check of runner models: scikit-learn models pickled here are served by
adapters/sklearn_runner.py under /usr/bin/python3; `modelgate predict` must
return exactly what scikit-learn's own predict_proba/predict returns (1e-12).
Misbehaving runners (tests/data/runners/) must each give exit 2 with a clear
one-line message and leave no process behind.

Usage: /usr/bin/python3 check_runner.py <path-to-modelgate>"""
import csv
import os
import pickle
import subprocess
import sys
import tempfile
from concurrent.futures import ThreadPoolExecutor

import warnings

import joblib
import numpy as np
import pandas as pd
from sklearn.ensemble import GradientBoostingClassifier, RandomForestClassifier
from sklearn.linear_model import LogisticRegression, Ridge
from sklearn.pipeline import Pipeline
from sklearn.preprocessing import StandardScaler
from sklearn.svm import LinearSVC

# The references predict from arrays; models fitted on DataFrames warn about it.
warnings.filterwarnings("ignore", message="X does not have valid feature names")
warnings.filterwarnings("ignore", message="Liblinear failed to converge")

MG = sys.argv[1]
SRC = os.environ.get("MG_SOURCE_DIR") or os.path.join(os.path.dirname(__file__), "..", "..")
RUNNER = os.path.join(SRC, "adapters", "sklearn_runner.py")
RUNNERS = os.path.join(SRC, "tests", "data", "runners")
PY = "/usr/bin/python3"
TMP = tempfile.mkdtemp(prefix="mg-runner-")
FAILS = []


def check(cond, what):
    if not cond:
        FAILS.append(what)
        print("FAIL:", what)


def run(*args, timeout=120):
    return subprocess.run([MG, *args], capture_output=True, text=True, timeout=timeout)


rng = np.random.default_rng(7)
N, F = 300, 4
NAMES = ["age", "income", "debt", "score_a"]
X = rng.normal(size=(N, F)) * [10, 1000, 0.3, 1] + [40, 5000, 0.5, 0]
z = (X[:, 0] - 40) / 10 - (X[:, 2] - 0.5) / 0.3 + X[:, 3]
y_bin = (z + rng.normal(size=N) > 0).astype(int)
y_multi = np.array(["low", "mid", "high"])[np.digitize(z, [-0.7, 0.7])]
y_reg = 2 * z + rng.normal(size=N)

data_csv = os.path.join(TMP, "test.csv")
with open(data_csv, "w", newline="") as f:
    w = csv.writer(f)
    w.writerow(["label", "group"] + NAMES)
    for i in range(N):
        w.writerow([y_bin[i], "g%d" % (i % 3)] + [repr(float(v)) for v in X[i]])
DF = pd.DataFrame(X, columns=NAMES)

MODELS = [
    # name, estimator, target, fit on a DataFrame (feature names), saved with joblib
    ("logreg", LogisticRegression(max_iter=1000), y_bin, False, False),
    ("forest", RandomForestClassifier(n_estimators=20, random_state=0), y_bin, True, False),
    ("gboost", GradientBoostingClassifier(n_estimators=20, random_state=0), y_bin, True, True),
    ("pipeline", Pipeline([("s", StandardScaler()), ("lr", LogisticRegression())]), y_bin, True,
     False),
    ("multiclass", LogisticRegression(max_iter=2000), y_multi, True, False),
    ("regressor", Ridge(alpha=0.5), y_reg, False, False),
    ("svc", LinearSVC(random_state=0, max_iter=5000), y_bin, True, False),
]


def model_case(case):
    name, est, y, named, use_joblib = case
    est.fit(DF if named else X, y)
    path = os.path.join(TMP, name + (".joblib" if use_joblib else ".pkl"))
    if use_joblib:
        joblib.dump(est, path)
    else:
        with open(path, "wb") as f:
            pickle.dump(est, f)
    out = os.path.join(TMP, name + ".preds.csv")
    args = ["predict", "--model", "cmd:%s %s %s" % (PY, RUNNER, path), "--test-data", data_csv,
            "--output", out, "--batch-size", "64"]
    if not named:
        args += ["--ignore", "group"]
    r = run(*args)
    if r.returncode != 0:
        return ["%s: exit %d: %s" % (name, r.returncode, r.stderr.strip())]
    with open(out, newline="") as f:
        rows = list(csv.reader(f))
    header, body = rows[0], rows[1:]
    fails = []
    if "unpickling" not in r.stderr and "runs code" not in r.stderr:
        pass  # the runner's warning goes to the runner's stderr, not ours
    if hasattr(est, "predict_proba"):
        proba = est.predict_proba(X)
        if proba.shape[1] == 2:
            want_header, want = ["score"], proba[:, 1:]
        else:
            want_header, want = ["p_" + str(c) for c in est.classes_], proba
        got = np.array([[float(v) for v in row] for row in body])
        if header != want_header:
            fails.append("%s: header %s, expected %s" % (name, header, want_header))
        elif got.shape != want.shape or np.max(np.abs(got - want)) > 1e-12:
            fails.append("%s: predictions differ from scikit-learn's (max %g)" % (
                name, np.max(np.abs(got - want)) if got.shape == want.shape else -1))
    elif hasattr(est, "classes_"):
        want = [str(v) for v in est.predict(X)]
        if header != ["prediction"] or [row[0] for row in body] != want:
            fails.append("%s: predicted classes differ from scikit-learn's" % name)
    else:
        got = np.array([float(row[0]) for row in body])
        want = est.predict(X)
        if header != ["prediction"] or np.max(np.abs(got - want)) > 1e-12:
            fails.append("%s: values differ from scikit-learn's" % name)
    return fails


def misbehaving(case):
    index, (script, extra, needle) = case
    marker = "mg-runner-test-%d-%d" % (os.getpid(), index)
    out = os.path.join(TMP, script + ".csv")
    r = run("predict", "--model", "cmd:%s %s %s" % (PY, os.path.join(RUNNERS, script), marker),
            "--test-data", data_csv, "--ignore", "group,age,income", "--output", out,
            "--batch-size", "100", *extra, timeout=60)
    fails = []
    lines = r.stderr.strip().splitlines()
    last = lines[-1] if lines else ""
    if r.returncode != 2:
        fails.append("%s: exit %d, expected 2 (%s)" % (script, r.returncode, last))
    if needle not in last:
        fails.append("%s: message %r lacks %r" % (script, last, needle))
    if os.path.exists(out):
        fails.append("%s: wrote its output despite the failure" % script)
    left = subprocess.run(["pgrep", "-f", marker], capture_output=True, text=True).stdout.split()
    if left:
        fails.append("%s: left processes behind: %s" % (script, left))
        for pid in left:
            subprocess.run(["kill", "-9", pid])
    return fails


BAD = [
    ("exits_at_once.py", [], "exited with status 3 during the handshake (stderr: "
                             "exits_at_once: cannot load the model"),
    ("crashes.py", [], "was killed by SIGSEGV"),
    ("crashes.py", [], "crashes: segfaulting on batch 2"),
    ("sleeps.py", ["--runner-timeout", "1.5"], "did not answer within 1.5 s on a batch of 100 rows"
                                                " (stderr: sleeps: thinking very hard)"),
    ("slow_start.py", ["--runner-start-timeout", "1"], "did not answer within 1 s during the "
                                                       "handshake"),
    ("garbage.py", [], "wrote 'predicting 10 rows...\\x0a' where a protocol frame was expected"),
    ("short.py", [], "answered 99 rows of 1 values for a batch of 100 rows"),
    ("bad_compute.py", [], "its SCOR frame reports a compute time of nan s (expected a finite "
                           "number of seconds >= 0)"),
    ("fails.py", [], "reported an error on a batch of 100 rows: ValueError: feature 2 must be "
                     "positive"),
]

with ThreadPoolExecutor(max_workers=4) as pool:
    for fails in pool.map(model_case, MODELS):
        for f in fails:
            check(False, f)
    for fails in pool.map(misbehaving, enumerate(BAD)):
        for f in fails:
            check(False, f)

# The bundled example's scikit-learn pipeline, matched by the names it carries,
# end to end: evaluate through the runner gives scikit-learn's metrics.
import json  # noqa: E402

from sklearn.metrics import log_loss, roc_auc_score  # noqa: E402

example = os.path.join(SRC, "examples", "models", "model.pkl")
example_data = os.path.join(SRC, "examples", "data", "test.csv")
with open(example, "rb") as f:
    pipe = pickle.load(f)
test = pd.read_csv(example_data, float_precision="round_trip")
want = pipe.predict_proba(test[list(pipe.feature_names_in_)])[:, 1]
r = run("evaluate", "--model", "cmd:%s %s %s" % (PY, RUNNER, example), "--test-data",
        example_data, "--output", "-")
check(r.returncode in (0, 1), "evaluate through the runner: " + r.stderr)
if r.returncode in (0, 1):
    metrics = json.loads(r.stdout)
    y = test["label"].to_numpy()
    check(abs(metrics["accuracy"] - np.mean((want > 0.5) == y)) < 1e-12,
          "evaluate accuracy %r" % metrics["accuracy"])
    check(abs(metrics["roc_auc"] - roc_auc_score(y, want)) < 1e-9,
          "evaluate roc_auc %r" % metrics["roc_auc"])
    check(abs(metrics["log_loss"] - log_loss(y, want)) < 1e-9,
          "evaluate log_loss %r" % metrics["log_loss"])

# The runner sends its compute time with every SCOR: benchmark splits each
# round trip into the model's compute and the transport around it.
bench_json = os.path.join(TMP, "latency.json")
r = run("benchmark", "--model", "cmd:%s %s %s" % (PY, RUNNER, example), "--test-data",
        example_data, "--samples", "50", "--warmup", "5", "--output", bench_json)
check(r.returncode == 0, "benchmark through the runner: " + r.stderr)
if r.returncode == 0:
    with open(bench_json) as f:
        lat = json.load(f)
    c, t = lat["runner_compute"], lat["transport"]
    check(c is not None and t is not None, "no compute split: %r" % lat.get("runner_compute_reason"))
    if c is not None and t is not None:
        check(0 < c["p50_ms"] <= lat["max_ms"], "runner compute p50 %r" % c)
        check(t["mean_ms"] >= 0 and abs(t["mean_ms"] - (lat["mean_ms"] - c["mean_ms"])) < 1e-6,
              "transport mean %r vs round trip %r - compute %r" % (t, lat["mean_ms"], c))

# Not a runner at all, and a command that cannot start.
r = run("predict", "--model", "cmd:/nonexistent/runner --flag", "--test-data", data_csv,
        "--output", os.path.join(TMP, "x.csv"))
check(r.returncode == 2 and "cannot start /nonexistent/runner" in r.stderr,
      "missing program: %d %s" % (r.returncode, r.stderr))
r = run("predict", "--model", "cmd:'unterminated", "--test-data", data_csv,
        "--output", os.path.join(TMP, "x.csv"))
check(r.returncode == 2 and "unterminated ' quote" in r.stderr,
      "bad quoting: %d %s" % (r.returncode, r.stderr))

if FAILS:
    print("%d failure(s)" % len(FAILS))
    sys.exit(1)
print("check_runner: all cases agree")
