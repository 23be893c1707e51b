"""Structural checks of the composite actions and the example workflows, and
the extraction of their `run:` blocks for shellcheck.

    check_workflows.py --out DIR FILE...

For every FILE (an action.yml, or a workflow):
  * no `run:` block contains `${{` (values reach scripts through env: only);
  * every `${{ inputs.X }}` names a declared input, every
    `${{ steps.ID.outputs.K }}` names a step with that id before it (in the
    same job), every `${{ needs.J.outputs.K }}` a job in needs: whose
    outputs: declares K;
  * actions: runs.using is composite, each `run:` step has a `shell:`, each
    input and output has a description, each output a value;
  * workflows: a top-level `permissions:`, and every job that downloads an
    artifact with run-id passes github-token and has `actions: read`.
Each `run:` block is written to DIR as a bash script that first assigns
every env variable visible to it (workflow, job and step env, and GitHub's
default variables), for shellcheck. Prints one line per problem as
FILE: WHERE: MESSAGE and exits 1 when there is any."""
import argparse
import os
import re
import sys

import yaml

ap = argparse.ArgumentParser()
ap.add_argument("--out", required=True)
ap.add_argument("files", nargs="+")
args = ap.parse_args()

problems = []
EXPR = re.compile(r"\$\{\{(.*?)\}\}", re.S)
GITHUB_DEFAULTS = ["GITHUB_OUTPUT", "GITHUB_ENV", "GITHUB_PATH", "GITHUB_STEP_SUMMARY",
                   "GITHUB_ACTION_PATH", "GITHUB_WORKSPACE", "GITHUB_EVENT_PATH", "GITHUB_SHA",
                   "GITHUB_REPOSITORY", "GITHUB_API_URL", "RUNNER_OS", "RUNNER_TEMP"]
scripts = 0


def problem(path, where, msg):
    problems.append("%s: %s: %s" % (path, where, msg))


def expressions(value):
    """Every ${{ }} expression in a (nested) YAML value."""
    if isinstance(value, str):
        return EXPR.findall(value)
    if isinstance(value, dict):
        return [e for v in value.values() for e in expressions(v)]
    if isinstance(value, list):
        return [e for v in value for e in expressions(v)]
    return []


def check_refs(path, where, value, inputs, step_ids, needs_outputs):
    for e in expressions(value):
        for name in re.findall(r"\binputs\.([A-Za-z0-9_-]+)", e):
            if inputs is not None and name not in inputs:
                problem(path, where, "inputs.%s is not a declared input" % name)
        for sid, _ in re.findall(r"\bsteps\.([A-Za-z0-9_-]+)\.outputs\.([A-Za-z0-9_-]+)", e):
            if sid not in step_ids:
                problem(path, where, "steps.%s is not a step before this one" % sid)
        for job, key in re.findall(r"\bneeds\.([A-Za-z0-9_-]+)\.outputs\.([A-Za-z0-9_-]+)", e):
            if job not in needs_outputs:
                problem(path, where, "needs.%s: not in this job's needs" % job)
            elif key not in needs_outputs[job]:
                problem(path, where, "needs.%s.outputs.%s is not declared by job %s" % (job, key, job))


def write_script(path, where, run, env_names, shell):
    global scripts
    scripts += 1
    name = "%03d.sh" % scripts
    with open(os.path.join(args.out, name), "w") as f:
        f.write("#!/usr/bin/env bash\n# %s: %s (shell: %s)\n" % (path, where, shell or "bash"))
        for n in sorted(set(env_names)):
            f.write('%s=${%s:-x}\nexport %s\n' % (n, n, n))
        f.write(run if run.endswith("\n") else run + "\n")


def check_steps(path, where, steps, inputs, env_names, needs_outputs, is_action):
    ids = []
    for i, step in enumerate(steps or []):
        label = "%s step %d (%s)" % (where, i + 1, step.get("name") or step.get("id") or
                                    step.get("uses") or "run")
        check_refs(path, label, {k: v for k, v in step.items()}, inputs, ids, needs_outputs)
        if "run" in step:
            run = step["run"]
            if "${{" in run:
                problem(path, label, "run: contains ${{ }}: pass the value through env:")
            if is_action and "shell" not in step:
                problem(path, label, "a composite action's run: step needs shell:")
            shell = step.get("shell")
            if shell in (None, "bash"):
                write_script(path, label, run, env_names + list((step.get("env") or {}).keys()),
                             shell)
        uses = step.get("uses", "")
        if uses.startswith("actions/download-artifact") and "run-id" in (step.get("with") or {}):
            if "github-token" not in step["with"]:
                problem(path, label, "download-artifact with run-id needs github-token")
        if "id" in step:
            ids.append(step["id"])


def check_action(path, doc):
    for key in ("name", "description", "runs"):
        if key not in doc:
            problem(path, "top", "missing %s" % key)
    runs = doc.get("runs") or {}
    if runs.get("using") != "composite":
        problem(path, "runs", "using must be composite")
    inputs = doc.get("inputs") or {}
    for name, spec in inputs.items():
        if not (spec or {}).get("description"):
            problem(path, "inputs.%s" % name, "no description")
    for name, spec in (doc.get("outputs") or {}).items():
        if not (spec or {}).get("description") or "value" not in (spec or {}):
            problem(path, "outputs.%s" % name, "needs a description and a value")
    steps = runs.get("steps") or []
    ids = [s["id"] for s in steps if "id" in s]
    check_refs(path, "outputs", doc.get("outputs") or {}, inputs, ids, {})
    check_steps(path, "runs", steps, inputs, GITHUB_DEFAULTS, {}, True)


def check_workflow(path, doc):
    if "permissions" not in doc:
        problem(path, "top", "no top-level permissions: (least privilege)")
    wf_env = list((doc.get("env") or {}).keys())
    jobs = doc.get("jobs") or {}
    for jname, job in jobs.items():
        needs = job.get("needs") or []
        needs = [needs] if isinstance(needs, str) else needs
        needs_outputs = {n: set((jobs.get(n) or {}).get("outputs") or {}) for n in needs}
        check_refs(path, "jobs.%s" % jname, {k: v for k, v in job.items() if k not in ("steps", "outputs")}, None,
                   [], needs_outputs)
        steps = job.get("steps") or []
        ids = [s["id"] for s in steps if "id" in s]
        check_refs(path, "jobs.%s.outputs" % jname, job.get("outputs") or {}, None, ids, {})
        downloads = [s for s in steps if str(s.get("uses", "")).startswith(
            "actions/download-artifact") and "run-id" in (s.get("with") or {})]
        perms = job.get("permissions", doc.get("permissions"))
        if downloads and not (isinstance(perms, dict) and perms.get("actions") in ("read", "write")):
            problem(path, "jobs.%s" % jname, "downloads another run's artifact without actions: read")
        check_steps(path, "jobs.%s" % jname, steps, None,
                    GITHUB_DEFAULTS + wf_env + list((job.get("env") or {}).keys()), needs_outputs,
                    False)


for path in args.files:
    try:
        with open(path) as f:
            doc = yaml.load(f, Loader=yaml.BaseLoader)  # strings only: `on:` stays "on"
    except (OSError, yaml.YAMLError) as e:
        problem(path, "yaml", str(e).replace("\n", " "))
        continue
    if not isinstance(doc, dict):
        problem(path, "top", "not a mapping")
        continue
    if "runs" in doc:
        check_action(path, doc)
    else:
        check_workflow(path, doc)

for p in problems:
    print(p)
print("%d files, %d run blocks extracted, %d problems" % (len(args.files), scripts, len(problems)))
sys.exit(1 if problems else 0)
