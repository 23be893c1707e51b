#!/usr/bin/env bash
# test_registry.sh - `modelgate registry` end to end: round trips (push, fetch
# by stage and by version, promote, rollback, history, list, export/import,
# verify), the digest check on a modified blob, verify catching an edited, a
# deleted and a reordered event, every refusal (exit 2 with its message),
# signed evidence against keys made by the openssl CLI, registry:NAME@STAGE as
# a model argument, eight concurrent writers, and SIGKILLs during writes.
# References are independent of modelgate: sha256sum, cmp, jq, the openssl
# CLI (signatures, key fingerprints) and the sqlite3 CLI (tampering).
# Usage: test_registry.sh <modelgate-binary>   (env: MG_SOURCE_DIR)
set -u
MG=$(cd "$(dirname "$1")" && pwd)/$(basename "$1")
SRC=${MG_SOURCE_DIR:?}
for tool in sqlite3 openssl jq sha256sum; do
  command -v $tool >/dev/null || { echo "SKIP: $tool is not installed (scripts/install-deps.sh)"; exit 77; }
done
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cd "$work" || exit 1
failures=0
fail() { echo "FAIL: $*"; failures=$((failures + 1)); }
unset GITHUB_ACTOR
export MODELGATE_REGISTRY=$work/reg

# Two models: the bundled example, and the same model with one more byte of
# whitespace (still valid JSON, another digest).
cp "$SRC/examples/models/model.json" model.json
mkdir -p v2 && { cat model.json; echo; } >v2/model.json
d1=$(sha256sum model.json | cut -c1-64)
d2=$(sha256sum v2/model.json | cut -c1-64)

# A gate.json (verdict, gates, provenance). $1 verdict, $2 digest.
gate() {
  cat <<JSON
{"verdict": "$1", "gates": [{"name": "accuracy", "metric": "accuracy", "value": 0.91, "threshold": 0.85, "op": ">=", "verdict": "$1", "reason": null, "ci": {"low": 0.9, "high": 0.92, "level": 0.95, "method": "wilson"}}],
 "provenance": {"model_sha256": "$2", "data_sha256": "00", "policy_sha256": null, "baseline_sha256": null, "modelgate_version": "0.1.0", "seed": 0, "created_at": "2026-01-01T00:00:00Z"}}
JSON
}
gate pass "$d1" >pass1.json
gate pass "$d2" >pass2.json
gate fail "$d1" >fail1.json

# run EXPECTED_EXIT ARGS...: stdout in $work/out, stderr in $work/err.
run() {
  local want=$1
  shift
  "$MG" registry "$@" >"$work/out" 2>"$work/err"
  local got=$?
  [ "$got" = "$want" ] || fail "registry $* exited $got, expected $want: $(tail -n 1 "$work/err")"
}
# refused EXPECTED_TEXT ARGS...: exit 2, and the last stderr line holds the text.
refused() {
  local text=$1
  shift
  run 2 "$@"
  grep -qF -- "$text" <(tail -n 1 "$work/err") ||
    fail "registry $*: message '$(tail -n 1 "$work/err")' lacks '$text'"
}

# ---- round trips ----
run 0 push churn model.json --meta team=risk --meta ticket=ML-7 --reason "first model"
[ "$(cat out)" = v1 ] || fail "push printed '$(cat out)', expected v1"
grep -qF "sha256 $d1" err || fail "push does not name the digest: $(cat err)"
run 0 push churn v2/model.json
[ "$(cat out)" = v2 ] || fail "second push printed '$(cat out)'"
blob=reg/blobs/sha256/${d1:0:2}/${d1:2}
cmp -s model.json "$blob" || fail "blob $blob is not the pushed file"

run 0 fetch churn --version 1 --output f1
cmp -s model.json f1/model.json || fail "fetch --version 1 is not v1"
[ "$(jq -r '[.name, .version, .sha256, .filename, .size, .meta.team, .meta.ticket] | @tsv' f1/meta.json)" = \
  "$(printf 'churn\t1\t%s\tmodel.json\t%s\trisk\tML-7' "$d1" "$(stat -c %s model.json)")" ] ||
  fail "meta.json: $(cat f1/meta.json)"
run 0 fetch churn --version v2 --output f2
cmp -s v2/model.json f2/model.json || fail "fetch --version v2 is not v2"

run 0 promote churn 1 --stage production --evidence pass1.json --reason "gate passed"
run 0 promote churn v2 --stage production --evidence pass2.json
run 0 promote churn 1 --stage staging --evidence pass1.json
run 0 fetch churn --stage production --output fp
cmp -s v2/model.json fp/model.json || fail "production is not v2 after its promotion"
run 0 fetch churn --output fdefault
cmp -s v2/model.json fdefault/model.json || fail "fetch without --stage is not production"
run 0 fetch churn --stage staging --output fs
cmp -s model.json fs/model.json || fail "staging is not v1"
run 0 list
grep -qE '^churn +v2 +[0-9a-f]{12} +production=v2,staging=v1$' out || fail "list: $(cat out)"
run 0 rollback churn --stage production --reason "latency regression"
grep -qF "from v2 to v1" err || fail "rollback said: $(cat err)"
run 0 fetch churn --stage production --output fr
cmp -s model.json fr/model.json || fail "production is not v1 after the rollback"
refused "has no previous version" rollback churn --stage production
run 0 history churn
[ "$(awk '{print $2}' out | tr '\n' ' ')" = "push push promote promote promote rollback " ] ||
  fail "history actions: $(cat out)"
grep -q 'rollback v1 .*production (was v2).*"latency regression"' out || fail "rollback event: $(grep rollback out)"
ev1=$(sha256sum pass1.json | cut -c1-64)
grep -q "promote  v1 .*production .*evidence ${ev1:0:12}.*\"gate passed\"" out ||
  fail "promote event does not record the evidence digest: $(grep promote out | head -1)"
[ "$(sqlite3 reg/registry.db 'SELECT DISTINCT who FROM events')" = "$(id -un)" ] || fail "who is not the user"
GITHUB_ACTOR=octocat "$MG" registry promote churn 2 --stage canary --evidence pass2.json 2>/dev/null ||
  fail "promote to canary"
[ "$(sqlite3 reg/registry.db "SELECT who FROM events WHERE stage = 'canary'")" = octocat ] ||
  fail "who is not \$GITHUB_ACTOR"
cmp -s pass1.json "reg/blobs/sha256/${ev1:0:2}/${ev1:2}" || fail "the evidence is not kept as a blob"
[ "$(sqlite3 reg/registry.db 'PRAGMA journal_mode; PRAGMA user_version')" = "$(printf 'wal\n1')" ] ||
  fail "registry.db is not WAL at schema 1"
run 0 verify
[ "$(cat out)" = "ok: 7 events, 4 blobs verified" ] || fail "verify: $(cat out)"
run 0 --help

# --registry beats $MODELGATE_REGISTRY; the default is .modelgate/registry.
"$MG" registry push other model.json --registry "$work/reg2" >/dev/null 2>&1 || fail "push --registry"
[ -f reg2/registry.db ] || fail "--registry was not used"
mkdir -p cwd && (cd cwd && env -u MODELGATE_REGISTRY "$MG" registry push m ../model.json >/dev/null 2>&1) ||
  fail "push to the default registry"
[ -f cwd/.modelgate/registry/registry.db ] || fail "the default registry is not .modelgate/registry"

# ---- export / import ----
run 0 export churn --output churn.tar
tar -tf churn.tar | grep -qx "modelgate-registry/blobs/sha256/${d1:0:2}/${d1:2}" || fail "export lacks the v1 blob"
MODELGATE_REGISTRY=$work/imp "$MG" registry import churn.tar >/dev/null 2>imp.err || fail "import: $(cat imp.err)"
grep -qF "imported churn (7 new events" imp.err || fail "import said: $(cat imp.err)"
MODELGATE_REGISTRY=$work/imp "$MG" registry verify >/dev/null 2>&1 || fail "the imported registry does not verify"
"$MG" registry history churn >h_orig 2>/dev/null
MODELGATE_REGISTRY=$work/imp "$MG" registry history churn >h_imp 2>/dev/null
cmp -s h_orig h_imp || fail "the imported history differs"
MODELGATE_REGISTRY=$work/imp "$MG" registry fetch churn --output fi >/dev/null 2>&1
cmp -s model.json fi/model.json || fail "imported production is not v1"
MODELGATE_REGISTRY=$work/imp "$MG" registry import churn.tar >/dev/null 2>imp.err || fail "import again"
grep -qF "(0 new events" imp.err || fail "a second import added events: $(cat imp.err)"
# The archive grows: later events are appended on import.
run 0 promote churn 2 --stage staging --evidence pass2.json
run 0 export churn --output churn2.tar
MODELGATE_REGISTRY=$work/imp "$MG" registry import churn2.tar >/dev/null 2>imp.err || fail "incremental import"
grep -qF "(1 new events" imp.err || fail "incremental import: $(cat imp.err)"
# Another history under the same name is refused.
MODELGATE_REGISTRY=$work/div "$MG" registry push churn v2/model.json >/dev/null 2>&1
MODELGATE_REGISTRY=$work/div "$MG" registry import churn.tar >/dev/null 2>imp.err
[ $? = 2 ] && grep -qF "differs from the archive's at event #1" imp.err || fail "diverging import: $(cat imp.err)"
# A tampered archive is refused and changes nothing.
/usr/bin/python3 - churn.tar bad.tar "$d1" <<'PY' || fail "could not build a tampered tar"
import io, sys, tarfile
src, dst, d = sys.argv[1:]
with tarfile.open(src) as t, tarfile.open(dst, "w", format=tarfile.PAX_FORMAT) as o:
    for m in t.getmembers():
        data = t.extractfile(m).read()
        if m.name.endswith(d[2:]):
            data = data.replace(b'"', b"'", 1)
        o.addfile(m, io.BytesIO(data))
PY
MODELGATE_REGISTRY=$work/imp2 "$MG" registry import bad.tar >/dev/null 2>imp.err
[ $? = 2 ] && grep -qF "was altered" imp.err || fail "tampered import: $(cat imp.err)"
[ -n "$(MODELGATE_REGISTRY=$work/imp2 "$MG" registry list 2>/dev/null | sed 1d)" ] && fail "a refused import left models"

# ---- tampering ----
# tamper NAME SQL: a copy of the registry with SQL applied by the sqlite3 CLI.
tamper() {
  rm -rf "$work/t_$1" && cp -r "$work/reg" "$work/t_$1" && sqlite3 "$work/t_$1/registry.db" "$2"
}
verify_fails() { # NAME TEXT
  MODELGATE_REGISTRY=$work/t_$1 "$MG" registry verify >/dev/null 2>"$work/verr"
  local got=$?
  [ $got = 1 ] || fail "verify after $1 exited $got: $(cat "$work/verr")"
  grep -qF -- "$2" "$work/verr" || fail "verify after $1 does not say '$2': $(cat "$work/verr")"
}
tamper edited "UPDATE events SET why = 'routine' WHERE action = 'rollback'"
verify_fails edited "(rollback churn #6) was edited"
tamper edited_stage "UPDATE stages SET version = 2 WHERE stage = 'production' AND position = 1"
verify_fails edited_stage "stages row"
tamper deleted "DELETE FROM events WHERE seq = 4"
verify_fails deleted "(promote churn #5) does not follow event #3"
tamper reordered "UPDATE events SET seq = -seq WHERE seq IN (3, 4); UPDATE events SET seq = 7 + seq WHERE seq IN (-3, -4)"
[ "$(sqlite3 t_reordered/registry.db 'SELECT group_concat(n) FROM (SELECT n FROM events ORDER BY seq)')" = "1,2,4,3,5,6,7,8" ] ||
  fail "the reorder did not swap events 3 and 4"
verify_fails reordered "does not follow"
# A modified blob: fetch refuses it, verify reports it.
tamper blob "SELECT 1" >/dev/null
chmod u+w "t_blob/blobs/sha256/${d1:0:2}/${d1:2}"
printf ' ' >>"t_blob/blobs/sha256/${d1:0:2}/${d1:2}"
MODELGATE_REGISTRY=$work/t_blob "$MG" registry fetch churn --version 1 --output tb >/dev/null 2>tb.err
[ $? = 2 ] && grep -qF "content hashes to sha256" tb.err || fail "fetch of a modified blob: $(cat tb.err)"
[ -e tb/model.json ] && fail "fetch wrote a modified blob"
verify_fails blob "not to its name $d1"
MODELGATE_REGISTRY=$work/t_blob "$MG" evaluate --model registry:churn@production \
  --test-data "$SRC/examples/data/test.csv" --output tb.json >/dev/null 2>tb.err
[ $? = 2 ] && grep -qF "content hashes to" tb.err || fail "evaluate on a modified registry blob: $(cat tb.err)"

# ---- refusals: exit 2, one line naming the condition ----
refused "refused: no evidence" promote churn 2 --stage production
refused 'verdict is "fail", not "pass"' promote churn 1 --stage production --evidence fail1.json
refused "is for another model: provenance.model_sha256 is ${d2:0:12}" promote churn 1 --stage production --evidence pass2.json
echo '{"verdict": "pass"}' >noprov.json
refused "has no provenance.model_sha256" promote churn 1 --stage production --evidence noprov.json
echo '{"verdict": "pass", ' >broken.json
refused "broken.json: not JSON (line 2" promote churn 1 --stage production --evidence broken.json
refused "missing.json: cannot open" promote churn 1 --stage production --evidence missing.json
refused "stage 'qa' of model 'churn' holds no version" fetch churn --stage qa --output x
refused "no model named 'nosuch'" fetch nosuch --output x
refused "no model named 'nosuch'" history nosuch
refused "no model named 'nosuch'" promote nosuch 1 --stage production --evidence pass1.json
refused "model 'churn' has no version 9 (latest is v2)" fetch churn --version 9 --output x
refused "model 'churn' has no version 9 (latest is v2)" promote churn 9 --stage production --evidence pass1.json
refused "is not valid" push "../evil" model.json
refused "no registry here" verify --registry "$work/none"
[ -e x ] && fail "a refused fetch created its output"
# The schema: an empty database is migrated on open, a newer one refused.
mkdir -p old && sqlite3 old/registry.db 'PRAGMA user_version = 0; CREATE TABLE t(x)'
run 0 verify --registry "$work/old"
[ "$(sqlite3 old/registry.db 'PRAGMA user_version')" = 1 ] || fail "an old registry was not migrated"
mkdir -p new && sqlite3 new/registry.db 'PRAGMA user_version = 99; CREATE TABLE t(x)'
refused "schema version 99 is newer than this modelgate's (1)" verify --registry "$work/new"
echo 'not a database, at all, no; just forty bytes and more than that' >new/registry.db
refused "registry.db" list --registry "$work/new"

# ---- signed evidence ----
openssl genpkey -algorithm ed25519 -out ci.pem 2>/dev/null && openssl pkey -in ci.pem -pubout -out ci.pub 2>/dev/null
openssl genpkey -algorithm ed25519 -out rogue.pem 2>/dev/null
fpr=$(openssl pkey -pubin -in ci.pub -outform DER 2>/dev/null | sha256sum | cut -c1-64)
run 0 trust add ci.pub
[ "$(cat out)" = "trusted key sha256 $fpr" ] || fail "trust add printed '$(cat out)', expected fingerprint $fpr"
refused "holds a private key" trust add ci.pem
openssl genpkey -algorithm ed25519 -aes-128-cbc -pass pass:secret -out locked.pem 2>/dev/null
refused "not an unencrypted PEM private key" sign pass1.json --sign-key locked.pem </dev/null
openssl genpkey -algorithm rsa -pkeyopt rsa_keygen_bits:1024 -out rsa.pem 2>/dev/null
refused "not an Ed25519 key" sign pass1.json --sign-key rsa.pem
grep -qF "$(sed -n 2p ci.pem)" err && fail "trust add printed the private key"
refused "is not signed: the registry trusts 1 key and pass2.json.sig is missing" \
  promote churn 2 --stage production --evidence pass2.json
run 0 sign pass2.json --sign-key rogue.pem
refused "signature pass2.json.sig is not a valid signature of the file by any of the 1 trusted key" \
  promote churn 2 --stage production --evidence pass2.json
run 0 sign pass2.json --sign-key ci.pem
grep -qF "$(sed -n 2p ci.pem)" out err && fail "sign printed the key"
openssl pkeyutl -verify -pubin -inkey ci.pub -rawin -in pass2.json -sigfile pass2.json.sig >/dev/null 2>&1 ||
  fail "openssl does not verify the signature registry sign wrote"
cp pass2.json.sig other.sig && gate pass "$d2" | sed 's/0.91/0.99/' >pass2b.json && cp other.sig pass2b.json.sig
refused "not a valid signature" promote churn 2 --stage production --evidence pass2b.json
run 0 promote churn 2 --stage production --evidence pass2.json
run 0 history churn
grep -q "promote  v2 .*production .*signed by key ${fpr:0:12}" out || fail "the signer is not recorded: $(tail -n 1 out)"
run 0 verify
# --sign-key on the commands that write results, checked by the openssl CLI.
"$MG" evaluate --model model.json --test-data "$SRC/examples/data/test.csv" --ignore score \
  --protected-attributes gender,age_group --output m.json --sign-key ci.pem >/dev/null 2>&1 || fail "evaluate --sign-key"
openssl pkeyutl -verify -pubin -inkey ci.pub -rawin -in m.json -sigfile m.json.sig >/dev/null 2>&1 ||
  fail "evaluate's signature does not verify"
"$MG" evaluate --model model.json --test-data "$SRC/examples/data/test.csv" --ignore score \
  --protected-attributes gender,age_group --output - --sign-key ci.pem >/dev/null 2>sg.err
[ $? = 2 ] && grep -qF "needs an --output file" sg.err || fail "--sign-key with --output -: $(cat sg.err)"

# ---- registry:NAME@STAGE as a model argument ----
"$MG" evaluate --model model.json --test-data "$SRC/examples/data/test.csv" --ignore score \
  --protected-attributes gender,age_group --output direct.json >/dev/null 2>&1
"$MG" registry rollback churn --stage production >/dev/null 2>&1 # production: v1 again
"$MG" evaluate --model registry:churn@production --test-data "$SRC/examples/data/test.csv" --ignore score \
  --protected-attributes gender,age_group --output viareg.json >/dev/null 2>&1 || fail "evaluate registry:churn@production"
[ "$(jq -c '[.provenance.model, .provenance.model_sha256]' viareg.json)" = "[\"registry:churn@v1\",\"$d1\"]" ] ||
  fail "provenance of a registry model: $(jq -c .provenance viareg.json)"
[ "$(jq -c 'del(.provenance)' viareg.json)" = "$(jq -c 'del(.provenance)' direct.json)" ] ||
  fail "registry:churn@production evaluates differently from the file"
"$MG" compare --new model.json --baseline registry:churn@v2 --test-data "$SRC/examples/data/test.csv" \
  --output cmp.json >/dev/null 2>&1
[ "$(jq -r '.provenance.baseline_model + " " + .provenance.baseline_sha256' cmp.json)" = "registry:churn@v2 $d2" ] ||
  fail "compare --baseline registry:churn@v2: $(jq -c .provenance cmp.json 2>&1)"
# A first run has no model in the registry yet: --allow-no-baseline skips, as
# for a missing file. A model that exists but whose stage holds nothing (a
# typo, a model never promoted) is an error even then, and a skipped
# comparison is no evidence for a promotion.
"$MG" compare --new model.json --baseline registry:newmodel@production --test-data "$SRC/examples/data/test.csv" \
  --allow-no-baseline --output skip.json >/dev/null 2>skip.err || fail "compare --allow-no-baseline on a new model: $(cat skip.err)"
[ "$(jq -c '[.skipped, .provenance.baseline_model]' skip.json)" = '[true,"registry:newmodel@production"]' ] ||
  fail "skipped comparison: $(cat skip.json)"
"$MG" registry promote churn 1 --stage qa --evidence skip.json >/dev/null 2>skip.err
[ $? = 2 ] && grep -q "a comparison that was skipped" skip.err || fail "a skipped comparison promoted: $(cat skip.err)"
"$MG" registry push pushedonly model.json >/dev/null 2>&1 || fail "push pushedonly"
"$MG" compare --new model.json --baseline registry:pushedonly@production --test-data "$SRC/examples/data/test.csv" \
  --allow-no-baseline --output unp.json >/dev/null 2>unp.err || fail "compare --allow-no-baseline, stage never promoted: $(cat unp.err)"
[ "$(jq -c .skipped unp.json)" = true ] || fail "a stage never promoted was not skipped: $(cat unp.json)"
"$MG" compare --new model.json --baseline registry:churn@prodution --test-data "$SRC/examples/data/test.csv" \
  --allow-no-baseline --output typo.json >/dev/null 2>typo.err
[ $? = 2 ] && grep -qF "stage 'prodution' of model 'churn' holds no version" typo.err ||
  fail "a stage typo skipped the comparison: $(cat typo.err)"
"$MG" compare --new model.json --baseline registry:churn@qa --test-data "$SRC/examples/data/test.csv" \
  --output skip2.json >/dev/null 2>&1
[ $? = 2 ] || fail "compare on an empty stage without --allow-no-baseline did not exit 2"
"$MG" evaluate --model registry:churn@qa --test-data "$SRC/examples/data/test.csv" --output q.json >/dev/null 2>q.err
[ $? = 2 ] && grep -qF "stage 'qa' of model 'churn' holds no version" q.err || fail "registry:churn@qa: $(cat q.err)"

# ---- concurrency: 8 writers at once lose no event and tear no blob ----
export MODELGATE_REGISTRY=$work/conc
"$MG" registry push seed model.json >/dev/null 2>&1
for w in 1 2 3 4 5 6 7 8; do
  (
    for i in 1 2 3; do
      printf 'writer %s model %s\n' $w $i >m_${w}_$i.bin
      head -c 200000 /dev/urandom >>m_${w}_$i.bin
      v=$("$MG" registry push conc m_${w}_$i.bin 2>/dev/null) || { echo "push failed" >>conc.err; continue; }
      gate pass "$(sha256sum m_${w}_$i.bin | cut -c1-64)" >g_${w}_$i.json
      "$MG" registry promote conc "$v" --stage production --evidence g_${w}_$i.json 2>/dev/null ||
        echo "promote of $v failed" >>conc.err
    done
  ) &
done
wait
[ -s conc.err ] && fail "concurrent writers failed: $(head -3 conc.err)"
[ "$(sqlite3 conc/registry.db "SELECT count(*), count(DISTINCT version), min(version), max(version) FROM versions WHERE name = 'conc'")" = "24|24|1|24" ] ||
  fail "versions after 8 writers: $(sqlite3 conc/registry.db "SELECT count(*), max(version) FROM versions WHERE name = 'conc'")"
[ "$(sqlite3 conc/registry.db "SELECT action, count(*) FROM events WHERE name = 'conc' GROUP BY action ORDER BY 1" | tr '\n' ' ')" = "promote|24 push|24 " ] ||
  fail "events after 8 writers: $(sqlite3 conc/registry.db "SELECT action, count(*) FROM events GROUP BY action")"
"$MG" registry verify >/dev/null 2>conc.verr || fail "verify after 8 writers: $(cat conc.verr)"
ls m_*.bin | xargs sha256sum | cut -c1-64 | sort >pushed.txt
sqlite3 conc/registry.db "SELECT digest FROM versions WHERE name = 'conc' ORDER BY digest" >stored.txt
cmp -s pushed.txt stored.txt || fail "the stored digests are not the pushed files'"

# ---- crash safety: SIGKILL at random moments during push and promote ----
export MODELGATE_REGISTRY=$work/crash
"$MG" registry push crash model.json >/dev/null 2>&1
gate pass "$d1" >gc.json
head -c 3000000 /dev/urandom >big.bin
kills=0
start=$SECONDS
# A push takes about 130 ms here and a promote about 50 (fsyncs): the kill
# lands at a random moment within them; the loop runs until 50 kills hit a
# live writer (at most 1000 tries, so a fast machine that finishes many
# writers before the kill still gets there).
for i in $(seq 1 1000); do
  [ $kills -ge 50 ] && break
  if [ $((i % 3)) = 0 ]; then
    "$MG" registry promote crash 1 --stage production --evidence gc.json >/dev/null 2>&1 &
    ms=$((RANDOM % 40))
  else
    printf '%s' "$i" >>big.bin # a new digest each time
    "$MG" registry push crash big.bin >/dev/null 2>&1 &
    ms=$((RANDOM % 100))
  fi
  pid=$!
  sleep "$(printf '0.%03d' $ms)"
  kill -9 $pid 2>/dev/null && kills=$((kills + 1))
  wait $pid 2>/dev/null
  if ! "$MG" registry verify >/dev/null 2>crash.err; then
    fail "verify after kill $i: $(tail -n 1 crash.err)"
    break
  fi
done
[ $kills -ge 50 ] || fail "only $kills writers were killed in flight (need 50)"
n=$(sqlite3 crash/registry.db "SELECT count(*) FROM versions WHERE name = 'crash'")
[ "$(sqlite3 crash/registry.db "SELECT count(*) FROM events WHERE name = 'crash' AND action = 'push'")" = "$n" ] ||
  fail "push events and versions differ after the kills"
for v in $(seq 1 "$n"); do
  "$MG" registry fetch crash --version $v --output cf >/dev/null 2>crash.err ||
    fail "version $v of $n cannot be fetched after the kills: $(tail -n 1 crash.err)"
done
echo "crash loop: $kills kills, $n versions survive, $((SECONDS - start)) s"

if [ $failures -gt 0 ]; then
  echo "$failures failure(s)"
  exit 1
fi
echo "test_registry: all passed"
