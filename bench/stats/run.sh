#!/usr/bin/env bash
# Times 1000 Poisson-bootstrap replicates of accuracy and ROC AUC on 1M rows
# (goal: at most 5 s on a 2-core machine). Builds with `make` first.
#   bench/stats/run.sh [ROWS] [REPLICATES] [THREADS]
set -euo pipefail
cd "$(dirname "$0")/../.."
make >/dev/null
build/tests/bench_bootstrap "${1:-1000000}" "${2:-1000}" "${3:-0}"
