#!/usr/bin/env bash
# The tutorial's own fairness check (the `python -c` snippet of its "Check
# demographic parity" step), extracted verbatim from the tutorial's text and run
# unchanged by Debian's Python against modelgate's fairness.json: once on a
# run that passes (exit 0 from both) and once on one that fails (exit 1 from
# both, with the tutorial's ::error line naming the attribute).
set -u
mg=$1
src=${MG_SOURCE_DIR:?}
# (the tutorial's fairness job, copied verbatim into the tree)
tutorial=$src/tests/e2e/helpers/tutorial_fairness_job.yml
data=$src/examples/data/test.csv
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fail=0

# The snippet: the lines between `python -c "` and the closing `"` of the
# step, with the YAML block's indentation (that of the `python` line) removed.
snippet=$(awk '
  /python -c "$/ && !done { indent = index($0, "python") - 1; on = 1; next }
  on && /^ *"$/ { on = 0; done = 1; next }
  on { print substr($0, indent + 1) }' "$tutorial")
case $snippet in
*"results['demographic_parity'].items()"*) ;;
*) echo "FAIL: could not find the tutorial's fairness snippet in $tutorial"; exit 1 ;;
esac

check() { # name, expected modelgate exit, expected snippet exit, attributes
  local name=$1 want_mg=$2 want_py=$3 attrs=$4 dir=$tmp/$1
  mkdir -p "$dir"
  "$mg" fairness --model column:score --test-data "$data" --protected-attributes "$attrs" \
    --output "$dir/fairness.json" 2>"$dir/stderr"
  local code=$?
  if [ "$code" != "$want_mg" ]; then
    echo "FAIL $name: modelgate exit $code, expected $want_mg"; tail -n 3 "$dir/stderr"; fail=1
  fi
  (cd "$dir" && /usr/bin/python3 -c "$snippet" >stdout 2>&1)
  code=$?
  if [ "$code" != "$want_py" ]; then
    echo "FAIL $name: tutorial check exit $code, expected $want_py"; cat "$dir/stdout"; fail=1
  fi
  echo "$name: $(cat "$dir/stdout")"
}

check passing 0 0 gender
grep -qx '::notice::All fairness checks passed' "$tmp/passing/stdout" || {
  echo "FAIL passing: no ::notice line"; fail=1; }
check failing 1 1 gender,age_group
grep -q "^::error::Demographic parity violation for age_group: 0.58" "$tmp/failing/stdout" || {
  echo "FAIL failing: no ::error line for age_group"; fail=1; }
exit $fail
