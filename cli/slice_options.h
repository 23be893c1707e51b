/* slice_options.h - evaluate's slice, slice gate and operating point options:
 * their checks before any work and the stderr table of the worst slices;
 * mg_evaluate_run computes the slices. */
#ifndef MG_CLI_SLICE_OPTIONS_H
#define MG_CLI_SLICE_OPTIONS_H

#include "modelgate/slices.h"
#include "options.h"

#include <stdio.h>

typedef struct mg_cli_slices {
    /* as parsed */
    mg_strlist by, cross, edges_arg, min, max, max_gap, points;
    long bins, min_size;
    /* checked */
    mg_slice_edges *edges;
    double *edge_values;
    int nedges;
    mg_slice_gate *gates;
    int ngates;
    mg_operating_point *ops;
    int nops;
} mg_cli_slices;

/* The option table entries (MG_CLI_SLICE_OPTS(&s) inside a command's table). */
#define MG_CLI_SLICE_OPTS(s)                                                                       \
    {"slice-by", MG_OPT_LIST, &(s)->by, "COLS",                                                    \
     "metrics per value of each column (numbers in quantile buckets)", false, false},             \
        {"slice-cross", MG_OPT_LIST, &(s)->cross, "A,B",                                           \
         "metrics per combination of two columns (repeatable)", false, false},                    \
        {"slice-bins", MG_OPT_INT, &(s)->bins, "N",                                                \
         "quantile buckets of a numeric slice column with more than N values (default 10)",       \
         false, false},                                                                            \
        {"slice-edges", MG_OPT_LIST, &(s)->edges_arg, "COL=E1,E2,...",                             \
         "bucket edges of a numeric slice column instead of quantiles", false, false},            \
        {"min-slice-size", MG_OPT_INT, &(s)->min_size, "N",                                        \
         "slices with fewer rows are listed, not scored (default 30)", false, false},             \
        {"slice-min", MG_OPT_LIST, &(s)->min, "METRIC=V",                                          \
         "slice gate: METRIC >= V on every scored slice", false, false},                          \
        {"slice-max", MG_OPT_LIST, &(s)->max, "METRIC=V",                                          \
         "slice gate: METRIC <= V on every scored slice", false, false},                          \
        {"slice-max-gap", MG_OPT_LIST, &(s)->max_gap, "METRIC=V",                                  \
         "slice gate: no scored slice worse than overall by more than V", false, false},          \
        {"operating-point", MG_OPT_LIST, &(s)->points, "precision=P|recall=R|fpr=F",               \
         "recall at precision >= P, precision at recall >= R, TPR at FPR <= F (repeatable)",      \
         false, false }

/* Checks the options before any data is read (task: as given, AUTO when
 * inferred later); prints one line and returns MG_EXIT_USAGE on a bad one,
 * else 0. Adds an operating point for every --min/--max that names one. */
int mg_cli_slices_check(mg_cli_slices *s, const mg_strlist *min, const mg_strlist *max);

/* The operating point named `name`, or NULL. */
const mg_operating_point *mg_cli_slices_point(const mg_cli_slices *s, const char *name);

/* Prints each report's worst scored slices first (a short table). */
void mg_cli_slices_table(const mg_cli_slices *s, const mg_slice_report *reports, int nreports,
                         const mg_evaluation *overall, FILE *out);

void mg_cli_slices_release(mg_cli_slices *s);

#endif
