/* bucket_boot.c - the Poisson bootstrap of one binary model without sample
 * weights, drawn per (score, label) bucket instead of per row.
 *
 * Every binary metric of a replicate (confusion counts at the threshold, ROC
 * AUC with ties counted half, average precision, log loss, Brier score, and
 * the binned ECE and MCE) depends on the rows only through the total weight
 * of each bucket of rows with the same score and the same label: such rows
 * rank together, fall on the same side of the threshold and in the same
 * calibration bin, and have the same log loss and squared error. The sum of
 * a bucket's n independent Poisson(1) row weights is Poisson(n), so one
 * Poisson(n) draw per bucket (stats/poisson.h) gives exactly the per-row
 * bootstrap's distribution of every metric. It pays when scores repeat (a
 * model with coarse scores, rounded probabilities); with all scores distinct
 * a bucket is a row and the cost is that of the per-row pass.
 *
 * Sample weights break the equivalence unless the bucket also splits by
 * weight, and a paired comparison of two models would need buckets of equal
 * (score_new, score_base, label), which distinct scores make single rows:
 * both keep the per-row path (compare.c). */
#include "compare_internal.h"
#include "metrics/metrics_internal.h"
#include "stats/poisson.h"

#include <math.h>

typedef struct buckets {
    int64_t n;      /* buckets, in descending score order */
    int64_t *count; /* rows in the bucket */
    uint8_t *flags; /* bit 0 positive; bit 1 last bucket of its score;
                     * bit 2 predicted positive */
    uint8_t *bin;   /* calibration bin of the score */
    double *score;  /* the score, its rows' log loss and squared error */
    double *loss, *sq;
} buckets;

static void buckets_release(buckets *b) {
    free(b->count);
    free(b->flags);
    free(b->bin);
    free(b->score);
    free(b->loss);
    free(b->sq);
    memset(b, 0, sizeof *b);
}

/* Up to two buckets per distinct score (negatives, then positives). */
static mg_status buckets_init(const mg_targets *t, buckets *b, mg_error *err) {
    memset(b, 0, sizeof *b);
    mg_ranked_scores r;
    MG_TRY(mg_ranked_scores_init(t->y, t->score, NULL, t->n, t->threshold, &r, err));
    int64_t groups = 0;
    for (int64_t k = 0; k < r.n; k++)
        groups += (r.flags[k] & 2) != 0;
    size_t cap = (size_t)(2 * groups > 0 ? 2 * groups : 1);
    b->count = mg__malloc_array(cap, sizeof *b->count);
    b->flags = mg__malloc_array(cap, sizeof *b->flags);
    b->bin = mg__malloc_array(cap, sizeof *b->bin);
    b->score = mg__malloc_array(cap, sizeof *b->score);
    b->loss = mg__malloc_array(cap, sizeof *b->loss);
    b->sq = mg__malloc_array(cap, sizeof *b->sq);
    if (b->count == NULL || b->flags == NULL || b->bin == NULL || b->score == NULL ||
        b->loss == NULL || b->sq == NULL) {
        mg_ranked_scores_release(&r);
        buckets_release(b);
        return mg__nomem(err, "score buckets");
    }
    int64_t cnt[2] = {0, 0}, at[2] = {0, 0};
    for (int64_t k = 0; k < r.n; k++) {
        int pos = r.flags[k] & 1;
        if (cnt[pos]++ == 0)
            at[pos] = k;
        if (!(r.flags[k] & 2))
            continue;
        int64_t first = b->n;
        for (int c = 0; c < 2; c++) {
            if (cnt[c] == 0)
                continue;
            int64_t j = b->n++, k0 = at[c];
            double s = t->score[r.row[k0]];
            b->count[j] = cnt[c];
            b->flags[j] = (uint8_t)(c | (r.flags[k0] & 4));
            b->bin[j] = (uint8_t)mg__calibration_bin(s);
            b->score[j] = s;
            b->loss[j] = r.loss[k0];
            b->sq[j] = r.sq[k0];
            cnt[c] = 0;
        }
        if (b->n > first)
            b->flags[b->n - 1] |= 2;
    }
    mg_ranked_scores_release(&r);
    return MG_OK;
}

/* One replicate: the bucket weights are Poisson(count) draws from the
 * SplitMix64 stream seeded with the replicate's key, in bucket order; then
 * the same walk as mg_ranked_evaluate's (ties half in the AUC, step-wise
 * average precision) and the calibration bins. */
static mg_status bucket_stat(void *arg, uint64_t key, double *out) {
    const buckets *b = arg;
    uint64_t rng = key;
    double above_pos = 0, above_neg = 0, grp_pos = 0, grp_neg = 0, lost = 0, tp = 0, fp = 0;
    double ap = 0, loss = 0, sq = 0;
    double bw[MG__CALIBRATION_BINS] = {0}, bws[MG__CALIBRATION_BINS] = {0},
           bwh[MG__CALIBRATION_BINS] = {0};
    for (int64_t j = 0; j < b->n; j++) {
        uint8_t f = b->flags[j];
        double w = (double)mg__poisson_count(&rng, b->count[j]);
        if (w > 0) {
            int positive = f & 1;
            if (positive)
                grp_pos += w;
            else
                grp_neg += w;
            if (f & 4) {
                if (positive)
                    tp += w;
                else
                    fp += w;
            }
            loss += w * b->loss[j];
            sq += w * b->sq[j];
            bw[b->bin[j]] += w;
            bws[b->bin[j]] += w * b->score[j];
            if (positive)
                bwh[b->bin[j]] += w;
        }
        if (f & 2) {
            lost += grp_pos * (above_neg + 0.5 * grp_neg);
            above_pos += grp_pos;
            above_neg += grp_neg;
            if (grp_pos > 0)
                ap += grp_pos * above_pos / (above_pos + above_neg);
            grp_pos = grp_neg = 0;
        }
    }
    mg_ranked_stats s;
    s.pos = above_pos;
    s.neg = above_neg;
    s.tp = tp;
    s.fp = fp;
    double pairs = above_pos * above_neg, total = above_pos + above_neg;
    s.auc = pairs > 0 ? (pairs - lost) / pairs : NAN;
    s.ap = above_pos > 0 ? ap / above_pos : NAN;
    s.log_loss = total > 0 ? loss / total : NAN;
    s.brier = total > 0 ? sq / total : NAN;
    mg__binary_from_ranked(&s, out);
    mg_value ece, mce;
    mg__calibration_errors_of(bw, bws, bwh, &ece, &mce);
    out[MG__BINARY_METRICS] = ece.null_reason ? NAN : ece.v;
    out[MG__BINARY_METRICS + 1] = mce.null_reason ? NAN : mce.v;
    return MG_OK;
}

mg_status mg__bootstrap_buckets(const mg_targets *t, const mg_bootstrap_options *bo,
                                mg_bootstrap *out, mg_error *err) {
    buckets b;
    MG_TRY(buckets_init(t, &b, err));
    mg_status st = mg_bootstrap_run(bo, MG__BUCKET_STATS, bucket_stat, &b, out, err);
    buckets_release(&b);
    return st;
}
