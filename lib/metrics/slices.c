/* slices.c - the metrics of every slice from the targets and slice codes:
 * binary slices from one sort of the scores (rows grouped by slice after the
 * sort, so each slice is a run of rows in score order), other tasks through
 * their metric functions on each slice's rows; with Wilson and DeLong
 * intervals per slice. */
#include "metrics_internal.h"
#include "modelgate/slices.h"
#include "modelgate/metric_registry.h"
#include "util/sort.h"

#include <stdarg.h>
#include <stdio.h>

static const char NO_WEIGHTED_DELONG[] =
    "no interval: DeLong's variance takes no sample weights (use the bootstrap overall)";
static const char FEW_FOR_DELONG[] =
    "no interval: DeLong's variance needs at least two rows of each class";
static const char NO_TRIALS[] = "no interval: no rows to count";

mg_status mg_score_order(const mg_targets *t, int64_t **order, mg_error *err) {
    *order = NULL;
    if (t->task != MG_TASK_BINARY)
        return mg__fail(err, MG_ERR_USAGE, "score order: the task is not binary");
    int64_t *o = mg__malloc_array((size_t)(t->n > 0 ? t->n : 1), sizeof *o);
    if (o == NULL || mg__sort_by_score(t->score, t->n, o) != MG_OK) {
        free(o);
        return mg__nomem(err, "the score order");
    }
    *order = o;
    return MG_OK;
}

mg_status mg__score_keys_sorted(const mg_targets *t, uint64_t **sorted, mg_error *err) {
    *sorted = NULL;
    if (t->task != MG_TASK_BINARY)
        return mg__fail(err, MG_ERR_USAGE, "score keys: the task is not binary");
    uint64_t *keys = mg__malloc_array((size_t)(t->n > 0 ? t->n : 1), sizeof *keys);
    if (keys == NULL)
        return mg__nomem(err, "the score sort keys");
    for (int64_t i = 0; i < t->n; i++)
        keys[i] = mg__score_key(t->score[i], t->y[i]);
    mg_status st = mg__radix_sort(keys, NULL, (size_t)t->n, err);
    if (st != MG_OK) {
        free(keys);
        return st;
    }
    *sorted = keys;
    return MG_OK;
}

void mg_slice_report_release(mg_slice_report *r) {
    for (int i = 0; r->slices != NULL && i < r->nslices; i++)
        mg_evaluation_release(&r->slices[i].eval);
    free(r->slices);
    memset(r, 0, sizeof *r);
}

/* Weighted hits and trials of a proportion, with squared weights for Kish's
 * effective n. */
typedef struct prop {
    double hits, total, total_sq;
} prop;

static void prop_add(prop *p, double w, bool hit) {
    p->total += w;
    p->total_sq += w * w;
    if (hit)
        p->hits += w;
}

static void wilson_ci(mg_slice_ci *c, const char *metric, const prop *p, double level) {
    memset(c, 0, sizeof *c);
    c->metric = metric;
    if (!(p->total > 0) || !(p->total_sq > 0)) {
        c->null_reason = NO_TRIALS;
        return;
    }
    double n_eff = p->total * p->total / p->total_sq;
    c->estimate = p->hits / p->total;
    c->n_eff = n_eff;
    if (mg_wilson_interval(c->estimate * n_eff, n_eff, level, &c->ci) != 0)
        c->null_reason = NO_TRIALS;
}

/* Per-slice sums of the threshold pass. */
typedef struct bin_acc {
    mg__sum tp, fp, tn, fn, loss, brier, w;
    prop acc, prec, rec, spec;
    int64_t n;
    int64_t cnt[4]; /* unweighted: rows by 2 * positive + predicted */
} bin_acc;

/* The rows in ascending score order, copied out once so that every walk
 * below reads memory in sequence (gathering by row index on each walk costs
 * a cache miss per row). */
typedef struct sorted_rows {
    double *score, *w, *loss; /* w NULL when unweighted */
    uint8_t *y;
    int64_t *row;     /* the row index of each, or NULL when packed */
    uint64_t *packed; /* or the slice codes of every slicing, packed (see pack_plan) */
    uint64_t *keys;   /* the mg__score_key keys sorted, when sorted here; or NULL */
} sorted_rows;

static void sorted_release(sorted_rows *r) {
    free(r->keys);
    free(r->row);
    free(r->packed);
    free(r->score);
    free(r->w);
    free(r->loss);
    free(r->y);
    memset(r, 0, sizeof *r);
}

/* Row j's score and class, in score order. */
static inline double sorted_score(const sorted_rows *r, int64_t j) {
    if (r->score != NULL)
        return r->score[j];
    uint64_t bits = r->keys[j] >> 1;
    double d;
    memcpy(&d, &bits, sizeof d);
    return d;
}

static inline int sorted_y(const sorted_rows *r, int64_t j) {
    return r->y != NULL ? r->y[j] : (int)(r->keys[j] & 1);
}

/* Where one slicing's codes in score order come from: an array, or a field
 * of the packed words. */
typedef struct code_src {
    const int32_t *code;
    const uint64_t *packed;
    int shift;
    uint64_t mask;
} code_src;

static inline int code_at(const code_src *c, int64_t j) {
    return c->code != NULL ? c->code[j] : (int)((c->packed[j] >> c->shift) & c->mask);
}

/* Scratch of rank_slice: the sums of each group of tied scores. */
typedef struct tie_groups {
    double *p, *q; /* weight (count, unweighted) of the positives and negatives */
} tie_groups;

/* The ranking metrics of one slice: its rows in ascending score order. One
 * walk over the rows gives the class totals, ROC AUC and the groups of tied
 * scores (into g, room for m); average precision (descending) and DeLong's
 * components then walk the groups. Every sum is taken in the order and form
 * of a walk per metric over the rows, so the doubles are the same. */
static void rank_slice(const double *score, const uint8_t *y, const double *w, int64_t m,
                       mg_slice_stats *s, double level, const tie_groups *g) {
    mg_binary_metrics *b = &s->eval.binary;
    double npos = 0, nneg = 0;
    int64_t cpos = 0, ng = 0;
    mg__sum area = {0, 0};
    double neg_below = 0;
    for (int64_t j = 0; w == NULL && j < m;) {
        /* unweighted: sums of ones are the counts, exactly (below 2^53) */
        int64_t e = j, pc = 0;
        double sj = score[j];
        while (e < m && score[e] == sj)
            pc += y[e++];
        cpos += pc;
        double p = (double)pc, q = (double)(e - j - pc);
        mg__sum_add(&area, p * (neg_below + 0.5 * q));
        neg_below += q;
        g->p[ng] = p;
        g->q[ng++] = q;
        j = e;
    }
    if (w == NULL) {
        npos = (double)cpos;
        nneg = (double)(m - cpos);
    }
    for (int64_t j = 0; w != NULL && j < m;) {
        int64_t e = j;
        double p = 0, q = 0;
        while (e < m && score[e] == score[j]) {
            double wi = w[e];
            cpos += y[e];
            if (y[e]) {
                npos += wi;
                p += wi;
            } else {
                nneg += wi;
                q += wi;
            }
            e++;
        }
        mg__sum_add(&area, p * (neg_below + 0.5 * q));
        neg_below += q;
        g->p[ng] = p;
        g->q[ng++] = q;
        j = e;
    }
    int64_t cneg = m - cpos;
    if (npos > 0 && nneg > 0)
        b->roc_auc = mg_value_of(mg__sum_value(&area) / npos / nneg);
    else
        b->roc_auc = mg_value_null(npos > 0 ? MG__NO_NEGATIVE_ROWS : MG__NO_POSITIVE_ROWS);
    if (npos > 0) {
        mg__sum ap = {0, 0};
        double tps = 0, fps = 0, recall_prev = 0;
        for (int64_t k = ng; k-- > 0;) {
            double p = g->p[k];
            tps += p;
            fps += g->q[k];
            if (p > 0) {
                double recall = tps / npos;
                mg__sum_add(&ap, (recall - recall_prev) * (tps / (tps + fps)));
                recall_prev = recall;
            }
        }
        b->pr_auc = mg_value_of(mg__sum_value(&ap));
    } else {
        b->pr_auc = mg_value_null(MG__NO_POSITIVE_ROWS);
    }
    /* DeLong: structural components per group of tied scores; both classes'
     * components average to the AUC. Unweighted: the groups' sums are counts. */
    mg_slice_ci *c = &s->ci[s->nci++];
    memset(c, 0, sizeof *c);
    c->metric = "roc_auc";
    if (w != NULL) {
        c->null_reason = NO_WEIGHTED_DELONG;
        return;
    }
    if (cpos < 2 || cneg < 2) {
        c->null_reason = FEW_FOR_DELONG;
        return;
    }
    double auc = b->roc_auc.v, dpos = 0, dneg = 0;
    int64_t pos_below = 0, neg_below_n = 0;
    for (int64_t k = 0; k < ng; k++) {
        int64_t p = (int64_t)g->p[k], q = (int64_t)g->q[k];
        double v_pos = ((double)neg_below_n + 0.5 * (double)q) / (double)cneg;
        double v_neg = ((double)(cpos - pos_below - p) + 0.5 * (double)p) / (double)cpos;
        dpos += (double)p * (v_pos - auc) * (v_pos - auc);
        dneg += (double)q * (v_neg - auc) * (v_neg - auc);
        pos_below += p;
        neg_below_n += q;
    }
    double var = dpos / (double)(cpos - 1) / (double)cpos + dneg / (double)(cneg - 1) / (double)cneg;
    double z = mg_norm_ppf(1 - (1 - level) / 2), se = sqrt(fmax(0.0, var));
    c->estimate = auc;
    c->variance = var;
    c->ci.low = fmax(0.0, auc - z * se);
    c->ci.high = fmin(1.0, auc + z * se);
    c->ci.level = level;
    c->ci.method = "delong";
}

/* The rows in score order, from `order` (gathering by row index) or, order
 * NULL, from one radix sort of mg__score_key keys that carry the score and
 * the class and the row index as payload, so that nothing is gathered. */
/* Where each slicing's code sits in a packed word: without weights (which
 * need the row) and when the codes of all slicings fit in 53 bits, the sort
 * carries them as its payload (exact in a double) and no code is gathered
 * from a random row afterwards. Returns false when they do not fit. */
static bool pack_plan(const mg_targets *t, const mg_slicing *sl, int n, int *shift) {
    if (t->w != NULL)
        return false;
    int used = 0;
    for (int i = 0; i < n; i++) {
        int bits = 1;
        while (bits < 31 && (1 << bits) < sl[i].nslices)
            bits++;
        shift[i] = used;
        used += bits;
        if (used > 53)
            return false;
    }
    return true;
}

static mg_status sorted_init(const mg_targets *t, const int64_t *order, const mg_slicing *sl,
                             int nsl, const int *shift, sorted_rows *r, mg_error *err) {
    size_t n = (size_t)(t->n > 0 ? t->n : 1);
    memset(r, 0, sizeof *r);
    r->loss = mg__malloc_array(n, sizeof *r->loss);
    if (t->w != NULL)
        r->w = mg__malloc_array(n, sizeof *r->w);
    if (r->loss == NULL || (t->w != NULL && r->w == NULL)) {
        sorted_release(r);
        return mg__nomem(err, "the sorted scores");
    }
    if (order != NULL) {
        r->score = mg__malloc_array(n, sizeof *r->score);
        r->y = mg__malloc_array(n, sizeof *r->y);
        r->row = mg__malloc_array(n, sizeof *r->row);
        if (r->score == NULL || r->y == NULL || r->row == NULL) {
            sorted_release(r);
            return mg__nomem(err, "the sorted scores");
        }
        for (int64_t j = 0; j < t->n; j++) {
            int64_t i = order[j];
            r->row[j] = i;
            r->score[j] = t->score[i];
            r->y[j] = t->y[i];
        }
    } else {
        /* the score and class are read from the sorted keys themselves; the
         * payload (row index or packed codes) is converted in place */
        uint64_t *keys = mg__malloc_array(n, sizeof *keys);
        double *rows = mg__malloc_array(n, sizeof *rows);
        mg_status st = keys != NULL && rows != NULL ? MG_OK : mg__nomem(err, "the sorted scores");
        for (int64_t i = 0; st == MG_OK && i < t->n; i++) {
            keys[i] = mg__score_key(t->score[i], t->y[i]);
            rows[i] = (double)i; /* exact: row indexes stay far below 2^53 */
        }
        for (int64_t i = 0; st == MG_OK && shift != NULL && i < t->n; i++) {
            uint64_t word = 0;
            for (int k = 0; k < nsl; k++)
                word |= (uint64_t)sl[k].code[i] << shift[k];
            rows[i] = (double)word; /* below 2^53: exact */
        }
        if (st == MG_OK)
            st = mg__radix_sort(keys, rows, (size_t)t->n, err);
        if (st != MG_OK) {
            free(keys);
            free(rows);
            sorted_release(r);
            return st;
        }
        for (int64_t j = 0; j < t->n; j++) {
            uint64_t word = (uint64_t)rows[j];
            memcpy(&rows[j], &word, sizeof word); /* the same value as an integer */
        }
        if (shift != NULL)
            r->packed = (uint64_t *)(void *)rows;
        else
            r->row = (int64_t *)(void *)rows;
        r->keys = keys;
    }
    for (int64_t j = 0; j < t->n; j++) {
        r->loss[j] = mg__row_log_loss(sorted_y(r, j), sorted_score(r, j));
        if (r->w != NULL)
            r->w[j] = t->w[r->row[j]];
    }
    return MG_OK;
}

/* One slicing of a binary task: the sorted rows scattered into slices with a
 * stable counting sort (each slice stays in score order), the threshold sums
 * taken on the way, then one walk per slice. */
static mg_status binary_slices(const mg_targets *t, const sorted_rows *sr, const code_src *code,
                               const mg_slicing *sl, mg_slice_report *r, double level,
                               sorted_rows *scratch, mg_error *err) {
    int k = sl->nslices;
    bin_acc *acc = mg__calloc((size_t)(k > 0 ? k : 1), sizeof *acc);
    int64_t *start = mg__calloc((size_t)k + 1, sizeof *start);
    int64_t *next = mg__malloc_array((size_t)(k > 0 ? k : 1), sizeof *next);
    sorted_rows g = *scratch; /* room for every row, shared by the slicings */
    if (acc == NULL || start == NULL || next == NULL) {
        free(acc);
        free(start);
        free(next);
        return mg__nomem(err, "the slice sums");
    }
    for (int64_t j = 0; j < t->n; j++) {
        start[code_at(code, j) + 1]++;
    }
    int64_t most = 0;
    for (int c = 0; c < k; c++) {
        most = start[c + 1] > most ? start[c + 1] : most;
        start[c + 1] += start[c];
    }
    tie_groups groups = {mg__malloc_array((size_t)(most > 0 ? most : 1), sizeof *groups.p),
                         mg__malloc_array((size_t)(most > 0 ? most : 1), sizeof *groups.q)};
    if (groups.p == NULL || groups.q == NULL) {
        free(groups.p);
        free(groups.q);
        free(acc);
        free(start);
        free(next);
        return mg__nomem(err, "the slice sums");
    }
    memcpy(next, start, (size_t)k * sizeof *next);
    for (int64_t j = 0; j < t->n; j++) {
        int c = code_at(code, j);
        bin_acc *a = &acc[c];
        double wi = sr->w ? sr->w[j] : 1.0, s = sorted_score(sr, j);
        int positive = sorted_y(sr, j), predicted = s > t->threshold;
        int64_t d = next[c]++;
        g.score[d] = s;
        g.y[d] = (uint8_t)positive;
        if (g.w != NULL)
            g.w[d] = wi;
        a->n++;
        if (g.w == NULL) { /* counts: integers, no compensated sums */
            a->cnt[positive * 2 + predicted]++;
            mg__sum_add(&a->loss, sr->loss[j]);
            double e = positive - s;
            mg__sum_add(&a->brier, e * e);
            continue;
        }
        mg__sum_add(&a->w, wi);
        mg__sum_add(positive ? (predicted ? &a->tp : &a->fn) : (predicted ? &a->fp : &a->tn), wi);
        mg__sum_add(&a->loss, wi * sr->loss[j]);
        double e = positive - s;
        mg__sum_add(&a->brier, wi * e * e);
        prop_add(&a->acc, wi, predicted == positive);
        if (predicted)
            prop_add(&a->prec, wi, positive);
        if (positive)
            prop_add(&a->rec, wi, predicted);
        else
            prop_add(&a->spec, wi, !predicted);
    }
    free(next);
    for (int c = 0; g.w == NULL && c < k; c++) {
        bin_acc *a = &acc[c];
        double tn = (double)a->cnt[0], fp = (double)a->cnt[1], fn = (double)a->cnt[2],
               tp = (double)a->cnt[3];
        a->w.s = (double)a->n;
        a->tp.s = tp;
        a->fp.s = fp;
        a->tn.s = tn;
        a->fn.s = fn;
        a->acc = (prop){tp + tn, (double)a->n, (double)a->n};
        a->prec = (prop){tp, tp + fp, tp + fp};
        a->rec = (prop){tp, tp + fn, tp + fn};
        a->spec = (prop){tn, tn + fp, tn + fp};
    }
    for (int c = 0; c < k; c++) {
        mg_slice_stats *s = &r->slices[c];
        bin_acc *a = &acc[c];
        s->n = a->n;
        s->weight_sum = ldexp(mg__sum_value(&a->w), t->w_exp2);
        s->eval.task = MG_TASK_BINARY;
        s->scored = a->n >= r->min_size;
        if (!s->scored)
            continue;
        mg_binary_metrics *b = &s->eval.binary;
        b->n = a->n;
        b->weight_sum = mg__sum_value(&a->w);
        b->threshold = t->threshold;
        b->tp = mg__sum_value(&a->tp);
        b->fp = mg__sum_value(&a->fp);
        b->tn = mg__sum_value(&a->tn);
        b->fn = mg__sum_value(&a->fn);
        mg__binary_derive(b);
        b->log_loss = b->weight_sum > 0 ? mg_value_of(mg__sum_value(&a->loss) / b->weight_sum)
                                        : mg_value_null("undefined: the weights sum to zero");
        b->brier = b->weight_sum > 0 ? mg_value_of(mg__sum_value(&a->brier) / b->weight_sum)
                                     : mg_value_null("undefined: the weights sum to zero");
        wilson_ci(&s->ci[s->nci++], "accuracy", &a->acc, level);
        wilson_ci(&s->ci[s->nci++], "precision", &a->prec, level);
        wilson_ci(&s->ci[s->nci++], "recall", &a->rec, level);
        wilson_ci(&s->ci[s->nci++], "specificity", &a->spec, level);
        int64_t o = start[c];
        rank_slice(g.score + o, g.y + o, g.w ? g.w + o : NULL, start[c + 1] - o, s, level,
                   &groups);
        b->weight_sum = ldexp(b->weight_sum, t->w_exp2);
        b->tp = ldexp(b->tp, t->w_exp2);
        b->fp = ldexp(b->fp, t->w_exp2);
        b->tn = ldexp(b->tn, t->w_exp2);
        b->fn = ldexp(b->fn, t->w_exp2);
    }
    free(acc);
    free(start);
    free(groups.p);
    free(groups.q);
    return MG_OK;
}

/* Multiclass and regression: each scored slice's rows copied out and run
 * through the task's metric function. */
static mg_status other_slices(const mg_targets *t, const mg_slicing *sl, mg_slice_report *r,
                              double level, mg_error *err) {
    int k = sl->nslices, nc = t->nclasses;
    int64_t *start = mg__calloc((size_t)k + 1, sizeof *start);
    int64_t *rows = mg__malloc_array((size_t)(t->n > 0 ? t->n : 1), sizeof *rows);
    int64_t *next = mg__malloc_array((size_t)(k > 0 ? k : 1), sizeof *next);
    if (start == NULL || rows == NULL || next == NULL) {
        free(start);
        free(rows);
        free(next);
        return mg__nomem(err, "the slice rows");
    }
    for (int64_t i = 0; i < t->n; i++)
        start[sl->code[i] + 1]++;
    for (int c = 0; c < k; c++)
        start[c + 1] += start[c];
    memcpy(next, start, (size_t)k * sizeof *next);
    for (int64_t i = 0; i < t->n; i++)
        rows[next[sl->code[i]]++] = i;
    free(next);
    int64_t most = 0;
    for (int c = 0; c < k; c++)
        most = start[c + 1] - start[c] > most ? start[c + 1] - start[c] : most;
    size_t cap = (size_t)(most > 0 ? most : 1);
    double *w = t->w ? mg__malloc_array(cap, sizeof *w) : NULL;
    int32_t *yc = NULL, *pred = NULL;
    double *proba = NULL, *yr = NULL, *pr = NULL;
    if (t->task == MG_TASK_MULTICLASS) {
        yc = mg__malloc_array(cap, sizeof *yc);
        if (t->proba != NULL)
            proba = mg__malloc_array(cap * (size_t)nc, sizeof *proba);
        else
            pred = mg__malloc_array(cap, sizeof *pred);
    } else {
        yr = mg__malloc_array(cap, sizeof *yr);
        pr = mg__malloc_array(cap, sizeof *pr);
    }
    mg_status st = MG_OK;
    if ((t->w != NULL && w == NULL) ||
        (t->task == MG_TASK_MULTICLASS ? yc == NULL || (proba == NULL && pred == NULL)
                                       : yr == NULL || pr == NULL))
        st = mg__nomem(err, "the slice rows");
    for (int c = 0; c < k && st == MG_OK; c++) {
        mg_slice_stats *s = &r->slices[c];
        int64_t m = start[c + 1] - start[c];
        const int64_t *seg = rows + start[c];
        double wsum = 0;
        for (int64_t j = 0; j < m; j++)
            wsum += t->w ? t->w[seg[j]] : 1.0;
        s->n = m;
        s->weight_sum = ldexp(wsum, t->w_exp2);
        s->eval.task = t->task;
        s->scored = m >= r->min_size;
        if (!s->scored)
            continue;
        prop acc = {0};
        for (int64_t j = 0; j < m; j++) {
            int64_t i = seg[j];
            if (w != NULL)
                w[j] = ldexp(t->w[i], t->w_exp2);
            if (t->task == MG_TASK_MULTICLASS) {
                yc[j] = t->yc[i];
                if (proba != NULL)
                    memcpy(proba + (size_t)j * (size_t)nc, t->proba + (size_t)i * (size_t)nc,
                           (size_t)nc * sizeof *proba);
                else
                    pred[j] = t->pred[i];
                prop_add(&acc, t->w ? t->w[i] : 1.0, t->yc[i] == t->pred[i]);
            } else {
                yr[j] = t->yr[i];
                pr[j] = t->pr[i];
            }
        }
        if (t->task == MG_TASK_MULTICLASS) {
            st = mg_multiclass_metrics_compute(yc, pred, proba, w, m, nc, &s->eval.multiclass, err);
            wilson_ci(&s->ci[s->nci++], "accuracy", &acc, level);
        } else {
            st = mg_regression_metrics_compute(yr, pr, w, m, &s->eval.regression, err);
        }
    }
    free(start);
    free(rows);
    free(w);
    free(yc);
    free(pred);
    free(proba);
    free(yr);
    free(pr);
    return st;
}

static mg_status slices_compute(const mg_targets *t, const int64_t *order,
                                const mg_slicing *slicings, int n, int64_t min_size, double level,
                                mg_slice_report *reports, uint64_t **sorted, mg_error *err);

mg_status mg_slices_compute(const mg_targets *t, const int64_t *order, const mg_slicing *slicings,
                            int n, int64_t min_size, double level, mg_slice_report *reports,
                            mg_error *err) {
    return slices_compute(t, order, slicings, n, min_size, level, reports, NULL, err);
}

mg_status mg__slices_compute_keys(const mg_targets *t, const mg_slicing *slicings, int n,
                                  int64_t min_size, double level, mg_slice_report *reports,
                                  uint64_t **sorted, mg_error *err) {
    *sorted = NULL;
    return slices_compute(t, NULL, slicings, n, min_size, level, reports, sorted, err);
}

static mg_status slices_compute(const mg_targets *t, const int64_t *order,
                                const mg_slicing *slicings, int n, int64_t min_size, double level,
                                mg_slice_report *reports, uint64_t **sorted, mg_error *err) {
    for (int i = 0; i < n; i++)
        memset(&reports[i], 0, sizeof reports[i]);
    if (!(level > 0 && level < 1))
        return mg__fail(err, MG_ERR_USAGE, "slices: confidence level %g is outside (0, 1)", level);
    if (min_size <= 0)
        min_size = MG_SLICE_MIN_SIZE_DEFAULT;
    for (int i = 0; i < n; i++)
        if (slicings[i].nrows != t->n)
            return mg__fail(err, MG_ERR_USAGE,
                            "slicing '%s' has %" PRId64 " rows, the targets %" PRId64,
                            slicings[i].name, slicings[i].nrows, t->n);
    mg_status st = MG_OK;
    sorted_rows sr = {0};
    int *shift = NULL;
    if (t->task == MG_TASK_BINARY && n > 0) {
        shift = mg__malloc_array((size_t)n, sizeof *shift);
        if (shift == NULL)
            st = mg__nomem(err, "the slice codes");
        else
            st = sorted_init(t, order, slicings, n,
                             pack_plan(t, slicings, n, shift) ? shift : NULL, &sr, err);
    }
    /* The slice codes in score order: fields of the packed words, or
     * gathered from the rows for up to CODE_BATCH slicings in one pass
     * (their cache misses overlap). */
    enum { CODE_BATCH = 4 };
    int32_t *codes = NULL;
    size_t rows = (size_t)(t->n > 0 ? t->n : 1);
    /* the rows of one slicing grouped by slice, reused by every slicing */
    sorted_rows scratch = {0};
    if (st == MG_OK && t->task == MG_TASK_BINARY && n > 0) {
        if (sr.packed == NULL)
            codes = mg__malloc_array(rows * (size_t)(n < CODE_BATCH ? n : CODE_BATCH),
                                     sizeof *codes);
        scratch.score = mg__malloc_array(rows, sizeof *scratch.score);
        scratch.y = mg__malloc_array(rows, sizeof *scratch.y);
        if (t->w != NULL)
            scratch.w = mg__malloc_array(rows, sizeof *scratch.w);
        if ((sr.packed == NULL && codes == NULL) || scratch.score == NULL || scratch.y == NULL ||
            (t->w != NULL && scratch.w == NULL))
            st = mg__nomem(err, "the slice codes");
    }
    for (int i = 0; i < n && st == MG_OK; i++) {
        mg_slice_report *r = &reports[i];
        code_src src = {0};
        if (t->task == MG_TASK_BINARY && sr.packed != NULL) {
            int bits = i + 1 < n ? shift[i + 1] - shift[i] : 53 - shift[i];
            src = (code_src){NULL, sr.packed, shift[i], (UINT64_C(1) << bits) - 1};
        } else if (codes != NULL) {
            if (i % CODE_BATCH == 0) {
                int batch = n - i < CODE_BATCH ? n - i : CODE_BATCH;
                for (int64_t j = 0; j < t->n; j++) {
                    int64_t row = sr.row[j];
                    for (int b = 0; b < batch; b++)
                        codes[(size_t)b * rows + (size_t)j] = slicings[i + b].code[row];
                }
            }
            src.code = codes + (size_t)(i % CODE_BATCH) * rows;
        }
        r->slicing = &slicings[i];
        r->min_size = min_size;
        r->level = level;
        r->nslices = slicings[i].nslices;
        r->slices = mg__calloc((size_t)(r->nslices > 0 ? r->nslices : 1), sizeof *r->slices);
        if (r->slices == NULL) {
            st = mg__nomem(err, "the slices");
            break;
        }
        if (t->task == MG_TASK_BINARY)
            st = binary_slices(t, &sr, &src, &slicings[i], r, level, &scratch, err);
        else
            st = other_slices(t, &slicings[i], r, level, err);
    }
    free(codes);
    free(shift);
    sorted_release(&scratch);
    if (st == MG_OK && sorted != NULL && t->w == NULL) {
        *sorted = sr.keys; /* handed over */
        sr.keys = NULL;
    }
    sorted_release(&sr);
    return st;
}

/* ---- slice gates --------------------------------------------------------- */

/* One-sided p-values of "the slice's metric lies beyond the bound" (p_miss:
 * evidence it misses) and "within it" (p_meet), from the score test behind
 * the Wilson interval or DeLong's normal approximation. Returns false when
 * the slice has no interval for the metric. */
static bool slice_pvalues(const mg_slice_stats *s, const char *metric, mg_gate_op op, double bound,
                          double *p_miss, double *p_meet, const mg_slice_ci **ci) {
    const mg_slice_ci *c = NULL;
    for (int i = 0; i < s->nci; i++)
        if (strcmp(s->ci[i].metric, metric) == 0)
            c = &s->ci[i];
    *ci = c;
    if (c == NULL || c->null_reason != NULL)
        return false;
    double se;
    if (strcmp(metric, "roc_auc") == 0)
        se = sqrt(fmax(0.0, c->variance));
    else
        se = bound > 0 && bound < 1 ? sqrt(bound * (1 - bound) / c->n_eff) : 0;
    /* the sign: positive z = the estimate is on the good side */
    double diff = op == MG_GATE_MIN ? c->estimate - bound : bound - c->estimate;
    if (se > 0) {
        double z = diff / se;
        *p_meet = mg_norm_cdf(-z);
        *p_miss = mg_norm_cdf(z);
    } else { /* a bound at 0 or 1, or no variance: the estimate decides */
        *p_meet = diff > 0 || (diff == 0 && (bound <= 0 || bound >= 1)) ? 0.0 : 1.0;
        *p_miss = diff < 0 ? 0.0 : 1.0;
    }
    return true;
}

static mg_status grow(mg_gate_result **results, int *n, int more, mg_error *err) {
    mg_gate_result *g = mg__realloc_array(*results, (size_t)(*n + more), sizeof *g);
    if (g == NULL)
        return mg__nomem(err, "the slice gates");
    *results = g;
    return MG_OK;
}

/* snprintf into a fixed field: a long slice label is cut, on purpose. */
static void put(char *dst, size_t cap, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
static void put(char *dst, size_t cap, const char *fmt, ...) {
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(dst, cap, fmt, ap);
    va_end(ap);
}

mg_status mg_slice_gate_decide(const mg_slice_report *r, const mg_evaluation *overall,
                               const mg_slice_gate *g, double confidence,
                               mg_gate_result **results, int *n, int *too_small, mg_error *err) {
    *too_small = 0;
    mg_value whole;
    if (mg_evaluation_metric(overall, g->metric, &whole) != 0)
        return mg__fail(err, MG_ERR_USAGE, "slice gate: a %s task has no metric '%s'",
                        mg_task_name(overall->task), g->metric);
    const mg_metric_def *def = mg_metric_find(g->metric);
    bool higher = def == NULL || def->higher_is_better;
    mg_gate_op op = g->kind == MG_SLICE_GATE_MIN   ? MG_GATE_MIN
                    : g->kind == MG_SLICE_GATE_MAX ? MG_GATE_MAX
                    : higher                       ? MG_GATE_MIN
                                                   : MG_GATE_MAX;
    double bound = g->value;
    if (g->kind == MG_SLICE_GATE_MAX_GAP)
        bound = whole.null_reason != NULL ? NAN : higher ? whole.v - g->value : whole.v + g->value;
    int scored = 0;
    for (int i = 0; i < r->nslices; i++) {
        if (r->slices[i].scored)
            scored++;
        else
            (*too_small)++;
    }
    if (scored == 0)
        return MG_OK;
    MG_TRY(grow(results, n, scored, err));
    bool use_interval = confidence > 0 && confidence < 1;
    double alpha = use_interval ? (1 - confidence) / 2 : 0;
    double *p_miss = mg__malloc_array((size_t)scored, sizeof *p_miss);
    double *p_meet = mg__malloc_array((size_t)scored, sizeof *p_meet);
    int *idx = mg__malloc_array((size_t)scored, sizeof *idx);
    bool *testable = mg__calloc((size_t)scored, sizeof *testable);
    if (p_miss == NULL || p_meet == NULL || idx == NULL || testable == NULL) {
        free(p_miss);
        free(p_meet);
        free(idx);
        free(testable);
        return mg__nomem(err, "the slice gates");
    }
    int m = 0;
    for (int i = 0; i < r->nslices; i++)
        if (r->slices[i].scored)
            idx[m++] = i;
    /* Holm over the slices that can be tested: the others are inconclusive. */
    int ntest = 0;
    double *family = mg__malloc_array((size_t)scored, sizeof *family);
    if (family == NULL) {
        free(p_miss);
        free(p_meet);
        free(idx);
        free(testable);
        return mg__nomem(err, "the slice gates");
    }
    for (int j = 0; j < m; j++) {
        mg_value v;
        const mg_slice_ci *c;
        mg_evaluation_metric(&r->slices[idx[j]].eval, g->metric, &v);
        testable[j] = use_interval && v.null_reason == NULL && !isnan(bound) &&
                      slice_pvalues(&r->slices[idx[j]], g->metric, op, bound, &p_miss[j],
                                    &p_meet[j], &c);
        if (testable[j])
            family[ntest++] = p_miss[j];
    }
    if (ntest > 0 && mg_holm_adjust(family, ntest, family) != 0) {
        free(p_miss);
        free(p_meet);
        free(idx);
        free(testable);
        free(family);
        return mg__nomem(err, "the Holm correction");
    }
    int f = 0;
    const mg_slicing *sl = r->slicing;
    for (int j = 0; j < m; j++) {
        const mg_slice_stats *s = &r->slices[idx[j]];
        mg_value v;
        mg_evaluation_metric(&s->eval, g->metric, &v);
        const mg_slice_ci *c = NULL;
        for (int q = 0; q < s->nci; q++)
            if (strcmp(s->ci[q].metric, g->metric) == 0 && s->ci[q].null_reason == NULL)
                c = &s->ci[q];
        mg_gate_result *res = &(*results)[(*n)++];
        if (isnan(bound))
            v = mg_value_null(whole.null_reason != NULL ? whole.null_reason
                                                        : "undefined: no bound");
        mg_gate_decide(g->metric, op, isnan(bound) ? 0 : bound, v, c ? &c->ci : NULL, false, res);
        char label[96];
        mg_slice_label(sl, idx[j], label, sizeof label);
        char bound_text[40];
        mg_format_double(bound, bound_text, sizeof bound_text);
        put(res->name, sizeof res->name, "%s %s %s on %s=%s", g->metric,
                 mg_gate_op_symbol(op), bound_text, sl->name, label);
        char value_text[40] = "null";
        if (v.null_reason == NULL)
            mg_format_double(v.v, value_text, sizeof value_text);
        const char *what = g->kind == MG_SLICE_GATE_MAX_GAP
                               ? (higher ? " (overall minus the allowed gap)"
                                         : " (overall plus the allowed gap)")
                               : "";
        if (!use_interval) {
            if (res->verdict != MG_VERDICT_INCONCLUSIVE)
                put(res->reason, sizeof res->reason,
                         "%s on slice %s=%s (%" PRId64 " rows) is %s, %s %s%s", g->metric,
                         sl->name, label, s->n, value_text,
                         res->verdict == MG_VERDICT_PASS
                             ? (op == MG_GATE_MIN ? "at least" : "at most")
                             : (op == MG_GATE_MIN ? "below" : "above"),
                         bound_text, what);
            continue;
        }
        res->decided_on_interval = true;
        if (!testable[j]) {
            res->verdict = MG_VERDICT_INCONCLUSIVE;
            put(res->reason, sizeof res->reason,
                     "%s on slice %s=%s (%" PRId64 " rows) is %s: %s", g->metric, sl->name, label,
                     s->n, value_text,
                     v.null_reason != NULL ? v.null_reason
                     : c == NULL           ? "no per-slice interval for this metric (intervals: "
                                             "accuracy, precision, recall, specificity, roc_auc)"
                                           : "no bound");
            continue;
        }
        int t = 0;
        for (int q = 0; q < j; q++)
            t += testable[q];
        double adj = family[t];
        if (p_meet[j] <= alpha) {
            res->verdict = MG_VERDICT_PASS;
            put(res->reason, sizeof res->reason,
                     "%s on slice %s=%s (%" PRId64 " rows) is %s: its %g interval lies %s %s%s",
                     g->metric, sl->name, label, s->n, value_text, confidence,
                     op == MG_GATE_MIN ? "above" : "below", bound_text, what);
        } else if (adj <= alpha) {
            res->verdict = MG_VERDICT_FAIL;
            put(res->reason, sizeof res->reason,
                     "%s on slice %s=%s (%" PRId64 " rows) is %s, %s %s%s: one-sided p = %.3g, "
                     "Holm-adjusted over %d slices %.3g <= %g",
                     g->metric, sl->name, label, s->n, value_text,
                     op == MG_GATE_MIN ? "below" : "above", bound_text, what, p_miss[j], ntest, adj,
                     alpha);
        } else {
            res->verdict = MG_VERDICT_INCONCLUSIVE;
            put(res->reason, sizeof res->reason,
                     "%s on slice %s=%s (%" PRId64 " rows) is %s against %s%s: too few rows to "
                     "decide at %g (Holm-adjusted p = %.3g over %d slices)",
                     g->metric, sl->name, label, s->n, value_text, bound_text, what, confidence,
                     adj, ntest);
        }
        f++;
    }
    (void)f;
    free(p_miss);
    free(p_meet);
    free(idx);
    free(testable);
    free(family);
    return MG_OK;
}
