/* ranked.c - binary scores sorted once, evaluated under any replicate's
 * weights in one pass: confusion counts at the threshold, ROC AUC, average
 * precision, log loss and Brier score. */
#include "metrics_internal.h"
#include "modelgate/stats.h"
#include "util/sort.h"

#include <float.h>
#include <math.h>

/* Poisson counts are integers: without sample weights the sums stay in
 * integers, whose one-cycle additions make the pass about twice as fast as in
 * doubles. The total weight stays below 12 n, so 2 * pos * neg cannot
 * overflow 64 bits below this many rows. */
#define INT_PASS_MAX_ROWS ((int64_t)1 << 28)

mg_status mg_ranked_scores_init(const uint8_t *y, const double *score, const double *w, int64_t n,
                                double threshold, mg_ranked_scores *out, mg_error *err) {
    memset(out, 0, sizeof *out);
    if (n < 0 || n > (int64_t)UINT32_MAX)
        return mg__fail(err, MG_ERR_UNSUPPORTED,
                        "%" PRId64 " rows: ranked scores handle at most 4294967295", n);
    for (int64_t i = 0; i < n; i++)
        if (isnan(score[i]))
            return mg__fail(err, MG_ERR_DATA, "row %" PRId64 ": the score is NaN", i + 1);
    size_t cap = (size_t)(n > 0 ? n : 1);
    out->n = n;
    out->row = mg__malloc_array(cap, sizeof *out->row);
    out->flags = mg__malloc_array(cap, sizeof *out->flags);
    out->loss = mg__malloc_array(cap, sizeof *out->loss);
    out->sq = mg__malloc_array(cap, sizeof *out->sq);
    if (w != NULL)
        out->base = mg__malloc_array(cap, sizeof *out->base);
    int64_t *order = mg__malloc_array(cap, sizeof *order);
    if (out->row == NULL || out->flags == NULL || out->loss == NULL || out->sq == NULL ||
        (w != NULL && out->base == NULL) || order == NULL ||
        mg__sort_by_score(score, n, order) != MG_OK) {
        free(order);
        mg_ranked_scores_release(out);
        return mg__nomem(err, "ranked scores");
    }
    for (int64_t k = 0; k < n; k++) {
        int64_t i = order[n - 1 - k]; /* descending */
        int positive = y[i] != 0;
        int last = k + 1 == n || score[order[n - 2 - k]] != score[i];
        out->row[k] = (uint32_t)i;
        out->flags[k] = (uint8_t)(positive | (last << 1) | ((score[i] > threshold) << 2));
        out->loss[k] = mg__row_log_loss(positive, score[i]);
        out->sq[k] = (positive - score[i]) * (positive - score[i]);
        if (w != NULL)
            out->base[k] = w[i];
        out->npred += score[i] > threshold;
    }
    free(order);
    return MG_OK;
}

void mg_ranked_scores_release(mg_ranked_scores *r) {
    free(r->row);
    free(r->flags);
    free(r->base);
    free(r->loss);
    free(r->sq);
    memset(r, 0, sizeof *r);
}

/* Running sums of the integer pass. */
typedef struct counts {
    uint64_t above_pos, above_neg, lost2;
    double ap, loss, sq;
} counts;

/* Walks ranks [from, to) from the highest score down. At the end of each
 * group of tied scores its positives lose against the negatives above them
 * and half of the tied ones (the AUC is one minus those pairs' share), and
 * the group adds its positives times the precision at its score to the
 * average precision. Groups never straddle `from` or `to` (see callers).
 * Inlined with a constant `what`, so the common case carries no extra work. */
static inline void walk_counts(const mg_ranked_scores *r, uint64_t key, int what, int64_t from,
                               int64_t to, counts *c) {
    uint64_t above_pos = c->above_pos, above_neg = c->above_neg, lost2 = c->lost2;
    uint64_t grp_pos = 0, grp_all = 0;
    double ap = c->ap, loss = c->loss, sq = c->sq;
    const uint32_t *row = r->row;
    const uint8_t *flags = r->flags;
    for (int64_t k = from; k < to; k++) {
        uint64_t w = mg_bootstrap_weight(key, row[k]);
        uint8_t f = flags[k];
        grp_pos += w & (0 - (uint64_t)(f & 1));
        grp_all += w;
        if (what & MG_RANKED_LOSSES) {
            loss += (double)w * r->loss[k];
            sq += (double)w * r->sq[k];
        }
        if (f & 2) {
            uint64_t grp_neg = grp_all - grp_pos;
            lost2 += grp_pos * (2 * above_neg + grp_neg);
            above_pos += grp_pos;
            above_neg += grp_neg;
            if ((what & MG_RANKED_AP) && grp_pos > 0)
                ap += (double)grp_pos * (double)above_pos / (double)(above_pos + above_neg);
            grp_pos = grp_all = 0;
        }
    }
    c->above_pos = above_pos;
    c->above_neg = above_neg;
    c->lost2 = lost2;
    c->ap = ap;
    c->loss = loss;
    c->sq = sq;
}

/* The predicted positives are the first npred ranks, and a group of tied
 * scores lies wholly on one side of the threshold: the confusion counts are
 * the running sums where the first range ends. */
static void pass_counts(const mg_ranked_scores *r, uint64_t key, int what, mg_ranked_stats *out) {
    counts c = {0, 0, 0, 0, 0, 0};
    uint64_t tp, fp;
    if (what == 0) {
        walk_counts(r, key, 0, 0, r->npred, &c);
        tp = c.above_pos;
        fp = c.above_neg;
        walk_counts(r, key, 0, r->npred, r->n, &c);
    } else {
        walk_counts(r, key, what, 0, r->npred, &c);
        tp = c.above_pos;
        fp = c.above_neg;
        walk_counts(r, key, what, r->npred, r->n, &c);
    }
    double pos = (double)c.above_pos, neg = (double)c.above_neg;
    out->pos = pos;
    out->neg = neg;
    out->tp = (double)tp;
    out->fp = (double)fp;
    uint64_t pairs2 = 2 * c.above_pos * c.above_neg;
    out->auc = pairs2 > 0 ? (double)(pairs2 - c.lost2) / (double)pairs2 : NAN;
    out->ap = (what & MG_RANKED_AP) && c.above_pos > 0 ? c.ap / pos : NAN;
    out->log_loss = (what & MG_RANKED_LOSSES) && pos + neg > 0 ? c.loss / (pos + neg) : NAN;
    out->brier = (what & MG_RANKED_LOSSES) && pos + neg > 0 ? c.sq / (pos + neg) : NAN;
}

static void pass_weights(const mg_ranked_scores *r, const uint64_t *key, int what,
                         mg_ranked_stats *out) {
    double above_pos = 0, above_neg = 0, grp_pos = 0, grp_neg = 0, lost = 0, tp = 0, fp = 0;
    double ap = 0, loss = 0, sq = 0;
    for (int64_t k = 0; k < r->n; k++) {
        double w = key != NULL ? (double)mg_bootstrap_weight(*key, r->row[k]) : 1.0;
        if (r->base != NULL)
            w *= r->base[k];
        int positive = r->flags[k] & 1, predicted = (r->flags[k] >> 2) & 1;
        if (positive)
            grp_pos += w;
        else
            grp_neg += w;
        if (predicted) {
            if (positive)
                tp += w;
            else
                fp += w;
        }
        if (what & MG_RANKED_LOSSES) {
            loss += w * r->loss[k];
            sq += w * r->sq[k];
        }
        if (r->flags[k] & 2) {
            lost += grp_pos * (above_neg + 0.5 * grp_neg);
            above_pos += grp_pos;
            above_neg += grp_neg;
            if ((what & MG_RANKED_AP) && grp_pos > 0)
                ap += grp_pos * above_pos / (above_pos + above_neg);
            grp_pos = grp_neg = 0;
        }
    }
    out->pos = above_pos;
    out->neg = above_neg;
    out->tp = tp;
    out->fp = fp;
    double pairs = above_pos * above_neg;
    out->auc = pairs > 0 ? (pairs - lost) / pairs : NAN;
    out->ap = (what & MG_RANKED_AP) && above_pos > 0 ? ap / above_pos : NAN;
    double total = above_pos + above_neg;
    out->log_loss = (what & MG_RANKED_LOSSES) && total > 0 ? loss / total : NAN;
    out->brier = (what & MG_RANKED_LOSSES) && total > 0 ? sq / total : NAN;
}

void mg_ranked_evaluate(const mg_ranked_scores *r, const uint64_t *key, int what,
                        mg_ranked_stats *out) {
    if (key != NULL && r->base == NULL && r->n <= INT_PASS_MAX_ROWS)
        pass_counts(r, *key, what, out);
    else
        pass_weights(r, key, what, out);
}

double mg_ranked_auc(const mg_ranked_scores *r, const uint64_t *key) {
    mg_ranked_stats s;
    mg_ranked_evaluate(r, key, 0, &s);
    return s.auc;
}
