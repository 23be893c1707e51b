#!/usr/bin/env bash
# docs/library.md's program, compiled with pkg-config against the library
# that `cmake --install` puts in a temporary prefix, prints the accuracy that
# `modelgate evaluate` writes to metrics.json; a missing test file is its
# exit 2 with the library's one-line error naming the file.
set -u
mg=$1
src=${MG_SOURCE_DIR:?}
build=$(dirname "$mg")
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fail=0
command -v cc >/dev/null && command -v pkg-config >/dev/null || { echo "SKIP: no cc or pkg-config"; exit 77; }

cmake --install "$build" --prefix "$tmp/prefix" >/dev/null || { echo "FAIL: cmake --install"; exit 1; }
pc=$(find "$tmp/prefix" -name modelgate.pc | head -n 1)
[ -n "$pc" ] || { echo "FAIL: no modelgate.pc installed"; exit 1; }
pcdir=$(dirname "$pc")
libdir=$(dirname "$pcdir")

# The first ```c block of the page, as a reader would copy it.
awk '/^```c$/ {f = 1; next} /^```$/ && f {exit} f' "$src/docs/library.md" >"$tmp/evaluate.c"
[ -s "$tmp/evaluate.c" ] || { echo "FAIL: no C program in docs/library.md"; exit 1; }
flags=$(PKG_CONFIG_PATH=$pcdir pkg-config --define-variable=prefix="$tmp/prefix" --cflags --libs modelgate) ||
  { echo "FAIL: pkg-config modelgate"; exit 1; }
case $flags in *"$tmp/prefix"*) ;; *) echo "FAIL: pkg-config does not point into the prefix: $flags"; exit 1 ;; esac
# A library built with the sanitizers (make sanitize) needs their runtime first.
san=
if nm -D "$libdir/libmodelgate.so" 2>/dev/null | grep -q ' __asan_init'; then
  san="-fsanitize=address,undefined"
fi
cc -std=c11 -Wall -Wextra -Werror $san "$tmp/evaluate.c" $flags -o "$tmp/evaluate" 2>"$tmp/cc.err" ||
  { echo "FAIL: the program does not compile:"; cat "$tmp/cc.err"; exit 1; }

model=$src/examples/models/model.json
data=$src/examples/data/test.csv
LD_LIBRARY_PATH=$libdir "$tmp/evaluate" "$model" "$data" >"$tmp/out" 2>"$tmp/err"
code=$?
[ $code = 0 ] || { echo "FAIL: the program exited $code: $(cat "$tmp/err")"; fail=1; }
got=$(sed -n 's/^accuracy //p' "$tmp/out")
"$mg" evaluate --model "$model" --test-data "$data" --quiet --output "$tmp/metrics.json" 2>/dev/null ||
  { echo "FAIL: modelgate evaluate"; fail=1; }
want=$(jq -r .accuracy "$tmp/metrics.json")
# The same double (the program prints 17 digits, the file the shortest form);
# 0.8645 is what docs/library.md shows.
awk -v a="$got" -v b="$want" 'BEGIN { exit !(a != "" && a + 0 == b + 0 && b + 0 == 0.8645) }' ||
  { echo "FAIL: the program printed accuracy '$got', evaluate wrote '$want'"; fail=1; }

LD_LIBRARY_PATH=$libdir "$tmp/evaluate" "$model" "$tmp/missing.csv" >"$tmp/out" 2>"$tmp/err"
code=$?
[ $code = 2 ] && grep -q "$tmp/missing.csv" "$tmp/err" && [ "$(wc -l <"$tmp/err")" = 1 ] ||
  { echo "FAIL: missing test data: exit $code, stderr: $(cat "$tmp/err")"; fail=1; }

[ $fail = 0 ] && echo "2 passed, 0 failed"
exit $fail
