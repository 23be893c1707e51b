/* evaluate_run.c - the whole evaluation of one model: the run, the metrics,
 * the intervals, slices and operating points, metrics.json and the gates
 * decided on it (the pipeline under `modelgate evaluate`). */
#include "eval_internal.h"
#include "metrics/metrics_internal.h"
#include "report/metrics_json.h"
#include "modelgate/compare.h"
#include "modelgate/pipeline.h"
#include "modelgate/report.h"

#include <stdarg.h>

void mg_evaluate_spec_init(mg_evaluate_spec *spec) {
    memset(spec, 0, sizeof *spec);
    mg_run_spec_init(&spec->run);
    spec->confidence = 0.95;
    spec->bootstrap_replicates = 1000;
    spec->min_slice_size = MG_SLICE_MIN_SIZE_DEFAULT;
    spec->slice_options.bins = MG_SLICE_BINS_DEFAULT;
}

void mg_evaluate_outcome_release(mg_evaluate_outcome *out) {
    mg_evaluation_release(&out->eval);
    free(out->metrics_json);
    for (int i = 0; out->reports != NULL && i < out->nslicings; i++)
        mg_slice_report_release(&out->reports[i]);
    free(out->reports);
    for (int i = 0; out->slicings != NULL && i < out->nslicings; i++)
        mg_slicing_release(&out->slicings[i]);
    free(out->slicings);
    free(out->points);
    free(out->gates);
    for (int i = 0; i < out->nwarnings; i++)
        free(out->warnings[i]);
    free(out->warnings);
    mg_partial_release(&out->partial);
    memset(out, 0, sizeof *out);
    out->unknown_bound = -1;
}

static void stage(const mg_evaluate_spec *s, const char *name) {
    if (s->stage != NULL)
        s->stage(s->stage_ctx, name);
}

static void note(const mg_evaluate_spec *s, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

static void note(const mg_evaluate_spec *s, const char *fmt, ...) {
    if (s->note == NULL)
        return;
    char text[640];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(text, sizeof text, fmt, ap);
    va_end(ap);
    s->note(s->note_ctx, 0, text);
}

static mg_status slices_nomem(mg_error *err) {
    return mg__fail(err, MG_ERR_NOMEM, "out of memory for the slices");
}

/* The operating point named `name` among out's points, or NULL. */
static const mg_operating_point *find_point(const mg_evaluate_outcome *out, const char *name) {
    mg_operating_point p;
    if (mg_operating_point_from_name(name, &p) != 0)
        return NULL;
    for (int i = 0; i < out->npoints; i++)
        if (out->points[i].constraint == p.constraint && out->points[i].target == p.target)
            return &out->points[i];
    return NULL;
}

/* The slices and operating points, once the overall metrics are known. */
static mg_status compute_slices(const mg_evaluate_spec *s, const mg_targets *t,
                                const uint64_t *sorted, mg_evaluate_outcome *out, mg_error *err) {
    int64_t *order = NULL;
    /* The slices sort on their own (keys that carry score and class); the
     * operating points walk the sorted keys, or with weights a score order. */
    if (t->task == MG_TASK_BINARY && out->npoints > 0 && sorted == NULL)
        MG_TRY(mg_score_order(t, &order, err));
    mg_status st = MG_OK;
    if (out->nslicings > 0 && out->reports == NULL) { /* not done with the metrics */
        out->reports = mg__calloc((size_t)out->nslicings, sizeof *out->reports);
        if (out->reports == NULL) {
            free(order);
            return slices_nomem(err);
        }
        st = mg_slices_compute(t, NULL, out->slicings, out->nslicings, s->min_slice_size,
                               s->confidence, out->reports, err);
    }
    if (st == MG_OK && out->npoints > 0 && t->task == MG_TASK_BINARY)
        st = mg__operating_points_compute_sorted(t, order, sorted, out->points, out->npoints,
                                                 s->confidence, err);
    free(order);
    return st;
}

/* metrics.json with the slices and operating points, before the gates. */
static mg_status write_metrics(const mg_evaluate_spec *s, const mg_run *run,
                               const mg_targets *t, const uint64_t *sorted,
                               mg_evaluate_outcome *out, mg_error *err) {
    mg_provenance prov;
    mg__run_provenance(s->from, s->run.test_data, run, s->data_sha256, s->data_sha256_ctx, &prov);
    if (s->every_interval) {
        mg_compare_options copts = {.level = s->confidence,
                                    .replicates = s->bootstrap_replicates,
                                    .seed = s->seed,
                                    .threads = s->threads,
                                    .progress = s->progress,
                                    .progress_ctx = s->progress_ctx};
        stage(s, "bootstrap");
        mg_metric_interval *iv = NULL;
        int niv = 0;
        mg_status st = mg_evaluation_intervals(t, &out->eval, &copts, &iv, &niv, err);
        if (st == MG_OK)
            st = mg__evaluation_json_with_intervals_sorted(&out->eval, t, iv, niv, &copts, &prov,
                                                           sorted, &out->metrics_json,
                                                           &out->metrics_len, err);
        free(iv);
        MG_TRY(st);
    } else if (mg__evaluation_json_sorted(&out->eval, t, &prov, s->confidence, sorted,
                                          &out->metrics_json, &out->metrics_len, err) != MG_OK) {
        return mg__fail(err, MG_ERR_NOMEM, "out of memory writing metrics.json");
    }
    return mg_slices_json_append(&out->metrics_json, &out->metrics_len, &out->eval, t, out->reports,
                                 out->nslicings, out->points, out->npoints, err);
}

static mg_status add_warning(mg_evaluate_outcome *out, const char *text, mg_error *err) {
    char **w = mg__realloc_array(out->warnings, (size_t)out->nwarnings + 1, sizeof *w);
    if (w == NULL)
        return mg__nomem(err, "a warning");
    out->warnings = w;
    if ((w[out->nwarnings] = mg__strdup(text)) == NULL)
        return mg__nomem(err, "a warning");
    out->nwarnings++;
    return MG_OK;
}

/* Decides the bounds (on the operating point or the metric, with the
 * interval metrics.json shows) and the slice gates into out->gates. */
static mg_status decide_gates(const mg_evaluate_spec *s, mg_evaluate_outcome *out, mg_error *err) {
    out->gates = mg__malloc_array((size_t)(s->nbounds > 0 ? s->nbounds : 1), sizeof *out->gates);
    if (out->gates == NULL)
        return mg__nomem(err, "the gates");
    for (int i = 0; i < s->nbounds; i++) {
        const mg_metric_bound *b = &s->bounds[i];
        mg_value v;
        const mg_operating_point *p = find_point(out, b->metric);
        if (p != NULL)
            v = p->value; /* an operating point: its value and Wilson interval */
        else if (mg_evaluation_metric(&out->eval, b->metric, &v) != 0)
            v = mg_value_null("not computed for this task");
        mg_interval ci;
        bool has_ci =
            p != NULL ? p->has_ci : mg_metrics_json_interval(out->metrics_json, b->metric, &ci);
        if (p != NULL && p->has_ci)
            ci = p->ci;
        mg_gate_decide(b->metric, b->op, b->threshold, v, has_ci ? &ci : NULL, s->gate_on_interval,
                       &out->gates[out->ngates++]);
    }
    /* Slice gates: one result per gate and scored slice, Holm-corrected over
     * each slicing's slices when deciding on the intervals. */
    for (int g = 0; g < s->nslice_gates; g++)
        for (int r = 0; r < out->nslicings; r++) {
            int small = 0;
            MG_TRY(mg_slice_gate_decide(&out->reports[r], &out->eval, &s->slice_gates[g],
                                        s->gate_on_interval ? s->confidence : 0, &out->gates,
                                        &out->ngates, &small, err));
            if (small > 0) {
                char text[400];
                snprintf(text, sizeof text,
                         "slice gate on %s: %d slices of %s have fewer than %lld rows and are "
                         "not gated (listed under too_small)",
                         s->slice_gates[g].metric, small, out->slicings[r].name,
                         (long long)s->min_slice_size);
                MG_TRY(add_warning(out, text, err));
            }
        }
    out->verdict = mg_gate_worst(out->gates, out->ngates);
    return mg_gates_json_append(&out->metrics_json, &out->metrics_len, out->gates, out->ngates,
                                err);
}

/* The metrics, slices, operating points, metrics.json and gates of the
 * targets t. Binary without weights, the scores are sorted once (*sorted,
 * freed by the caller): by the slices when there are slicings (their keys
 * carry the slice codes), else here; that one order gives the ROC AUC and
 * average precision, the curves, the quantile bins and the operating points. */
static mg_status scored(const mg_evaluate_spec *s, const mg_run *run, const mg_targets *t,
                        uint64_t **sorted, mg_evaluate_outcome *out, mg_error *err) {
    if (t->task == MG_TASK_BINARY && t->w == NULL && t->n > 0) {
        if (out->nslicings > 0) {
            out->reports = mg__calloc((size_t)out->nslicings, sizeof *out->reports);
            if (out->reports == NULL)
                return slices_nomem(err);
            MG_TRY(mg__slices_compute_keys(t, out->slicings, out->nslicings, s->min_slice_size,
                                           s->confidence, out->reports, sorted, err));
        }
        if (*sorted == NULL)
            MG_TRY(mg__score_keys_sorted(t, sorted, err));
    }
    MG_TRY(mg__evaluation_compute_sorted(t, *sorted, &out->eval, err));
    if (s->npoints > 0 && t->task != MG_TASK_BINARY)
        return mg__fail(err, MG_ERR_USAGE, "operating points need a binary task; this one is %s",
                        mg_task_name(t->task));
    MG_TRY(compute_slices(s, t, *sorted, out, err));
    MG_TRY(write_metrics(s, run, t, *sorted, out, err));
    stage(s, "gates");
    /* The task is known now: each gated metric must be one of its metrics. */
    for (int i = 0; i < s->nbounds; i++) {
        mg_value v;
        if (find_point(out, s->bounds[i].metric) == NULL &&
            mg_evaluation_metric(&out->eval, s->bounds[i].metric, &v) != 0) {
            out->unknown_bound = i;
            return MG_OK;
        }
    }
    return decide_gates(s, out, err);
}

/* The kept columns of the run (slices), then the rows in canonical order;
 * *t and *cols point at the rows to evaluate: the run's or the merged ones. */
static mg_status rows(const mg_evaluate_spec *s, const mg_run_spec *rs, mg_run *run,
                      mg_table **own, const mg_targets **t, const mg_table **cols,
                      mg_evaluate_outcome *out, mg_error *err) {
    if (s->from != NULL) {
        *t = &s->from->targets;
        *cols = s->from->columns;
        return MG_OK;
    }
    stage(s, "reading");
    MG_TRY(mg_run_open(rs, run, err));
    char text[512];
    if (mg_run_feature_note(run, 0, text, sizeof text))
        note(s, "%s", text);
    stage(s, "predicting");
    MG_TRY(mg_run_targets(run, 0, err));
    /* The slice columns are all the slices need of the table: give the rest
     * back before the metrics allocate their sort buffers, so peak memory
     * stays near one copy of the used columns. */
    MG_TRY(mg_table_select(run->table, rs->keep, rs->nkeep, own, err));
    mg_run_drop_table(run);
    MG_TRY(mg_rows_canonicalize(&run->targets[0], *own, NULL, err));
    *t = &run->targets[0];
    *cols = *own;
    if (s->partial_only)
        return mg__run_partial(run, own, s->run.test_data,
                               s->data_sha256 != NULL ? s->data_sha256(s->data_sha256_ctx) : NULL,
                               &out->partial, err);
    return MG_OK;
}

static mg_status evaluate(const mg_evaluate_spec *s, const mg_run_spec *rs, mg_run *run,
                          mg_table **own, mg_evaluate_outcome *out, mg_error *err) {
    const mg_targets *t = NULL;
    const mg_table *cols = NULL;
    MG_TRY(rows(s, rs, run, own, &t, &cols, out, err));
    if (s->partial_only)
        return MG_OK;
    stage(s, "metrics");
    mg_slice_options so = s->slice_options;
    MG_TRY(mg_slicings_build(cols, s->slice_by, s->nslice_by, s->slice_cross, s->nslice_cross,
                             &so, &out->slicings, &out->nslicings, err));
    if (s->run.task == MG_TASK_AUTO)
        note(s, "task %s: %s", mg_task_name(t->task), t->task_reason);
    if (t->task == MG_TASK_BINARY)
        note(s, "positive label '%s': %s", t->positive_label, t->positive_reason);
    uint64_t *sorted = NULL;
    mg_status st = scored(s, run, t, &sorted, out, err);
    free(sorted);
    return st;
}

mg_status mg_evaluate_run(const mg_evaluate_spec *spec, mg_evaluate_outcome *out, mg_error *err) {
    memset(out, 0, sizeof *out);
    out->unknown_bound = -1;
    mg_run run = {0};
    mg_run_spec rs = spec->run;
    const char **keep = NULL;
    rs.keep = NULL;
    rs.nkeep = 0;
    if (spec->nslice_by + spec->nslice_cross > 0) {
        keep = mg__calloc((size_t)(spec->nslice_by + spec->nslice_cross), sizeof *keep);
        if (keep == NULL)
            return slices_nomem(err);
        for (int i = 0; i < spec->nslice_by; i++)
            keep[rs.nkeep++] = spec->slice_by[i];
        for (int i = 0; i < spec->nslice_cross; i++)
            keep[rs.nkeep++] = spec->slice_cross[i];
        rs.keep = keep;
    }
    if (spec->npoints > 0) {
        out->points = mg__malloc_array((size_t)spec->npoints, sizeof *out->points);
        if (out->points == NULL) {
            free(keep);
            return mg__nomem(err, "the operating points");
        }
        memcpy(out->points, spec->points, (size_t)spec->npoints * sizeof *out->points);
        out->npoints = spec->npoints;
    }
    mg_table *own = NULL;
    mg_status st = evaluate(spec, &rs, &run, &own, out, err);
    mg_table_free(own);
    mg_run_release(&run);
    free(keep);
    return st;
}
