#!/bin/sh
# Model benchmark (not a test): XGBoost rows/s in modelgate vs xgboost's own
# Python in-place prediction on the same rows and model, and the runner
# protocol's cost per batch and per row with a trivial runner.
# Usage: bench/models/run.sh [BUILD_DIR] [ROWS]   (from the repository root)
set -eu
BUILD=${1:-build}
N=${2:-1000000}
DIR=$(mktemp -d /tmp/mg-bench-models.XXXXXX)
trap 'rm -rf "$DIR"' EXIT
cc -O2 -Iinclude bench/models/bench_predict.c "$BUILD/libmodelgate.so" -Wl,-rpath,"$PWD/$BUILD" \
    -lm -o "$DIR/bench_predict"
/usr/bin/python3 bench/models/make_bench.py "$DIR" "$N"
T=$(nproc)
"$DIR/bench_predict" "$DIR/model.json" "$DIR/X.f64" 10 65536 "$T" "$N" "$DIR/xgb_preds.f64"
"$DIR/bench_predict" "$DIR/model.json" "$DIR/X.f64" 10 65536 1 "$N"
RUNNER="cmd:/usr/bin/python3 bench/models/sum_runner.py"
"$DIR/bench_predict" "$RUNNER" "$DIR/X.f64" 10 1 1 5000
"$DIR/bench_predict" "$RUNNER" "$DIR/X.f64" 10 4096 1 "$N"
