#!/usr/bin/env python3
"""Results folders for the report tests (tests/e2e/test_render_*.sh), and
the independent readers the tests check the reports with.

  render_fixtures.py hostile DIR MODELGATE   a results folder whose group values,
      attribute and gate names hold %, newlines, |, <script>, ::, backticks,
      quotes, @mentions and invalid UTF-8; fairness.json is written by
      `modelgate fairness` itself, gate.json by hand (with raw invalid bytes)
  render_fixtures.py big DIR N               a results folder with N groups
"""
import json
import os
import subprocess
import sys

# The hostile group values (bytes: one is not UTF-8).
HOSTILE_GROUPS = [
    b"100% <script>alert(1)</script>",
    b"a|b||c",
    b"line1\nline2\r\nline3",
    b"::error::pwned",
    b"`code` **bold** _it_ [x](http://e.com) <b>b</b> &amp; ~~s~~ #1 $x$",
    b"\"double\" 'single'",
    b"@user and @org/team",
    b"caf\xe9 \xff\xfe end",
]
HOSTILE_ATTR = "team <i>@org</i> | 100%"


def sanitize(s):
    """What every report keeps of a data string: invalid UTF-8 as U+FFFD."""
    if isinstance(s, bytes):
        return s.decode("utf-8", errors="replace")
    return s


def hostile(out, mg):
    os.makedirs(out, exist_ok=True)
    csv_path = os.path.join(out, "data.csv")

    def q(b):  # a CSV field, always quoted
        return b'"' + b.replace(b'"', b'""') + b'"'

    rows = [b"label,score," + q(HOSTILE_ATTR.encode())]
    for gi, g in enumerate(HOSTILE_GROUPS):
        for r in range(40):
            y = (r * 7 + gi) % 3 != 0
            s = 0.9 if (r + gi) % 4 != 0 else 0.2
            if not y:
                s = 1 - s
            rows.append(b"%d,%s,%s" % (y, str(s).encode(), q(g)))
    with open(csv_path, "wb") as f:
        f.write(b"\n".join(rows) + b"\n")
    r = subprocess.run([mg, "fairness", "--model", "column:score", "--test-data", csv_path,
                        "--protected-attributes", HOSTILE_ATTR, "--min-group-size", "1",
                        "--quiet", "--output", os.path.join(out, "fairness.json")],
                       capture_output=True)
    if r.returncode not in (0, 1, 3):
        sys.exit("modelgate fairness failed: " + r.stderr.decode(errors="replace"))
    os.remove(csv_path)
    with open(os.path.join(out, "fairness.json"), "rb") as f:
        fair = json.loads(f.read())
    ratio = fair["demographic_parity"][HOSTILE_ATTR]["ratio"]
    # gate.json: names and reasons from data; written as bytes so that some
    # strings carry raw invalid UTF-8 (the reports read it as U+FFFD)
    gates = []
    for i, g in enumerate(HOSTILE_GROUPS):
        gates.append({
            "name": "slice " + sanitize(g) + " >= 0.5",
            "kind": "slice", "metric": "accuracy",
            "attribute": HOSTILE_ATTR + "=" + sanitize(g),
            "op": ">=", "threshold": 0.5, "value": 0.25 + 0.1 * i, "value_reason": None,
            "ci": {"low": 0.2 + 0.1 * i, "high": 0.3 + 0.1 * i, "level": 0.95,
                   "method": "wilson"},
            "decided_on": "interval", "interval_straddles_threshold": False,
            "verdict": ["fail", "pass", "inconclusive", "skipped"][i % 4],
            "reason": "because " + sanitize(g) + "\n::error::injected %0A",
            "source": "pol%%icy,x.yml:%d:3 gates.slices[%d]" % (i + 1, i)})
    gates.append({"name": "demographic_parity_ratio(" + HOSTILE_ATTR + ") >= 0.8",
                  "kind": "fairness", "metric": "demographic_parity_ratio",
                  "attribute": HOSTILE_ATTR, "op": ">=", "threshold": 0.8, "value": ratio,
                  "value_reason": None, "ci": None, "verdict": "pass" if ratio >= 0.8 else "fail",
                  "reason": "ratio", "source": None})
    gate = {"verdict": "fail", "exit_code": 1, "on_inconclusive": "warn",
            "gates": gates, "outputs": {"fairness": "fairness.json"},
            "provenance": {"model": "column:score\n::warning::x", "model_sha256": None,
                           "data": "data<script>.csv", "data_sha256": "ab" * 32,
                           "policy": "p`o`l|icy.yml", "policy_sha256": None, "baseline": None,
                           "modelgate_version": "0.1.0", "seed": 42,
                           "created_at": "2026-11-30T09:00:00Z"}}
    text = json.dumps(gate, indent=1, ensure_ascii=False).encode()
    # raw invalid bytes inside two strings (U+FFFD already stands in the
    # sanitized copies above; put the raw bytes back in the first one's name)
    text = text.replace("caf\ufffd \ufffd\ufffd end >= 0.5".encode(),
                        b"caf\xe9 \xff\xfe end >= 0.5", 1)
    with open(os.path.join(out, "gate.json"), "wb") as f:
        f.write(text)


def big(out, n):
    os.makedirs(out, exist_ok=True)
    groups = [{"value": "group-%05d" % i if i % 97 else None, "n": 40 + i % 13,
               "selection_rate": (i % 100) / 100, "tpr": 0.5, "fpr": 0.25} for i in range(n)]
    small = [{"value": v, "n": 100, "selection_rate": 0.5, "tpr": 0.5, "fpr": 0.5}
             for v in ("a", "b")]
    fair = {"demographic_parity": {
        "small": {"ratio": 1, "difference": 0, "gated": True, "verdict": "pass", "groups": small},
        "many": {"ratio": 0.01, "difference": 0.99, "gated": True, "verdict": "fail",
                 "groups": groups}},
        "min_group_size": 30}
    gate = {"verdict": "fail", "on_inconclusive": "fail", "gates": [
        {"name": "demographic_parity_ratio(many) >= 0.8", "kind": "fairness",
         "metric": "demographic_parity_ratio", "attribute": "many", "op": ">=",
         "threshold": 0.8, "value": 0.01, "ci": None, "verdict": "fail", "reason": "low"},
        {"name": "demographic_parity_ratio(small) >= 0.8", "kind": "fairness",
         "metric": "demographic_parity_ratio", "attribute": "small", "op": ">=",
         "threshold": 0.8, "value": 1, "ci": None, "verdict": "pass", "reason": "ok"}],
        "provenance": {"modelgate_version": "0.1.0"}}
    with open(os.path.join(out, "fairness.json"), "w") as f:
        json.dump(fair, f, indent=1)
    with open(os.path.join(out, "gate.json"), "w") as f:
        json.dump(gate, f, indent=1)


if __name__ == "__main__":
    if sys.argv[1] == "hostile":
        hostile(sys.argv[2], sys.argv[3])
    elif sys.argv[1] == "big":
        big(sys.argv[2], int(sys.argv[3]))
    else:
        sys.exit(__doc__)
