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
#include "stats/stats_internal.h"

#include <math.h>

/* Segments of at most this many buckets are walked by every replicate of a
 * batch in turn, while they are in cache. */
#define SEGMENT 2048

/* One bucket, as the walk reads it (one cache line holds two). */
typedef struct bucket {
    double score, loss, sq; /* the score, its rows' log loss and squared error */
    int64_t cf;             /* rows * 8 + flags */
} bucket;

/* Flags of a bucket, kept apart from the records. */
enum { POSITIVE = 1, GROUP_END = 2, PREDICTED = 4 };

typedef struct segment {
    int64_t from, to; /* buckets [from, to): one calibration bin, one side of the threshold */
    int bin, predicted;
} segment;

typedef struct buckets {
    int64_t n;      /* buckets, in descending score order */
    bucket *rec;
    uint8_t *flags; /* POSITIVE, GROUP_END (last bucket of its score), PREDICTED */
    segment *seg;
    int64_t nseg;
    double *inv; /* inv[t] = 1 / t for t < ninv (inv[0] = 0): no division in the walk */
    int64_t ninv;
    int auc; /* compute the ROC AUC (else NaN) */
    mg__poisson_guide guide;
} buckets;

static void buckets_release(buckets *b) {
    free(b->rec);
    free(b->flags);
    free(b->seg);
    free(b->inv);
    memset(b, 0, sizeof *b);
}

/* Cuts the buckets into segments of one calibration bin, one side of the
 * threshold and at most SEGMENT buckets. */
static mg_status buckets_segment(buckets *b, const uint8_t *bin) {
    int64_t cap = b->n / SEGMENT + 2;
    for (int64_t j = 1; j < b->n; j++)
        cap += bin[j] != bin[j - 1] || ((b->flags[j] ^ b->flags[j - 1]) & PREDICTED);
    b->seg = mg__malloc_array((size_t)cap, sizeof *b->seg);
    if (b->seg == NULL)
        return MG_ERR_NOMEM;
    int64_t from = 0;
    for (int64_t j = 1; j <= b->n; j++)
        if (j == b->n || bin[j] != bin[from] || ((b->flags[j] ^ b->flags[from]) & PREDICTED) ||
            j - from == SEGMENT) {
            b->seg[b->nseg++] = (segment){.from = from,
                                          .to = j,
                                          .bin = bin[from],
                                          .predicted = (b->flags[from] & PREDICTED) != 0};
            from = j;
        }
    return MG_OK;
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
    b->rec = mg__malloc_array(cap, sizeof *b->rec);
    b->flags = mg__malloc_array(cap, sizeof *b->flags);
    uint8_t *bin = mg__malloc_array(cap, sizeof *bin);
    /* A replicate's total weight is Poisson(n): beyond n + 16 sqrt(n) + 64
     * with probability below 1e-50; the walk divides there instead. */
    b->ninv = t->n + 16 * (int64_t)sqrt((double)t->n) + 64;
    b->inv = mg__malloc_array((size_t)b->ninv, sizeof *b->inv);
    if (b->rec == NULL || b->flags == NULL || bin == NULL || b->inv == NULL) {
        free(bin);
        mg_ranked_scores_release(&r);
        buckets_release(b);
        return mg__nomem(err, "score buckets");
    }
    b->inv[0] = 0;
    for (int64_t k = 1; k < b->ninv; k++)
        b->inv[k] = 1.0 / (double)k;
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
            b->rec[j] = (bucket){.score = s, .loss = r.loss[k0], .sq = r.sq[k0], .cf = 8 * cnt[c]};
            b->flags[j] = (uint8_t)(c | (r.flags[k0] & 4));
            bin[j] = (uint8_t)mg__calibration_bin(s);
            cnt[c] = 0;
        }
        if (b->n > first)
            b->flags[b->n - 1] |= GROUP_END;
    }
    for (int64_t j = 0; j < b->n; j++)
        b->rec[j].cf |= b->flags[j];
    mg_ranked_scores_release(&r);
    mg__poisson_guide_init(&b->guide);
    mg_status st = buckets_segment(b, bin);
    free(bin);
    if (st != MG_OK) {
        buckets_release(b);
        return mg__nomem(err, "score buckets");
    }
    return MG_OK;
}

/* The running sums of one replicate's walk, carried from segment to segment.
 * Weights are integers (exact): above_* the weight of the buckets walked,
 * grp_neg the negative weight of the current score when its positive bucket
 * is still to come, lost2 twice the AUC's discordant weight (ties half). */
typedef struct walk {
    uint64_t rng;
    int64_t above_pos, above_neg, grp_neg, lost2, tp, fp;
    double ap, loss, sq;
    int64_t bw[MG__CALIBRATION_BINS], bwh[MG__CALIBRATION_BINS];
    double bws[MG__CALIBRATION_BINS];
} walk;

/* One replicate over the buckets of segment s: each bucket's weight is a
 * Poisson(count) draw from the replicate's SplitMix64 stream, in bucket
 * order; the sums are those of mg_ranked_evaluate's walk (ties half in the
 * AUC, step-wise average precision). A score's positive bucket comes after
 * its negative one, so it ends its group: the average precision's term
 * k_pos * TP / (TP + FP) is added there, branch-free (it is 0 at a negative
 * bucket). The segment's calibration bin and confusion counts are
 * differences of the running weights. */
static inline void walk_segment_impl(const buckets *b, const segment *s, walk *a, const int auc) {
    uint64_t rng = a->rng;
    int64_t apos = a->above_pos, aneg = a->above_neg, gn = a->grp_neg, lost2 = a->lost2;
    int64_t pos0 = apos, all0 = apos + aneg;
    double ap = a->ap, loss = a->loss, sq = a->sq, bws = a->bws[s->bin];
    const bucket *rec = b->rec;
    const double *inv = b->inv;
    int64_t ninv = b->ninv;
    for (int64_t j = s->from; j < s->to; j++) {
        int64_t cf = rec[j].cf;
        int64_t k = mg__poisson_count_guided(&b->guide, &rng, cf >> 3);
        int64_t positive = -(cf & POSITIVE);
        int64_t kp = k & positive, kn = k - kp;
        apos += kp;
        aneg += kn;
        if (auc) {
            /* ties half: this score's negatives count half against its positives */
            lost2 += kp * (2 * aneg - gn);
            gn = kn & ~(-((cf >> 1) & 1)); /* kept only when the positives follow */
        }
        int64_t total = apos + aneg;
        double it = total < ninv ? inv[total] : 1.0 / (double)total;
        ap += (double)(kp * apos) * it;
        double w = (double)k;
        loss += w * rec[j].loss;
        sq += w * rec[j].sq;
        bws += w * rec[j].score;
    }
    int64_t pos = apos - pos0, all = apos + aneg - all0;
    a->bw[s->bin] += all;
    a->bwh[s->bin] += pos;
    if (s->predicted) {
        a->tp += pos;
        a->fp += all - pos;
    }
    a->rng = rng;
    a->above_pos = apos;
    a->above_neg = aneg;
    a->grp_neg = gn;
    a->lost2 = lost2;
    a->ap = ap;
    a->loss = loss;
    a->sq = sq;
    a->bws[s->bin] = bws;
}

/* Two replicates in one loop: the same steps as walk_segment_impl for each
 * (each from its own stream, so the results are those of two single walks),
 * sharing the loads of the buckets and the loop, and giving the processor
 * two independent chains of work. */
static inline void walk_segment2_impl(const buckets *b, const segment *s, walk *a, walk *c,
                                      const int auc) {
    uint64_t rng0 = a->rng, rng1 = c->rng;
    int64_t apos0 = a->above_pos, aneg0 = a->above_neg, gn0 = a->grp_neg, lost0 = a->lost2;
    int64_t apos1 = c->above_pos, aneg1 = c->above_neg, gn1 = c->grp_neg, lost1 = c->lost2;
    int64_t pos00 = apos0, all00 = apos0 + aneg0, pos01 = apos1, all01 = apos1 + aneg1;
    double ap0 = a->ap, loss0 = a->loss, sq0 = a->sq, bws0 = a->bws[s->bin];
    double ap1 = c->ap, loss1 = c->loss, sq1 = c->sq, bws1 = c->bws[s->bin];
    const bucket *rec = b->rec;
    const double *inv = b->inv;
    int64_t ninv = b->ninv;
    for (int64_t j = s->from; j < s->to; j++) {
        int64_t cf = rec[j].cf, n = cf >> 3;
        int64_t k0 = mg__poisson_count_guided(&b->guide, &rng0, n);
        int64_t k1 = mg__poisson_count_guided(&b->guide, &rng1, n);
        int64_t positive = -(cf & POSITIVE), notend = ~(-((cf >> 1) & 1));
        int64_t kp0 = k0 & positive, kn0 = k0 - kp0, kp1 = k1 & positive, kn1 = k1 - kp1;
        apos0 += kp0;
        aneg0 += kn0;
        apos1 += kp1;
        aneg1 += kn1;
        if (auc) {
            lost0 += kp0 * (2 * aneg0 - gn0);
            lost1 += kp1 * (2 * aneg1 - gn1);
            gn0 = kn0 & notend;
            gn1 = kn1 & notend;
        }
        int64_t t0 = apos0 + aneg0, t1 = apos1 + aneg1;
        double i0 = t0 < ninv ? inv[t0] : 1.0 / (double)t0;
        double i1 = t1 < ninv ? inv[t1] : 1.0 / (double)t1;
        ap0 += (double)(kp0 * apos0) * i0;
        ap1 += (double)(kp1 * apos1) * i1;
        double w0 = (double)k0, w1 = (double)k1, lv = rec[j].loss, sv = rec[j].sq,
               sc = rec[j].score;
        loss0 += w0 * lv;
        loss1 += w1 * lv;
        sq0 += w0 * sv;
        sq1 += w1 * sv;
        bws0 += w0 * sc;
        bws1 += w1 * sc;
    }
    walk *both[2] = {a, c};
    int64_t apos[2] = {apos0, apos1}, aneg[2] = {aneg0, aneg1}, gn[2] = {gn0, gn1};
    int64_t lost[2] = {lost0, lost1}, pos0[2] = {pos00, pos01}, all0[2] = {all00, all01};
    uint64_t rng[2] = {rng0, rng1};
    double ap[2] = {ap0, ap1}, loss[2] = {loss0, loss1}, sq[2] = {sq0, sq1}, bws[2] = {bws0, bws1};
    for (int m = 0; m < 2; m++) {
        walk *w = both[m];
        int64_t pos = apos[m] - pos0[m], all = apos[m] + aneg[m] - all0[m];
        w->bw[s->bin] += all;
        w->bwh[s->bin] += pos;
        if (s->predicted) {
            w->tp += pos;
            w->fp += all - pos;
        }
        w->rng = rng[m];
        w->above_pos = apos[m];
        w->above_neg = aneg[m];
        w->grp_neg = gn[m];
        w->lost2 = lost[m];
        w->ap = ap[m];
        w->loss = loss[m];
        w->sq = sq[m];
        w->bws[s->bin] = bws[m];
    }
}

/* The walks with the AUC's sum, and without it when the caller has the
 * AUC's interval from elsewhere (DeLong). */
static void walk_segment_auc(const buckets *b, const segment *s, walk *a) {
    walk_segment_impl(b, s, a, 1);
}

static void walk_segment_no_auc(const buckets *b, const segment *s, walk *a) {
    walk_segment_impl(b, s, a, 0);
}

static void walk_segment2_auc(const buckets *b, const segment *s, walk *a, walk *c) {
    walk_segment2_impl(b, s, a, c, 1);
}

static void walk_segment2_no_auc(const buckets *b, const segment *s, walk *a, walk *c) {
    walk_segment2_impl(b, s, a, c, 0);
}

static void walk_finish(const walk *a, int auc, double *out) {
    double above_pos = (double)a->above_pos, above_neg = (double)a->above_neg;
    mg_ranked_stats s;
    s.pos = above_pos;
    s.neg = above_neg;
    s.tp = (double)a->tp;
    s.fp = (double)a->fp;
    double pairs = above_pos * above_neg, total = above_pos + above_neg;
    double lost = 0.5 * (double)a->lost2;
    s.auc = auc && pairs > 0 ? (pairs - lost) / pairs : NAN;
    /* the tabulated 1/t rounds: a replicate whose every positive is ranked
     * first could come out a few ulps above 1, which no precision is */
    s.ap = above_pos > 0 ? fmin(1.0, a->ap / above_pos) : NAN;
    s.log_loss = total > 0 ? a->loss / total : NAN;
    s.brier = total > 0 ? a->sq / total : NAN;
    mg__binary_from_ranked(&s, out);
    double bw[MG__CALIBRATION_BINS], bwh[MG__CALIBRATION_BINS];
    for (int k = 0; k < MG__CALIBRATION_BINS; k++) {
        bw[k] = (double)a->bw[k];
        bwh[k] = (double)a->bwh[k];
    }
    mg_value ece, mce;
    mg__calibration_errors_of(bw, a->bws, bwh, &ece, &mce);
    out[MG__BINARY_METRICS] = ece.null_reason ? NAN : ece.v;
    out[MG__BINARY_METRICS + 1] = mce.null_reason ? NAN : mce.v;
}

/* A batch of replicates: segment by segment, every replicate of the batch
 * walks the segment, each from its own stream, so that a replicate's result
 * does not depend on the batch it is in. */
static mg_status bucket_batch(void *arg, const uint64_t *keys, int count, double *out) {
    const buckets *b = arg;
    walk a[MG__BOOTSTRAP_BATCH];
    memset(a, 0, sizeof a);
    for (int i = 0; i < count; i++)
        a[i].rng = keys[i];
    void (*walk1)(const buckets *, const segment *, walk *) =
        b->auc ? walk_segment_auc : walk_segment_no_auc;
    void (*walk2)(const buckets *, const segment *, walk *, walk *) =
        b->auc ? walk_segment2_auc : walk_segment2_no_auc;
    for (int64_t s = 0; s < b->nseg; s++) {
        int i = 0;
        for (; i + 1 < count; i += 2)
            walk2(b, &b->seg[s], &a[i], &a[i + 1]);
        if (i < count)
            walk1(b, &b->seg[s], &a[i]);
    }
    for (int i = 0; i < count; i++)
        walk_finish(&a[i], b->auc, out + (size_t)i * MG__BUCKET_STATS);
    return MG_OK;
}

mg_status mg__bootstrap_buckets(const mg_targets *t, const mg_bootstrap_options *bo, int auc,
                                mg_bootstrap *out, mg_error *err) {
    buckets b;
    MG_TRY(buckets_init(t, &b, err));
    b.auc = auc;
    mg_status st = mg__bootstrap_run_batch(bo, MG__BUCKET_STATS, bucket_batch, &b, out, err);
    buckets_release(&b);
    return st;
}
