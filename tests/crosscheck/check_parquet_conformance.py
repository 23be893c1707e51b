"""Parquet conformance: modelgate's reader against independent references.

Usage: /usr/bin/python3 check_parquet_conformance.py <modelgate binary>   (env MG_SOURCE_DIR)

1. Every tests/data/parquet/conformance/<file>.json (values on which DuckDB and hyparquet,
   or hyparquet and parquet-wasm, agree; see the README there) is compared value by value
   with `modelgate inspect` on tests/data/parquet-testing/data/<file>.
2. The *_expect.csv files of the conformance data are compared the same way.
3. Every negative file (the conformance README's list and all of bad_data/) must be
   refused: exit 2, nothing on stdout, one line on stderr naming a byte offset or a
   column, and no crash (signal, sanitizer report).
"""
import glob
import json
import math
import os
import re
import struct
import subprocess
import sys

SOURCE = os.environ.get("MG_SOURCE_DIR", os.path.join(os.path.dirname(__file__), "..", ".."))
SHARED = os.path.join(SOURCE, "tests", "data", "parquet-testing")
REFS = os.path.join(SOURCE, "tests", "data", "parquet", "conformance")

NEGATIVE = [
    "data/uniform_encryption.parquet.encrypted",
    "data/nested_structs.rust.parquet",
    "data/nation.dict-malformed.parquet",
    "data/datapage_v1-corrupt-checksum.parquet",
    "data/rle-dict-uncompressed-corrupt-checksum.parquet",
]
# What the message must name for the negatives where a byte offset is not the point.
NEGATIVE_WORDS = {
    "data/uniform_encryption.parquet.encrypted": re.compile(r"encrypt", re.I),
    "data/nested_structs.rust.parquet": re.compile(r"nested.*roll_num|roll_num.*nested", re.I),
}
PLACE = re.compile(r"(byte|offset)\s*\d+|column\s+\S+", re.I)
CRASH = re.compile(r"AddressSanitizer|LeakSanitizer|runtime error:|Segmentation fault|Aborted")

failures = []


def fail(msg):
    failures.append(msg)
    print("FAIL: " + msg)


def parse_int_keep_sign(text):
    # "-0" is how a shortest-round-trip printer writes negative zero.
    return -0.0 if text == "-0" else int(text)


def inspect(binary, path, columns):
    cmd = [binary, "inspect", "--test-data", path, "--format", "json", "--output", "-"]
    if columns is not None:
        cmd[2:2] = ["--columns", ",".join(columns)]
    return subprocess.run(cmd, capture_output=True, timeout=120)


def as_float(v):
    if isinstance(v, str):
        return {"NaN": math.nan, "Infinity": math.inf, "-Infinity": -math.inf}[v]
    return float(v)


def ulp_distance(a, b):
    ia = struct.unpack("<q", struct.pack("<d", a))[0]
    ib = struct.unpack("<q", struct.pack("<d", b))[0]
    if ia < 0:
        ia = -(1 << 63) - ia
    if ib < 0:
        ib = -(1 << 63) - ib
    return abs(ia - ib)


def same_value(kind, want, got, loose):
    if want is None or got is None:
        return want is None and got is None
    if kind == "float":
        if isinstance(got, bool) or not isinstance(got, (int, float, str)):
            return False
        if isinstance(got, str) and got not in ("NaN", "Infinity", "-Infinity"):
            return False
        w, g = as_float(want), as_float(got)
        if math.isnan(w) or math.isnan(g):
            return math.isnan(w) and math.isnan(g)
        # modelgate's JSON writes -0 as 0 on purpose (lib/report/json.c), so the sign of
        # a zero is not compared.
        if w == g:
            return True
        # float32/float16 sources: widened exactly, but allow one unit in the last place
        # of a double in case the reader converts through another path.
        return loose and math.isfinite(w) and math.isfinite(g) and ulp_distance(w, g) <= 1
    if kind == "int":
        return type(got) is int and got == want
    if kind == "bool":
        return got is want
    return isinstance(got, str) and got == want


def compare_table(label, want_cols, got, rows, stride=1):
    if got.get("rows") != rows:
        fail(f"{label}: rows {got.get('rows')}, expected {rows}")
        return
    by_name = {c.get("name"): c for c in got.get("columns", [])}
    for w in want_cols:
        g = by_name.get(w["name"])
        if g is None:
            fail(f"{label}: column {w['name']!r} missing from inspect output")
            continue
        where = f"{label}: column {w['name']!r}"
        if g.get("type") != w["type"]:
            fail(f"{where}: type {g.get('type')}, expected {w['type']}")
            continue
        if "nulls" in w and g.get("nulls") != w["nulls"]:
            fail(f"{where}: nulls {g.get('nulls')}, expected {w['nulls']}")
        values = g.get("values", [])
        if len(values) != rows:
            fail(f"{where}: {len(values)} values, expected {rows}")
            continue
        values = values[::stride]
        loose = w.get("single", False) or w.get("half", False)
        bad = [i for i, (a, b) in enumerate(zip(w["values"], values))
               if not same_value(w["type"], a, b, loose)]
        if len(values) != len(w["values"]):
            fail(f"{where}: {len(values)} sampled values, reference has {len(w['values'])}")
        elif bad:
            i = bad[0]
            fail(f"{where}: {len(bad)} values differ, first at row {i * stride}: "
                 f"got {values[i]!r}, expected {w['values'][i]!r}")


def run_inspect_json(binary, label, path, columns):
    r = inspect(binary, path, columns)
    if r.returncode != 0:
        err = r.stderr.decode(errors="replace").strip().splitlines()
        crash = [x for x in err if CRASH.search(x)]
        fail(f"{label}: inspect exit {r.returncode}: {(crash or err or [''])[-1 if not crash else 0]}")
        return None
    try:
        return json.loads(r.stdout, parse_int=parse_int_keep_sign)
    except ValueError as e:
        fail(f"{label}: inspect output is not JSON ({e})")
        return None


def check_references(binary):
    refs = sorted(glob.glob(os.path.join(REFS, "*.parquet.json")))
    if len(refs) < 40:
        fail(f"only {len(refs)} reference files under {REFS}")
    ncols = nvals = 0
    for ref_path in refs:
        with open(ref_path, encoding="utf-8") as f:
            ref = json.load(f)
        if not ref["columns"]:
            continue
        name = ref["source"]
        got = run_inspect_json(binary, name, os.path.join(SHARED, "data", name),
                               [c["name"] for c in ref["columns"]])
        if got is None:
            continue
        compare_table(name, ref["columns"], got, ref["rows"], ref.get("row_stride", 1))
        ncols += len(ref["columns"])
        nvals += sum(len(c["values"]) for c in ref["columns"])
    print(f"references: {len(refs)} files, {ncols} columns, {nvals} values compared")


def split_csv_line(line):
    """Fields of one CSV line; an empty unquoted field is None (null), "" is ''."""
    fields, i, n = [], 0, len(line)
    while True:
        if i < n and line[i] == '"':
            j, text = i + 1, []
            while True:
                k = line.index('"', j)
                text.append(line[j:k])
                if k + 1 < n and line[k + 1] == '"':
                    text.append('"')
                    j = k + 2
                else:
                    i = k + 1
                    break
            fields.append("".join(text))
        else:
            k = line.find(",", i)
            k = n if k < 0 else k
            fields.append(line[i:k] if k > i else None)
            i = k
        if i >= n:
            return fields
        i += 1  # the comma
        if i == n:
            fields.append(None)
            return fields


def check_expect_csv(binary):
    for csv_path in sorted(glob.glob(os.path.join(SHARED, "data", "*_expect.csv"))):
        pq = os.path.basename(csv_path).replace("_expect.csv", ".parquet")
        got = run_inspect_json(binary, pq + " (expect.csv)", os.path.join(SHARED, "data", pq), None)
        if got is None:
            continue
        with open(csv_path, encoding="utf-8") as f:
            lines = f.read().splitlines()
        header, body = split_csv_line(lines[0]), [split_csv_line(x) for x in lines[1:]]
        cols = got.get("columns", [])
        if len(cols) != len(header):
            fail(f"{pq}: {len(cols)} columns, expect.csv has {len(header)}")
            continue
        want_cols = []
        for j, col in enumerate(cols):
            kind = col.get("type")
            conv = {"int": int, "float": float, "bool": lambda t: t == "true"}.get(kind, str)
            values = [None if row[j] is None else conv(row[j]) for row in body]
            want_cols.append({"name": col.get("name"), "type": kind, "values": values})
        compare_table(pq + " (expect.csv)", want_cols, got, len(body))
        print(f"expect.csv: {pq}: {len(body)} rows x {len(header)} columns compared")


def check_negative(binary):
    files = NEGATIVE + sorted("bad_data/" + f for f in os.listdir(os.path.join(SHARED, "bad_data"))
                              if f.endswith(".parquet"))
    for rel in files:
        r = inspect(binary, os.path.join(SHARED, rel), None)
        err = r.stderr.decode(errors="replace")
        ref_path = os.path.join(REFS, rel + ".json")
        if r.returncode == 0 and os.path.exists(ref_path):
            # A bad_data file that DuckDB and hyparquet both read alike (ARROW-GH-43605:
            # dictionary indices with bit width 0): reading it is allowed, but only with
            # their values.
            with open(ref_path, encoding="utf-8") as f:
                ref = json.load(f)
            try:
                got = json.loads(r.stdout, parse_int=parse_int_keep_sign)
            except ValueError as e:
                fail(f"{rel}: read, but the output is not JSON ({e})")
                continue
            compare_table(rel, ref["columns"], got, ref["rows"], ref.get("row_stride", 1))
            continue
        lines = err.strip().splitlines()
        if r.returncode < 0 or r.returncode >= 128 or CRASH.search(err):
            fail(f"{rel}: crashed (exit {r.returncode}): {err.strip()[:300]}")
            continue
        if r.returncode != 2:
            fail(f"{rel}: exit {r.returncode}, expected 2")
            continue
        if r.stdout:
            fail(f"{rel}: refused but wrote {len(r.stdout)} bytes to stdout")
        if len(lines) != 1:
            fail(f"{rel}: stderr has {len(lines)} lines, expected one: {err.strip()[:300]}")
            continue
        word = NEGATIVE_WORDS.get(rel)
        if word is not None and not word.search(lines[0]):
            fail(f"{rel}: message does not say {word.pattern!r}: {lines[0]}")
        elif word is None and not PLACE.search(lines[0]):
            fail(f"{rel}: message names no byte offset or column: {lines[0]}")
    print(f"negative: {len(files)} files refused (or, for a bad_data file both references read, read alike)")


def main():
    binary = sys.argv[1]
    check_references(binary)
    check_expect_csv(binary)
    check_negative(binary)
    if failures:
        print(f"{len(failures)} failures")
        return 1
    print("ok")
    return 0


if __name__ == "__main__":
    sys.exit(main())
