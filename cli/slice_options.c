/* slice_options.c - evaluate's --slice-* and --operating-point options: checks
 * before any work, and the worst-slices table. */
#include "slice_options.h"
#include "commands.h"
#include "exit.h"
#include "output.h"

#include "modelgate/metric_registry.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "banned.h"

#define MAX_SLICE_BINS 1000

static int usage(void) {
    return MG_EXIT_USAGE;
}

static int add_point(mg_cli_slices *s, const mg_operating_point *p) {
    for (int i = 0; i < s->nops; i++)
        if (s->ops[i].constraint == p->constraint && s->ops[i].target == p->target)
            return 0;
    mg_operating_point *o = realloc(s->ops, (size_t)(s->nops + 1) * sizeof *o);
    if (o == NULL)
        return -1;
    s->ops = o;
    s->ops[s->nops++] = *p;
    return 0;
}

static int check_gates(mg_cli_slices *s, const mg_strlist *l, mg_slice_gate_kind kind,
                       const char *flag) {
    for (int i = 0; i < l->n; i++) {
        char name[64];
        double v;
        if (mg_parse_key_number(l->items[i], name, sizeof name, &v) != 0 || v != v) {
            mg_cli_eprintf("modelgate evaluate: --%s '%s': expected METRIC=NUMBER\n", flag,
                           l->items[i]);
            return usage();
        }
        const mg_metric_def *m = mg_metric_find(name);
        mg_operating_point op;
        if (m == NULL || mg_operating_point_from_name(name, &op) == 0) {
            const char *near = mg_metric_closest(name, MG_TASK_AUTO);
            mg_cli_eprintf("modelgate evaluate: --%s %s: no slice metric '%s'%s%s%s\n", flag,
                           l->items[i], name, near ? "; did you mean '" : "", near ? near : "",
                           near ? "'?" : "");
            return usage();
        }
        if (kind == MG_SLICE_GATE_MAX_GAP && !(v >= 0)) {
            mg_cli_eprintf("modelgate evaluate: --%s %s: the gap must be >= 0\n", flag,
                           l->items[i]);
            return usage();
        }
        mg_slice_gate *g = realloc(s->gates, (size_t)(s->ngates + 1) * sizeof *g);
        if (g == NULL)
            return MG_EXIT_INTERNAL;
        s->gates = g;
        s->gates[s->ngates++] = (mg_slice_gate){m->name, kind, v};
    }
    return 0;
}

/* --slice-edges COL=E1,E2,...: the list splits on commas, so an item with
 * '=' starts a column and the items after it are its further edges. */
static int check_edges(mg_cli_slices *s) {
    int n = s->edges_arg.n;
    if (n == 0)
        return 0;
    s->edges = calloc((size_t)n, sizeof *s->edges);
    s->edge_values = calloc((size_t)n, sizeof *s->edge_values);
    if (s->edges == NULL || s->edge_values == NULL)
        return MG_EXIT_INTERNAL;
    for (int i = 0; i < n; i++) {
        char *item = s->edges_arg.items[i];
        char *eq = strchr(item, '=');
        const char *num = item;
        if (eq != NULL) {
            *eq = '\0';
            num = eq + 1;
            s->edges[s->nedges++] = (mg_slice_edges){item, &s->edge_values[i], 0};
        } else if (s->nedges == 0) {
            mg_cli_eprintf("modelgate evaluate: --slice-edges '%s': expected COL=E1,E2,...\n",
                           item);
            return usage();
        }
        double v;
        if (mg_parse_double(num, strlen(num), &v) != 0 || !isfinite(v)) {
            mg_cli_eprintf("modelgate evaluate: --slice-edges %s: '%s' is not a finite number\n",
                           s->edges[s->nedges - 1].column, num);
            return usage();
        }
        s->edge_values[i] = v;
        mg_slice_edges *e = &s->edges[s->nedges - 1];
        if (e->nedges > 0 && !(v > e->edges[e->nedges - 1])) {
            mg_cli_eprintf("modelgate evaluate: --slice-edges %s: the edges must be strictly "
                           "ascending\n",
                           e->column);
            return usage();
        }
        e->nedges++;
    }
    for (int e = 0; e < s->nedges; e++)
        if (s->edges[e].nedges < 2) {
            mg_cli_eprintf("modelgate evaluate: --slice-edges %s: at least two edges are needed\n",
                           s->edges[e].column);
            return usage();
        }
    return 0;
}

int mg_cli_slices_check(mg_cli_slices *s, const mg_strlist *min, const mg_strlist *max) {
    int rc;
    if (s->bins < 1 || s->bins > MAX_SLICE_BINS) {
        mg_cli_eprintf("modelgate evaluate: --slice-bins takes 1 to %d buckets\n", MAX_SLICE_BINS);
        return usage();
    }
    if (s->min_size < 1) {
        mg_cli_eprintf("modelgate evaluate: --min-slice-size must be at least 1\n");
        return usage();
    }
    if (s->cross.n % 2 != 0) {
        mg_cli_eprintf("modelgate evaluate: --slice-cross takes two columns A,B each time\n");
        return usage();
    }
    for (int i = 0; i < s->cross.n; i += 2)
        if (strcmp(s->cross.items[i], s->cross.items[i + 1]) == 0) {
            mg_cli_eprintf("modelgate evaluate: --slice-cross %s,%s: a column crossed with "
                           "itself\n",
                           s->cross.items[i], s->cross.items[i + 1]);
            return usage();
        }
    if ((rc = check_edges(s)) != 0)
        return rc;
    if ((rc = check_gates(s, &s->min, MG_SLICE_GATE_MIN, "slice-min")) != 0 ||
        (rc = check_gates(s, &s->max, MG_SLICE_GATE_MAX, "slice-max")) != 0 ||
        (rc = check_gates(s, &s->max_gap, MG_SLICE_GATE_MAX_GAP, "slice-max-gap")) != 0)
        return rc;
    if (s->ngates > 0 && s->by.n == 0 && s->cross.n == 0) {
        mg_cli_eprintf("modelgate evaluate: slice gates need --slice-by or --slice-cross\n");
        return usage();
    }
    for (int i = 0; i < s->points.n; i++) {
        mg_operating_point p;
        if (mg_operating_point_parse(s->points.items[i], &p) != 0) {
            mg_cli_eprintf("modelgate evaluate: --operating-point '%s': expected precision=P, "
                           "recall=R or fpr=F with a number in [0, 1]\n",
                           s->points.items[i]);
            return usage();
        }
        if (add_point(s, &p) != 0)
            return MG_EXIT_INTERNAL;
    }
    for (int pass = 0; pass < 2; pass++) {
        const mg_strlist *l = pass == 0 ? min : max;
        for (int i = 0; i < l->n; i++) {
            char name[64];
            double v;
            mg_operating_point p;
            if (mg_parse_key_number(l->items[i], name, sizeof name, &v) == 0 &&
                mg_operating_point_from_name(name, &p) == 0 && add_point(s, &p) != 0)
                return MG_EXIT_INTERNAL;
        }
    }
    return 0;
}

const mg_operating_point *mg_cli_slices_point(const mg_cli_slices *s, const char *name) {
    mg_operating_point p;
    if (mg_operating_point_from_name(name, &p) != 0)
        return NULL;
    for (int i = 0; i < s->nops; i++)
        if (s->ops[i].constraint == p.constraint && s->ops[i].target == p.target)
            return &s->ops[i];
    return NULL;
}

/* The metric the table ranks slices by: the first slice gate's, else
 * accuracy (rmse for regression). */
static const char *rank_metric(const mg_cli_slices *s, mg_task task) {
    if (s->ngates > 0)
        return s->gates[0].metric;
    return task == MG_TASK_REGRESSION ? "rmse" : "accuracy";
}

typedef struct ranked {
    int i;
    double v;
} ranked;

static bool ranking_higher;

static int cmp_ranked(const void *a, const void *b) {
    const ranked *x = a, *y = b;
    /* worst first: nulls first of all, then the worst values */
    bool nx = x->v != x->v, ny = y->v != y->v;
    if (nx != ny)
        return nx ? -1 : 1;
    if (x->v != y->v)
        return (x->v < y->v) == ranking_higher ? -1 : 1;
    return x->i - y->i;
}

#define TABLE_ROWS 10

void mg_cli_slices_table(const mg_cli_slices *s, const mg_slice_report *reports, int nreports,
                         const mg_evaluation *overall, FILE *out) {
    const char *metric = rank_metric(s, overall->task);
    const mg_metric_def *def = mg_metric_find(metric);
    ranking_higher = def == NULL || def->higher_is_better;
    const char *second = overall->task == MG_TASK_BINARY       ? "roc_auc"
                         : overall->task == MG_TASK_MULTICLASS ? "f1_macro"
                                                               : "mae";
    if (strcmp(second, metric) == 0)
        second = overall->task == MG_TASK_BINARY ? "accuracy" : "accuracy";
    mg_value all;
    if (mg_evaluation_metric(overall, metric, &all) != 0)
        return;
    for (int r = 0; r < nreports; r++) {
        const mg_slice_report *rep = &reports[r];
        ranked *list = calloc((size_t)(rep->nslices > 0 ? rep->nslices : 1), sizeof *list);
        if (list == NULL)
            return;
        int m = 0, small = 0;
        for (int i = 0; i < rep->nslices; i++) {
            if (!rep->slices[i].scored) {
                small++;
                continue;
            }
            mg_value v;
            mg_evaluation_metric(&rep->slices[i].eval, metric, &v);
            list[m++] = (ranked){i, v.null_reason ? NAN : v.v};
        }
        qsort(list, (size_t)m, sizeof *list, cmp_ranked);
        fprintf(out, "slices of %s (%s; %d scored, %d below %ld rows), worst %s first:\n",
                rep->slicing->name, rep->slicing->method, m, small, s->min_size, metric);
        fprintf(out, "  %-32s %10s %10s %10s %10s\n", "slice", "n", metric, "vs overall", second);
        for (int k = 0; k < m && k < TABLE_ROWS; k++) {
            const mg_slice_stats *st = &rep->slices[list[k].i];
            char label[96], v1[32] = "null", v2[32] = "null", d[32] = "null";
            mg_slice_label(rep->slicing, list[k].i, label, sizeof label);
            mg_value a, b;
            mg_evaluation_metric(&st->eval, metric, &a);
            mg_evaluation_metric(&st->eval, second, &b);
            if (a.null_reason == NULL)
                snprintf(v1, sizeof v1, "%.4g", a.v);
            if (b.null_reason == NULL)
                snprintf(v2, sizeof v2, "%.4g", b.v);
            if (a.null_reason == NULL && all.null_reason == NULL)
                snprintf(d, sizeof d, "%+.4f", a.v - all.v);
            /* pad by columns, not bytes: "×" and other UTF-8 take one */
            int width = 0;
            for (const unsigned char *c = (const unsigned char *)label; *c; c++)
                width += (*c & 0xc0) != 0x80;
            fprintf(out, "  %s%*s %10lld %10s %10s %10s\n", label, width < 32 ? 32 - width : 0, "",
                    (long long)st->n, v1, d, v2);
        }
        if (m > TABLE_ROWS)
            fprintf(out, "  ... %d more slices in the output file\n", m - TABLE_ROWS);
        free(list);
    }
}

void mg_cli_slices_release(mg_cli_slices *s) {
    mg_strlist_release(&s->by);
    mg_strlist_release(&s->cross);
    mg_strlist_release(&s->edges_arg);
    mg_strlist_release(&s->min);
    mg_strlist_release(&s->max);
    mg_strlist_release(&s->max_gap);
    mg_strlist_release(&s->points);
    free(s->edges);
    free(s->edge_values);
    free(s->gates);
    free(s->ops);
    memset(s, 0, sizeof *s);
}
