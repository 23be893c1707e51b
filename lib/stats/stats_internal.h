/* stats_internal.h - helpers shared by the files of lib/stats (mg__ tier). */
#ifndef MG_STATS_INTERNAL_H
#define MG_STATS_INTERNAL_H

#include "internal.h"
#include "util/sort.h"

#endif
