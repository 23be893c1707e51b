/* fairness_internal.h - what the files of lib/fairness share: the row-to-group
 * index of each attribute and the weighted sums every measure is computed from. */
#ifndef MG_FAIRNESS_INTERNAL_H
#define MG_FAIRNESS_INTERNAL_H

#include "internal.h"
#include "modelgate/fairness.h"

/* Weighted sums of one group. Binary: s[c] sums the weights of confusion cell
 * c = 2*y + predicted (TN, FP, FN, TP), q[c] their squares, n[c] the rows.
 * Regression: s = {w, w*|e|, w*e^2, w*prediction}, q[0] = w^2, s2 = w*label. */
typedef struct mg__fair_sums {
    double s[4];
    double q[4];
    int64_t n[4];
    double label; /* regression: sum of w * label */
} mg__fair_sums;

/* The groups of one attribute: gid[i] is row i's group (0..ngroups-1), names
 * (display labels) in output order, values[g] the group's nparts values (NULL
 * = missing). */
typedef struct mg__fair_index {
    int32_t *gid;
    char **names;
    char ***values;
    int nparts;
    int ngroups;
} mg__fair_index;

void mg__fair_index_release(mg__fair_index *ix);
/* Frees a group's nparts values (NULL-safe). */
void mg__fair_values_free(char **values, int nparts);

/* Builds the index of one attribute column (strings, integers, booleans;
 * nulls become MG_FAIRNESS_NULL_GROUP). Groups sort by value. More than
 * max_groups groups (when > 0) is MG_ERR_UNSUPPORTED naming the attribute
 * and the count, found before the group names are allocated. */
mg_status mg__fair_index_column(const mg_column *col, int64_t max_groups, mg__fair_index *out,
                                mg_error *err);

/* The index of the combination of several indexes ("a|b" group names);
 * only combinations that occur are groups; at most max_groups (when > 0) of
 * them, else MG_ERR_UNSUPPORTED naming `attr`. */
mg_status mg__fair_index_combine(const mg__fair_index *parts, int nparts, int64_t nrows,
                                 int64_t max_groups, const char *attr, mg__fair_index *out,
                                 mg_error *err);

/* The per-group value of a rate or error measure from a group's sums;
 * `which` selects: 0 selection rate, 1 TPR, 2 FPR, 3 mean prediction, 4 MAE,
 * 5 RMSE. */
enum {
    MG__FAIR_SR = 0,
    MG__FAIR_TPR,
    MG__FAIR_FPR,
    MG__FAIR_MEANPRED,
    MG__FAIR_MAE,
    MG__FAIR_RMSE
};
mg_value mg__fair_group_value(const mg__fair_sums *g, int which);

/* A measure's ratio (lo, hi) and difference over the included groups.
 * `sums` has one entry per group; `include[g]` marks the compared groups;
 * `overall` is for to_overall; `ref` is the reference group (-1 none). For
 * equalized odds the components are filled in d. */
void mg__fair_measure(mg_fairness_measure m, mg_fairness_method method, const mg__fair_sums *sums,
                      const bool *include, int ngroups, const mg__fair_sums *overall, int ref,
                      mg_disparity *d);

/* Bootstrap intervals and Holm-adjusted p-values for every gated measure
 * (lib/fairness/bootstrap.c), then the verdicts. */
mg_status mg__fair_bootstrap(mg_fairness *f, const mg_targets *t, const mg__fair_index *ix,
                             mg_error *err);

/* Holm's step-down adjustment of m p-values in place. */
void mg__holm_adjust(double *p, int m);

/* Adds row i of t (weight wi) to the sums. */
static inline void mg__fair_add(mg__fair_sums *g, const mg_targets *t, int64_t i, double wi) {
    if (t->task == MG_TASK_REGRESSION) {
        double e = t->pr[i] - t->yr[i];
        g->s[0] += wi;
        g->s[1] += wi * (e < 0 ? -e : e);
        g->s[2] += wi * e * e;
        g->s[3] += wi * t->pr[i];
        g->q[0] += wi * wi;
        g->label += wi * t->yr[i];
        g->n[0]++;
    } else {
        int c = 2 * (t->y[i] != 0) + (t->score[i] > t->threshold);
        g->s[c] += wi;
        g->q[c] += wi * wi;
        g->n[c]++;
    }
}

#endif
