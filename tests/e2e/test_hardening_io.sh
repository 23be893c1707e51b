#!/usr/bin/env bash
# test_hardening_io.sh - odd output paths, inputs that are not regular files,
# and signals: device nodes stay device nodes, a planted symlink is not
# followed, a missing or unwritable output folder fails before any model runs,
# a pipe or FIFO gives the same metrics as the regular file, endless devices
# are refused, and SIGTERM/SIGINT/SIGHUP leave no runner, no grandchild and no
# temporary file behind.
# Usage: test_hardening_io.sh <modelgate-binary>   (env: MG_PYTHON, MG_SOURCE_DIR)
set -u
MG=$(cd "$(dirname "$1")" && pwd)/$(basename "$1")
PY=${MG_PYTHON:-/usr/bin/python3}
src=${MG_SOURCE_DIR:?}
csv=$src/examples/data/test.csv
pq=$src/examples/data/test.parquet
sleeper=$src/tests/data/runners/setsid_sleeper.py
work=$(mktemp -d)
leftover_pids=()
mkdir -m 1777 "$work/markers" # the runners write their pids here
cleanup() { # a failing run may leave runners behind: their markers name them
  for m in "$work"/markers/*; do
    [ -f "$m" ] && read -r a b <"$m" && leftover_pids+=("$a" "$b")
  done
  for p in "${leftover_pids[@]}"; do kill -9 "$p" 2>/dev/null; done
  rm -rf "$work"
}
trap cleanup EXIT
failures=0
fail() { echo "FAIL: $*"; failures=$((failures + 1)); }
root=0
[ "$(id -u)" = 0 ] && root=1
nrows=$(($(wc -l <"$csv") - 1)) # the file has no quoted newlines
sha=$(sha256sum "$csv" | cut -d' ' -f1)

evaluate() { # evaluate column:score on test data $1, extra flags after
  local data=$1
  shift
  timeout 60 "$MG" evaluate --model column:score --test-data "$data" "$@"
}

# Metrics of two metrics.json files equal, provenance's data path aside.
same_metrics() { # $1 $2
  "$PY" - "$1" "$2" <<'PYEOF'
import json, sys
a, b = (json.load(open(p)) for p in sys.argv[1:3])
for d in (a, b):
    d.get("provenance", {}).pop("data", None)
sys.exit(0 if a == b else 1)
PYEOF
}
field() { # $1 file, $2 python expression on d
  "$PY" -c "import json,sys; d=json.load(open(sys.argv[1])); print($2)" "$1"
}

evaluate "$csv" --output "$work/ref.json" 2>/dev/null || fail "reference run failed"
[ "$(field "$work/ref.json" 'd["n"]')" = "$nrows" ] || fail "reference n is not $nrows"
[ "$(field "$work/ref.json" 'd["provenance"]["data_sha256"]')" = "$sha" ] ||
  fail "reference data_sha256 is not sha256sum's"

# ---- output paths ----------------------------------------------------------
# Device nodes of our own (mknod needs root), so that a regression cannot
# replace the machine's /dev/null.
if [ $root = 1 ] && mknod "$work/null" c 1 3 2>/dev/null && mknod "$work/full" c 1 7; then
  evaluate "$csv" --output "$work/null" 2>/dev/null
  rc=$?
  [ $rc = 0 ] || fail "--output null device: exit $rc"
  [ "$(stat -c %F "$work/null")" = "character special file" ] ||
    fail "--output null device: the node became a $(stat -c %F "$work/null")"
  evaluate "$csv" --output "$work/full" 2>"$work/full.err"
  rc=$?
  [ $rc = 2 ] || fail "--output full device: exit $rc, expected 2"
  grep -q "full: cannot write: No space left on device" "$work/full.err" ||
    fail "--output full device: stderr: $(cat "$work/full.err")"
  [ "$(grep -c "cannot write" "$work/full.err")" = 1 ] &&
    tail -n 1 "$work/full.err" | grep -q "full: cannot write: No space left on device" ||
    fail "--output full device: expected one error line, the last: $(cat "$work/full.err")"
  [ "$(stat -c %F "$work/full")" = "character special file" ] ||
    fail "--output full device: the node became a $(stat -c %F "$work/full")"
  ls "$work" | grep -q '\.tmp\.' && fail "a temporary file was left in $work"
else
  echo "note: not root or no mknod: the device-node checks use /dev/null only"
fi
# The machine's /dev/null (when it is still the device: an older modelgate
# run as root elsewhere on the machine may have replaced it) stays the device.
if [ -c /dev/null ]; then
  evaluate "$csv" --output /dev/null 2>"$work/devnull.err" || fail "--output /dev/null failed"
  [ -c /dev/null ] || fail "/dev/null is no longer a character device"
else
  echo "note: /dev/null is not a character device on this machine; not written"
fi
# /dev/stdout and a FIFO are written in place, with the same bytes as "-".
stdout_path=/dev/stdout
[ -L /dev/stdout ] || stdout_path=/proc/self/fd/1
evaluate "$csv" --output - >"$work/stdout.json" 2>/dev/null || fail "--output - failed"
evaluate "$csv" --output $stdout_path 2>/dev/null | cat >"$work/devstdout.json"
cmp -s "$work/stdout.json" "$work/devstdout.json" || fail "--output $stdout_path differs from -"
[ $stdout_path != /dev/stdout ] || [ -L /dev/stdout ] || fail "/dev/stdout was replaced"
cmp -s "$work/stdout.json" "$work/ref.json" || fail "--output - differs from the file output"
mkfifo "$work/out.fifo"
timeout 60 cat "$work/out.fifo" >"$work/fifo.json" & # bounded: a FIFO replaced by a file has no writer
reader=$!
evaluate "$csv" --output "$work/out.fifo" 2>/dev/null || fail "--output FIFO failed"
wait $reader
cmp -s "$work/fifo.json" "$work/ref.json" || fail "--output FIFO: the reader got other bytes"
[ -p "$work/out.fifo" ] || fail "--output FIFO: the FIFO was replaced"

# A symlink planted at the name the old code used (OUT.tmp.PID: exec keeps
# the pid) is neither followed nor removed; the output is a new regular file.
mkdir "$work/plant"
echo "precious" >"$work/plant/victim"
sh -c 'ln -s "$1" "$2.tmp.$$" && exec "$3" evaluate --model column:score --test-data "$4" \
  --output "$2"' sh "$work/plant/victim" "$work/plant/m.json" "$MG" "$csv" 2>/dev/null ||
  fail "planted symlink: evaluate failed"
[ "$(cat "$work/plant/victim")" = precious ] || fail "planted symlink: the victim was overwritten"
[ -f "$work/plant/m.json" ] && [ ! -L "$work/plant/m.json" ] ||
  fail "planted symlink: m.json is not a regular file"
cmp -s "$work/plant/m.json" "$work/ref.json" || fail "planted symlink: m.json has other bytes"
[ "$(find "$work/plant" -type l | wc -l)" = 1 ] || fail "planted symlink: the symlink was touched"
[ "$(ls "$work/plant" | wc -l)" = 3 ] || fail "planted symlink: files left: $(ls "$work/plant")"

# A missing or unwritable output folder fails (exit 2, naming the folder)
# before the runner starts (it would write the marker) and before the test
# data is opened (a FIFO with no writer would block the open).
mkfifo "$work/nowriter.fifo"
chmod 666 "$work/nowriter.fifo"
chmod 755 "$work"
mkdir -m 555 "$work/readonly"
as_user=()
if [ $root = 1 ]; then
  if command -v setpriv >/dev/null; then
    as_user=(setpriv --reuid=65534 --regid=65534 --clear-groups)
  else
    as_user=(skip)
  fi
fi
for case in missing unwritable; do
  marker=$work/markers/$case
  if [ $case = missing ]; then
    out=$work/no/such/folder/m.json prefix=() want="folder '$work/no/such/folder': No such file"
  else
    out=$work/readonly/m.json prefix=("${as_user[@]}") want="folder '$work/readonly': Permission denied"
    if [ "${as_user[0]:-}" = skip ]; then
      echo "note: root without setpriv: the unwritable-folder check is skipped"
      continue
    fi
  fi
  timeout 60 "${prefix[@]}" "$MG" evaluate --model "cmd:$PY $sleeper $marker" \
    --test-data "$work/nowriter.fifo" --runner-start-timeout 5 --runner-timeout 5 \
    --output "$out" 2>"$work/$case.err"
  rc=$?
  [ $rc = 2 ] || fail "$case output folder: exit $rc, expected 2"
  grep -q "cannot create a temporary file in the $want" "$work/$case.err" ||
    fail "$case output folder: stderr: $(cat "$work/$case.err")"
  [ -e "$marker" ] && fail "$case output folder: the runner was started"
done
# Every command prepares its output before it starts a model or opens data.
for cmd in predict fairness compare benchmark inspect; do
  marker=$work/markers/missing_$cmd
  runner="cmd:$PY $sleeper $marker"
  case $cmd in
    predict) args=(--model "$runner") ;;
    fairness) args=(--model "$runner" --protected-attributes gender) ;;
    compare) args=(--new "$runner" --baseline column:score) ;;
    benchmark) args=(--model "$runner" --timeout 5) ;;
    inspect) args=() ;;
  esac
  timeout 60 "$MG" $cmd "${args[@]}" --test-data "$work/nowriter.fifo" \
    --output "$work/no/such/folder/out" 2>"$work/$cmd.err"
  rc=$?
  [ $rc = 2 ] || fail "$cmd, missing output folder: exit $rc, expected 2"
  grep -q "cannot create a temporary file in the folder '$work/no/such/folder'" "$work/$cmd.err" ||
    fail "$cmd, missing output folder: stderr: $(cat "$work/$cmd.err")"
  [ -e "$marker" ] && fail "$cmd, missing output folder: the runner was started"
done
chmod 700 "$work"

# ---- inputs that are not regular files --------------------------------------
# /dev/stdin from a pipe, a FIFO, Parquet through a pipe, and a --predictions
# FIFO: the same metrics as the regular file, n every row, and the sha256 of
# the bytes read.
cat "$csv" | evaluate /dev/stdin --output "$work/stdin.json" 2>/dev/null ||
  fail "--test-data /dev/stdin failed"
same_metrics "$work/ref.json" "$work/stdin.json" || fail "/dev/stdin: other metrics than the file"
[ "$(field "$work/stdin.json" 'd["n"]')" = "$nrows" ] || fail "/dev/stdin: n is not $nrows"
[ "$(field "$work/stdin.json" 'd["provenance"]["data_sha256"]')" = "$sha" ] ||
  fail "/dev/stdin: data_sha256 is not the file's"
mkfifo "$work/in.fifo"
timeout 60 cat "$csv" >"$work/in.fifo" &
evaluate "$work/in.fifo" --output "$work/fifo_in.json" 2>/dev/null || fail "--test-data FIFO failed"
wait
same_metrics "$work/ref.json" "$work/fifo_in.json" || fail "FIFO: other metrics than the file"
[ "$(field "$work/fifo_in.json" 'd["provenance"]["data_sha256"]')" = "$sha" ] ||
  fail "FIFO: data_sha256 is not the file's"
evaluate "$pq" --output "$work/pq.json" 2>/dev/null || fail "Parquet file failed"
cat "$pq" | evaluate /dev/stdin --output "$work/pq_stdin.json" 2>/dev/null ||
  fail "Parquet through /dev/stdin failed"
same_metrics "$work/pq.json" "$work/pq_stdin.json" || fail "Parquet /dev/stdin: other metrics"
cut -d, -f10 "$csv" | sed '1s/.*/p/' >"$work/preds.csv"
timeout 60 "$MG" evaluate --model column:p --test-data "$csv" --predictions "$work/preds.csv" \
  --output "$work/preds_file.json" 2>/dev/null || fail "--predictions file failed"
mkfifo "$work/preds.fifo"
timeout 60 cat "$work/preds.csv" >"$work/preds.fifo" &
timeout 60 "$MG" evaluate --model column:p --test-data "$csv" --predictions "$work/preds.fifo" \
  --output "$work/preds_fifo.json" 2>/dev/null || fail "--predictions FIFO failed"
wait
same_metrics "$work/preds_file.json" "$work/preds_fifo.json" ||
  fail "--predictions FIFO: other metrics than the file"
[ "$(field "$work/preds_fifo.json" 'd["n"]')" = "$nrows" ] || fail "--predictions FIFO: n"

# Endless character devices are refused at once; a pipe longer than
# --max-input-bytes is exit 2 naming the limit.
for dev in /dev/zero /dev/urandom; do
  evaluate $dev --output - >/dev/null 2>"$work/dev.err"
  rc=$?
  [ $rc = 2 ] || fail "$dev: exit $rc, expected 2"
  grep -qx "modelgate evaluate: $dev: is a character device; give a regular file, a pipe or /dev/stdin" \
    "$work/dev.err" || fail "$dev: stderr: $(cat "$work/dev.err")"
done
cat "$csv" | evaluate /dev/stdin --max-input-bytes 1K --output - >/dev/null 2>"$work/cap.err"
rc=$?
[ $rc = 2 ] || fail "--max-input-bytes 1K: exit $rc, expected 2"
grep -q "/dev/stdin: byte 1024: .*longer than the limit of 1024 bytes" "$work/cap.err" ||
  fail "--max-input-bytes 1K: stderr: $(cat "$work/cap.err")"
# the cap counts bytes exactly: the file's size passes, one byte less fails
size=$(stat -c %s "$csv")
cat "$csv" | evaluate /dev/stdin --max-input-bytes "$size" --output - >/dev/null 2>&1 ||
  fail "--max-input-bytes of exactly the size failed"
cat "$csv" | evaluate /dev/stdin --max-input-bytes $((size - 1)) --output - >/dev/null 2>&1
[ $? = 2 ] || fail "--max-input-bytes of the size - 1 did not fail"
evaluate "$csv" --max-input-bytes 12X --output - >/dev/null 2>&1
[ $? = 2 ] || fail "--max-input-bytes 12X was accepted"
# Memory running out below the cap is exit 2 with one line, not a spin (not
# under ASan, which needs more address space than the limit leaves).
if ! ldd "$MG" 2>/dev/null | grep -q libasan; then
  (
    ulimit -v 200000
    head -c 300000000 /dev/zero | evaluate /dev/stdin --max-input-bytes 2G --output - \
      >/dev/null 2>"$work/oom.err"
    echo $? >"$work/oom.rc"
  )
  [ "$(cat "$work/oom.rc")" = 2 ] || fail "out of memory on a pipe: exit $(cat "$work/oom.rc")"
  grep -q "/dev/stdin: out of memory after reading [0-9]* bytes of a non-regular file" \
    "$work/oom.err" || fail "out of memory on a pipe: stderr: $(cat "$work/oom.err")"
fi

# ---- processes -------------------------------------------------------------
# A runner that works but leaves a helper behind in a session of its own: the
# helper is gone when evaluate returns (killed and reaped as a subreaper).
daemon=$src/tests/data/runners/leaves_daemon.py
printf 'label,a,b\n1,0.1,0.2\n0,0.3,0.4\n1,0.5,0.6\n' >"$work/small.csv"
timeout 60 "$MG" evaluate --model "cmd:$PY $daemon $work/markers/daemon" --test-data "$work/small.csv" \
  --output "$work/daemon.json" 2>"$work/daemon.err" || fail "leaves_daemon: $(cat "$work/daemon.err")"
[ "$(field "$work/daemon.json" 'd["n"]')" = 3 ] || fail "leaves_daemon: n is not 3"
if [ -s "$work/markers/daemon" ]; then
  read -r helper <"$work/markers/daemon"
  [ -e /proc/$helper ] && fail "leaves_daemon: the setsid helper $helper outlives evaluate"
else
  fail "leaves_daemon: no marker"
fi

# ---- signals ---------------------------------------------------------------
# Job control, so that a background job does not start with SIGINT ignored.
set -m
for sig in TERM INT HUP; do
  case $sig in TERM) want=143 ;; INT) want=130 ;; HUP) want=129 ;; esac
  dir=$work/sig_$sig
  mkdir "$dir"
  marker=$work/markers/sig_$sig
  "$MG" evaluate --model "cmd:$PY $sleeper $marker" --test-data "$csv" \
    --ignore gender,age_group,score --output "$dir/m.json" 2>"$work/sig_$sig.err" &
  pid=$!
  for _ in $(seq 600); do # at most 60 s for the runner to answer its handshake
    [ -e "$marker" ] && break
    sleep 0.1
  done
  if [ ! -e "$marker" ]; then
    fail "SIG$sig: the runner never wrote its marker"
    kill -9 $pid
    wait $pid
    continue
  fi
  read -r runner grandchild <"$marker"
  [ "$(ls "$dir" | grep -c '^m\.json\.tmp\.')" = 1 ] ||
    fail "SIG$sig: no temporary file while the model runs: $(ls "$dir")"
  [ "$(ps -o sid= -p "$grandchild" | tr -d ' ')" = "$grandchild" ] ||
    fail "SIG$sig: the grandchild is not in a session of its own"
  kill -$sig $pid
  wait $pid
  rc=$?
  [ $rc = $want ] || fail "SIG$sig: exit $rc, expected $want"
  for p in "$runner" "$grandchild"; do
    # gone, not even a zombie (modelgate reaped what it killed)
    [ -e /proc/$p ] && fail "SIG$sig: process $p survives: $(cat /proc/$p/stat 2>/dev/null)"
  done
  [ -z "$(ls -A "$dir")" ] || fail "SIG$sig: files left in the output folder: $(ls -A "$dir")"
done
set +m

# Standard output's /dev and /proc names while it goes to a file: the file
# gets the output, appended as `>>` asks (/dev/fd/1 and /proc/self/fd/1 only:
# a regression there fails to rename into /proc instead of replacing the
# machine's /dev/stdout link).
for name in /dev/fd/1 /proc/self/fd/1; do
  echo "first line" >"$work/redirected.out"
  evaluate "$csv" --output "$name" >>"$work/redirected.out" 2>"$work/redirected.err" ||
    fail "--output $name into a file: exit $?: $(cat "$work/redirected.err")"
  [ "$(head -n 1 "$work/redirected.out")" = "first line" ] || fail "--output $name: the file was not appended to"
  tail -n +2 "$work/redirected.out" | cmp -s - "$work/ref.json" ||
    fail "--output $name: the file does not hold the metrics.json of the reference run"
done
[ -L /dev/stdout ] || [ ! -e /dev/stdout ] || [ -c /dev/stdout ] ||
  fail "/dev/stdout is no longer a link or a device"

if [ $failures -ne 0 ]; then
  echo "$failures failure(s)"
  exit 1
fi
echo "test_hardening_io: all passed"
