/* sort.h - the one sort behind the rank statistics (ROC AUC, DeLong, the
 * ranked bootstrap passes, regression bootstraps), shared by the stages that
 * need it (mg__ tier). */
#ifndef MG_UTIL_SORT_H
#define MG_UTIL_SORT_H

#include "internal.h"

/* Fills order[0..n) with the row indices sorted by ascending score, ties in
 * row order (a stable LSD radix sort on the bits of the doubles: O(n)).
 * Scores must not be NaN; -0.0 sorts with 0.0. Scores already in ascending
 * order cost one pass. Returns MG_ERR_NOMEM or MG_OK. */
mg_status mg__sort_by_score(const double *score, int64_t n, int64_t *order);

#endif
