/* stats_driver.c - runs lib/stats functions on commands read from stdin, one
 * result line per command, so that tests/crosscheck/check_stats.py can
 * compare them with scipy and numpy. Commands (numbers in decimal):
 *   betappf P A B                  -> x
 *   cp K N LEVEL                   -> low high          (Clopper-Pearson)
 *   mcnemar BOTH NEW BASE NEITHER LEVEL -> test value p statistic low high
 *   holm M P1 .. PM                -> adjusted p-values
 *   delong N LEVEL, then N lines "Y S_NEW S_BASE"
 *       -> auc_new var_new low high auc_base var_base delta p z low high
 *   boot N REPLICATES SEED THREADS LEVEL, then N lines "Y S_NEW S_BASE"
 *       -> acc_new low high auc_new low high delta_acc low high p delta_auc low high p
 *      (accuracy at threshold 0.5; the AUC through the ranked scores)
 * Errors print "error: ..." on the line instead. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "internal.h"
#include "modelgate/stats.h"

#define MAX_TOKENS 64

static char line[4096];

static int read_tokens(char **tok) {
    if (fgets(line, sizeof line, stdin) == NULL)
        return -1;
    int n = 0;
    char *p = line;
    while (*p != '\0' && n < MAX_TOKENS) {
        while (*p == ' ' || *p == '\n')
            p++;
        if (*p == '\0')
            break;
        tok[n++] = p;
        while (*p != '\0' && *p != ' ' && *p != '\n')
            p++;
        if (*p != '\0')
            *p++ = '\0';
    }
    return n;
}

static double num(const char *s) {
    double v = NAN;
    mg_parse_double(s, strlen(s), &v);
    return v;
}

static void put(double v) {
    char buf[40];
    mg_format_double(v, buf, sizeof buf);
    printf(" %s", buf);
}

typedef struct rows {
    int64_t n;
    uint8_t *y;
    double *s_new, *s_base;
    uint8_t *correct_new, *correct_base;
    mg_ranked_scores rank_new, rank_base;
} rows;

static int read_rows(rows *r, int64_t n) {
    char *tok[MAX_TOKENS];
    r->n = n;
    r->y = calloc((size_t)n + 1, 1);
    r->correct_new = calloc((size_t)n + 1, 1);
    r->correct_base = calloc((size_t)n + 1, 1);
    r->s_new = calloc((size_t)n + 1, sizeof(double));
    r->s_base = calloc((size_t)n + 1, sizeof(double));
    for (int64_t i = 0; i < n; i++) {
        if (read_tokens(tok) != 3)
            return -1;
        r->y[i] = num(tok[0]) != 0;
        r->s_new[i] = num(tok[1]);
        r->s_base[i] = num(tok[2]);
        r->correct_new[i] = (r->s_new[i] > 0.5) == r->y[i];
        r->correct_base[i] = (r->s_base[i] > 0.5) == r->y[i];
    }
    return 0;
}

static void free_rows(rows *r) {
    free(r->y);
    free(r->s_new);
    free(r->s_base);
    free(r->correct_new);
    free(r->correct_base);
    mg_ranked_scores_release(&r->rank_new);
    mg_ranked_scores_release(&r->rank_base);
}

static double boot_accuracy(const uint8_t *correct, int64_t n, uint64_t key) {
    uint64_t hits = 0, total = 0;
    for (int64_t i = 0; i < n; i++) {
        unsigned w = mg_bootstrap_weight(key, i);
        hits += w * correct[i];
        total += w;
    }
    return total > 0 ? (double)hits / (double)total : NAN;
}

/* stats: accuracy new, accuracy base, AUC new, AUC base */
static mg_status boot_stat(void *ctx, uint64_t key, double *out) {
    const rows *r = ctx;
    out[0] = boot_accuracy(r->correct_new, r->n, key);
    out[1] = boot_accuracy(r->correct_base, r->n, key);
    out[2] = mg_ranked_auc(&r->rank_new, &key);
    out[3] = mg_ranked_auc(&r->rank_base, &key);
    return MG_OK;
}

static void cmd_boot(char **tok, int ntok) {
    if (ntok != 6)
        return (void)printf("error: boot N REPLICATES SEED THREADS LEVEL\n");
    rows r = {0};
    mg_error err;
    /* read_rows reuses the line buffer that tok points into */
    double level = num(tok[5]);
    mg_bootstrap_options o = {
        .replicates = (int)num(tok[2]), .seed = (uint64_t)num(tok[3]), .threads = (int)num(tok[4])};
    if (read_rows(&r, (int64_t)num(tok[1])) != 0 ||
        mg_ranked_scores_init(r.y, r.s_new, NULL, r.n, 0.5, &r.rank_new, &err) != MG_OK ||
        mg_ranked_scores_init(r.y, r.s_base, NULL, r.n, 0.5, &r.rank_base, &err) != MG_OK) {
        free_rows(&r);
        return (void)printf("error: bad rows\n");
    }
    mg_bootstrap b;
    if (mg_bootstrap_run(&o, 4, boot_stat, &r, &b, &err) != MG_OK) {
        free_rows(&r);
        return (void)printf("error: %s\n", err.text);
    }
    double full[4];
    double acc_new = 0, acc_base = 0;
    for (int64_t i = 0; i < r.n; i++) {
        acc_new += r.correct_new[i];
        acc_base += r.correct_base[i];
    }
    full[0] = acc_new / (double)r.n;
    full[1] = acc_base / (double)r.n;
    full[2] = mg_ranked_auc(&r.rank_new, NULL);
    full[3] = mg_ranked_auc(&r.rank_base, NULL);
    mg_interval ci;
    mg_paired_test t;
    for (int s = 0; s < 4; s += 2) {
        if (mg_bootstrap_interval(&b, s, level, &ci) != 0)
            ci.low = ci.high = NAN;
        put(full[s]);
        put(ci.low);
        put(ci.high);
    }
    for (int s = 0; s < 4; s += 2) {
        if (mg_bootstrap_paired(&b, s, s + 1, full[s] - full[s + 1], level, &t) != 0)
            t.ci_low = t.ci_high = t.p_value = NAN;
        put(t.value);
        put(t.ci_low);
        put(t.ci_high);
        put(t.p_value);
    }
    printf("\n");
    mg_bootstrap_release(&b);
    free_rows(&r);
}

static void cmd_delong(char **tok, int ntok) {
    if (ntok != 3)
        return (void)printf("error: delong N LEVEL\n");
    rows r = {0};
    mg_error err;
    mg_paired_test t;
    mg_auc_estimate a, b;
    double level = num(tok[2]); /* read_rows reuses the line buffer */
    if (read_rows(&r, (int64_t)num(tok[1])) != 0) {
        free_rows(&r);
        return (void)printf("error: bad rows\n");
    }
    if (mg_delong_paired(r.y, r.s_new, r.s_base, r.n, level, &t, &a, &b, &err) != MG_OK) {
        free_rows(&r);
        return (void)printf("error: %s\n", err.text);
    }
    mg_auc_estimate single;
    if (mg_delong_auc(r.y, r.s_new, r.n, level, &single, &err) != MG_OK || single.auc != a.auc ||
        single.variance != a.variance) {
        free_rows(&r);
        return (void)printf("error: single and paired DeLong disagree\n");
    }
    put(a.auc);
    put(a.variance);
    put(a.ci.low);
    put(a.ci.high);
    put(b.auc);
    put(b.variance);
    put(t.value);
    put(t.p_value);
    put(t.statistic);
    put(t.ci_low);
    put(t.ci_high);
    printf("\n");
    free_rows(&r);
}

int main(void) {
    char *tok[MAX_TOKENS];
    int ntok;
    while ((ntok = read_tokens(tok)) >= 0) {
        if (ntok == 0)
            continue;
        const char *cmd = tok[0];
        if (strcmp(cmd, "betappf") == 0 && ntok == 4) {
            put(mg_beta_ppf(num(tok[1]), num(tok[2]), num(tok[3])));
            printf("\n");
        } else if (strcmp(cmd, "cp") == 0 && ntok == 4) {
            mg_interval ci;
            if (mg_clopper_pearson_interval((int64_t)num(tok[1]), (int64_t)num(tok[2]), num(tok[3]),
                                            &ci) != 0)
                printf("error: bad interval arguments\n");
            else {
                put(ci.low);
                put(ci.high);
                printf("\n");
            }
        } else if (strcmp(cmd, "mcnemar") == 0 && ntok == 6) {
            mg_paired_test t;
            if (mg_mcnemar_test((int64_t)num(tok[1]), (int64_t)num(tok[2]), (int64_t)num(tok[3]),
                                (int64_t)num(tok[4]), num(tok[5]), &t) != 0)
                printf("error: bad counts\n");
            else {
                printf("%s", t.test);
                put(t.value);
                put(t.p_value);
                put(t.statistic);
                put(t.ci_low);
                put(t.ci_high);
                printf("\n");
            }
        } else if (strcmp(cmd, "holm") == 0 && ntok >= 2) {
            int m = (int)num(tok[1]);
            double p[MAX_TOKENS];
            if (m < 1 || m != ntok - 2) {
                printf("error: holm M P1 .. PM\n");
                continue;
            }
            for (int i = 0; i < m; i++)
                p[i] = num(tok[2 + i]);
            if (mg_holm_adjust(p, m, p) != 0)
                printf("error: NaN p-value\n");
            else {
                for (int i = 0; i < m; i++)
                    put(p[i]);
                printf("\n");
            }
        } else if (strcmp(cmd, "delong") == 0) {
            cmd_delong(tok, ntok);
        } else if (strcmp(cmd, "boot") == 0) {
            cmd_boot(tok, ntok);
        } else {
            printf("error: unknown command %s\n", cmd);
        }
        fflush(stdout);
    }
    return 0;
}
