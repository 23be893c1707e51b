#!/usr/bin/env bash
# Docs checked against code: every command listed by `modelgate help` has a
# page docs/COMMAND.md, and every option its --help prints (generated from the
# command's option table) is named on that page.
set -u
mg=$1
docs="${MG_SOURCE_DIR:?}/docs"
missing=0
checked=0
commands=$("$mg" help | awk '/^commands:/{on=1; next} on && /^  [a-z]/{print $1}' | grep -v '^help$')
[ -n "$commands" ] || { echo "no commands listed by 'modelgate help'"; exit 1; }
for c in $commands; do
  page="$docs/$c.md"
  if [ "$c" = version ]; then continue; fi
  if [ ! -f "$page" ]; then
    echo "missing page: docs/$c.md"; missing=$((missing + 1)); continue
  fi
  for opt in $("$mg" "$c" --help | grep -oE '^  --[a-z0-9-]+' | sed 's/^  //' | grep -vx -- --help); do
    checked=$((checked + 1))
    if ! grep -qF -- "$opt" "$page"; then
      echo "docs/$c.md does not describe $opt"; missing=$((missing + 1))
    fi
  done
done
echo "$checked options checked, $missing missing"
[ "$missing" = 0 ]
