/* measures.c - per-group values and the disparity measures between groups
 * (Fairlearn's ratio and difference, between_groups and to_overall), shared by
 * the point estimates and every bootstrap replicate. */
#include "fairness/fairness_internal.h"

#include <math.h>

static const char *const NO_WEIGHT = "the group has no rows (or zero total weight)";
static const char *const NO_POSITIVES = "the group has no actual positives";
static const char *const NO_NEGATIVES = "the group has no actual negatives";

mg_value mg__fair_group_value(const mg__fair_sums *g, int which) {
    const double *s = g->s;
    switch (which) {
    case MG__FAIR_SR: {
        double total = s[0] + s[1] + s[2] + s[3];
        return total > 0 ? mg_value_of((s[1] + s[3]) / total) : mg_value_null(NO_WEIGHT);
    }
    case MG__FAIR_TPR:
        return s[2] + s[3] > 0 ? mg_value_of(s[3] / (s[2] + s[3])) : mg_value_null(NO_POSITIVES);
    case MG__FAIR_FPR:
        return s[0] + s[1] > 0 ? mg_value_of(s[1] / (s[0] + s[1])) : mg_value_null(NO_NEGATIVES);
    case MG__FAIR_MEANPRED: return s[0] > 0 ? mg_value_of(s[3] / s[0]) : mg_value_null(NO_WEIGHT);
    case MG__FAIR_MAE: return s[0] > 0 ? mg_value_of(s[1] / s[0]) : mg_value_null(NO_WEIGHT);
    default: return s[0] > 0 ? mg_value_of(sqrt(s[2] / s[0])) : mg_value_null(NO_WEIGHT);
    }
}

/* Ratio and difference of one per-group value. */
static void disparity_of(int which, mg_fairness_method method, const mg__fair_sums *sums,
                         const bool *include, int ngroups, const mg__fair_sums *overall,
                         mg_value *ratio, mg_value *difference) {
    int compared = 0;
    double lo = INFINITY, hi = -INFINITY;
    const char *undefined = NULL;
    for (int g = 0; g < ngroups; g++) {
        if (!include[g])
            continue;
        compared++;
        mg_value v = mg__fair_group_value(&sums[g], which);
        if (v.null_reason != NULL) {
            undefined = v.null_reason;
            continue;
        }
        lo = fmin(lo, v.v);
        hi = fmax(hi, v.v);
    }
    if (compared == 0) {
        *ratio = *difference = mg_value_null("no group has at least min_group_size rows");
        return;
    }
    if (compared == 1) {
        *ratio = *difference =
            mg_value_null("only one group has at least min_group_size rows: nothing to compare");
        return;
    }
    if (undefined != NULL) {
        *ratio = *difference = mg_value_null(
            undefined == NO_POSITIVES   ? "a compared group has no actual positives, so its TPR "
                                          "is undefined"
            : undefined == NO_NEGATIVES ? "a compared group has no actual negatives, so its FPR "
                                          "is undefined"
            : undefined == NO_WEIGHT    ? "a compared group has zero total weight"
                                        : "a compared group's value is undefined (it exceeds the "
                                          "largest double)");
        return;
    }
    if (lo < 0) {
        *difference = mg_value_of(hi - lo);
        *ratio = mg_value_null("a ratio of values of mixed or negative sign is undefined");
        if (method == MG_FAIRNESS_BETWEEN_GROUPS)
            return;
    }
    if (method == MG_FAIRNESS_BETWEEN_GROUPS) {
        *difference = mg_value_of(hi - lo);
        *ratio = hi > 0 ? mg_value_of(lo / hi)
                        : mg_value_null("every compared group's value is 0, so the ratio is 0/0");
        return;
    }
    mg_value o = mg__fair_group_value(overall, which);
    if (o.null_reason != NULL) {
        *ratio = *difference = mg_value_null(o.null_reason);
        return;
    }
    double diff = 0, r = INFINITY;
    bool zero_zero = false;
    for (int g = 0; g < ngroups; g++) {
        if (!include[g])
            continue;
        double v = mg__fair_group_value(&sums[g], which).v;
        diff = fmax(diff, fabs(v - o.v));
        if (o.v == 0 && v == 0) {
            zero_zero = true;
            continue;
        }
        double x = v / o.v;
        r = fmin(r, x > 1 ? 1 / x : x);
    }
    *difference = mg_value_of(diff);
    if (lo < 0 || o.v < 0)
        *ratio = mg_value_null("a ratio of values of mixed or negative sign is undefined");
    else if (zero_zero)
        *ratio = mg_value_null("the overall value is 0, so the ratio to it is 0/0");
    else
        *ratio = mg_value_of(r);
}

static void disparate_impact(const mg__fair_sums *sums, const bool *include, int ngroups, int ref,
                             mg_disparity *d) {
    if (ref < 0 || !include[ref]) {
        d->ratio = d->ratio_max = d->difference =
            mg_value_null("the reference group has fewer than min_group_size rows");
        return;
    }
    mg_value r = mg__fair_group_value(&sums[ref], MG__FAIR_SR);
    double lo = INFINITY, hi = -INFINITY, diff = 0;
    bool any_positive = false;
    for (int g = 0; g < ngroups; g++) {
        if (!include[g])
            continue;
        double v = mg__fair_group_value(&sums[g], MG__FAIR_SR).v;
        any_positive = any_positive || v > 0;
        diff = fmax(diff, fabs(v - r.v));
        if (r.v > 0) {
            lo = fmin(lo, v / r.v);
            hi = fmax(hi, v / r.v);
        }
    }
    d->difference = mg_value_of(diff);
    if (r.v > 0) {
        d->ratio = mg_value_of(lo);
        d->ratio_max = mg_value_of(hi);
    } else {
        d->ratio = d->ratio_max =
            mg_value_null(any_positive ? "the reference group selects nobody, so another "
                                         "group's ratio to it is infinite"
                                       : "every compared group selects nobody, so the ratio "
                                         "to the reference group is 0/0");
    }
}

void mg__fair_measure(mg_fairness_measure m, mg_fairness_method method, const mg__fair_sums *sums,
                      const bool *include, int ngroups, const mg__fair_sums *overall, int ref,
                      mg_disparity *d) {
    switch (m) {
    case MG_FAIR_DISPARATE_IMPACT: disparate_impact(sums, include, ngroups, ref, d); return;
    case MG_FAIR_EQUALIZED_ODDS:
        disparity_of(MG__FAIR_TPR, method, sums, include, ngroups, overall, &d->tpr_ratio,
                     &d->tpr_difference);
        disparity_of(MG__FAIR_FPR, method, sums, include, ngroups, overall, &d->fpr_ratio,
                     &d->fpr_difference);
        if (d->tpr_ratio.null_reason != NULL)
            d->ratio = d->tpr_ratio;
        else if (d->fpr_ratio.null_reason != NULL)
            d->ratio = d->fpr_ratio;
        else
            d->ratio = mg_value_of(fmin(d->tpr_ratio.v, d->fpr_ratio.v));
        if (d->tpr_difference.null_reason != NULL)
            d->difference = d->tpr_difference;
        else if (d->fpr_difference.null_reason != NULL)
            d->difference = d->fpr_difference;
        else
            d->difference = mg_value_of(fmax(d->tpr_difference.v, d->fpr_difference.v));
        d->ratio_max = d->ratio;
        return;
    default: break;
    }
    int which = m == MG_FAIR_DEMOGRAPHIC_PARITY  ? MG__FAIR_SR
                : m == MG_FAIR_EQUAL_OPPORTUNITY ? MG__FAIR_TPR
                : m == MG_FAIR_MEAN_PREDICTION   ? MG__FAIR_MEANPRED
                : m == MG_FAIR_MAE               ? MG__FAIR_MAE
                                                 : MG__FAIR_RMSE;
    disparity_of(which, method, sums, include, ngroups, overall, &d->ratio, &d->difference);
    d->ratio_max = d->ratio;
}
