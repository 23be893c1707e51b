/* stats_internal.h - helpers shared by the files of lib/stats (mg__ tier). */
#ifndef MG_STATS_INTERNAL_H
#define MG_STATS_INTERNAL_H

#include "internal.h"
#include "util/sort.h"
#include "modelgate/stats.h"

/* A statistic computed for several replicates at once (so that one pass
 * over its data serves them all while the data are in cache): keys[i] is
 * the key of replicate first + i (mg_bootstrap_key), and out[i * nstats + s]
 * receives statistic s of that replicate. A replicate's values must depend
 * on its key only, never on which others share the call. */
typedef mg_status (*mg__bootstrap_batch_fn)(void *ctx, const uint64_t *keys, int count,
                                            double *out);

/* Replicates handed to one mg__bootstrap_batch_fn call, at most. */
#define MG__BOOTSTRAP_BATCH 8

/* mg_bootstrap_run for a batch statistic: the same replicates, keys, chunks
 * over threads and result (independent of the thread count). */
mg_status mg__bootstrap_run_batch(const mg_bootstrap_options *opts, int nstats,
                                  mg__bootstrap_batch_fn fn, void *ctx, mg_bootstrap *out,
                                  mg_error *err);

#endif
