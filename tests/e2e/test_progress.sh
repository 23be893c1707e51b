#!/usr/bin/env bash
# test_progress.sh - progress lines on stderr: shown on a terminal (a pty made
# by util-linux `script`) for a run longer than the ~1 s delay, for reading,
# predicting and bootstrap replicates (evaluate, compare and fairness with
# --confidence), and never when stderr is a file.
# The slow run is a runner that sleeps 0.05 s per one-row batch over 40 rows:
# at least 2 s on any machine, so the line must appear with the default delay.
# The other steps are fast, so MODELGATE_PROGRESS_DELAY=0 draws them at once.
# Usage: test_progress.sh <modelgate-binary>   (env: MG_PYTHON, MG_SOURCE_DIR)
set -u
MG=$(cd "$(dirname "$1")" && pwd)/$(basename "$1")
PY=${MG_PYTHON:-/usr/bin/python3}
SRC=${MG_SOURCE_DIR:?}
command -v script >/dev/null || { echo "skip: util-linux script is not installed"; exit 77; }
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
failures=0
fail() { echo "FAIL: $*"; failures=$((failures + 1)); }

# Runs "$@" with stdin, stdout and stderr on a pty; its output goes to $work/tty.
on_tty() {
  local cmd=""
  for a in "$@"; do cmd+=" $(printf '%q' "$a")"; done
  script -qec "$cmd" /dev/null >"$work/tty" </dev/null
}
# Runs "$@" with stderr in $work/err (a file).
on_file() { "$@" >/dev/null 2>"$work/err" </dev/null; }
has() { grep -aqF -- "$2" "$1"; }

head -41 "$SRC/examples/data/test.csv" | cut -d, -f1-3 >"$work/small.csv"
"$PY" - "$work/b.csv" <<'PYEOF'
import random, sys
r = random.Random(1)
with open(sys.argv[1], "w") as f:
    f.write("label,score,group\n")
    for i in range(20000):
        y = r.random() < 0.4
        s = min(1, max(0, r.gauss(0.6 if y else 0.4, 0.2)))
        f.write("%d,%.4f,%s\n" % (y, s, "ab"[i % 2]))
PYEOF

# 1. A slow prediction, default delay: the line appears on a terminal only.
slow=(evaluate --model "cmd:$PY $SRC/tests/data/runners/fixed_delay.py 0.05" --test-data
      "$work/small.csv" --batch-size 1 --quiet --output "$work/m.json")
on_tty "$MG" "${slow[@]}" || fail "slow evaluate on a tty exited $?"
has "$work/tty" "predicting [" || fail "no predicting line on a tty: $(cat -v "$work/tty" | head -c 300)"
has "$work/tty" $'\r\033[K' || fail "the predicting line was not cleared"
on_file "$MG" "${slow[@]}" || fail "slow evaluate, stderr in a file, exited $?"
has "$work/err" "predicting" && fail "a predicting line in a file: $(cat -v "$work/err")"
has "$work/err" $'\r' && fail "a carriage return in a file: $(cat -v "$work/err")"

# 2. Reading and bootstrap lines of each command with --confidence.
export MODELGATE_PROGRESS_DELAY=0
ev=(evaluate --model column:score --test-data "$work/b.csv" --confidence 0.95 --bootstrap 200
    --quiet --output "$work/m.json")
cmp_=(compare --new column:score --baseline column:score --test-data "$work/b.csv"
      --confidence 0.95 --bootstrap 200 --quiet --output "$work/c.json")
fair=(fairness --model column:score --test-data "$work/b.csv" --protected-attributes group
      --confidence 0.95 --bootstrap 200 --quiet --output "$work/f.json")
for run in ev cmp_ fair; do
  declare -n args=$run
  on_tty "$MG" "${args[@]}"
  code=$?
  [ $code -le 3 ] || fail "$run on a tty exited $code"
  has "$work/tty" "reading b.csv [" || fail "$run: no reading line: $(cat -v "$work/tty" | head -c 300)"
  has "$work/tty" "bootstrap [" || fail "$run: no bootstrap line: $(cat -v "$work/tty" | head -c 300)"
  has "$work/tty" "200/200 replicates" || fail "$run: the bootstrap line never reached 200/200"
  on_file "$MG" "${args[@]}"
  code2=$?
  [ $code2 = $code ] || fail "$run: exit $code on a tty, $code2 with stderr in a file"
  if has "$work/err" "bootstrap [" || has "$work/err" "reading" || has "$work/err" $'\r'; then
    fail "$run: progress in a file: $(cat -v "$work/err" | head -c 300)"
  fi
  unset -n args
done

[ $failures = 0 ] && echo "progress: lines on a terminal, none in a file"
[ $failures = 0 ]
