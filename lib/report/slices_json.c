/* slices_json.c - metrics.json's "slices" and "operating_points" (DESIGN §5,
 * §16; docs/slices.md), appended to the document the metrics writer made.
 * Slice values are structured: a string, number, boolean, null, a bucket
 * {"low", "high"} or, crossed, an array of those - never a key (§18). */
#include "internal.h"
#include "modelgate/slices.h"
#include "report/metrics_json.h"
#include "util/json.h"

static void part_json(mg__json *j, const mg_slice_part *p) {
    switch (p->kind) {
    case MG_SLICE_PART_NULL: mg__json_null(j); break;
    case MG_SLICE_PART_STRING: mg__json_string(j, p->text); break;
    case MG_SLICE_PART_BOOL: mg__json_bool(j, p->number != 0); break;
    case MG_SLICE_PART_NUMBER: mg__json_number(j, p->number); break;
    case MG_SLICE_PART_BUCKET:
        mg__json_begin_object(j);
        mg__json_kv_number(j, "low", p->low); /* infinite: null (outside the edges) */
        mg__json_kv_number(j, "high", p->high);
        /* which ends belong to it, in pandas.Interval's words */
        mg__json_kv_string(j, "closed", p->low_closed && p->high_closed ? "both"
                                        : p->low_closed                 ? "left"
                                        : p->high_closed                ? "right"
                                                                        : "neither");
        mg__json_end_object(j);
        break;
    }
}

static void value_json(mg__json *j, const mg_slicing *s, int i) {
    mg__json_key(j, "value");
    if (s->ncolumns == 1) {
        part_json(j, &s->parts[i]);
        return;
    }
    mg__json_begin_array(j);
    for (int p = 0; p < s->ncolumns; p++)
        part_json(j, &s->parts[(size_t)i * (size_t)s->ncolumns + (size_t)p]);
    mg__json_end_array(j);
}

static void slice_json(mg__json *j, const mg_slice_report *r, int i, const mg_evaluation *overall,
                       const mg_targets *t) {
    const mg_slice_stats *s = &r->slices[i];
    mg__json_begin_object(j);
    value_json(j, r->slicing, i);
    mg__json_kv_int(j, "n", s->n);
    if (t->w != NULL)
        mg__json_kv_number(j, "weight_sum", s->weight_sum);
    if (!s->scored) {
        mg__json_end_object(j);
        return;
    }
    int count = mg_evaluation_metric_count(&s->eval);
    mg__json_key(j, "metrics");
    mg__json_begin_object(j);
    bool any_null = false;
    for (int m = 0; m < count; m++) {
        mg_value v;
        const char *name = mg_evaluation_metric_name(&s->eval, m, &v);
        mg__json_kv_value(j, name, v);
        any_null |= v.null_reason != NULL;
    }
    mg__json_end_object(j);
    if (t->task == MG_TASK_BINARY) {
        const mg_binary_metrics *b = &s->eval.binary;
        mg__json_key(j, "confusion_matrix");
        mg__json_begin_object(j);
        mg__json_kv_number(j, "tp", b->tp);
        mg__json_kv_number(j, "fp", b->fp);
        mg__json_kv_number(j, "tn", b->tn);
        mg__json_kv_number(j, "fn", b->fn);
        mg__json_end_object(j);
    }
    mg__json_key(j, "ci");
    mg__json_begin_object(j);
    for (int c = 0; c < s->nci; c++)
        mg__interval_json(j, s->ci[c].metric, &s->ci[c].ci, s->ci[c].null_reason, r->level);
    mg__json_end_object(j);
    mg__json_key(j, "difference_from_overall");
    mg__json_begin_object(j);
    for (int m = 0; m < count; m++) {
        mg_value v, all;
        const char *name = mg_evaluation_metric_name(&s->eval, m, &v);
        if (mg_evaluation_metric(overall, name, &all) != 0 || all.null_reason != NULL ||
            v.null_reason != NULL)
            mg__json_kv_null(j, name);
        else
            mg__json_kv_number(j, name, v.v - all.v);
    }
    mg__json_end_object(j);
    if (any_null) {
        mg__json_key(j, "null_reasons");
        mg__json_begin_object(j);
        for (int m = 0; m < count; m++) {
            mg_value v;
            const char *name = mg_evaluation_metric_name(&s->eval, m, &v);
            if (v.null_reason != NULL)
                mg__json_kv_string(j, name, v.null_reason);
        }
        mg__json_end_object(j);
    }
    mg__json_end_object(j);
}

static void report_json(mg__json *j, const mg_slice_report *r, const mg_evaluation *overall,
                        const mg_targets *t) {
    const mg_slicing *s = r->slicing;
    mg__json_key(j, s->name);
    mg__json_begin_object(j);
    mg__json_kv_string(j, "method", s->method);
    mg__json_key(j, "columns");
    mg__json_begin_array(j);
    for (int c = 0; c < s->ncolumns; c++)
        mg__json_string(j, s->columns[c]);
    mg__json_end_array(j);
    mg__json_kv_int(j, "min_slice_size", r->min_size);
    mg__json_key(j, "slices");
    mg__json_begin_array(j);
    for (int i = 0; i < r->nslices; i++)
        if (r->slices[i].scored)
            slice_json(j, r, i, overall, t);
    mg__json_end_array(j);
    mg__json_key(j, "too_small");
    mg__json_begin_array(j);
    for (int i = 0; i < r->nslices; i++)
        if (!r->slices[i].scored)
            slice_json(j, r, i, overall, t);
    mg__json_end_array(j);
    mg__json_end_object(j);
}

static const char *const constraint_names[] = {"precision", "recall", "fpr"};

static void point_json(mg__json *j, const mg_operating_point *p) {
    mg__json_key(j, p->name);
    mg__json_begin_object(j);
    mg__json_kv_string(j, "constraint", constraint_names[p->constraint]);
    mg__json_kv_number(j, "target", p->target);
    mg__json_kv_value(j, "value", p->value);
    mg__json_kv_value(j, "threshold", p->threshold);
    mg__json_kv_string(j, "rule", "score >= threshold");
    mg__json_kv_number(j, "precision", p->precision);
    mg__json_kv_number(j, "recall", p->recall);
    mg__json_kv_number(j, "fpr", p->fpr);
    mg__json_kv_number(j, "tp", p->tp);
    mg__json_kv_number(j, "fp", p->fp);
    if (p->has_ci) {
        mg__json_key(j, "ci");
        mg__json_begin_object(j);
        mg__json_kv_number(j, "low", p->ci.low);
        mg__json_kv_number(j, "high", p->ci.high);
        mg__json_kv_number(j, "level", p->ci.level);
        mg__json_kv_string(j, "method", p->ci.method);
        mg__json_end_object(j);
    } else {
        mg__json_kv_null(j, "ci");
    }
    if (p->value.null_reason != NULL)
        mg__json_kv_string(j, "null_reason", p->value.null_reason);
    mg__json_end_object(j);
}

mg_status mg_slices_json_append(char **json, size_t *len, const mg_evaluation *overall,
                                const mg_targets *t, const mg_slice_report *reports, int nreports,
                                const mg_operating_point *points, int npoints, mg_error *err) {
    if (nreports <= 0 && npoints <= 0)
        return MG_OK;
    /* The writer ends a document with "\n}\n": reopen the object there. */
    size_t end = *len;
    while (end > 0 && ((*json)[end - 1] == '\n' || (*json)[end - 1] == ' '))
        end--;
    if (end < 2 || (*json)[end - 1] != '}')
        return mg__fail(err, MG_ERR_USAGE, "the result document does not end with an object");
    end--;
    while (end > 0 && ((*json)[end - 1] == '\n' || (*json)[end - 1] == ' '))
        end--;
    mg__json j = {0};
    mg__buf_append(&j.out, *json, end);
    j.depth = 1;
    j.need_comma[1] = end > 1;
    if (nreports > 0) {
        mg__json_key(&j, "slices");
        mg__json_begin_object(&j);
        for (int r = 0; r < nreports; r++)
            report_json(&j, &reports[r], overall, t);
        mg__json_end_object(&j);
    }
    if (npoints > 0) {
        mg__json_key(&j, "operating_points");
        mg__json_begin_object(&j);
        for (int p = 0; p < npoints; p++)
            point_json(&j, &points[p]);
        mg__json_end_object(&j);
    }
    mg__json_end_object(&j);
    size_t nlen = 0;
    char *text = mg__json_finish(&j, &nlen);
    if (text == NULL)
        return mg__nomem(err, "the slices");
    free(*json);
    *json = text;
    *len = nlen;
    return MG_OK;
}
