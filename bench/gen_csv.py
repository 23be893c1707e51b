#!/usr/bin/python3
"""Writes a credit-scoring style CSV for benchmarking the reader:
label,score,f1,gender,age_group with ROWS rows (default 10,000,000).

usage: /usr/bin/python3 bench/gen_csv.py OUT.csv [ROWS] [SEED]
"""
import sys

import numpy as np


def main():
    out = sys.argv[1]
    rows = int(sys.argv[2]) if len(sys.argv) > 2 else 10_000_000
    seed = int(sys.argv[3]) if len(sys.argv) > 3 else 42
    rng = np.random.default_rng(seed)
    genders = np.array(["female", "male", "nonbinary", ""])
    ages = np.array(["18-25", "26-40", "41-60", "61+"])
    block = 1_000_000
    with open(out, "w", newline="") as f:
        f.write("label,score,f1,gender,age_group\n")
        for lo in range(0, rows, block):
            n = min(block, rows - lo)
            label = rng.integers(0, 2, n)
            score = rng.random(n)
            f1 = rng.normal(50.0, 15.0, n)
            gender = genders[rng.choice(4, n, p=[0.49, 0.49, 0.015, 0.005])]
            age = ages[rng.integers(0, 4, n)]
            lines = [
                f"{a},{b:.6f},{c:.4f},{d},{e}\n"
                for a, b, c, d, e in zip(label, score, f1, gender, age)
            ]
            f.write("".join(lines))


if __name__ == "__main__":
    main()
