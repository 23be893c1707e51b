/* render.h - the human-facing reports (DESIGN §13), made from the JSON result
 * files alone: report.md (the pull-request comment), report.html (one
 * self-contained file with inline SVG charts), junit.xml, a Model Card
 * Toolkit document, and GitHub Actions' workflow commands and outputs.
 *
 * `modelgate gate` renders them right after writing the JSON files and
 * `modelgate report --results DIR` renders them again from those files, with
 * the same functions, so both give the same bytes.
 *
 * Every text taken from the results (group values, column and model names)
 * comes from untrusted data and is escaped for the format it lands in. */
#ifndef MODELGATE_RENDER_H
#define MODELGATE_RENDER_H

#include "modelgate.h"

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

typedef enum mg_report_format {
    MG_REPORT_MARKDOWN = 0, /* report.md */
    MG_REPORT_HTML,         /* report.html */
    MG_REPORT_JUNIT,        /* junit.xml */
    MG_REPORT_MODEL_CARD,   /* model-card.json (Model Card Toolkit schema) */
    MG_REPORT_GITHUB        /* workflow commands (::error ...), one per line */
} mg_report_format;

/* Parses "markdown", "html", "junit", "model-card", "github"; -1 when unknown. */
MG_API int mg_report_format_parse(const char *name, mg_report_format *out);

/* The results of one run, as the JSON texts of its files (NUL-terminated
 * UTF-8; borrowed). Any may be NULL when the run did not write that file;
 * gate.json is required by every format. `*_name` are the file names shown
 * in messages (NULL = the default name). */
typedef struct mg_report_inputs {
    const char *gate_json, *metrics_json, *fairness_json, *latency_json, *comparison_json;
    const char *gate_name, *metrics_name, *fairness_name, *latency_name, *comparison_name;
    /* Model Card only: the registry's metadata of the model as a JSON object
     * text (name, version, meta key/values); NULL = none. */
    const char *model_meta_json;
} mg_report_inputs;

/* The smallest report.md size cap: room for the floor that is never cut
 * (the marker, the title with the verdict, the count of gates, and the gates
 * table or the line saying how many of its rows were cut). */
#define MG_REPORT_MARKDOWN_MIN 1024

typedef struct mg_report_options {
    /* report.md's hidden marker <!-- modelgate:ID -->; NULL = the "marker"
     * gate.json keeps (the one the run was given), else "gate". An ID
     * is 1 to 64 of A-Z a-z 0-9 . _ - (mg_github_marker_id_valid); another
     * is MG_ERR_USAGE. */
    const char *marker_id;
    /* report.md's size cap in bytes; 0 = 65,000 (GitHub's 65,536-character
     * comment limit); a cap below MG_REPORT_MARKDOWN_MIN is MG_ERR_USAGE. */
    size_t max_markdown;
    int max_annotations;     /* per kind (error, warning, notice); 0 = 10 */
    /* GitHub annotations: a gate's policy file (from its "source") becomes
     * `file=` relative to `workspace` ($GITHUB_WORKSPACE, an absolute path)
     * when it lies under it, and no `file=` when it does not; a relative
     * path is taken from `cwd` (the directory it was written from, absolute;
     * NULL = the workspace). workspace NULL: a relative path is given as it
     * is and an absolute one gets no `file=` (GitHub could not map it). The
     * paths are compared as text, after removing "." and ".." parts.
     * Borrowed. */
    const char *workspace, *cwd;
} mg_report_options;

/* Sets the defaults above. */
MG_API void mg_report_options_init(mg_report_options *o);

/* Renders one report. *out (malloc'd, NUL-terminated, owned by the caller)
 * and *len receive it. Errors: gate.json missing or any input that is not
 * the JSON its name says (MG_ERR_DATA naming the file, line and column, or
 * the key that is missing or of the wrong type); MG_ERR_NOMEM. */
MG_API mg_status mg_report_render(mg_report_format format, const mg_report_inputs *in,
                                  const mg_report_options *o, char **out, size_t *len,
                                  mg_error *err);

/* The lines to append to $GITHUB_OUTPUT: verdict, each gated metric by name
 * (dots and other characters outside [A-Za-z0-9_-] as '_'), accuracy and
 * p99_ms when known, report (= report_path when not NULL), gate_json (=
 * gate_path when not NULL). A value with a newline uses the
 * `name<<DELIMITER` form with a delimiter that occurs in no value, drawn
 * from `seed`. *out owned by the caller. Errors as mg_report_render. */
MG_API mg_status mg_report_github_outputs(const mg_report_inputs *in, const char *report_path,
                                          const char *gate_path, uint64_t seed, char **out,
                                          size_t *len, mg_error *err);

#ifdef __cplusplus
}
#endif

#endif
