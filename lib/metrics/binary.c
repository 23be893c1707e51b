/* binary.c - binary classification metrics at a decision threshold, plus the
 * threshold-free ones (ROC AUC, PR AUC, log loss, Brier), in one pass over the
 * rows and one sort. Definitions follow scikit-learn 1.2 (docs/metrics.md). */
#include <float.h>

#include "metrics_internal.h"

/* scikit-learn 1.2's log_loss clips to float64 epsilon. */
#define LOG_LOSS_EPS DBL_EPSILON

static mg_value ratio_or_null(double num, double den, const char *reason) {
    return den > 0 ? mg_value_of(num / den) : mg_value_null(reason);
}

double mg__row_log_loss(int positive, double p) {
    if (p < LOG_LOSS_EPS)
        p = LOG_LOSS_EPS;
    if (p > 1 - LOG_LOSS_EPS)
        p = 1 - LOG_LOSS_EPS;
    double q = 1 - p;
    double total = q + p;
    return -log((positive ? p : q) / total);
}

mg_status mg__binary_rows_check(const uint8_t *y, const double *score, int64_t n, mg_error *err) {
    for (int64_t i = 0; i < n; i++) {
        if (y[i] > 1)
            return mg__fail(err, MG_ERR_DATA, "row %" PRId64 ": label %u is not 0 or 1", i + 1,
                            (unsigned)y[i]);
        if (!(score[i] >= 0 && score[i] <= 1))
            return mg__fail(err, MG_ERR_DATA,
                            "row %" PRId64 ": score %g is not a probability in [0, 1]", i + 1,
                            score[i]);
    }
    return MG_OK;
}

void mg__binary_derive(mg_binary_metrics *m) {
    double tp = m->tp, fp = m->fp, tn = m->tn, fn = m->fn;
    double pos = tp + fn, neg = tn + fp, pred_pos = tp + fp, pred_neg = tn + fn;
    m->accuracy = mg_value_of((tp + tn) / m->weight_sum);
    m->precision = ratio_or_null(tp, pred_pos, "undefined: no rows are predicted positive");
    m->recall = ratio_or_null(tp, pos, MG__NO_POSITIVE_ROWS);
    m->specificity = ratio_or_null(tn, neg, MG__NO_NEGATIVE_ROWS);
    /* 2TP / (2TP + FP + FN) equals 2PR / (P + R) and stays defined (0) when
     * only precision is undefined, as in scikit-learn. */
    m->f1 = ratio_or_null(2 * tp, 2 * tp + fp + fn,
                          "undefined: no rows of the positive class and none predicted positive");
    if (m->recall.null_reason != NULL)
        m->balanced_accuracy = mg_value_null(m->recall.null_reason);
    else if (m->specificity.null_reason != NULL)
        m->balanced_accuracy = mg_value_null(m->specificity.null_reason);
    else
        m->balanced_accuracy = mg_value_of((m->recall.v + m->specificity.v) / 2);
    if (pos > 0 && neg > 0 && pred_pos > 0 && pred_neg > 0) {
        /* Products of counts scaled by the power of two 2^-e that brings the
         * larger class below 1: exact, and neither weights of 1e-200 nor of
         * 1e300 underflow or overflow the products. */
        int e = 0;
        (void)frexp(fmax(pos, neg), &e);
        double a = ldexp(tp, -e), b = ldexp(tn, -e), c = ldexp(fp, -e), d = ldexp(fn, -e);
        m->mcc = mg_value_of((a * b - c * d) / (sqrt((a + c) * (a + d)) * sqrt((b + c) * (b + d))));
    } else if (!(pos > 0) || !(neg > 0))
        m->mcc = mg_value_null(pos > 0 ? MG__NO_NEGATIVE_ROWS : MG__NO_POSITIVE_ROWS);
    else
        m->mcc = mg_value_null(pred_pos > 0 ? "undefined: no rows are predicted negative"
                                            : "undefined: no rows are predicted positive");
}

/* The two independent halves of the work, run side by side: the ranking
 * metrics need one sort of every score; the rest need one pass. */
typedef struct binary_job {
    const uint8_t *y;
    const double *score, *w;
    int wexp; /* the weights are used as w[i] 2^-wexp */
    int64_t n;
    double threshold;
    const uint64_t *sorted; /* the keys sorted already, or NULL */
    mg_binary_metrics *out;
    mg__score_runs *runs; /* NULL = not wanted */
    mg_error rank_err;
} binary_job;

static mg_status rank_half(binary_job *j) {
    size_t n = (size_t)j->n;
    if (j->sorted != NULL && j->w == NULL) {
        mg__ranking_metrics_sorted(j->sorted, NULL, n, &j->out->roc_auc, &j->out->pr_auc,
                                   j->runs);
        return MG_OK;
    }
    uint64_t *keys = mg__malloc_array(n, sizeof *keys);
    double *wsort = j->w ? mg__malloc_array(n, sizeof *wsort) : NULL;
    if (keys == NULL || (j->w != NULL && wsort == NULL)) {
        free(keys);
        free(wsort);
        return mg__nomem(&j->rank_err, "the score sort keys");
    }
    for (size_t i = 0; i < n; i++)
        keys[i] = mg__score_key(j->score[i], j->y[i]);
    if (wsort != NULL)
        for (size_t i = 0; i < n; i++)
            wsort[i] = mg__wscale(j->w[i], j->wexp);
    mg_status st = mg__ranking_metrics_runs(keys, wsort, n, &j->out->roc_auc, &j->out->pr_auc,
                                            j->runs, &j->rank_err);
    free(keys);
    free(wsort);
    return st;
}

static void threshold_half(binary_job *j) {
    const double *w = j->w;
    mg__sum tp = {0, 0}, fp = {0, 0}, tn = {0, 0}, fn = {0, 0}, loss = {0, 0}, brier = {0, 0};
    for (int64_t i = 0; i < j->n; i++) {
        double wi = w ? mg__wscale(w[i], j->wexp) : 1.0, s = j->score[i];
        int positive = j->y[i], predicted = s > j->threshold;
        mg__sum_add(positive ? (predicted ? &tp : &fn) : (predicted ? &fp : &tn), wi);
        mg__sum_add(&loss, wi * mg__row_log_loss(positive, s));
        double d = positive - s;
        mg__sum_add(&brier, wi * d * d);
    }
    mg_binary_metrics *out = j->out;
    out->tp = mg__sum_value(&tp);
    out->fp = mg__sum_value(&fp);
    out->tn = mg__sum_value(&tn);
    out->fn = mg__sum_value(&fn);
    out->log_loss = mg_value_of(mg__sum_value(&loss) / out->weight_sum);
    out->brier = mg_value_of(mg__sum_value(&brier) / out->weight_sum);
}

static mg_status binary_task(void *ctx, int i) {
    binary_job *j = ctx;
    if (i == 0)
        return rank_half(j);
    threshold_half(j);
    return MG_OK;
}

mg_status mg_binary_metrics_compute(const uint8_t *y, const double *score, const double *w,
                                    int64_t n, double threshold, mg_binary_metrics *out,
                                    mg_error *err) {
    return mg__binary_metrics_compute_sorted(y, score, w, n, threshold, NULL, out, NULL, err);
}

mg_status mg__binary_metrics_compute_sorted(const uint8_t *y, const double *score, const double *w,
                                            int64_t n, double threshold, const uint64_t *sorted,
                                            mg_binary_metrics *out, mg__score_runs *runs,
                                            mg_error *err) {
    memset(out, 0, sizeof *out);
    if (runs != NULL)
        *runs = (mg__score_runs){NULL, 0};
    if (isnan(threshold))
        return mg__fail(err, MG_ERR_USAGE, "the decision threshold is NaN");
    if (n <= 0)
        return mg__fail(err, MG_ERR_DATA, "no rows to evaluate");
    double weight_sum;
    int wexp;
    MG_TRY(mg__weights_check(w, n, &weight_sum, &wexp, err));
    MG_TRY(mg__binary_rows_check(y, score, n, err));
    out->n = n;
    out->weight_sum = weight_sum; /* scaled by 2^-wexp until derive() is done */
    out->threshold = threshold;
    binary_job job = {.y = y,
                      .score = score,
                      .w = w,
                      .wexp = wexp,
                      .n = n,
                      .threshold = threshold,
                      .sorted = sorted,
                      .out = out,
                      .runs = runs};
    mg_error_clear(&job.rank_err);
    /* Two threads pay off only when there is enough work to share. */
    mg_status st = mg__parallel_for(2, n >= 100000 ? 2 : 1, binary_task, &job);
    if (st != MG_OK) {
        if (job.rank_err.status == MG_OK)
            return mg__nomem(err, "the metric threads");
        if (err != NULL)
            *err = job.rank_err;
        return st;
    }
    mg__binary_derive(out);
    out->weight_sum = ldexp(out->weight_sum, wexp);
    out->tp = ldexp(out->tp, wexp);
    out->fp = ldexp(out->fp, wexp);
    out->tn = ldexp(out->tn, wexp);
    out->fn = ldexp(out->fn, wexp);
    return MG_OK;
}
