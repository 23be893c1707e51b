"""check_csv_delimiter.py - CSV files separated by ';', tab and '|' read with
`--delimiter` against pandas.read_csv(sep=...) on the same bytes: the same
column names, nulls and values (`modelgate inspect --format json`). The files
hold fields with the delimiter, commas, quotes and line ends inside quotes,
numbers, words and missing cells, written by Python's csv module (pandas with
float_precision="round_trip", its exact parser, as modelgate's is). Then the
same file read with the default ',' must fail as a file with the wrong
delimiter when a column is asked for.

Usage: /usr/bin/python3 check_csv_delimiter.py <modelgate-binary>
"""
import csv
import json
import math
import os
import random
import subprocess
import sys
import tempfile

import pandas as pd

MG = sys.argv[1]
failures = []
rng = random.Random(7)


def check(cond, what):
    if not cond:
        failures.append(what)


def cell(kind, d):
    r = rng.random()
    if r < 0.1:
        return ""  # missing in both readers
    if kind == "int":
        return str(rng.randint(-1000, 1000))
    if kind == "float":
        return repr(rng.uniform(-1e3, 1e3))
    pieces = ["a", "b c", d, ",", '"', "x\ny", ";", "|", "\t", "z"]
    return "w" + "".join(rng.choice(pieces) for _ in range(rng.randint(1, 4)))


def same(a, b):
    if a is None or (isinstance(a, float) and math.isnan(a)):
        return b is None or (isinstance(b, float) and math.isnan(b))
    if isinstance(a, (int, float)) and isinstance(b, (int, float)):
        return float(a) == float(b)
    return a == b


DELIMS = {";": ";", "\t": "tab", "|": "|"}
checked = 0
with tempfile.TemporaryDirectory() as tmp:
    for d, arg in DELIMS.items():
        for trial in range(3):
            kinds = ["int", "float", "str", "str"]
            header = ["id", "num", "text one", "t_two"]
            rows = [[cell(k, d) if c else str(i) for c, k in enumerate(kinds)]
                    for i in range(200)]
            path = os.path.join(tmp, f"t{trial}.csv")
            with open(path, "w", newline="") as f:
                w = csv.writer(f, delimiter=d, lineterminator="\n")
                w.writerow(header)
                w.writerows(rows)
            out = subprocess.run([MG, "inspect", "--test-data", path, "--delimiter", arg,
                                  "--format", "json"], capture_output=True, text=True)
            if out.returncode != 0:
                failures.append(f"sep {d!r}: exit {out.returncode}: {out.stderr.strip()}")
                continue
            got = {c["name"]: c["values"] for c in json.loads(out.stdout)["columns"]}
            df = pd.read_csv(path, sep=d, na_values=["None"], float_precision="round_trip")
            check(list(got) == list(df.columns),
                  f"sep {d!r}: names {list(got)} != pandas {list(df.columns)}")
            for name in df.columns:
                want = df[name].tolist()
                have = got.get(name, [])
                check(len(have) == len(want), f"sep {d!r} {name}: {len(have)} rows, pandas {len(want)}")
                for i, (a, b) in enumerate(zip(want, have)):
                    if not same(a, b):
                        failures.append(f"sep {d!r} column {name!r} row {i}: pandas {a!r}, modelgate {b!r}")
                        break
                    checked += 1
        # Read with ',' the header is one column: asked for a column, the
        # message says which delimiter it looks like.
        out = subprocess.run([MG, "inspect", "--test-data", path, "--columns", "id"],
                             capture_output=True, text=True)
        name = "a tab" if d == "\t" else f"'{d}'"
        flag = "tab" if d == "\t" else f"'{d}'"
        want = (f"modelgate inspect: {path}: no column 'id' (--columns); the header is one column "
                f"that looks separated by {name}: --delimiter {flag} reads it")
        check(out.returncode == 2 and out.stderr.strip().splitlines()[-1:] == [want],
              f"sep {d!r} read with ',': exit {out.returncode}: {out.stderr.strip()!r}")

if failures:
    print(f"{len(failures)} failures:")
    for f in failures[:30]:
        print("  " + f)
    sys.exit(1)
print(f"csv delimiters ';', tab, '|': {checked} cells agree with pandas {pd.__version__} read_csv(sep=...)")
