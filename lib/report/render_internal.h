/* render_internal.h - what the report writers (render.c, markdown.c, junit.c,
 * github.c, model_card.c, html.c, svg.c) share: the result files loaded as
 * jansson trees, one way to print numbers, the verdicts' names and symbols,
 * and the escaping of data text. Not installed. */
#ifndef MG_REPORT_RENDER_INTERNAL_H
#define MG_REPORT_RENDER_INTERNAL_H

#include "modelgate/render.h"
#include "util/internal.h"

#include <jansson.h>

/* The result files of one run, parsed. Every tree is owned by the document
 * (released by mg__report_doc_release); a file the run did not write is
 * NULL. Every JSON number is read as a real (json_is_integer is never
 * true). gate is never NULL after a successful load, and is checked: an
 * object with "verdict" (pass|fail|inconclusive) and "gates" (an array of
 * objects, each with a string "name" and "verdict" of
 * pass|fail|inconclusive|skipped; "value", "threshold" numbers or null;
 * "ci" an object or null). The other files are only checked to be JSON
 * objects: the writers read them with the mg__report_get_* helpers below,
 * which treat a missing key or a key of another type as absent. */
typedef struct mg__report_doc {
    json_t *gate, *metrics, *fairness, *latency, *comparison;
    json_t *meta; /* model_meta_json (registry metadata), or NULL */
    /* The file names used in messages ("gate.json" etc. by default). */
    const char *gate_name, *metrics_name, *fairness_name, *latency_name, *comparison_name;
} mg__report_doc;

/* Parses every non-NULL text of `in` into doc (zeroed first). A text that is
 * not JSON fails with MG_ERR_DATA "NAME:LINE:COLUMN: <jansson's message>"
 * (and mg_error_place set to the file, line, column and byte offset); a text
 * that is not an object, or a gate.json that breaks the rules above, fails
 * with MG_ERR_DATA naming the file and the key ("gate.json: gates[2].verdict:
 * ..."). Invalid UTF-8 in a text is read as U+FFFD (lines and columns before
 * the first such byte are exact). On failure nothing is left to release. */
mg_status mg__report_load(const mg_report_inputs *in, mg__report_doc *doc, mg_error *err);
void mg__report_doc_release(mg__report_doc *doc);

/* Typed look-ups on an object (obj may be NULL or not an object: then they
 * find nothing). get_number accepts integers and reals; get_string returns
 * the borrowed UTF-8 text and, when len is not NULL, its length in bytes
 * (the text may hold NUL bytes read from a "\u0000" escape). */
bool mg__report_get_number(json_t *obj, const char *key, double *out);
const char *mg__report_get_string(json_t *obj, const char *key, size_t *len);
json_t *mg__report_get_object(json_t *obj, const char *key);
json_t *mg__report_get_array(json_t *obj, const char *key);

/* Numbers as every report prints them (C locale whatever the process's):
 * integers below 1e15 in full ("2000"), other values from 1000 to 1e15
 * with one decimal ("35231.5"), the rest with 4 significant digits
 * ("0.8645", "0.0001234", "1.25e-07", "1e+300"); NaN and infinities as
 * "n/a". Writes
 * at most cap bytes including the NUL (32 is always enough); returns buf. */
#define MG__REPORT_NUMBER_CAP 32
const char *mg__report_number(double v, char *buf, size_t cap);

/* A JSON number (integer or real) through mg__report_number; anything else
 * (null, missing) gives `absent` (e.g. "n/a"). */
const char *mg__report_json_number(json_t *v, const char *absent, char *buf, size_t cap);

/* "0.8645 [0.8488, 0.8788]" (value and its interval) into b, or only the
 * value when low or high is not a number; "n/a" when value is not one. ci
 * may be NULL; its bounds are read from "low"/"high" or, failing those,
 * "ci_low"/"ci_high" of `ci_holder` (comparison.json's deltas). */
void mg__report_value_ci(mg__buf *b, json_t *value, json_t *ci,
                         json_t *ci_holder);

/* A gate's verdict ("pass", "fail", "inconclusive", "skipped") as a symbol:
 * ✅, ❌, ⚠️, ⏭️ (UTF-8; "❔" for anything else). */
const char *mg__report_verdict_emoji(const char *verdict);

/* The verdict's severity, used to order gates worst first: fail 3,
 * inconclusive 2, skipped 1, pass 0 (anything else -1). */
int mg__report_verdict_rank(const char *verdict);

/* ">=" as "≥", "<=" as "≤" (the only operators mg__report_load lets
 * through), anything else as "" (static). */
const char *mg__report_op_symbol(const char *op);

/* Appends text for one output format: s[0..len) is data (untrusted). */
typedef void (*mg__report_text_fn)(mg__buf *b, const char *s, size_t len);

/* Appends s[0..len) for HTML text or a quoted attribute value: & < > " '
 * as entities, control characters other than tab and newline dropped,
 * invalid UTF-8 as U+FFFD. */
void mg__report_html_text(mg__buf *b, const char *s, size_t len);

/* Appends a JSON string's text through esc (a non-string appends nothing). */
void mg__report_json_text(mg__buf *b, json_t *v, mg__report_text_fn esc);

/* Appends a group's value as fairness.json writes it (§18): a string through
 * esc; null as `missing_markup` appended as it is (Markdown "*missing*",
 * HTML "<i>missing</i>"); an array (an intersection) as its items joined
 * with " × ". */
void mg__report_group_label(mg__buf *b, json_t *value, mg__report_text_fn esc,
                            const char *missing_markup);

/* An attribute as gate.json or fairness.json names it (a string, or an
 * array of strings for an intersection, joined with " × ") through esc. */
void mg__report_attribute_label(mg__buf *b, json_t *attr, mg__report_text_fn esc);

/* The HTML report (lib/report/html.c): same contract as mg_report_render. */
mg_status mg__report_html(const mg_report_inputs *in, const mg_report_options *o, char **out,
                          size_t *len, mg_error *err);

/* The other writers (one file each), same contract as mg_report_render; doc
 * is loaded and o has its defaults filled in. */
mg_status mg__report_markdown(const mg__report_doc *doc, const mg_report_options *o, char **out,
                              size_t *len, mg_error *err);
mg_status mg__report_junit(const mg__report_doc *doc, const mg_report_options *o, char **out,
                           size_t *len, mg_error *err);
mg_status mg__report_github(const mg__report_doc *doc, const mg_report_options *o, char **out,
                            size_t *len, mg_error *err);
mg_status mg__report_model_card(const mg__report_doc *doc, const mg_report_options *o, char **out,
                                size_t *len, mg_error *err);

/* Fills o's zero fields with the defaults (marker "gate", 65,000 bytes, 10
 * annotations); o NULL gives all defaults in *out. */
void mg__report_options_resolve(const mg_report_options *o, mg_report_options *out);

/* Detaches b into *out and *len, or fails with MG_ERR_NOMEM when an append
 * failed (b is released either way). */
mg_status mg__report_finish(mg__buf *b, char **out, size_t *len, mg_error *err);

#endif
