#!/usr/bin/env bash
# Runs every end-to-end case folder: each holds `cmd` (arguments after the
# binary, one shell line, run inside the case folder with $MG as the binary),
# `exit` (the expected exit code) and optionally `stdout` (exact) and `stderr`
# (the exact last line of stderr). Files a case writes go to $OUT, a scratch
# folder; `expect/NAME` compares $OUT/NAME exactly.
set -u
mg=$1
cases=$2
pass=0
fail=0
for dir in "$cases"/*/; do
  name=$(basename "$dir")
  out=$(mktemp -d)
  (cd "$dir" && MG="$mg" OUT="$out" bash -c "$(cat cmd)" >"$out/.stdout" 2>"$out/.stderr" </dev/null)
  code=$?
  ok=1
  want=$(cat "$dir/exit")
  if [ "$code" != "$want" ]; then
    echo "FAIL $name: exit $code, expected $want"; ok=0
    sed 's/^/  stderr: /' "$out/.stderr" | tail -n 5
  fi
  if [ -f "$dir/stdout" ] && ! cmp -s "$dir/stdout" "$out/.stdout"; then
    echo "FAIL $name: stdout differs"; diff "$dir/stdout" "$out/.stdout" | head -n 20; ok=0
  fi
  if [ -f "$dir/stderr" ]; then
    last=$(tail -n 1 "$out/.stderr")
    if [ "$last" != "$(cat "$dir/stderr")" ]; then
      echo "FAIL $name: last stderr line"; echo "  got:      $last"; echo "  expected: $(cat "$dir/stderr")"; ok=0
    fi
  fi
  if [ -d "$dir/expect" ]; then
    for f in "$dir"/expect/*; do
      b=$(basename "$f")
      if ! cmp -s "$f" "$out/$b"; then
        echo "FAIL $name: $b differs"; diff "$f" "$out/$b" | head -n 20; ok=0
      fi
    done
  fi
  if [ -f "$dir/absent" ]; then
    while read -r b; do
      [ -e "$out/$b" ] && { echo "FAIL $name: $b was written"; ok=0; }
    done <"$dir/absent"
  fi
  rm -rf "$out"
  if [ $ok = 1 ]; then pass=$((pass + 1)); else fail=$((fail + 1)); fi
done
echo "$pass passed, $fail failed"
[ "$fail" = 0 ]
