/* test_stats.c - lib/stats on hand-computed cases: beta quantile, exact and
 * paired intervals, McNemar, Holm, DeLong, and the bootstrap's determinism. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <float.h>
#include <math.h>
#include <string.h>

#include "internal.h"
#include "modelgate/stats.h"
#include "stats/poisson.h"

static void assert_close(double got, double want, double tol) {
    if (!(fabs(got - want) <= tol)) {
        print_error("got %.17g, want %.17g (tolerance %g)\n", got, want, tol);
        fail();
    }
}

static void beta_ppf_closed_forms(void **state) {
    (void)state;
    /* Beta(1,1) is uniform; Beta(a,1) has CDF x^a; Beta(1,b) has 1-(1-x)^b. */
    assert_close(mg_beta_ppf(0.3, 1, 1), 0.3, 1e-15);
    assert_close(mg_beta_ppf(0.2, 3, 1), pow(0.2, 1.0 / 3), 1e-15);
    assert_close(mg_beta_ppf(0.9, 1, 4), 1 - pow(0.1, 0.25), 1e-15);
    assert_close(mg_beta_ppf(1e-10, 2, 1), 1e-5, 1e-19);
    assert_true(mg_beta_ppf(0, 2, 3) == 0 && mg_beta_ppf(1, 2, 3) == 1);
    assert_true(isnan(mg_beta_ppf(0.5, 0, 1)) && isnan(mg_beta_ppf(1.5, 1, 1)));
}

static void clopper_pearson_edges(void **state) {
    (void)state;
    mg_interval ci;
    /* k = 0: [0, 1 - (alpha/2)^(1/n)]; k = n: [(alpha/2)^(1/n), 1] */
    assert_int_equal(mg_clopper_pearson_interval(0, 10, 0.95, &ci), 0);
    assert_true(ci.low == 0);
    assert_close(ci.high, 1 - pow(0.025, 0.1), 1e-15);
    assert_string_equal(ci.method, "clopper_pearson");
    assert_int_equal(mg_clopper_pearson_interval(20, 20, 0.9, &ci), 0);
    assert_close(ci.low, pow(0.05, 1.0 / 20), 1e-15);
    assert_true(ci.high == 1);
    assert_int_equal(mg_clopper_pearson_interval(3, 2, 0.95, &ci), -1);
    assert_int_equal(mg_clopper_pearson_interval(0, 0, 0.95, &ci), -1);
    assert_int_equal(mg_clopper_pearson_interval(1, 2, 1.0, &ci), -1);
}

static void mcnemar_cases(void **state) {
    (void)state;
    mg_paired_test t;
    /* 0 vs 5 discordant: exact p = 2 * 2^-5 */
    assert_int_equal(mg_mcnemar_test(90, 0, 5, 5, 0.95, &t), 0);
    assert_string_equal(t.test, "mcnemar_exact");
    assert_close(t.p_value, 0.0625, 1e-15);
    assert_close(t.value, -0.05, 1e-15);
    assert_true(t.ci_low < -0.05 && t.ci_high > -0.05 && t.ci_low > -1);
    /* equal discordant counts: p = 1; none at all: p = 1, difference 0 */
    assert_int_equal(mg_mcnemar_test(10, 7, 7, 1, 0.95, &t), 0);
    assert_close(t.p_value, 1, 0);
    assert_int_equal(mg_mcnemar_test(10, 0, 0, 3, 0.95, &t), 0);
    assert_close(t.p_value, 1, 0);
    assert_true(t.value == 0 && t.ci_low < 0 && t.ci_high > 0);
    /* 40 vs 20: chi2 = (|40-20|-1)^2/60, p = erfc(sqrt(chi2/2)) */
    assert_int_equal(mg_mcnemar_test(900, 40, 20, 40, 0.95, &t), 0);
    assert_string_equal(t.test, "mcnemar_chi2");
    assert_close(t.statistic, 361.0 / 60, 1e-15);
    assert_close(t.p_value, erfc(sqrt(361.0 / 120)), 1e-14);
    assert_string_equal(t.ci_method, "newcombe_paired");
    /* 49 discordant is still exact, 50 is not */
    assert_int_equal(mg_mcnemar_test(0, 30, 19, 0, 0.95, &t), 0);
    assert_string_equal(t.test, "mcnemar_exact");
    assert_int_equal(mg_mcnemar_test(0, 30, 20, 0, 0.95, &t), 0);
    assert_string_equal(t.test, "mcnemar_chi2");
    assert_int_equal(mg_mcnemar_test(0, 0, 0, 0, 0.95, &t), -1);
    assert_int_equal(mg_mcnemar_test(1, -1, 0, 0, 0.95, &t), -1);
}

static void holm_cases(void **state) {
    (void)state;
    double p[4] = {0.01, 0.04, 0.03, 0.005};
    assert_int_equal(mg_holm_adjust(p, 4, p), 0);
    /* sorted: 0.005*4 = 0.02, 0.01*3 = 0.03, 0.03*2 = 0.06, max(0.04, 0.06) */
    assert_close(p[0], 0.03, 1e-15);
    assert_close(p[1], 0.06, 1e-15);
    assert_close(p[2], 0.06, 1e-15);
    assert_close(p[3], 0.02, 1e-15);
    double q[2] = {0.9, NAN}, out[2];
    assert_int_equal(mg_holm_adjust(q, 2, out), -1);
}

static void delong_hand_case(void **state) {
    (void)state;
    /* positives 0.9, 0.4; negatives 0.6, 0.1: V10 = {1, 1/2}, V01 = {1/2, 1},
     * AUC = 3/4, var = var(V10)/2 + var(V01)/2 = 0.125/2 + 0.125/2. */
    const uint8_t y[4] = {1, 1, 0, 0};
    const double s[4] = {0.9, 0.4, 0.6, 0.1};
    mg_auc_estimate a;
    mg_error err;
    assert_int_equal(mg_delong_auc(y, s, 4, 0.95, &a, &err), MG_OK);
    assert_close(a.auc, 0.75, 1e-15);
    assert_close(a.variance, 0.125, 1e-15);
    assert_string_equal(a.ci.method, "delong");
    assert_true(a.ci.high == 1.0);
    /* swapping the two models negates the difference and keeps p */
    const double s2[4] = {0.8, 0.7, 0.2, 0.3};
    mg_paired_test t1, t2;
    assert_int_equal(mg_delong_paired(y, s, s2, 4, 0.95, &t1, NULL, NULL, &err), MG_OK);
    assert_int_equal(mg_delong_paired(y, s2, s, 4, 0.95, &t2, NULL, NULL, &err), MG_OK);
    assert_close(t1.value, -0.25, 1e-15);
    assert_close(t1.value, -t2.value, 0);
    assert_close(t1.p_value, t2.p_value, 1e-15);
    assert_string_equal(t1.test, "delong");
    /* errors name the problem */
    const uint8_t one_pos[4] = {1, 0, 0, 0};
    assert_int_equal(mg_delong_auc(one_pos, s, 4, 0.95, &a, &err), MG_ERR_DATA);
    assert_non_null(strstr(err.text, "at least two rows of each class"));
    const double with_nan[4] = {0.9, NAN, 0.6, 0.1};
    assert_int_equal(mg_delong_auc(y, with_nan, 4, 0.95, &a, &err), MG_ERR_DATA);
    assert_string_equal(err.text, "row 2: the score is NaN");
}

static void poisson_weights(void **state) {
    (void)state;
    /* 2^20 weights of one replicate: mean and variance 1, P[0] = 1/e. */
    int64_t n = 1 << 20;
    double *w = malloc((size_t)n * sizeof *w);
    assert_non_null(w);
    uint64_t key = mg_bootstrap_key(42, 7);
    mg_bootstrap_weights(key, NULL, n, w);
    double sum = 0, sq = 0, zeros = 0;
    for (int64_t i = 0; i < n; i++) {
        assert_true(w[i] == (double)mg_bootstrap_weight(key, i));
        sum += w[i];
        sq += w[i] * w[i];
        zeros += w[i] == 0;
    }
    double mean = sum / (double)n;
    /* 5 standard errors: sd(mean) = 1/1024, sd(zeros share) = 0.00047 */
    assert_close(mean, 1, 5.0 / 1024);
    assert_close(sq / (double)n - mean * mean, 1, 0.01);
    assert_close(zeros / (double)n, exp(-1), 0.0024);
    free(w);
    /* the inversion table: u = 0 is 0, u = max is the cap */
    assert_int_equal(mg_bootstrap_poisson(0), 0);
    assert_int_equal(mg_bootstrap_poisson(0x5e2d58d8u), 1);
    assert_int_equal(mg_bootstrap_poisson(UINT32_MAX), 12);
}

typedef struct mean_ctx {
    const double *x;
    int64_t n;
} mean_ctx;

static mg_status mean_drawn(void *ctx, uint64_t key, double *out) {
    const mean_ctx *m = ctx;
    double s = 0, t = 0;
    for (int64_t i = 0; i < m->n; i++) {
        double w = mg_bootstrap_weight(key, i);
        s += w * m->x[i];
        t += w;
    }
    out[0] = t > 0 ? s / t : NAN;
    return MG_OK;
}

static mg_status mean_weighted(void *ctx, const double *w, int64_t n, double *out) {
    const mean_ctx *m = ctx;
    double s = 0, t = 0;
    for (int64_t i = 0; i < n; i++) {
        s += w[i] * m->x[i];
        t += w[i];
    }
    out[0] = t > 0 ? s / t : NAN;
    return MG_OK;
}

static mg_status failing(void *ctx, uint64_t key, double *out) {
    (void)ctx;
    (void)key;
    out[0] = 0;
    return MG_ERR_DATA;
}

/* The exact Poisson sampler of the bootstrap over aggregated counts: on N
 * draws at a fixed seed, the sample mean within 6 standard errors of lambda
 * (se = sqrt(lambda / N)), the sample variance within 6 standard errors of
 * lambda (se = sqrt((lambda + 2 lambda^2) / N), from the fourth central
 * moment lambda + 3 lambda^2), and the frequency of each value near the mode
 * within 6 binomial standard errors of the Poisson pmf (computed here in
 * long double from exp and lgamma, independently of the sampler's tables).
 * Both branches (inversion below 10, PTRS from 10) and the integer entry. */
static void poisson_sampler(void **state) {
    (void)state;
    enum { N = 1000000 };
    const double lambdas[] = {0.3, 1, 2, 4.5, 5, 9, 9.99, 10, 17, 60, 1000, 250000};
    static int64_t x[N];
    for (size_t li = 0; li < sizeof lambdas / sizeof *lambdas; li++) {
        for (int integer = 0; integer < 2; integer++) {
            double lambda = lambdas[li];
            if (integer && lambda != floor(lambda))
                continue;
            uint64_t rng = 12345 + li;
            double sum = 0;
            for (int i = 0; i < N; i++) {
                x[i] =
                    integer ? mg__poisson_count(&rng, (int64_t)lambda) : mg__poisson(&rng, lambda);
                assert_true(x[i] >= 0);
                sum += (double)x[i];
            }
            double mean = sum / N, ss = 0;
            for (int i = 0; i < N; i++)
                ss += ((double)x[i] - mean) * ((double)x[i] - mean);
            double var = ss / (N - 1);
            double se_mean = sqrt(lambda / N), se_var = sqrt((lambda + 2 * lambda * lambda) / N);
            if (!(fabs(mean - lambda) <= 6 * se_mean && fabs(var - lambda) <= 6 * se_var)) {
                print_error("lambda %g (integer %d): mean %.6f, variance %.6f\n", lambda, integer,
                            mean, var);
                fail();
            }
            /* The pmf at the mode and 3 values either side of it. */
            int64_t mode = (int64_t)floor(lambda);
            int64_t step = lambda > 100 ? (int64_t)sqrt(lambda) / 2 : 1;
            for (int64_t d = -3; d <= 3; d++) {
                int64_t k = mode + d * step;
                if (k < 0)
                    continue;
                int64_t hits = 0;
                for (int i = 0; i < N; i++)
                    hits += x[i] == k;
                long double pk =
                    expl(-(long double)lambda + (long double)k * logl((long double)lambda) -
                         lgammal((long double)k + 1));
                double want = (double)pk, got = (double)hits / N;
                double se = sqrt(want * (1 - want) / N);
                if (!(fabs(got - want) <= 6 * se + 1e-12)) {
                    print_error("lambda %g: P(X = %lld) drawn %.6f, pmf %.6f\n", lambda,
                                (long long)k, got, want);
                    fail();
                }
            }
        }
    }
    uint64_t rng = 1;
    assert_int_equal(mg__poisson(&rng, 0), 0);
    assert_int_equal(mg__poisson_count(&rng, 0), 0);
    /* Reproducible: the same stream gives the same draws. */
    uint64_t r1 = 99, r2 = 99;
    for (int i = 0; i < 1000; i++)
        assert_int_equal(mg__poisson_count(&r1, i), mg__poisson_count(&r2, i));
}

/* The guide table changes the speed of the inversion, never its result: for
 * every n of the table, u at each CDF step (and one below, one above), at
 * each guide cell's first and last value, and random u give the count of
 * tabulated CDF values <= u (the definition); whole streams give the same
 * draws as mg__poisson_count, PTRS counts included. */
static void poisson_guide_exact(void **state) {
    (void)state;
    mg__poisson_guide g;
    mg__poisson_guide_init(&g);
    for (int n = 1; n < MG__POISSON_TABLE_MAX; n++) {
        const uint64_t *c = mg__poisson_cdf64 + mg__poisson_cdf_start[n - 1];
        int m = mg__poisson_cdf_start[n] - mg__poisson_cdf_start[n - 1];
        uint64_t us[4096 + 3 * 64];
        int nu = 0;
        for (int k = 0; k < m; k++) {
            us[nu++] = c[k] - 1;
            us[nu++] = c[k];
            us[nu++] = c[k] + 1;
        }
        for (uint64_t i = 0; i < (1u << MG__POISSON_GUIDE_BITS); i++) {
            us[nu++] = i << (64 - MG__POISSON_GUIDE_BITS);
            us[nu++] = (i << (64 - MG__POISSON_GUIDE_BITS)) | (UINT64_MAX >> MG__POISSON_GUIDE_BITS);
        }
        uint64_t rng = (uint64_t)n;
        while (nu < (int)(sizeof us / sizeof us[0]))
            us[nu++] = mg__rng_next(&rng);
        for (int i = 0; i < nu; i++) {
            int64_t want = 0;
            for (int k = 0; k < m; k++)
                want += us[i] >= c[k];
            if (mg__poisson_invert(&g, n, us[i]) != want) {
                print_error("n %d u %016llx: %lld, want %lld\n", n, (unsigned long long)us[i],
                            (long long)mg__poisson_invert(&g, n, us[i]), (long long)want);
                fail();
            }
        }
    }
    for (int64_t n = 0; n < 40; n++) {
        uint64_t r1 = 7 + (uint64_t)n, r2 = r1;
        for (int i = 0; i < 20000; i++)
            assert_int_equal(mg__poisson_count_guided(&g, &r1, n), mg__poisson_count(&r2, n));
        assert_true(r1 == r2);
    }
}

static void bootstrap_reproducible(void **state) {
    (void)state;
    double x[101];
    for (int i = 0; i < 101; i++)
        x[i] = (i * 37) % 11;
    mean_ctx m = {x, 101};
    mg_error err;
    mg_bootstrap a, b, c, d;
    mg_bootstrap_options o1 = {.replicates = 257, .seed = 5, .threads = 1};
    mg_bootstrap_options o3 = {.replicates = 257, .seed = 5, .threads = 3};
    assert_int_equal(mg_bootstrap_run(&o1, 1, mean_drawn, &m, &a, &err), MG_OK);
    assert_int_equal(mg_bootstrap_run(&o3, 1, mean_drawn, &m, &b, &err), MG_OK);
    assert_int_equal(mg_bootstrap_run_weighted(&o3, 101, NULL, 1, mean_weighted, &m, &c, &err),
                     MG_OK);
    assert_memory_equal(a.samples, b.samples, 257 * sizeof(double));
    assert_memory_equal(a.samples, c.samples, 257 * sizeof(double));
    o1.seed = 6;
    assert_int_equal(mg_bootstrap_run(&o1, 1, mean_drawn, &m, &d, &err), MG_OK);
    assert_memory_not_equal(a.samples, d.samples, 257 * sizeof(double));
    mg_interval ci;
    assert_int_equal(mg_bootstrap_interval(&a, 0, 0.95, &ci), 0);
    assert_true(ci.low < ci.high);
    assert_string_equal(ci.method, "bootstrap_percentile");
    mg_bootstrap_release(&a);
    mg_bootstrap_release(&b);
    mg_bootstrap_release(&c);
    mg_bootstrap_release(&d);
    assert_int_equal(mg_bootstrap_run(&o3, 1, failing, &m, &a, &err), MG_ERR_DATA);
    assert_non_null(strstr(err.text, "the statistic failed"));
    assert_null(a.samples);
    o3.replicates = 0;
    assert_int_equal(mg_bootstrap_run(&o3, 1, mean_drawn, &m, &a, &err), MG_ERR_USAGE);
}

static void percentile_and_paired(void **state) {
    (void)state;
    /* samples 1..100 (shuffled): numpy.percentile([1..100], [5, 95]) =
     * [5.95, 95.05] */
    double s[200];
    for (int i = 0; i < 100; i++) {
        s[2 * i] = (double)((i * 37) % 100 + 1);
        s[2 * i + 1] = 0;
    }
    mg_bootstrap b = {.replicates = 100, .nstats = 2, .samples = s};
    mg_interval ci;
    assert_int_equal(mg_bootstrap_interval(&b, 0, 0.9, &ci), 0);
    assert_close(ci.low, 5.95, 1e-12);
    assert_close(ci.high, 95.05, 1e-12);
    /* d = x - 0 > 0 in every replicate: p = 2 * (0 + 1) / 101 */
    mg_paired_test t;
    assert_int_equal(mg_bootstrap_paired(&b, 0, 1, 50.5, 0.9, &t), 0);
    assert_close(t.p_value, 2.0 / 101, 1e-15);
    assert_close(t.value, 50.5, 0);
    assert_string_equal(t.test, "paired_bootstrap");
    /* 5 undefined replicates of 100 are tolerated, 6 are not */
    for (int i = 0; i < 5; i++)
        s[2 * i] = NAN;
    assert_int_equal(mg_bootstrap_interval(&b, 0, 0.9, &ci), 0);
    s[10] = NAN;
    assert_int_equal(mg_bootstrap_interval(&b, 0, 0.9, &ci), -1);
    assert_int_equal(mg_bootstrap_paired(&b, 0, 1, 50.5, 0.9, &t), -1);
}

static void ranked_auc_ties(void **state) {
    (void)state;
    /* ties between classes count half: pos {0.5, 0.8, 0.2}, neg {0.5, 0.1}:
     * pairs won 1.5 + 2 + 1 = 4.5 of 6 */
    const uint8_t y[5] = {1, 0, 1, 1, 0};
    const double s[5] = {0.5, 0.5, 0.8, 0.2, 0.1};
    mg_ranked_scores r;
    mg_error err;
    assert_int_equal(mg_ranked_scores_init(y, s, NULL, 5, 0.5, &r, &err), MG_OK);
    assert_close(mg_ranked_auc(&r, NULL), 0.75, 1e-15);
    /* under a replicate: equal to the weighted definition computed by pairs */
    uint64_t key = mg_bootstrap_key(3, 1);
    double won = 0, pairs = 0;
    for (int i = 0; i < 5; i++)
        for (int j = 0; j < 5; j++)
            if (y[i] && !y[j]) {
                double w = (double)mg_bootstrap_weight(key, i) * mg_bootstrap_weight(key, j);
                pairs += w;
                won += w * (s[i] > s[j] ? 1 : s[i] == s[j] ? 0.5 : 0);
            }
    double got = mg_ranked_auc(&r, &key);
    if (pairs > 0)
        assert_close(got, won / pairs, 1e-15);
    else
        assert_true(isnan(got));
    mg_ranked_scores_release(&r);
    /* sample weights: doubling a row equals repeating it */
    const double w[5] = {2, 1, 1, 1, 1};
    assert_int_equal(mg_ranked_scores_init(y, s, w, 5, 0.5, &r, &err), MG_OK);
    assert_close(mg_ranked_auc(&r, NULL), (4.5 + 1.5) / 8, 1e-15);
    mg_ranked_scores_release(&r);
    const double bad[2] = {0.5, NAN};
    assert_int_equal(mg_ranked_scores_init(y, bad, NULL, 2, 0.5, &r, &err), MG_ERR_DATA);
    assert_string_equal(err.text, "row 2: the score is NaN");
}

/* Brute-force weighted figures over all rows, from their definitions. */
static void brute_force(const uint8_t *y, const double *s, const double *w, int n,
                        mg_ranked_stats *out) {
    double pos = 0, neg = 0, tp = 0, fp = 0, won = 0, ll = 0, br = 0, ap = 0;
    for (int i = 0; i < n; i++) {
        *(y[i] ? &pos : &neg) += w[i];
        if (s[i] > 0.5)
            *(y[i] ? &tp : &fp) += w[i];
        double p = fmin(fmax(s[i], DBL_EPSILON), 1 - DBL_EPSILON);
        ll -= w[i] * log(y[i] ? p : 1 - p);
        br += w[i] * (y[i] - s[i]) * (y[i] - s[i]);
        for (int j = 0; j < n; j++)
            if (y[i] && !y[j])
                won += w[i] * w[j] * (s[i] > s[j] ? 1 : s[i] == s[j] ? 0.5 : 0);
    }
    /* average precision: sum over distinct scores t of (recall step) * precision(t) */
    for (int i = 0; i < n; i++) {
        int first = 1;
        for (int j = 0; j < i; j++)
            first &= s[j] != s[i];
        if (!first)
            continue;
        double at = 0, at_pos = 0, here_pos = 0;
        for (int j = 0; j < n; j++) {
            if (s[j] >= s[i]) {
                at += w[j];
                at_pos += y[j] ? w[j] : 0;
            }
            if (s[j] == s[i] && y[j])
                here_pos += w[j];
        }
        if (here_pos > 0)
            ap += here_pos / pos * (at_pos / at);
    }
    out->pos = pos;
    out->neg = neg;
    out->tp = tp;
    out->fp = fp;
    out->auc = won / (pos * neg);
    out->ap = ap;
    out->log_loss = ll / (pos + neg);
    out->brier = br / (pos + neg);
}

static void assert_stats_equal(const mg_ranked_stats *a, const mg_ranked_stats *b) {
    assert_close(a->pos, b->pos, 1e-12);
    assert_close(a->neg, b->neg, 1e-12);
    assert_close(a->tp, b->tp, 1e-12);
    assert_close(a->fp, b->fp, 1e-12);
    assert_close(a->auc, b->auc, 1e-12);
    assert_close(a->ap, b->ap, 1e-12);
    assert_close(a->log_loss, b->log_loss, 1e-12);
    assert_close(a->brier, b->brier, 1e-12);
}

static void ranked_evaluate_matches_definitions(void **state) {
    (void)state;
    enum { N = 61 };
    uint8_t y[N];
    double s[N], w[N], ones[N];
    for (int i = 0; i < N; i++) {
        y[i] = (uint8_t)((i * 7) % 3 == 0);
        s[i] = (double)((i * 13) % 10) / 9; /* many ties, 0 and 1 included */
        ones[i] = 1;
    }
    mg_ranked_scores r, rw;
    mg_error err;
    assert_int_equal(mg_ranked_scores_init(y, s, NULL, N, 0.5, &r, &err), MG_OK);
    assert_int_equal(mg_ranked_scores_init(y, s, ones, N, 0.5, &rw, &err), MG_OK);
    for (int rep = 0; rep < 5; rep++) {
        uint64_t key = mg_bootstrap_key(77, rep);
        for (int i = 0; i < N; i++)
            w[i] = mg_bootstrap_weight(key, i);
        mg_ranked_stats want, got, got_w;
        brute_force(y, s, w, N, &want);
        /* the integer pass (no sample weights) and the double pass agree */
        mg_ranked_evaluate(&r, &key, MG_RANKED_AP | MG_RANKED_LOSSES, &got);
        mg_ranked_evaluate(&rw, &key, MG_RANKED_AP | MG_RANKED_LOSSES, &got_w);
        assert_stats_equal(&got, &want);
        assert_stats_equal(&got_w, &want);
        assert_close(mg_ranked_auc(&r, &key), want.auc, 1e-12);
    }
    mg_ranked_stats full, want;
    brute_force(y, s, ones, N, &want);
    mg_ranked_evaluate(&r, NULL, MG_RANKED_AP | MG_RANKED_LOSSES, &full);
    assert_stats_equal(&full, &want);
    /* without the options, AP and losses are NaN rather than stale */
    mg_ranked_evaluate(&r, NULL, 0, &full);
    assert_true(isnan(full.ap) && isnan(full.log_loss) && isnan(full.brier));
    mg_ranked_scores_release(&r);
    mg_ranked_scores_release(&rw);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(beta_ppf_closed_forms),
        cmocka_unit_test(clopper_pearson_edges),
        cmocka_unit_test(mcnemar_cases),
        cmocka_unit_test(holm_cases),
        cmocka_unit_test(delong_hand_case),
        cmocka_unit_test(poisson_weights),
        cmocka_unit_test(bootstrap_reproducible),
        cmocka_unit_test(poisson_sampler),
        cmocka_unit_test(percentile_and_paired),
        cmocka_unit_test(ranked_auc_ties),
        cmocka_unit_test(poisson_guide_exact),
        cmocka_unit_test(ranked_evaluate_matches_definitions),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
