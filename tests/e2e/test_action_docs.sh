#!/usr/bin/env bash
# test_action_docs.sh - the action's page (docs/github-actions.md) and the
# action (action.yml) name the gate command's real flags, values, outputs and
# exit codes, as `modelgate gate --help` and docs/gate.md give them:
#  - every flag the action's Gate step passes is an option of `modelgate gate
#    --help` and a row of gate.md's options table;
#  - the page's inputs table maps each input to the flag the Gate step really
#    passes for it (`(--flag)` in its row), and to no other;
#  - every `--on-inconclusive VALUE` in the action and the page is a value the
#    gate takes;
#  - every steps.gate.outputs.KEY the action reads is a $GITHUB_OUTPUT key
#    gate.md's "GitHub Actions" section names (exit_code aside, which the step
#    writes itself), and the page's outputs paragraph names the same keys;
#  - the page's `(exit N)` are gate.md's exit codes but 0, all of them;
#  - the registry input's default is the gate's (--help);
#  - the quick start's `with:` keys are inputs, its steps.gate.outputs.X are
#    outputs.
# The checker is first run on a copy of the page with one flag misspelt, so
# that a checker that checks nothing fails the test.
# Usage: test_action_docs.sh <modelgate-binary>   (env: MG_SOURCE_DIR, MG_PYTHON)
set -u
MG=$1
SRC=${MG_SOURCE_DIR:?}
PY=${MG_PYTHON:-/usr/bin/python3}
"$PY" -c 'import yaml' 2>/dev/null || { echo "SKIP: python3-yaml is not installed (scripts/install-deps.sh)"; exit 77; }
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
"$MG" gate --help >"$work/help.txt" 2>&1 || { echo "FAIL: modelgate gate --help exited $?"; exit 1; }

cat >"$work/check.py" <<'PYEOF'
import re
import sys

import yaml

action_path, page_path, gate_md_path, help_path = sys.argv[1:5]
action = yaml.load(open(action_path), Loader=yaml.BaseLoader)
page = open(page_path, encoding="utf-8").read()
gate_md = open(gate_md_path, encoding="utf-8").read()
helptext = open(help_path, encoding="utf-8").read()
bad = []

# The gate's options: --help and gate.md's table.
help_flags = set(re.findall(r"^  (--[a-z][a-z-]*)", helptext, re.M))
table_flags = set(re.findall(r"^\| `(--[a-z][a-z-]*)", gate_md, re.M))
table_flags |= set(re.findall(r"^\| `--[a-z-]+ [A-Z]+`, `(--[a-z][a-z-]*)", gate_md, re.M))
if "--policy" not in help_flags or "--policy" not in table_flags:
    bad.append("could not read the gate's options (help: %s, gate.md: %s)" % (sorted(help_flags), sorted(table_flags)))
m = re.search(r"--on-inconclusive ([a-z|]+)", helptext)
inconclusive_values = set(m.group(1).split("|")) if m else set()
if not inconclusive_values:
    bad.append("--help names no --on-inconclusive values")

# The Gate step: the flags it passes, and which input each comes from.
gate = [s for s in action["runs"]["steps"] if s.get("id") == "gate"][0]
env_input = {k: re.fullmatch(r"\$\{\{\s*inputs\.([a-z-]+)\s*\}\}", v).group(1)
             for k, v in gate.get("env", {}).items() if re.fullmatch(r"\$\{\{\s*inputs\.([a-z-]+)\s*\}\}", v)}
passed = set(re.findall(r"(--[a-z][a-z-]*)", gate["run"]))
for flag in sorted(passed):
    if flag not in help_flags:
        bad.append("action.yml's Gate step passes %s, which `modelgate gate --help` does not list" % flag)
    if flag not in table_flags:
        bad.append("action.yml's Gate step passes %s, which gate.md's options table does not list" % flag)
mapping = {}
for var, flag in re.findall(r'\$(MG_[A-Z_]+)"?\s*\]?\s*\|\|\s*args\+=\((--[a-z-]+)', gate["run"]):
    mapping[env_input[var]] = flag
m = re.search(r'args=\(gate (--[a-z-]+) "\$(MG_[A-Z_]+)"', gate["run"])
if m:
    mapping[env_input[m.group(2)]] = m.group(1)
if "--on-inconclusive" in passed:
    mapping["fail-on-inconclusive"] = "--on-inconclusive"
if len(mapping) < 6:
    bad.append("could not read the Gate step's input-to-flag mapping: %s" % mapping)
for value in re.findall(r"--on-inconclusive ([a-z]+)", gate["run"] + "\n" + page):
    if value not in inconclusive_values:
        bad.append("--on-inconclusive %s is not a value the gate takes (%s)" % (value, sorted(inconclusive_values)))

# The page's inputs table: each row names its input's flag, and only it.
rows = dict(re.findall(r"^\| `([a-z-]+)` \|(.*)\|$", page.split("## Inputs", 1)[1].split("\n## ", 1)[0], re.M))
for name in action["inputs"]:
    if name not in rows:
        bad.append("the page's inputs table has no row for `%s`" % name)
        continue
    named = set(re.findall(r"`(--[a-z][a-z-]*)", rows[name]))
    for flag in named:
        if flag not in help_flags:
            bad.append("the page's `%s` row names %s, which is not a gate option" % (name, flag))
    want = {mapping[name]} if name in mapping else set()
    if named != want:
        bad.append("the page's `%s` row names %s; the Gate step passes %s" % (name, sorted(named) or "no flag", sorted(want) or "no flag"))

# Outputs: what the action reads from the gate step is what gate.md says the
# gate writes, and the page names the same keys.
gh = gate_md.split("## GitHub Actions", 1)[1]
gh_keys = set(re.findall(r"`([a-z_0-9]+)`", gh.split("$GITHUB_OUTPUT", 1)[1].split("$GITHUB_STEP_SUMMARY", 1)[0]))
writes_itself = set(re.findall(r'echo "([a-z_]+)=', gate["run"]))
read = set(re.findall(r"steps\.gate\.outputs\.([a-z_0-9]+)", open(action_path).read()))
for key in sorted(read - writes_itself):
    if key not in gh_keys:
        bad.append("action.yml reads steps.gate.outputs.%s, which gate.md does not say the gate writes (%s)" % (key, sorted(gh_keys)))
outputs_section = page.split("## Outputs", 1)[1].split("\n## ", 1)[0]
m = re.search(r"writes them to `\$GITHUB_OUTPUT` \(([^)]*)", outputs_section)
page_keys = set(re.findall(r"`([a-z_0-9]+)`", m.group(1))) if m else set()
if page_keys != read - writes_itself:
    bad.append("the page's outputs paragraph names %s; the action reads %s" % (sorted(page_keys), sorted(read - writes_itself)))
for name in action["outputs"]:
    if "`%s`" % name not in outputs_section:
        bad.append("the page's outputs table has no `%s`" % name)

# Exit codes.
codes = set(re.findall(r"^\| ([0-9]) \|", gate_md.split("## Exit codes", 1)[1].split("\n## ", 1)[0], re.M))
named = set(re.findall(r"\(exit ([0-9]+)\)", page))
codes.discard("0")  # the page names the codes that fail the job
if not codes or named != codes:
    bad.append("the page names exit codes %s; gate.md's failing ones are %s" % (sorted(named), sorted(codes)))

# The registry default is the gate's.
m = re.search(r"--registry DIR\s+.*\(default ([^)]*)\)", helptext)
default = m.group(1) if m else "?"
for part in re.split(r", else ", default):
    if "`%s`" % part not in rows.get("registry", ""):
        bad.append("the page's registry default does not name %s (the gate's default: %s)" % (part, default))

# The quick start's snippet.
quick = page.split("## Quick start", 1)[1].split("\n## ", 1)[0]
snippet = re.search(r"```yaml\n(.*?)```", quick, re.S).group(1)
doc = yaml.safe_load(snippet)
for job in doc["jobs"].values():
    for step in job["steps"]:
        if str(step.get("uses", "")).startswith("modelgate/modelgate@"):
            for key in step.get("with", {}):
                if key not in action["inputs"]:
                    bad.append("the quick start's `with: %s` is not an input" % key)
for key in re.findall(r"steps\.gate\.outputs\.([a-z0-9-]+)", page):
    if key not in action["outputs"]:
        bad.append("the page uses steps.gate.outputs.%s, which is not an output" % key)

print("\n".join(bad) if bad else "ok: %d flags, %d inputs, %d outputs, exit codes %s" %
      (len(passed), len(mapping), len(read - writes_itself), sorted(codes)))
sys.exit(1 if bad else 0)
PYEOF

failures=0
# A page with a misspelt flag must be caught.
sed 's/(`--test-data`)/(`--test-set`)/' "$SRC/docs/github-actions.md" >"$work/misspelt.md"
cmp -s "$work/misspelt.md" "$SRC/docs/github-actions.md" && { echo "FAIL: the page names no (\`--test-data\`) to misspell"; failures=1; }
if "$PY" "$work/check.py" "$SRC/action.yml" "$work/misspelt.md" "$SRC/docs/gate.md" "$work/help.txt" >"$work/misspelt.out"; then
  echo "FAIL: the checker passed a page that names --test-set"; failures=1
elif ! grep -q -- "--test-set" "$work/misspelt.out"; then
  echo "FAIL: the checker did not name --test-set: $(cat "$work/misspelt.out")"; failures=1
fi
"$PY" "$work/check.py" "$SRC/action.yml" "$SRC/docs/github-actions.md" "$SRC/docs/gate.md" "$work/help.txt" || failures=1
exit "$failures"
