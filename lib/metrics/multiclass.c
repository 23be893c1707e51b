/* multiclass.c - multiclass metrics over classes 0..k-1: the weighted
 * confusion matrix in one pass, per-class precision/recall/F1 and their macro,
 * weighted and micro averages, and, with class probabilities, log loss and
 * one-vs-rest macro ROC AUC (one radix sort per class). */
#include <float.h>

#include "metrics_internal.h"

#define UNDEF_PRECISION "undefined for some class: it has no predicted rows"
#define UNDEF_RECALL "undefined for some class: it has no rows"
#define UNDEF_F1 "undefined for some class: it has neither rows nor predicted rows"

void mg_multiclass_metrics_release(mg_multiclass_metrics *m) {
    if (m == NULL)
        return;
    free(m->per_class);
    free(m->confusion);
    m->per_class = NULL;
    m->confusion = NULL;
}

static mg_status check_rows(const int32_t *y, const int32_t *pred, const double *proba, int64_t n,
                            int k, mg_error *err) {
    for (int64_t i = 0; i < n; i++) {
        if (y[i] < 0 || y[i] >= k)
            return mg__fail(err, MG_ERR_DATA, "row %" PRId64 ": class %" PRId32 " is not in 0..%d",
                            i + 1, y[i], k - 1);
        if (pred != NULL && (pred[i] < 0 || pred[i] >= k))
            return mg__fail(err, MG_ERR_DATA,
                            "row %" PRId64 ": predicted class %" PRId32 " is not in 0..%d", i + 1,
                            pred[i], k - 1);
        if (proba == NULL)
            continue;
        const double *row = proba + (size_t)i * (size_t)k;
        for (int c = 0; c < k; c++)
            if (!(row[c] >= 0 && row[c] <= 1))
                return mg__fail(err, MG_ERR_DATA,
                                "row %" PRId64 ": probability %g of class %d is not in [0, 1]",
                                i + 1, row[c], c);
    }
    return MG_OK;
}

static int32_t argmax(const double *row, int k) {
    int32_t best = 0;
    for (int c = 1; c < k; c++)
        if (row[c] > row[best])
            best = c;
    return best;
}

/* log_loss's per-row term: clip every entry to [eps, 1-eps], renormalise the
 * row to sum 1, take -log of the true class's entry. */
static double row_log_loss(const double *row, int k, int32_t truth) {
    double total = 0, mine = 0;
    for (int c = 0; c < k; c++) {
        double p = row[c];
        if (p < DBL_EPSILON)
            p = DBL_EPSILON;
        if (p > 1 - DBL_EPSILON)
            p = 1 - DBL_EPSILON;
        total += p;
        if (c == truth)
            mine = p;
    }
    return -log(mine / total);
}

/* A macro average is null as soon as one class's value is. */
static mg_value macro(const mg_value *v, int k, const char *reason) {
    mg__sum s = {0, 0};
    for (int c = 0; c < k; c++) {
        if (v[c].null_reason != NULL)
            return mg_value_null(reason);
        mg__sum_add(&s, v[c].v);
    }
    return mg_value_of(mg__sum_value(&s) / k);
}

/* Support-weighted average; a class without support weighs nothing, so only
 * a supported class with an undefined value makes the average undefined. */
static mg_value weighted(const mg_value *v, const mg_class_metrics *pc, int k, double total,
                         const char *reason) {
    mg__sum s = {0, 0};
    for (int c = 0; c < k; c++) {
        if (!(pc[c].support > 0))
            continue;
        if (v[c].null_reason != NULL)
            return mg_value_null(reason);
        mg__sum_add(&s, pc[c].support * v[c].v);
    }
    return mg_value_of(mg__sum_value(&s) / total);
}

static void per_class_and_averages(mg_multiclass_metrics *m, mg_value *tmp) {
    int k = m->nclasses;
    double trace = 0, support_total = 0;
    mg_class_metrics *pc = m->per_class;
    for (int c = 0; c < k; c++) {
        double tp = m->confusion[(size_t)c * k + c], truth = 0, predicted = 0;
        for (int j = 0; j < k; j++) {
            truth += m->confusion[(size_t)c * k + j];
            predicted += m->confusion[(size_t)j * k + c];
        }
        trace += tp;
        support_total += truth;
        pc[c].support = truth;
        pc[c].precision = predicted > 0
                              ? mg_value_of(tp / predicted)
                              : mg_value_null("undefined: no rows are predicted as this class");
        pc[c].recall =
            truth > 0 ? mg_value_of(tp / truth) : mg_value_null("undefined: no rows of this class");
        pc[c].f1 = truth + predicted > 0
                       ? mg_value_of(2 * tp / (truth + predicted))
                       : mg_value_null("undefined: no rows of this class and none predicted as it");
    }
    /* Every row is predicted as exactly one class, so micro precision, recall
     * and F1 all equal the accuracy (as scikit-learn's micro averages over all
     * classes do). */
    m->accuracy = mg_value_of(trace / m->weight_sum);
    m->precision_micro = m->recall_micro = m->f1_micro = m->accuracy;

    for (int c = 0; c < k; c++)
        tmp[c] = pc[c].precision;
    m->precision_macro = macro(tmp, k, UNDEF_PRECISION);
    m->precision_weighted = weighted(tmp, pc, k, support_total, UNDEF_PRECISION);
    for (int c = 0; c < k; c++)
        tmp[c] = pc[c].recall;
    m->recall_macro = macro(tmp, k, UNDEF_RECALL);
    m->recall_weighted = weighted(tmp, pc, k, support_total, UNDEF_RECALL);
    /* Balanced accuracy is the macro recall over all k classes; scikit-learn
     * silently drops classes without rows, modelgate reports null instead. */
    m->balanced_accuracy = m->recall_macro;
    for (int c = 0; c < k; c++)
        tmp[c] = pc[c].f1;
    m->f1_macro = macro(tmp, k, UNDEF_F1);
    m->f1_weighted = weighted(tmp, pc, k, support_total, UNDEF_F1);
}

/* One-vs-rest ROC AUC of every class, averaged without weighting (macro). */
static mg_status roc_auc_ovr(mg_multiclass_metrics *m, const int32_t *y, const double *proba,
                             const double *w, int64_t n, mg_error *err) {
    int k = m->nclasses;
    uint64_t *keys = mg__malloc_array((size_t)n, sizeof *keys);
    double *wsort = w ? mg__malloc_array((size_t)n, sizeof *wsort) : NULL;
    if (keys == NULL || (w != NULL && wsort == NULL)) {
        free(keys);
        free(wsort);
        return mg__nomem(err, "the score sort keys");
    }
    mg_status st = MG_OK;
    mg__sum total = {0, 0};
    m->roc_auc_ovr = mg_value_of(0);
    for (int c = 0; c < k && st == MG_OK; c++) {
        for (int64_t i = 0; i < n; i++) {
            keys[i] = mg__score_key(proba[(size_t)i * (size_t)k + c], y[i] == c);
            if (wsort)
                wsort[i] = w[i];
        }
        mg_value auc, ap;
        st = mg__ranking_metrics(keys, wsort, (size_t)n, &auc, &ap, err);
        if (st == MG_OK && auc.null_reason != NULL) {
            m->roc_auc_ovr = mg_value_null(
                "undefined for some class: it has no rows, or every row is of that class");
            break;
        }
        mg__sum_add(&total, auc.v);
    }
    if (st == MG_OK && m->roc_auc_ovr.null_reason == NULL)
        m->roc_auc_ovr = mg_value_of(mg__sum_value(&total) / k);
    free(keys);
    free(wsort);
    return st;
}

mg_status mg_multiclass_metrics_compute(const int32_t *y, const int32_t *pred, const double *proba,
                                        const double *w, int64_t n, int k,
                                        mg_multiclass_metrics *out, mg_error *err) {
    memset(out, 0, sizeof *out);
    if (k < 2)
        return mg__fail(err, MG_ERR_USAGE, "multiclass metrics need at least 2 classes, got %d", k);
    if (pred == NULL && proba == NULL)
        return mg__fail(err, MG_ERR_USAGE,
                        "multiclass metrics need predicted classes or class probabilities");
    if (n <= 0)
        return mg__fail(err, MG_ERR_DATA, "no rows to evaluate");
    double weight_sum; /* scaled by 2^-wexp, like every weight below */
    int wexp;
    MG_TRY(mg__weights_check(w, n, &weight_sum, &wexp, err));
    MG_TRY(check_rows(y, pred, proba, n, k, err));

    mg_multiclass_metrics m = {0};
    m.n = n;
    m.nclasses = k;
    m.weight_sum = weight_sum;
    m.confusion = mg__calloc((size_t)k * (size_t)k, sizeof *m.confusion);
    m.per_class = mg__calloc((size_t)k, sizeof *m.per_class);
    mg_value *tmp = mg__calloc((size_t)k, sizeof *tmp);
    if (m.confusion == NULL || m.per_class == NULL || tmp == NULL) {
        free(tmp);
        mg_multiclass_metrics_release(&m);
        return mg__nomem(err, "the confusion matrix");
    }
    mg__sum loss = {0, 0};
    for (int64_t i = 0; i < n; i++) {
        double wi = w ? mg__wscale(w[i], wexp) : 1.0;
        const double *row = proba ? proba + (size_t)i * (size_t)k : NULL;
        int32_t p = pred ? pred[i] : argmax(row, k);
        m.confusion[(size_t)y[i] * k + p] += wi;
        if (row)
            mg__sum_add(&loss, wi * row_log_loss(row, k, y[i]));
    }
    per_class_and_averages(&m, tmp);
    free(tmp);
    /* Weighted totals in the data's units (the ratios above do not change). */
    m.weight_sum = ldexp(m.weight_sum, wexp);
    for (size_t c = 0; c < (size_t)k * (size_t)k; c++)
        m.confusion[c] = ldexp(m.confusion[c], wexp);
    for (int c = 0; c < k; c++)
        m.per_class[c].support = ldexp(m.per_class[c].support, wexp);
    if (proba) {
        m.log_loss = mg_value_of(mg__sum_value(&loss) / weight_sum);
        mg_status st = roc_auc_ovr(&m, y, proba, w, n, err);
        if (st != MG_OK) {
            mg_multiclass_metrics_release(&m);
            return st;
        }
    } else {
        m.log_loss = m.roc_auc_ovr = mg_value_null("undefined: no class probabilities given");
    }
    *out = m;
    return MG_OK;
}
