/* gate_run_internal.h - the stages of mg_gate_run, one file each concern:
 * gate_run.c (the run), gate_stages.c (metric, latency, fairness and
 * regression gates). Internal to lib/gate/. */
#ifndef MG_GATE_RUN_INTERNAL_H
#define MG_GATE_RUN_INTERNAL_H

#include "modelgate/gate_run.h"
#include "modelgate/run.h"

/* What every stage reads. All borrowed from mg_gate_run. */
typedef struct mg__gate_ctx {
    const mg_policy *policy;
    const mg_gate_run_options *opts;
    mg_run *run;                 /* the table (until the stages end), models, targets */
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

/* The stages: each writes its document into ctx->out and adds its gates. */
mg_status mg__gate_metrics(mg__gate_ctx *ctx, mg_error *err);
mg_status mg__gate_latency(mg__gate_ctx *ctx, mg_error *err);
mg_status mg__gate_fairness(mg__gate_ctx *ctx, mg_error *err);
mg_status mg__gate_regression(mg__gate_ctx *ctx, mg_error *err);

#endif
