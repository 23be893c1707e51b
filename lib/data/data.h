/* data.h - internal entry points of the data readers (lib/data). */
#ifndef MG_DATA_H
#define MG_DATA_H

#include "internal.h"

/* Reads a Parquet file held in memory [data, data+size); `source` names it in
 * errors. Same contract as mg_table_read. */
mg_status mg__parquet_read_buffer(const char *data, size_t size, const char *source,
                                  const mg_read_options *opts, mg_table **out, mg_error *err);

/* Reads a directory of Parquet part files with one schema as one table. */
mg_status mg__parquet_read_dir(const char *dir, const mg_read_options *opts, mg_table **out,
                               mg_error *err);

#endif
