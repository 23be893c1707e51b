/* plots_json.c - the parts of metrics.json that reports draw (DESIGN §5,
 * §16): "calibration" (reliability bins, ECE, MCE, slope and intercept),
 * "curves" (ROC and precision-recall, at most CURVE_POINTS points each) and
 * "score_histogram". docs/calibration.md and docs/metrics.md describe them. */
#include "report/metrics_json.h"
#include "metrics/metrics_internal.h"

#include <math.h>

#define CURVE_POINTS 200
#define CALIBRATION_BINS 10
#define HISTOGRAM_BINS 20

static void number_array(mg__json *j, const char *key, const double *v, int64_t n) {
    mg__json_key(j, key);
    mg__json_begin_array(j);
    for (int64_t i = 0; i < n; i++)
        mg__json_number(j, v[i]); /* +inf and NaN thresholds become null */
    mg__json_end_array(j);
}

static void curve(mg__json *j, const char *key, const mg_curve *c, const char *xname,
                  const char *yname) {
    mg__json_key(j, key);
    if (c->null_reason != NULL) {
        mg__json_null(j);
        return;
    }
    mg__json_begin_object(j);
    /* The PR curve is given as scikit-learn gives it: precision first. */
    if (strcmp(xname, "recall") == 0) {
        number_array(j, yname, c->y, c->points);
        number_array(j, xname, c->x, c->points);
    } else {
        number_array(j, xname, c->x, c->points);
        number_array(j, yname, c->y, c->points);
    }
    number_array(j, "thresholds", c->threshold, c->points);
    mg__json_kv_int(j, "points", c->points);
    mg__json_kv_int(j, "of", c->of);
    mg__json_end_object(j);
}

static bool curves(mg__json *j, const mg_targets *t, const uint64_t *sorted) {
    mg_binary_curves c;
    mg_error err;
    if (mg__binary_curves_compute_sorted(t->y, t->score, t->w, t->n, CURVE_POINTS, sorted, &c,
                                         &err) != MG_OK)
        return false;
    mg__json_key(j, "curves");
    mg__json_begin_object(j);
    curve(j, "roc", &c.roc, "fpr", "tpr");
    curve(j, "pr", &c.pr, "recall", "precision");
    mg__json_kv_int(j, "max_points", CURVE_POINTS);
    if (c.roc.null_reason != NULL || c.pr.null_reason != NULL) {
        mg__json_key(j, "null_reasons");
        mg__json_begin_object(j);
        if (c.roc.null_reason != NULL)
            mg__json_kv_string(j, "roc", c.roc.null_reason);
        if (c.pr.null_reason != NULL)
            mg__json_kv_string(j, "pr", c.pr.null_reason);
        mg__json_end_object(j);
    }
    mg__json_end_object(j);
    mg_binary_curves_release(&c);
    return true;
}

/* Binary: the positive-class score per true class (negative first);
 * multiclass: the top-label confidence per true class. Row counts. */
static bool histogram(mg__json *j, const mg_targets *t) {
    int k = t->task == MG_TASK_BINARY ? 2 : t->nclasses;
    int64_t *counts = mg__calloc((size_t)k * HISTOGRAM_BINS, sizeof *counts);
    if (counts == NULL)
        return false;
    for (int64_t i = 0; i < t->n; i++) {
        int cls;
        double s;
        if (t->task == MG_TASK_BINARY) {
            cls = t->y[i];
            s = t->score[i];
        } else {
            const double *p = t->proba + (size_t)i * (size_t)k;
            s = p[0];
            for (int c = 1; c < k; c++)
                s = p[c] > s ? p[c] : s;
            cls = t->yc[i];
        }
        counts[(size_t)cls * HISTOGRAM_BINS + (size_t)mg_histogram_bin(s, HISTOGRAM_BINS)]++;
    }
    mg__json_key(j, "score_histogram");
    mg__json_begin_object(j);
    mg__json_kv_string(j, "score", t->task == MG_TASK_BINARY ? "positive_class_probability"
                                                             : "top_label_confidence");
    mg__json_key(j, "edges");
    mg__json_begin_array(j);
    for (int b = 0; b <= HISTOGRAM_BINS; b++)
        mg__json_number(j, mg_histogram_edge(b, HISTOGRAM_BINS));
    mg__json_end_array(j);
    mg__json_key(j, "classes");
    mg__json_begin_array(j);
    for (int c = 0; c < k; c++) {
        mg__json_begin_object(j);
        const char *label = t->task == MG_TASK_BINARY
                                ? (c == 1 ? t->positive_label : t->negative_label)
                                : t->class_labels[c];
        mg__json_kv_string(j, "label", label);
        mg__json_key(j, "counts");
        mg__json_begin_array(j);
        for (int b = 0; b < HISTOGRAM_BINS; b++)
            mg__json_int(j, counts[(size_t)c * HISTOGRAM_BINS + (size_t)b]);
        mg__json_end_array(j);
        mg__json_end_object(j);
    }
    mg__json_end_array(j);
    mg__json_end_object(j);
    free(counts);
    return true;
}

/* The members of one reliability diagram: strategy, n_bins, bins, ece, mce. */
static void reliability(mg__json *j, const mg_reliability *r, const mg_targets *t) {
    mg__json_kv_string(j, "strategy", mg_calibration_strategy_name(r->strategy));
    mg__json_kv_int(j, "n_bins", r->nbins);
    mg__json_key(j, "bins");
    mg__json_begin_array(j);
    for (int b = 0; b < r->nonempty; b++) {
        const mg_reliability_bin *x = &r->bins[b];
        mg__json_begin_object(j);
        mg__json_kv_number(j, "low", x->low);
        mg__json_kv_number(j, "high", x->high);
        mg__json_kv_number(j, "mean_score", x->mean_score);
        mg__json_kv_number(j, "observed_rate", x->observed_rate);
        mg__json_kv_int(j, "count", x->count);
        if (t->w != NULL)
            mg__json_kv_number(j, "weight", ldexp(x->weight, t->w_exp2));
        mg__json_kv_number(j, "ci_low", x->ci_low);
        mg__json_kv_number(j, "ci_high", x->ci_high);
        mg__json_end_object(j);
    }
    mg__json_end_array(j);
    mg__json_kv_value(j, "ece", r->ece);
    mg__json_kv_value(j, "mce", r->mce);
}

static bool calibration(mg__json *j, const mg_evaluation *e, const mg_targets *t, double level,
                        const uint64_t *sorted) {
    mg_calibration c;
    mg_error err;
    mg_status st =
        t->task == MG_TASK_BINARY
            ? mg__calibration_bins_compute_sorted(t->y, t->score, t->w, t->n, CALIBRATION_BINS,
                                                  level, sorted, &c, &err)
            : mg_calibration_top_label_compute(t->yc, t->proba, t->w, t->n, t->nclasses,
                                               CALIBRATION_BINS, level, &c, &err);
    if (st != MG_OK)
        return false;
    if (t->task == MG_TASK_BINARY) { /* fitted once, by the evaluation */
        c.slope = e->calibration.calibration_slope;
        c.intercept = e->calibration.calibration_intercept;
    }
    mg__json_key(j, "calibration");
    mg__json_begin_object(j);
    mg__json_kv_string(j, "score", t->task == MG_TASK_BINARY ? "positive_class_probability"
                                                             : "top_label_confidence");
    reliability(j, &c.uniform, t);
    mg__json_kv_number(j, "level", level);
    mg__json_key(j, "quantile");
    mg__json_begin_object(j);
    reliability(j, &c.quantile, t);
    mg__json_end_object(j);
    const char *reasons[4][2] = {{"ece", c.uniform.ece.null_reason},
                                 {"mce", c.uniform.mce.null_reason},
                                 {NULL, NULL},
                                 {NULL, NULL}};
    if (t->task == MG_TASK_BINARY) {
        mg__json_kv_value(j, "slope", c.slope);
        mg__json_kv_value(j, "intercept", c.intercept);
        reasons[2][0] = "slope";
        reasons[2][1] = c.slope.null_reason;
        reasons[3][0] = "intercept";
        reasons[3][1] = c.intercept.null_reason;
    }
    bool any = false;
    for (int i = 0; i < 4; i++)
        any |= reasons[i][1] != NULL;
    if (any) {
        mg__json_key(j, "null_reasons");
        mg__json_begin_object(j);
        for (int i = 0; i < 4; i++)
            if (reasons[i][1] != NULL)
                mg__json_kv_string(j, reasons[i][0], reasons[i][1]);
        mg__json_end_object(j);
    }
    mg__json_end_object(j);
    mg_calibration_release(&c);
    return true;
}

void mg__metrics_json_plots(mg__json *j, const mg_evaluation *e, const mg_targets *t,
                            double level, const uint64_t *sorted) {
    bool ok = true;
    if (!(level > 0 && level < 1))
        level = 0.95; /* as documented in report.h */
    if (t->task == MG_TASK_BINARY)
        ok = calibration(j, e, t, level, sorted) && curves(j, t, sorted) && histogram(j, t);
    else if (t->task == MG_TASK_MULTICLASS && t->proba != NULL)
        ok = calibration(j, e, t, level, NULL) && histogram(j, t);
    if (!ok)
        j->out.failed = true; /* out of memory: mg__json_finish gives NULL */
}
