"""Merged shards equal the whole run exactly: a property test over random
splits of the same rows (docs/scale.md).

For binary (text labels yes/no, with and without non-integer weights, slices,
an operating point, bootstrap intervals), multiclass (probability columns)
and regression test sets, the rows are split at random into 1 to 7 shard
files many times (each row in exactly one shard, in shuffled order); every
shard runs `evaluate --partial` and `fairness --partial`, `modelgate merge`
merges them, and metrics.json and fairness.json must equal the unsharded
run's exactly (every number the same double; only "provenance" differs), with
the same exit code. The same holds for `--shard K/N` of one CSV file and of a
Parquet file (tests/data/parquet/matrix) for every N from 1 to 7.

Usage: /usr/bin/python3 check_shards.py <modelgate binary>   (env MG_SOURCE_DIR)
"""
import csv
import json
import os
import subprocess
import sys
import tempfile

import numpy as np

MG = sys.argv[1]
SOURCE = os.environ.get("MG_SOURCE_DIR", os.path.join(os.path.dirname(__file__), "..", ".."))
PARQUET = os.path.join(SOURCE, "tests", "data", "parquet", "matrix", "duckdb_default.parquet")
rng = np.random.default_rng(20261130)
failures = []
checks = 0


def run(args):
    return subprocess.run([MG] + args, capture_output=True, timeout=300)


def result(path):
    with open(path, encoding="utf-8") as f:
        doc = json.load(f)  # Python's float parsing is exact: == compares the doubles
    doc.pop("provenance", None)
    return doc


def write_csv(path, header, rows):
    with open(path, "w", newline="", encoding="utf-8") as f:
        w = csv.writer(f)
        w.writerow(header)
        w.writerows(rows)


def first_difference(a, b, where=""):
    if type(a) is not type(b):
        return f"{where}: {a!r} vs {b!r}"
    if isinstance(a, dict):
        for k in sorted(set(a) | set(b)):
            if k not in a or k not in b:
                return f"{where}.{k}: only in one"
            d = first_difference(a[k], b[k], f"{where}.{k}")
            if d:
                return d
        return None
    if isinstance(a, list):
        if len(a) != len(b):
            return f"{where}: {len(a)} vs {len(b)} items"
        for i, (x, y) in enumerate(zip(a, b)):
            d = first_difference(x, y, f"{where}[{i}]")
            if d:
                return d
        return None
    return None if a == b else f"{where}: {a!r} vs {b!r}"


def compare(name, whole, whole_rc, merged, merged_rc):
    global checks
    checks += 1
    if whole_rc.returncode != merged_rc.returncode:
        failures.append(f"{name}: exit {merged_rc.returncode} merged vs {whole_rc.returncode} "
                        f"whole: {merged_rc.stderr.decode(errors='replace').strip()}")
        return
    d = first_difference(result(whole), result(merged))
    if d:
        failures.append(f"{name}: merged differs from the whole run at {d}")


def merge(tmp, partials, out):
    return run(["merge", *partials, "--output", out, "--quiet"])


def split(n, k, must_cover):
    """A random assignment of n rows to k shards, each shard non-empty and
    holding every value of must_cover (labels or classes)."""
    for _ in range(1000):
        shard = rng.integers(0, k, n)
        ok = all((shard == s).any() for s in range(k))
        for s in range(k):
            vals = set(must_cover[shard == s])
            ok = ok and vals == set(must_cover)
        if ok:
            return shard
    raise RuntimeError("no split found")


def scenario(tmp, name, header, rows, cover, eval_args, fair_args, trials):
    full = os.path.join(tmp, f"{name}.csv")
    write_csv(full, header, rows)
    whole_m, whole_f = os.path.join(tmp, f"{name}-m.json"), os.path.join(tmp, f"{name}-f.json")
    rc_m = run(["evaluate", "--test-data", full, *eval_args, "--output", whole_m, "--quiet"])
    rc_f = run(["fairness", "--test-data", full, *fair_args, "--output", whole_f, "--quiet"])
    for rc, what in ((rc_m, "evaluate"), (rc_f, "fairness")):
        if rc.returncode not in (0, 1, 3):
            failures.append(f"{name}: whole {what} exit {rc.returncode}: "
                            f"{rc.stderr.decode(errors='replace').strip()}")
            return
    cover = np.asarray(cover)
    for trial in range(trials):
        k = int(rng.integers(1, 8))
        shard = split(len(rows), k, cover)
        pm, pf = [], []
        for s in range(k):
            idx = np.flatnonzero(shard == s)
            rng.shuffle(idx)  # the order of rows inside a shard does not matter either
            part = os.path.join(tmp, f"{name}-{trial}-{s}.csv")
            write_csv(part, header, [rows[i] for i in idx])
            pm.append(part + ".m.mgp")
            pf.append(part + ".f.mgp")
            for cmd, args, out in (("evaluate", eval_args, pm[-1]), ("fairness", fair_args, pf[-1])):
                r = run([cmd, "--test-data", part, *args, "--partial", out, "--quiet"])
                if r.returncode != 0:
                    failures.append(f"{name} trial {trial} shard {s}/{k}: {cmd} --partial exit "
                                    f"{r.returncode}: {r.stderr.decode(errors='replace').strip()}")
                    return
        order = list(rng.permutation(k))  # partials in any order
        out_m = os.path.join(tmp, f"{name}-{trial}-m.json")
        out_f = os.path.join(tmp, f"{name}-{trial}-f.json")
        compare(f"{name} metrics.json, {k} random shards", whole_m, rc_m,
                out_m, merge(tmp, [pm[i] for i in order], out_m))
        compare(f"{name} fairness.json, {k} random shards", whole_f, rc_f,
                out_f, merge(tmp, [pf[i] for i in order], out_f))
    # --shard K/N of the one file, for a few N.
    for n in (2, 5, 7):
        pm = [os.path.join(tmp, f"{name}-k{k}of{n}.mgp") for k in range(n)]
        ok = True
        for k in range(n):
            r = run(["evaluate", "--test-data", full, *eval_args, "--shard", f"{k}/{n}",
                     "--partial", pm[k], "--quiet"])
            ok = ok and r.returncode == 0
        if not ok:
            # A contiguous range may miss a label; the random splits cover that case.
            continue
        out_m = os.path.join(tmp, f"{name}-k{n}-m.json")
        compare(f"{name} metrics.json, --shard K/{n}", whole_m, rc_m, out_m,
                merge(tmp, pm, out_m))


def binary_rows(n, weighted):
    rows = []
    for _ in range(n):
        y = int(rng.integers(0, 2))
        s = float(np.clip(rng.normal(0.35 + 0.3 * y, 0.2), 0, 1))
        s = round(s, 2) if rng.random() < 0.5 else s  # ties and distinct scores both
        row = ["yes" if y else "no", s, str(rng.choice(["a", "b", "c"])),
               int(rng.integers(18, 80)), str(rng.choice(["north", "south"]))]
        if weighted:
            row.append(round(float(rng.uniform(0.1, 3)), 4))
        rows.append(row)
    return rows


def main():
    with tempfile.TemporaryDirectory() as tmp:
        common = ["--model", "column:score", "--positive-label", "yes"]
        rows = binary_rows(600, False)
        scenario(tmp, "binary", ["label", "score", "group", "age", "region"], rows,
                 [r[0] for r in rows],
                 common + ["--slice-by", "group,age", "--slice-cross", "group,region",
                           "--operating-point", "precision=0.6", "--min", "accuracy=0.5",
                           "--slice-min", "recall=0.2"],
                 common + ["--protected-attributes", "group,region", "--intersectional",
                           "--gate", "demographic_parity,equalized_odds"], 8)
        rows = binary_rows(400, True)
        scenario(tmp, "weighted", ["label", "score", "group", "age", "region", "w"], rows,
                 [r[0] for r in rows],
                 common + ["--weight", "w", "--slice-by", "group", "--confidence", "0.9",
                           "--bootstrap", "200"],
                 common + ["--weight", "w", "--protected-attributes", "group", "--confidence",
                           "0.9", "--bootstrap", "200"], 6)
        # multiclass: one probability column per class
        rows = []
        for _ in range(450):
            c = int(rng.integers(0, 3))
            logits = rng.normal(0, 1, 3)
            logits[c] += 1.5
            p = np.exp(logits) / np.exp(logits).sum()
            rows.append(["abc"[c], *[float(x) for x in p], str(rng.choice(["a", "b"]))])
        mc_eval = ["--model", "columns:a,b,c", "--slice-by", "group"]
        write_csv(os.path.join(tmp, "mc.csv"), ["label", "a", "b", "c", "group"], rows)
        multiclass(tmp, rows, mc_eval)
        # regression
        rows = []
        for _ in range(500):
            x = float(rng.normal(10, 3))
            pred = x + float(rng.normal(0, 1))
            pred = round(pred, 1) if rng.random() < 0.3 else pred
            rows.append([x, pred, str(rng.choice(["a", "b", "c"])), int(rng.integers(0, 5))])
        scenario(tmp, "regression", ["label", "pred", "group", "k"], rows,
                 [0] * len(rows),
                 ["--model", "column:pred", "--task", "regression", "--slice-by", "group,k"],
                 ["--model", "column:pred", "--task", "regression", "--protected-attributes",
                  "group", "--gate", "mae"], 6)
        parquet(tmp)
    print(f"{checks} merged results compared")
    for f in failures:
        print("FAIL:", f)
    if checks < 60:
        print(f"FAIL: only {checks} comparisons ran")
        return 1
    return 1 if failures else 0


def multiclass(tmp, rows, eval_args):
    """Multiclass has no fairness command: evaluate only, random splits."""
    full = os.path.join(tmp, "mc.csv")
    whole = os.path.join(tmp, "mc-m.json")
    rc = run(["evaluate", "--test-data", full, *eval_args, "--output", whole, "--quiet"])
    if rc.returncode != 0:
        failures.append(f"multiclass whole: {rc.stderr.decode(errors='replace').strip()}")
        return
    cover = np.asarray([r[0] for r in rows])
    for trial in range(8):
        k = int(rng.integers(1, 8))
        shard = split(len(rows), k, cover)
        parts = []
        for s in range(k):
            idx = np.flatnonzero(shard == s)
            rng.shuffle(idx)
            part = os.path.join(tmp, f"mc-{trial}-{s}.csv")
            write_csv(part, ["label", "a", "b", "c", "group"], [rows[i] for i in idx])
            parts.append(part + ".mgp")
            r = run(["evaluate", "--test-data", part, *eval_args, "--partial", parts[-1],
                     "--quiet"])
            if r.returncode != 0:
                failures.append(f"multiclass shard: {r.stderr.decode(errors='replace').strip()}")
                return
        out = os.path.join(tmp, f"mc-{trial}.json")
        compare(f"multiclass metrics.json, {k} random shards", whole, rc, out,
                merge(tmp, parts, out))


def parquet(tmp):
    """--shard K/N of a Parquet file, every N from 1 to 7."""
    ev = ["--model", "column:score", "--slice-by", "gender,age_group"]
    fa = ["--model", "column:score", "--protected-attributes", "gender,age_group"]
    whole_m, whole_f = os.path.join(tmp, "pq-m.json"), os.path.join(tmp, "pq-f.json")
    rc_m = run(["evaluate", "--test-data", PARQUET, *ev, "--output", whole_m, "--quiet"])
    rc_f = run(["fairness", "--test-data", PARQUET, *fa, "--output", whole_f, "--quiet"])
    if rc_m.returncode not in (0, 1, 3) or rc_f.returncode not in (0, 1, 3):
        failures.append(f"parquet whole: {rc_m.stderr.decode()} {rc_f.stderr.decode()}")
        return
    for n in range(1, 8):
        pm, pf = [], []
        for k in range(n):
            pm.append(os.path.join(tmp, f"pq-{k}of{n}.m.mgp"))
            pf.append(os.path.join(tmp, f"pq-{k}of{n}.f.mgp"))
            for cmd, args, out in (("evaluate", ev, pm[-1]), ("fairness", fa, pf[-1])):
                r = run([cmd, "--test-data", PARQUET, *args, "--shard", f"{k}/{n}", "--partial",
                         out, "--quiet"])
                if r.returncode != 0:
                    failures.append(f"parquet {cmd} --shard {k}/{n}: "
                                    f"{r.stderr.decode(errors='replace').strip()}")
                    return
        out_m, out_f = os.path.join(tmp, f"pq-{n}-m.json"), os.path.join(tmp, f"pq-{n}-f.json")
        compare(f"parquet metrics.json, --shard K/{n}", whole_m, rc_m, out_m,
                merge(tmp, pm[::-1], out_m))
        compare(f"parquet fairness.json, --shard K/{n}", whole_f, rc_f, out_f,
                merge(tmp, pf, out_f))


if __name__ == "__main__":
    sys.exit(main())
