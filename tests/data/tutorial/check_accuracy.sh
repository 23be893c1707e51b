# The tutorial's "Evaluate model" and "Check accuracy threshold" steps, run in
# the folder that holds metrics.json. The lines are the tutorial's; only the
# `${{ steps.evaluate.outputs.accuracy }}` expression that joined the two steps
# is the shell variable the first step set.
ACCURACY=$(jq .accuracy metrics.json)
echo "accuracy=$ACCURACY" >> $GITHUB_OUTPUT

ACCURACY=$ACCURACY
THRESHOLD=0.85

if (( $(echo "$ACCURACY < $THRESHOLD" | bc -l) )); then
  echo "::error::Accuracy $ACCURACY below threshold $THRESHOLD"
  exit 1
fi

echo "::notice::Accuracy $ACCURACY meets threshold $THRESHOLD"
