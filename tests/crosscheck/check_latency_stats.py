"""Latency statistics against scipy: nearest-rank percentiles, the
distribution-free order-statistic bounds of a quantile (scipy.stats.binom),
including every n where the bound moves to the next order statistic, and the
Mann-Whitney U test (scipy.stats.mannwhitneyu, method='asymptotic').

Runs tests/tools/latency_stats (path in $MG_LATENCY_STATS)."""
import math
import os
import subprocess
import sys
from fractions import Fraction

import numpy as np
from scipy import stats

DRIVER = os.environ["MG_LATENCY_STATS"]
failures = []


def check(cond, what):
    if not cond:
        failures.append(what)


def run(args, values=None):
    text = "" if values is None else "".join(repr(float(v)) + "\n" for v in values)
    r = subprocess.run([DRIVER] + args, input=text, capture_output=True, text=True, timeout=60)
    if r.returncode != 0:
        sys.exit(f"latency_stats {args}: exit {r.returncode}: {r.stderr}")
    return r.stdout


def parse(out):
    return {k: float(v) for k, v in (line.split() for line in out.splitlines())}


def nearest_rank(sorted_v, q):
    # Exact: rank ceil(q * n) with q read as the decimal it was written as.
    k = max(1, math.ceil(Fraction(q) * len(sorted_v)))
    return sorted_v[k - 1]


def upper_rank(n, q, conf):
    # the smallest k in 1..n with P[Bin(n, q) <= k-1] >= conf; ppf proposes, cdf decides
    k = int(stats.binom.ppf(conf, n, q)) + 1
    while k > 1 and stats.binom.cdf(k - 2, n, q) >= conf:
        k -= 1
    while k <= n and stats.binom.cdf(k - 1, n, q) < conf:
        k += 1
    return k if k <= n else 0


def lower_rank(n, q, conf):
    # the largest k in 1..n with P[Bin(n, q) >= k] >= conf
    k = int(stats.binom.isf(conf, n, q))
    k = min(max(k, 0), n)
    while k < n and stats.binom.sf(k, n, q) >= conf:
        k += 1
    while k >= 1 and stats.binom.sf(k - 1, n, q) < conf:
        k -= 1
    return k


# -- percentiles and bounds on sample arrays ---------------------------------
rng = np.random.default_rng(7)
arrays = {
    "lognormal-1000": rng.lognormal(0, 0.5, 1000),
    "exponential-299": rng.exponential(2.0, 299),
    "exponential-298": rng.exponential(2.0, 298),
    "uniform-100": rng.uniform(1, 2, 100),
    "ties-500": np.round(rng.gamma(2, 1, 500), 1),
    "single": np.array([3.25]),
    "heavy-2000": rng.pareto(1.5, 2000) + 1,
}
for name, v in arrays.items():
    s = np.sort(v)
    for q, conf in [("0.99", "0.95"), ("0.5", "0.95"), ("0.9", "0.99"), ("0.999", "0.9")]:
        got = parse(run(["summary", q, conf], v))
        qf, cf = float(q), float(conf)
        check(got["q"] == nearest_rank(s, q), f"{name}: q{q} {got['q']} != {nearest_rank(s, q)}")
        up, lo = upper_rank(len(s), qf, cf), lower_rank(len(s), qf, cf)
        check(got["upper_rank"] == up, f"{name}: upper rank q{q}@{conf} {got['upper_rank']} != {up}")
        check(got["lower_rank"] == lo, f"{name}: lower rank q{q}@{conf} {got['lower_rank']} != {lo}")
        if up:
            check(got["upper"] == s[up - 1], f"{name}: upper bound value")
        else:
            check("upper" not in got, f"{name}: upper bound reported without enough samples")
        if lo:
            check(got["lower"] == s[lo - 1], f"{name}: lower bound value")
    got = parse(run(["summary", "0.99", "0.95"], v))
    for key, q in [("p50", "0.5"), ("p90", "0.9"), ("p95", "0.95"), ("p99", "0.99"), ("p999", "0.999")]:
        want = nearest_rank(s, q)
        check(got[key] == want, f"{name}: {key} {got[key]} != {want}")
        # numpy's inverted_cdf is the same definition, but it rounds q * n in binary, so
        # it is only comparable where q * n is not a whole number (p99.9 of 1000)
        if (Fraction(q) * len(s)).denominator != 1:
            check(got[key] == np.percentile(s, float(q) * 100, method="inverted_cdf"),
                  f"{name}: {key} differs from numpy inverted_cdf")
    check(got["min"] == s[0] and got["max"] == s[-1], f"{name}: min/max")
    check(math.isclose(got["mean"], s.mean(), rel_tol=1e-12), f"{name}: mean")
    sd = s.std(ddof=1) if len(s) > 1 else 0.0
    check(math.isclose(got["stddev"], sd, rel_tol=1e-9, abs_tol=1e-15), f"{name}: stddev")
    if len(s) == 299:
        check(got["upper_rank"] == 299 and got["upper"] == s[-1], "n=299: p99 bound is the maximum")
    if len(s) == 298:
        check(got["upper_rank"] == 0, "n=298: no p99 bound at 0.95")

# -- bound ranks for every n, and where they move ----------------------------
for q, conf, nmax in [(0.99, 0.95, 3000), (0.99, 0.99, 1500), (0.5, 0.95, 400), (0.95, 0.9, 800),
                      (0.999, 0.95, 3100)]:
    lines = run(["ranks", str(nmax), repr(q), repr(conf)]).splitlines()
    min_samples = int(lines[-1].split()[1])
    rows = [tuple(map(int, l.split())) for l in lines[:-1]]
    ns = np.arange(1, nmax + 1)
    # scipy, vectorised over n: the first k with cdf(k-1) >= conf
    # scipy over every n at once: ppf/isf propose, the cdf/sf conditions confirm, and
    # any n where they disagree is settled one by one
    k = stats.binom.ppf(conf, ns, q).astype(np.int64) + 1
    ok = (stats.binom.cdf(k - 1, ns, q) >= conf) & ((k == 1) | (stats.binom.cdf(k - 2, ns, q) < conf))
    want_up = np.where(k <= ns, k, 0)
    for i in np.nonzero(~ok)[0]:
        want_up[i] = upper_rank(int(ns[i]), q, conf)
    kl = np.clip(stats.binom.isf(conf, ns, q).astype(np.int64), 0, ns)
    okl = ((kl == 0) | (stats.binom.sf(kl - 1, ns, q) >= conf)) & ((kl == ns) | (stats.binom.sf(kl, ns, q) < conf))
    want_lo = kl.copy()
    for i in np.nonzero(~okl)[0]:
        want_lo[i] = lower_rank(int(ns[i]), q, conf)
    moves = 0
    for (n, up, lo), wu, wl in zip(rows, want_up, want_lo):
        check(up == wu, f"q={q} conf={conf} n={n}: upper rank {up} != scipy {wu}")
        check(lo == wl, f"q={q} conf={conf} n={n}: lower rank {lo} != scipy {wl}")
    # the n where the bound moves to the next order statistic (n - k changes)
    for i in range(1, len(rows)):
        if rows[i][1] and rows[i - 1][1] and rows[i][0] - rows[i][1] != rows[i - 1][0] - rows[i - 1][1]:
            moves += 1
    check(moves >= 3 or q in (0.5, 0.999), f"q={q} conf={conf}: only {moves} moves seen up to n={nmax}")
    want_min = next(int(n) for n, u in zip(ns, want_up) if u)
    check(min_samples == want_min, f"q={q} conf={conf}: min samples {min_samples} != {want_min}")
    if (q, conf) == (0.99, 0.95):
        check(min_samples == 299, "p99 at 0.95 needs 299 samples")
        # around the first move: the bound leaves the maximum for the second largest
        first_move = next(n for n, u, _ in rows if u and u < n)
        check(first_move == 473, f"p99@0.95 bound first moves below the maximum at n={first_move}")

# -- Mann-Whitney U vs scipy ---------------------------------------------------
cases = [
    (rng.normal(1, 0.2, 200), rng.normal(1.05, 0.2, 180)),
    (np.round(rng.exponential(1, 300), 1), np.round(rng.exponential(1.1, 300), 1)),
    (rng.uniform(0, 1, 5), rng.uniform(0, 1, 7)),
    (np.array([1.0, 1.0, 2.0]), np.array([1.0, 2.0, 2.0, 3.0])),
    (rng.lognormal(0, 1, 1000), rng.lognormal(0.5, 1, 1000)),
]
for i, (x, y) in enumerate(cases):
    got = parse(run(["mwu", str(len(x))], np.concatenate([x, y])))
    ref = stats.mannwhitneyu(x, y, alternative="two-sided", method="asymptotic")
    check(math.isclose(got["u"], ref.statistic, rel_tol=1e-12), f"mwu case {i}: U {got['u']} != {ref.statistic}")
    check(math.isclose(got["p"], ref.pvalue, rel_tol=1e-9, abs_tol=1e-300),
          f"mwu case {i}: p {got['p']} != {ref.pvalue}")
got = parse(run(["mwu", "3"], [2.0] * 6))
check(got["p"] == 1.0, "mwu: all ties gives p = 1")

if failures:
    print("\n".join(failures[:40]))
    print(f"{len(failures)} failures")
    sys.exit(1)
print("latency statistics agree with scipy")
