#!/usr/bin/env bash
# test_action.sh - the composite action (action.yml) run step by step with
# bash under a fake GitHub environment (tests/actions/run_action.py: a fresh
# GITHUB_OUTPUT per step, GITHUB_STEP_SUMMARY, GITHUB_EVENT_PATH payloads of a
# pull_request, a workflow_run and a fork's workflow_run, GITHUB_API_URL at
# the recording fake API of test_comment.sh). The gate step runs a stand-in
# for `modelgate gate` (tests/actions/stub_gate.py, the gate contract's
# outputs with fixed numbers); `modelgate comment` is the real binary.
# Asserts: the action's outputs and step summary; a second run PATCHes the
# comment the first one POSTed; a failing verdict still comments and then
# fails the action with exit 1; input validation (one ::error per bad input,
# nothing run after it); an input holding shell syntax stays data; the
# fail-on-inconclusive mapping; working-directory; retries of a 502 bounded;
# the token in no output.
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
# (build-action/modelgate) that sends `gate` to the stand-in.
action=$work/action
mkdir -p "$action/build-action" "$action/scripts"
cp -r "$SRC/action.yml" "$SRC/CMakeLists.txt" "$SRC/Makefile" "$SRC/modelgate.pc.in" \
  "$SRC/include" "$SRC/lib" "$SRC/cli" "$action/"
cp "$SRC/scripts/install-deps.sh" "$action/scripts/"
# install-deps.sh is the runner's business: here it must not install anything.
printf '#!/usr/bin/env bash\necho "install-deps: skipped by the harness"\n' >"$action/scripts/install-deps.sh"
cat >"$action/build-action/modelgate" <<EOF
#!/usr/bin/env bash
if [ "\$1" = gate ]; then exec "$PY" "$SRC/tests/actions/stub_gate.py" "\$@"; fi
exec "$MG" "\$@"
EOF
chmod +x "$action/build-action/modelgate"

ws=$work/ws
mkdir -p "$ws/models" "$ws/data" "$ws/sub/models"
echo 'version: 1' >"$ws/modelgate.yml"
echo '{}' >"$ws/models/model.json"
echo 'label' >"$ws/data/test.csv"
echo 'version: 1' >"$ws/sub/modelgate.yml"
SHA=89abcdef0123456789abcdef0123456789abcdef
echo '{"pull_request": {"number": 5, "head": {"sha": "'$SHA'"}}}' >pr.json
echo '{"workflow_run": {"id": 1, "event": "pull_request", "head_sha": "'$SHA'", "pull_requests": [{"number": 6}]}}' >wr.json
echo '{"workflow_run": {"id": 2, "event": "pull_request", "head_sha": "'$SHA'", "pull_requests": []}}' >fork.json

export GITHUB_API_URL=$API GITHUB_REPOSITORY=octo/credit HARNESS_TOKEN=$TOKEN GITHUB_ACTIONS=true
export STUB_LOG=$work/stub.log MODELGATE_GITHUB_BACKOFF=0.05 RUNNER_OS=Linux
unset GITHUB_TOKEN GITHUB_SHA

# act NAME EVENT INPUT=VALUE...: runs the action; NAME.json (result), NAME.log, NAME.summary
act() {
  local name=$1 event=$2; shift 2
  local inputs=()
  for kv in "$@"; do inputs+=(--input "$kv"); done
  : >"$work/$name.summary"
  : >"$STUB_LOG"
  GITHUB_EVENT_PATH=$work/$event GITHUB_STEP_SUMMARY=$work/$name.summary \
    "$PY" "$SRC/tests/actions/run_action.py" --action "$action" --workspace "$ws" \
    --result "$work/$name.json" "${inputs[@]}" >"$work/$name.log" 2>&1
  echo $? >"$work/$name.rc"
}
out() { jq -r ".outputs[\"$2\"]" "$1.json"; }
ran() { jq -r '.steps[] | select(.outcome != "skipped") | .name' "$1.json" | tr '\n' '|'; }

# 1. A passing model on a pull request: outputs, summary, one new comment.
setup '{}'
act a1 pr.json comment=true model=models/model.json test-data=data/test.csv
check "pass: exit 0 ($(cat a1.rc); $(tail -3 a1.log | tr '\n' ' '))" '[ "$(cat a1.rc)" = 0 ]'
check "pass: verdict output" '[ "$(out a1 verdict)" = pass ]'
check "pass: accuracy and p99-ms outputs" '[ "$(out a1 accuracy)" = 0.9125 ] && [ "$(out a1 p99-ms)" = 12.5 ]'
check "pass: report-path and gate-json are absolute paths of the files" \
  '[ "$(out a1 report-path)" = "$ws/modelgate-results/report.md" ] && [ "$(out a1 gate-json)" = "$ws/modelgate-results/gate.json" ] && [ -f "$(out a1 gate-json)" ]'
check "pass: the step summary holds the report" 'grep -q "^## ✅ modelgate: pass$" a1.summary'
check "pass: the gate got the inputs as arguments" \
  '[ "$(jq -c .argv "$STUB_LOG")" = "[\"gate\",\"--policy\",\"modelgate.yml\",\"--model\",\"models/model.json\",\"--test-data\",\"data/test.csv\"]" ]'
check "pass: one POST to pull request 5" '[ "$(requests | grep -c "^POST /repos/octo/credit/issues/5/comments$")" = 1 ] && ! requests | grep -q PATCH'
check "pass: steps run in order, the build skipped on a cache hit" \
  '[ "$(ran a1)" = "Check the inputs|Fingerprint modelgate'"'"'s source|Restore the modelgate build|Install modelgate'"'"'s dependencies|Gate|Paths of the results|Comment on the pull request|Verdict|" ]'

# 2. The second run (a failing model now) updates the same comment, then fails.
curl -sf -X POST "$API/__setup" -d '{"comments": '"$(state)"'}' >/dev/null
STUB_VERDICT=fail act a2 pr.json comment=true
check "fail: the action exits 1" '[ "$(cat a2.rc)" = 1 ] && [ "$(out a2 verdict)" = fail ]'
check "fail: the same comment PATCHed, no POST" \
  '[ "$(requests | grep -c "^PATCH /repos/octo/credit/issues/comments/1000$")" = 1 ] && ! requests | grep -q POST'
check "fail: one comment, now the failing report" '[ "$(state | jq ".\"5\" | length")" = 1 ] && state | jq -r ".\"5\"[0].body" | grep -q "^## ❌ modelgate: fail$"'
check "fail: the Verdict step is the one that failed" '[ "$(jq -r ".steps[] | select(.outcome == \"failure\") | .name" a2.json)" = Verdict ]'

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
check "bad inputs: no request, no gate" '[ -z "$(requests)" ] && [ ! -s "$STUB_LOG" ]'
act a9 pr.json working-directory=absent
check "a missing working-directory is named" "[ \"\$(cat a9.rc)\" = 1 ] && grep -q \"input working-directory 'absent' is not a folder\" a9.log"
act a10 pr.json comment=true github-token=
check "comment without a token is refused" '[ "$(cat a10.rc)" = 1 ] && grep -q "github-token is empty" a10.log'
act a11 pr.json "policy=x%.yml"$'\n'"::error::forged"
check "an input cannot forge a workflow command (%, newline escaped)" \
  '! grep -q "^::error::forged" a11.log && grep -q "x%25.yml%0A::error::forged" a11.log'

# 7. Shell syntax in an input stays data: env:, never pasted into a script.
act a12 pr.json 'model=registry:$(touch pwned)`touch pwned2`;touch pwned3'
check "shell syntax in an input is passed as one argument, never run" \
  '[ ! -e "$ws/pwned" ] && [ ! -e "$ws/pwned2" ] && [ ! -e "$ws/pwned3" ] && [ ! -e pwned3 ] && jq -e ".argv[4] == \"registry:\$(touch pwned)\`touch pwned2\`;touch pwned3\"" "$STUB_LOG" >/dev/null'

# 8. fail-on-inconclusive: true -> --on-inconclusive fail (exit 3), false -> warn (exit 0).
STUB_VERDICT=inconclusive act a13 pr.json fail-on-inconclusive=true
check "fail-on-inconclusive true: --on-inconclusive fail, exit 3" \
  '[ "$(cat a13.rc)" = 3 ] && jq -e "(.argv | index(\"--on-inconclusive\")) as \$i | .argv[\$i + 1] == \"fail\"" "$STUB_LOG" >/dev/null'
STUB_VERDICT=inconclusive act a14 pr.json fail-on-inconclusive=false
check "fail-on-inconclusive false: --on-inconclusive warn, exit 0" \
  '[ "$(cat a14.rc)" = 0 ] && jq -e ".argv | index(\"warn\")" "$STUB_LOG" >/dev/null'
act a15 pr.json
check "fail-on-inconclusive empty: the policy decides (no flag)" '! jq -e ".argv | index(\"--on-inconclusive\")" "$STUB_LOG" >/dev/null'

# 9. working-directory: the gate runs there, the paths are absolute.
act a16 pr.json working-directory=sub
check "working-directory: the gate ran in sub/" '[ "$(jq -r .cwd "$STUB_LOG")" = "$ws/sub" ] && [ "$(out a16 report-path)" = "$ws/sub/modelgate-results/report.md" ]'

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
