# The tutorial's "Measure inference latency" (after its benchmark command) and
# "Check latency threshold" steps, run in the folder that holds latency.json.
# Only the `${{ steps.latency.outputs.p99 }}` expression is the shell variable.
P50=$(jq .p50_ms latency.json)
P99=$(jq .p99_ms latency.json)

echo "p50=$P50" >> $GITHUB_OUTPUT
echo "p99=$P99" >> $GITHUB_OUTPUT

P99=$P99
MAX_LATENCY=100  # 100ms

if (( $(echo "$P99 > $MAX_LATENCY" | bc -l) )); then
  echo "::error::P99 latency ${P99}ms exceeds ${MAX_LATENCY}ms"
  exit 1
fi

echo "::notice::P99 latency ${P99}ms within threshold"
