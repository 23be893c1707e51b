"""The Poisson bootstrap's draws, rebuilt from their definition in
docs/statistics.md, for the cross-checks of compare and evaluate: SplitMix64
streams, one Poisson(lam) count per draw (lam < 10 by inversion of 64 bits
against the CDF in 64-bit fixed point, computed here with Python's decimal at
60 digits; lam >= 10 by Hormann's PTRS with log k! from math.lgamma), and the
percentile interval and bootstrap p-value of a replicate distribution."""
import math

import numpy as np

M64 = (1 << 64) - 1
GOLDEN = 0x9E3779B97F4A7C15


def mix64(z):
    """SplitMix64's finaliser of one Python integer."""
    z &= M64
    z = ((z ^ (z >> 30)) * 0xBF58476D1CE4E5B9) & M64
    z = ((z ^ (z >> 27)) * 0x94D049BB133111EB) & M64
    return z ^ (z >> 31)


def replicate_key(seed, rep):
    """The key of replicate rep's stream."""
    return mix64(mix64(seed) ^ (((rep + 1) * GOLDEN) & M64))


def splitmix_next(state):
    state = (state + GOLDEN) & M64
    return state, mix64(state)


def poisson_cdf64(lam):
    from decimal import Decimal, getcontext
    getcontext().prec = 60
    p = c = (-Decimal(lam)).exp()
    out, k = [], 0
    while int(c * 2 ** 64) < M64:
        out.append(int(c * 2 ** 64))
        k += 1
        p = p * lam / k
        c += p
    return out


CDF64 = {lam: poisson_cdf64(lam) for lam in range(1, 10)}


def poisson_count(state, lam):
    """(next state, one Poisson(lam) count) from the stream at state."""
    if lam <= 0:
        return state, 0
    if lam < 10:
        state, u = splitmix_next(state)
        return state, sum(1 for c in CDF64[lam] if u >= c)
    slam, loglam = math.sqrt(lam), math.log(lam)
    b = 0.931 + 2.53 * slam
    a = -0.059 + 0.02483 * b
    invalpha = 1.1239 + 1.1328 / (b - 3.4)
    vr = 0.9277 - 3.6224 / (b - 2)
    while True:
        state, z = splitmix_next(state)
        u = (z >> 11) * 2.0 ** -53 - 0.5
        state, z = splitmix_next(state)
        v = (z >> 11) * 2.0 ** -53
        us = 0.5 - abs(u)
        k = math.floor((2 * a / us + b) * u + lam + 0.43)
        if us >= 0.07 and v <= vr:
            return state, k
        if k < 0 or (us < 0.013 and v > us):
            continue
        if math.log(v) + math.log(invalpha) - math.log(a / (us * us) + b) <= \
                -lam + k * loglam - math.lgamma(k + 1):
            return state, k


def percentile_interval(values, level):
    v = np.asarray(values)
    v = v[~np.isnan(v)]
    return np.percentile(v, [100 * (1 - level) / 2, 100 * (1 + level) / 2])


def bootstrap_p(d):
    d = np.asarray(d)
    d = d[~np.isnan(d)]
    tail = min((d <= 0).sum() + 1, (d >= 0).sum() + 1)
    return min(1.0, 2 * tail / (len(d) + 1))
