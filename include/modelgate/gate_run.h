/* gate_run.h - the whole pipeline of a policy file in one process (DESIGN
 * §2, §4, §14): the test data read once, each model predicting each row once,
 * then every gate of the policy decided on those predictions (metrics,
 * fairness, latency on rows of the same table, regression against the
 * baseline), and the result files as JSON texts.
 *
 * The caller (the `gate` command) writes the texts into the outputs folder
 * and renders the reports from them (render.h), so that `modelgate report`
 * can render the same reports again from the files alone. */
#ifndef MODELGATE_GATE_RUN_H
#define MODELGATE_GATE_RUN_H

#include "gate.h"
#include "model.h"
#include "modelgate.h"
#include "policy.h"
#include "shard.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* What the run is told besides the policy. Everything is borrowed. */
typedef struct mg_gate_run_options {
    mg_model_options model_options; /* python, adapters_dir, threads, progress */
    mg_read_options read;           /* threads, na_values, limits, progress */
    int threads;                    /* bootstrap threads; 0 = every CPU */
    /* Called when a stage starts ("reading", "predicting", "metrics",
     * "fairness", "latency", "comparison"); NULL = none. Must not call the
     * library. */
    void (*stage)(void *ctx, const char *stage);
    void *stage_ctx;
    /* Progress of the bootstrap and latency loops (done, total); NULL = none. */
    void (*progress)(void *ctx, int64_t done, int64_t total);
    void *progress_ctx;
    /* The sha256 of the test data as hex, asked for once the data is read
     * (the CLI hashes on a thread of its own while the run reads); NULL
     * callback = hash the file here. May return NULL (a folder, a pipe). */
    const char *(*data_sha256)(void *ctx);
    void *data_sha256_ctx;
    const char *created_at; /* RFC 3339 UTC time for provenance; NULL = now */
    /* report.md's marker ID, kept in gate.json; NULL = the policy's
     * outputs.id, else "gate". */
    const char *marker;
    /* Sharded runs (docs/scale.md), as evaluate's: shard_index/shard_count
     * keep one shard of the rows (mg_run_spec's); partial_only stops once the
     * rows are read, predicted and in canonical order, and hands them over in
     * the outcome's `partial` (its command, options and policy_sha256 are the
     * caller's to set): no gates, no documents; from decides the gates on
     * these merged rows (borrowed) instead of reading the test data and
     * running the model. Either refuses a policy with latency: gates, a
     * baseline or regression: gates (MG_ERR_USAGE): those need the model
     * and every row on one machine. */
    int shard_index, shard_count;
    bool partial_only;
    const struct mg_partial *from;
} mg_gate_run_options;

/* Zeroes o and sets the defaults (none beyond zero today). */
MG_API void mg_gate_run_options_init(mg_gate_run_options *o);

/* What kind of gate an entry is. */
typedef enum mg_gate_kind {
    MG_GATE_KIND_METRIC = 0,
    MG_GATE_KIND_LATENCY,
    MG_GATE_KIND_FAIRNESS,
    MG_GATE_KIND_REGRESSION,
    MG_GATE_KIND_SLICE
} mg_gate_kind;

/* "metric", "latency", "fairness", "regression", "slice" (static): the
 * names gate.json writes (defined with its writer, lib/report/gate_json.c). */
MG_API const char *mg_gate_kind_name(mg_gate_kind k);

/* One decided gate of the run. */
typedef struct mg_gate_entry {
    mg_gate_result r;      /* name, metric, op, threshold, value, ci, verdict, reason */
    mg_gate_kind kind;
    char attribute[256];   /* fairness: the protected attribute, for messages ("a|b" for an
                              intersection); slice: the slicing ("region", "region×age");
                              else "" */
    bool intersection;     /* on the intersection of attributes (a crossed slicing) */
    char **attribute_parts; /* fairness, slice: the columns (one, or each of an intersection
                               or crossing); owned, released with the outcome */
    int nattribute_parts;
    bool skipped;          /* not decided (no baseline and the policy allows it); r.reason says why */
    char source[200];      /* where the gate was written: "modelgate.yml:12:3 gates.accuracy.min" */
} mg_gate_entry;

/* The outcome of a run. Texts are NUL-terminated JSON documents, owned;
 * those of stages the policy does not ask for are NULL. */
typedef struct mg_gate_outcome {
    char *metrics_json, *fairness_json, *latency_json, *comparison_json, *gate_json;
    size_t metrics_len, fairness_len, latency_len, comparison_len, gate_len;
    mg_gate_entry *gates; /* ngates, in the policy's order: metrics, latency, fairness, regression */
    int ngates;
    /* The verdict over the gates after on_inconclusive: FAIL over
     * INCONCLUSIVE over PASS; with warn/pass an inconclusive gate counts as a
     * pass here (gate.json keeps each gate's own verdict). */
    mg_verdict verdict;
    bool inconclusive_waived; /* some gate was inconclusive and on_inconclusive waived it */
    /* Sentences for the user about choices the run made (the task and why,
     * the positive label and why, how the features were taken, a missing
     * baseline), in order; owned. */
    char **notes;
    int nnotes;
    /* With options.partial_only: the shard's rows (owned). */
    mg_partial partial;
} mg_gate_outcome;

/* What gate.json's "provenance" names (DESIGN §5). Borrowed strings; any may
 * be NULL (written as null). */
typedef struct mg_gate_provenance {
    const char *model_arg, *model_sha256;
    const char *data_path, *data_sha256;
    const char *policy_path, *policy_sha256;
    const char *baseline_arg, *baseline_sha256;
    const char *baseline_version; /* the registry version of the baseline ("v3"), or NULL */
    uint64_t seed;
    const char *created_at;       /* RFC 3339 UTC */
} mg_gate_provenance;

/* Runs the policy. The policy must have passed mg_policy_validate. Its paths
 * are opened as mg_policy_path says (relative to the policy's folder when
 * written in the file, to the working folder when given by a flag). Errors:
 * any error of reading the data, opening or running a model, or computing a
 * stage (forwarded, naming the file and place; a policy key involved is
 * named with mg_policy_where); a registry baseline that does not exist is an
 * error unless the policy allows a missing baseline. On error `out` holds
 * nothing to release; on success release it with mg_gate_outcome_release. */
MG_API mg_status mg_gate_run(const mg_policy *policy, const mg_gate_run_options *opts,
                             mg_gate_outcome *out, mg_error *err);

/* Frees everything `out` holds and zeroes it; safe on a zeroed outcome. */
MG_API void mg_gate_outcome_release(mg_gate_outcome *out);

#ifdef __cplusplus
}
#endif

#endif
