#!/usr/bin/env bash
# A clone of modelgate has nothing beside it: no test, build file or script may
# read a file outside the repository (the workspace it was developed in had a
# shared/ folder beside it). .ci/run proves it by running the suite in such a
# clone; this test names the offending line at once.
set -u
src=${MG_SOURCE_DIR:?}
cd "$src" || exit 1
hits=$(grep -rnE '\.\./shared|/work/shared' tests CMakeLists.txt Makefile scripts examples fuzz bench .ci \
  --exclude=test_standalone.sh --exclude-dir=node_modules 2>/dev/null)
if [ -n "$hits" ]; then
  echo "FAIL: files that read outside the repository:"; echo "$hits"; exit 1
fi
echo "1 passed, 0 failed"
