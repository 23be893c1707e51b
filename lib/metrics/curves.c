/* curves.c - ROC and precision-recall curves for plots (report.html): the
 * same radix sort as ROC AUC, then one walk down the distinct scores,
 * thinned to a bounded number of points so that 10M rows plot as fast as 1k. */
#include "metrics_internal.h"

void mg_binary_curves_release(mg_binary_curves *c) {
    if (c == NULL)
        return;
    free(c->points);
    c->points = NULL;
    c->npoints = 0;
}

static int64_t distinct_scores(const uint64_t *keys, size_t n) {
    int64_t d = n > 0;
    for (size_t i = 1; i < n; i++)
        d += keys[i] >> 1 != keys[i - 1] >> 1;
    return d;
}

/* Index (among the `total` distinct scores, highest first) of the j-th of
 * `keep` points spaced evenly, the first and last always included. */
static int64_t kept_index(int64_t j, int64_t keep, int64_t total) {
    if (keep == 1)
        return 0;
    return (int64_t)((double)j * (double)(total - 1) / (double)(keep - 1) + 0.5);
}

/* Walks the distinct scores from the highest down with cumulative weighted
 * counts, writing the kept points into pts (room for `keep`). */
static void walk_down(const uint64_t *keys, const double *w, size_t n, double npos, double nneg,
                      int64_t total, int64_t keep, mg_curve_point *pts) {
    double tps = 0, fps = 0;
    int64_t g = 0, j = 0;
    for (size_t i = n; i > 0 && j < keep; g++) {
        size_t start = i - 1;
        uint64_t score = keys[start] >> 1;
        while (start > 0 && keys[start - 1] >> 1 == score)
            start--;
        for (size_t k = start; k < i; k++) {
            if (keys[k] & 1)
                tps += w ? w[k] : 1.0;
            else
                fps += w ? w[k] : 1.0;
        }
        i = start;
        if (g != kept_index(j, keep, total))
            continue;
        mg_curve_point *p = &pts[j++];
        p->threshold = mg__nonneg_from_key(score);
        p->tpr = tps / npos;
        p->fpr = fps / nneg;
        /* Zero-weight rows can leave a threshold with nothing predicted
         * positive yet; scikit-learn's precision_recall_curve says 0 there. */
        p->precision = tps + fps > 0 ? tps / (tps + fps) : 0.0;
    }
}

mg_status mg_binary_curves_compute(const uint8_t *y, const double *score, const double *w,
                                   int64_t n, int64_t max_points, mg_binary_curves *out,
                                   mg_error *err) {
    memset(out, 0, sizeof *out);
    if (max_points < 2)
        return mg__fail(err, MG_ERR_USAGE, "a curve needs at least 2 points, got %" PRId64,
                        max_points);
    if (n <= 0)
        return mg__fail(err, MG_ERR_DATA, "no rows to evaluate");
    double weight_sum;
    int wexp;
    MG_TRY(mg__weights_check(w, n, &weight_sum, &wexp, err));
    MG_TRY(mg__binary_rows_check(y, score, n, err));

    size_t un = (size_t)n;
    uint64_t *keys = mg__malloc_array(un, sizeof *keys);
    double *wsort = w ? mg__malloc_array(un, sizeof *wsort) : NULL;
    mg_status st = MG_OK;
    if (keys == NULL || (w != NULL && wsort == NULL)) {
        st = mg__nomem(err, "the score sort keys");
        goto done;
    }
    mg__sum pos = {0, 0}, neg = {0, 0};
    for (size_t i = 0; i < un; i++) {
        keys[i] = mg__score_key(score[i], y[i]);
        if (wsort)
            wsort[i] = mg__wscale(w[i], wexp); /* the curves are ratios of weighted counts */
        mg__sum_add(y[i] ? &pos : &neg, w ? wsort[i] : 1.0);
    }
    double npos = mg__sum_value(&pos), nneg = mg__sum_value(&neg);
    if (!(npos > 0) || !(nneg > 0)) {
        out->null_reason = npos > 0 ? MG__NO_NEGATIVE_ROWS : MG__NO_POSITIVE_ROWS;
        goto done;
    }
    st = mg__radix_sort(keys, wsort, un, err);
    if (st != MG_OK)
        goto done;
    int64_t total = distinct_scores(keys, un);
    int64_t keep = total < max_points ? total : max_points;
    out->points = mg__malloc_array((size_t)keep, sizeof *out->points);
    if (out->points == NULL) {
        st = mg__nomem(err, "the curve points");
        goto done;
    }
    walk_down(keys, wsort, un, npos, nneg, total, keep, out->points);
    out->npoints = keep;
done:
    free(keys);
    free(wsort);
    return st;
}
