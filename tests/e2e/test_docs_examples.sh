#!/usr/bin/env bash
# Docs that are true: every ```console example in README.md and docs/*.md is
# run against this binary and its shown output compared (the convention is in
# tests/e2e/helpers/docs_examples.py and docs/README.md); a concrete modelgate
# command in a block that is not run fails unless marked `not run` with a reason.
set -u
mg=$1
exec "${MG_PYTHON:-/usr/bin/python3}" "$(dirname "$0")/helpers/docs_examples.py" "$mg" "${MG_SOURCE_DIR:?}"
