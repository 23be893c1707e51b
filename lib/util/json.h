/* json.h - a streaming JSON writer for the output contracts (DESIGN §5):
 * keys in the order written, 2-space indentation, numbers in shortest
 * round-trip form, and never nan/inf (they become null). */
#ifndef MG_UTIL_JSON_H
#define MG_UTIL_JSON_H

#include "internal.h"
#include "modelgate/metrics.h"

#define MG__JSON_MAX_DEPTH 32

typedef struct mg__json {
    mg__buf out;
    int depth;
    bool need_comma[MG__JSON_MAX_DEPTH];
    bool after_key;
} mg__json;

void mg__json_begin_object(mg__json *j);
void mg__json_end_object(mg__json *j);
void mg__json_begin_array(mg__json *j);
void mg__json_end_array(mg__json *j);
void mg__json_key(mg__json *j, const char *key);
void mg__json_string(mg__json *j, const char *s); /* NULL writes null */
void mg__json_number(mg__json *j, double v);      /* non-finite writes null */
void mg__json_int(mg__json *j, int64_t v);
void mg__json_bool(mg__json *j, bool v);
void mg__json_null(mg__json *j);

/* key: value pairs. */
void mg__json_kv_string(mg__json *j, const char *key, const char *s);
void mg__json_kv_number(mg__json *j, const char *key, double v);
void mg__json_kv_int(mg__json *j, const char *key, int64_t v);
void mg__json_kv_bool(mg__json *j, const char *key, bool v);
void mg__json_kv_null(mg__json *j, const char *key);
/* A metric value: the number, or null when v.null_reason is set. */
void mg__json_kv_value(mg__json *j, const char *key, mg_value v);

/* Finishes the document (trailing newline) and returns it: a new string the
 * caller frees with free(), or NULL when memory ran out. */
char *mg__json_finish(mg__json *j, size_t *len);

#endif
