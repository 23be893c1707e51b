# The tutorial's "Compare with baseline" (after its compare command) and
# "Check for regression" steps, run in the folder that holds comparison.json.
# Only the `${{ steps.compare.outputs.improvement }}` expression is the shell
# variable.
IMPROVEMENT=$(jq .accuracy_improvement comparison.json)
echo "improvement=$IMPROVEMENT" >> $GITHUB_OUTPUT

IMPROVEMENT=$IMPROVEMENT
MIN_IMPROVEMENT=-0.01  # Allow 1% degradation max

if (( $(echo "$IMPROVEMENT < $MIN_IMPROVEMENT" | bc -l) )); then
  echo "::error::Model regression detected: ${IMPROVEMENT}"
  exit 1
fi
