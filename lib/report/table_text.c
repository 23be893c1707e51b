/* table_text.c - a table as text for people and tools (`modelgate inspect`):
 * its schema, or its values as JSON or CSV. */
#include "internal.h"
#include "modelgate/report.h"
#include "util/json.h"

#include <inttypes.h>
#include <math.h>
#include <string.h>

/* Non-finite doubles as JSON strings (JSON has no NaN). */
static const char *nonfinite_name(double v) {
    return isnan(v) ? "NaN" : v > 0 ? "Infinity" : "-Infinity";
}

static char *render_json(const mg_table *t, int64_t rows, size_t *len) {
    mg__json j = {0};
    mg__json_begin_object(&j);
    mg__json_kv_string(&j, "source", t->source);
    mg__json_kv_int(&j, "rows", t->nrows);
    mg__json_key(&j, "columns");
    mg__json_begin_array(&j);
    for (int c = 0; c < t->ncols; c++) {
        const mg_column *col = &t->cols[c];
        mg__json_begin_object(&j);
        mg__json_kv_string(&j, "name", col->name);
        mg__json_kv_string(&j, "type", mg_type_name(col->type));
        mg__json_kv_int(&j, "nulls", col->null_count);
        mg__json_key(&j, "values");
        mg__json_begin_array(&j);
        for (int64_t i = 0; i < rows; i++) {
            if (mg_column_is_null(col, i)) {
                mg__json_null(&j);
                continue;
            }
            switch (col->type) {
            case MG_TYPE_F64:
                if (isfinite(col->f64[i]))
                    mg__json_number(&j, col->f64[i]);
                else
                    mg__json_string(&j, nonfinite_name(col->f64[i]));
                break;
            case MG_TYPE_I64: mg__json_int(&j, col->i64[i]); break;
            case MG_TYPE_BOOL: mg__json_bool(&j, col->b[i] != 0); break;
            case MG_TYPE_STR: mg__json_string(&j, col->dict[col->codes[i]]); break;
            }
        }
        mg__json_end_array(&j);
        mg__json_end_object(&j);
    }
    mg__json_end_array(&j);
    mg__json_end_object(&j);
    return mg__json_finish(&j, len);
}

static void csv_field(mg__buf *b, const char *s) {
    if (strpbrk(s, ",\"\r\n") == NULL) {
        mg__buf_puts(b, s);
        return;
    }
    mg__buf_puts(b, "\"");
    for (const char *p = s; *p; p++) {
        if (*p == '"')
            mg__buf_puts(b, "\"");
        mg__buf_append(b, p, 1);
    }
    mg__buf_puts(b, "\"");
}

static char *render_csv(const mg_table *t, int64_t rows, size_t *len) {
    mg__buf b = {0};
    for (int c = 0; c < t->ncols; c++) {
        if (c > 0)
            mg__buf_puts(&b, ",");
        csv_field(&b, t->cols[c].name);
    }
    mg__buf_puts(&b, "\n");
    char cell[64];
    for (int64_t i = 0; i < rows && !b.failed; i++) {
        for (int c = 0; c < t->ncols; c++) {
            const mg_column *col = &t->cols[c];
            if (c > 0)
                mg__buf_puts(&b, ",");
            if (mg_column_is_null(col, i))
                continue;
            if (col->type == MG_TYPE_STR)
                csv_field(&b, col->dict[col->codes[i]]);
            else if (col->type == MG_TYPE_F64 && !isfinite(col->f64[i]))
                mg__buf_puts(&b, nonfinite_name(col->f64[i]));
            else
                mg__buf_puts(&b, mg_column_format(col, i, cell, sizeof cell));
        }
        mg__buf_puts(&b, "\n");
    }
    if (b.failed) {
        mg__buf_release(&b);
        return NULL;
    }
    *len = b.len;
    return mg__buf_detach(&b);
}

static char *render_schema(const mg_table *t, size_t *len) {
    mg__buf b = {0};
    int width = 6;
    for (int c = 0; c < t->ncols; c++) {
        int n = (int)strlen(t->cols[c].name);
        if (n > width)
            width = n < 60 ? n : 60;
    }
    /* The schema is for reading: names from the data are escaped as on stderr. */
    mg__buf name = {0};
    mg__text_escape(&name, t->source, strlen(t->source));
    mg__buf_printf(&b, "%s: %" PRId64 " rows, %d columns\n", name.data ? name.data : "", t->nrows,
                   t->ncols);
    mg__buf_printf(&b, "%-*s  %-6s  %12s  %12s\n", width, "column", "type", "nulls", "rows");
    for (int c = 0; c < t->ncols; c++) {
        const mg_column *col = &t->cols[c];
        name.len = 0;
        mg__text_escape(&name, col->name, strlen(col->name));
        mg__buf_printf(&b, "%-*s  %-6s  %12" PRId64 "  %12" PRId64 "\n", width,
                       name.data && !name.failed ? name.data : "", mg_type_name(col->type),
                       col->null_count, col->nrows);
    }
    if (name.failed)
        b.failed = true;
    mg__buf_release(&name);
    if (b.failed) {
        mg__buf_release(&b);
        return NULL;
    }
    *len = b.len;
    return mg__buf_detach(&b);
}

mg_status mg_table_render(const mg_table *t, mg_table_format format, int64_t rows, char **out,
                          size_t *len, mg_error *err) {
    if (rows < 0 || rows > t->nrows)
        rows = t->nrows;
    size_t n = 0;
    char *text = format == MG_TABLE_JSON  ? render_json(t, rows, &n)
                 : format == MG_TABLE_CSV ? render_csv(t, rows, &n)
                                          : render_schema(t, &n);
    if (text == NULL)
        return mg__nomem(err, "the table's text");
    *out = text;
    if (len != NULL)
        *len = n;
    return MG_OK;
}

char *mg_text_escape(const char *s, size_t len, size_t *out_len) {
    mg__buf b = {0};
    mg__text_escape(&b, s, len);
    if (b.failed || b.data == NULL) {
        if (!b.failed && b.data == NULL) {
            char *empty = mg__strdup("");
            if (out_len != NULL && empty != NULL)
                *out_len = 0;
            return empty;
        }
        mg__buf_release(&b);
        return NULL;
    }
    if (out_len != NULL)
        *out_len = b.len;
    return mg__buf_detach(&b);
}
