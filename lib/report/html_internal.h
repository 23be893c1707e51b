/* html_internal.h - report.html's renderer, called by mg_report_render
 * (lib/report/render.c) for MG_REPORT_HTML. */
#ifndef MG_REPORT_HTML_INTERNAL_H
#define MG_REPORT_HTML_INTERNAL_H

#include "internal.h"
#include "modelgate/render.h"

/* Renders report.html (DESIGN §13) from the JSON texts of `in`: one
 * self-contained HTML5 document (inline CSS and SVG, no script, no external
 * asset; a Content-Security-Policy that forbids every load) with the gates,
 * metrics with their intervals, ROC/PR/calibration curves, fairness per
 * attribute with per-group selection-rate bars and the band, latency with its
 * histogram, the comparison's deltas, and provenance. A file or key that is
 * absent leaves its section or chart out with a one-line note. Every string
 * from the data is escaped (invalid UTF-8 and control characters become
 * U+FFFD); a missing group value shows as an italic "missing".
 *
 * `o` may be NULL (no option applies to HTML yet). On success *out
 * (malloc'd, NUL-terminated, the caller frees it) and *len hold the
 * document. Errors: in->gate_json NULL, any input that is not JSON (MG_ERR_DATA
 * naming the file, line and column, with err->place set), gate.json not an
 * object or its "verdict" not a string or its "gates" not an array
 * (MG_ERR_DATA naming the key); MG_ERR_NOMEM. *out is NULL on error. */
mg_status mg__report_html(const mg_report_inputs *in, const mg_report_options *o, char **out,
                          size_t *len, mg_error *err);

#endif
