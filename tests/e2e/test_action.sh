#!/usr/bin/env bash
# test_action.sh - the composite action (action.yml) run step by step with
# bash under a fake GitHub environment (tests/actions/run_action.py: a fresh
# GITHUB_OUTPUT per step, GITHUB_STEP_SUMMARY, GITHUB_EVENT_PATH payloads of a
# pull_request, a workflow_run and a fork's workflow_run, GITHUB_API_URL at
# the recording fake API of test_comment.sh). Every step runs the REAL
# modelgate (the binary under test, behind a shim that only records each
# command line and its folder) on real policies in a workspace holding the
# bundled example's test data and XGBoost model: modelgate.yml (a copy of
# examples/modelgate.yml with a generous latency bound, so no verdict depends
# on the machine's load) passes; strict.yml (accuracy >= 0.9) fails; and
# unsure.yml (accuracy >= 0.86 at 95% confidence, its interval
# [0.8488, 0.8788] straddling it) is inconclusive.
# Asserts: the action's outputs (verdict, accuracy, p99-ms, report-path,
# gate-json) equal what the run wrote into gate.json, metrics.json and
# latency.json (accuracy also against 0.8645, what xgboost's Booster.predict
# cut at 0.5 and scikit-learn's accuracy_score give), also under noacc.yml,
# whose only accuracy gate is a regression gate; the step summary is
# report.md byte for byte; the comment POSTed is report.md and
# a second, failing run PATCHes it to the new report.md, then fails the action
# with exit 1; input validation (one ::error per bad input, nothing run after
# it); an input holding shell syntax stays data; the fail-on-inconclusive
# mapping on a really inconclusive gate (exit 3 / 0 / the policy's 3);
# working-directory; retries of a 502 bounded; the token in no output.
# Usage: test_action.sh <modelgate-binary>   (env: MG_SOURCE_DIR, MG_PYTHON)
set -u
MG=$(cd "$(dirname "$1")" && pwd)/$(basename "$1")
SRC=${MG_SOURCE_DIR:?}
PY=${MG_PYTHON:-/usr/bin/python3}
for tool in jq curl; do
  command -v $tool >/dev/null || { echo "SKIP: $tool is not installed (scripts/install-deps.sh)"; exit 77; }
done
"$PY" -c 'import yaml' 2>/dev/null || { echo "SKIP: python3-yaml is not installed (scripts/install-deps.sh)"; exit 77; }
work=$(mktemp -d)
server_pid=
cleanup() { [ -n "$server_pid" ] && kill "$server_pid" 2>/dev/null; rm -rf "$work"; }
trap cleanup EXIT
cd "$work" || exit 1
failures=0
checks=0
fail() { echo "FAIL: $*"; failures=$((failures + 1)); }
check() { checks=$((checks + 1)); if ! eval "$2"; then fail "$1"; fi; }

TOKEN="ghs_ACTION$(od -An -N12 -tx1 /dev/urandom | tr -d ' \n')"
"$PY" "$SRC/tests/e2e/helpers/fake_github.py" --port-file "$work/port" --token "$TOKEN" --timeout 300 &
server_pid=$!
for _ in $(seq 100); do [ -s "$work/port" ] && break; sleep 0.1; done
[ -s "$work/port" ] || { echo "FAIL: the fake GitHub server did not start"; exit 1; }
API="http://127.0.0.1:$(cat "$work/port")"
setup() { curl -sf -X POST --data-binary "$1" "$API/__setup" >/dev/null || fail "setup: $1"; }
requests() { curl -sf "$API/__log" | jq -r '.[] | "\(.method) \(.path)"'; }
state() { curl -sf "$API/__state"; }

# The action as the runner checks it out: its files, and a cached build
# (build-action/modelgate): the binary under test, behind a shim that appends
# each `gate` command line and its folder to $GATE_LOG (as JSON) and then runs
# it unchanged.
action=$work/action
mkdir -p "$action/build-action" "$action/scripts"
cp -r "$SRC/action.yml" "$SRC/CMakeLists.txt" "$SRC/Makefile" "$SRC/modelgate.pc.in" \
  "$SRC/include" "$SRC/lib" "$SRC/cli" "$action/"
cp "$SRC/scripts/install-deps.sh" "$action/scripts/"
# install-deps.sh is the runner's business: here it must not install anything.
printf '#!/usr/bin/env bash\necho "install-deps: skipped by the harness"\n' >"$action/scripts/install-deps.sh"
cat >"$action/build-action/modelgate" <<EOF
#!/usr/bin/env bash
if [ "\$1" = gate ]; then
  "$PY" -c 'import json, os, sys; print(json.dumps({"argv": sys.argv[1:], "cwd": os.getcwd()}))' "\$@" >>"\$GATE_LOG"
fi
exec "$MG" "\$@"
EOF
chmod +x "$action/build-action/modelgate"

# The workspace: the bundled example's test data and model, and its policy
# with a latency bound no machine load can reach (p99 <= 60 s over 200
# calls; p50 not gated), so that only accuracy, ROC AUC and fairness decide.
ws=$work/ws
mkdir -p "$ws/models" "$ws/data" "$ws/sub"
cp "$SRC/examples/data/test.csv" "$ws/data/"
cp "$SRC/examples/models/model.json" "$ws/models/"
sed -e 's/^\(    samples:\) 1000$/\1 200/' -e 's/^\(    p99_ms:\) {max: 100}$/\1 {max: 60000}/' \
  -e '/^    p50_ms:/d' "$SRC/examples/modelgate.yml" >"$ws/modelgate.yml"
# The edits must have taken: the example's lines are what they were.
grep -q '^    samples: 200$' "$ws/modelgate.yml" && grep -q '^    p99_ms: {max: 60000}$' "$ws/modelgate.yml" &&
  ! grep -q p50_ms "$ws/modelgate.yml" && grep -q '^  accuracy: {min: 0.85}$' "$ws/modelgate.yml" ||
  { echo "FAIL: examples/modelgate.yml changed: the workspace policy could not be made from it"; exit 1; }
sed 's/^  accuracy: {min: 0.85}$/  accuracy: {min: 0.9}/' "$ws/modelgate.yml" >"$ws/strict.yml"
sed 's/^  accuracy: {min: 0.85}$/  accuracy: {min: 0.86, confidence: 0.95}/' "$ws/modelgate.yml" >"$ws/unsure.yml"
# noacc.yml: no accuracy gate, a regression gate on accuracy against the model
# itself (a change of 0): the accuracy output is still the model's accuracy.
sed -e '/^  accuracy: {min: 0.85}$/d' -e 's|^baseline: .*|baseline: models/model.json|' \
  "$ws/modelgate.yml" >"$ws/noacc.yml"
sed -e 's|^  test: data/test.csv$|  test: ../data/test.csv|' -e 's|^model: models/model.json$|model: ../models/model.json|' \
  "$ws/modelgate.yml" >"$ws/sub/modelgate.yml"
grep -q '^  test: \.\./data/test.csv' "$ws/sub/modelgate.yml" && grep -q '^model: \.\./models/model.json$' "$ws/sub/modelgate.yml" ||
  { echo "FAIL: examples/modelgate.yml changed: sub/modelgate.yml could not be made from it"; exit 1; }
SHA=89abcdef0123456789abcdef0123456789abcdef
echo '{"pull_request": {"number": 5, "head": {"sha": "'$SHA'"}}}' >pr.json
echo '{"workflow_run": {"id": 1, "event": "pull_request", "head_sha": "'$SHA'", "pull_requests": [{"number": 6}]}}' >wr.json
echo '{"workflow_run": {"id": 2, "event": "pull_request", "head_sha": "'$SHA'", "pull_requests": []}}' >fork.json

export GITHUB_API_URL=$API GITHUB_REPOSITORY=octo/credit HARNESS_TOKEN=$TOKEN GITHUB_ACTIONS=true
export GATE_LOG=$work/gate.log MODELGATE_GITHUB_BACKOFF=0.05 RUNNER_OS=Linux
# No registry anywhere: the policy's baseline (registry:credit@production) is
# a first model's missing one, which the policy allows.
unset GITHUB_TOKEN GITHUB_SHA MODELGATE_REGISTRY

# act NAME EVENT INPUT=VALUE...: runs the action; NAME.json (result), NAME.log, NAME.summary
act() {
  local name=$1 event=$2; shift 2
  local inputs=()
  for kv in "$@"; do inputs+=(--input "$kv"); done
  : >"$work/$name.summary"
  : >"$GATE_LOG"
  GITHUB_EVENT_PATH=$work/$event GITHUB_STEP_SUMMARY=$work/$name.summary \
    "$PY" "$SRC/tests/actions/run_action.py" --action "$action" --workspace "$ws" \
    --result "$work/$name.json" "${inputs[@]}" >"$work/$name.log" 2>&1
  echo $? >"$work/$name.rc"
}
out() { jq -r ".outputs[\"$2\"]" "$1.json"; }
ran() { jq -r '.steps[] | select(.outcome != "skipped") | .name' "$1.json" | tr '\n' '|'; }
# same_number NAME OUTPUT FILE JQ-FILTER: the action's output is the number the file holds
same_number() {
  jq -e --arg v "$(out "$1" "$2")" "[$4] as \$x | (\$x | length) == 1 and (\$x[0] | type) == \"number\" and (\$v | tonumber) == \$x[0]" "$3" >/dev/null 2>&1
}
# gate_value KIND METRIC: the jq filter for the value of gate.json's KIND gate
# on METRIC (a regression gate on accuracy is another gate)
gate_value() { printf '.gates[] | select(.kind == "%s" and .metric == "%s") | .value' "$1" "$2"; }
# results_match NAME DIR: the outputs verdict, accuracy, p99-ms, report-path
# and gate-json are those of the files the run wrote into DIR
results_match() {
  local r=$2
  [ "$(out "$1" verdict)" = "$(jq -r .verdict "$r/gate.json")" ] &&
    same_number "$1" accuracy "$r/metrics.json" .accuracy &&
    same_number "$1" accuracy "$r/gate.json" "$(gate_value metric accuracy)" &&
    same_number "$1" p99-ms "$r/latency.json" .p99_ms &&
    same_number "$1" p99-ms "$r/gate.json" "$(gate_value latency p99_ms)" &&
    [ "$(out "$1" report-path)" = "$r/report.md" ] && [ "$(out "$1" gate-json)" = "$r/gate.json" ]
}
# comment_is PR FILE: pull request PR has one comment, and its body is FILE
comment_is() {
  [ "$(state | jq ".\"$1\" | length")" = 1 ] && cmp -s <(state | jq -j ".\"$1\"[0].body") "$2"
}
results=$ws/modelgate-results

# 1. A passing model on a pull request: outputs, summary, one new comment.
setup '{}'
act a1 pr.json comment=true model=models/model.json test-data=data/test.csv
check "pass: exit 0 ($(cat a1.rc); $(tail -3 a1.log | tr '\n' ' '))" '[ "$(cat a1.rc)" = 0 ]'
check "pass: verdict output, and gate.json's" '[ "$(out a1 verdict)" = pass ] && [ "$(jq -r .verdict "$results/gate.json")" = pass ]'
check "pass: outputs are what gate.json, metrics.json and latency.json hold ($(jq -c .outputs a1.json))" \
  'results_match a1 "$results"'
# xgboost's Booster.predict on the test set, cut at 0.5, and scikit-learn's
# accuracy_score give 0.8645 (1729 of 2000 rows); 0.9 > 0.8645 > 0.85.
check "pass: accuracy output is the model's accuracy, 0.8645" '[ "$(out a1 accuracy)" = 0.8645 ]'
check "pass: p99-ms output is a positive number" \
  'jq -en --arg v "$(out a1 p99-ms)" "(\$v | tonumber) > 0" >/dev/null 2>&1'
check "pass: report-path and gate-json are absolute paths of files" \
  '[ "$(out a1 report-path)" = "$ws/modelgate-results/report.md" ] && [ -f "$(out a1 report-path)" ] && [ -f "$(out a1 gate-json)" ]'
check "pass: the step summary is report.md" 'cmp -s a1.summary "$results/report.md" && grep -q "modelgate" a1.summary'
cp "$results/report.md" a1.report.md
check "pass: the gate got the inputs as arguments" \
  '[ "$(jq -c .argv "$GATE_LOG")" = "[\"gate\",\"--policy\",\"modelgate.yml\",\"--model\",\"models/model.json\",\"--test-data\",\"data/test.csv\"]" ]'
check "pass: one POST to pull request 5" '[ "$(requests | grep -c "^POST /repos/octo/credit/issues/5/comments$")" = 1 ] && ! requests | grep -q PATCH'
check "pass: the comment is report.md" 'comment_is 5 a1.report.md'
check "pass: steps run in order, the build skipped on a cache hit" \
  '[ "$(ran a1)" = "Check the inputs|Fingerprint modelgate'"'"'s source|Restore the modelgate build|Install modelgate'"'"'s dependencies|Gate|Paths of the results|Comment on the pull request|Verdict|" ]'

# 2. The second run (a stricter policy now: accuracy >= 0.9) updates the same
# comment, then fails.
curl -sf -X POST "$API/__setup" -d '{"comments": '"$(state)"'}' >/dev/null
act a2 pr.json comment=true policy=strict.yml
check "fail: the action exits 1" '[ "$(cat a2.rc)" = 1 ] && [ "$(out a2 verdict)" = fail ]'
check "fail: gate.json says fail on accuracy >= 0.9, and exit code 1" \
  '[ "$(jq -c "[.verdict, .exit_code, (.gates[] | select(.kind == \"metric\" and .metric == \"accuracy\") | .verdict, .threshold)]" "$results/gate.json")" = "[\"fail\",1,\"fail\",0.9]" ]'
check "fail: outputs are what the files hold ($(jq -c .outputs a2.json))" 'results_match a2 "$results"'
check "fail: the step summary is the new report.md" 'cmp -s a2.summary "$results/report.md" && ! cmp -s a2.summary a1.report.md'
check "fail: the same comment PATCHed, no POST" \
  '[ "$(requests | grep -c "^PATCH /repos/octo/credit/issues/comments/1000$")" = 1 ] && ! requests | grep -q POST'
check "fail: one comment, now the failing run's report.md" 'comment_is 5 "$results/report.md"'
check "fail: the Verdict step is the one that failed" '[ "$(jq -r ".steps[] | select(.outcome == \"failure\") | .name" a2.json)" = Verdict ]'

# 2b. Without an accuracy gate, the accuracy output is metrics.json's
# accuracy, not the value of the regression gate on accuracy (its change).
act a2b pr.json policy=noacc.yml
check "no accuracy gate: exit 0, accuracy output 0.8645 ($(jq -c .outputs a2b.json))" \
  '[ "$(cat a2b.rc)" = 0 ] && [ "$(out a2b accuracy)" = 0.8645 ] && same_number a2b accuracy "$results/metrics.json" .accuracy'
check "no accuracy gate: gate.json's regression gate on accuracy is a change of 0" \
  '[ "$(jq -c "[.gates[] | select(.metric == \"accuracy\") | [.kind, .value]]" "$results/gate.json")" = "[[\"regression\",0]]" ]'

# 3. comment=false: no request at all.
setup '{}'
act a3 pr.json
check "comment false: exit 0, no request, comment step skipped" \
  '[ "$(cat a3.rc)" = 0 ] && [ -z "$(requests)" ] && ! ran a3 | grep -q Comment'

# 4. workflow_run payloads: pull_requests[0], and a fork's found by head SHA.
setup '{}'
act a4 wr.json comment=true
check "workflow_run: comments on pull request 6" 'requests | grep -q "^POST /repos/octo/credit/issues/6/comments$"'
setup '{"pulls": {"'$SHA'": [{"number": 8, "state": "open", "head": {"sha": "'$SHA'"}}]}}'
act a5 fork.json comment=true
check "fork workflow_run: looked up by SHA, comments on 8" \
  'requests | grep -q "^GET /repos/octo/credit/commits/$SHA/pulls" && requests | grep -q "^POST /repos/octo/credit/issues/8/comments$"'

# 5. A 502 twice on the listing is retried; a fork's read-only token fails the action.
setup '{"faults": [{"method": "GET", "path": "/comments$", "status": 502, "times": 2}]}'
act a6 pr.json comment=true
check "502 twice: retried, exit 0" '[ "$(cat a6.rc)" = 0 ] && [ "$(requests | grep -c "GET .*/comments")" = 3 ]'
setup '{"faults": [{"method": "POST", "path": "/comments$", "status": 403, "times": 5, "body": {"message": "Resource not accessible by integration"}}]}'
act a7 pr.json comment=true
check "read-only token: the action fails with the workflow_run advice" \
  '[ "$(cat a7.rc)" != 0 ] && grep -q "HTTP 403: Resource not accessible by integration: .*workflow_run" a7.log && [ "$(requests | grep -c ^POST)" = 1 ]'

# 6. Input validation: every bad input named, nothing run after the check.
setup '{}'
act a8 pr.json comment=yes fail-on-inconclusive=maybe model=models/missing.json policy=nope.yml registry=noreg
check "bad inputs: exit 1 at the first step" '[ "$(cat a8.rc)" = 1 ] && [ "$(ran a8)" = "Check the inputs|" ]'
check "bad inputs: one ::error per bad input (5)" '[ "$(grep -c "^::error title=modelgate action::" a8.log)" = 5 ]'
check "bad inputs: comment named" "grep -q \"::input comment must be true or false, not 'yes'\" a8.log"
check "bad inputs: model named" "grep -q \"::input model: 'models/missing.json' does not exist\" a8.log"
check "bad inputs: policy named" "grep -q \"::input policy: 'nope.yml' is not a file\" a8.log"
check "bad inputs: no request, no gate" '[ -z "$(requests)" ] && [ ! -s "$GATE_LOG" ]'
act a9 pr.json working-directory=absent
check "a missing working-directory is named" "[ \"\$(cat a9.rc)\" = 1 ] && grep -q \"input working-directory 'absent' is not a folder\" a9.log"
act a10 pr.json comment=true github-token=
check "comment without a token is refused" '[ "$(cat a10.rc)" = 1 ] && grep -q "github-token is empty" a10.log'
act a11 pr.json "policy=x%.yml"$'\n'"::error::forged"
check "an input cannot forge a workflow command (%, newline escaped)" \
  '! grep -q "^::error::forged" a11.log && grep -q "x%25.yml%0A::error::forged" a11.log'

# 7. Shell syntax in an input stays data: env:, never pasted into a script.
# The gate gets it as one argument and refuses it as a registry model (exit 2).
act a12 pr.json 'model=registry:$(touch pwned)`touch pwned2`;touch pwned3'
check "shell syntax in an input is passed as one argument, never run" \
  '[ ! -e "$ws/pwned" ] && [ ! -e "$ws/pwned2" ] && [ ! -e "$ws/pwned3" ] && [ ! -e pwned3 ] && jq -e ".argv[4] == \"registry:\$(touch pwned)\`touch pwned2\`;touch pwned3\"" "$GATE_LOG" >/dev/null'
check "shell syntax in an input: the gate refuses the model, exit 2 ($(cat a12.rc))" \
  '[ "$(cat a12.rc)" = 2 ] && grep -q "^modelgate gate: " a12.log'

# 8. fail-on-inconclusive, on unsure.yml (accuracy >= 0.86 at 95% confidence:
# 0.8645 with its Wilson interval [0.8488, 0.8788] straddling 0.86, an
# inconclusive gate): true -> --on-inconclusive fail (exit 3), false -> warn
# (exit 0), empty -> the policy's on_inconclusive: fail (exit 3).
unsure_gate() { jq -r '.gates[] | select(.kind == "metric" and .metric == "accuracy") | .verdict' "$results/gate.json"; }
act a13 pr.json policy=unsure.yml fail-on-inconclusive=true
check "fail-on-inconclusive true: --on-inconclusive fail, exit 3, verdict inconclusive" \
  '[ "$(cat a13.rc)" = 3 ] && [ "$(out a13 verdict)" = inconclusive ] && [ "$(unsure_gate)" = inconclusive ] && jq -e "(.argv | index(\"--on-inconclusive\")) as \$i | .argv[\$i + 1] == \"fail\"" "$GATE_LOG" >/dev/null'
check "fail-on-inconclusive true: outputs are what the files hold" 'results_match a13 "$results"'
act a14 pr.json policy=unsure.yml fail-on-inconclusive=false
check "fail-on-inconclusive false: --on-inconclusive warn, exit 0 ($(cat a14.rc))" \
  '[ "$(cat a14.rc)" = 0 ] && jq -e "(.argv | index(\"--on-inconclusive\")) as \$i | .argv[\$i + 1] == \"warn\"" "$GATE_LOG" >/dev/null'
check "fail-on-inconclusive false: the gate stays inconclusive in gate.json, the verdict is the others' ($(out a14 verdict))" \
  '[ "$(unsure_gate)" = inconclusive ] && [ "$(out a14 verdict)" = pass ] && [ "$(jq -r .exit_code "$results/gate.json")" = 0 ] && results_match a14 "$results"'
act a15 pr.json policy=unsure.yml
check "fail-on-inconclusive empty: the policy decides (no flag, exit 3)" \
  '[ "$(cat a15.rc)" = 3 ] && [ -s "$GATE_LOG" ] && ! jq -e ".argv | index(\"--on-inconclusive\")" "$GATE_LOG" >/dev/null'

# 9. working-directory: the gate runs there, the paths are absolute.
act a16 pr.json working-directory=sub
check "working-directory: the gate ran in sub/, exit 0 ($(cat a16.rc))" \
  '[ "$(cat a16.rc)" = 0 ] && [ "$(jq -r .cwd "$GATE_LOG")" = "$ws/sub" ] && [ "$(out a16 report-path)" = "$ws/sub/modelgate-results/report.md" ]'
check "working-directory: outputs are what sub/modelgate-results holds" 'results_match a16 "$ws/sub/modelgate-results"'

# 10. Without a cached build, the build step runs cmake on the action's own
# source (a recording cmake here: the real build is make check's business).
mkdir -p fakebin
printf '#!/usr/bin/env bash\necho "$*" >>"%s/cmake.log"\n' "$work" >fakebin/cmake
chmod +x fakebin/cmake
PATH=$work/fakebin:$PATH GITHUB_EVENT_PATH=$work/pr.json GITHUB_STEP_SUMMARY=$work/a18.summary \
  "$PY" "$SRC/tests/actions/run_action.py" --action "$action" --workspace "$ws" \
  --result "$work/a18.json" --cache-hit false >a18.log 2>&1
check "a cache miss builds modelgate_cli from the action's source" \
  'ran a18 | grep -q "|Build modelgate|" && [ "$(head -1 cmake.log)" = "-S $action -B $action/build-action -DCMAKE_BUILD_TYPE=Release" ] && grep -q "^--build $action/build-action --target modelgate_cli" cmake.log'

check "the token is in no log" '! cat ./*.log | grep -qF "$TOKEN"'

echo "$checks checks, $failures failed"
[ "$failures" = 0 ]
