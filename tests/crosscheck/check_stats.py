"""check_stats.py - lib/stats against scipy and independent numpy code.

Runs tests/stats_driver (built next to the modelgate binary) with commands on
stdin: beta quantiles and Clopper-Pearson intervals against scipy, McNemar
against scipy's binomtest and chi2, Newcombe's paired interval and Holm's
adjustment against direct implementations, DeLong against the O(n^2)
definition, and the Poisson bootstrap's coverage on simulated data whose truth
is known. Usage: check_stats.py <path-to-modelgate-binary>
"""
import math
import os
import subprocess
import sys
import warnings

import numpy as np
from scipy import stats
from sklearn.metrics import roc_auc_score

warnings.simplefilter("ignore")  # scipy's own tail warnings are not ours
BINARY = sys.argv[1]
DRIVER = os.path.join(os.path.dirname(os.path.abspath(BINARY)), "tests", "stats_driver")
failures = []


def check(cond, what):
    if not cond:
        failures.append(what)
        print("FAIL:", what)


def close(got, want, rel=1e-9, abs_=1e-12):
    return abs(got - want) <= max(abs_, rel * abs(want))


def run(commands):
    out = subprocess.run([DRIVER], input="".join(commands), capture_output=True, text=True,
                         check=True).stdout.splitlines()
    assert len(out) == sum(1 for c in commands if not c.startswith(" ")), "driver output count"
    return out


def nums(line):
    assert not line.startswith("error"), line
    return [float(x) for x in line.split()]


def fmt(v):
    return repr(float(v))


# ---- beta quantile and Clopper-Pearson -----------------------------------
cases = []
for a in (0.5, 1, 3, 40, 1e3, 1e5):
    for b in (0.7, 1, 2, 97, 5e4):
        for p in (1e-12, 1e-6, 0.025, 0.3, 0.5, 0.975, 1 - 1e-9):
            cases.append((p, a, b))
out = run(["betappf %s %s %s\n" % (fmt(p), fmt(a), fmt(b)) for p, a, b in cases])
for (p, a, b), line in zip(cases, out):
    got, want = nums(line)[0], stats.beta.ppf(p, a, b)
    # where the CDF is flat in double precision the quantile is ill-conditioned:
    # compare through the CDF instead
    ok = close(got, want, 1e-8) or close(stats.beta.cdf(got, a, b), p, 1e-8, 1e-15)
    check(ok, "beta.ppf(%g, %g, %g): %r vs scipy %r" % (p, a, b, got, want))

cp_cases = [(0, 1), (1, 1), (0, 10), (3, 100), (50, 100), (99, 100), (100, 100), (1, 1000000),
            (7, 20), (4321, 5000), (999999, 1000000)]
for level in (0.9, 0.95, 0.99):
    out = run(["cp %d %d %s\n" % (k, n, fmt(level)) for k, n in cp_cases])
    for (k, n), line in zip(cp_cases, out):
        lo, hi = nums(line)
        ref = stats.binomtest(k, n).proportion_ci(confidence_level=level, method="exact")
        check(close(lo, ref.low, 1e-8) and close(hi, ref.high, 1e-8),
              "clopper-pearson %d/%d at %g: [%r, %r] vs scipy [%r, %r]"
              % (k, n, level, lo, hi, ref.low, ref.high))


# ---- McNemar ---------------------------------------------------------------
def wilson(x, n, level):
    z = stats.norm.ppf(1 - (1 - level) / 2)
    p = x / n
    centre = (x + z * z / 2) / (n + z * z)
    half = z * math.sqrt(n * p * (1 - p) + z * z / 4) / (n + z * z)
    return centre - half, centre + half


def newcombe(a, b, c, d, level):
    n = a + b + c + d
    p1, p2 = (a + b) / n, (a + c) / n
    l1, u1 = wilson(a + b, n, level)
    l2, u2 = wilson(a + c, n, level)
    den = (a + b) * (c + d) * (a + c) * (b + d)
    phi = (a * d - b * c) / math.sqrt(den) if den > 0 else 0.0
    lo = (p1 - p2) - math.sqrt((p1 - l1) ** 2 - 2 * phi * (p1 - l1) * (u2 - p2) + (u2 - p2) ** 2)
    hi = (p1 - p2) + math.sqrt((u1 - p1) ** 2 - 2 * phi * (u1 - p1) * (p2 - l2) + (p2 - l2) ** 2)
    return max(-1.0, lo), min(1.0, hi)


mc_cases = [(800, 30, 15, 155), (800, 60, 30, 110), (10, 0, 0, 5), (0, 3, 0, 0),
            (1000, 24, 25, 51), (1000, 25, 25, 50), (40, 0, 49, 11), (5000, 140, 90, 270),
            (3, 1, 2, 4)]
for level in (0.95, 0.8):
    out = run(["mcnemar %d %d %d %d %s\n" % (a, b, c, d, fmt(level)) for a, b, c, d in mc_cases])
    for (a, b, c, d), line in zip(mc_cases, out):
        name, rest = line.split(" ", 1)
        value, p, stat, lo, hi = nums(rest)
        n = a + b + c + d
        check(close(value, (b - c) / n), "mcnemar value %s" % line)
        if b + c < 50:
            want = stats.binomtest(b, b + c, 0.5).pvalue if b + c > 0 else 1.0
            check(name == "mcnemar_exact", "test name %s for %d discordant" % (name, b + c))
        else:
            x = max(0, abs(b - c) - 1) ** 2 / (b + c)
            want = stats.chi2.sf(x, 1)
            check(name == "mcnemar_chi2" and close(stat, x), "test name/stat %s" % line)
        check(close(p, want, 1e-9), "mcnemar p %s vs %r" % (line, want))
        rlo, rhi = newcombe(a, b, c, d, level)
        check(close(lo, rlo, 1e-9) and close(hi, rhi, 1e-9),
              "newcombe %s vs [%r, %r]" % (line, rlo, rhi))

# ---- Holm ------------------------------------------------------------------
rng = np.random.default_rng(7)
holm_cases = [[0.01, 0.04, 0.03, 0.005], [0.5], [0.2, 0.2, 0.01], list(rng.uniform(0, 0.1, 12))]
out = run(["holm %d %s\n" % (len(ps), " ".join(fmt(p) for p in ps)) for ps in holm_cases])
for ps, line in zip(holm_cases, out):
    m = len(ps)
    order = sorted(range(m), key=lambda i: ps[i])
    want, running = [0.0] * m, 0.0
    for k, i in enumerate(order):
        running = max(running, min(1.0, (m - k) * ps[i]))
        want[i] = running
    check(all(close(g, w) for g, w in zip(nums(line), want)), "holm %s vs %s" % (line, want))


# ---- DeLong against the O(n^2) definition ------------------------------------
def delong_reference(y, s1, s2):
    pos, neg = y == 1, y == 0
    comps = []
    for s in (s1, s2):
        x, z = s[pos][:, None], s[neg][None, :]
        psi = (x > z) + 0.5 * (x == z)
        comps.append((psi.mean(axis=1), psi.mean(axis=0), psi.mean()))
    m, n = pos.sum(), neg.sum()
    s10 = np.cov(np.vstack([comps[0][0], comps[1][0]]))
    s01 = np.cov(np.vstack([comps[0][1], comps[1][1]]))
    cov = s10 / m + s01 / n
    return comps[0][2], comps[1][2], cov


def rows_text(y, s1, s2):
    return "".join(" %d %s %s\n" % (yi, fmt(a), fmt(b)) for yi, a, b in zip(y, s1, s2))


def run_rows(header, y, s1, s2):
    out = subprocess.run([DRIVER], input=header + rows_text(y, s1, s2).replace("\n ", "\n").lstrip(),
                         capture_output=True, text=True, check=True).stdout.splitlines()
    return out


rng = np.random.default_rng(2024)
for trial in range(6):
    n = [40, 300, 1000, 7, 200, 2500][trial]
    y = (rng.uniform(size=n) < 0.4).astype(int)
    y[0], y[1], y[2], y[3] = 1, 1, 0, 0
    z = rng.normal(size=n)
    s1 = 1 / (1 + np.exp(-(z + 1.2 * (2 * y - 1))))
    s2 = 1 / (1 + np.exp(-(0.6 * z + 0.8 * rng.normal(size=n) + 0.9 * (2 * y - 1))))
    if trial in (1, 4):  # heavy ties
        s1, s2 = np.round(s1, 1), np.round(s2, 1)
    level = 0.95 if trial != 2 else 0.9
    got = nums(run_rows("delong %d %s\n" % (n, fmt(level)), y, s1, s2)[0])
    a1, a2, cov = delong_reference(y, s1, s2)
    zq = stats.norm.ppf(1 - (1 - level) / 2)
    var_d = cov[0, 0] + cov[1, 1] - 2 * cov[0, 1]
    zstat = (a1 - a2) / math.sqrt(var_d)
    want = [a1, cov[0, 0], max(0, a1 - zq * math.sqrt(cov[0, 0])),
            min(1, a1 + zq * math.sqrt(cov[0, 0])), a2, cov[1, 1], a1 - a2,
            2 * stats.norm.sf(abs(zstat)), zstat, a1 - a2 - zq * math.sqrt(var_d),
            a1 - a2 + zq * math.sqrt(var_d)]
    names = ["auc_new", "var_new", "low", "high", "auc_base", "var_base", "delta", "p", "z",
             "delta_low", "delta_high"]
    for nm, g, w in zip(names, got, want):
        check(close(g, w, 1e-9, 1e-14), "delong trial %d %s: %r vs %r" % (trial, nm, g, w))
    check(close(got[0], roc_auc_score(y, s1), 1e-12), "delong AUC vs sklearn, trial %d" % trial)

# identical scores: no variance, p = 1
y = np.array([1, 0, 1, 0, 1, 0])
s = np.array([0.9, 0.1, 0.4, 0.5, 0.8, 0.3])
got = nums(run_rows("delong 6 0.95\n", y, s, s)[0])
check(got[6] == 0 and got[7] == 1 and got[9] == 0 and got[10] == 0, "delong identical: %r" % got)
# one positive: a clear error
out = run_rows("delong 4 0.95\n", np.array([1, 0, 0, 0]), s[:4], s[:4])[0]
check(out.startswith("error: DeLong's variance needs at least two rows of each class"), out)


# ---- the bootstrap ----------------------------------------------------------------
def simulate(rng, n, mu1, mu2, rho):
    """Binormal scores: accuracy at 0.5 is Phi(mu), the AUC is Phi(mu * sqrt 2)."""
    y = (rng.uniform(size=n) < 0.5).astype(int)
    z1 = rng.normal(size=n)
    z2 = rho * z1 + math.sqrt(1 - rho * rho) * rng.normal(size=n)
    sign = 2 * y - 1
    s1 = 1 / (1 + np.exp(-(z1 + mu1 * sign)))
    s2 = 1 / (1 + np.exp(-(z2 + mu2 * sign)))
    return y, s1, s2


# the same seed on 1 and 2 threads gives the same bytes; another seed does not
rng = np.random.default_rng(11)
y, s1, s2 = simulate(rng, 500, 1.0, 0.8, 0.5)
one = run_rows("boot 500 300 99 1 0.95\n", y, s1, s2)[0]
two = run_rows("boot 500 300 99 2 0.95\n", y, s1, s2)[0]
other = run_rows("boot 500 300 98 2 0.95\n", y, s1, s2)[0]
check(one == two, "bootstrap depends on the thread count:\n%s\n%s" % (one, two))
check(one != other, "bootstrap ignores the seed")
vals = nums(one)
check(close(vals[0], np.mean((s1 > 0.5) == y)) and close(vals[3], roc_auc_score(y, s1), 1e-12),
      "bootstrap point estimates %r" % vals[:4])

# coverage: 95% intervals cover the known truth in 93-97% of 400 simulations
mu1, mu2, rho, n, sims = 1.0, 0.8, 0.6, 400, 400
truth = [stats.norm.cdf(mu1), stats.norm.cdf(mu1 * math.sqrt(2)),
         stats.norm.cdf(mu1) - stats.norm.cdf(mu2),
         stats.norm.cdf(mu1 * math.sqrt(2)) - stats.norm.cdf(mu2 * math.sqrt(2))]
names = ["accuracy", "roc_auc", "accuracy delta", "roc_auc delta", "delong roc_auc",
         "delong delta"]
rng = np.random.default_rng(20240611)
commands, delong_commands = [], []
for i in range(sims):
    y, s1, s2 = simulate(rng, n, mu1, mu2, rho)
    body = "".join("%d %s %s\n" % (a, fmt(b), fmt(c)) for a, b, c in zip(y, s1, s2))
    commands.append("boot %d 500 %d 0 0.95\n%s" % (n, 1000 + i, body))
    delong_commands.append("delong %d 0.95\n%s" % (n, body))
boot_out = subprocess.run([DRIVER], input="".join(commands), capture_output=True, text=True,
                          check=True).stdout.splitlines()
delong_out = subprocess.run([DRIVER], input="".join(delong_commands), capture_output=True,
                            text=True, check=True).stdout.splitlines()
covered = [0] * 6
for b_line, d_line in zip(boot_out, delong_out):
    v, d = nums(b_line), nums(d_line)
    intervals = [(v[1], v[2]), (v[4], v[5]), (v[7], v[8]), (v[11], v[12]), (d[2], d[3]),
                 (d[9], d[10])]
    for k, (lo, hi) in enumerate(intervals):
        covered[k] += lo <= (truth + truth[1:2] + truth[3:4])[k] <= hi
check(len(boot_out) == sims and len(delong_out) == sims, "simulation output count")
for k, c in enumerate(covered):
    print("coverage of %-15s %.3f" % (names[k], c / sims))
    check(0.93 <= c / sims <= 0.97, "%s coverage %.3f outside [0.93, 0.97]" % (names[k], c / sims))

if failures:
    print("%d failure(s)" % len(failures))
    sys.exit(1)
print("check_stats: all passed")
