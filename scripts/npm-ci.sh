#!/usr/bin/env bash
# Installs the npm test tooling pinned by DIR/package-lock.json into
# DIR/node_modules (npm ci, no install scripts), once: a second call, or a
# concurrent one from another test, finds it done. Usage: scripts/npm-ci.sh DIR
# Prints nothing on success; exits non-zero with npm's error otherwise.
set -euo pipefail
dir=$1
[ -f "$dir/package-lock.json" ] || { echo "npm-ci: $dir/package-lock.json is missing" >&2; exit 2; }
command -v npm >/dev/null || { echo "npm-ci: npm is not installed (run scripts/install-deps.sh)" >&2; exit 2; }
exec 9>"$dir/.npm-ci.lock"
flock 9
stamp="$dir/node_modules/.modelgate-lock-sha256"
want=$(sha256sum "$dir/package-lock.json" | cut -d' ' -f1)
if [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$want" ]; then
  exit 0
fi
(cd "$dir" && npm ci --ignore-scripts --no-audit --no-fund --loglevel=error >/dev/null)
echo "$want" > "$stamp"
