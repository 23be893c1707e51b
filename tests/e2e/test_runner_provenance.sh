#!/usr/bin/env bash
# A runner model (cmd:...) gets a provenance digest: the sha256 of the manifest
# of its command line and the sha256 of each argument that names a file, so
# that a changed model file or script changes metrics.json's model_sha256.
set -u
mg=$1
src=${MG_SOURCE_DIR:?}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fail=0
cp "$src/examples/models/model.pkl" "$tmp/model.pkl"
runner=$src/adapters/sklearn_runner.py
cmd="/usr/bin/python3 $runner $tmp/model.pkl"
data=$src/examples/data/test.csv

digest() { "$mg" evaluate --model "cmd:$cmd" --test-data "$data" --ignore score,gender,age_group \
  --quiet --output - 2>/dev/null | jq -r '.provenance.model_sha256'; }
want=$(/usr/bin/python3 - "$cmd" "$tmp/model.pkl" "$runner" <<'PY'
import hashlib, shlex, sys
cmd = sys.argv[1]
lines = ["cmd:%s\n" % cmd]
for arg in shlex.split(cmd):
    if arg in sys.argv[2:] or arg == "/usr/bin/python3":
        lines.append("%s sha256 %s\n" % (arg, hashlib.sha256(open(arg, "rb").read()).hexdigest()))
print(hashlib.sha256("".join(lines).encode()).hexdigest())
PY
)
got=$(digest)
[ "$got" = "$want" ] || { echo "FAIL: model_sha256 $got, manifest digest $want"; fail=1; }
printf '\n' >>"$tmp/model.pkl"
changed=$(digest)
[ -n "$changed" ] && [ "$changed" != "$got" ] || { echo "FAIL: a changed model file kept digest $got"; fail=1; }
[ $fail = 0 ] && echo "2 passed, 0 failed"
exit $fail
