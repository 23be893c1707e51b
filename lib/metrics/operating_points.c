/* operating_points.c - recall at a precision, precision at a recall and TPR at
 * an FPR, from the scores sorted once (the thresholds of
 * precision_recall_curve and roc_curve), each with its threshold and a Wilson
 * interval of the achieved rate. */
#include "metrics_internal.h"
#include "modelgate/metric_registry.h"
#include "modelgate/slices.h"

static const struct {
    const char *key, *prefix, *rate;
} forms[] = {
    [MG_OPERATING_PRECISION] = {"precision", "recall_at_precision_", "recall"},
    [MG_OPERATING_RECALL] = {"recall", "precision_at_recall_", "precision"},
    [MG_OPERATING_FPR] = {"fpr", "tpr_at_fpr_", "tpr"},
};

static int fill(mg_operating_point *out, mg_operating_constraint c, const char *num) {
    double v;
    if (mg_parse_double(num, strlen(num), &v) != 0 || !(v >= 0 && v <= 1))
        return -1;
    memset(out, 0, sizeof *out);
    out->constraint = c;
    out->target = v;
    char text[40];
    mg_format_double(v, text, sizeof text);
    snprintf(out->name, sizeof out->name, "%s%s", forms[c].prefix, text);
    return 0;
}

int mg_operating_point_parse(const char *spec, mg_operating_point *out) {
    const char *eq = strchr(spec, '=');
    if (eq == NULL)
        return -1;
    for (size_t c = 0; c < MG_ARRAY_LEN(forms); c++)
        if (strlen(forms[c].key) == (size_t)(eq - spec) &&
            strncmp(spec, forms[c].key, (size_t)(eq - spec)) == 0)
            return fill(out, (mg_operating_constraint)c, eq + 1);
    return -1;
}

int mg_operating_point_from_name(const char *name, mg_operating_point *out) {
    for (size_t c = 0; c < MG_ARRAY_LEN(forms); c++) {
        size_t l = strlen(forms[c].prefix);
        if (strncmp(name, forms[c].prefix, l) == 0)
            return fill(out, (mg_operating_constraint)c, name + l);
    }
    return -1;
}

/* The registry's entries for the three families (one def each; the name is
 * the family's pattern). */
static const mg_metric_def families[] = {
    {"recall_at_precision_P", 1u << MG_TASK_BINARY, true, true, MG_INTERVAL_WILSON,
     "the highest recall at a threshold with precision >= P (precision_recall_curve)"},
    {"precision_at_recall_R", 1u << MG_TASK_BINARY, true, true, MG_INTERVAL_WILSON,
     "the highest precision at a threshold with recall >= R (precision_recall_curve)"},
    {"tpr_at_fpr_F", 1u << MG_TASK_BINARY, true, true, MG_INTERVAL_WILSON,
     "the highest TPR at a threshold with FPR <= F (roc_curve)"},
};

const mg_metric_def *mg__operating_point_def(const char *name) {
    mg_operating_point p;
    if (mg_operating_point_from_name(name, &p) != 0)
        return NULL;
    return &families[p.constraint];
}

/* Running sums at one threshold. */
typedef struct at {
    double tp, fp, tp_sq, fp_sq, score;
} at;

static void set_ci(mg_operating_point *p, double hits, double total, double total_sq,
                   double level) {
    if (!(total > 0) || !(total_sq > 0))
        return;
    double n_eff = total * total / total_sq;
    p->has_ci = mg_wilson_interval(hits / total * n_eff, n_eff, level, &p->ci) == 0;
}

/* Row j of the score order: from `order`, or off the sorted keys. */
typedef struct ranked_rows {
    const mg_targets *t;
    const int64_t *order;
    const uint64_t *keys;
} ranked_rows;

static inline double score_at(const ranked_rows *r, int64_t j) {
    return r->keys != NULL ? mg__nonneg_from_key(r->keys[j] >> 1) : r->t->score[r->order[j]];
}

static inline int positive_at(const ranked_rows *r, int64_t j) {
    return r->keys != NULL ? (int)(r->keys[j] & 1) : r->t->y[r->order[j]] != 0;
}

mg_status mg_operating_points_compute(const mg_targets *t, const int64_t *order,
                                      mg_operating_point *points, int n, double level,
                                      mg_error *err) {
    return mg__operating_points_compute_sorted(t, order, NULL, points, n, level, err);
}

mg_status mg__operating_points_compute_sorted(const mg_targets *t, const int64_t *order,
                                              const uint64_t *sorted, mg_operating_point *points,
                                              int n, double level, mg_error *err) {
    if (t->task != MG_TASK_BINARY)
        return mg__fail(err, MG_ERR_USAGE, "operating points need a binary task");
    if (n <= 0)
        return MG_OK;
    int64_t *own = NULL;
    if (t->w != NULL)
        sorted = NULL; /* the weights follow the rows: walk an order */
    if (order == NULL && sorted == NULL) {
        MG_TRY(mg_score_order(t, &own, err));
        order = own;
    }
    const double *w = t->w;
    double pos = 0, neg = 0, pos_sq = 0, neg_sq = 0;
    /* The totals are summed in the walk's order (score descending, ties in
     * order), so that the running sums end at them to the bit: recall 1 is
     * reached exactly, and no rate exceeds 1. (Unweighted sums are exact in
     * any order.) */
    ranked_rows rr = {t, sorted != NULL ? NULL : order, sorted};
    for (int64_t k = t->n; k > 0;) {
        int64_t start = k - 1;
        if (w != NULL) {
            double s = score_at(&rr, k - 1);
            while (start > 0 && score_at(&rr, start - 1) == s)
                start--;
        }
        for (int64_t i = start; i < k; i++) {
            double wi = w ? w[order[i]] : 1.0;
            if (positive_at(&rr, i)) {
                pos += wi;
                pos_sq += wi * wi;
            } else {
                neg += wi;
                neg_sq += wi * wi;
            }
        }
        k = start;
    }
    at *best = mg__calloc((size_t)n, sizeof *best);
    bool *found = mg__calloc((size_t)n, sizeof *found);
    if (best == NULL || found == NULL) {
        free(best);
        free(found);
        free(own);
        return mg__nomem(err, "the operating points");
    }
    at cur = {0, 0, 0, 0, 0};
    for (int64_t j = t->n; j > 0;) {
        int64_t start = j - 1;
        double s = score_at(&rr, j - 1);
        while (start > 0 && score_at(&rr, start - 1) == s)
            start--;
        for (int64_t k = start; k < j; k++) {
            double wi = w ? w[order[k]] : 1.0;
            if (positive_at(&rr, k)) {
                cur.tp += wi;
                cur.tp_sq += wi * wi;
            } else {
                cur.fp += wi;
                cur.fp_sq += wi * wi;
            }
        }
        cur.score = s;
        j = start;
        double prec = cur.tp + cur.fp > 0 ? cur.tp / (cur.tp + cur.fp) : NAN;
        double rec = pos > 0 ? cur.tp / pos : NAN, fpr = neg > 0 ? cur.fp / neg : NAN;
        for (int p = 0; p < n; p++) {
            mg_operating_point *op = &points[p];
            /* strictly better only: ties keep the higher threshold */
            if (op->constraint == MG_OPERATING_PRECISION) {
                if (prec >= op->target && (!found[p] || cur.tp > best[p].tp))
                    found[p] = true, best[p] = cur;
            } else if (op->constraint == MG_OPERATING_RECALL) {
                if (rec >= op->target &&
                    (!found[p] || prec > best[p].tp / (best[p].tp + best[p].fp)))
                    found[p] = true, best[p] = cur;
            } else if (fpr <= op->target && (!found[p] || cur.tp > best[p].tp)) {
                found[p] = true, best[p] = cur;
            }
        }
    }
    for (int p = 0; p < n; p++) {
        mg_operating_point *op = &points[p];
        op->has_ci = false;
        const char *need = op->constraint == MG_OPERATING_FPR ? (neg > 0 ? NULL : MG__NO_NEGATIVE_ROWS)
                                                               : NULL;
        if (!(pos > 0))
            need = MG__NO_POSITIVE_ROWS;
        if (need != NULL || !found[p]) {
            const char *why = need != NULL ? need
                              : op->constraint == MG_OPERATING_PRECISION
                                  ? "undefined: no threshold reaches the precision asked"
                              : op->constraint == MG_OPERATING_RECALL
                                  ? "undefined: no threshold reaches the recall asked"
                                  : "undefined: no threshold keeps the FPR within the bound";
            op->value = mg_value_null(why);
            op->threshold = mg_value_null(why);
            op->precision = op->recall = op->fpr = NAN;
            op->tp = op->fp = NAN;
            continue;
        }
        at *b = &best[p];
        op->threshold = mg_value_of(b->score);
        op->tp = ldexp(b->tp, t->w_exp2);
        op->fp = ldexp(b->fp, t->w_exp2);
        op->precision = b->tp / (b->tp + b->fp);
        op->recall = b->tp / pos;
        op->fpr = neg > 0 ? b->fp / neg : NAN;
        if (op->constraint == MG_OPERATING_RECALL) {
            op->value = mg_value_of(op->precision);
            set_ci(op, b->tp, b->tp + b->fp, b->tp_sq + b->fp_sq, level);
        } else {
            op->value = mg_value_of(op->recall);
            /* the positives' squared weights: all of them are in the denominator */
            set_ci(op, b->tp, pos, pos_sq, level);
        }
    }
    (void)neg_sq;
    free(best);
    free(found);
    free(own);
    return MG_OK;
}
