/* registry.c - the metric registry: every metric of metrics.json with its
 * tasks, direction and interval method, and the "did you mean" lookup. */
#include "internal.h"
#include "metrics_internal.h"
#include "modelgate/metric_registry.h"

#include <ctype.h>

#define B (1u << MG_TASK_BINARY)
#define M (1u << MG_TASK_MULTICLASS)
#define R (1u << MG_TASK_REGRESSION)

static const mg_metric_def metrics[] = {
    {"accuracy", B | M, true, true, MG_INTERVAL_WILSON, "share of correct predictions (accuracy_score)"},
    {"balanced_accuracy", B | M, true, false, MG_INTERVAL_BOOTSTRAP,
     "mean recall over classes (balanced_accuracy_score)"},
    {"precision", B, true, true, MG_INTERVAL_WILSON, "TP / (TP + FP) (precision_score)"},
    {"recall", B, true, true, MG_INTERVAL_WILSON, "TP / (TP + FN) (recall_score)"},
    {"f1", B, true, false, MG_INTERVAL_BOOTSTRAP, "harmonic mean of precision and recall (f1_score)"},
    {"specificity", B, true, true, MG_INTERVAL_WILSON, "TN / (TN + FP) (recall_score of the negative class)"},
    {"mcc", B, true, false, MG_INTERVAL_BOOTSTRAP, "Matthews correlation coefficient (matthews_corrcoef)"},
    {"roc_auc", B, true, false, MG_INTERVAL_DELONG, "area under the ROC curve, ties half (roc_auc_score)"},
    {"pr_auc", B, true, false, MG_INTERVAL_BOOTSTRAP, "average precision (average_precision_score)"},
    {"log_loss", B | M, false, false, MG_INTERVAL_BOOTSTRAP, "cross-entropy, clipped at float64 epsilon (log_loss)"},
    {"brier", B, false, false, MG_INTERVAL_BOOTSTRAP, "mean squared error of the probability (brier_score_loss)"},
    {"precision_macro", M, true, false, MG_INTERVAL_BOOTSTRAP, "precision_score(average='macro')"},
    {"recall_macro", M, true, false, MG_INTERVAL_BOOTSTRAP, "recall_score(average='macro')"},
    {"f1_macro", M, true, false, MG_INTERVAL_BOOTSTRAP, "f1_score(average='macro')"},
    {"precision_weighted", M, true, false, MG_INTERVAL_BOOTSTRAP, "precision_score(average='weighted')"},
    {"recall_weighted", M, true, false, MG_INTERVAL_BOOTSTRAP, "recall_score(average='weighted')"},
    {"f1_weighted", M, true, false, MG_INTERVAL_BOOTSTRAP, "f1_score(average='weighted')"},
    {"precision_micro", M, true, false, MG_INTERVAL_BOOTSTRAP, "precision_score(average='micro')"},
    {"recall_micro", M, true, false, MG_INTERVAL_BOOTSTRAP, "recall_score(average='micro')"},
    {"f1_micro", M, true, false, MG_INTERVAL_BOOTSTRAP, "f1_score(average='micro')"},
    {"roc_auc_ovr", M, true, false, MG_INTERVAL_BOOTSTRAP, "roc_auc_score(multi_class='ovr', average='macro')"},
    {"mae", R, false, false, MG_INTERVAL_BOOTSTRAP, "mean_absolute_error"},
    {"mse", R, false, false, MG_INTERVAL_BOOTSTRAP, "mean_squared_error"},
    {"rmse", R, false, false, MG_INTERVAL_BOOTSTRAP, "square root of mean_squared_error"},
    {"r2", R, true, false, MG_INTERVAL_BOOTSTRAP, "coefficient of determination (r2_score)"},
    {"mape", R, false, false, MG_INTERVAL_BOOTSTRAP, "mean_absolute_percentage_error"},
    {"max_error", R, false, false, MG_INTERVAL_BOOTSTRAP, "max_error"},
    {"median_absolute_error", R, false, false, MG_INTERVAL_BOOTSTRAP, "median_absolute_error"},
    /* calibration (docs/calibration.md): in metrics.json's "calibration" object */
    {"ece", B | M, false, false, MG_INTERVAL_BOOTSTRAP,
     "expected calibration error, 10 equal-width bins (Guo et al. 2017; multiclass: top label)"},
    {"mce", B | M, false, false, MG_INTERVAL_BOOTSTRAP,
     "maximum calibration error, 10 equal-width bins (Guo et al. 2017; multiclass: top label)"},
    {"calibration_slope", B, false, false, MG_INTERVAL_BOOTSTRAP,
     "slope of the logistic fit of the label on logit(score); ideal 1"},
    {"calibration_intercept", B, false, false, MG_INTERVAL_BOOTSTRAP,
     "intercept of the logistic fit of the label on logit(score); ideal 0"},
};

static const struct {
    const char *name, *path;
    bool two_sided;
    double ideal;
} nested[] = {{"ece", "calibration.ece", false, 0},
              {"mce", "calibration.mce", false, 0},
              {"calibration_slope", "calibration.slope", true, 1},
              {"calibration_intercept", "calibration.intercept", true, 0}};

const char *mg_metric_json_path(const mg_metric_def *m) {
    for (size_t i = 0; i < MG_ARRAY_LEN(nested); i++)
        if (strcmp(m->name, nested[i].name) == 0)
            return nested[i].path;
    return NULL;
}

bool mg_metric_ideal(const mg_metric_def *m, double *ideal) {
    for (size_t i = 0; i < MG_ARRAY_LEN(nested); i++)
        if (strcmp(m->name, nested[i].name) == 0 && nested[i].two_sided) {
            *ideal = nested[i].ideal;
            return true;
        }
    return false;
}

const mg_metric_def *mg_metric_find(const char *name) {
    for (size_t i = 0; i < MG_ARRAY_LEN(metrics); i++)
        if (strcmp(metrics[i].name, name) == 0)
            return &metrics[i];
    return mg__operating_point_def(name); /* recall_at_precision_0.9, ... */
}

bool mg_metric_has_task(const mg_metric_def *m, mg_task task) {
    return task == MG_TASK_AUTO ? m->tasks != 0 : (m->tasks >> task) & 1u;
}

int mg_metric_count(void) {
    return (int)MG_ARRAY_LEN(metrics);
}

const mg_metric_def *mg_metric_at(int i) {
    return i >= 0 && (size_t)i < MG_ARRAY_LEN(metrics) ? &metrics[i] : NULL;
}

/* Optimal string alignment distance (Damerau-Levenshtein without repeated
 * edits of one substring), case-insensitive; stops counting past `cap`. */
static int distance(const char *a, const char *b, int cap) {
    size_t la = strlen(a), lb = strlen(b);
    if (la > 64 || lb > 64)
        return cap + 1;
    int d[65][65];
    for (size_t i = 0; i <= la; i++)
        d[i][0] = (int)i;
    for (size_t j = 0; j <= lb; j++)
        d[0][j] = (int)j;
    for (size_t i = 1; i <= la; i++)
        for (size_t j = 1; j <= lb; j++) {
            int ca = tolower((unsigned char)a[i - 1]), cb = tolower((unsigned char)b[j - 1]);
            int best = d[i - 1][j - 1] + (ca != cb);
            if (d[i - 1][j] + 1 < best)
                best = d[i - 1][j] + 1;
            if (d[i][j - 1] + 1 < best)
                best = d[i][j - 1] + 1;
            if (i > 1 && j > 1 && ca == tolower((unsigned char)b[j - 2]) &&
                tolower((unsigned char)a[i - 2]) == cb && d[i - 2][j - 2] + 1 < best)
                best = d[i - 2][j - 2] + 1;
            d[i][j] = best;
        }
    return d[la][lb];
}

const char *mg_closest_name(const char *word, const char *const *candidates, int n) {
    int len = (int)strlen(word);
    int cap = len / 3;
    if (cap < 1)
        cap = 1;
    if (cap > 3)
        cap = 3;
    const char *best = NULL;
    int best_d = cap + 1;
    for (int i = 0; i < n; i++) {
        if (candidates[i] == NULL)
            continue;
        int d = distance(word, candidates[i], cap);
        if (d < best_d) {
            best_d = d;
            best = candidates[i];
        }
    }
    return best;
}

const char *mg_metric_closest(const char *word, mg_task task) {
    const char *names[MG_ARRAY_LEN(metrics)];
    int n = 0;
    for (size_t i = 0; i < MG_ARRAY_LEN(metrics); i++)
        if (mg_metric_has_task(&metrics[i], task))
            names[n++] = metrics[i].name;
    return mg_closest_name(word, names, n);
}
