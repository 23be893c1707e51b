"""check_fairness.py - `modelgate fairness` against a reference implementation
of Fairlearn's definitions written here with pandas (MetricFrame by group,
demographic_parity_ratio/difference, equalized_odds_ratio/difference,
equal_opportunity, methods between_groups and to_overall, sample weights),
on random data with several attributes, through the CLI with
--model column:score. Also: Wilson intervals against scipy, regression
parity, the exit code against the verdict, and a reproducible bootstrap.

Usage: /usr/bin/python3 check_fairness.py <modelgate-binary>
"""
import itertools
import json
import os
import subprocess
import sys
import tempfile

import numpy as np
import pandas as pd
from scipy.stats import binomtest

TOL = 1e-9
MG = sys.argv[1]
failures = []


def check(cond, what):
    if not cond:
        failures.append(what)


def close(a, b, what):
    if a is None or b is None or not np.isfinite(b):
        check(a is None and (b is None or not np.isfinite(b)), f"{what}: got {a}, want {b}")
        return
    check(abs(a - b) <= TOL, f"{what}: got {a!r}, want {b!r}")


# ---- the reference: Fairlearn's definitions -------------------------------

def selection_rate(d):
    return float(np.dot(d.pred, d.w) / d.w.sum())


# Fairlearn returns 0 for the TPR of a group without positives (scikit-learn's
# normalised confusion matrix); modelgate reports it as undefined (null), so
# the reference says NaN and every disparity built on it must be null.
def tpr(d):
    pos = d[d.y == 1]
    return float(np.dot(pos.pred, pos.w) / pos.w.sum()) if pos.w.sum() > 0 else np.nan


def fpr(d):
    neg = d[d.y == 0]
    return float(np.dot(neg.pred, neg.w) / neg.w.sum()) if neg.w.sum() > 0 else np.nan


class Frame:
    """MetricFrame(metrics=fn, sensitive_features=cols) with overall/by_group."""

    def __init__(self, fn, df, cols):
        self.overall = fn(df)
        keys = df[cols].astype(str).agg("|".join, axis=1)
        self.by_group = {k: fn(g) for k, g in df.groupby(keys, sort=True)}

    def difference(self, method):
        v = np.array(list(self.by_group.values()))
        if np.isnan(v).any():
            return np.nan
        if method == "between_groups":
            return float(v.max() - v.min())
        return float(np.abs(v - self.overall).max())

    def ratio(self, method):
        v = np.array(list(self.by_group.values()))
        if np.isnan(v).any():
            return np.nan
        if method == "between_groups":
            return float(v.min() / v.max())
        r = v / self.overall
        with np.errstate(divide="ignore"):
            return float(np.where(r > 1, 1 / r, r).min())


def worst(pick, a, b):
    return np.nan if np.isnan(a) or np.isnan(b) else pick(a, b)


def reference(df, cols, method):
    sr, tp, fp = (Frame(f, df, cols) for f in (selection_rate, tpr, fpr))
    return {
        "demographic_parity": (sr.ratio(method), sr.difference(method)),
        "equalized_odds": (worst(min, tp.ratio(method), fp.ratio(method)),
                           worst(max, tp.difference(method), fp.difference(method))),
        "equal_opportunity": (tp.ratio(method), tp.difference(method)),
        "groups": {k: {"selection_rate": sr.by_group[k], "tpr": tp.by_group[k],
                       "fpr": fp.by_group[k]} for k in sr.by_group},
    }


# ---- data -------------------------------------------------------------------

rng = np.random.default_rng(20261126)
N = 3000
gender = rng.choice(["female", "male", "nonbinary"], size=N, p=[0.47, 0.47, 0.06]).astype(object)
gender[rng.random(N) < 0.03] = None  # nulls: a group of their own, "(null)"
age = rng.choice(["18-25", "26-40", "41-60", "60+"], size=N, p=[0.2, 0.4, 0.3, 0.1])
region = rng.integers(1, 6, size=N)
member = rng.choice(["true", "false"], size=N)
y = (rng.random(N) < 0.45).astype(int)
bias = np.where(gender == "female", -0.08, 0.0) + np.where(age == "18-25", -0.05, 0.0)
score = np.clip(0.5 + 0.25 * (2 * y - 1) + bias + rng.normal(0, 0.2, N), 0, 1).round(6)
weight = rng.uniform(0.5, 2.0, N).round(4)
yr = rng.normal(50, 10, N).round(4)
pr = (yr + rng.normal(0, 3, N) + np.where(age == "60+", 2.0, 0.0)).round(4)

raw = pd.DataFrame({"label": y, "score": score, "gender": gender, "age_group": age,
                    "region": region, "member": member, "weight": weight,
                    "target": yr, "pred": pr})
tmp = tempfile.mkdtemp(prefix="mg-fairness-")
csv = os.path.join(tmp, "test.csv")
raw.to_csv(csv, index=False)  # None is written as an empty field (null)

df = pd.DataFrame({"y": y, "pred": (score > 0.5).astype(int), "gender": raw.gender.fillna("(null)"),
                   "age_group": age, "region": region, "member": member})


def group_key(value):
    """The reference's group key ("|"-joined text, "(null)" for missing) of a
    structured group value of fairness.json; the data here has no value that
    holds '|' or the text "(null)" (those are checked below, on their own)."""
    parts = value if isinstance(value, list) else [value]
    return "|".join("(null)" if v is None else ("true" if v else "false") if isinstance(v, bool)
                    else str(v) for v in parts)


def by_key(entries):
    return {group_key(e["value"]): e for e in entries}


def no_duplicate_keys(pairs):
    keys = [k for k, _ in pairs]
    if len(keys) != len(set(keys)):
        failures.append(f"duplicate JSON keys: {sorted(k for k in keys if keys.count(k) > 1)}")
    return dict(pairs)


def run(*args, expect=None):
    out = os.path.join(tmp, "fairness.json")
    if os.path.exists(out):
        os.remove(out)
    p = subprocess.run([MG, "fairness", "--model", "column:score", "--test-data", csv,
                        "--output", out, *args], capture_output=True, text=True)
    if p.returncode not in (0, 1, 3):
        failures.append(f"{args}: exit {p.returncode}: {p.stderr.strip()}")
        return None, p.returncode
    with open(out) as f:
        res = json.load(f, object_pairs_hook=no_duplicate_keys)
    want = {"pass": 0, "fail": 1, "inconclusive": 3}[res["verdict"]]
    check(p.returncode == want, f"{args}: exit {p.returncode} but verdict {res['verdict']}")
    return res, p.returncode


CONFIGS = [["gender", "age_group", "region", "member"], ["gender", "age_group"],
           ["age_group", "region", "member"]]
for method, weighted, ATTRS in itertools.product(("between_groups", "to_overall"),
                                                (False, True), CONFIGS):
    d = df.assign(w=weight if weighted else np.ones(N))
    args = ["--protected-attributes", ",".join(ATTRS), "--min-group-size", "1",
            "--method", method, "--intersectional",
            "--gate", "demographic_parity,equalized_odds,equal_opportunity"]
    if weighted:
        args += ["--weight", "weight"]
    res, _ = run(*args)
    if res is None:
        continue
    tag = f"{method}{' weighted' if weighted else ''}"
    for cols in [[a] for a in ATTRS] + [ATTRS]:
        name = "|".join(cols)
        ref = reference(d, cols, method)
        for m in ("demographic_parity", "equalized_odds", "equal_opportunity"):
            got = res[m][name]
            close(got["ratio"], ref[m][0], f"{tag} {m}[{name}].ratio")
            close(got["difference"], ref[m][1], f"{tag} {m}[{name}].difference")
            check(got["method"] == method, f"{tag} {m}[{name}].method")
        entries = res["demographic_parity"][name]["groups"]
        check(all(isinstance(e["value"], list) == (len(cols) > 1) for e in entries),
              f"{tag} {name}: an intersection's values are arrays, a column's are not")
        groups = by_key(entries)
        check(len(groups) == len(entries), f"{tag} {name}: two groups with one value")
        check(sorted(groups) == sorted(ref["groups"]),
              f"{tag} groups of {name}: {sorted(groups)[:5]} vs {sorted(ref['groups'])[:5]}")
        for g, want in ref["groups"].items():
            if g not in groups:
                continue
            for k in ("selection_rate", "tpr", "fpr"):
                close(groups[g][k], want[k], f"{tag} {name}[{g}].{k}")

# Per-group figures and their Wilson intervals (unweighted) against scipy.
res, _ = run("--protected-attributes", "gender", "--min-group-size", "1")
for g, d in df.groupby("gender"):
    got = by_key(res["demographic_parity"]["gender"]["groups"])[g]
    check(got["n"] == len(d), f"n of {g}")
    tp = int(((d.y == 1) & (d.pred == 1)).sum())
    fp = int(((d.y == 0) & (d.pred == 1)).sum())
    fn = int(((d.y == 1) & (d.pred == 0)).sum())
    tn = int(((d.y == 0) & (d.pred == 0)).sum())
    check(got["positives"] == tp + fp, f"positives of {g}")
    for key, k, n in (("selection_rate", tp + fp, len(d)), ("tpr", tp, tp + fn),
                      ("fpr", fp, fp + tn), ("fnr", fn, tp + fn), ("precision", tp, tp + fp),
                      ("accuracy", tp + tn, len(d)), ("base_rate", tp + fn, len(d))):
        close(got[key], k / n, f"{g}.{key}")
        ci = binomtest(k, n).proportion_ci(0.95, method="wilson")
        close(got[key + "_ci"]["low"], ci.low, f"{g}.{key}_ci.low")
        close(got[key + "_ci"]["high"], ci.high, f"{g}.{key}_ci.high")

# Small groups are excluded, listed with their size, and left out of the ratio.
res, _ = run("--protected-attributes", "gender", "--min-group-size", "150")
counts = df.gender.value_counts()
small = {g: int(n) for g, n in counts.items() if n < 150}
check({group_key(e["value"]): e["n"] for e in res["excluded_groups"]["gender"]} == small,
      f"excluded_groups {res['excluded_groups']['gender']} vs {small}")
kept = df[~df.gender.isin(small)].assign(w=1.0)
close(res["demographic_parity"]["gender"]["ratio"],
      reference(kept, ["gender"], "between_groups")["demographic_parity"][0], "ratio without small groups")

# Disparate impact against a reference group.
res, _ = run("--protected-attributes", "age_group", "--reference", "age_group=26-40")
di = res["disparate_impact"]["age_group"]
d1 = df.assign(w=1.0)
rates = {g: selection_rate(d) for g, d in d1.groupby("age_group")}
ratios = {g: r / rates["26-40"] for g, r in rates.items()}
close(di["ratio"], min(ratios.values()), "disparate_impact min")
close(di["ratio_max"], max(ratios.values()), "disparate_impact max")
for g, r in ratios.items():
    close(by_key(res["demographic_parity"]["age_group"]["groups"])[g]["disparate_impact"], r,
          f"DI {g}")
check(di["reference"] == "26-40", f"disparate impact reference {di['reference']!r}")

# Regression: MAE, RMSE and mean prediction by group.
p = subprocess.run([MG, "fairness", "--model", "column:pred", "--label", "target", "--task",
                    "regression", "--test-data", csv, "--protected-attributes", "age_group",
                    "--output", os.path.join(tmp, "reg.json")], capture_output=True, text=True)
check(p.returncode in (0, 1, 3), f"regression run: exit {p.returncode} {p.stderr.strip()}")
if p.returncode in (0, 1, 3):
    with open(os.path.join(tmp, "reg.json")) as f:
        reg = json.load(f)
    e = pd.DataFrame({"g": age, "e": pr - yr, "p": pr})
    by = e.groupby("g")
    mae, rmse = by.e.apply(lambda s: s.abs().mean()), by.e.apply(lambda s: np.sqrt((s ** 2).mean()))
    mp = by.p.mean()
    for key, s in (("mae", mae), ("rmse", rmse), ("mean_prediction", mp)):
        close(reg[key]["age_group"]["ratio"], s.min() / s.max(), f"regression {key} ratio")
        close(reg[key]["age_group"]["difference"], s.max() - s.min(), f"regression {key} diff")
    for g in mae.index:
        close(by_key(reg["mean_prediction"]["age_group"]["groups"])[g]["mae"], mae[g], f"MAE {g}")

# The bootstrap is seeded: the same seed gives the same file, whatever the threads.
outs = []
for threads in ("1", "3"):
    out = os.path.join(tmp, f"boot{threads}.json")
    subprocess.run([MG, "fairness", "--model", "column:score", "--test-data", csv,
                    "--protected-attributes", "gender,age_group", "--confidence", "0.95",
                    "--bootstrap", "300", "--seed", "7", "--threads", threads,
                    "--output", out], capture_output=True)
    with open(out) as f:
        outs.append(f.read())
check(outs[0] == outs[1], "bootstrap differs between 1 and 3 threads")
boot = json.loads(outs[0], object_pairs_hook=no_duplicate_keys)
ci = boot["demographic_parity"]["gender"]["ci"]
check(ci["low"] <= boot["demographic_parity"]["gender"]["ratio"] + 1e-12, "ci low above ratio")
check(ci["method"] == "bootstrap_percentile" and ci["correction"] == "holm", "ci labels")

# Values that collided as JSON keys: the text "(null)" next to missing values,
# a value holding '|', and two intersections, ("a|b", "c") and ("a", "b|c"),
# that both join to "a|b|c". pandas groups by the values themselves
# (groupby(dropna=False)); every group must come back once, with its figures.
M = 400
g = rng.choice(["(null)", "a|b", "a", "x"], size=M).astype(object)
g[rng.random(M) < 0.2] = None
h = np.where(g == "a", "b|c", "c").astype(object)
h[rng.random(M) < 0.1] = "b|c"
yc = (rng.random(M) < 0.5).astype(int)
sc = rng.random(M).round(6)
coll = os.path.join(tmp, "colliding.csv")
pd.DataFrame({"label": yc, "score": sc, "g": g, "h": h}).to_csv(coll, index=False)
pc = subprocess.run([MG, "fairness", "--model", "column:score", "--test-data", coll,
                     "--protected-attributes", "g,h", "--intersectional", "--min-group-size", "1",
                     "--reference", "g=(null)", "--output", "-"], capture_output=True, text=True)
check(pc.returncode in (0, 1, 3), f"colliding values: exit {pc.returncode} {pc.stderr.strip()}")
if pc.returncode in (0, 1, 3):
    cres = json.loads(pc.stdout, object_pairs_hook=no_duplicate_keys)
    cdf = pd.DataFrame({"g": g, "h": h, "sel": (sc > 0.5).astype(int)})

    def plain(v):
        return None if isinstance(v, float) and np.isnan(v) else v

    for name, cols in (("g", ["g"]), ("h", ["h"]), ("g|h", ["g", "h"])):
        want = {}
        for k, d in cdf.groupby(cols if len(cols) > 1 else cols[0], dropna=False):
            k = k if isinstance(k, tuple) else (k,)
            want[tuple(plain(v) for v in k)] = (len(d), float(d.sel.mean()))
        entries = cres["demographic_parity"][name]["groups"]
        got = {tuple(e["value"]) if len(cols) > 1 else (e["value"],):
               (e["n"], e["selection_rate"]) for e in entries}
        check(len(got) == len(entries) == len(want),
              f"colliding {name}: {len(entries)} entries, {len(got)} distinct, pandas {len(want)}")
        for k, (n, sr) in want.items():
            if k not in got:
                failures.append(f"colliding {name}: group {k} missing")
                continue
            check(got[k][0] == n, f"colliding {name}[{k}].n {got[k][0]} vs {n}")
            close(got[k][1], sr, f"colliding {name}[{k}].selection_rate")
    check(("a|b", "c") in want and ("a", "b|c") in want, "the data holds both joined 'a|b|c'")
    rates = {plain(k): float(d.sel.mean()) for k, d in cdf.groupby("g", dropna=False)}
    di = cres["disparate_impact"]["g"]
    check(di["reference"] == "(null)", f"reference is the text '(null)': {di['reference']!r}")
    close(di["ratio"], min(r / rates["(null)"] for r in rates.values()), "colliding DI min")
    close(di["ratio_max"], max(r / rates["(null)"] for r in rates.values()), "colliding DI max")

if failures:
    for f in failures[:40]:
        print("FAIL", f)
    print(f"{len(failures)} failures")
    sys.exit(1)
print("fairness crosscheck: all figures agree to 1e-9")
