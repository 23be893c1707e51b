/* table.c - the typed columnar table: lookup, access and lifetime. */
#include "internal.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

const char *mg_type_name(mg_type type) {
    switch (type) {
    case MG_TYPE_F64: return "float";
    case MG_TYPE_I64: return "int";
    case MG_TYPE_BOOL: return "bool";
    case MG_TYPE_STR: return "string";
    }
    return "unknown";
}

int mg_column_number(const mg_column *col, int64_t i, double *out) {
    if (mg_column_is_null(col, i))
        return -1;
    switch (col->type) {
    case MG_TYPE_F64: *out = col->f64[i]; return 0;
    case MG_TYPE_I64: *out = (double)col->i64[i]; return 0;
    case MG_TYPE_BOOL: *out = col->b[i] ? 1.0 : 0.0; return 0;
    case MG_TYPE_STR: return -1;
    }
    return -1;
}

const char *mg_column_string(const mg_column *col, int64_t i) {
    if (col->type != MG_TYPE_STR || mg_column_is_null(col, i))
        return NULL;
    return col->dict[col->codes[i]];
}

char *mg_column_format(const mg_column *col, int64_t i, char *buf, size_t cap) {
    if (cap == 0)
        return buf;
    buf[0] = '\0';
    if (mg_column_is_null(col, i))
        return buf;
    switch (col->type) {
    case MG_TYPE_F64: {
        char tmp[40];
        mg_format_double(col->f64[i], tmp, sizeof tmp);
        snprintf(buf, cap, "%s", tmp);
        break;
    }
    case MG_TYPE_I64: snprintf(buf, cap, "%" PRId64, col->i64[i]); break;
    case MG_TYPE_BOOL: snprintf(buf, cap, "%s", col->b[i] ? "true" : "false"); break;
    case MG_TYPE_STR: snprintf(buf, cap, "%s", col->dict[col->codes[i]]); break;
    }
    return buf;
}

int mg_table_column_index(const mg_table *table, const char *name) {
    for (int c = 0; c < table->ncols; c++)
        if (strcmp(table->cols[c].name, name) == 0)
            return c;
    return -1;
}

mg_column *mg_table_column(const mg_table *table, const char *name) {
    int c = mg_table_column_index(table, name);
    return c < 0 ? NULL : &table->cols[c];
}

mg_status mg__column_init(mg_column *col, const char *name, mg_type type, int64_t nrows,
                          mg_error *err) {
    memset(col, 0, sizeof *col);
    col->name = mg__strdup(name);
    col->type = type;
    col->nrows = nrows;
    size_t n = nrows > 0 ? (size_t)nrows : 0;
    void *values = NULL;
    switch (type) {
    case MG_TYPE_F64: values = col->f64 = mg__calloc(n, sizeof(double)); break;
    case MG_TYPE_I64: values = col->i64 = mg__calloc(n, sizeof(int64_t)); break;
    case MG_TYPE_BOOL: values = col->b = mg__calloc(n, 1); break;
    case MG_TYPE_STR: values = col->codes = mg__calloc(n, sizeof(int32_t)); break;
    }
    if (col->name == NULL || values == NULL) {
        mg__column_release(col);
        return mg__nomem(err, "a column");
    }
    return MG_OK;
}

mg_status mg__column_set_null(mg_column *col, int64_t i, mg_error *err) {
    if (col->valid == NULL) {
        size_t bytes = (size_t)(col->nrows + 7) / 8;
        col->valid = mg__malloc(bytes ? bytes : 1);
        if (col->valid == NULL)
            return mg__nomem(err, "a null bitmap");
        memset(col->valid, 0xff, bytes);
    }
    if ((col->valid[i >> 3] >> (i & 7)) & 1) {
        col->valid[i >> 3] &= (uint8_t) ~(1u << (i & 7));
        col->null_count++;
    }
    return MG_OK;
}

size_t mg__type_width(mg_type t) {
    switch (t) {
    case MG_TYPE_F64: return sizeof(double);
    case MG_TYPE_I64: return sizeof(int64_t);
    case MG_TYPE_BOOL: return 1;
    case MG_TYPE_STR: return sizeof(int32_t);
    }
    return 0;
}

void *mg__column_values(mg_column *col) {
    switch (col->type) {
    case MG_TYPE_F64: return col->f64;
    case MG_TYPE_I64: return col->i64;
    case MG_TYPE_BOOL: return col->b;
    case MG_TYPE_STR: return col->codes;
    }
    return NULL;
}

void mg__column_release(mg_column *col) {
    free(col->name);
    free(col->valid);
    free(col->f64);
    free(col->i64);
    free(col->b);
    free(col->codes);
    if (col->dict != NULL)
        for (int32_t k = 0; k < col->ndict; k++)
            free(col->dict[k]);
    free(col->dict);
    memset(col, 0, sizeof *col);
}

void mg_table_free(mg_table *table) {
    if (table == NULL)
        return;
    for (int c = 0; c < table->ncols; c++)
        mg__column_release(&table->cols[c]);
    free(table->cols);
    free(table->source);
    free(table);
}

int64_t mg__max_rows(const mg_read_options *opts) {
    if (opts == NULL || opts->max_rows == 0)
        return MG_MAX_ROWS_DEFAULT;
    return opts->max_rows < 0 ? INT64_MAX : opts->max_rows;
}

mg_status mg__check_rows(const char *source, int64_t nrows, const mg_read_options *opts,
                         mg_error *err) {
    int64_t cap = mg__max_rows(opts);
    if (nrows <= cap)
        return MG_OK;
    return mg__fail(err, MG_ERR_UNSUPPORTED,
                    "%s: %" PRId64 " rows, more than the cap of %" PRId64
                    " (--max-rows; see docs/security.md)",
                    source, nrows, cap);
}
