/* gate_slices.c - a policy run's slices (slices:) and operating points
 * (metric gates named like recall_at_precision_0.9): computed from the
 * targets and the table's slice columns, appended to metrics.json, and the
 * slice gates decided on every scored slice (Holm-corrected per slicing when
 * decided on evidence; see mg_slice_gate_decide). */
#include "internal.h"
#include "modelgate/slices.h"

#include <string.h>

#include "gate_run_internal.h"

void mg__gate_slices_release(mg__gate_slices *s) {
    for (int i = 0; i < s->nreports; i++)
        mg_slice_report_release(&s->reports[i]);
    free(s->reports);
    for (int i = 0; i < s->nslicings; i++)
        mg_slicing_release(&s->slicings[i]);
    free(s->slicings);
    free(s->ops);
    memset(s, 0, sizeof *s);
}

const mg_operating_point *mg__gate_operating_point(const mg__gate_slices *s, const char *name) {
    mg_operating_point p;
    if (mg_operating_point_from_name(name, &p) != 0)
        return NULL;
    for (int i = 0; i < s->nops; i++)
        if (s->ops[i].constraint == p.constraint && s->ops[i].target == p.target)
            return &s->ops[i];
    return NULL;
}

/* The level of the slices' intervals: the highest confidence a slice gate
 * asks, else 0.95. */
static double slice_level(const mg_policy *p) {
    double level = 0;
    for (int i = 0; i < p->slices.ngates; i++)
        if (p->slices.gates[i].confidence > level)
            level = p->slices.gates[i].confidence;
    return level > 0 ? level : 0.95;
}

mg_status mg__gate_slices_compute(mg__gate_ctx *ctx, const mg_evaluation *eval,
                                  mg__gate_slices *s, mg_error *err) {
    const mg_policy *p = ctx->policy;
    const mg_targets *t = ctx->t;
    memset(s, 0, sizeof *s);
    double level = slice_level(p);
    /* Operating points: the metric gates that name one (binary only). */
    for (int i = 0; i < p->nmetric_gates; i++) {
        mg_operating_point op;
        if (mg_operating_point_from_name(p->metric_gates[i].metric, &op) != 0)
            continue;
        if (t->task != MG_TASK_BINARY) {
            char key[160], place[240];
            snprintf(key, sizeof key, "gates.%s", p->metric_gates[i].metric);
            return mg__fail(err, MG_ERR_USAGE, "%s: an operating point needs a binary task, not %s",
                            mg_policy_where(p, key, place, sizeof place), mg_task_name(t->task));
        }
        mg_operating_point *grown =
            mg__realloc_array(s->ops, (size_t)s->nops + 1, sizeof *grown);
        if (grown == NULL)
            return mg__nomem(err, "the operating points");
        s->ops = grown;
        s->ops[s->nops++] = op;
    }
    mg_status st = MG_OK;
    if (p->slices.has) {
        mg_slice_edges edges[64];
        int nedges = p->slices.nedges < 64 ? p->slices.nedges : 64;
        for (int i = 0; i < nedges; i++)
            edges[i] = (mg_slice_edges){.column = p->slices.edges[i].column,
                                        .edges = p->slices.edges[i].edges,
                                        .nedges = p->slices.edges[i].nedges};
        mg_slice_options o = {.bins = p->slices.bins, .edges = edges, .nedges = nedges};
        st = mg_slicings_build(ctx->cols, (const char *const *)p->slices.by, p->slices.nby,
                               (const char *const *)p->slices.cross, 2 * p->slices.ncross, &o,
                               &s->slicings, &s->nslicings, err);
        if (st == MG_OK && s->nslicings > 0) {
            s->reports = mg__calloc((size_t)s->nslicings, sizeof *s->reports);
            if (s->reports == NULL)
                st = mg__nomem(err, "the slices");
            else
                st = mg_slices_compute(t, NULL, s->slicings, s->nslicings,
                                       p->slices.min_slice_size, level, s->reports, err);
            if (st == MG_OK)
                s->nreports = s->nslicings;
        }
    }
    if (st == MG_OK && s->nops > 0) {
        int64_t *order = NULL;
        st = mg_score_order(t, &order, err);
        if (st == MG_OK)
            st = mg_operating_points_compute(t, order, s->ops, s->nops, level, err);
        free(order);
    }
    if (st == MG_OK && (s->nreports > 0 || s->nops > 0))
        st = mg_slices_json_append(&ctx->out->metrics_json, &ctx->out->metrics_len, eval, t,
                                   s->reports, s->nreports, s->ops, s->nops, err);
    if (st != MG_OK)
        mg__gate_slices_release(s);
    return st;
}

mg_status mg__gate_slice_gates(mg__gate_ctx *ctx, const mg_evaluation *eval,
                               const mg__gate_slices *s, mg_error *err) {
    const mg_policy *p = ctx->policy;
    static const char *const ends[] = {"min", "max", "max_gap"};
    for (int g = 0; g < p->slices.ngates; g++) {
        const mg_policy_slice_gate *pg = &p->slices.gates[g];
        const bool has[3] = {pg->has_min, pg->has_max, pg->has_max_gap};
        const double value[3] = {pg->min, pg->max, pg->max_gap};
        for (int k = 0; k < 3; k++) {
            if (!has[k])
                continue;
            mg_slice_gate sg = {.metric = pg->metric, .kind = (mg_slice_gate_kind)k,
                                .value = value[k]};
            char key[200];
            snprintf(key, sizeof key, "slices.gates.%s.%s", pg->metric, ends[k]);
            for (int r = 0; r < s->nreports; r++) {
                mg_gate_result *results = NULL;
                int n = 0, too_small = 0;
                MG_TRY(mg_slice_gate_decide(&s->reports[r], eval, &sg, pg->confidence, &results,
                                            &n, &too_small, err));
                const mg_slicing *sl = s->reports[r].slicing;
                for (int i = 0; i < n; i++) {
                    mg_gate_entry *e =
                        mg__gate_add(ctx->out, MG_GATE_KIND_SLICE, p, key, err);
                    if (e == NULL) {
                        free(results);
                        return MG_ERR_NOMEM;
                    }
                    e->r = results[i];
                    snprintf(e->attribute, sizeof e->attribute, "%s", sl->name);
                    e->intersection = sl->ncolumns > 1;
                    e->attribute_parts = mg__calloc((size_t)sl->ncolumns, sizeof(char *));
                    if (e->attribute_parts == NULL) {
                        free(results);
                        return mg__nomem(err, "a slice gate");
                    }
                    for (int c = 0; c < sl->ncolumns; c++) {
                        if ((e->attribute_parts[c] = mg__strdup(sl->columns[c])) == NULL) {
                            free(results);
                            return mg__nomem(err, "a slice gate");
                        }
                        e->nattribute_parts = c + 1;
                    }
                }
                free(results);
                if (too_small > 0)
                    MG_TRY(mg__gate_note(ctx->out, err,
                                         "slice gate %s %s: %d slice%s of %s smaller than %lld "
                                         "rows listed, not gated",
                                         pg->metric, ends[k], too_small, too_small == 1 ? "" : "s",
                                         sl->name, (long long)p->slices.min_slice_size));
            }
        }
    }
    return MG_OK;
}
