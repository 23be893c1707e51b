/* ranking.c - threshold-free metrics from one sort of (score, class, weight):
 * ROC AUC (ties counted half) and average precision (scikit-learn's step-wise
 * PR AUC), shared by binary and one-vs-rest multiclass evaluation. Also the
 * weight validation every metric family starts with. */
#include "metrics_internal.h"

mg_status mg__weights_check(const double *w, int64_t n, double *sum, int *exp2, mg_error *err) {
    *exp2 = 0;
    if (w == NULL) {
        *sum = (double)n;
        return MG_OK;
    }
    double max = 0;
    for (int64_t i = 0; i < n; i++) {
        if (!(w[i] >= 0) || !isfinite(w[i]))
            return mg__fail(err, MG_ERR_DATA,
                            "row %" PRId64 ": weight %g is not a finite number >= 0", i + 1, w[i]);
        max = fmax(max, w[i]);
    }
    if (max == 0)
        return mg__fail(err, MG_ERR_DATA, "the weights of all %" PRId64 " rows are zero", n);
    if (max < 0x1p-64 || max > 0x1p64)
        (void)frexp(max, exp2);
    mg__sum total = {0, 0};
    for (int64_t i = 0; i < n; i++)
        mg__sum_add(&total, mg__wscale(w[i], *exp2));
    *sum = mg__sum_value(&total);
    return MG_OK;
}

/* End of the run of equal scores that starts at i. */
static size_t group_end(const uint64_t *keys, size_t i, size_t n) {
    uint64_t score = keys[i] >> 1;
    size_t j = i + 1;
    while (j < n && keys[j] >> 1 == score)
        j++;
    return j;
}

/* Room for the distinct scores of the sorted keys in runs->run, when they
 * are few enough (see mg__score_runs); else runs->run stays NULL. */
static void runs_alloc(const uint64_t *keys, size_t n, mg__score_runs *runs) {
    runs->run = NULL;
    runs->n = 0;
    if (n < MG__RUNS_FROM)
        return;
    size_t groups = 0;
    for (size_t i = 0; i < n && groups <= n / 4; i++)
        groups += i == 0 || keys[i] >> 1 != keys[i - 1] >> 1;
    if (groups <= n / 4)
        runs->run = mg__malloc_array(groups, sizeof *runs->run);
}

mg_status mg__ranking_metrics(uint64_t *keys, double *w, size_t n, mg_value *roc_auc,
                              mg_value *average_precision, mg_error *err) {
    return mg__ranking_metrics_runs(keys, w, n, roc_auc, average_precision, NULL, err);
}

mg_status mg__ranking_metrics_runs(uint64_t *keys, double *w, size_t n, mg_value *roc_auc,
                                   mg_value *average_precision, mg__score_runs *runs,
                                   mg_error *err) {
    MG_TRY(mg__radix_sort(keys, w, n, err));
    mg__ranking_metrics_sorted(keys, w, n, roc_auc, average_precision, runs);
    return MG_OK;
}

void mg__ranking_metrics_sorted(const uint64_t *keys, double *w, size_t n, mg_value *roc_auc,
                                mg_value *average_precision, mg__score_runs *runs) {
    if (w != NULL) {
        /* The products below (weight x weight) neither underflow with weights
         * of 1e-200 nor overflow with 1e300 once the largest is in [0.5, 1)
         * (done only for weights beyond 2^±64); a power of two scales
         * exactly, and both metrics are ratios. */
        double max = 0;
        for (size_t i = 0; i < n; i++)
            max = fmax(max, w[i]);
        int e = 0;
        if (max > 0 && (max < 0x1p-64 || max > 0x1p64))
            (void)frexp(max, &e);
        if (e != 0)
            for (size_t i = 0; i < n; i++)
                w[i] = ldexp(w[i], -e);
    }
    mg__sum pos_total = {0, 0}, neg_total = {0, 0};
    for (size_t i = 0; i < n; i++)
        mg__sum_add((keys[i] & 1) ? &pos_total : &neg_total, w ? w[i] : 1.0);
    double npos = mg__sum_value(&pos_total), nneg = mg__sum_value(&neg_total);

    /* Ascending: each positive beats the negatives below it and ties half of
     * those at its own score - the trapezoids of the ROC curve. */
    if (npos > 0 && nneg > 0) {
        if (runs != NULL)
            runs_alloc(keys, n, runs);
        mg__sum area = {0, 0};
        double neg_below = 0;
        for (size_t i = 0; i < n;) {
            size_t end = group_end(keys, i, n);
            double pos = 0, neg = 0;
            for (size_t j = i; j < end; j++) {
                if (keys[j] & 1)
                    pos += w ? w[j] : 1.0;
                else
                    neg += w ? w[j] : 1.0;
            }
            mg__sum_add(&area, pos * (neg_below + 0.5 * neg));
            neg_below += neg;
            if (runs != NULL && runs->run != NULL) {
                uint64_t bits = keys[i] >> 1;
                mg__score_run *r = &runs->run[runs->n++];
                memcpy(&r->score, &bits, sizeof r->score);
                r->pos = pos;
                r->neg = neg;
            }
            i = end;
        }
        *roc_auc = mg_value_of(mg__sum_value(&area) / npos / nneg);
    } else {
        *roc_auc = mg_value_null(npos > 0 ? MG__NO_NEGATIVE_ROWS : MG__NO_POSITIVE_ROWS);
    }

    /* Descending thresholds at the distinct scores, as precision_recall_curve:
     * AP = sum over thresholds of (recall step) x (precision there). */
    if (npos > 0) {
        mg__sum ap = {0, 0};
        double tps = 0, fps = 0, recall_prev = 0;
        for (size_t i = n; i > 0;) {
            size_t start = i - 1;
            uint64_t score = keys[start] >> 1;
            while (start > 0 && keys[start - 1] >> 1 == score)
                start--;
            double pos = 0, neg = 0;
            for (size_t j = start; j < i; j++) {
                if (keys[j] & 1)
                    pos += w ? w[j] : 1.0;
                else
                    neg += w ? w[j] : 1.0;
            }
            tps += pos;
            fps += neg;
            if (pos > 0) {
                double recall = tps / npos;
                mg__sum_add(&ap, (recall - recall_prev) * (tps / (tps + fps)));
                recall_prev = recall;
            }
            i = start;
        }
        *average_precision = mg_value_of(mg__sum_value(&ap));
    } else {
        *average_precision = mg_value_null(MG__NO_POSITIVE_ROWS);
    }
}
