"""Parquet fixture matrix, value by value: every file of tests/data/parquet/matrix/ (and
the parts/ directory) read by `modelgate inspect` must hold exactly the table of test.csv,
parsed here with Python's csv module (independent of modelgate's CSV reader); reading
with one thread must give the same bytes as with four.

Usage: /usr/bin/python3 check_parquet_matrix.py <modelgate binary>   (env MG_SOURCE_DIR)
"""
import csv
import glob
import json
import math
import os
import subprocess
import sys

SOURCE = os.environ.get("MG_SOURCE_DIR", os.path.join(os.path.dirname(__file__), "..", ".."))
MATRIX = os.path.join(SOURCE, "tests", "data", "parquet", "matrix")
# Column types as modelgate maps the Parquet columns (ts: microseconds since the epoch).
TYPES = {"label": "int", "score": "float", "f1": "float", "f2": "float", "f3": "float",
         "gender": "string", "age_group": "string", "ts": "int"}


def expected():
    with open(os.path.join(MATRIX, "test.csv"), newline="", encoding="utf-8") as f:
        rows = list(csv.DictReader(f))
    cols = {}
    for name, kind in TYPES.items():
        conv = {"int": int, "float": float, "string": str}[kind]
        # The CSV writes a null gender as an empty field; no other field is empty.
        cols[name] = [None if r[name] == "" else conv(r[name]) for r in rows]
    return len(rows), cols


def main():
    binary = sys.argv[1]
    nrows, want = expected()
    if nrows != 2000 or want["gender"].count(None) == 0:
        print(f"FAIL: test.csv has {nrows} rows and {want['gender'].count(None)} null genders")
        return 1
    inputs = sorted(glob.glob(os.path.join(MATRIX, "*.parquet"))) + [os.path.join(MATRIX, "parts")]
    failures = 0
    for path in inputs:
        name = os.path.relpath(path, MATRIX)
        cmd = [binary, "inspect", "--test-data", path, "--format", "json", "--output", "-"]
        r = subprocess.run(cmd + ["--threads", "4"], capture_output=True, timeout=120)
        if r.returncode != 0:
            print(f"FAIL {name}: exit {r.returncode}: {r.stderr.decode(errors='replace').strip()}")
            failures += 1
            continue
        # Row groups decode in parallel: one thread must give the same bytes.
        one = subprocess.run(cmd + ["--threads", "1"], capture_output=True, timeout=120)
        if one.returncode != 0 or one.stdout != r.stdout:
            print(f"FAIL {name}: --threads 1 gives other output than --threads 4")
            failures += 1
            continue
        got = json.loads(r.stdout)
        cols = {c["name"]: c for c in got["columns"]}
        problems = []
        if got["rows"] != nrows:
            problems.append(f"rows {got['rows']}")
        if [c["name"] for c in got["columns"]] != list(TYPES):
            problems.append(f"columns {[c['name'] for c in got['columns']]}")
        for col, kind in TYPES.items():
            c = cols.get(col)
            if c is None:
                continue
            if c["type"] != kind:
                problems.append(f"{col}: type {c['type']}, expected {kind}")
                continue
            if c["nulls"] != want[col].count(None):
                problems.append(f"{col}: nulls {c['nulls']}, expected {want[col].count(None)}")
            for i, (a, b) in enumerate(zip(want[col], c["values"])):
                same = (a is None and b is None) or (
                    a is not None and b is not None and
                    (a == b if kind != "float" else (isinstance(b, (int, float)) and not math.isnan(b) and float(b) == a)))
                if not same:
                    problems.append(f"{col}: row {i}: got {b!r}, expected {a!r}")
                    break
        if problems:
            print(f"FAIL {name}: " + "; ".join(problems))
            failures += 1
    if len(inputs) < 20:
        print(f"FAIL: only {len(inputs)} inputs under {MATRIX}")
        failures += 1
    print(f"{len(inputs)} matrix inputs compared with test.csv: {failures} failing")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
