#!/usr/bin/env bash
# Installs the Debian packages that modelgate's build, tests, demo and fuzzer
# need: only the missing ones, without questions, and safe to run again.
# (Node.js and npm serve only the benchmarks and the regeneration of the
# committed Parquet fixtures; see bench/README.md.)
set -euo pipefail

# clang builds the fuzz targets (make fuzz, .ci/run); clang does not depend on
# the libFuzzer and sanitizer runtimes (libclang_rt.fuzzer, .asan, .ubsan),
# which Debian 12 ships in libclang-rt-14-dev (libclang-rt-dev pulls in the
# default version); llvm brings llvm-symbolizer for readable fuzz stack traces.
# chromium opens report.html in tests/e2e/test_report_html.sh.
# shellcheck and python3-yaml lint the GitHub Actions files (test_workflows.sh);
# curl drives the fake GitHub API of the comment tests.
packages=(
  build-essential cmake pkg-config clang libclang-rt-dev llvm
  zlib1g-dev libzstd-dev liblz4-dev libbrotli-dev libsnappy-dev
  libcurl4-openssl-dev libssl-dev libyaml-dev libsqlite3-dev libjansson-dev libarchive-dev libxgboost-dev
  libcmocka-dev jq bc time procps openssl sqlite3
  python3 python3-numpy python3-scipy python3-sklearn python3-pandas python3-xgboost python3-joblib
  python3-onnx python3-jsonschema libxml2-utils
  chromium
  shellcheck python3-yaml curl
)

missing=()
for p in "${packages[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed'; then
    missing+=("$p")
  fi
done

# The test suite's npm tooling (scripts/npm-ci.sh) needs node and npm; a
# machine that has them from elsewhere keeps its own.
if ! command -v npm >/dev/null 2>&1; then
  missing+=(nodejs npm)
fi

if [ ${#missing[@]} -eq 0 ]; then
  exit 0
fi

sudo=()
if [ "$(id -u)" -ne 0 ]; then
  sudo=(sudo)
fi
echo "install-deps: installing ${missing[*]}" >&2
export DEBIAN_FRONTEND=noninteractive
"${sudo[@]}" apt-get update -qq
"${sudo[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
