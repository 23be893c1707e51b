#!/usr/bin/env bash
# test_comment.sh - `modelgate comment` against a fake GitHub REST API on
# loopback (helpers/fake_github.py, which records every request): the first
# run POSTs and the second PATCHes the same comment; our comment found on the
# third page of Link-paged comments; a person's comment (and another bot's)
# quoting the marker left alone; the pull request from a workflow_run payload
# and from the head commit; a 502 twice then 200 retried; a 403 secondary
# rate limit with Retry-After: 1 retried without a second comment; retries
# bounded; a fork's read-only token told to use workflow_run; --dry-run makes
# no request; the 65,536-character limit; the marker rules; a Link header to
# another host not followed; and the token in no stdout or stderr.
# References: the fake server's record (jq), hand-counted characters.
# Usage: test_comment.sh <modelgate-binary>   (env: MG_SOURCE_DIR, MG_PYTHON)
set -u
MG=$(cd "$(dirname "$1")" && pwd)/$(basename "$1")
SRC=${MG_SOURCE_DIR:?}
PY=${MG_PYTHON:-/usr/bin/python3}
for tool in jq curl; do
  command -v $tool >/dev/null || { echo "SKIP: $tool is not installed (scripts/install-deps.sh)"; exit 77; }
done
work=$(mktemp -d)
server_pid=
cleanup() { [ -n "$server_pid" ] && kill "$server_pid" 2>/dev/null; rm -rf "$work"; }
trap cleanup EXIT
cd "$work" || exit 1
failures=0
checks=0
fail() { echo "FAIL: $*"; failures=$((failures + 1)); }
check() { checks=$((checks + 1)); if ! eval "$2"; then fail "$1"; fi; }

TOKEN="ghs_TEST$(od -An -N12 -tx1 /dev/urandom | tr -d ' \n')"
"$PY" "$SRC/tests/e2e/helpers/fake_github.py" --port-file "$work/port" --token "$TOKEN" --timeout 300 &
server_pid=$!
for _ in $(seq 100); do [ -s "$work/port" ] && break; sleep 0.1; done
[ -s "$work/port" ] || { echo "FAIL: the fake GitHub server did not start"; exit 1; }
API="http://127.0.0.1:$(cat "$work/port")"

# The environment of a workflow step.
unset GITHUB_EVENT_PATH GITHUB_SHA MODELGATE_GITHUB_MAX_WAIT
export GITHUB_API_URL=$API GITHUB_TOKEN=$TOKEN GITHUB_REPOSITORY=octo/credit
export MODELGATE_GITHUB_BACKOFF=0.05
SHA=0123456789abcdef0123456789abcdef01234567

setup() { curl -sf -X POST --data-binary "$1" "$API/__setup" >/dev/null || fail "setup: $1"; }
log() { curl -sf "$API/__log"; }
state() { curl -sf "$API/__state"; }
# Requests of the record as "METHOD PATH" lines.
requests() { log | jq -r '.[] | "\(.method) \(.path)"'; }

n=0
# run NAME ARGS...: runs modelgate comment, keeps stdout/stderr/exit code in NAME.*
run() {
  local name=$1; shift
  "$MG" comment "$@" >"$name.out" 2>"$name.err"
  echo $? >"$name.rc"
  n=$((n + 1))
}

printf '<!-- modelgate:gate -->\n## modelgate: pass\n\n| Metric | Value |\n|---|---|\n| accuracy | 0.91 |\n' >report.md
printf '<!-- modelgate:gate -->\n## modelgate: fail\n' >report2.md
echo '{"action": "synchronize", "pull_request": {"number": 7, "head": {"sha": "'$SHA'"}}}' >pr.json
PERSON='{"login": "alice", "type": "User"}'
BOT='{"login": "github-actions[bot]", "type": "Bot"}'

# 1. pull_request payload: POST the first time, PATCH the second: one comment.
setup '{}'
export GITHUB_EVENT_PATH=$work/pr.json
run c1 --report report.md
check "first run exits 0 ($(cat c1.rc): $(cat c1.err))" '[ "$(cat c1.rc)" = 0 ]'
check "first run POSTs to pull request 7" \
  '[ "$(requests)" = "$(printf "GET /user\nGET /repos/octo/credit/issues/7/comments?per_page=100\nPOST /repos/octo/credit/issues/7/comments")" ]'
check "first run says created" 'grep -q "^created comment 1000 on pull request #7: https://github.com/octo/credit/pull/7#issuecomment-1000$" c1.out'
check "every request carries the token and the API version" '[ "$(log | jq "all(.auth_ok and .api_version == \"2022-11-28\")")" = true ]'
check "the posted body is the report, byte for byte" '[ "$(log | jq -r ".[2].body.body")" = "$(cat report.md)" ]'
curl -sf -X POST "$API/__setup" -d '{"comments": '"$(state)"'}' >/dev/null
run c2 --report report2.md
check "second run exits 0" '[ "$(cat c2.rc)" = 0 ]'
check "second run PATCHes comment 1000" \
  '[ "$(requests | tail -1)" = "PATCH /repos/octo/credit/issues/comments/1000" ]'
check "second run makes no POST" '! requests | grep -q "^POST"'
check "one comment, with the new body" '[ "$(state | jq -r ".\"7\" | length")" = 1 ] && [ "$(state | jq -r ".\"7\"[0].body")" = "$(cat report2.md)" ]'
check "second run says updated" 'grep -q "^updated comment 1000 on pull request #7" c2.out'

# 2. Three pages of comments (2 a page), ours on the third.
comments=$(jq -n --argjson p "$PERSON" --argjson b "$BOT" '[range(5) | {id: (10 + .), body: "comment \(.)", user: $p}] + [{id: 99, body: "<!-- modelgate:gate -->\nold", user: $b}]')
setup '{"page_size": 2, "comments": {"7": '"$comments"'}}'
run c3 --report report.md
check "paged: exit 0" '[ "$(cat c3.rc)" = 0 ]'
check "paged: three GETs of comments, following Link" \
  '[ "$(requests | grep -c "issues/7/comments")" = 3 ] && requests | grep -q "page=3"'
check "paged: PATCHes comment 99 on page 3" '[ "$(requests | tail -1)" = "PATCH /repos/octo/credit/issues/comments/99" ]'

# 3. A person's comment and another bot's comment quoting the marker are not edited.
comments=$(jq -n --argjson p "$PERSON" '[{id: 20, body: "<!-- modelgate:gate -->\nquoted by a person", user: $p},
  {id: 21, body: "<!-- modelgate:gate -->\nanother bot", user: {login: "dependabot[bot]", type: "Bot"}},
  {id: 22, body: "<!-- modelgate:gate -->\nUser named like the bot", user: {login: "github-actions[bot]", type: "User"}}]')
setup '{"comments": {"7": '"$comments"'}}'
run c4 --report report.md
check "person: exit 0" '[ "$(cat c4.rc)" = 0 ]'
check "person: no PATCH, one POST" '! requests | grep -q PATCH && [ "$(requests | grep -c ^POST)" = 1 ]'
check "person: the quoted comments are unchanged" '[ "$(state | jq -r ".\"7\"[0].body")" = "$(printf "<!-- modelgate:gate -->\nquoted by a person")" ]'

# 4. A token that knows its identity (GET /user answers): that login's comment is ours.
comments=$(jq -n --argjson b "$BOT" '[{id: 30, body: "<!-- modelgate:gate -->\nbot", user: $b},
  {id: 31, body: "<!-- modelgate:gate -->\nmine", user: {login: "carol", type: "User"}}]')
setup '{"user": {"login": "carol", "type": "User"}, "comments": {"7": '"$comments"'}}'
run c5 --report report.md
check "identity: PATCHes carol's comment 31" '[ "$(requests | tail -1)" = "PATCH /repos/octo/credit/issues/comments/31" ]'

# 5. workflow_run payload: pull_requests[0].number.
echo '{"workflow_run": {"id": 5, "event": "pull_request", "head_sha": "'$SHA'", "pull_requests": [{"number": 9}]}}' >wr.json
setup '{}'
GITHUB_EVENT_PATH=$work/wr.json run c6 --report report.md
check "workflow_run: comments on pull request 9" '[ "$(requests | tail -1)" = "POST /repos/octo/credit/issues/9/comments" ] && [ "$(cat c6.rc)" = 0 ]'

# 6. A fork's workflow_run lists no pull request: looked up by head SHA.
echo '{"workflow_run": {"id": 6, "event": "pull_request", "head_sha": "'$SHA'", "pull_requests": []}}' >fork.json
setup '{"pulls": {"'$SHA'": [{"number": 3, "state": "closed", "head": {"sha": "'$SHA'"}}, {"number": 11, "state": "open", "head": {"sha": "'$SHA'"}}]}}'
GITHUB_EVENT_PATH=$work/fork.json run c7 --report report.md
check "sha lookup: asks the commit's pulls" 'requests | grep -qx "GET /repos/octo/credit/commits/$SHA/pulls?per_page=100"'
check "sha lookup: comments on the open pull request 11" '[ "$(requests | tail -1)" = "POST /repos/octo/credit/issues/11/comments" ]'
setup '{}'
GITHUB_EVENT_PATH=$work/fork.json run c7b --report report.md
check "sha lookup: no open pull request is exit 2, no POST" '[ "$(cat c7b.rc)" = 2 ] && grep -q "belongs to no open pull request" c7b.err && ! requests | grep -q POST'
unset GITHUB_EVENT_PATH
GITHUB_SHA=$SHA run c7c --report report.md --sha 0123456
check "--sha overrides GITHUB_SHA" 'requests | grep -q "commits/0123456/pulls"'
export GITHUB_EVENT_PATH=$work/pr.json

# 7. 502 twice, then 200: retried.
setup '{"faults": [{"method": "GET", "path": "/issues/7/comments$", "status": 502, "times": 2}]}'
run c8 --report report.md
check "502 twice: exit 0" '[ "$(cat c8.rc)" = 0 ]'
check "502 twice: three GETs of the comments, one POST" '[ "$(requests | grep -c "GET .*issues/7/comments")" = 3 ] && [ "$(requests | grep -c ^POST)" = 1 ]'

# 8. 403 secondary rate limit with Retry-After: 1 on the POST: listed again, posted once.
setup '{"faults": [{"method": "POST", "path": "/comments$", "status": 403, "times": 1, "headers": {"Retry-After": "1"},
  "body": {"message": "You have exceeded a secondary rate limit. Please wait a few minutes before you try again."}}]}'
start=$(date +%s.%N)
run c9 --report report.md
elapsed=$(echo "$(date +%s.%N) - $start" | bc)
check "rate limit: exit 0" '[ "$(cat c9.rc)" = 0 ]'
check "rate limit: list, POST (403), list again, POST" \
  '[ "$(requests | grep -v /user | cut -d" " -f1 | tr "\n" " ")" = "GET POST GET POST " ]'
check "rate limit: one comment" '[ "$(state | jq ".\"7\" | length")" = 1 ]'
check "rate limit: waited the Retry-After second (took $elapsed s)" '[ "$(echo "$elapsed >= 1" | bc)" = 1 ]'

# 9. x-ratelimit-remaining: 0 with a reset beyond the wait limit: not waited for.
reset=$(( $(date +%s) + 3600 ))
setup '{"faults": [{"method": "GET", "path": "/comments$", "status": 403, "times": 1, "headers": {"x-ratelimit-remaining": "0", "x-ratelimit-reset": "'$reset'"}, "body": {"message": "API rate limit exceeded"}}]}'
run c10 --report report.md
check "rate limit reset in an hour: exit 2 at once" '[ "$(cat c10.rc)" = 2 ] && grep -q "HTTP 403.*gave up after 1 tries" c10.err && [ "$(requests | grep -c comments)" = 1 ]'

# 10. Retries are bounded: 502 forever, 0.5 s of waiting (0.1 + 0.2, then 0.4 would pass it).
setup '{"faults": [{"method": "GET", "path": "/comments$", "status": 502, "times": 100}]}'
MODELGATE_GITHUB_MAX_WAIT=0.5 MODELGATE_GITHUB_BACKOFF=0.1 run c11 --report report.md
check "bounded: exit 2" '[ "$(cat c11.rc)" = 2 ]'
check "bounded: exactly 3 tries" '[ "$(requests | grep -c comments)" = 3 ]'
check "bounded: one line naming the request, the status and the give-up" \
  '[ "$(grep -vc 127.0.0.1 c11.err)" = 1 ] && tail -1 c11.err | grep -q "^modelgate comment: GET /repos/octo/credit/issues/7/comments?per_page=100: HTTP 502: fault; gave up after 3 tries and 0.3 s of waiting (the next wait, 0.4 s, would pass the 0.5 s limit)$"'

# 11. A fork's read-only token: 403 "Resource not accessible by integration".
setup '{"faults": [{"method": "POST", "path": "/comments$", "status": 403, "times": 1, "body": {"message": "Resource not accessible by integration"}}]}'
run c12 --report report.md
check "fork token: exit 2" '[ "$(cat c12.rc)" = 2 ]'
check "fork token: says to comment from a workflow_run job" 'tail -1 c12.err | grep -q "POST /repos/octo/credit/issues/7/comments: HTTP 403: Resource not accessible by integration: .*fork.*workflow_run"'
check "fork token: not retried" '[ "$(requests | grep -c ^POST)" = 1 ]'

# 12. --dry-run prints the requests and makes none.
setup '{}'
run c13 --report report.md --dry-run
check "dry run: exit 0" '[ "$(cat c13.rc)" = 0 ]'
check "dry run: no request reached the server" '[ "$(log | jq length)" = 0 ]'
check "dry run: prints GET, PATCH and POST" 'grep -q "^GET $API/repos/octo/credit/issues/7/comments?per_page=100" c13.out && grep -q "^PATCH $API/repos/octo/credit/issues/comments/{comment_id}  # when a comment by github-actions\[bot\] (type Bot) starts with <!-- modelgate:gate -->" c13.out && grep -q "^POST $API/repos/octo/credit/issues/7/comments  # otherwise" c13.out'
GITHUB_EVENT_PATH=$work/fork.json run c14 --report report.md --dry-run
check "dry run: the SHA lookup is printed, not made" 'grep -q "^GET $API/repos/octo/credit/commits/$SHA/pulls" c14.out && grep -q "issues/{pull_number}/comments" c14.out && [ "$(log | jq length)" = 0 ]'
env -u GITHUB_TOKEN "$MG" comment --report report.md --dry-run --pr 4 >c15.out 2>&1; echo $? >c15.rc
check "dry run works without a token" '[ "$(cat c15.rc)" = 0 ] && grep -q "issues/4/comments" c15.out'

# 13. The 65,536-character limit, counted in characters (é is 2 bytes).
"$PY" - <<'PY'
head = "<!-- modelgate:gate -->\n"
open("max.md", "w", encoding="utf-8").write(head + "é" * (65536 - len(head)))
open("over.md", "w", encoding="utf-8").write(head + "é" * (65537 - len(head)))
PY
setup '{}'
run c16 --report max.md
check "65,536 characters are posted" '[ "$(cat c16.rc)" = 0 ] && [ "$(log | jq -r ".[-1].body.body | length")" = 65536 ]'
setup '{}'
run c17 --report over.md
check "65,537 characters are refused before any request" '[ "$(cat c17.rc)" = 2 ] && grep -q "65537 characters, more than the 65536" c17.err && [ "$(log | jq length)" = 0 ]'
printf '<!-- modelgate:gate -->\n\xff\xfe\n' >bad.md
run c18 --report bad.md
check "invalid UTF-8 is refused with its byte offset" '[ "$(cat c18.rc)" = 2 ] && grep -q "not valid UTF-8 text at byte 24" c18.err'

# 14. The marker: from the first line, or --marker (added when missing).
printf '## no marker\n' >nomark.md
run c19 --report nomark.md
check "no marker: exit 2 naming nomark.md:1" '[ "$(cat c19.rc)" = 2 ] && grep -q "^modelgate comment: nomark.md:1: the first line is not a marker" c19.err'
setup '{}'
run c20 --report nomark.md --marker nightly
check "--marker puts the marker first" '[ "$(log | jq -r ".[-1].body.body")" = "$(printf "<!-- modelgate:nightly -->\n## no marker")" ]'
run c21 --report report.md --marker "bad id"
check "--marker with a space: exit 2" '[ "$(cat c21.rc)" = 2 ] && grep -q -- "--marker" c21.err'

# 15. A Link header to another host is not followed (the token would go there).
setup '{"faults": [{"method": "GET", "path": "/comments$", "status": 200, "times": 1, "body": [], "headers": {"Link": "<http://attacker.invalid/steal?page=2>; rel=\"next\""}}]}'
run c22 --report report.md
check "foreign Link: exit 2, not followed" '[ "$(cat c22.rc)" = 2 ] && grep -q "not under $API; not followed" c22.err && [ "$(requests | grep -c comments)" = 1 ]'

# 16. A server that echoes the token in its message: the message shows ***.
setup '{"faults": [{"method": "POST", "path": "/comments$", "status": 422, "times": 1, "body": {"message": "Validation Failed for '"$TOKEN"'"}}]}'
run c23 --report report.md
check "echoed token: exit 2 and *** in its place" '[ "$(cat c23.rc)" = 2 ] && grep -q "HTTP 422: Validation Failed for \*\*\*" c23.err'

# 17. Refusals before any request.
env -u GITHUB_TOKEN "$MG" comment --report report.md >c24.out 2>c24.err; echo $? >c24.rc
check "no GITHUB_TOKEN: exit 2" '[ "$(cat c24.rc)" = 2 ] && grep -q "GITHUB_TOKEN is not set" c24.err'
env -u GITHUB_REPOSITORY "$MG" comment --report report.md >c25.out 2>c25.err; echo $? >c25.rc
check "no repository: exit 2" '[ "$(cat c25.rc)" = 2 ] && grep -q "GITHUB_REPOSITORY" c25.err'
run c26 --report report.md --repo "octo/credit/../x"
check "a bad --repo: exit 2" '[ "$(cat c26.rc)" = 2 ] && grep -q "is not OWNER/NAME" c26.err'
run c27 --report report.md --pr 0
check "--pr 0: exit 2" '[ "$(cat c27.rc)" = 2 ]'
run c28 --report missing.md
check "a missing report: exit 2 naming it" '[ "$(cat c28.rc)" = 2 ] && grep -q "missing.md: cannot open" c28.err'
echo '{"pull_request": ' >broken.json
GITHUB_EVENT_PATH=$work/broken.json run c29 --report report.md
check "a broken event payload: exit 2 naming file, line and column" '[ "$(cat c29.rc)" = 2 ] && grep -q "broken.json:2:0: not a JSON event payload" c29.err'
GITHUB_TOKEN=wrong run c30 --report report.md
check "a refused token: exit 2 with HTTP 401" '[ "$(cat c30.rc)" = 2 ] && grep -q "HTTP 401" c30.err'

# The token never appears in any output of any case.
check "the token is in no stdout or stderr ($n runs)" '! cat ./*.out ./*.err | grep -qF "$TOKEN"'
check "nor any prefix of it longer than its fixed part" '! cat ./*.out ./*.err | grep -qF "${TOKEN:0:12}"'

echo "$checks checks, $failures failed"
[ "$failures" = 0 ]
