/* json.c - the streaming JSON writer. */
#include "util/json.h"

#include <math.h>

static void indent(mg__json *j) {
    mg__buf_append(&j->out, "\n", 1);
    for (int i = 0; i < j->depth; i++)
        mg__buf_append(&j->out, "  ", 2);
}

/* Separator and indentation before a value or a key. */
static void before_item(mg__json *j) {
    if (j->after_key) {
        j->after_key = false;
        return;
    }
    if (j->depth > 0) {
        if (j->need_comma[j->depth])
            mg__buf_append(&j->out, ",", 1);
        indent(j);
    }
    j->need_comma[j->depth] = true;
}

static void open_scope(mg__json *j, char c) {
    before_item(j);
    mg__buf_append(&j->out, &c, 1);
    if (j->depth + 1 < MG__JSON_MAX_DEPTH)
        j->depth++;
    j->need_comma[j->depth] = false;
}

static void close_scope(mg__json *j, char c) {
    bool any = j->need_comma[j->depth];
    if (j->depth > 0)
        j->depth--;
    if (any)
        indent(j);
    mg__buf_append(&j->out, &c, 1);
}

void mg__json_begin_object(mg__json *j) {
    open_scope(j, '{');
}
void mg__json_end_object(mg__json *j) {
    close_scope(j, '}');
}
void mg__json_begin_array(mg__json *j) {
    open_scope(j, '[');
}
void mg__json_end_array(mg__json *j) {
    close_scope(j, ']');
}

static void write_escaped(mg__buf *b, const char *s) {
    mg__buf_append(b, "\"", 1);
    for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
        unsigned char c = *p;
        switch (c) {
        case '"': mg__buf_append(b, "\\\"", 2); break;
        case '\\': mg__buf_append(b, "\\\\", 2); break;
        case '\n': mg__buf_append(b, "\\n", 2); break;
        case '\r': mg__buf_append(b, "\\r", 2); break;
        case '\t': mg__buf_append(b, "\\t", 2); break;
        default:
            if (c < 0x20 || c == 0x7f) {
                mg__buf_printf(b, "\\u%04x", c);
            } else if (c < 0x80) {
                mg__buf_append(b, p, 1);
            } else {
                /* JSON is UTF-8: an invalid sequence from the data becomes
                 * U+FFFD, so strict readers accept the file. */
                bool ok;
                size_t n = mg__utf8_decode(p, SIZE_MAX, &ok);
                if (ok)
                    mg__buf_append(b, p, n);
                else
                    mg__buf_append(b, "\xEF\xBF\xBD", 3);
                p += n - 1;
            }
        }
    }
    mg__buf_append(b, "\"", 1);
}

void mg__json_key(mg__json *j, const char *key) {
    before_item(j);
    write_escaped(&j->out, key);
    mg__buf_append(&j->out, ": ", 2);
    j->after_key = true;
}

void mg__json_string(mg__json *j, const char *s) {
    if (s == NULL) {
        mg__json_null(j);
        return;
    }
    before_item(j);
    write_escaped(&j->out, s);
}

void mg__json_number(mg__json *j, double v) {
    if (!isfinite(v)) {
        mg__json_null(j);
        return;
    }
    before_item(j);
    char buf[40];
    if (v == 0)
        v = 0; /* no "-0" */
    int n = mg_format_double(v, buf, sizeof buf);
    mg__buf_append(&j->out, buf, (size_t)n);
}

void mg__json_int(mg__json *j, int64_t v) {
    before_item(j);
    mg__buf_printf(&j->out, "%" PRId64, v);
}

void mg__json_bool(mg__json *j, bool v) {
    before_item(j);
    mg__buf_puts(&j->out, v ? "true" : "false");
}

void mg__json_null(mg__json *j) {
    before_item(j);
    mg__buf_puts(&j->out, "null");
}

void mg__json_kv_string(mg__json *j, const char *key, const char *s) {
    mg__json_key(j, key);
    mg__json_string(j, s);
}
void mg__json_kv_number(mg__json *j, const char *key, double v) {
    mg__json_key(j, key);
    mg__json_number(j, v);
}
void mg__json_kv_int(mg__json *j, const char *key, int64_t v) {
    mg__json_key(j, key);
    mg__json_int(j, v);
}
void mg__json_kv_bool(mg__json *j, const char *key, bool v) {
    mg__json_key(j, key);
    mg__json_bool(j, v);
}
void mg__json_kv_null(mg__json *j, const char *key) {
    mg__json_key(j, key);
    mg__json_null(j);
}
void mg__json_kv_value(mg__json *j, const char *key, mg_value v) {
    mg__json_key(j, key);
    if (v.null_reason != NULL)
        mg__json_null(j);
    else
        mg__json_number(j, v.v);
}

char *mg__json_finish(mg__json *j, size_t *len) {
    mg__buf_append(&j->out, "\n", 1);
    size_t n = j->out.len;
    char *s = mg__buf_detach(&j->out);
    if (len != NULL)
        *len = s ? n : 0;
    return s;
}
