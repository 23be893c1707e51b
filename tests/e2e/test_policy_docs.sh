#!/usr/bin/env bash
# docs/policy.md prints the bundled example's policy: the copy must be the
# file's content exactly (the first ```yaml block after "The bundled
# example's policy is"), so that the page cannot drift from the file. The
# page's slices example must read as a policy's slices section.
set -u
mg=$1
src="${MG_SOURCE_DIR:?}"
page="$src/docs/policy.md"
file="$src/examples/modelgate.yml"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
awk '/^The bundled example.s policy is/ {seen = 1}
     seen && !inside && /^```yaml$/ {inside = 1; next}
     inside && /^```$/ {exit}
     inside {print}' "$page" > "$tmp/copy.yml"
[ -s "$tmp/copy.yml" ] || { echo "docs/policy.md: no yaml block after 'The bundled example's policy is'"; exit 1; }
if ! cmp -s "$tmp/copy.yml" "$file"; then
  echo "docs/policy.md: its copy of examples/modelgate.yml differs from the file:"
  diff -u "$file" "$tmp/copy.yml"
  exit 1
fi
# a changed example is caught: the comparison is not vacuous
sed 's/equal_opportunity_ratio/demographic_parity_ratio/' "$file" > "$tmp/changed.yml"
if cmp -s "$tmp/copy.yml" "$tmp/changed.yml"; then
  echo "the comparison does not see a changed gate"; exit 1
fi

# The slices example, under the example's data and model.
awk '/^### `slices`/ {seen = 1}
     seen && !inside && /^```yaml$/ {inside = 1; next}
     inside && /^```$/ {exit}
     inside {print}' "$page" > "$tmp/slices.yml"
grep -q '^slices:' "$tmp/slices.yml" || { echo "docs/policy.md: no slices example"; exit 1; }
{ sed -n '/^version:/,/^model:/p' "$file"; cat "$tmp/slices.yml"; } > "$tmp/p.yml"
cp -r "$src/examples/data" "$src/examples/models" "$tmp/"
out=$(cd "$tmp" && "$mg" gate --policy p.yml --set 'slices.edges.income=[0, 1000]' --outputs out 2>&1)
rc=$?
# the whole-policy check refuses edges for a column that is not sliced, naming
# the override: the example's section was read without a complaint (a fault
# in it would be refused first, naming p.yml)
if [ "$rc" != 2 ] || ! echo "$out" | grep -qF -- "--set slices.edges.income: 'income' is not a column of slices.by or slices.cross"; then
  echo "slices example: expected only the override to be refused, got rc=$rc: $out"; exit 1
fi
echo "docs/policy.md: the copy of examples/modelgate.yml is the file; the slices example reads"
