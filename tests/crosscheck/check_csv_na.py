"""check_csv_na.py - which CSV fields modelgate reads as missing, against
pandas.read_csv on the same file: `modelgate inspect --format json` lists a
null where pandas has NaN. The file is built from pandas' own default
na_values (plus "None", which pandas 2 added), each word in a column of
numbers and in a column of words, quoted and not, with near misses that
both must read as text; then again with --na-values against
read_csv(na_values=..., keep_default_na=False).

Documented differences are left out of the file: modelgate trims blanks
around a field, and reads NaN in any case among numbers as missing.

Usage: /usr/bin/python3 check_csv_na.py <modelgate-binary>
"""
import csv
import json
import os
import subprocess
import sys
import tempfile

import pandas as pd
from pandas._libs.parsers import STR_NA_VALUES

MG = sys.argv[1]
failures = []


def check(cond, what):
    if not cond:
        failures.append(what)


DEFAULTS = sorted(set(STR_NA_VALUES) | {"None"})
NEAR = ["Null", "none", "NONE", "na", "Na", "#n/a", "<na>", "1.#ind", "NUL", "nil", "-"]


def write(path, rows, header):
    with open(path, "w", newline="") as f:
        w = csv.writer(f, lineterminator="\n")
        w.writerow(header)
        w.writerows(rows)


def mg_nulls(path, extra=()):
    out = subprocess.run([MG, "inspect", "--test-data", path, "--format", "json", *extra],
                         capture_output=True, text=True)
    if out.returncode != 0:
        failures.append(f"inspect {path} {extra}: exit {out.returncode}: {out.stderr.strip()}")
        return None
    doc = json.loads(out.stdout)
    return {c["name"]: [v is None for v in c["values"]] for c in doc["columns"]}


def compare(path, pandas_kw, extra, what):
    got = mg_nulls(path, extra)
    if got is None:
        return
    df = pd.read_csv(path, **pandas_kw)
    for name in df.columns:
        want = df[name].isna().tolist()
        check(got.get(name) == want,
              f"{what}: column {name}: modelgate nulls {got.get(name)} != pandas {want}")


with tempfile.TemporaryDirectory() as tmp:
    # One row per word: the word in a number column (other rows are numbers),
    # in a word column, and quoted (csv.QUOTE_ALL would quote the numbers too,
    # so the quoted column is written by hand below).
    words = DEFAULTS + NEAR
    rows = []
    for i, w in enumerate(words):
        rows.append([i, f"{i}.5" if i % 2 else w, w, f"g{i % 3}"])
    path = os.path.join(tmp, "defaults.csv")
    write(path, rows, ["id", "num", "word", "group"])
    compare(path, {"na_values": ["None"]}, [], "default list")
    # Each default word alone among numbers: null, and the column stays numeric.
    for w in DEFAULTS:
        p = os.path.join(tmp, "one.csv")
        with open(p, "w") as f:
            f.write(f'x,q\n1.5,a\n{w},"{w}"\n2,b\n')
        compare(p, {"na_values": ["None"]}, [], f"default word {w!r}")
        got = subprocess.run([MG, "inspect", "--test-data", p, "--format", "json"],
                             capture_output=True, text=True)
        if got.returncode == 0:
            col = json.loads(got.stdout)["columns"][0]
            check(col["type"] == "float" and col["values"] == [1.5, None, 2],
                  f"{w!r} among numbers: {col}")
    # --na-values replaces the list, as keep_default_na=False does.
    for arg, kw in [("?,", ["?", ""]), ("?,NULL,", ["?", "NULL", ""]), ("n/a,", ["n/a", ""])]:
        rows = [[i, w, w] for i, w in enumerate(DEFAULTS + NEAR + ["?"])]
        p = os.path.join(tmp, "custom.csv")
        write(p, rows, ["id", "a", "b"])
        compare(p, {"na_values": kw, "keep_default_na": False}, ["--na-values", arg],
                f"--na-values {arg!r}")

if failures:
    print(f"{len(failures)} failures:")
    for f in failures[:30]:
        print("  " + f)
    sys.exit(1)
print(f"csv missing values: {len(DEFAULTS)} default words and {len(NEAR)} near misses agree with "
      f"pandas {pd.__version__}")
