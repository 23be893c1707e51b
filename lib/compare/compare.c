/* compare.c - candidate against baseline on the same rows: both evaluations,
 * and per metric the paired difference with McNemar (accuracy), DeLong
 * (roc_auc) or the paired Poisson bootstrap (everything else). */
#include "compare_internal.h"

#include <math.h>

/* The top-level metrics of metrics.json, in its order. */
static const char *const binary_metrics[] = {
    "accuracy", "balanced_accuracy", "precision", "recall",   "f1",    "specificity",
    "mcc",      "roc_auc",           "pr_auc",    "log_loss", "brier", NULL};
static const char *const multiclass_metrics[] = {"accuracy",        "balanced_accuracy",
                                                 "precision_macro", "recall_macro",
                                                 "f1_macro",        "precision_weighted",
                                                 "recall_weighted", "f1_weighted",
                                                 "precision_micro", "recall_micro",
                                                 "f1_micro",        "roc_auc_ovr",
                                                 "log_loss",        NULL};
static const char *const regression_metrics[] = {
    "mae", "mse", "rmse", "r2", "mape", "max_error", "median_absolute_error", NULL};
static const char *const no_metrics[] = {NULL};

const char *const *mg_task_metrics(mg_task task) {
    switch (task) {
    case MG_TASK_BINARY: return binary_metrics;
    case MG_TASK_MULTICLASS: return multiclass_metrics;
    case MG_TASK_REGRESSION: return regression_metrics;
    case MG_TASK_AUTO: break;
    }
    return no_metrics;
}

int mg_metric_lower_is_better(const char *metric) {
    static const char *const lower[] = {"log_loss", "brier", "mse",       "rmse",
                                        "mae",      "mape",  "max_error", "median_absolute_error"};
    for (size_t i = 0; i < MG_ARRAY_LEN(lower); i++)
        if (strcmp(metric, lower[i]) == 0)
            return 1;
    return 0;
}

int mg__task_metric_count(mg_task task) {
    const char *const *m = mg_task_metrics(task);
    int n = 0;
    while (m[n] != NULL)
        n++;
    return n;
}

/* ---- the bootstrap of every metric ---------------------------------------- */

typedef struct boot_ctx {
    const mg_targets *t[2]; /* one or two models */
    int models;
    const char *const *metrics;
    int nmetrics;
} boot_ctx;

/* Evaluates each model under the replicate's row weights; a metric that is
 * undefined on this resample (or an evaluation that fails on it, e.g. all
 * weight on one class) is NaN there, which the interval code accounts for. */
static mg_status boot_stat(void *arg, const double *w, int64_t n, double *out) {
    const boot_ctx *b = arg;
    MG_UNUSED(n);
    for (int m = 0; m < b->models; m++) {
        mg_targets view = *b->t[m];
        view.w = (double *)(uintptr_t)w;
        mg_evaluation e;
        mg_error err;
        memset(&e, 0, sizeof e);
        mg_status st = mg_evaluation_compute(&view, &e, &err);
        for (int k = 0; k < b->nmetrics; k++) {
            mg_value v;
            double x = NAN;
            if (st == MG_OK && mg_evaluation_metric(&e, b->metrics[k], &v) == 0 &&
                v.null_reason == NULL)
                x = v.v;
            out[k * b->models + m] = x;
        }
        if (st == MG_OK)
            mg_evaluation_release(&e);
        else if (st == MG_ERR_NOMEM)
            return st;
    }
    return MG_OK;
}

#define BINARY_METRICS 11
_Static_assert(MG_ARRAY_LEN(binary_metrics) == BINARY_METRICS + 1,
               "mg__binary_from_ranked fills the binary metrics in this order");
_Static_assert(MG__BINARY_METRICS == BINARY_METRICS, "compare_internal.h counts them too");
_Static_assert(MG_ARRAY_LEN(regression_metrics) == 8,
               "regression_boot.c fills the seven regression metrics in this order");

void mg__binary_from_ranked(const mg_ranked_stats *s, double *v) {
    double tp = s->tp, fp = s->fp, fn = s->pos - s->tp, tn = s->neg - s->fp;
    double pred_pos = tp + fp, pred_neg = tn + fn, total = s->pos + s->neg;
    double recall = s->pos > 0 ? tp / s->pos : NAN, spec = s->neg > 0 ? tn / s->neg : NAN;
    v[0] = total > 0 ? (tp + tn) / total : NAN;
    v[1] = (recall + spec) / 2;
    v[2] = pred_pos > 0 ? tp / pred_pos : NAN;
    v[3] = recall;
    v[4] = 2 * tp + fp + fn > 0 ? 2 * tp / (2 * tp + fp + fn) : NAN;
    v[5] = spec;
    v[6] = s->pos > 0 && s->neg > 0 && pred_pos > 0 && pred_neg > 0
               ? (tp * tn - fp * fn) / (sqrt(pred_pos * s->pos) * sqrt(s->neg * pred_neg))
               : NAN;
    v[7] = s->auc;
    v[8] = s->ap;
    v[9] = s->log_loss;
    v[10] = s->brier;
}

typedef struct ranked_ctx {
    mg_ranked_scores ranked[2];
    int models;
} ranked_ctx;

static mg_status ranked_stat(void *arg, uint64_t key, double *out) {
    const ranked_ctx *c = arg;
    double v[BINARY_METRICS];
    for (int m = 0; m < c->models; m++) {
        mg_ranked_stats s;
        mg_ranked_evaluate(&c->ranked[m], &key, MG_RANKED_AP | MG_RANKED_LOSSES, &s);
        mg__binary_from_ranked(&s, v);
        for (int k = 0; k < BINARY_METRICS; k++)
            out[k * c->models + m] = v[k];
    }
    return MG_OK;
}

/* Binary targets: every metric from one pass per model over its scores
 * sorted once (mg_ranked_evaluate), instead of a full evaluation with a sort
 * per replicate. */
static mg_status bootstrap_binary(const mg_targets *const *t, int models,
                                  const mg_bootstrap_options *bo, mg_bootstrap *out,
                                  mg_error *err) {
    ranked_ctx c = {.models = models};
    mg_status st = MG_OK;
    for (int m = 0; m < models && st == MG_OK; m++)
        st = mg_ranked_scores_init(t[m]->y, t[m]->score, t[m]->w, t[m]->n, t[m]->threshold,
                                   &c.ranked[m], err);
    if (st == MG_OK)
        st = mg_bootstrap_run(bo, BINARY_METRICS * models, ranked_stat, &c, out, err);
    for (int m = 0; m < models; m++)
        mg_ranked_scores_release(&c.ranked[m]);
    return st;
}

mg_status mg__bootstrap_metrics(const mg_targets *const *t, int models, const mg_compare_options *o,
                                int generic, mg_bootstrap *out, mg_error *err) {
    mg_bootstrap_options bo = {.replicates = o->replicates,
                               .seed = o->seed,
                               .threads = o->threads,
                               .progress = o->progress,
                               .progress_ctx = o->progress_ctx};
    if (t[0]->task == MG_TASK_BINARY && !generic)
        return bootstrap_binary(t, models, &bo, out, err);
    if (t[0]->task == MG_TASK_REGRESSION && !generic)
        return mg__bootstrap_regression(t, models, &bo, out, err);
    boot_ctx b = {.models = models, .metrics = mg_task_metrics(t[0]->task)};
    b.nmetrics = mg__task_metric_count(t[0]->task);
    for (int m = 0; m < models; m++)
        b.t[m] = t[m];
    return mg_bootstrap_run_weighted(&bo, t[0]->n, t[0]->w, b.nmetrics * models, boot_stat, &b, out,
                                     err);
}

void mg__compare_defaults(const mg_compare_options *in, mg_compare_options *out) {
    mg_compare_options d = {.level = 0.95, .replicates = 1000, .seed = 0, .threads = 0};
    if (in != NULL) {
        d = *in;
        if (d.level == 0)
            d.level = 0.95;
        if (d.replicates == 0)
            d.replicates = 1000;
    }
    *out = d;
}

/* ---- alignment --------------------------------------------------------------- */

static mg_status check_aligned(const mg_targets *a, const mg_targets *b, mg_error *err) {
    if (a->task != b->task)
        return mg__fail(err, MG_ERR_DATA,
                        "the new model's task is %s but the baseline's is %s: they cannot be "
                        "compared",
                        mg_task_name(a->task), mg_task_name(b->task));
    if (a->n != b->n)
        return mg__fail(err, MG_ERR_DATA,
                        "the new model has %" PRId64 " rows but the baseline %" PRId64
                        ": both must predict the same rows",
                        a->n, b->n);
    if ((a->w == NULL) != (b->w == NULL))
        return mg__fail(err, MG_ERR_USAGE, "only one of the models is weighted");
    for (int64_t i = 0; i < a->n; i++) {
        int same = a->w == NULL || a->w[i] == b->w[i];
        if (a->task == MG_TASK_BINARY)
            same = same && a->y[i] == b->y[i];
        else if (a->task == MG_TASK_MULTICLASS)
            same = same && a->yc[i] == b->yc[i];
        else
            same = same && a->yr[i] == b->yr[i];
        if (!same)
            return mg__fail(err, MG_ERR_DATA,
                            "row %" PRId64 ": the label or weight differs between the new model's "
                            "and the baseline's data",
                            i + 1);
    }
    if (a->task == MG_TASK_MULTICLASS && a->nclasses != b->nclasses)
        return mg__fail(err, MG_ERR_DATA, "the models see %d and %d classes", a->nclasses,
                        b->nclasses);
    return MG_OK;
}

/* ---- the paired tests ---------------------------------------------------------- */

static int correct(const mg_targets *t, int64_t i) {
    if (t->task == MG_TASK_BINARY)
        return (t->score[i] > t->threshold) == (t->y[i] != 0);
    return t->pred[i] == t->yc[i];
}

static void mcnemar(const mg_targets *a, const mg_targets *b, double level, mg_metric_delta *d) {
    int64_t cnt[2][2] = {{0, 0}, {0, 0}};
    for (int64_t i = 0; i < a->n; i++)
        cnt[correct(a, i)][correct(b, i)]++;
    if (mg_mcnemar_test(cnt[1][1], cnt[1][0], cnt[0][1], cnt[0][0], level, &d->test) == 0)
        d->has_test = 1;
}

static mg_status fill_tests(mg_comparison *c, const mg_targets *a, const mg_targets *b,
                            const mg_bootstrap *boot, mg_error *err) {
    double level = c->options.level;
    int weighted = a->w != NULL;
    mg__influence *infl = NULL;
    for (int k = 0; k < c->ndeltas; k++) {
        mg_metric_delta *d = &c->deltas[k];
        if (d->delta.null_reason != NULL) {
            d->test_null_reason = "the metric is undefined for at least one of the models";
            continue;
        }
        if (!weighted && strcmp(d->metric, "accuracy") == 0) {
            mcnemar(a, b, level, d);
        } else if (boot != NULL && mg__compare_large(a, b) &&
                   (strcmp(d->metric, "pr_auc") == 0 || strcmp(d->metric, "log_loss") == 0 ||
                    strcmp(d->metric, "brier") == 0)) {
            mg_error ierr;
            mg_status ist = infl == NULL ? mg__influence_init(a, b, &infl, &ierr) : MG_OK;
            if (ist == MG_OK)
                ist = mg__influence_test(infl, d->metric, d->delta.v, level, &d->test, &ierr);
            if (ist == MG_ERR_NOMEM) {
                mg__influence_release(infl);
                return mg__nomem(err, "influence of the rows");
            }
            if (ist == MG_OK)
                d->has_test = 1;
        } else if (!weighted && strcmp(d->metric, "roc_auc") == 0) {
            mg_error derr;
            if (mg_delong_paired(a->y, a->score, b->score, a->n, level, &d->test, NULL, NULL,
                                 &derr) == MG_OK)
                d->has_test = 1;
        }
        if (!d->has_test && boot != NULL &&
            mg_bootstrap_paired(boot, 2 * k, 2 * k + 1, d->delta.v, level, &d->test) == 0)
            d->has_test = 1;
        if (!d->has_test && boot != NULL && mg__compare_large(a, b) &&
            strcmp(d->metric, "roc_auc") == 0)
            /* on many rows roc_auc has DeLong's test only (the cells carry no
             * ranking) */
            d->test_null_reason = "DeLong's test needs at least two rows of each class";
        else if (!d->has_test)
            d->test_null_reason = boot == NULL ? "no paired bootstrap was run for this comparison"
                                               : "the metric is undefined in more than 5% of the "
                                                 "bootstrap replicates";
        else
            d->test.value = d->delta.v;
    }
    mg__influence_release(infl);
    /* Holm over the family of metrics compared at once, for a reader who
     * looks at all of them rather than at one chosen beforehand. */
    double p[64] = {0};
    int idx[64] = {0}, m = 0;
    for (int k = 0; k < c->ndeltas && m < 64; k++)
        if (c->deltas[k].has_test) {
            idx[m] = k;
            p[m++] = c->deltas[k].test.p_value;
        }
    if (mg_holm_adjust(p, m, p) != 0)
        return mg__fail(err, MG_ERR_INTERNAL, "Holm's adjustment of %d p-values failed", m);
    for (int i = 0; i < m; i++)
        c->deltas[idx[i]].p_value_holm = p[i];
    return MG_OK;
}

mg_status mg_comparison_compute(const mg_targets *cand, const mg_targets *base,
                                const mg_compare_options *opts, mg_comparison *out, mg_error *err) {
    memset(out, 0, sizeof *out);
    mg__compare_defaults(opts, &out->options);
    if (!(out->options.level > 0 && out->options.level < 1))
        return mg__fail(err, MG_ERR_USAGE, "confidence level %g is outside (0, 1)",
                        out->options.level);
    MG_TRY(check_aligned(cand, base, err));
    out->task = cand->task;
    out->n = cand->n;
    mg_status st = mg_evaluation_compute(cand, &out->new_eval, err);
    if (st == MG_OK)
        st = mg_evaluation_compute(base, &out->base_eval, err);
    const char *const *metrics = mg_task_metrics(cand->task);
    int m = mg__task_metric_count(cand->task);
    if (st == MG_OK) {
        out->deltas = mg__calloc((size_t)(m > 0 ? m : 1), sizeof *out->deltas);
        if (out->deltas == NULL)
            st = mg__nomem(err, "comparison");
    }
    for (int k = 0; st == MG_OK && k < m; k++) {
        mg_metric_delta *d = &out->deltas[k];
        d->metric = metrics[k];
        d->lower_is_better = mg_metric_lower_is_better(metrics[k]);
        if (mg_evaluation_metric(&out->new_eval, metrics[k], &d->new_value) != 0)
            d->new_value = mg_value_null("not computed for this task");
        if (mg_evaluation_metric(&out->base_eval, metrics[k], &d->base_value) != 0)
            d->base_value = mg_value_null("not computed for this task");
        if (d->new_value.null_reason != NULL || d->base_value.null_reason != NULL)
            d->delta = mg_value_null("undefined for at least one of the models");
        else
            d->delta = mg_value_of(d->new_value.v - d->base_value.v);
        out->ndeltas = k + 1;
    }
    mg_bootstrap boot = {0};
    bool booted = st == MG_OK && !out->options.skip_bootstrap;
    if (booted) {
        const mg_targets *both[2] = {cand, base};
        if (mg__compare_large(cand, base)) {
            mg_bootstrap_options bo = {.replicates = out->options.replicates,
                                       .seed = out->options.seed,
                                       .threads = out->options.threads,
                                       .progress = out->options.progress,
                                       .progress_ctx = out->options.progress_ctx};
            st = mg__bootstrap_cells(cand, base, &bo, &boot, err);
        } else {
            st = mg__bootstrap_metrics(both, 2, &out->options, 0, &boot, err);
        }
    }
    if (st == MG_OK)
        st = fill_tests(out, cand, base, booted ? &boot : NULL, err);
    mg_bootstrap_release(&boot);
    if (st != MG_OK)
        mg_comparison_release(out);
    return st;
}

void mg_comparison_release(mg_comparison *c) {
    mg_evaluation_release(&c->new_eval);
    mg_evaluation_release(&c->base_eval);
    free(c->deltas);
    c->deltas = NULL;
    c->ndeltas = 0;
}

const mg_metric_delta *mg_comparison_delta(const mg_comparison *c, const char *metric) {
    for (int k = 0; k < c->ndeltas; k++)
        if (strcmp(c->deltas[k].metric, metric) == 0)
            return &c->deltas[k];
    return NULL;
}
