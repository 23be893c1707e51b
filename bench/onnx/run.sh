#!/bin/sh
# ONNX benchmark (not a test): modelgate's built-in interpreter beside ONNX
# Runtime (npm's onnxruntime-node) on a 100-tree, depth-6 ensemble of 20
# features: single-row p50 on one thread, batch rows/s on THREADS threads, and
# the largest difference between their outputs.
# Usage (from the repository root, after `make` and `(cd bench/onnx && npm ci --ignore-scripts)`):
#   bench/onnx/run.sh [BUILD_DIR] [ROWS] [THREADS] [SAMPLES]   # defaults: build 200000 2 20000
set -eu
BUILD=${1:-build}
N=${2:-200000}
T=${3:-2}
S=${4:-20000}
DIR=$(mktemp -d /tmp/mg-bench-onnx.XXXXXX)
trap 'rm -rf "$DIR"' EXIT
cc -O2 -Iinclude bench/onnx/bench_onnx.c "$BUILD/libmodelgate.so" -Wl,-rpath,"$PWD/$BUILD" \
    -lm -o "$DIR/bench_onnx"
/usr/bin/python3 bench/onnx/make_model.py "$DIR" "$N"
(cd bench/onnx && node bench_ort.mjs "$DIR" "$N" "$T" "$S")
"$DIR/bench_onnx" "$DIR" "$N" "$T" "$S"
