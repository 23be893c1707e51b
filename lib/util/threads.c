/* threads.c - a parallel-for over a fixed number of independent tasks. */
#define _GNU_SOURCE
#include "internal.h"

#include <pthread.h>
#include <sched.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <unistd.h>

int mg__cpu_count(void) {
    cpu_set_t set;
    if (sched_getaffinity(0, sizeof set, &set) == 0) {
        int n = CPU_COUNT(&set);
        if (n > 0)
            return n;
    }
    long n = sysconf(_SC_NPROCESSORS_ONLN);
    return n > 0 ? (int)n : 1;
}

typedef struct pool {
    mg__task_fn fn;
    void *ctx;
    int n;
    atomic_int next;
    mg_status *results;
} pool;

static void *worker(void *arg) {
    pool *p = arg;
    for (;;) {
        int i = atomic_fetch_add(&p->next, 1);
        if (i >= p->n)
            break;
        p->results[i] = p->fn(p->ctx, i);
    }
    return NULL;
}

mg_status mg__parallel_for(int n, int threads, mg__task_fn fn, void *ctx) {
    if (n <= 0)
        return MG_OK;
    if (threads <= 0)
        threads = mg__cpu_count();
    if (threads > n)
        threads = n;
    mg_status *results = mg__calloc((size_t)n, sizeof *results);
    if (results == NULL)
        return MG_ERR_NOMEM;
    pool p = {.fn = fn, .ctx = ctx, .n = n, .results = results};
    atomic_init(&p.next, 0);
    pthread_t *tids = mg__calloc((size_t)threads, sizeof *tids);
    int started = 0;
    if (tids != NULL)
        for (; started < threads - 1; started++)
            if (pthread_create(&tids[started], NULL, worker, &p) != 0)
                break;
    worker(&p); /* the caller works too, and alone when threads could not start */
    for (int t = 0; t < started; t++)
        pthread_join(tids[t], NULL);
    free(tids);
    mg_status st = MG_OK;
    for (int i = 0; i < n && st == MG_OK; i++)
        st = results[i];
    free(results);
    return st;
}
