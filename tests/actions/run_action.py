"""Runs a composite action's steps the way the Actions runner does, on this
machine, for the tests: each `run:` step with `bash --noprofile --norc -eo
pipefail` in its working-directory, with its env: evaluated, a fresh
$GITHUB_OUTPUT file per step read back into steps.ID.outputs, and the
`if:` conditions evaluated (success() by default). `uses:` steps are not run:
actions/cache reports cache-hit from --cache-hit.

    run_action.py --action DIR --workspace DIR --result FILE [--cache-hit true|false]
                  [--input NAME=VALUE]...

The environment (GITHUB_EVENT_PATH, GITHUB_API_URL, GITHUB_STEP_SUMMARY, ...)
is passed on; GITHUB_ACTION_PATH is DIR. github.token is $HARNESS_TOKEN.
Writes FILE as JSON: {"outputs": {...}, "steps": [{"name", "outcome",
"exit_code"}], "exit_code": N} and exits with N, the first failing step's
exit code (0 when none failed), as the runner fails the action."""
import argparse
import json
import os
import re
import subprocess
import sys
import tempfile

import yaml

ap = argparse.ArgumentParser()
ap.add_argument("--action", required=True)
ap.add_argument("--workspace", required=True)
ap.add_argument("--result", required=True)
ap.add_argument("--cache-hit", default="true")
ap.add_argument("--input", action="append", default=[])
args = ap.parse_args()

with open(os.path.join(args.action, "action.yml")) as f:
    action = yaml.load(f, Loader=yaml.BaseLoader)

# ---- a small evaluator for the expressions the actions use ------------------

TOKEN = re.compile(r"\s*(?:(\|\||&&|==|!=|!|\(|\)|,)|('(?:[^']|'')*')|([A-Za-z_][A-Za-z0-9_.-]*))")


def tokenize(s):
    out, i = [], 0
    while i < len(s):
        m = TOKEN.match(s, i)
        if not m or m.end() == i:
            if s[i:].strip() == "":
                break
            raise ValueError("cannot parse expression %r at %d" % (s, i))
        out.append(m.group(1) or m.group(2) or m.group(3))
        i = m.end()
    return out


class Eval:
    def __init__(self, ctx, failed):
        self.ctx, self.failed = ctx, failed

    def run(self, s):
        self.t, self.i = tokenize(s), 0
        v = self.or_()
        if self.i != len(self.t):
            raise ValueError("trailing tokens in %r" % s)
        return v

    def peek(self):
        return self.t[self.i] if self.i < len(self.t) else None

    def take(self):
        self.i += 1
        return self.t[self.i - 1]

    def or_(self):
        v = self.and_()
        while self.peek() == "||":
            self.take()
            r = self.and_()
            v = v if truthy(v) else r
        return v

    def and_(self):
        v = self.cmp()
        while self.peek() == "&&":
            self.take()
            r = self.cmp()
            v = r if truthy(v) else v
        return v

    def cmp(self):
        v = self.unary()
        while self.peek() in ("==", "!="):
            op = self.take()
            r = self.unary()
            eq = str(v).lower() == str(r).lower() if isinstance(v, str) and isinstance(r, str) \
                else v == r
            v = eq if op == "==" else not eq
        return v

    def unary(self):
        if self.peek() == "!":
            self.take()
            return not truthy(self.unary())
        if self.peek() == "(":
            self.take()
            v = self.or_()
            self.take()
            return v
        tok = self.take()
        if tok.startswith("'"):
            return tok[1:-1].replace("''", "'")
        if self.peek() == "(":  # a function call without arguments
            self.take()
            self.take()
            return {"success": not self.failed, "failure": self.failed, "always": True,
                    "cancelled": False}[tok]
        if tok in ("true", "false"):
            return tok == "true"
        v = self.ctx
        for part in tok.split("."):
            v = v.get(part, "") if isinstance(v, dict) else ""
        return v


def truthy(v):
    return v not in ("", False, None, 0)


def as_str(v):
    return ("true" if v else "false") if isinstance(v, bool) else str(v)


def substitute(s, ctx, failed=False):
    return re.sub(r"\$\{\{(.*?)\}\}", lambda m: as_str(Eval(ctx, failed).run(m.group(1))), s)


def condition(s, ctx, failed):
    if s is None:
        return not failed
    s = s.strip()
    m = re.fullmatch(r"\$\{\{(.*)\}\}", s, re.S)
    expr = m.group(1) if m else s
    if not re.search(r"\b(success|failure|always|cancelled)\(", expr):
        expr = "success() && (%s)" % expr
    return truthy(Eval(ctx, failed).run(expr))


# ---- the run --------------------------------------------------------------------

token = os.environ.get("HARNESS_TOKEN", "")
ctx = {"github": {"action_path": args.action, "token": token, "workspace": args.workspace},
       "runner": {"os": "Linux", "arch": "X64"}, "steps": {}, "inputs": {}}
given = dict(kv.split("=", 1) for kv in args.input)
for name, spec in (action.get("inputs") or {}).items():
    default = substitute((spec or {}).get("default", ""), ctx)
    ctx["inputs"][name] = given.pop(name, default)
if given:
    sys.exit("run_action.py: unknown inputs %s" % sorted(given))

failed, exit_code, record = False, 0, []
for n, step in enumerate(action["runs"]["steps"]):
    name = step.get("name") or step.get("id") or "step %d" % (n + 1)
    entry = {"name": name, "outcome": "skipped", "exit_code": None}
    record.append(entry)
    sid = step.get("id")
    if not condition(step.get("if"), ctx, failed):
        if sid:
            ctx["steps"][sid] = {"outputs": {}, "outcome": "skipped"}
        continue
    outputs = {}
    if "uses" in step:
        if step["uses"].startswith("actions/cache"):
            outputs["cache-hit"] = args.cache_hit
        entry["outcome"] = "success"
    else:
        env = dict(os.environ)
        env["GITHUB_ACTION_PATH"] = args.action
        for k, v in (step.get("env") or {}).items():
            env[k] = substitute(v, ctx, failed)
        wd = substitute(step.get("working-directory", "."), ctx, failed)
        cwd = os.path.join(args.workspace, wd)
        with tempfile.NamedTemporaryFile("w", suffix=".sh", delete=False) as sf:
            sf.write(step["run"])
        with tempfile.NamedTemporaryFile("w", delete=False) as of:
            pass
        env["GITHUB_OUTPUT"] = of.name
        try:
            rc = subprocess.call(["bash", "--noprofile", "--norc", "-eo", "pipefail", sf.name],
                                 cwd=cwd, env=env)
        except OSError as e:  # a working-directory that does not exist
            print("run_action.py: %s: %s" % (name, e), file=sys.stderr)
            rc = 1
        with open(of.name) as f:
            lines = f.read().split("\n")
        os.unlink(sf.name)
        os.unlink(of.name)
        i = 0
        while i < len(lines):
            line = lines[i]
            m = re.fullmatch(r"([A-Za-z0-9_-]+)<<(.+)", line)
            if m:
                j = lines.index(m.group(2), i + 1)
                outputs[m.group(1)] = "\n".join(lines[i + 1:j])
                i = j + 1
                continue
            if "=" in line:
                k, v = line.split("=", 1)
                outputs[k] = v
            i += 1
        entry["exit_code"] = rc
        entry["outcome"] = "success" if rc == 0 else "failure"
        if rc != 0 and not failed:
            failed, exit_code = True, rc
    if sid:
        ctx["steps"][sid] = {"outputs": outputs, "outcome": entry["outcome"]}

result = {"outputs": {k: substitute((v or {}).get("value", ""), ctx)
                      for k, v in (action.get("outputs") or {}).items()},
          "steps": record, "exit_code": exit_code}
with open(args.result, "w") as f:
    json.dump(result, f, indent=1)
sys.exit(exit_code)
