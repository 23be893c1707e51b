#!/usr/bin/env bash
# `make valgrind`: the end-to-end suite with the binary under valgrind
# memcheck. Every case folder (tests/e2e/run.sh) and the e2e scripts that are
# practical under a 20-50x slowdown run with $MG being a wrapper that execs
#   valgrind --error-exitcode=99 --leak-check=full BINARY ARGS
# with valgrind's report going to a log file per process, so that the cases'
# stderr stays what they expect. A memcheck error makes that process exit 99
# (which fails its case) and leaves a non-empty log, which fails the run.
# Runner processes (cmd: models) are not traced: they are the user's code.
#
# Usage: tests/valgrind/run.sh BUILD/modelgate
set -u
bin=$(cd "$(dirname "$1")" && pwd)/$(basename "$1")
src=$(cd "$(dirname "$0")/../.." && pwd)
command -v valgrind >/dev/null || { echo "valgrind: not installed"; exit 1; }
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
mkdir -p "$work/logs"
wrapper=$work/modelgate
cat >"$wrapper" <<WRAP
#!/bin/sh
exec valgrind -q --error-exitcode=99 --leak-check=full --show-leak-kinds=definite,possible \\
  --errors-for-leak-kinds=definite,possible --track-fds=no \\
  --suppressions="$src/tests/valgrind/modelgate.supp" \\
  --log-file="$work/logs/vg.%p.log" "$bin" "\$@"
WRAP
chmod +x "$wrapper"

fail=0
start=$(date +%s)
echo "== e2e cases under valgrind"
bash "$src/tests/e2e/run.sh" "$wrapper" "$src/tests/e2e/cases" || fail=1
# The scripts: all but the latency benchmark (its measurements under valgrind
# take minutes and test timing, not memory) and those that need files outside
# the repository.
for script in "$src"/tests/e2e/test_*.sh; do
  name=$(basename "$script" .sh)
  case $name in
  test_benchmark) echo "== $name: skipped (latency measurement)"; continue ;;
  test_hardening_io) echo "== $name: skipped (signals, address-space limits and a dropped uid act on valgrind, not on modelgate)"; continue ;;
  test_install | test_library) echo "== $name: skipped (installs the build folder's binary and library, not the wrapper)"; continue ;;
  esac
  echo "== $name under valgrind"
  MG_SOURCE_DIR=$src MG_PYTHON=/usr/bin/python3 bash "$script" "$wrapper"
  code=$?
  if [ "$code" = 77 ]; then echo "   (skipped by the script)";
  elif [ "$code" != 0 ]; then echo "FAIL $name: exit $code"; fail=1; fi
done
nlogs=0
for log in "$work"/logs/vg.*.log; do
  [ -e "$log" ] || continue
  if [ -s "$log" ]; then
    nlogs=$((nlogs + 1))
    echo "FAIL: valgrind reported errors ($(basename "$log")):"
    head -n 40 "$log"
  fi
done
[ "$nlogs" = 0 ] || fail=1
echo "valgrind: $(ls "$work"/logs | wc -l) processes checked in $(( $(date +%s) - start )) s; $([ $fail = 0 ] && echo ok || echo FAILED)"
exit $fail
