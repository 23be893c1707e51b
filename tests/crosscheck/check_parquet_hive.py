"""Hive-style partition folders: modelgate's reading of tests/data/parquet/hive/
against DuckDB's (tests/data/parquet/hive.json, made by
tests/fixtures/make_hive.mjs with hive_partitioning and the keys as strings).

Usage: /usr/bin/python3 check_parquet_hive.py <modelgate binary>   (env MG_SOURCE_DIR)

1. `modelgate inspect --format json` of the folder equals DuckDB's values,
   row by row: the partition keys are string columns after the file's columns,
   %XX escapes decoded, __HIVE_DEFAULT_PARTITION__ read as null.
2. --columns may name a partition key alone or with file columns.
3. A folder that is not key=value, and parts under different keys, are exit 2
   naming the folder or part: nothing is skipped silently.
"""
import json
import os
import shutil
import subprocess
import sys
import tempfile

SOURCE = os.environ.get("MG_SOURCE_DIR", os.path.join(os.path.dirname(__file__), "..", ".."))
HIVE = os.path.join(SOURCE, "tests", "data", "parquet", "hive")
REF = os.path.join(SOURCE, "tests", "data", "parquet", "hive.json")
failures = []


def fail(msg):
    failures.append(msg)
    print("FAIL: " + msg)


def inspect(binary, path, *extra):
    cmd = [binary, "inspect", "--test-data", path, "--format", "json", "--output", "-", *extra]
    return subprocess.run(cmd, capture_output=True, timeout=120, text=True)


def main():
    binary = sys.argv[1]
    with open(REF) as f:
        ref = json.load(f)
    r = inspect(binary, HIVE)
    if r.returncode != 0:
        fail(f"inspect exited {r.returncode}: {r.stderr.strip()}")
    else:
        got = json.loads(r.stdout)
        if got["rows"] != ref["rows"]:
            fail(f"rows {got['rows']}, DuckDB {ref['rows']}")
        names = [c["name"] for c in got["columns"]]
        if names != [c["name"] for c in ref["columns"]]:
            fail(f"columns {names}, DuckDB {[c['name'] for c in ref['columns']]}")
        for g, w in zip(got["columns"], ref["columns"]):
            for key in ("type", "nulls", "values"):
                if g[key] != w[key]:
                    fail(f"column {w['name']}: {key} differs: {str(g[key])[:200]} vs DuckDB {str(w[key])[:200]}")
    # Only a partition key, and a key with a file column.
    for cols in (["year"], ["score", "region"]):
        r = inspect(binary, HIVE, "--columns", ",".join(cols))
        if r.returncode != 0:
            fail(f"--columns {cols}: exit {r.returncode}: {r.stderr.strip()}")
            continue
        got = json.loads(r.stdout)
        want = {c["name"]: c["values"] for c in ref["columns"]}
        if [c["name"] for c in got["columns"]] != cols:
            fail(f"--columns {cols}: got columns {[c['name'] for c in got['columns']]}")
        for c in got["columns"]:
            if c["values"] != want[c["name"]]:
                fail(f"--columns {cols}: {c['name']} values differ from DuckDB's")
    with tempfile.TemporaryDirectory() as tmp:
        # A folder that is not key=value is refused, named.
        bad = os.path.join(tmp, "bad")
        shutil.copytree(HIVE, bad)
        os.makedirs(os.path.join(bad, "region=north", "extra"))
        shutil.copy(os.path.join(HIVE, "region=north", "year=2020", "part-0.parquet"),
                    os.path.join(bad, "region=north", "extra", "part-9.parquet"))
        r = inspect(binary, bad)
        if r.returncode != 2 or "region=north/extra" not in r.stderr or r.stdout:
            fail(f"non-partition folder: exit {r.returncode}, stderr {r.stderr.strip()!r}")
        # Parts under different keys are refused, the part named.
        mixed = os.path.join(tmp, "mixed")
        shutil.copytree(HIVE, mixed)
        shutil.copy(os.path.join(HIVE, "region=north", "year=2020", "part-0.parquet"),
                    os.path.join(mixed, "region=north", "part-7.parquet"))
        r = inspect(binary, mixed)
        if r.returncode != 2 or "region=north/part-7.parquet" not in r.stderr:
            fail(f"mixed partition depth: exit {r.returncode}, stderr {r.stderr.strip()!r}")
        # Hidden and underscore folders (writers' scratch, _SUCCESS, .crc) stay ignored.
        quiet = os.path.join(tmp, "quiet")
        shutil.copytree(HIVE, quiet)
        os.makedirs(os.path.join(quiet, "_temporary", "0"))
        os.makedirs(os.path.join(quiet, ".spark-staging"))
        open(os.path.join(quiet, "_SUCCESS"), "w").close()
        r = inspect(binary, quiet)
        if r.returncode != 0 or json.loads(r.stdout)["rows"] != ref["rows"]:
            fail(f"scratch folders: exit {r.returncode}, stderr {r.stderr.strip()!r}")
    if failures:
        print(f"{len(failures)} failure(s)")
        return 1
    print("hive partitions: modelgate agrees with DuckDB")
    return 0


if __name__ == "__main__":
    sys.exit(main())
