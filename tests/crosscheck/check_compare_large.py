"""check_compare_large.py - `modelgate compare` of two binary models without
sample weights on 100,000 rows and more (docs/statistics.md, "compare on many
rows"), against independent references:

- the confusion-count metrics' paired bootstrap draws one Poisson(n) per joint
  cell (label, new prediction, baseline prediction): the draws are rebuilt here
  from their definition (SplitMix64 stream seeded with the replicate's key,
  cells in order 4*label + 2*new + baseline, inversion against the CDF in
  64-bit fixed point below 10, Hormann's PTRS from 10) and the metrics of each
  replicate computed by scikit-learn with the cell counts as sample weights;
- pr_auc, log_loss and brier get delta +- z*se with se^2 = sum_i (dA/dw_i -
  dB/dw_i)^2: the derivatives are rebuilt in numpy, checked against finite
  differences of scikit-learn's weighted metrics, and the standard error
  against a numpy Poisson bootstrap of scikit-learn's metrics (Monte Carlo
  tolerance);
- one row fewer than 100,000 keeps the per-row paired bootstrap;
- the same seed gives byte-identical results on 1 and 2 threads and from run
  to run (compare and evaluate --confidence).
Usage: check_compare_large.py <path-to-modelgate-binary>
"""
import json
import math
import os
import subprocess
import sys
import tempfile
import warnings

import numpy as np
from scipy import stats
from sklearn import metrics as skm

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from poisson_reference import (  # noqa: E402
    bootstrap_p, percentile_interval, poisson_count, replicate_key)

warnings.simplefilter("ignore")
MG = os.path.abspath(sys.argv[1])
work = tempfile.mkdtemp()
failures = []


def check(cond, what):
    if not cond:
        failures.append(what)
        print("FAIL:", what)


def close(got, want, rel=1e-9, abs_=1e-12):
    return got is not None and abs(got - want) <= max(abs_, rel * abs(want))


def run(args, expect=0):
    p = subprocess.run([MG] + args, cwd=work, capture_output=True, text=True)
    check(p.returncode == expect, "%s: exit %d (%s)" % (" ".join(args), p.returncode,
                                                        p.stderr.strip()[-300:]))
    return p


EPS = np.finfo(float).eps


def score_metrics(y, s, w=None):
    return {"pr_auc": skm.average_precision_score(y, s, sample_weight=w),
            "log_loss": skm.log_loss(y, np.clip(s, EPS, 1 - EPS), sample_weight=w),
            "brier": skm.brier_score_loss(y, s, sample_weight=w)}


def influence(y, s, metric):
    """dt/dw_i at w = 1, from the derivative of each definition."""
    n = len(y)
    if metric != "pr_auc":
        c = np.clip(s, EPS, 1 - EPS)
        x = -(y * np.log(c) + (1 - y) * np.log(1 - c)) if metric == "log_loss" else (y - s) ** 2
        return (x - x.mean()) / n
    order = np.argsort(-s, kind="stable")
    ss, yy = s[order], y[order]
    _, gid = np.unique(-ss, return_inverse=True)  # group of tied scores, descending
    ng = gid.max() + 1
    gp = np.bincount(gid, weights=yy, minlength=ng)
    gn = np.bincount(gid, weights=1 - yy, minlength=ng)
    tp, fp = np.cumsum(gp), np.cumsum(gn)
    tot = tp + fp
    P = tp[-1]
    ap = (gp * tp / tot).sum() / P
    A = np.cumsum((gp * fp / tot ** 2)[::-1])[::-1]
    B = np.cumsum((gp * tp / tot ** 2)[::-1])[::-1]
    d_sorted = np.where(yy == 1, tp[gid] / tot[gid] + A[gid] - ap, -B[gid]) / P
    d = np.empty(n)
    d[order] = d_sorted
    return d


# ---- the derivatives against finite differences of scikit-learn's metrics ----------
rng = np.random.default_rng(5)
ys = (rng.uniform(size=300) < 0.4).astype(int)
ss = np.round(rng.uniform(size=300) * 0.5 + 0.4 * ys, 2)  # ties
for metric in ["pr_auc", "log_loss", "brier"]:
    d = influence(ys, ss, metric)
    check(abs(d.sum()) < 1e-12, "%s derivatives sum to 0 (scale invariance)" % metric)
    h = 1e-6
    for i in rng.choice(300, 25, replace=False):
        w = np.ones(300)
        w[i] += h
        up = score_metrics(ys, ss, w)[metric]
        w[i] -= 2 * h
        down = score_metrics(ys, ss, w)[metric]
        fd = (up - down) / (2 * h)
        check(abs(fd - d[i]) < 1e-7, "%s derivative row %d: %r vs finite difference %r"
              % (metric, i, d[i], fd))

# ---- 120,000 rows -----------------------------------------------------------------
n = 120000
y = (rng.uniform(size=n) < 0.3).astype(int)
z = rng.normal(size=n)
sign = 2 * y - 1
s_new = np.round(1 / (1 + np.exp(-(z + 1.0 * sign))), 4)
s_base = np.round(1 / (1 + np.exp(-(0.8 * z + 0.6 * rng.normal(size=n) + 0.9 * sign))), 4)
s_new[:2] = [0.0, 1.0]
with open(os.path.join(work, "large.csv"), "w") as f:
    f.write("label,new,base\n")
    f.writelines("%d,%r,%r\n" % row for row in zip(y, s_new, s_base))

level, seed, reps = 0.9, 17, 200
args = ["compare", "--new", "column:new", "--baseline", "column:base", "--test-data", "large.csv",
        "--confidence", "0.9", "--seed", str(seed), "--bootstrap", str(reps), "--quiet"]
run(args + ["--threads", "1", "--output", "t1.json"])
run(args + ["--threads", "2", "--output", "t2.json"])
run(args + ["--threads", "2", "--output", "t2b.json"])
doc = json.load(open(os.path.join(work, "t1.json")))


def deltas(name):
    return json.load(open(os.path.join(work, name)))["deltas"]


check(deltas("t1.json") == deltas("t2.json"), "compare: --threads 1 and 2 give the same deltas")
check(deltas("t2.json") == deltas("t2b.json"), "compare: two runs give the same deltas")

# the confusion-count metrics: the 8 joint cells, rebuilt draw by draw
pn, pb = (s_new > 0.5).astype(int), (s_base > 0.5).astype(int)
cell = 4 * y + 2 * pn + pb
ncell = np.bincount(cell, minlength=8)
cy = np.array([j >= 4 for j in range(8)], dtype=int)
cn = np.array([(j >> 1) & 1 for j in range(8)])
cb = np.array([j & 1 for j in range(8)])


def count_metrics(yv, pred, w):
    return {"balanced_accuracy": skm.balanced_accuracy_score(yv, pred, sample_weight=w),
            "precision": skm.precision_score(yv, pred, sample_weight=w),
            "recall": skm.recall_score(yv, pred, sample_weight=w),
            "f1": skm.f1_score(yv, pred, sample_weight=w),
            "specificity": skm.recall_score(yv, pred, pos_label=0, sample_weight=w),
            "mcc": skm.matthews_corrcoef(yv, pred, sample_weight=w)}


boot = {}
for r in range(reps):
    state = replicate_key(seed, r)
    k = []
    for j in range(8):
        state, kj = poisson_count(state, int(ncell[j]))
        k.append(float(kj))
    k = np.array(k)
    mn, mb = count_metrics(cy, cn, k), count_metrics(cy, cb, k)
    for name in mn:
        boot.setdefault(name, []).append(mn[name] - mb[name])
check(any(c >= 10 for c in ncell), "cells of 10 rows and more (PTRS)")
for name, values in boot.items():
    dk = doc["deltas"][name]
    lo, hi = percentile_interval(values, level)
    check(dk["test"] == "paired_bootstrap" and dk["ci_method"] == "bootstrap_percentile",
          "%s test %s" % (name, dk["test"]))
    check(close(dk["ci_low"], lo, 1e-8) and close(dk["ci_high"], hi, 1e-8),
          "cells %s [%r, %r] vs [%r, %r]" % (name, dk["ci_low"], dk["ci_high"], lo, hi))
    check(close(dk["p_value"], bootstrap_p(values)), "cells %s p" % name)

# pr_auc, log_loss, brier: the influence-function z interval
zq = stats.norm.ppf(1 - (1 - level) / 2)
want_new, want_base = score_metrics(y, s_new), score_metrics(y, s_base)
se = {}
for name in ["pr_auc", "log_loss", "brier"]:
    dk = doc["deltas"][name]
    delta = want_new[name] - want_base[name]
    se[name] = math.sqrt(((influence(y, s_new, name) - influence(y, s_base, name)) ** 2).sum())
    check(dk["test"] == "paired_z" and dk["ci_method"] == "normal_influence",
          "%s test %s / %s" % (name, dk["test"], dk["ci_method"]))
    check(close(dk["value"], delta), "%s delta %r vs %r" % (name, dk["value"], delta))
    check(close(dk["ci_low"], delta - zq * se[name], 1e-8)
          and close(dk["ci_high"], delta + zq * se[name], 1e-8),
          "%s interval [%r, %r] vs %r +- %r" % (name, dk["ci_low"], dk["ci_high"], delta,
                                                zq * se[name]))
    check(close(dk["p_value"], 2 * stats.norm.sf(abs(delta) / se[name]), 1e-6, 1e-300),
          "%s p %r" % (name, dk["p_value"]))

# ... and its standard error against a Poisson bootstrap of scikit-learn's metrics
mc = {name: [] for name in se}
brng = np.random.default_rng(11)
for r in range(100):
    w = brng.poisson(1.0, size=n).astype(float)
    mn, mb = score_metrics(y, s_new, w), score_metrics(y, s_base, w)
    for name in mc:
        mc[name].append(mn[name] - mb[name])
for name in mc:
    ratio = np.std(mc[name], ddof=1) / se[name]
    # sd of 100 replicates: relative standard error about 7%
    check(0.75 < ratio < 1.33, "%s: bootstrap sd / influence se = %.3f" % (name, ratio))

# one row fewer than 100,000: the per-row paired bootstrap, for every metric
m = 99999
with open(os.path.join(work, "below.csv"), "w") as f:
    f.write("label,new,base\n")
    f.writelines("%d,%r,%r\n" % row for row in zip(y[:m], s_new[:m], s_base[:m]))
run(["compare", "--new", "column:new", "--baseline", "column:base", "--test-data", "below.csv",
     "--bootstrap", "100", "--quiet", "--output", "below.json"])
bdoc = json.load(open(os.path.join(work, "below.json")))
for name in ["f1", "pr_auc", "log_loss", "brier"]:
    check(bdoc["deltas"][name]["test"] == "paired_bootstrap",
          "%d rows: %s by %s" % (m, name, bdoc["deltas"][name]["test"]))

# evaluate --confidence: the same intervals on 1 and 2 threads and from run to run
eargs = ["evaluate", "--model", "column:new", "--test-data", "large.csv", "--confidence", "0.95",
         "--bootstrap", "200", "--seed", "3", "--quiet", "--ignore", "base"]
for name, threads in [("e1.json", "1"), ("e2.json", "2"), ("e2b.json", "2")]:
    run(eargs + ["--threads", threads, "--output", name])
ci = [json.load(open(os.path.join(work, name)))["ci"] for name in ["e1.json", "e2.json", "e2b.json"]]
check(ci[0] == ci[1] == ci[2] and ci[0]["pr_auc"]["method"] == "bootstrap_percentile",
      "evaluate: the same intervals on --threads 1 and 2 and from run to run")

if failures:
    print("%d failure(s)" % len(failures))
    sys.exit(1)
print("check_compare_large: all passed")
