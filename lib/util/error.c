/* error.c - the names of the status and verdict enums, and the one-line
 * error struct. */
#include "internal.h"

#include <stdio.h>
#include <string.h>

const char *mg_strerror(mg_status status) {
    switch (status) {
    case MG_OK: return "ok";
    case MG_ERR_USAGE: return "usage error";
    case MG_ERR_IO: return "input/output error";
    case MG_ERR_FORMAT: return "malformed input";
    case MG_ERR_DATA: return "invalid data";
    case MG_ERR_UNSUPPORTED: return "unsupported input";
    case MG_ERR_MODEL: return "model error";
    case MG_ERR_NOMEM: return "out of memory";
    case MG_ERR_INTERNAL: return "internal error";
    }
    return "unknown status";
}

const char *mg_verdict_name(mg_verdict v) {
    switch (v) {
    case MG_VERDICT_PASS: return "pass";
    case MG_VERDICT_FAIL: return "fail";
    case MG_VERDICT_INCONCLUSIVE: return "inconclusive";
    }
    return "unknown";
}

const char *mg_version(void) {
    return MG_VERSION;
}

static void place_clear(mg_error_place *p) {
    p->source[0] = '\0';
    p->line = 0;
    p->column = 0;
    p->offset = -1;
}

void mg_error_clear(mg_error *err) {
    if (err == NULL)
        return;
    err->status = MG_OK;
    err->text[0] = '\0';
    place_clear(&err->place);
}

mg_status mg__error_at(mg_error *err, const char *source, int64_t line, int64_t column,
                       int64_t offset) {
    if (err == NULL)
        return MG_OK;
    snprintf(err->place.source, sizeof err->place.source, "%s", source ? source : "");
    err->place.line = line;
    err->place.column = column;
    err->place.offset = offset;
    return err->status;
}

mg_status mg__fail(mg_error *err, mg_status status, const char *fmt, ...) {
    if (err != NULL) {
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(err->text, sizeof err->text, fmt, ap);
        va_end(ap);
        /* One line, always: a message quoting data must not break it. */
        for (char *p = err->text; *p; p++)
            if (*p == '\n' || *p == '\r')
                *p = ' ';
        err->status = status;
        place_clear(&err->place);
    }
    return status;
}

mg_status mg__nomem(mg_error *err, const char *what) {
    return mg__fail(err, MG_ERR_NOMEM, "out of memory while allocating %s", what);
}
