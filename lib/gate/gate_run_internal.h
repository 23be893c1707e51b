/* gate_run_internal.h - the stages of mg_gate_run, one file each concern:
 * gate_run.c (the run), gate_stages.c (metric, latency, fairness and
 * regression gates). Internal to lib/gate/. */
#ifndef MG_GATE_RUN_INTERNAL_H
#define MG_GATE_RUN_INTERNAL_H

#include "modelgate/gate_run.h"
#include "modelgate/run.h"
#include "modelgate/slices.h"

/* What every stage reads. All borrowed from mg_gate_run. */
typedef struct mg__gate_ctx {
    const mg_policy *policy;
    const mg_gate_run_options *opts;
    mg_run *run;                 /* the table (until the stages end), models, targets */
    const mg_table *cols;        /* the slice and protected columns, in t's order */
    const mg_targets *t;         /* the candidate's rows in canonical order (docs/scale.md);
                                    run->targets keep the order read for the comparison */
    const mg_provenance *prov;   /* for the files' provenance */
    mg_gate_outcome *out;        /* documents and gates are added here */
    const char *baseline_missing; /* why there is no baseline, or NULL */
} mg__gate_ctx;

/* Appends a note (printf-style) to out->notes. */
mg_status mg__gate_note(mg_gate_outcome *out, mg_error *err, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* Appends a zeroed gate of `kind` whose source is where policy key `key` was
 * written; NULL (err set) when out of memory. */
mg_gate_entry *mg__gate_add(mg_gate_outcome *out, mg_gate_kind kind, const mg_policy *p,
                            const char *key, mg_error *err);

/* The slices and operating points of a run (gate_slices.c). Owned. */
typedef struct mg__gate_slices {
    mg_slicing *slicings;
    int nslicings;
    mg_slice_report *reports;
    int nreports;
    mg_operating_point *ops;
    int nops;
} mg__gate_slices;

/* Computes the slices of the policy's slices: section and the operating
 * points its metric gates name, and appends them to ctx->out->metrics_json
 * (nothing when there are none). Release s with mg__gate_slices_release. */
mg_status mg__gate_slices_compute(mg__gate_ctx *ctx, const mg_evaluation *eval,
                                  mg__gate_slices *s, mg_error *err);

/* The operating point a metric gate names, or NULL (borrowed from s). */
const mg_operating_point *mg__gate_operating_point(const mg__gate_slices *s, const char *name);

/* Decides the slice gates on every scored slice of every slicing. */
mg_status mg__gate_slice_gates(mg__gate_ctx *ctx, const mg_evaluation *eval,
                               const mg__gate_slices *s, mg_error *err);

void mg__gate_slices_release(mg__gate_slices *s);

/* The stages: each writes its document into ctx->out and adds its gates. */
mg_status mg__gate_metrics(mg__gate_ctx *ctx, mg_error *err);
mg_status mg__gate_latency(mg__gate_ctx *ctx, mg_error *err);
mg_status mg__gate_fairness(mg__gate_ctx *ctx, mg_error *err);
mg_status mg__gate_regression(mg__gate_ctx *ctx, mg_error *err);

#endif
