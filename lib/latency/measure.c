/* measure.c - the timing harness: warm-up, closed- or open-loop timed calls of
 * one model (or a candidate and a baseline interleaved ABAB), and the window
 * medians that tell whether the run was stable. */
#include "internal.h"
#include "modelgate/latency.h"

#include <errno.h>
#include <math.h>
#include <time.h>

#define DEFAULT_WINDOWS 5
#define MAX_WINDOWS 16
#define UNLIMITED_CAP 50000000 /* samples kept when only --duration limits the run */
#define LATE_NS 1000000        /* an open-loop send this late counts as late */

static inline int64_t now_ns(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

static void sleep_until(int64_t t_ns) {
    struct timespec ts = {(time_t)(t_ns / 1000000000), (long)(t_ns % 1000000000)};
    while (clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &ts, NULL) == EINTR)
        ;
}

static int cmp_double(const void *a, const void *b) {
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

static int cmp_i64(const void *a, const void *b) {
    int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;
    return (x > y) - (x < y);
}

double mg_latency_timer_overhead_ns(void) {
    enum { N = 10001 };
    int64_t *d = mg__malloc(N * sizeof *d);
    if (d == NULL)
        return NAN;
    for (int i = 0; i < 100; i++) /* fault in the vDSO page and warm the caches */
        (void)now_ns();
    for (int i = 0; i < N; i++) {
        int64_t a = now_ns();
        int64_t b = now_ns();
        d[i] = b - a;
    }
    qsort(d, N, sizeof *d, cmp_i64);
    double median = (double)d[N / 2];
    free(d);
    return median;
}

/* splitmix64: a small, well-mixed generator for the seeded shuffle. */
static uint64_t next_random(uint64_t *s) {
    uint64_t z = (*s += 0x9e3779b97f4a7c15ULL);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
}

/* One model under measurement. */
typedef struct subject {
    mg_model *model;
    double *out;       /* batch * noutputs */
    int64_t *ns;       /* timed samples */
    double *compute_s; /* per timed sample: the model's own reported time, < 0 = none */
    int64_t reported;  /* timed samples with a reported compute time */
    int64_t n, cap, want;
    int64_t first_ns;
    int64_t late, max_delay_ns;
} subject;

typedef struct harness {
    const double *rows;
    int64_t nrows;
    int nf, batch;
    int64_t *order; /* shuffled row indexes */
    int64_t next;   /* position in order */
    double *batch_rows;
} harness;

/* The next request: a pointer into rows for single rows, else a gathered batch. */
static const double *next_request(harness *h) {
    if (h->batch == 1) {
        const double *r = h->rows + h->order[h->next] * h->nf;
        h->next = h->next + 1 == h->nrows ? 0 : h->next + 1;
        return r;
    }
    for (int b = 0; b < h->batch; b++) {
        memcpy(h->batch_rows + (size_t)b * (size_t)h->nf, h->rows + h->order[h->next] * h->nf,
               (size_t)h->nf * sizeof *h->rows);
        h->next = h->next + 1 == h->nrows ? 0 : h->next + 1;
    }
    return h->batch_rows;
}

static mg_status subject_init(subject *s, mg_model *m, int batch, int64_t want, mg_error *err) {
    memset(s, 0, sizeof *s);
    s->model = m;
    s->want = want;
    const mg_model_info *info = mg_model_describe(m);
    int k = info->noutputs > 0 ? info->noutputs : 1;
    s->out = mg__malloc_array((size_t)batch * (size_t)k, sizeof *s->out);
    s->cap = want > 0 ? want : 4096;
    s->ns = mg__malloc_array((size_t)s->cap, sizeof *s->ns);
    s->compute_s = mg__malloc_array((size_t)s->cap, sizeof *s->compute_s);
    if (s->out == NULL || s->ns == NULL || s->compute_s == NULL)
        return mg__nomem(err, "latency samples");
    return MG_OK;
}

static void subject_release(subject *s) {
    free(s->out);
    free(s->ns);
    free(s->compute_s);
}

static mg_status call(harness *h, subject *s, const double *req, mg_error *err) {
    return mg_model_predict(s->model, req, h->batch, h->nf, s->out, err);
}

static mg_status warm_up(harness *h, subject *s, int64_t calls, mg_error *err) {
    for (int64_t i = 0; i < calls; i++) {
        const double *req = next_request(h);
        int64_t t0 = now_ns();
        MG_TRY(call(h, s, req, err));
        if (i == 0)
            s->first_ns = now_ns() - t0;
    }
    return MG_OK;
}

static bool subject_full(const subject *s) {
    return s->want > 0 ? s->n >= s->want : s->n >= UNLIMITED_CAP;
}

static mg_status subject_grow(subject *s, mg_error *err) {
    if (s->n < s->cap)
        return MG_OK;
    int64_t cap = s->cap * 2;
    int64_t *ns = mg__realloc_array(s->ns, (size_t)cap, sizeof *ns);
    if (ns == NULL)
        return mg__nomem(err, "latency samples");
    s->ns = ns;
    double *c = mg__realloc_array(s->compute_s, (size_t)cap, sizeof *c);
    if (c == NULL)
        return mg__nomem(err, "latency samples");
    s->compute_s = c;
    s->cap = cap;
    return MG_OK;
}

/* The timed phase. With two subjects, blocks of `block` calls alternate. */
static mg_status timed_phase(harness *h, subject *subj, int nsubj, const mg_latency_options *o,
                             int64_t block, double *elapsed_s, mg_error *err) {
    int64_t start = now_ns();
    int64_t deadline = o->duration_s > 0 ? start + (int64_t)(o->duration_s * 1e9) : INT64_MAX;
    int64_t interval = o->rate_qps > 0 ? (int64_t)(1e9 / o->rate_qps) : 0;
    int64_t want_total = 0;
    for (int i = 0; i < nsubj; i++)
        want_total += subj[i].want;
    int64_t report_every = want_total > 0 ? (want_total / 200 > 0 ? want_total / 200 : 1) : 256;
    int64_t t_end = start, until_report = 1;
    for (int64_t i = 0;; i++) {
        subject *s = &subj[nsubj == 2 ? (i / block) % 2 : 0];
        if (subject_full(s)) {
            /* with a baseline one side may finish first; the other takes the rest */
            s = &subj[s == &subj[0] ? 1 : 0];
            if (nsubj == 1 || subject_full(s))
                break;
        }
        MG_TRY(subject_grow(s, err));
        const double *req = next_request(h);
        int64_t t0;
        if (interval > 0) {
            int64_t scheduled = start + i * interval;
            if (now_ns() < scheduled)
                sleep_until(scheduled);
            int64_t delay = now_ns() - scheduled;
            if (delay > LATE_NS)
                s->late++;
            if (delay > s->max_delay_ns)
                s->max_delay_ns = delay;
            t0 = scheduled; /* a stalled send is charged to the request it delayed */
        } else {
            t0 = now_ns();
        }
        mg_status st = call(h, s, req, err);
        int64_t t1 = now_ns();
        if (st != MG_OK)
            return st;
        double compute = mg_model_last_compute_seconds(s->model);
        s->compute_s[s->n] = compute;
        s->reported += compute >= 0;
        s->ns[s->n++] = t1 - t0;
        t_end = t1;
        if (o->progress != NULL && --until_report <= 0) {
            until_report = report_every;
            int64_t done = 0;
            for (int k = 0; k < nsubj; k++)
                done += subj[k].n;
            o->progress(o->progress_ctx, done, want_total);
        }
        if (t1 >= deadline)
            break;
    }
    if (o->progress != NULL) {
        int64_t done = 0;
        for (int k = 0; k < nsubj; k++)
            done += subj[k].n;
        o->progress(o->progress_ctx, done, want_total);
    }
    *elapsed_s = (double)(t_end - start) / 1e9;
    return MG_OK;
}

static double median_of(const double *v, int64_t n, double *scratch) {
    memcpy(scratch, v, (size_t)n * sizeof *v);
    qsort(scratch, (size_t)n, sizeof *scratch, cmp_double);
    return mg_quantile_nearest_rank(scratch, n, 0.5);
}

/* The reported compute times and what is left of each round trip beside them
 * (transport, serialisation and queueing), when every timed call reported one. */
static mg_status split_compute(const subject *s, mg_latency_run *run, mg_error *err) {
    run->compute_reported = s->reported;
    if (s->n == 0 || s->reported != s->n)
        return MG_OK;
    int64_t n = s->n;
    run->compute_ms = mg__malloc_array((size_t)n, sizeof *run->compute_ms);
    double *sorted = mg__malloc_array((size_t)n, sizeof *sorted);
    if (run->compute_ms == NULL || sorted == NULL) {
        free(sorted);
        return mg__nomem(err, "compute time samples");
    }
    for (int64_t i = 0; i < n; i++)
        run->compute_ms[i] = s->compute_s[i] * 1e3;
    memcpy(sorted, run->compute_ms, (size_t)n * sizeof *sorted);
    qsort(sorted, (size_t)n, sizeof *sorted, cmp_double);
    mg_latency_summarize(sorted, n, &run->compute);
    for (int64_t i = 0; i < n; i++)
        sorted[i] = run->samples_ms[i] - run->compute_ms[i];
    qsort(sorted, (size_t)n, sizeof *sorted, cmp_double);
    mg_latency_summarize(sorted, n, &run->transport);
    free(sorted);
    return MG_OK;
}

static mg_status finish_run(const subject *s, int windows, double elapsed_s, mg_latency_run *run,
                            mg_error *err) {
    memset(run, 0, sizeof *run);
    int64_t n = s->n;
    run->samples_ms = mg__malloc_array((size_t)(n > 0 ? n : 1), sizeof *run->samples_ms);
    run->sorted_ms = mg__malloc_array((size_t)(n > 0 ? n : 1), sizeof *run->sorted_ms);
    if (run->samples_ms == NULL || run->sorted_ms == NULL) {
        mg_latency_run_release(run);
        return mg__nomem(err, "latency samples");
    }
    for (int64_t i = 0; i < n; i++)
        run->samples_ms[i] = (double)s->ns[i] / 1e6;
    run->n = n;
    run->first_call_ms = (double)s->first_ns / 1e6;
    run->elapsed_s = elapsed_s;
    run->late_sends = s->late;
    run->max_send_delay_ms = (double)s->max_delay_ns / 1e6;
    /* consecutive windows of (nearly) equal size, each summarised by its median */
    int w = windows > 0 ? windows : DEFAULT_WINDOWS;
    w = w < 3 ? 3 : (w > MAX_WINDOWS ? MAX_WINDOWS : w);
    if (w > n)
        w = (int)n;
    run->nwindows = w;
    double lo = INFINITY, hi = 0;
    for (int k = 0; k < w; k++) {
        int64_t a = n * k / w, b = n * (k + 1) / w;
        run->window_p50_ms[k] = median_of(run->samples_ms + a, b - a, run->sorted_ms);
        lo = fmin(lo, run->window_p50_ms[k]);
        hi = fmax(hi, run->window_p50_ms[k]);
    }
    run->window_spread = w == 0 ? 0 : (lo > 0 ? (hi - lo) / lo : (hi > 0 ? INFINITY : 0));
    run->stable = run->window_spread <= 0.10;
    memcpy(run->sorted_ms, run->samples_ms, (size_t)n * sizeof *run->sorted_ms);
    qsort(run->sorted_ms, (size_t)n, sizeof *run->sorted_ms, cmp_double);
    mg_latency_summarize(run->sorted_ms, n, &run->summary);
    mg_status st = split_compute(s, run, err);
    if (st != MG_OK)
        mg_latency_run_release(run);
    return st;
}

void mg_latency_run_release(mg_latency_run *run) {
    if (run == NULL)
        return;
    free(run->samples_ms);
    free(run->sorted_ms);
    free(run->compute_ms);
    run->samples_ms = run->sorted_ms = run->compute_ms = NULL;
    run->n = 0;
}

static mg_status check_options(const mg_model *model, const mg_model *baseline, int64_t nrows,
                               int nfeatures, const mg_latency_options *o, mg_error *err) {
    if (nrows < 1 || nfeatures < 0)
        return mg__fail(err, MG_ERR_USAGE, "latency: no request rows to send");
    if (o->samples < 0 || (o->samples == 0 && !(o->duration_s > 0)))
        return mg__fail(err, MG_ERR_USAGE,
                        "latency: give a number of samples above 0 or a duration");
    if (o->batch_size < 0)
        return mg__fail(err, MG_ERR_USAGE, "latency: batch size %d is below 1", o->batch_size);
    if (o->duration_s < 0 || !isfinite(o->duration_s))
        return mg__fail(err, MG_ERR_USAGE, "latency: duration must be a finite number >= 0");
    if (o->rate_qps < 0 || !isfinite(o->rate_qps))
        return mg__fail(err, MG_ERR_USAGE, "latency: rate must be a finite number >= 0");
    const mg_model *ms[2] = {model, baseline};
    for (int i = 0; i < 2; i++) {
        if (ms[i] == NULL)
            continue;
        const mg_model_info *info = mg_model_describe(ms[i]);
        if (info->nfeatures >= 0 && info->nfeatures != nfeatures)
            return mg__fail(err, MG_ERR_DATA,
                            "latency: the model expects %d features but the requests have %d",
                            info->nfeatures, nfeatures);
    }
    return MG_OK;
}

mg_status mg_latency_measure(mg_model *model, mg_model *baseline, const double *rows, int64_t nrows,
                             int nfeatures, const mg_latency_options *opts, mg_latency_run *out,
                             mg_latency_run *out_baseline, mg_error *err) {
    memset(out, 0, sizeof *out);
    if (out_baseline != NULL)
        memset(out_baseline, 0, sizeof *out_baseline);
    MG_TRY(check_options(model, baseline, nrows, nfeatures, opts, err));
    if (baseline != NULL && out_baseline == NULL)
        return mg__fail(err, MG_ERR_USAGE, "latency: a baseline needs a run to fill");
    harness h = {rows, nrows, nfeatures, opts->batch_size > 0 ? opts->batch_size : 1,
                 NULL, 0,     NULL};
    int nsubj = baseline != NULL ? 2 : 1;
    subject subj[2];
    memset(subj, 0, sizeof subj);
    int64_t warmup = opts->warmup;
    if (warmup < 0) {
        warmup = opts->samples / 10;
        if (warmup < 10)
            warmup = 10;
    }
    int64_t block = opts->baseline_block;
    if (block <= 0) {
        /* short enough to see the same machine state, long enough to keep caches warm */
        block = opts->samples > 0 ? opts->samples / 50 : 20;
        block = block < 1 ? 1 : (block > 100 ? 100 : block);
    }
    mg_status st = MG_OK;
    h.order = mg__malloc_array((size_t)nrows, sizeof *h.order);
    h.batch_rows = mg__malloc_array((size_t)h.batch * (size_t)(nfeatures > 0 ? nfeatures : 1),
                                    sizeof *h.batch_rows);
    if (h.order == NULL || h.batch_rows == NULL)
        st = mg__nomem(err, "the request rows");
    if (st == MG_OK) {
        uint64_t rng = opts->seed;
        for (int64_t i = 0; i < nrows; i++)
            h.order[i] = i;
        for (int64_t i = nrows - 1; i > 0; i--) {
            int64_t j = (int64_t)(next_random(&rng) % (uint64_t)(i + 1));
            int64_t t = h.order[i];
            h.order[i] = h.order[j];
            h.order[j] = t;
        }
    }
    for (int i = 0; st == MG_OK && i < nsubj; i++)
        st = subject_init(&subj[i], i == 0 ? model : baseline, h.batch, opts->samples, err);
    for (int i = 0; st == MG_OK && i < nsubj; i++)
        st = warm_up(&h, &subj[i], warmup > 0 ? warmup : 0, err);
    double elapsed = 0;
    if (st == MG_OK && warmup == 0) {
        /* with no warm-up the first timed call is the first call */
        for (int i = 0; i < nsubj; i++)
            subj[i].first_ns = -1;
    }
    if (st == MG_OK)
        st = timed_phase(&h, subj, nsubj, opts, block, &elapsed, err);
    for (int i = 0; st == MG_OK && i < nsubj; i++) {
        if (subj[i].first_ns < 0)
            subj[i].first_ns = subj[i].n > 0 ? subj[i].ns[0] : 0;
        if (subj[i].n == 0)
            st = mg__fail(err, MG_ERR_USAGE, "latency: the duration ended before any timed call");
    }
    if (st == MG_OK)
        st = finish_run(&subj[0], opts->windows, elapsed, out, err);
    if (st == MG_OK && nsubj == 2) {
        st = finish_run(&subj[1], opts->windows, elapsed, out_baseline, err);
        if (st != MG_OK)
            mg_latency_run_release(out);
    }
    if (st == MG_OK) {
        out->warmup = warmup;
        if (nsubj == 2) {
            out_baseline->warmup = warmup;
            out->block = out_baseline->block = block;
        }
    }
    for (int i = 0; i < nsubj; i++)
        subject_release(&subj[i]);
    free(h.order);
    free(h.batch_rows);
    return st;
}
