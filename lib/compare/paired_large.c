/* paired_large.c - `compare` of two binary models without sample weights on
 * many rows (at least MG__COMPARE_LARGE_ROWS): the paired statistics without
 * a pass over the rows per replicate.
 *
 * - The confusion-count metrics (balanced accuracy, precision, recall, f1,
 *   specificity, mcc) of both models are functions of the counts of the 8
 *   joint cells (label, new prediction, baseline prediction). A replicate's
 *   paired Poisson(1) row weights sum to Poisson(n_cell) per cell,
 *   independently, so one Poisson(n_cell) draw per cell gives exactly the
 *   per-row paired bootstrap's distribution of every one of them (and of
 *   their differences): test "paired_bootstrap", as on fewer rows.
 * - pr_auc, log_loss and brier depend on every row's weight for both models
 *   at once; a per-row replicate over millions of rows is what made the
 *   comparison slow. Their difference gets the normal interval with the
 *   infinitesimal-jackknife standard error instead (test "paired_z",
 *   interval "normal_influence"): the delta method applied to the Poisson
 *   bootstrap itself. For a statistic t(w) of the row weights, invariant
 *   under w -> c w, the replicate variance of t is, to first order,
 *   sum_i (dt/dw_i)^2 at w = 1 (the weights are independent with variance
 *   1), and the paired difference's is sum_i (dA/dw_i - dB/dw_i)^2 (Jaeckel
 *   1972; Efron 1982, "The Jackknife, the Bootstrap and Other Resampling
 *   Plans", ch. 6). Its derivatives are exact and O(n) after one sort. */
#include "compare_internal.h"
#include "stats/poisson.h"

#include <math.h>

int mg__compare_large(const mg_targets *a, const mg_targets *b) {
    return a->task == MG_TASK_BINARY && a->w == NULL && b->w == NULL &&
           a->n >= MG__COMPARE_LARGE_ROWS;
}

/* ---- the 8 joint cells ---------------------------------------------------- */

typedef struct cells {
    int64_t n[8]; /* rows of cell 4 * label + 2 * new predicted + baseline predicted */
} cells;

/* One replicate: Poisson(n_cell) per cell in cell order from the SplitMix64
 * stream seeded with the replicate's key (an empty cell draws nothing), then
 * every binary metric of each model from its confusion counts (the score
 * metrics NaN: they are not bootstrapped here). */
static mg_status cells_stat(void *arg, uint64_t key, double *out) {
    const cells *c = arg;
    uint64_t rng = key;
    double k[8];
    for (int j = 0; j < 8; j++)
        k[j] = (double)mg__poisson_count(&rng, c->n[j]);
    for (int m = 0; m < 2; m++) {
        int bit = m == 0 ? 2 : 1;
        mg_ranked_stats s = {.auc = NAN, .ap = NAN, .log_loss = NAN, .brier = NAN};
        for (int j = 0; j < 8; j++) {
            int pos = j >= 4, pred = (j & bit) != 0;
            if (pos)
                s.pos += k[j];
            else
                s.neg += k[j];
            if (pred && pos)
                s.tp += k[j];
            else if (pred)
                s.fp += k[j];
        }
        double v[MG__BINARY_METRICS];
        mg__binary_from_ranked(&s, v);
        for (int q = 0; q < MG__BINARY_METRICS; q++)
            out[q * 2 + m] = v[q];
    }
    return MG_OK;
}

mg_status mg__bootstrap_cells(const mg_targets *a, const mg_targets *b,
                              const mg_bootstrap_options *bo, mg_bootstrap *out, mg_error *err) {
    cells c;
    memset(&c, 0, sizeof c);
    for (int64_t i = 0; i < a->n; i++) {
        int j = 4 * (a->y[i] != 0) + 2 * (a->score[i] > a->threshold) +
                (b->score[i] > b->threshold);
        c.n[j]++;
    }
    return mg_bootstrap_run(bo, 2 * MG__BINARY_METRICS, cells_stat, &c, out, err);
}

/* ---- influence of each row ---------------------------------------------- */

/* Adds sign * dt/dw_i (at w = 1) of model t's statistic `which` (1 pr_auc,
 * 2 log_loss, 3 brier) to d[i] for every row i; *value receives t. */
static mg_status add_influence(const mg_ranked_scores *rs, int which, double sign, double *d,
                               double *value, mg_error *err) {
    const mg_ranked_scores r = *rs;
    int64_t n = r.n;
    *value = NAN;
    if (which != 1) {
        /* a mean of per-row values x: dt/dw_i = (x_i - t) / n */
        const double *x = which == 2 ? r.loss : r.sq;
        double sum = 0;
        for (int64_t k = 0; k < n; k++)
            sum += x[k];
        double mean = sum / (double)n;
        for (int64_t k = 0; k < n; k++)
            d[r.row[k]] += sign * (x[k] - mean) / (double)n;
        *value = mean;
        return MG_OK;
    }
    /* Average precision over groups g of tied scores in descending order:
     * AP = (1/P) sum_g p_g TP_g / T_g with p_g the group's positives, TP_g
     * and T_g the positives and rows at or above it. A positive row of
     * group g adds TP_g / T_g + A_g - AP to P * dAP/dw, a negative row -B_g,
     * with the suffix sums A_g = sum_{h >= g} p_h FP_h / T_h^2 and
     * B_g = sum_{h >= g} p_h TP_h / T_h^2 (h at or below g). */
    int64_t groups = 0;
    for (int64_t k = 0; k < n; k++)
        groups += (r.flags[k] & 2) != 0;
    double *ga = mg__malloc_array((size_t)(groups > 0 ? groups : 1), sizeof *ga);
    double *gb = mg__malloc_array((size_t)(groups > 0 ? groups : 1), sizeof *gb);
    double *gprec = mg__malloc_array((size_t)(groups > 0 ? groups : 1), sizeof *gprec);
    if (ga == NULL || gb == NULL || gprec == NULL) {
        free(ga);
        free(gb);
        free(gprec);
        return mg__nomem(err, "influence of the rows");
    }
    double tp = 0, fp = 0, gp = 0, ap = 0;
    int64_t g = 0;
    for (int64_t k = 0; k < n; k++) {
        if (r.flags[k] & 1) {
            tp++;
            gp++;
        } else {
            fp++;
        }
        if (r.flags[k] & 2) {
            double total = tp + fp;
            ap += gp * tp / total;
            gprec[g] = tp / total;
            ga[g] = gp * fp / (total * total);
            gb[g] = gp * tp / (total * total);
            g++;
            gp = 0;
        }
    }
    double pos = tp;
    if (pos > 0) {
        ap /= pos;
        for (int64_t h = groups - 2; h >= 0; h--) {
            ga[h] += ga[h + 1];
            gb[h] += gb[h + 1];
        }
        /* the group of rank k: count the group ends before it */
        g = 0;
        for (int64_t k = 0; k < n; k++) {
            double di = (r.flags[k] & 1) ? gprec[g] + ga[g] - ap : -gb[g];
            d[r.row[k]] += sign * di / pos;
            if (r.flags[k] & 2)
                g++;
        }
        *value = ap;
    }
    free(ga);
    free(gb);
    free(gprec);
    return MG_OK;
}

struct mg__influence {
    mg_ranked_scores r[2];
    double *d;
    int64_t n;
};

mg_status mg__influence_init(const mg_targets *a, const mg_targets *b, mg__influence **out,
                             mg_error *err) {
    *out = NULL;
    mg__influence *c = mg__calloc(1, sizeof *c);
    if (c == NULL)
        return mg__nomem(err, "influence of the rows");
    c->n = a->n;
    c->d = mg__malloc_array((size_t)(a->n > 0 ? a->n : 1), sizeof *c->d);
    mg_status st = c->d == NULL ? mg__nomem(err, "influence of the rows") : MG_OK;
    const mg_targets *t[2] = {a, b};
    for (int m = 0; m < 2 && st == MG_OK; m++)
        st = mg_ranked_scores_init(t[m]->y, t[m]->score, NULL, t[m]->n, t[m]->threshold, &c->r[m],
                                   err);
    if (st != MG_OK) {
        mg__influence_release(c);
        return st;
    }
    *out = c;
    return MG_OK;
}

void mg__influence_release(mg__influence *c) {
    if (c == NULL)
        return;
    mg_ranked_scores_release(&c->r[0]);
    mg_ranked_scores_release(&c->r[1]);
    free(c->d);
    free(c);
}

mg_status mg__influence_test(mg__influence *c, const char *metric, double estimate, double level,
                             mg_paired_test *out, mg_error *err) {
    int which = strcmp(metric, "pr_auc") == 0     ? 1
                : strcmp(metric, "log_loss") == 0 ? 2
                : strcmp(metric, "brier") == 0    ? 3
                                                  : 0;
    if (which == 0)
        return mg__fail(err, MG_ERR_INTERNAL, "no influence function for %s", metric);
    double *d = c->d, va = NAN, vb = NAN;
    memset(d, 0, (size_t)c->n * sizeof *d);
    mg_status st = add_influence(&c->r[0], which, 1.0, d, &va, err);
    if (st == MG_OK)
        st = add_influence(&c->r[1], which, -1.0, d, &vb, err);
    if (st == MG_OK) {
        double var = 0;
        for (int64_t i = 0; i < c->n; i++)
            var += d[i] * d[i];
        double delta = estimate;
        out->test = "paired_z";
        out->ci_method = "normal_influence";
        mg_paired_z_fill(delta, var, 0, level, -INFINITY, INFINITY, out);
        if (!isfinite(va - vb) || !isfinite(delta))
            st = mg__fail(err, MG_ERR_DATA, "%s is undefined for one of the models", metric);
    }
    return st;
}
