/* model_card.c - a Model Card Toolkit document (schema v0.0.2,
 * github.com/tensorflow/model-card-toolkit, model_card.schema.json):
 *   model_details          name and version (the registry's metadata when
 *                          given, else the provenance), overview, references
 *   model_parameters.data  the test set with its sha256
 *   quantitative_analysis  every metric of metrics.json and every gated
 *                          value, with its confidence interval
 *                          {lower_bound, upper_bound}, as strings (the
 *                          schema's type; shortest round-trip text); the
 *                          fairness groups' rates as sliced metrics
 *                          ("gender=female")
 *   considerations         ethical_considerations: each fairness measure of
 *                          fairness.json, and the gates that did not pass
 * Strings are copied from the results as they are (json_dumps escapes them
 * for JSON; invalid UTF-8 was already read as U+FFFD). */
#include "report/render_internal.h"
#include "util/json.h"

static json_t *str_n(const char *s, size_t n) {
    return json_stringn_nocheck(s, n);
}

static void set_new(json_t *obj, const char *key, json_t *v, bool *failed) {
    if (v == NULL || json_object_set_new(obj, key, v) != 0)
        *failed = true;
}

static void push_new(json_t *arr, json_t *v, bool *failed) {
    if (v == NULL || json_array_append_new(arr, v) != 0)
        *failed = true;
}

/* A string made with printf. */
static json_t *fmt_string(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static json_t *fmt_string(const char *fmt, ...) {
    mg__buf b = {0};
    va_list ap;
    va_start(ap, fmt);
    char small[512];
    int n = vsnprintf(small, sizeof small, fmt, ap);
    va_end(ap);
    if (n < 0)
        return NULL;
    if ((size_t)n < sizeof small)
        return json_stringn_nocheck(small, (size_t)n);
    if (!mg__buf_reserve(&b, (size_t)n + 1))
        return NULL;
    va_start(ap, fmt);
    vsnprintf(b.data, (size_t)n + 1, fmt, ap);
    va_end(ap);
    json_t *s = json_stringn_nocheck(b.data, (size_t)n);
    mg__buf_release(&b);
    return s;
}

/* Appends text through no escaping (JSON strings are escaped on output). */
static void raw_text(mg__buf *b, const char *s, size_t len) {
    mg__buf_append(b, s, len);
}

static json_t *buf_string(mg__buf *b) {
    if (b->failed)
        return NULL;
    json_t *s = json_stringn_nocheck(b->data != NULL ? b->data : "", b->len);
    mg__buf_release(b);
    return s;
}

/* A number as the schema wants it (v0.0.2 types values and bounds as
 * strings): its shortest round-trip text, "0.8645", "2000". */
static json_t *num_string(json_t *v) {
    char buf[40];
    if (json_is_integer(v))
        snprintf(buf, sizeof buf, "%" PRId64, (int64_t)json_integer_value(v));
    else
        mg_format_double(json_number_value(v), buf, sizeof buf);
    return json_string(buf);
}

/* {"type", "value", "confidence_interval"?, "slice"?}; NULL when v is not a
 * number (the card has no place for an undefined value). */
static json_t *metric(const char *type, json_t *v, json_t *ci, const char *lo_key,
                      const char *hi_key, json_t *slice, bool *failed) {
    if (!json_is_number(v)) {
        json_decref(slice);
        return NULL;
    }
    json_t *m = json_object();
    if (m == NULL) {
        json_decref(slice);
        *failed = true;
        return NULL;
    }
    set_new(m, "type", json_string_nocheck(type), failed);
    set_new(m, "value", num_string(v), failed);
    json_t *lo = ci != NULL ? json_object_get(ci, lo_key) : NULL;
    json_t *hi = ci != NULL ? json_object_get(ci, hi_key) : NULL;
    if (json_is_number(lo) && json_is_number(hi)) {
        json_t *c = json_object();
        set_new(c, "lower_bound", num_string(lo), failed);
        set_new(c, "upper_bound", num_string(hi), failed);
        set_new(m, "confidence_interval", c, failed);
    }
    if (slice != NULL)
        set_new(m, "slice", slice, failed);
    return m;
}

static void add_metrics(json_t *perf, json_t *metrics, bool *failed) {
    json_t *ci = mg__report_get_object(metrics, "ci");
    const char *key;
    json_t *v;
    json_object_foreach(metrics, key, v) {
        if (!json_is_number(v) || strcmp(key, "threshold") == 0 || strcmp(key, "n") == 0)
            continue;
        json_t *m = metric(key, v, mg__report_get_object(ci, key), "low", "high", NULL, failed);
        if (m != NULL)
            push_new(perf, m, failed);
    }
}

static void add_fairness(json_t *perf, json_t *risks, json_t *fair, bool *failed) {
    static const char *const measures[] = {"demographic_parity", "equalized_odds",
                                           "equal_opportunity"};
    static const struct {
        const char *key, *ci;
    } rates[] = {{"selection_rate", "selection_rate_ci"},
                 {"tpr", "tpr_ci"},
                 {"fpr", "fpr_ci"},
                 {"accuracy", "accuracy_ci"}};
    double threshold = 0, threshold_high = 0;
    bool band = mg__report_get_number(fair, "threshold", &threshold) &&
                mg__report_get_number(fair, "threshold_high", &threshold_high);
    char nb[4][MG__REPORT_NUMBER_CAP];
    for (size_t mi = 0; mi < MG_ARRAY_LEN(measures); mi++) {
        const char *attr;
        json_t *e;
        json_object_foreach(mg__report_get_object(fair, measures[mi]), attr, e) {
            if (!json_is_object(e))
                continue;
            mg__buf label = {0};
            json_t *attrs = json_object_get(e, "attributes");
            if (json_is_array(attrs))
                mg__report_attribute_label(&label, attrs, raw_text);
            else
                mg__buf_puts(&label, attr);
            const char *lab = label.data != NULL ? label.data : "";
            const char *verdict = mg__report_get_string(e, "verdict", NULL);
            bool gated = json_is_true(json_object_get(e, "gated"));
            json_t *risk = json_object();
            set_new(risk, "name",
                    fmt_string("%s across %s: ratio %s, difference %s%s%s", measures[mi], lab,
                               mg__report_json_number(json_object_get(e, "ratio"), "n/a", nb[0],
                                                      sizeof nb[0]),
                               mg__report_json_number(json_object_get(e, "difference"), "n/a",
                                                      nb[1], sizeof nb[1]),
                               gated && verdict != NULL ? ": " : "",
                               gated && verdict != NULL ? verdict : ""),
                    failed);
            if (gated && band)
                set_new(risk, "mitigation_strategy",
                        fmt_string("gated by modelgate: the ratio must lie in [%s, %s]",
                                   mg__report_number(threshold, nb[2], sizeof nb[2]),
                                   mg__report_number(threshold_high, nb[3], sizeof nb[3])),
                        failed);
            else
                set_new(risk, "mitigation_strategy",
                        json_string(gated ? "gated by modelgate" : "reported, not gated"),
                        failed);
            push_new(risks, risk, failed);
            /* the groups' rates, once (demographic_parity lists every group) */
            if (mi == 0) {
                size_t gi;
                json_t *g;
                json_array_foreach(mg__report_get_array(e, "groups"), gi, g) {
                    mg__buf slice = {0};
                    mg__buf_puts(&slice, lab);
                    mg__buf_puts(&slice, "=");
                    mg__report_group_label(&slice, json_object_get(g, "value"), raw_text,
                                           "(missing)");
                    for (size_t r = 0; r < MG_ARRAY_LEN(rates); r++) {
                        json_t *s = json_stringn_nocheck(slice.data, slice.len);
                        json_t *m = metric(rates[r].key, json_object_get(g, rates[r].key),
                                           mg__report_get_object(g, rates[r].ci), "low", "high",
                                           s, failed);
                        if (m != NULL)
                            push_new(perf, m, failed);
                    }
                    *failed |= slice.failed;
                    mg__buf_release(&slice);
                }
            }
            *failed |= label.failed;
            mg__buf_release(&label);
        }
    }
}

/* Writes a tree built above (objects, arrays, strings, numbers) through j. */
static void write_tree(mg__json *j, json_t *v) {
    if (json_is_object(v)) {
        mg__json_begin_object(j);
        const char *key;
        json_t *x;
        json_object_foreach(v, key, x) {
            mg__json_key(j, key);
            write_tree(j, x);
        }
        mg__json_end_object(j);
    } else if (json_is_array(v)) {
        mg__json_begin_array(j);
        size_t i;
        json_t *x;
        json_array_foreach(v, i, x) write_tree(j, x);
        mg__json_end_array(j);
    } else if (json_is_string(v)) {
        mg__json_string(j, json_string_value(v));
    } else if (json_is_integer(v)) {
        mg__json_int(j, (int64_t)json_integer_value(v));
    } else if (json_is_real(v)) {
        mg__json_number(j, json_real_value(v));
    } else if (json_is_boolean(v)) {
        mg__json_bool(j, json_is_true(v));
    } else {
        mg__json_null(j);
    }
}

mg_status mg__report_model_card(const mg__report_doc *doc, const mg_report_options *o,
                                char **out, size_t *len, mg_error *err) {
    MG_UNUSED(o);
    bool failed = false;
    json_t *prov = mg__report_get_object(doc->gate, "provenance");
    json_t *meta = doc->meta;
    json_t *card = json_object();
    if (card == NULL)
        return mg__nomem(err, "the model card");
    set_new(card, "schema_version", json_string("0.0.2"), &failed);

    /* model_details */
    json_t *details = json_object();
    size_t n;
    const char *s = mg__report_get_string(meta, "name", &n);
    if (s == NULL)
        s = mg__report_get_string(prov, "model", &n);
    if (s != NULL)
        set_new(details, "name", str_n(s, n), &failed);
    const char *verdict = mg__report_get_string(doc->gate, "verdict", NULL);
    json_t *gates = json_object_get(doc->gate, "gates");
    size_t passed = 0, i;
    json_t *g;
    json_array_foreach(gates, i, g) passed +=
        strcmp(mg__report_get_string(g, "verdict", NULL), "pass") == 0;
    const char *mgv = mg__report_get_string(prov, "modelgate_version", NULL);
    set_new(details, "overview",
            fmt_string("Gated by modelgate%s%s: %s (%zu of %zu gates passed).",
                       mgv != NULL ? " " : "", mgv != NULL ? mgv : "", verdict, passed,
                       json_array_size(gates)),
            &failed);
    json_t *version = json_object();
    json_t *mver = meta != NULL ? json_object_get(meta, "version") : NULL;
    if (json_is_string(mver))
        set_new(version, "name", json_copy(mver), &failed);
    else if (json_is_number(mver)) {
        char nb[MG__REPORT_NUMBER_CAP];
        set_new(version, "name",
                fmt_string("v%s", mg__report_number(json_number_value(mver), nb, sizeof nb)),
                &failed);
    }
    else if ((s = mg__report_get_string(prov, "model_sha256", &n)) != NULL)
        set_new(version, "name", fmt_string("sha256:%.*s", (int)(n < 12 ? n : 12), s), &failed);
    const char *at = mg__report_get_string(meta, "created_at", NULL);
    if (at == NULL)
        at = mg__report_get_string(prov, "created_at", NULL);
    if (at != NULL && strlen(at) >= 10 && at[4] == '-' && at[7] == '-')
        set_new(version, "date", json_stringn_nocheck(at, 10), &failed);
    set_new(details, "version", version, &failed);
    json_t *owner = meta != NULL ? json_object_get(meta, "created_by") : NULL;
    if (json_is_string(owner)) {
        json_t *owners = json_array(), *ow = json_object();
        set_new(ow, "name", json_copy(owner), &failed);
        push_new(owners, ow, &failed);
        set_new(details, "owners", owners, &failed);
    }
    set_new(card, "model_details", details, &failed);

    /* model_parameters.data: the test set */
    const char *dsha = mg__report_get_string(prov, "data_sha256", NULL);
    const char *dpath = mg__report_get_string(prov, "data", &n);
    if (dpath != NULL || dsha != NULL) {
        json_t *params = json_object(), *data = json_array(), *ds = json_object();
        set_new(ds, "name", dpath != NULL ? str_n(dpath, n) : json_string("test data"),
                &failed);
        double rows;
        char nb[MG__REPORT_NUMBER_CAP];
        bool have_rows = mg__report_get_number(doc->metrics, "n", &rows);
        set_new(ds, "description",
                fmt_string("The test set the gates were evaluated on%s%s%s; sha256 %s.",
                           have_rows ? " (" : "",
                           have_rows ? mg__report_number(rows, nb, sizeof nb) : "",
                           have_rows ? " rows)" : "", dsha != NULL ? dsha : "unknown"),
                &failed);
        json_t *protected_attrs = mg__report_get_object(doc->fairness, "demographic_parity");
        if (protected_attrs != NULL && json_object_size(protected_attrs) > 0) {
            json_t *sens = json_object(), *list = json_array();
            const char *attr;
            json_t *e;
            json_object_foreach(protected_attrs, attr, e) {
                if (!json_is_array(json_object_get(e, "attributes")))
                    push_new(list, json_string_nocheck(attr), &failed);
            }
            set_new(sens, "sensitive_data", list, &failed);
            set_new(ds, "sensitive", sens, &failed);
        }
        push_new(data, ds, &failed);
        set_new(params, "data", data, &failed);
        set_new(card, "model_parameters", params, &failed);
    }

    /* quantitative_analysis */
    json_t *qa = json_object(), *perf = json_array();
    if (doc->metrics != NULL)
        add_metrics(perf, doc->metrics, &failed);
    json_array_foreach(gates, i, g) {
        /* gated values the metrics do not hold (latency, fairness ratios) */
        const char *key = mg__report_get_string(g, "metric", NULL);
        const char *kind = mg__report_get_string(g, "kind", NULL);
        if (key == NULL || (kind != NULL && strcmp(kind, "metric") == 0 && doc->metrics != NULL &&
                            json_is_number(json_object_get(doc->metrics, key))))
            continue;
        mg__buf sl = {0};
        json_t *attr = json_object_get(g, "attribute");
        if (json_is_string(attr) || json_is_array(attr))
            mg__report_attribute_label(&sl, attr, raw_text);
        json_t *slice = sl.len > 0 ? json_stringn_nocheck(sl.data, sl.len) : NULL;
        failed |= sl.failed;
        mg__buf_release(&sl);
        json_t *type = kind != NULL && strcmp(kind, "regression") == 0
                           ? fmt_string("%s (regression gate)", key)
                           : json_string_nocheck(key);
        json_t *m = metric(type != NULL ? json_string_value(type) : key,
                           json_object_get(g, "value"), mg__report_get_object(g, "ci"), "low",
                           "high", slice, &failed);
        json_decref(type);
        if (m != NULL)
            push_new(perf, m, &failed);
    }
    if (doc->latency != NULL) {
        static const char *const lkeys[] = {"p50_ms", "p95_ms", "p99_ms", "max_ms"};
        for (size_t k = 0; k < MG_ARRAY_LEN(lkeys); k++) {
            json_t *m = metric(lkeys[k], json_object_get(doc->latency, lkeys[k]), NULL, NULL,
                               NULL, NULL, &failed);
            if (m != NULL)
                push_new(perf, m, &failed);
        }
    }
    json_t *risks = json_array();
    if (doc->fairness != NULL)
        add_fairness(perf, risks, doc->fairness, &failed);
    set_new(qa, "performance_metrics", perf, &failed);
    set_new(card, "quantitative_analysis", qa, &failed);

    /* considerations */
    json_t *cons = json_object(), *limits = json_array();
    json_array_foreach(gates, i, g) {
        const char *v = mg__report_get_string(g, "verdict", NULL);
        if (strcmp(v, "pass") == 0)
            continue;
        mg__buf d = {0};
        mg__buf_printf(&d, "%s: ", v);
        mg__report_json_text(&d, json_object_get(g, "name"), raw_text);
        if (json_is_string(json_object_get(g, "reason"))) {
            mg__buf_puts(&d, " \xE2\x80\x94 ");
            mg__report_json_text(&d, json_object_get(g, "reason"), raw_text);
        }
        json_t *lim = json_object();
        set_new(lim, "description", buf_string(&d), &failed);
        mg__buf_release(&d);
        push_new(limits, lim, &failed);
    }
    set_new(cons, "limitations", limits, &failed);
    set_new(cons, "ethical_considerations", risks, &failed);
    set_new(card, "considerations", cons, &failed);

    if (failed) {
        json_decref(card);
        return mg__nomem(err, "the model card");
    }
    /* written with the project's JSON writer: numbers in shortest round-trip
     * form, as in metrics.json (jansson would print 17 digits) */
    mg__json j = {0};
    write_tree(&j, card);
    json_decref(card);
    size_t n_out = 0;
    char *text = mg__json_finish(&j, &n_out);
    if (text == NULL)
        return mg__nomem(err, "the model card");
    *out = text;
    if (len != NULL)
        *len = n_out;
    return MG_OK;
}
