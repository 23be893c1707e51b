/* pipeline.h - the whole pipeline under a command (DESIGN §2), from a spec
 * to the result document and the decided gates:
 *
 *   mg_evaluate_run  the run (data read once, the model's targets built
 *                    once), every metric, the intervals, slices and operating
 *                    points, metrics.json, and the metric and slice gates;
 *   mg_fairness_run  the run, the fairness measures per protected attribute
 *                    and their verdicts, fairness.json;
 *   mg_compare_run   the run of a candidate and its baseline, the paired
 *                    comparison, the regression rules, comparison.json;
 *   mg_benchmark_run the models opened and checked, the request rows, the
 *                    latency measurement, its gates, the comparison with a
 *                    baseline, latency.json.
 *
 * The commands (`evaluate`, `fairness`, `compare`, `benchmark`) are callers of these: they fill the
 * spec from their flags, call the library, print the notes, summary and
 * verdict lines, write the document and pick the exit code. Progress goes
 * through the callbacks of the specs. */
#ifndef MODELGATE_PIPELINE_H
#define MODELGATE_PIPELINE_H

#include "compare.h"
#include "evaluate.h"
#include "fairness.h"
#include "gate.h"
#include "latency.h"
#include "modelgate.h"
#include "run.h"
#include "shard.h"
#include "slices.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* One metric gate: `metric` OP `threshold` ("accuracy >= 0.85"). The metric
 * is a name of the metric registry or an operating point's name
 * ("recall_at_precision_0.9", which must then be among the spec's points). */
typedef struct mg_metric_bound {
    const char *metric; /* borrowed */
    mg_gate_op op;
    double threshold;
} mg_metric_bound;

/* What to evaluate. Every string and array is borrowed and must outlive the
 * call. Start from mg_evaluate_spec_init. */
typedef struct mg_evaluate_spec {
    /* The run: run.models[0] is the model (nmodels 1). run.keep is ignored:
     * the slice columns are kept for the slicings. */
    mg_run_spec run;
    /* Slicings: one per column of slice_by, one per pair of slice_cross
     * (nslice_cross columns, an even count), cut as slice_options says
     * (see mg_slicings_build); slices below min_slice_size rows are listed,
     * not scored. */
    const char *const *slice_by;
    int nslice_by;
    const char *const *slice_cross;
    int nslice_cross;
    mg_slice_options slice_options;
    int64_t min_slice_size;
    /* Slice gates, decided on every scored slice of every slicing. */
    const mg_slice_gate *slice_gates;
    int nslice_gates;
    /* Operating points (constraint and target set by
     * mg_operating_point_parse); they need a binary task. Copied into the
     * outcome, where their values are filled. */
    const mg_operating_point *points;
    int npoints;
    /* Metric gates, decided in this order. */
    const mg_metric_bound *bounds;
    int nbounds;
    /* The level of the intervals in (0, 1) (default 0.95). */
    double confidence;
    /* Every metric gets an interval (bootstrap_replicates replicates with
     * `seed` where no closed form exists); false = the Wilson intervals only
     * (default). */
    bool every_interval;
    int bootstrap_replicates; /* default 1000 */
    uint64_t seed;
    int threads; /* bootstrap threads; 0 = every CPU */
    /* The gates decide on the intervals at `confidence` (true) or on the
     * points (false, default: a gate whose interval straddles its bound is
     * marked `straddles`). */
    bool gate_on_interval;
    /* Called when a stage starts: "reading", "predicting", "metrics",
     * "bootstrap" (only with every_interval), "gates"; NULL = none. Must not
     * call the library. Reading and predicting progress goes through
     * run.read.progress and run.model_options.progress. */
    void (*stage)(void *ctx, const char *stage);
    void *stage_ctx;
    /* Progress of the bootstrap (done, total replicates); NULL = none. */
    void (*progress)(void *ctx, int64_t done, int64_t total);
    void *progress_ctx;
    /* Called with a sentence for the user when the run makes a choice, at the
     * moment it makes it: how the model takes its features, the task and why
     * (when run.task is MG_TASK_AUTO), the positive label and why (binary).
     * `model` is the index in run.models of the model the sentence is about
     * (-1 for none). The text is valid during the call only. NULL = none. */
    void (*note)(void *ctx, int model, const char *text);
    void *note_ctx;
    /* The sha256 of the test data as hex, asked for once before metrics.json
     * is written (a caller may hash on a thread of its own); NULL callback or
     * NULL result = none in the provenance. */
    const char *(*data_sha256)(void *ctx);
    void *data_sha256_ctx;
    /* Sharded runs (docs/scale.md). partial_only: stop once the rows are
     * read, predicted and put in canonical order, and hand them over in the
     * outcome's `partial` (its command and options are the caller's to set);
     * no metrics, no metrics.json, no gates. from: evaluate these rows (the
     * merge of partials, borrowed) instead of reading data and running a
     * model; run.test_data and run.models are then not used. */
    bool partial_only;
    const mg_partial *from;
} mg_evaluate_spec;

/* Zeroes spec and sets the defaults: mg_run_spec_init for run, confidence
 * 0.95, 1000 bootstrap replicates, min_slice_size MG_SLICE_MIN_SIZE_DEFAULT,
 * slice bins MG_SLICE_BINS_DEFAULT. */
MG_API void mg_evaluate_spec_init(mg_evaluate_spec *spec);

/* What an evaluation gives. Everything is owned; release with
 * mg_evaluate_outcome_release. */
typedef struct mg_evaluate_outcome {
    mg_evaluation eval; /* the metrics over all rows; eval.task is the task */
    /* metrics.json: metrics, intervals, provenance, slices, operating points,
     * then "gates" and "verdict" (those two only when every bound's metric
     * exists; see unknown_bound). NUL-terminated. */
    char *metrics_json;
    size_t metrics_len;
    /* The slicings and their reports (nslicings each; a report borrows its
     * slicing). */
    mg_slicing *slicings;
    mg_slice_report *reports;
    int nslicings;
    /* The spec's points with their values (npoints). */
    mg_operating_point *points;
    int npoints;
    /* The decided gates: the bounds in the spec's order, then one per slice
     * gate and scored slice. */
    mg_gate_result *gates;
    int ngates;
    mg_verdict verdict; /* the worst of the gates; PASS with none */
    /* The index of the first bound whose metric the task (known only now
     * when it was inferred) does not have, or -1. When >= 0 no gate was
     * decided and metrics_json holds no "gates". */
    int unknown_bound;
    /* Sentences about slices that a slice gate did not gate (below
     * min_slice_size), in order; owned. */
    char **warnings;
    int nwarnings;
    /* With spec.partial_only: the rows of the shard, in canonical order, with
     * the provenance of this run (owned). */
    mg_partial partial;
} mg_evaluate_outcome;

/* Evaluates spec->run.models[0] on spec->run.test_data and decides the gates.
 * Errors: those of mg_run_open, mg_run_targets, mg_slicings_build,
 * mg_evaluation_compute, mg_slices_compute, mg_operating_points_compute,
 * mg_evaluation_intervals and mg_slice_gate_decide, forwarded; MG_ERR_USAGE
 * "operating points need a binary task; this one is T"; MG_ERR_NOMEM
 * "out of memory writing metrics.json". *out is always initialised (also on
 * error): release it with mg_evaluate_outcome_release whatever the status. */
MG_API mg_status mg_evaluate_run(const mg_evaluate_spec *spec, mg_evaluate_outcome *out,
                                 mg_error *err);

/* Frees everything `out` holds and zeroes it; safe on a zeroed outcome. */
MG_API void mg_evaluate_outcome_release(mg_evaluate_outcome *out);

/* ---- fairness ------------------------------------------------------------ */

/* What to assess. Every string and array is borrowed and must outlive the
 * call. Start from mg_fairness_spec_init. */
typedef struct mg_fairness_spec {
    /* The run: run.models[0] is the model (nmodels 1); run.protected_attrs
     * are the attributes assessed, and must be columns of the test data
     * (run.need_protected is set by the call). */
    mg_run_spec run;
    /* The measures, gates, band and bootstrap (mg_fairness_compute). */
    mg_fairness_options fairness;
    /* Called when a stage starts: "reading", "predicting", "fairness";
     * NULL = none. Must not call the library. */
    void (*stage)(void *ctx, const char *stage);
    void *stage_ctx;
    /* Sentences for the user, as mg_evaluate_spec's note: how the model takes
     * its features, the positive label and why (binary). */
    void (*note)(void *ctx, int model, const char *text);
    void *note_ctx;
    /* The sha256 of the test data as hex, asked for once before
     * fairness.json is written; NULL callback or result = none. */
    const char *(*data_sha256)(void *ctx);
    void *data_sha256_ctx;
    /* Sharded runs, as in mg_evaluate_spec: partial_only hands the rows over
     * in the outcome's `partial` instead of assessing them; from assesses the
     * merged rows of partials (borrowed) instead of running a model. */
    bool partial_only;
    const mg_partial *from;
} mg_fairness_spec;

/* Zeroes spec and sets the defaults of mg_run_spec_init and
 * mg_fairness_options_init. */
MG_API void mg_fairness_spec_init(mg_fairness_spec *spec);

/* What an assessment gives; owned, release with mg_fairness_outcome_release. */
typedef struct mg_fairness_outcome {
    mg_fairness result;  /* per attribute, group and measure; result.verdict */
    char *fairness_json; /* fairness.json, NUL-terminated */
    size_t fairness_len;
    /* The measures were computed: a failure came from writing fairness.json
     * (MG_ERR_NOMEM "out of memory writing fairness.json"). */
    bool computed;
    mg_partial partial; /* with spec.partial_only (owned) */
} mg_fairness_outcome;

/* Assesses spec->run.models[0] on spec->run.test_data across the groups of
 * spec->run.protected_attrs. Errors: those of mg_run_open (a protected
 * attribute that is not a column is MG_ERR_DATA), mg_run_targets and
 * mg_fairness_compute, forwarded; MG_ERR_NOMEM writing fairness.json. *out
 * is always initialised: release it with mg_fairness_outcome_release
 * whatever the status. */
MG_API mg_status mg_fairness_run(const mg_fairness_spec *spec, mg_fairness_outcome *out,
                                 mg_error *err);

/* Frees everything `out` holds and zeroes it; safe on a zeroed outcome. */
MG_API void mg_fairness_outcome_release(mg_fairness_outcome *out);

/* ---- compare ------------------------------------------------------------- */

/* What to compare. Every string and array is borrowed and must outlive the
 * call. Start from mg_compare_spec_init. */
typedef struct mg_compare_spec {
    /* The run: run.models[0] is the candidate, run.models[1] the baseline
     * (nmodels 2); both predict the same rows of one table. */
    mg_run_spec run;
    /* The regression rules, each validated against the task once it is
     * known, then decided in this order. */
    const mg_compare_rule *rules;
    int nrules;
    /* The comparison: level of the intervals, bootstrap replicates, seed,
     * threads, skip_bootstrap, and the bootstrap's progress callback. */
    mg_compare_options compare;
    /* The rules decide on the intervals at compare.level (non-inferiority)
     * rather than on the points. Default false. */
    bool gate_on_interval;
    /* Called when a stage starts: "reading", "predicting", "bootstrap",
     * "gates"; NULL = none. Must not call the library. */
    void (*stage)(void *ctx, const char *stage);
    void *stage_ctx;
    /* Sentences for the user, as mg_evaluate_spec's note, for each model in
     * turn (`model` 0 the candidate, 1 the baseline): how it takes its
     * features, the positive label and why (binary). */
    void (*note)(void *ctx, int model, const char *text);
    void *note_ctx;
    /* The sha256 of the test data as hex, asked for once the comparison is
     * computed; NULL callback or result = none. */
    const char *(*data_sha256)(void *ctx);
    void *data_sha256_ctx;
} mg_compare_spec;

/* Zeroes spec and sets the defaults of mg_run_spec_init, nmodels 2, and
 * compare.level 0.95. */
MG_API void mg_compare_spec_init(mg_compare_spec *spec);

/* What a comparison gives; owned, release with mg_compare_outcome_release. */
typedef struct mg_compare_outcome {
    mg_comparison comparison; /* both models' metrics and the deltas */
    mg_rule_result *results;  /* one per rule, in the spec's order */
    int nresults;
    mg_verdict verdict;    /* the worst of the results; PASS with none */
    char *comparison_json; /* comparison.json, NUL-terminated */
    size_t comparison_len;
    /* The rules were decided: a failure came from writing comparison.json
     * (MG_ERR_NOMEM). */
    bool decided;
} mg_compare_outcome;

/* Compares spec->run.models[0] with models[1] on spec->run.test_data.
 * Errors: those of mg_run_open, mg_run_targets (of either model),
 * mg_compare_rule_validate (a rule on a metric the task lacks),
 * mg_comparison_compute and mg_compare_rule_check, forwarded; MG_ERR_NOMEM
 * writing comparison.json. *out is always initialised: release it with
 * mg_compare_outcome_release whatever the status. */
MG_API mg_status mg_compare_run(const mg_compare_spec *spec, mg_compare_outcome *out,
                                mg_error *err);

/* Frees everything `out` holds and zeroes it; safe on a zeroed outcome. */
MG_API void mg_compare_outcome_release(mg_compare_outcome *out);

/* ---- benchmark ----------------------------------------------------------- */

/* The request rows drawn when there is no test data. */
#define MG_BENCHMARK_SYNTHETIC_ROWS 1024

/* What to time. Every string and pointer is borrowed and must outlive the
 * call. Start from mg_benchmark_spec_init. */
typedef struct mg_benchmark_spec {
    /* run.models[0] is the model, run.models[1] the baseline (nmodels 1 or
     * 2), opened with run.model_options (threads, batch_size,
     * batch_timeout_s, python, adapters_dir; its progress is not used). The
     * request rows are the rows of run.test_data, read as the rest of run
     * says (read options, label, ignore, protected_attrs, weight, id: the
     * columns that are not features); run.test_data NULL = synthetic rows
     * (MG_BENCHMARK_SYNTHETIC_ROWS standard normal rows, seeded by
     * latency.seed), which need a model that declares its feature count. */
    mg_run_spec run;
    /* The measurement (mg_latency_measure): samples, warmup, batch_size,
     * duration_s, rate_qps (> 0 needs out-of-process models), seed, and the
     * progress callback of the timed calls (called from the calling thread;
     * must not call the library). */
    mg_latency_options latency;
    /* Gates, each off when 0: p99 and p50 at most these milliseconds, and
     * the candidate's p99 over the baseline's at most max_p99_ratio (needs a
     * baseline). */
    double max_p99_ms, max_p50_ms, max_p99_ratio;
    /* > 0: the quantile gates decide on the bounds at this level in
     * [0.5, 1); 0: on the point, the bounds at 0.95 reported beside it. */
    double confidence;
    /* For latency.json only: the CPU the caller pinned itself to
     * (mg_latency_pin_cpu) or -1, and the machine as read before pinning
     * (NULL = read by the call, mg_latency_environment_read(cpu)). */
    int cpu;
    const mg_latency_environment *env;
} mg_benchmark_spec;

/* Zeroes spec and sets the defaults: mg_run_spec_init for run with nmodels
 * 1, 1000 samples, warmup -1 (10%, at least 10), batch_size 1, cpu -1. */
MG_API void mg_benchmark_spec_init(mg_benchmark_spec *spec);

/* What a benchmark gives; owned, release with mg_benchmark_outcome_release. */
typedef struct mg_benchmark_outcome {
    /* The measurement was made: run (and baseline when has_baseline) hold
     * the timed calls. */
    bool measured;
    bool has_baseline;
    mg_latency_run run, baseline;
    mg_latency_comparison comparison; /* with a baseline */
    double level;                     /* the level of the reported bounds (the spec's or 0.95) */
    /* The decided gates, in the order max_p99, max_p50, max_p99_ratio (those
     * asked for), and the worst of them (PASS with none). */
    mg_latency_gate gates[3];
    int ngates;
    mg_verdict verdict;
    /* The gates were decided: a failure came from writing latency.json
     * (MG_ERR_NOMEM "out of memory writing latency.json"). */
    bool decided;
    char *latency_json; /* latency.json, NUL-terminated */
    size_t latency_len;
} mg_benchmark_outcome;

/* Opens spec->run.models, checks them, gathers the request rows, times the
 * model (interleaved with the baseline), decides the gates and writes
 * latency.json. Errors (MG_ERR_USAGE, the text naming the flags of
 * `modelgate benchmark`): "--model M reads stored predictions; there is no
 * model to time", "--rate needs a runner (cmd:...) or an HTTP model; M runs
 * in-process (backend B), ...", "--baseline M0 reads other features (or
 * another order) than the candidate; ...", "--synthetic needs a model that
 * declares its number of features; M does not, so give --test-data D";
 * MG_ERR_NOMEM "out of memory for synthetic rows"; those of mg_model_open,
 * mg_run_open, mg_latency_rows_from_table, mg_latency_measure and
 * mg_latency_compare, forwarded; MG_ERR_NOMEM writing latency.json. *out is
 * always initialised: release it with mg_benchmark_outcome_release whatever
 * the status. */
MG_API mg_status mg_benchmark_run(const mg_benchmark_spec *spec, mg_benchmark_outcome *out,
                                  mg_error *err);

/* Frees everything `out` holds and zeroes it; safe on a zeroed outcome. */
MG_API void mg_benchmark_outcome_release(mg_benchmark_outcome *out);

#ifdef __cplusplus
}
#endif

#endif
