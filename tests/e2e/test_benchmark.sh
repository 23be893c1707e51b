#!/usr/bin/env bash
# modelgate benchmark end to end: against KServe v2 servers started on loopback
# (a scikit-learn model, and a server that sleeps a known time per request):
# predictions through the HTTP backend equal scikit-learn's, the measured p50
# matches the sleep, exit codes 0, 1 and 3 come from real runs, the open loop
# counts late sends, a baseline is compared, and bad input is a one-line error.
set -u
mg=$1
py=${MG_PYTHON:-/usr/bin/python3}
src=${MG_SOURCE_DIR:?}
predict=${MG_MODEL_PREDICT:?}
server="$src/tests/e2e/helpers/kserve_server.py"
tmp=$(mktemp -d)
pids=()
cleanup() {
    for p in "${pids[@]}"; do kill "$p" 2>/dev/null; done
    rm -rf "$tmp"
}
trap cleanup EXIT
fails=0
fail() { echo "FAIL: $*"; fails=$((fails + 1)); }

# start_server NAME ARGS...: starts a server, sets $url_NAME
start_server() {
    local name=$1; shift
    "$py" "$server" --port-file "$tmp/$name.port" --timeout 100 "$@" &
    pids+=($!)
    for _ in $(seq 100); do [ -s "$tmp/$name.port" ] && break; sleep 0.1; done
    [ -s "$tmp/$name.port" ] || { echo "server $name did not start"; exit 1; }
    eval "url_$name=http://127.0.0.1:$(cat "$tmp/$name.port")/v2/models/m/infer"
}

# expect CODE WHAT COMMAND...: runs modelgate, checks the exit code
expect() {
    local want=$1 what=$2; shift 2
    "$mg" "$@" >"$tmp/out" 2>"$tmp/err"
    local got=$?
    if [ "$got" != "$want" ]; then
        fail "$what: exit $got, expected $want"; sed 's/^/    /' "$tmp/err" | tail -n 3
    fi
}

# a real model: logistic regression trained here, pickled for the server
"$py" - "$tmp" <<'PY' || exit 1
import pickle, sys
import numpy as np
from sklearn.linear_model import LogisticRegression
rng = np.random.default_rng(3)
x = rng.normal(size=(300, 4)); y = (x @ [1.0, -2.0, 0.5, 0.0] + rng.normal(size=300) > 0).astype(int)
m = LogisticRegression().fit(x, y)
pickle.dump(m, open(sys.argv[1] + "/model.pkl", "wb"))
t = rng.normal(size=(50, 4)); t[3, 1] = 1e-300; t[7, 2] = -123456.789
with open(sys.argv[1] + "/test.csv", "w") as f:
    f.write("f0,f1,label,f2,f3\n")
    for row, lab in zip(t, rng.integers(0, 2, 50)):
        f.write(f"{row[0]!r},{row[1]!r},{lab},{row[2]!r},{row[3]!r}\n")
np.savetxt(sys.argv[1] + "/expected.txt", m.predict_proba(t[:, [0, 1, 2, 3]]), delimiter=",", fmt="%.17g")
PY
start_server sk --model "$tmp/model.pkl"
start_server sleep5 --sleep-ms 5 --features 4

# -- the HTTP backend predicts exactly what scikit-learn does -----------------
if "$predict" "$url_sk" "$tmp/test.csv" >"$tmp/pred.txt" 2>"$tmp/err"; then
    "$py" - "$tmp/pred.txt" "$tmp/expected.txt" <<'PY' || fail "HTTP predictions differ from scikit-learn"
import sys, numpy as np
got, want = np.loadtxt(sys.argv[1], delimiter=","), np.loadtxt(sys.argv[2], delimiter=",")
assert got.shape == (50, 2), got.shape
assert np.array_equal(got, want), np.abs(got - want).max()
PY
else
    fail "model_predict over HTTP: $(cat "$tmp/err")"
fi

# -- a benchmark of the scikit-learn server, read as the tutorial reads it ----
expect 0 "benchmark of the sklearn server" benchmark --model "$url_sk" --test-data "$tmp/test.csv" \
    --samples 300 --max-p99 5000 --output "$tmp/latency.json"
P99=$(jq .p99_ms "$tmp/latency.json")
if (( $(echo "$P99 < 5000" | bc -l) )); then :; else fail "tutorial's jq/bc step: p99 $P99"; fi
jq -e '.samples == 300 and .warmup == 30 and .batch_size == 1 and .backend == "http"
       and (.p99_upper_bound_ms >= .p99_ms) and (.p99_lower_bound_ms <= .p99_ms)
       and .min_ms <= .p50_ms and .p50_ms <= .p90_ms and .p90_ms <= .p95_ms
       and .p95_ms <= .p99_ms and .p99_ms <= .p999_ms and .p999_ms <= .max_ms
       and .gates[0].verdict == "pass" and .windows.count == 5 and .stable != null
       and .timer_overhead_ns > 0 and .first_call_ms > 0 and .environment.ncpus >= 1
       and .runner_compute == null and .transport_reason != null' \
    "$tmp/latency.json" >/dev/null || fail "latency.json fields"
# the bound is the order statistic scipy's binomial names, checked from the file's own numbers
"$py" - "$tmp/latency.json" <<'PY' || fail "p99 bound is not the right order statistic"
import json, sys
d = json.load(open(sys.argv[1]))
assert d["samples"] == 300 and d["gates"][0]["ci"]["samples_needed"] == 299
PY

# -- a runner that sleeps 5 ms: the p50 says so; exit codes 0, 1, 3 ---------
run5="cmd:$py $src/tests/e2e/helpers/sleep_runner.py 5 4"
expect 0 "p99 within a loose limit" benchmark --model "$run5" --synthetic --samples 300 \
    --warmup 10 --max-p99 1000 --output "$tmp/l5.json"
"$py" - "$tmp/l5.json" <<'PY' || fail "p50 of a 5 ms server"
import json, sys
d = json.load(open(sys.argv[1]))
# the sleep is a floor; above it a busy machine can add any delay, so the upper
# check only catches a unit error (seconds or microseconds read as ms)
assert 5.0 <= d["p50_ms"] < 1000.0, d["p50_ms"]
assert d["min_ms"] >= 5.0, d["min_ms"]
assert d["backend"] == "runner", d["backend"]
# the runner reports its sleep as compute: the rest of each round trip is transport
c, t = d["runner_compute"], d["transport"]
assert c["p50_ms"] >= 0.8 * 5.0, c
assert c["p50_ms"] <= d["p50_ms"] and c["mean_ms"] <= d["mean_ms"], (c, d["p50_ms"])
assert t["p50_ms"] >= 0 and t["mean_ms"] >= 0 and t["p99_ms"] >= t["p50_ms"], t
assert c["p99_ms"] >= c["p50_ms"], c
# means are linear: mean transport = mean round trip - mean compute
assert abs(t["mean_ms"] - (d["mean_ms"] - c["mean_ms"])) < 1e-6, (t, c, d["mean_ms"])
PY
# a runner that does not send its compute time (the field is optional): null with a reason
expect 0 "runner without compute time" benchmark --model "$run5 --no-compute" --synthetic \
    --samples 20 --warmup 2 --output "$tmp/l.json"
jq -e '.runner_compute == null and .transport == null and .samples == 20
       and (.runner_compute_reason | test("reported no compute time"))
       and (.transport_reason | test("reported no compute time"))' "$tmp/l.json" >/dev/null ||
    fail "runner without compute time: $(jq -c '[.runner_compute,.runner_compute_reason]' "$tmp/l.json")"
expect 1 "p99 over the limit" benchmark --model "$run5" --synthetic --samples 50 \
    --max-p99 1 --output "$tmp/l.json"
grep -q "gate max_p99: fail: p99_ms .* > 1 ms" "$tmp/err" || fail "fail reason: $(tail -n 1 "$tmp/err")"
jq -e '.verdict == "fail" and .gates[0].verdict == "fail"' "$tmp/l.json" >/dev/null || fail "fail in json"
expect 3 "too few samples for the bound" benchmark --model "$run5" --synthetic --samples 100 \
    --max-p99 1000 --confidence 0.95 --output "$tmp/l.json"
[ "$(tail -n 1 "$tmp/err")" = "gate max_p99: inconclusive: p99_ms: 100 samples cannot bound it at confidence 0.95; at least 299 are needed (--samples 299)" ] ||
    fail "inconclusive message: $(tail -n 1 "$tmp/err")"
jq -e '.verdict == "inconclusive" and .p99_upper_bound_ms == null and (.p99_upper_bound_ms_reason | test("299 needed"))' \
    "$tmp/l.json" >/dev/null || fail "inconclusive in json"
expect 1 "lower bound over the limit" benchmark --model "$run5" --synthetic --samples 100 \
    --max-p50 2 --confidence 0.95 --output "$tmp/l.json"
expect 0 "upper bound within the limit" benchmark --model "$run5" --synthetic --samples 100 \
    --max-p50 1000 --confidence 0.95 --output "$tmp/l.json"
jq -e '.gates[0].decided_on == "bounds" and .gates[0].ci.high <= 1000' "$tmp/l.json" >/dev/null ||
    fail "bounds gate in json"
expect 0 "--duration ends the run" benchmark --model "$run5" --synthetic --duration 0.5 \
    --warmup 2 --output "$tmp/l.json"
# each call sleeps at least 5 ms, so at most 0.5 s / 5 ms (+ the call that straddles
# the end) fit; how few fit depends on the machine's load, so only one is asserted
jq -e '.samples >= 1 and .samples <= 101 and .duration_s >= 0.5' "$tmp/l.json" >/dev/null ||
    fail "duration run: $(jq -c '[.samples,.duration_s]' "$tmp/l.json")"

# -- open loop: on schedule at 50/s, late and queued at 1000/s ------------------
expect 0 "open loop within capacity" benchmark --model "$url_sleep5" --synthetic --samples 40 \
    --warmup 2 --rate 50 --output "$tmp/l.json"
# (how many sends are late depends on how soon a busy machine wakes the client up)
jq -e '.mode == "open_loop" and .rate_qps == 50 and .late_sends <= 40 and .p50_ms >= 5' \
    "$tmp/l.json" >/dev/null || fail "open loop at 50/s: $(jq -c '[.late_sends,.p50_ms]' "$tmp/l.json")"
expect 0 "open loop over capacity" benchmark --model "$url_sleep5" --synthetic --samples 100 \
    --warmup 2 --rate 1000 --output "$tmp/l.json"
# 100 sends due within 0.1 s take over 0.5 s: the late ones wait, and their wait is counted
jq -e '.late_sends >= 50 and .p99_ms > 200 and .max_send_delay_ms > 200' "$tmp/l.json" >/dev/null ||
    fail "open loop at 1000/s: $(jq -c '[.late_sends,.p99_ms]' "$tmp/l.json")"
grep -q "sends started over 1 ms late" "$tmp/err" || fail "no late-send warning"

expect 0 "open loop on a runner" benchmark --model "$run5" --synthetic --samples 50 --warmup 2 \
    --rate 1000 --output "$tmp/l.json"
jq -e '.late_sends >= 25 and .p99_ms > 100' "$tmp/l.json" >/dev/null ||
    fail "runner open loop at 1000/s: $(jq -c '[.late_sends,.p99_ms]' "$tmp/l.json")"

# -- in process: the example XGBoost model, as the tutorial's latency step -----
ex="$src/examples"
expect 0 "xgboost benchmark" benchmark --model "$ex/models/model.json" --test-data "$ex/data/test.csv" \
    --ignore gender,age_group,score --samples 500 --threads 1 --max-p99 10000 --output "$tmp/x.json"
# (a limit no load on a shared machine reaches: the step is read as the tutorial reads it)
P99=$(jq .p99_ms "$tmp/x.json")
if (( $(echo "$P99 < 10000" | bc -l) )); then :; else fail "tutorial step on xgboost: p99 $P99"; fi
jq -e '.backend == "xgboost" and .samples == 500 and .warmup == 50 and .mode == "closed_loop"
       and .runner_compute == null and .transport == null
       and (.runner_compute_reason | test("reported no compute time"))' \
    "$tmp/x.json" >/dev/null || fail "xgboost latency.json"
# histogram: 30 log-spaced bins from min to max (n+1 edges, increasing,
# successive ratios equal), counts summing to the samples
hist_ok='def hist_ok: .histogram as $h | ($h.edges_ms | length) == ($h.counts | length) + 1
    and ($h.counts | add) == .samples and $h.edges_ms[0] == .min_ms and $h.edges_ms[-1] == .max_ms
    and ([range(1; $h.edges_ms | length) | $h.edges_ms[.] > $h.edges_ms[. - 1]] | all)
    and ($h.scale != "log" or ([range(1; $h.counts | length) |
         ($h.edges_ms[. + 1] / $h.edges_ms[.]) / ($h.edges_ms[1] / $h.edges_ms[0]) - 1 | fabs < 1e-9] | all));'
jq -e "$hist_ok"' hist_ok and .histogram.scale == "log" and (.histogram.counts | length) == 30' \
    "$tmp/x.json" >/dev/null || fail "latency histogram: $(jq -c .histogram "$tmp/x.json")"
expect 0 "xgboost synthetic rows" benchmark --model "$ex/models/model.json" --synthetic --samples 50 \
    --batch-size 16 --output "$tmp/x.json"
jq -e '.batch_size == 16 and .data == null and .throughput_per_s > 0' "$tmp/x.json" >/dev/null ||
    fail "synthetic batch run"
expect 2 "open loop in process" benchmark --model "$ex/models/model.json" --synthetic --rate 100 \
    --output "$tmp/x.json"
grep -q "rate needs a runner" "$tmp/err" || fail "rate refusal: $(cat "$tmp/err")"

# -- baseline: interleaved, compared, gated on the p99 ratio -------------------
# A runner that sleeps 250 ms per call against one that does not sleep: the
# sleeper's every round trip is at least 250 ms, so the only assumption left is
# that a pipe round trip to an idle Python runner stays under 250 ms, and the
# gate's limit is 1 (which of the two is slower), not a ratio a loaded machine
# can squeeze.
run0="cmd:$py $src/tests/e2e/helpers/sleep_runner.py 0 4"
run250="cmd:$py $src/tests/e2e/helpers/sleep_runner.py 250 4"
expect 0 "faster candidate" benchmark --model "$run0" --baseline "$run250" --synthetic \
    --samples 12 --warmup 1 --max-p99-ratio 1.0 --output "$tmp/b.json"
# 12 against 12 fully separated: Mann-Whitney's two-sided p is about 3e-5
jq -e '.comparison.p99_ratio < 1 and .comparison.p_value < 1e-3 and .baseline.samples == 12
       and .samples == 12 and .baseline.p50_ms >= 250 and .baseline.min_ms >= 250
       and .gates[0].name == "max_p99_ratio" and .gates[0].verdict == "pass"
       and .baseline.backend == "runner" and .baseline.runner_compute.p50_ms >= 250
       and .runner_compute.p50_ms >= 0' \
    "$tmp/b.json" >/dev/null || fail "baseline comparison: $(jq -c .comparison "$tmp/b.json")"
jq -e "$hist_ok"' hist_ok and (.baseline | hist_ok) and .baseline.histogram.edges_ms[0] >= 250' \
    "$tmp/b.json" >/dev/null || fail "baseline histogram: $(jq -c .baseline.histogram "$tmp/b.json")"
expect 1 "slower candidate" benchmark --model "$run250" --baseline "$run0" --synthetic \
    --samples 12 --warmup 1 --max-p99-ratio 1.0 --output "$tmp/b.json"
grep -q "gate max_p99_ratio: fail: p99_ratio .* > 1 " "$tmp/err" || fail "ratio fail reason: $(grep max_p99_ratio "$tmp/err")"
jq -e '.p99_ms >= 250 and .comparison.p99_ratio > 1 and .gates[0].verdict == "fail"' "$tmp/b.json" \
    >/dev/null || fail "slower candidate in json: $(jq -c .comparison "$tmp/b.json")"

# -- bad input: one line, exit 2, nothing written --------------------------------
rm -f "$tmp/x.json"
expect 2 "no test data" benchmark --model "$url_sleep5" --samples 10 --output "$tmp/x.json"
grep -q "give --test-data D .* or --synthetic" "$tmp/err" || fail "no-data message"
bad="${url_sleep5%/m/infer}/nosuch/infer"
expect 2 "unknown model on the server" benchmark --model "$bad" --test-data "$tmp/test.csv" --samples 10 --output "$tmp/x.json"
[ "$(tail -n 1 "$tmp/err")" = "modelgate benchmark: $bad: HTTP status 404: no model at /v2/models/nosuch/infer" ] ||
    fail "404 message: $(tail -n 1 "$tmp/err")"
expect 2 "nothing listening" benchmark --model "http://127.0.0.1:1/v2/models/m/infer" --synthetic \
    --samples 10 --output "$tmp/x.json"
grep -q "http://127.0.0.1:1/v2/models/m/infer: " "$tmp/err" || fail "refused message: $(cat "$tmp/err")"
expect 2 "not a KServe path" benchmark --model "http://127.0.0.1:1/predict" --synthetic --samples 10 --output "$tmp/x.json"
expect 2 "feature count differs" benchmark --model "$url_sk" --test-data "$tmp/test.csv" --ignore f3 \
    --samples 10 --output "$tmp/x.json"
grep -q "expects 4 features but the test data has 3" "$tmp/err" || fail "feature message: $(cat "$tmp/err")"
expect 2 "ratio without baseline" benchmark --model "$url_sleep5" --synthetic --max-p99-ratio 2 --output "$tmp/x.json"
[ -e "$tmp/x.json" ] && fail "an output was written by a failing run"

[ "$fails" = 0 ] && echo "benchmark end-to-end: all passed"
[ "$fails" = 0 ]
