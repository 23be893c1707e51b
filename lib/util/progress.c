/* progress.c - progress reports from worker threads to an options struct's
 * callback, one call at a time, without a lock on the workers' path. */
#include "internal.h"

#include <stdatomic.h>

void mg__progress_init(mg__progress *p, void (*fn)(void *, int64_t, int64_t), void *ctx,
                       int64_t total) {
    p->fn = fn;
    p->ctx = ctx;
    p->total = total;
    atomic_init(&p->done, 0);
    atomic_init(&p->busy, 0);
}

void mg__progress_add(mg__progress *p, int64_t n) {
    if (p == NULL || p->fn == NULL)
        return;
    atomic_fetch_add(&p->done, n);
    if (atomic_exchange(&p->busy, 1) != 0)
        return; /* another thread is reporting; a later add reports this work */
    int64_t done = atomic_load(&p->done);
    p->fn(p->ctx, done < p->total ? done : p->total, p->total);
    atomic_store(&p->busy, 0);
}

void mg__progress_done(mg__progress *p) {
    if (p != NULL && p->fn != NULL)
        p->fn(p->ctx, p->total, p->total);
}
