#!/usr/bin/env bash
# The data_sha256 of the provenance is the file's SHA-256 (as sha256sum gives
# it) for a test set larger than the 16 MiB slices it is hashed in, read from
# a file (mapped, each hashed slice released), from stdin redirected from
# the file and from a pipe (read into memory); the metrics do
# not depend on how the file was read.
set -u
mg=$1
gen=${MG_BENCH_GEN:?MG_BENCH_GEN names the bench_gen binary (set by CTest)}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fails=0
fail() { echo "FAIL: $*"; fails=$((fails + 1)); }

"$gen" 1600000 "$tmp/big.csv" || fail "bench_gen exited $?"
size=$(stat -c %s "$tmp/big.csv")
[ "$size" -gt $((2 * 16 * 1048576)) ] || fail "the file ($size bytes) does not span three slices"
want=$(sha256sum <"$tmp/big.csv" | cut -d' ' -f1)

"$mg" evaluate --model column:score --test-data "$tmp/big.csv" --quiet --output "$tmp/file.json" ||
    fail "evaluate on the file exited $?"
got=$(jq -r .provenance.data_sha256 "$tmp/file.json")
[ "$got" = "$want" ] || fail "file: data_sha256 $got, sha256sum $want"

"$mg" evaluate --model column:score --test-data /dev/stdin --quiet --output "$tmp/stdin.json" \
    <"$tmp/big.csv" || fail "evaluate on stdin redirected from the file exited $?"
got=$(jq -r .provenance.data_sha256 "$tmp/stdin.json")
[ "$got" = "$want" ] || fail "stdin from the file: data_sha256 $got, sha256sum $want"
cat "$tmp/big.csv" | "$mg" evaluate --model column:score --test-data /dev/stdin --quiet \
    --output "$tmp/pipe.json" || fail "evaluate on a pipe exited $?"
got=$(jq -r .provenance.data_sha256 "$tmp/pipe.json")
[ "$got" = "$want" ] || fail "pipe: data_sha256 $got, sha256sum $want"
diff <(jq -S 'del(.provenance)' "$tmp/file.json") <(jq -S 'del(.provenance)' "$tmp/pipe.json") >/dev/null ||
    fail "the metrics of the file and of the pipe differ"

[ $fails -eq 0 ] && echo "data digest: all checks passed"
exit $((fails > 0))
