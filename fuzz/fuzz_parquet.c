/* fuzz_parquet.c - libFuzzer target: the Parquet reader on arbitrary bytes.
 *
 * Any input must end in MG_OK or an error status with a message, never in a
 * crash, a read outside the buffer, a leak or a hang. The bytes are read twice:
 * every column on one thread, then only the first column the file names on
 * several threads, so that column selection and the parallel row-group path see
 * the same corrupt input. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "data/data.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    mg_read_options opts;
    memset(&opts, 0, sizeof opts);
    opts.threads = 1;
    mg_table *table = NULL;
    mg_error err;
    char *first = NULL;
    if (mg__parquet_read_buffer((const char *)data, size, "fuzz", &opts, &table, &err) == MG_OK) {
        if (table->ncols > 0)
            first = strdup(table->cols[0].name);
        mg_table_free(table);
    } else if (err.text[0] == '\0') {
        abort(); /* a failure must say why */
    }
    if (first != NULL) {
        const char *const columns[1] = {first};
        opts.columns = columns;
        opts.ncolumns = 1;
        opts.threads = 4;
        table = NULL;
        if (mg__parquet_read_buffer((const char *)data, size, "fuzz", &opts, &table, &err) == MG_OK)
            mg_table_free(table);
        free(first);
    }
    return 0;
}
