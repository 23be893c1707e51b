#!/usr/bin/env bash
# Builds and runs bench_latency.c against the library of a `make` build:
#   bench/latency/run.sh [BUILD_DIR]      (default: build)
# Pass --cpu-style pinning with taskset if the machine is shared, e.g.
#   taskset -c 1 bench/latency/run.sh
set -eu
root=$(cd "$(dirname "$0")/../.." && pwd)
build=${1:-$root/build}
out=$build/bench_latency
cc -O2 -std=c11 -D_DEFAULT_SOURCE -I"$root/include" -I"$root/lib" -I"$root/lib/util" -I"$root/lib/banned" \
    "$root/bench/latency/bench_latency.c" "$build/libmodelgate.a" \
    $(pkg-config --libs zlib libzstd liblz4 libbrotlidec snappy libcurl yaml-0.1 sqlite3) \
    -lxgboost -lpthread -lm -o "$out"
"$out" "$root/examples/models/model.json" "$root/examples/data/test.csv"
