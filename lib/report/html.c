/* html.c - report.html, minimal: the title, the verdict and the gates table
 * in one self-contained page, everything from the data HTML-escaped. (The
 * full report with its charts replaces this file.) */
#include "report/render_internal.h"

mg_status mg__report_html(const mg_report_inputs *in, const mg_report_options *o, char **out,
                          size_t *len, mg_error *err) {
    MG_UNUSED(o);
    mg__report_doc doc;
    MG_TRY(mg__report_load(in, &doc, err));
    const char *verdict = mg__report_get_string(doc.gate, "verdict", NULL);
    mg__buf b = {0};
    mg__buf_printf(&b,
                   "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
                   "<title>modelgate: %s</title>\n</head>\n<body>\n"
                   "<h1>%s modelgate: %s</h1>\n<table>\n<thead><tr><th>Gate</th><th>Value</th>"
                   "<th>Threshold</th><th>Status</th></tr></thead>\n<tbody>\n",
                   verdict, mg__report_verdict_emoji(verdict), verdict);
    size_t i;
    json_t *g;
    json_array_foreach(json_object_get(doc.gate, "gates"), i, g) {
        const char *v = mg__report_get_string(g, "verdict", NULL);
        mg__buf_puts(&b, "<tr><td>");
        mg__report_json_text(&b, json_object_get(g, "name"), mg__report_html_text);
        mg__buf_puts(&b, "</td><td>");
        mg__report_value_ci(&b, json_object_get(g, "value"), json_object_get(g, "ci"), NULL);
        mg__buf_puts(&b, "</td><td>");
        mg__buf_puts(&b, mg__report_op_symbol(mg__report_get_string(g, "op", NULL)));
        char nb[MG__REPORT_NUMBER_CAP];
        mg__buf_printf(&b, " %s</td><td>%s %s</td></tr>\n",
                       mg__report_json_number(json_object_get(g, "threshold"), "", nb, sizeof nb),
                       mg__report_verdict_emoji(v), v);
    }
    mg__buf_puts(&b, "</tbody>\n</table>\n</body>\n</html>\n");
    mg__report_doc_release(&doc);
    return mg__report_finish(&b, out, len, err);
}
