#!/usr/bin/env python3
"""Generates the bundled credit-scoring example: examples/data/train.csv and
examples/data/test.csv. Deterministic (fixed seed), standard library only, so
the committed files can be rebuilt anywhere: python3 examples/make_data.py.

Columns: label (1 = repaid), six numeric features, the protected attributes
gender and age_group (with a few missing genders), and in test.csv `score`, the
positive-class probability of a reference logistic scorecard."""
import csv
import math
import os
import random

FEATURES = ["income", "debt_ratio", "credit_history_years", "num_accounts",
            "late_payments", "utilization"]


def person(rng):
    age_group = rng.choices(["18-25", "26-40", "41-60", "60+"], [0.2, 0.4, 0.3, 0.1])[0]
    gender = rng.choices(["female", "male", "nonbinary", ""], [0.48, 0.48, 0.03, 0.01])[0]
    base_years = {"18-25": 2, "26-40": 8, "41-60": 18, "60+": 28}[age_group]
    income = round(math.exp(rng.gauss(10.8, 0.45)), 2)
    debt_ratio = round(min(max(rng.gauss(0.35, 0.15), 0.0), 1.5), 4)
    years = round(max(0.0, rng.gauss(base_years, 3)), 1)
    accounts = max(0, int(rng.gauss(4, 2)))
    late = min(12, int(rng.expovariate(1.2)))
    util = round(min(max(rng.betavariate(2, 3), 0.0), 1.0), 4)
    z = (0.9 + 0.9 * (math.log(income) - 10.8) - 3.2 * (debt_ratio - 0.35)
         + 0.05 * (years - 10) + 0.08 * (accounts - 4) - 0.7 * late - 1.6 * (util - 0.4))
    p_true = 1 / (1 + math.exp(-3.0 * z))
    label = 1 if rng.random() < p_true else 0
    return [label, income, debt_ratio, years, accounts, late, util, gender, age_group]


def scorecard(row):
    _, income, debt_ratio, years, accounts, late, util = row[:7]
    z = (0.8 + 0.85 * (math.log(income) - 10.8) - 3.0 * (debt_ratio - 0.35)
         + 0.045 * (years - 10) + 0.07 * (accounts - 4) - 0.65 * late - 1.5 * (util - 0.4))
    return round(1 / (1 + math.exp(-2.7 * z)), 6)


def main():
    here = os.path.dirname(os.path.abspath(__file__))
    out = os.path.join(here, "data")
    os.makedirs(out, exist_ok=True)
    rng = random.Random(20261126)
    header = ["label"] + FEATURES + ["gender", "age_group"]
    with open(os.path.join(out, "train.csv"), "w", newline="") as f:
        w = csv.writer(f, lineterminator="\n")
        w.writerow(header)
        for _ in range(8000):
            w.writerow(person(rng))
    with open(os.path.join(out, "test.csv"), "w", newline="") as f:
        w = csv.writer(f, lineterminator="\n")
        w.writerow(header + ["score"])
        for _ in range(2000):
            row = person(rng)
            w.writerow(row + [scorecard(row)])


if __name__ == "__main__":
    main()
