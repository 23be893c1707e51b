/* parquet.c - Parquet entry points (the reader lands in this folder). */
#include "data/data.h"

mg_status mg__parquet_read_buffer(const char *data, size_t size, const char *source,
                                  const mg_read_options *opts, mg_table **out, mg_error *err) {
    (void)data;
    (void)size;
    (void)opts;
    *out = NULL;
    return mg__fail(err, MG_ERR_UNSUPPORTED, "%s: byte 0: Parquet input is not readable yet",
                    source);
}

mg_status mg__parquet_read_dir(const char *dir, const mg_read_options *opts, mg_table **out,
                               mg_error *err) {
    (void)opts;
    *out = NULL;
    return mg__fail(err, MG_ERR_UNSUPPORTED, "%s: is a directory; Parquet part directories are not readable yet", dir);
}
