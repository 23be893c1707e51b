/* junit.c - junit.xml: one testsuite "modelgate", one testcase per gate
 * (classname "modelgate.<kind>", name = the gate's name), a <failure> for a
 * failed gate, <skipped/> for a skipped one, and an inconclusive gate as a
 * failure (type "inconclusive") when gate.json's on_inconclusive is "fail"
 * (or absent), else as skipped. Valid against the Jenkins xUnit plugin's
 * junit-10.xsd, which CI test reporters read (it has no "skipped" on
 * <testsuites>, so only <testsuite> carries it). */
#include "report/render_internal.h"

/* XML text or attribute value: & < > " ' as entities, tab/LF/CR as
 * character references (kept in attributes), every other character that XML
 * 1.0 forbids (C0 controls, U+FFFE, U+FFFF) dropped, invalid UTF-8 as
 * U+FFFD. */
static void xml_text(mg__buf *b, const char *s, size_t len) {
    const unsigned char *p = (const unsigned char *)s;
    size_t i = 0;
    while (i < len) {
        unsigned char c = p[i];
        if (c < 0x80) {
            switch (c) {
            case '&': mg__buf_puts(b, "&amp;"); break;
            case '<': mg__buf_puts(b, "&lt;"); break;
            case '>': mg__buf_puts(b, "&gt;"); break;
            case '"': mg__buf_puts(b, "&quot;"); break;
            case '\'': mg__buf_puts(b, "&apos;"); break;
            case '\t': mg__buf_puts(b, "&#9;"); break;
            case '\n': mg__buf_puts(b, "&#10;"); break;
            case '\r': mg__buf_puts(b, "&#13;"); break;
            default:
                if (c >= 0x20)
                    mg__buf_append(b, &c, 1);
            }
            i++;
            continue;
        }
        bool ok;
        size_t n = mg__utf8_decode(p + i, len - i, &ok);
        if (!ok)
            mg__buf_puts(b, "\xEF\xBF\xBD");
        else if (!(n == 3 && c == 0xEF && p[i + 1] == 0xBF && p[i + 2] >= 0xBE))
            mg__buf_append(b, p + i, n);
        i += n;
    }
}

static void xml_json(mg__buf *b, json_t *v) {
    mg__report_json_text(b, v, xml_text);
}

static void xml_str(mg__buf *b, const char *s) {
    xml_text(b, s, strlen(s));
}

/* "accuracy 0.8645 [0.8488, 0.8788], threshold >= 0.85: <reason>" */
static void describe(mg__buf *b, json_t *g) {
    mg__buf tmp = {0};
    json_t *metric = json_object_get(g, "metric");
    if (json_is_string(metric)) {
        mg__buf_append(&tmp, json_string_value(metric), json_string_length(metric));
        mg__buf_puts(&tmp, " ");
    }
    mg__report_value_ci(&tmp, json_object_get(g, "value"), json_object_get(g, "ci"), NULL);
    const char *op = mg__report_get_string(g, "op", NULL);
    json_t *thr = json_object_get(g, "threshold");
    if (json_is_number(thr)) {
        char nb[MG__REPORT_NUMBER_CAP];
        mg__buf_printf(&tmp, ", threshold %s %s", op != NULL ? op : "",
                       mg__report_number(json_number_value(thr), nb, sizeof nb));
    }
    size_t rlen;
    const char *reason = mg__report_get_string(g, "reason", &rlen);
    if (reason != NULL) {
        mg__buf_puts(&tmp, ": ");
        mg__buf_append(&tmp, reason, rlen);
    }
    const char *vr = mg__report_get_string(g, "value_reason", &rlen);
    if (vr != NULL) {
        mg__buf_puts(&tmp, " (");
        mg__buf_append(&tmp, vr, rlen);
        mg__buf_puts(&tmp, ")");
    }
    b->failed |= tmp.failed;
    if (tmp.data != NULL)
        xml_text(b, tmp.data, tmp.len);
    mg__buf_release(&tmp);
}

mg_status mg__report_junit(const mg__report_doc *doc, const mg_report_options *o, char **out,
                           size_t *len, mg_error *err) {
    MG_UNUSED(o);
    json_t *gates = json_object_get(doc->gate, "gates");
    const char *oi = mg__report_get_string(doc->gate, "on_inconclusive", NULL);
    bool inconclusive_fails = oi == NULL || strcmp(oi, "fail") == 0;
    size_t tests = json_array_size(gates), failures = 0, skipped = 0;
    size_t i;
    json_t *g;
    json_array_foreach(gates, i, g) {
        const char *v = mg__report_get_string(g, "verdict", NULL);
        if (strcmp(v, "fail") == 0 || (strcmp(v, "inconclusive") == 0 && inconclusive_fails))
            failures++;
        else if (strcmp(v, "skipped") == 0 || strcmp(v, "inconclusive") == 0)
            skipped++;
    }
    mg__buf b = {0};
    mg__buf_puts(&b, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
    mg__buf_printf(&b,
                   "<testsuites name=\"modelgate\" tests=\"%zu\" failures=\"%zu\" errors=\"0\" "
                   "time=\"0\">\n",
                   tests, failures);
    mg__buf_printf(&b,
                   "  <testsuite name=\"modelgate\" tests=\"%zu\" failures=\"%zu\" errors=\"0\" "
                   "skipped=\"%zu\" time=\"0\"",
                   tests, failures, skipped);
    json_t *prov = mg__report_get_object(doc->gate, "provenance");
    json_t *at = json_object_get(prov, "created_at");
    if (json_is_string(at)) {
        mg__buf_puts(&b, " timestamp=\"");
        xml_json(&b, at);
        mg__buf_puts(&b, "\"");
    }
    mg__buf_puts(&b, ">\n    <properties>\n");
    mg__buf_puts(&b, "      <property name=\"verdict\" value=\"");
    xml_json(&b, json_object_get(doc->gate, "verdict"));
    mg__buf_puts(&b, "\"/>\n");
    if (oi != NULL) {
        mg__buf_puts(&b, "      <property name=\"on_inconclusive\" value=\"");
        xml_str(&b, oi);
        mg__buf_puts(&b, "\"/>\n");
    }
    static const char *const pkeys[] = {"model", "model_sha256", "data", "data_sha256",
                                        "policy_sha256", "baseline", "baseline_sha256",
                                        "modelgate_version"};
    for (size_t k = 0; k < MG_ARRAY_LEN(pkeys); k++) {
        json_t *v = json_object_get(prov, pkeys[k]);
        if (!json_is_string(v))
            continue;
        mg__buf_printf(&b, "      <property name=\"%s\" value=\"", pkeys[k]);
        xml_json(&b, v);
        mg__buf_puts(&b, "\"/>\n");
    }
    mg__buf_puts(&b, "    </properties>\n");
    json_array_foreach(gates, i, g) {
        const char *v = mg__report_get_string(g, "verdict", NULL);
        json_t *kind = json_object_get(g, "kind");
        mg__buf_puts(&b, "    <testcase classname=\"modelgate.");
        if (json_is_string(kind))
            xml_json(&b, kind);
        else
            mg__buf_puts(&b, "gate");
        mg__buf_puts(&b, "\" name=\"");
        xml_json(&b, json_object_get(g, "name"));
        mg__buf_puts(&b, "\" time=\"0\"");
        bool inconclusive = strcmp(v, "inconclusive") == 0;
        if (strcmp(v, "pass") == 0) {
            mg__buf_puts(&b, "/>\n");
            continue;
        }
        mg__buf_puts(&b, ">\n");
        if (strcmp(v, "fail") == 0 || (inconclusive && inconclusive_fails)) {
            mg__buf_printf(&b, "      <failure type=\"%s\" message=\"",
                           inconclusive ? "inconclusive" : "fail");
            describe(&b, g);
            mg__buf_puts(&b, "\">");
            json_t *src = json_object_get(g, "source");
            if (json_is_string(src)) {
                mg__buf_puts(&b, "policy: ");
                xml_json(&b, src);
            }
            mg__buf_puts(&b, "</failure>\n");
        } else {
            mg__buf_puts(&b, "      <skipped message=\"");
            if (inconclusive)
                mg__buf_puts(&b, "inconclusive: ");
            describe(&b, g);
            mg__buf_puts(&b, "\"/>\n");
        }
        mg__buf_puts(&b, "    </testcase>\n");
    }
    mg__buf_puts(&b, "  </testsuite>\n</testsuites>\n");
    return mg__report_finish(&b, out, len, err);
}
