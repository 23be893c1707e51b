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

/* The CSV reader behind mg_csv_read_buffer, with the chunk size exposed so
 * that tests can force a parallel parse of small inputs: 0 picks it from the
 * input size and opts->threads (a single chunk below 8 MiB). */
mg_status mg__csv_read(const char *data, size_t len, const char *source,
                       const mg_read_options *opts, size_t chunk_bytes, mg_table **out,
                       mg_error *err);

/* mg__csv_read of a whole file mapped read-only and private (mg__file with
 * mapped == 1): the same table, but each pass gives back the pages it has
 * read, so the file is never resident in full. Never for other memory: the
 * pages would read back as zeros. */
mg_status mg__csv_read_mapped(const char *data, size_t len, const char *source,
                              const mg_read_options *opts, mg_table **out, mg_error *err);

/* The header's column names of CSV bytes, read without the rows: *names is
 * a new array of *n new strings (caller frees each and the array). */
mg_status mg__csv_header(const char *data, size_t len, const char *source,
                         const mg_read_options *opts, char ***names, int *n, mg_error *err);

/* The flat columns of a Parquet file's footer (names and types) without the
 * data pages: appended to *cols / *n (grown with realloc). */
mg_status mg__parquet_columns(const char *data, size_t size, const char *source,
                              mg_column_schema **cols, int *n, mg_error *err);

/* The columns of a directory of Parquet parts: its first part's schema. */
mg_status mg__parquet_dir_columns(const char *dir, const mg_read_options *opts,
                                  mg_column_schema **cols, int *n, mg_error *err);

#endif
