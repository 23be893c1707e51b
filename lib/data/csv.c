/* csv.c - the CSV reader (RFC 4180) into an mg_table. */
#include "internal.h"

mg_status mg_csv_read_buffer(const char *data, size_t len, const char *source,
                             const mg_read_options *opts, mg_table **out, mg_error *err) {
    (void)data;
    (void)len;
    (void)opts;
    *out = NULL;
    return mg__fail(err, MG_ERR_UNSUPPORTED, "%s: the CSV reader is not built yet", source);
}
