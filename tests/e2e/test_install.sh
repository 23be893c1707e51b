#!/usr/bin/env bash
# `make install` puts the bundled runners in <prefix>/share/modelgate/adapters
# and the installed binary finds them there: a pickled model given as a file
# runs through the installed sklearn_runner.py, not the source tree's.
set -u
mg=$1
src=${MG_SOURCE_DIR:?}
build=$(dirname "$mg")
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fail=0
unset MODELGATE_ADAPTERS

cmake --install "$build" --prefix "$tmp/prefix" >/dev/null || { echo "FAIL: cmake --install"; exit 1; }
installed=$tmp/prefix/bin/modelgate
[ -f "$tmp/prefix/share/modelgate/adapters/sklearn_runner.py" ] || { echo "FAIL: adapters not installed"; fail=1; }

args=(evaluate --model "$src/examples/models/model.pkl" --test-data "$src/examples/data/test.csv"
      --ignore score,gender,age_group)
"$installed" "${args[@]}" --python /usr/bin/python3 --output "$tmp/installed.json" 2>/dev/null ||
  { echo "FAIL: the installed binary could not run the pickle"; fail=1; }
"$mg" "${args[@]}" --python /usr/bin/python3 --output "$tmp/built.json" 2>/dev/null ||
  { echo "FAIL: the built binary could not run the pickle"; fail=1; }
a=$(jq -c '{accuracy, roc_auc, n}' "$tmp/installed.json" 2>/dev/null)
b=$(jq -c '{accuracy, roc_auc, n}' "$tmp/built.json" 2>/dev/null)
[ -n "$a" ] && [ "$a" = "$b" ] || { echo "FAIL: installed $a, built $b"; fail=1; }

# Which runner ran: an interpreter without numpy makes the message name it.
printf '#!/bin/sh\nexec /usr/bin/python3 -S "$@"\n' >"$tmp/bare" && chmod +x "$tmp/bare"
"$installed" "${args[@]}" --python "$tmp/bare" --output "$tmp/x.json" 2>"$tmp/err"
code=$?
[ $code = 2 ] || { echo "FAIL: bare interpreter: exit $code"; fail=1; }
grep -q "running $tmp/prefix/bin/../share/modelgate/adapters/sklearn_runner.py cannot load" "$tmp/err" ||
  { echo "FAIL: the installed binary did not use the installed runner:"; tail -n 1 "$tmp/err"; fail=1; }
[ $fail = 0 ] && echo "3 passed, 0 failed"
exit $fail
