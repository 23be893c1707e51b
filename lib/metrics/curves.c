/* curves.c - ROC and precision-recall curves for plots (report.html), and
 * the score histogram. The curves are scikit-learn's exactly (roc_curve with
 * drop_intermediate=True, precision_recall_curve: same points, same order),
 * then simplified to a bounded number of those same points with the
 * Ramer-Douglas-Peucker rule, so that 10M rows plot as fast as 1k and every
 * plotted point, corners first, lies on the full curve. */
#include "metrics_internal.h"

static void curve_release(mg_curve *c) {
    free(c->x);
    free(c->y);
    free(c->threshold);
    c->x = c->y = c->threshold = NULL;
    c->points = c->of = 0;
}

void mg_binary_curves_release(mg_binary_curves *c) {
    if (c == NULL)
        return;
    curve_release(&c->roc);
    curve_release(&c->pr);
}

static mg_status curve_alloc(mg_curve *c, int64_t m, mg_error *err) {
    c->x = mg__malloc_array((size_t)m, sizeof *c->x);
    c->y = mg__malloc_array((size_t)m, sizeof *c->y);
    c->threshold = mg__malloc_array((size_t)m, sizeof *c->threshold);
    if (c->x == NULL || c->y == NULL || c->threshold == NULL) {
        curve_release(c);
        return mg__nomem(err, "the curve points");
    }
    c->points = c->of = m;
    return MG_OK;
}

/* scikit-learn's _binary_clf_curve: for each distinct score of the rows of
 * nonzero weight, from the highest down, the cumulative weight of the
 * negatives (fps) and positives (tps) scoring at least it. keys are sorted
 * ascending (mg__score_key), w their weights or NULL. Returns the count. */
static int64_t clf_curve(const uint64_t *keys, const double *w, size_t n, double *fps, double *tps,
                         double *thr) {
    double tp = 0, fp = 0;
    int64_t d = 0;
    for (size_t i = n; i > 0;) {
        size_t start = i - 1;
        uint64_t score = keys[start] >> 1;
        while (start > 0 && keys[start - 1] >> 1 == score)
            start--;
        bool any = false;
        for (size_t k = start; k < i; k++) {
            double wk = w ? w[k] : 1.0;
            if (wk == 0)
                continue; /* scikit-learn drops rows of zero weight first */
            any = true;
            if (keys[k] & 1)
                tp += wk;
            else
                fp += wk;
        }
        i = start;
        if (!any)
            continue;
        fps[d] = fp;
        tps[d] = tp;
        thr[d] = mg__nonneg_from_key(score);
        d++;
    }
    return d;
}

/* The chord from point a to point b: the distance of point i to it is
 * chord_distance(ch, x, y, i) (to a when a and b coincide). */
typedef struct chord {
    double xa, ya, dx, dy, len;
} chord;

static chord chord_of(const double *x, const double *y, int64_t a, int64_t b) {
    chord ch = {x[a], y[a], x[b] - x[a], y[b] - y[a], 0};
    ch.len = hypot(ch.dx, ch.dy);
    return ch;
}

static inline double chord_distance(const chord *ch, const double *x, const double *y, int64_t i) {
    if (ch->len == 0)
        return hypot(x[i] - ch->xa, y[i] - ch->ya);
    return fabs(ch->dy * (x[i] - ch->xa) - ch->dx * (y[i] - ch->ya)) / ch->len;
}

typedef struct span {
    int64_t lo, hi;
    double cap;
} span;

/* Keeps at most max points of c (first and last always): each interior
 * point's importance is the distance at which Ramer-Douglas-Peucker splits
 * at it, capped by the importance of the split above it, so that RDP at
 * tolerance eps keeps exactly the points of importance > eps; the cut is the
 * largest such eps that leaves at most max points. */
static mg_status simplify(mg_curve *c, int64_t max, mg_error *err) {
    int64_t m = c->points;
    if (m <= max)
        return MG_OK;
    double *imp = mg__calloc((size_t)m, sizeof *imp);
    span *stack = mg__malloc_array((size_t)m, sizeof *stack);
    double *sorted = mg__malloc_array((size_t)m, sizeof *sorted);
    if (imp == NULL || stack == NULL || sorted == NULL) {
        free(imp);
        free(stack);
        free(sorted);
        return mg__nomem(err, "the curve simplification");
    }
    int64_t top = 0;
    stack[top++] = (span){0, m - 1, INFINITY};
    while (top > 0) {
        span s = stack[--top];
        if (s.hi - s.lo < 2)
            continue;
        int64_t best = s.lo + 1;
        double dbest = -1;
        chord ch = chord_of(c->x, c->y, s.lo, s.hi);
        for (int64_t i = s.lo + 1; i < s.hi; i++) {
            double d = chord_distance(&ch, c->x, c->y, i);
            if (d > dbest) {
                dbest = d;
                best = i;
            }
        }
        if (!(dbest > 0))
            continue; /* all on the chord: importance 0, no split */
        imp[best] = dbest < s.cap ? dbest : s.cap;
        stack[top++] = (span){s.lo, best, imp[best]};
        stack[top++] = (span){best, s.hi, imp[best]};
    }
    memcpy(sorted, imp + 1, (size_t)(m - 2) * sizeof *sorted);
    /* the (max-1)-th largest, ascending position (m - 3) - (max - 2): keep
     * strictly above */
    mg__select_kth(sorted, 0, m - 3, m - 1 - max);
    double cut = sorted[m - 1 - max];
    int64_t k = 0;
    for (int64_t i = 0; i < m; i++) {
        if (i != 0 && i != m - 1 && !(imp[i] > cut))
            continue;
        c->x[k] = c->x[i];
        c->y[k] = c->y[i];
        c->threshold[k] = c->threshold[i];
        k++;
    }
    c->points = k;
    free(imp);
    free(stack);
    free(sorted);
    return MG_OK;
}

/* roc_curve(drop_intermediate=True): a point stays when the second
 * difference of fps or of tps is not zero there, or it is the first or
 * last; then (0, 0) at +inf is put first. */
static mg_status roc_from(const double *fps, const double *tps, const double *thr, int64_t d,
                          mg_curve *c, mg_error *err) {
    int64_t kept = 0;
    for (int64_t i = 0; i < d; i++)
        kept += i == 0 || i == d - 1 || d <= 2 ||
                (fps[i + 1] - fps[i]) - (fps[i] - fps[i - 1]) != 0 ||
                (tps[i + 1] - tps[i]) - (tps[i] - tps[i - 1]) != 0;
    MG_TRY(curve_alloc(c, kept + 1, err));
    double nneg = fps[d - 1], npos = tps[d - 1];
    c->x[0] = 0;
    c->y[0] = 0;
    c->threshold[0] = INFINITY;
    int64_t k = 1;
    for (int64_t i = 0; i < d; i++) {
        if (!(i == 0 || i == d - 1 || d <= 2 ||
              (fps[i + 1] - fps[i]) - (fps[i] - fps[i - 1]) != 0 ||
              (tps[i + 1] - tps[i]) - (tps[i] - tps[i - 1]) != 0))
            continue;
        c->x[k] = fps[i] / nneg;
        c->y[k] = tps[i] / npos;
        c->threshold[k] = thr[i];
        k++;
    }
    return MG_OK;
}

/* precision_recall_curve: by ascending threshold, then (recall 0, precision 1). */
static mg_status pr_from(const double *fps, const double *tps, const double *thr, int64_t d,
                         mg_curve *c, mg_error *err) {
    MG_TRY(curve_alloc(c, d + 1, err));
    double npos = tps[d - 1];
    for (int64_t j = 0; j < d; j++) {
        int64_t i = d - 1 - j;
        double ps = tps[i] + fps[i];
        c->y[j] = ps != 0 ? tps[i] / ps : 0.0;
        c->x[j] = tps[i] / npos;
        c->threshold[j] = thr[i];
    }
    c->x[d] = 0;
    c->y[d] = 1;
    c->threshold[d] = NAN;
    return MG_OK;
}

mg_status mg_binary_curves_compute(const uint8_t *y, const double *score, const double *w,
                                   int64_t n, int64_t max_points, mg_binary_curves *out,
                                   mg_error *err) {
    return mg__binary_curves_compute_sorted(y, score, w, n, max_points, NULL, out, err);
}

mg_status mg__binary_curves_compute_sorted(const uint8_t *y, const double *score, const double *w,
                                           int64_t n, int64_t max_points, const uint64_t *sorted,
                                           mg_binary_curves *out, mg_error *err) {
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
    bool own = sorted == NULL || w != NULL; /* sort here, else walk the caller's keys */
    uint64_t *keys = own ? mg__malloc_array(un, sizeof *keys) : NULL;
    double *wsort = w ? mg__malloc_array(un, sizeof *wsort) : NULL;
    double *fps = NULL, *tps = NULL, *thr = NULL;
    mg_status st = MG_OK;
    if ((own && keys == NULL) || (w != NULL && wsort == NULL)) {
        st = mg__nomem(err, "the score sort keys");
        goto done;
    }
    for (size_t i = 0; own && i < un; i++) {
        keys[i] = mg__score_key(score[i], y[i]);
        if (wsort)
            wsort[i] = mg__wscale(w[i], wexp); /* the curves are ratios of weighted counts */
    }
    if (own)
        st = mg__radix_sort(keys, wsort, un, err);
    if (st != MG_OK)
        goto done;
    const uint64_t *walk = own ? keys : sorted;
    /* one point at most per distinct score */
    size_t distinct = un > 0 ? 1 : 0;
    for (size_t i = 1; i < un; i++)
        distinct += walk[i] >> 1 != walk[i - 1] >> 1;
    size_t cap = distinct > 0 ? distinct : 1;
    fps = mg__malloc_array(cap, sizeof *fps);
    tps = mg__malloc_array(cap, sizeof *tps);
    thr = mg__malloc_array(cap, sizeof *thr);
    if (fps == NULL || tps == NULL || thr == NULL) {
        st = mg__nomem(err, "the curve points");
        goto done;
    }
    int64_t d = clf_curve(walk, wsort, un, fps, tps, thr);
    free(keys);
    free(wsort);
    keys = NULL;
    wsort = NULL;
    double npos = d > 0 ? tps[d - 1] : 0, nneg = d > 0 ? fps[d - 1] : 0;
    if (!(npos > 0)) {
        out->roc.null_reason = out->pr.null_reason = MG__NO_POSITIVE_ROWS;
        goto done;
    }
    if (!(nneg > 0))
        out->roc.null_reason = MG__NO_NEGATIVE_ROWS;
    else if ((st = roc_from(fps, tps, thr, d, &out->roc, err)) != MG_OK ||
             (st = simplify(&out->roc, max_points, err)) != MG_OK)
        goto done;
    if ((st = pr_from(fps, tps, thr, d, &out->pr, err)) != MG_OK)
        goto done;
    st = simplify(&out->pr, max_points, err);
done:
    free(keys);
    free(wsort);
    free(fps);
    free(tps);
    free(thr);
    if (st != MG_OK)
        mg_binary_curves_release(out);
    return st;
}

/* ---- score histogram ------------------------------------------------------- */

double mg_histogram_edge(int i, int nbins) {
    /* numpy.linspace(0, 1, nbins + 1): i * step, the last exactly 1 */
    return i >= nbins ? 1.0 : (double)i * (1.0 / (double)nbins);
}

int mg_histogram_bin(double s, int nbins) {
    int b = (int)(s * (double)nbins);
    if (b < 0)
        b = 0;
    if (b > nbins - 1)
        b = nbins - 1;
    /* numpy.histogram's correction: [edge b, edge b+1), the last bin closed */
    if (b > 0 && s < mg_histogram_edge(b, nbins))
        b--;
    else if (b < nbins - 1 && s >= mg_histogram_edge(b + 1, nbins))
        b++;
    return b;
}
