/* fuzz_csv.c - libFuzzer target: the CSV reader on arbitrary bytes.
 *
 * Any input must end in a table or an error with a message, never a crash, a
 * read outside the buffer or a leak. The oracle beyond "no crash": the same
 * bytes parsed in one piece and in small chunks on several threads must give
 * the same table, or the same error, with each delimiter. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "data/data.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static int same_column(const mg_column *a, const mg_column *b) {
    if (strcmp(a->name, b->name) != 0 || a->type != b->type || a->nrows != b->nrows ||
        a->null_count != b->null_count)
        return 0;
    for (int64_t i = 0; i < a->nrows; i++) {
        if (mg_column_is_null(a, i) != mg_column_is_null(b, i))
            return 0;
        if (mg_column_is_null(a, i))
            continue;
        switch (a->type) {
        case MG_TYPE_F64:
            if (memcmp(&a->f64[i], &b->f64[i], sizeof(double)) != 0)
                return 0;
            break;
        case MG_TYPE_I64:
            if (a->i64[i] != b->i64[i])
                return 0;
            break;
        case MG_TYPE_BOOL:
            if (a->b[i] != b->b[i])
                return 0;
            break;
        case MG_TYPE_STR:
            if (strcmp(mg_column_string(a, i), mg_column_string(b, i)) != 0)
                return 0;
            break;
        }
    }
    return 1;
}

/* One and many pieces agree under the missing-value list in `opts`. */
static void serial_equals_chunked(const uint8_t *data, size_t size, mg_read_options *opts) {
    opts->threads = 1;
    mg_table *one = NULL, *many = NULL;
    mg_error e1, e2;
    mg_status s1 = mg__csv_read((const char *)data, size, "fuzz", opts, 0, &one, &e1);
    opts->threads = 3;
    mg_status s2 = mg__csv_read((const char *)data, size, "fuzz", opts, 7, &many, &e2);
    if (s1 != s2)
        abort();
    if (s1 != MG_OK) {
        if (e1.text[0] == '\0' || strcmp(e1.text, e2.text) != 0)
            abort(); /* a failure says why, and the same way however it was split */
    } else {
        if (one->nrows != many->nrows || one->ncols != many->ncols)
            abort();
        for (int c = 0; c < one->ncols; c++)
            if (!same_column(&one->cols[c], &many->cols[c]))
                abort();
    }
    mg_table_free(one);
    mg_table_free(many);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    mg_read_options opts;
    memset(&opts, 0, sizeof opts);
    serial_equals_chunked(data, size, &opts); /* pandas' default missing values */
    /* A replaced list without the empty field (--na-values '?,None'): empty
     * fields and the default words are text, NaN words still null among numbers. */
    static const char *const custom[] = {"?", "None"};
    opts.na_values = custom;
    opts.nna_values = 2;
    serial_equals_chunked(data, size, &opts);
    /* The other delimiters (--delimiter): the same bytes split on ';', tab
     * and '|', with the default missing values. */
    static const char delims[] = {';', '\t', '|'};
    memset(&opts, 0, sizeof opts);
    for (size_t k = 0; k < sizeof delims; k++) {
        opts.delimiter = delims[k];
        serial_equals_chunked(data, size, &opts);
    }
    return 0;
}
