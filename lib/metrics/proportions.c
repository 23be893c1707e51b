/* proportions.c - the Wilson intervals of the metrics that are proportions
 * (DESIGN §8): binary accuracy, precision, recall and specificity;
 * multiclass accuracy. With sample weights, Kish's effective sample size
 * (sum w)^2 / sum w^2 of each metric's own rows stands for the count. */
#include "internal.h"
#include "modelgate/compare.h"
#include "modelgate/stats.h"

#include <stdbool.h>

/* Weighted successes and trials of one proportion, with Kish's effective
 * sample size when rows are weighted. */
typedef struct proportion {
    double hits, total, total_sq;
} proportion;

static void add(proportion *p, double w, bool hit) {
    p->total += w;
    p->total_sq += w * w;
    if (hit)
        p->hits += w;
}

/* One interval into out[*n] (nothing when the proportion has no rows or no
 * interval). */
static void wilson(const char *name, const proportion *p, double level, mg_metric_interval *out,
                   int *n) {
    if (!(p->total > 0))
        return;
    double n_eff = p->total * p->total / p->total_sq;
    mg_interval ci;
    if (mg_wilson_interval(p->hits / p->total * n_eff, n_eff, level, &ci) != 0)
        return;
    ci.level = level;
    out[*n] = (mg_metric_interval){.metric = name, .ci = ci, .null_reason = NULL};
    (*n)++;
}

/* Counts as proportions; without weights every row weighs 1, so the sum of
 * squared weights is the count itself. */
static proportion of_counts(double hits, double total) {
    proportion p = {hits, total, total};
    return p;
}

static int binary_ci(const mg_evaluation *e, const mg_targets *t, double level,
                     mg_metric_interval *out) {
    proportion acc = {0}, prec = {0}, rec = {0}, spec = {0};
    const mg_binary_metrics *b = &e->binary;
    if (t->w == NULL) {
        /* The confusion counts already hold everything. */
        acc = of_counts(b->tp + b->tn, b->tp + b->tn + b->fp + b->fn);
        prec = of_counts(b->tp, b->tp + b->fp);
        rec = of_counts(b->tp, b->tp + b->fn);
        spec = of_counts(b->tn, b->tn + b->fp);
    }
    /* Weighted: Kish's effective n needs the squared weights of each subset. */
    for (int64_t i = 0; t->w != NULL && i < t->n; i++) {
        double w = t->w[i];
        bool pred = t->score[i] > t->threshold, pos = t->y[i];
        add(&acc, w, pred == pos);
        if (pred)
            add(&prec, w, pos);
        if (pos)
            add(&rec, w, pred);
        else
            add(&spec, w, !pred);
    }
    int n = 0;
    wilson("accuracy", &acc, level, out, &n);
    wilson("precision", &prec, level, out, &n);
    wilson("recall", &rec, level, out, &n);
    wilson("specificity", &spec, level, out, &n);
    return n;
}

static int multiclass_ci(const mg_targets *t, double level, mg_metric_interval *out) {
    proportion acc = {0};
    for (int64_t i = 0; i < t->n; i++)
        add(&acc, t->w ? t->w[i] : 1.0, t->yc[i] == t->pred[i]);
    int n = 0;
    wilson("accuracy", &acc, level, out, &n);
    return n;
}


int mg_evaluation_wilson(const mg_evaluation *e, const mg_targets *t, double level,
                         mg_metric_interval out[MG_WILSON_MAX]) {
    if (t->task == MG_TASK_BINARY)
        return binary_ci(e, t, level, out);
    if (t->task == MG_TASK_MULTICLASS)
        return multiclass_ci(t, level, out);
    return 0;
}
