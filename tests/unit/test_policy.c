/* test_policy.c - the policy file modelgate.yml (lib/gate/policy*.c): the
 * DESIGN §14 example read field by field, the defaults, hostile policies each
 * refused at a hand-counted line:column naming the key, the --set overrides
 * and the checks of the whole policy. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <math.h>
#include <sys/stat.h>
#include <unistd.h>

#include "internal.h"
#include "modelgate/policy.h"

#define P(s) s, strlen(s)

static void parse_ok(const char *text, mg_policy *p) {
    mg_error err;
    mg_error_clear(&err);
    mg_status st = mg_policy_parse(text, strlen(text), "p.yml", p, &err);
    if (st != MG_OK)
        print_error("unexpected error: %s\n", err.text);
    assert_int_equal(st, MG_OK);
}

static const mg_policy_bound *bound(const mg_policy_bound *b, int n, const char *name) {
    for (int i = 0; i < n; i++)
        if (strcmp(b[i].metric, name) == 0)
            return &b[i];
    return NULL;
}

/* ---- the DESIGN §14 example -------------------------------------------- */

static const char design_example[] =
    "version: 1\n"
    "task: binary                 # binary | multiclass | regression | auto\n"
    "data:\n"
    "  test: data/test.parquet\n"
    "  label: label\n"
    "  features: auto             # or a list\n"
    "  ignore: [customer_id]\n"
    "model: models/model.json     # file | cmd:... | column:NAME\n"
    "baseline: registry:credit@production   # file | column:NAME | registry:NAME@STAGE\n"
    "decision_threshold: 0.5\n"
    "seed: 42\n"
    "gates:\n"
    "  accuracy: {min: 0.85}                  # any metric of metrics.json: min / max\n"
    "  roc_auc: {min: 0.90, confidence: 0.95} # decided on the interval, not the point\n"
    "  latency:\n"
    "    samples: 1000\n"
    "    p99_ms: {max: 100}\n"
    "    p50_ms: {max: 20}\n"
    "  fairness:\n"
    "    protected_attributes: [gender, age_group]\n"
    "    demographic_parity_ratio: {min: 0.8, max: 1.25}\n"
    "    equalized_odds_difference: {max: 0.1}\n"
    "    min_group_size: 30\n"
    "  regression:                            # against the baseline\n"
    "    accuracy: {min_change: -0.01}\n"
    "    roc_auc: {min_relative_change: -0.005}\n"
    "on_inconclusive: fail        # fail | warn | pass\n"
    "outputs:\n"
    "  dir: validation/\n";

static void design_example_every_field(void **state) {
    (void)state;
    mg_policy p;
    parse_ok(design_example, &p);
    mg_error err;
    assert_int_equal(mg_policy_validate(&p, &err), MG_OK);
    assert_string_equal(p.path, "p.yml");
    assert_string_equal(p.sha256, "");
    assert_string_equal(p.base_dir, ".");
    assert_int_equal(p.version, 1);
    assert_int_equal(p.task, MG_TASK_BINARY);
    assert_string_equal(p.test_data, "data/test.parquet");
    assert_string_equal(p.label, "label");
    assert_true(p.features_auto);
    assert_int_equal(p.nfeatures, 0);
    assert_int_equal(p.nignore, 1);
    assert_string_equal(p.ignore[0], "customer_id");
    assert_null(p.weight);
    assert_null(p.id);
    assert_null(p.positive_label);
    assert_null(p.predictions);
    assert_int_equal(p.nclasses, 0);
    assert_string_equal(p.model, "models/model.json");
    assert_string_equal(p.baseline, "registry:credit@production");
    assert_false(p.allow_missing_baseline);
    assert_true(p.decision_threshold == 0.5);
    assert_true(p.seed == 42);
    assert_int_equal(p.bootstrap, 1000);

    assert_int_equal(p.nmetric_gates, 2);
    assert_string_equal(p.metric_gates[0].metric, "accuracy");
    assert_true(p.metric_gates[0].has_min && !p.metric_gates[0].has_max);
    assert_true(p.metric_gates[0].min == 0.85);
    assert_true(p.metric_gates[0].confidence == 0);
    assert_int_equal(p.metric_gates[0].place.line, 13);
    assert_int_equal(p.metric_gates[0].place.column, 3);
    assert_string_equal(p.metric_gates[1].metric, "roc_auc");
    assert_true(p.metric_gates[1].min == 0.90 && p.metric_gates[1].confidence == 0.95);
    assert_int_equal(p.metric_gates[1].place.line, 14);

    assert_true(p.latency.has);
    assert_int_equal(p.latency.place.line, 15);
    assert_int_equal(p.latency.place.column, 3);
    assert_int_equal(p.latency.samples, 1000);
    assert_int_equal(p.latency.warmup, -1);
    assert_int_equal(p.latency.batch_size, 1);
    assert_int_equal(p.latency.nbounds, 2);
    assert_string_equal(p.latency.bounds[0].metric, "p99_ms");
    assert_true(p.latency.bounds[0].has_max && !p.latency.bounds[0].has_min);
    assert_true(p.latency.bounds[0].max == 100);
    assert_int_equal(p.latency.bounds[0].place.line, 17);
    assert_int_equal(p.latency.bounds[0].place.column, 5);
    assert_string_equal(p.latency.bounds[1].metric, "p50_ms");
    assert_true(p.latency.bounds[1].max == 20);

    assert_true(p.fairness.has);
    assert_int_equal(p.fairness.nprotected, 2);
    assert_string_equal(p.fairness.protected_attributes[0], "gender");
    assert_string_equal(p.fairness.protected_attributes[1], "age_group");
    assert_int_equal(p.fairness.min_group_size, 30);
    assert_true(p.fairness.threshold == 0);
    assert_string_equal(p.fairness.method, "between_groups");
    assert_null(p.fairness.reference_attribute);
    assert_false(p.fairness.intersectional);
    assert_true(p.fairness.confidence == 0);
    assert_int_equal(p.fairness.nbounds, 2);
    const mg_policy_bound *dp =
        bound(p.fairness.bounds, p.fairness.nbounds, "demographic_parity_ratio");
    assert_non_null(dp);
    assert_true(dp->has_min && dp->has_max && dp->min == 0.8 && dp->max == 1.25);
    const mg_policy_bound *eo =
        bound(p.fairness.bounds, p.fairness.nbounds, "equalized_odds_difference");
    assert_non_null(eo);
    assert_true(!eo->has_min && eo->has_max && eo->max == 0.1);

    assert_true(p.regression.has);
    assert_int_equal(p.regression.place.line, 24);
    assert_int_equal(p.regression.nrules, 2);
    assert_string_equal(p.regression.rules[0].metric, "accuracy");
    assert_true(p.regression.rules[0].has_min_change &&
                !p.regression.rules[0].has_min_relative_change);
    assert_true(p.regression.rules[0].min_change == -0.01);
    assert_string_equal(p.regression.rules[1].metric, "roc_auc");
    assert_true(p.regression.rules[1].has_min_relative_change &&
                p.regression.rules[1].min_relative_change == -0.005);
    assert_int_equal(p.regression.rules[1].place.line, 26);
    assert_int_equal(p.regression.rules[1].place.column, 5);

    assert_int_equal(p.on_inconclusive, MG_ON_INCONCLUSIVE_FAIL);
    assert_string_equal(p.outputs_dir, "validation/");
    assert_string_equal(p.report_id, "gate");

    char buf[128];
    assert_string_equal(mg_policy_where(&p, "gates.accuracy.min", buf, sizeof buf),
                        "p.yml:13:14: gates.accuracy.min");
    assert_string_equal(mg_policy_where(&p, "data.label", buf, sizeof buf),
                        "p.yml:5:3: data.label");
    assert_string_equal(mg_policy_where(&p, "gates.latency.p99_ms.max", buf, sizeof buf),
                        "p.yml:17:14: gates.latency.p99_ms.max");
    assert_string_equal(mg_policy_where(&p, "version", buf, sizeof buf), "p.yml:1:1: version");
    /* a default: the key alone */
    assert_string_equal(mg_policy_where(&p, "bootstrap", buf, sizeof buf), "bootstrap");
    mg_policy_release(&p);
    /* released policy is zeroed; releasing again is safe */
    assert_null(p.model);
    mg_policy_release(&p);
}

static void defaults_of_a_minimal_policy(void **state) {
    (void)state;
    mg_policy p;
    parse_ok("version: 1\ndata: {test: t.csv}\nmodel: m.json\n", &p);
    mg_error err;
    assert_int_equal(mg_policy_validate(&p, &err), MG_OK);
    assert_int_equal(p.task, MG_TASK_AUTO);
    assert_string_equal(p.label, "label");
    assert_true(p.features_auto);
    assert_int_equal(p.nignore, 0);
    assert_null(p.baseline);
    assert_false(p.allow_missing_baseline);
    assert_true(p.decision_threshold == 0.5);
    assert_true(p.seed == 42);
    assert_int_equal(p.bootstrap, 1000);
    assert_int_equal(p.nmetric_gates, 0);
    assert_false(p.latency.has);
    assert_int_equal(p.latency.samples, 1000);
    assert_int_equal(p.latency.warmup, -1);
    assert_int_equal(p.latency.batch_size, 1);
    assert_false(p.fairness.has);
    assert_int_equal(p.fairness.min_group_size, 30);
    assert_string_equal(p.fairness.method, "between_groups");
    assert_false(p.regression.has);
    assert_int_equal(p.on_inconclusive, MG_ON_INCONCLUSIVE_FAIL);
    assert_string_equal(p.outputs_dir, "modelgate-results");
    assert_string_equal(p.report_id, "gate");
    mg_policy_release(&p);

    /* mg_policy_init alone: the same numbers, no allocation */
    mg_policy q;
    memset(&q, 0xAB, sizeof q);
    mg_policy_init(&q);
    assert_int_equal(q.version, 1);
    assert_true(q.decision_threshold == 0.5 && q.seed == 42 && q.bootstrap == 1000);
    assert_null(q.label);
    assert_null(q.places);
    mg_policy_release(&q);
}

/* Every other key, with YAML 1.2 core-schema strings where text is wanted. */
static void every_key_and_core_schema_strings(void **state) {
    (void)state;
    mg_policy p;
    parse_ok("\xEF\xBB\xBF"
             "version: 1\r\n"
             "task: 'multiclass'\r\n"
             "data:\r\n"
             "  test: \"t.csv\"\r\n"
             "  label: no\r\n"
             "  features: [y, NO, 123, \"true\", off]\r\n"
             "  ignore: [row]\r\n"
             "  weight: w\r\n"
             "  id: ID\r\n"
             "  positive_label: 1\r\n"
             "  predictions: preds.csv\r\n"
             "  classes: [cat, dog, 7]\r\n"
             "model: cmd:python score.py --fast\r\n"
             "baseline: null\r\n"
             "allow_missing_baseline: True\r\n"
             "decision_threshold: .75\r\n"
             "seed: 0\r\n"
             "bootstrap: 2000\r\n"
             "gates:\r\n"
             "  f1_macro: {max: 1, min: 75e-2}\r\n"
             "  latency: {samples: 500, warmup: 0, batch_size: 16, p999_ms: {max: 5.5, "
             "confidence: 0.9}, mean_ms: {min: 0.001}}\r\n"
             "  fairness:\r\n"
             "    protected_attributes: [sex]\r\n"
             "    min_group_size: 5\r\n"
             "    threshold: 0.8\r\n"
             "    method: to_overall\r\n"
             "    intersectional: false\r\n"
             "    confidence: 0.9\r\n"
             "    reference: {attribute: sex, group: null}\r\n"
             "    mae_difference: {max: 2, confidence: 0.95}\r\n"
             "  regression:\r\n"
             "    log_loss: {min_change: 0, min_relative_change: -0.1, confidence: 0.99}\r\n"
             "on_inconclusive: warn\r\n"
             "outputs: {dir: out, id: credit-model}\r\n",
             &p);
    assert_int_equal(p.task, MG_TASK_MULTICLASS);
    assert_string_equal(p.test_data, "t.csv");
    assert_string_equal(p.label, "no");
    assert_false(p.features_auto);
    assert_int_equal(p.nfeatures, 5);
    assert_string_equal(p.features[0], "y");
    assert_string_equal(p.features[1], "NO");
    assert_string_equal(p.features[2], "123");
    assert_string_equal(p.features[3], "true");
    assert_string_equal(p.features[4], "off");
    assert_string_equal(p.ignore[0], "row");
    assert_string_equal(p.weight, "w");
    assert_string_equal(p.id, "ID");
    assert_string_equal(p.positive_label, "1");
    assert_string_equal(p.predictions, "preds.csv");
    assert_int_equal(p.nclasses, 3);
    assert_string_equal(p.classes[2], "7");
    assert_string_equal(p.model, "cmd:python score.py --fast");
    assert_null(p.baseline);
    assert_true(p.allow_missing_baseline);
    assert_true(p.decision_threshold == 0.75);
    assert_true(p.seed == 0);
    assert_int_equal(p.bootstrap, 2000);
    assert_int_equal(p.nmetric_gates, 1);
    assert_true(p.metric_gates[0].min == 0.75 && p.metric_gates[0].max == 1);
    assert_int_equal(p.latency.samples, 500);
    assert_int_equal(p.latency.warmup, 0);
    assert_int_equal(p.latency.batch_size, 16);
    const mg_policy_bound *q = bound(p.latency.bounds, p.latency.nbounds, "p999_ms");
    assert_true(q != NULL && q->max == 5.5 && q->confidence == 0.9);
    q = bound(p.latency.bounds, p.latency.nbounds, "mean_ms");
    assert_true(q != NULL && q->has_min && q->min == 0.001 && !q->has_max);
    assert_int_equal(p.fairness.min_group_size, 5);
    assert_true(p.fairness.threshold == 0.8);
    assert_string_equal(p.fairness.method, "to_overall");
    assert_false(p.fairness.intersectional);
    assert_true(p.fairness.confidence == 0.9);
    assert_string_equal(p.fairness.reference_attribute, "sex");
    assert_null(p.fairness.reference_group);
    assert_true(p.fairness.reference_missing);
    assert_true(p.regression.rules[0].min_change == 0 &&
                p.regression.rules[0].min_relative_change == -0.1 &&
                p.regression.rules[0].confidence == 0.99);
    assert_int_equal(p.on_inconclusive, MG_ON_INCONCLUSIVE_WARN);
    assert_string_equal(p.outputs_dir, "out");
    assert_string_equal(p.report_id, "credit-model");
    /* the BOM does not shift line 1's columns; CRLF does not add lines */
    char buf[128];
    assert_string_equal(mg_policy_where(&p, "version", buf, sizeof buf), "p.yml:1:1: version");
    assert_string_equal(mg_policy_where(&p, "outputs.id", buf, sizeof buf),
                        "p.yml:34:21: outputs.id");
    mg_policy_release(&p);
}

/* ---- hostile policies --------------------------------------------------- */

typedef struct hostile {
    const char *text;
    int line, column;
    const char *prefix; /* the message starts with this ("p.yml:L:C: KEY: ...") */
    const char *also;   /* and contains this */
} hostile;

#define HEAD "version: 1\ndata: {test: t.csv}\nmodel: m.json\n"

static const hostile hostiles[] = {
    /* an unknown key, with the closest known one */
    {HEAD "gates:\n  acuracy: {min: 0.8}\n", 5, 3, "p.yml:5:3: gates.acuracy: unknown key",
     "did you mean gates.accuracy?"},
    {HEAD "decision_treshold: 0.4\n", 4, 1, "p.yml:4:1: decision_treshold: unknown key",
     "did you mean decision_threshold?"},
    {"version: 1\ndata:\n  tset: t.csv\n", 3, 3, "p.yml:3:3: data.tset: unknown key",
     "did you mean data.test?"},
    {HEAD "gates:\n  latency: {p99: {max: 1}}\n", 5, 13, "p.yml:5:13: gates.latency.p99: unknown",
     "did you mean gates.latency.p99_ms?"},
    {HEAD "gates:\n  accuracy: {minimum: 0.8}\n", 5, 14,
     "p.yml:5:14: gates.accuracy.minimum: unknown key", ""},
    {HEAD "gates:\n  fairness:\n    protected_attributes: [g]\n    demographic_parity: {min: "
          "0.8}\n",
     7, 5, "p.yml:7:5: gates.fairness.demographic_parity: unknown key",
     "did you mean gates.fairness.demographic_parity_"},
    {HEAD "gates:\n  fairness:\n    disparate_impact_difference: {max: 0.1}\n", 6, 5,
     "p.yml:6:5: gates.fairness.disparate_impact_difference: unknown key", ""},
    /* a wrong type */
    {HEAD "gates:\n  accuracy: {min: \"0.85\"}\n", 5, 19,
     "p.yml:5:19: gates.accuracy.min: expected a number", "write it without quotes"},
    {HEAD "gates:\n  accuracy:\n    min: 0,85\n", 6, 10,
     "p.yml:6:10: gates.accuracy.min: expected a number", "'0,85'"},
    /* in a flow mapping the comma ends the value: min 0, then a key "85" */
    {HEAD "gates:\n  accuracy: {min: 0,85}\n", 5, 21, "p.yml:5:21: gates.accuracy.85: unknown key",
     "a decimal comma?"},
    {HEAD "gates:\n  accuracy: {min: .nan}\n", 5, 19,
     "p.yml:5:19: gates.accuracy.min: expected a number", "'.nan'"},
    {HEAD "gates:\n  latency:\n    p99_ms: {max: .inf}\n", 6, 19,
     "p.yml:6:19: gates.latency.p99_ms.max: expected a number", "'.inf'"},
    {HEAD "gates:\n  accuracy: {min: yes}\n", 5, 19,
     "p.yml:5:19: gates.accuracy.min: expected a number", "'yes'"},
    {HEAD "allow_missing_baseline: yes\n", 4, 25,
     "p.yml:4:25: allow_missing_baseline: expected true or false", "'yes'"},
    {HEAD "allow_missing_baseline: off\n", 4, 25,
     "p.yml:4:25: allow_missing_baseline: expected true or false", "'off'"},
    {HEAD "gates:\n  fairness:\n    intersectional: y\n", 6, 21,
     "p.yml:6:21: gates.fairness.intersectional: expected true or false", "'y'"},
    {HEAD "seed: 4.2\n", 4, 7, "p.yml:4:7: seed: expected an integer", "'4.2'"},
    {HEAD "seed: -1\n", 4, 7, "p.yml:4:7: seed: -1 is outside 0..", ""},
    {HEAD "bootstrap: 10\n", 4, 12, "p.yml:4:12: bootstrap: 10 is outside 100..1000000", ""},
    {HEAD "decision_threshold: 1.5\n", 4, 21, "p.yml:4:21: decision_threshold: 1.5 is outside",
     "[0, 1]"},
    {HEAD "gates:\n  roc_auc: {min: 0.9, confidence: 95}\n", 5, 35,
     "p.yml:5:35: gates.roc_auc.confidence: 95 is outside (0, 1)", ""},
    {HEAD "gates:\n  accuracy: {min: 85}\n", 5, 19, "p.yml:5:19: gates.accuracy.min: 85 is outside",
     "proportion"},
    {HEAD "gates:\n  fairness:\n    threshold: 0\n", 6, 16,
     "p.yml:6:16: gates.fairness.threshold: 0 is outside (0, 1]", ""},
    {HEAD "task: multiclas\n", 4, 7, "p.yml:4:7: task: expected one of auto, binary",
     "found 'multiclas'; did you mean multiclass?"},
    {HEAD "on_inconclusive: no\n", 4, 18,
     "p.yml:4:18: on_inconclusive: expected one of fail, "
     "warn, pass, found 'no'",
     ""},
    {HEAD "gates:\n  fairness:\n    method: overall\n", 6, 13,
     "p.yml:6:13: gates.fairness.method: expected one of between_groups, to_overall", ""},
    {"version: 1\ndata:\n  test: t.csv\n  ignore: score\nmodel: m\n", 4, 11,
     "p.yml:4:11: data.ignore: expected a list", "'score'"},
    {"version: 1\ndata:\n  test: t.csv\n  features: all\nmodel: m\n", 4, 13,
     "p.yml:4:13: data.features: expected auto or a list", "'all'"},
    {"version: 1\ndata:\n  test: [a, b]\nmodel: m\n", 3, 9,
     "p.yml:3:9: data.test: expected a text value, found a list", ""},
    {"version: 1\ndata: t.csv\nmodel: m\n", 2, 7, "p.yml:2:7: data: expected a mapping", ""},
    {HEAD "gates:\n  accuracy: 0.85\n", 5, 13, "p.yml:5:13: gates.accuracy: expected a mapping",
     "found a single value"},
    {"version: 1\ndata:\n  test:\nmodel: m\n", 3, 8,
     "p.yml:3:8: data.test: expected a text value, found no value", ""},
    {"version: 1\ndata:\n  test: ''\nmodel: m\n", 3, 9,
     "p.yml:3:9: data.test: expected a text value, found \"\"", ""},
    {HEAD "data:\n  label: x\n", 4, 1,
     "p.yml:4:1: data: duplicate key (first written at line 2, "
     "column 1)",
     ""},
    {"version: 1\ndata: {test: a, test: b}\nmodel: m\n", 2, 17,
     "p.yml:2:17: data.test: duplicate key", ""},
    {"version: 1\ndata:\n  test: t.csv\n  ignore: [a, b, a]\nmodel: m\n", 4, 18,
     "p.yml:4:18: data.ignore[2]: 'a' is listed twice", ""},
    /* version */
    {"version: 2\ndata: {test: t.csv}\nmodel: m\n", 1, 10,
     "p.yml:1:10: version: version 2 is not supported", "policy version 1"},
    {"data: {test: t.csv}\nmodel: m\n", 1, 1, "p.yml:1:1: version: required key is missing", ""},
    {"version: '1'\n", 1, 10, "p.yml:1:10: version: expected an integer", ""},
    /* aliases, anchors, tags, directives, documents */
    {"version: 1\ndata: &d {test: t.csv}\nmodel: m\n", 2, 7, "p.yml:2:7: an anchor", ""},
    {"version: 1\nx: &a 1\ndata: {test: *a}\n", 2, 4, "p.yml:2:4: an anchor", ""},
    {"version: 1\ndata: {test: *a}\n", 2, 14, "p.yml:2:14: an alias", ""},
    {"version: 1\ndata: {test: !!str t.csv}\n", 2, 14, "p.yml:2:14: a tag", ""},
    {"%YAML 1.1\n---\nversion: 1\n", 1, 1, "p.yml:1:1: %YAML 1.1", "read as YAML 1.2"},
    {HEAD "---\nversion: 1\n", 4, 1, "p.yml:4:1: a second YAML document", ""},
    /* layout */
    {"version: 1\ndata:\n\ttest: t.csv\n", 3, 1, "p.yml:3:1: a tab in the indentation", ""},
    {"version: 1\ndata:\n  test: t.csv\n \t label: x\n", 4, 2,
     "p.yml:4:2: a tab in the "
     "indentation",
     ""},
    {HEAD "gates:\n  accuracy:\n    min: {deeper: 1}\n", 6, 10,
     "p.yml:6:10: gates.accuracy.min: expected a number", "found a mapping"},
    {"a: {b: {c: {d: {e: {f: {g: {h: {i: 1}}}}}}}}\n", 1, 29, "p.yml:1:29: nesting deeper", ""},
    {"version: 1\ndata: {test: t.csv\n", 3, 1, "p.yml:3:1: not valid YAML", ""},
    {"- version: 1\n", 1, 1, "p.yml:1:1: (top level): a policy is a mapping", ""},
    {"# nothing\n", 1, 1, "p.yml:1:1: version: the policy is empty", ""},
    {"", 1, 1, "p.yml:1:1: version: the policy is empty", ""},
    {"version: 1\n? [a, b]\n: 1\n", 2, 3, "p.yml:2:3: (top level): a key must be a name", ""},
    {"version: 1\nmodel: \"a\\0b\"\n", 2, 8, "p.yml:2:8: a value holding a NUL", ""},
    {"version: 1\nmodel: \xff\xfe\n", 2, 8, "p.yml:2:8: not UTF-8", ""},
    /* min above max, known from the file alone */
    {HEAD "gates:\n  accuracy: {min: 0.9, max: 0.8}\n", 5, 14,
     "p.yml:5:14: gates.accuracy.min: min 0.9 is above max 0.8", ""},
    {HEAD "gates:\n  latency:\n    p99_ms: {max: -1}\n", 6, 19,
     "p.yml:6:19: gates.latency.p99_ms.max: -1 is negative", ""},
    /* every keyword offers its closest word, a word run on or cut short too */
    {HEAD "on_inconclusive: warning\n", 4, 18,
     "p.yml:4:18: on_inconclusive: expected one of fail, warn, pass, found 'warning'",
     "; did you mean warn?"},
    {HEAD "task: binry\n", 4, 7, "p.yml:4:7: task: expected one of", "; did you mean binary?"},
    {HEAD "task: Classification\n", 4, 7, "p.yml:4:7: task: expected one of",
     "found 'Classification'"},
    {HEAD "task: multi\n", 4, 7, "p.yml:4:7: task: expected one of", "; did you mean multiclass?"},
    {HEAD "gates:\n  fairness:\n    method: between\n", 6, 13,
     "p.yml:6:13: gates.fairness.method: expected one of between_groups, to_overall",
     "; did you mean between_groups?"},
    {HEAD "gates:\n  fairness:\n    method: to-overall\n", 6, 13,
     "p.yml:6:13: gates.fairness.method: expected one of", "; did you mean to_overall?"},
    {"version: 1\nmodel: m\ndata:\n  test: t\n  features: Auto\n", 5, 13,
     "p.yml:5:13: data.features: expected auto or a list", "; did you mean auto?"},
};

static void hostile_policies_name_key_and_place(void **state) {
    (void)state;
    int bad = 0;
    for (size_t i = 0; i < MG_ARRAY_LEN(hostiles); i++) {
        const hostile *h = &hostiles[i];
        mg_policy p;
        mg_error err;
        mg_error_clear(&err);
        mg_status st = mg_policy_parse(h->text, strlen(h->text), "p.yml", &p, &err);
        if (st != MG_ERR_USAGE || strncmp(err.text, h->prefix, strlen(h->prefix)) != 0 ||
            strstr(err.text, h->also) == NULL || err.place.line != h->line ||
            err.place.column != h->column || strcmp(err.place.source, "p.yml") != 0)
            print_error("case %zu: status %d, message '%s', place %s:%lld:%lld; expected '%s...%s' "
                        "at %d:%d",
                        i, (int)st, err.text, err.place.source, (long long)err.place.line,
                        (long long)err.place.column, h->prefix, h->also, h->line, h->column),
                bad++;
        mg_policy_release(&p);
    }
    assert_int_equal(bad, 0);
}

static void empty_baseline_is_none(void **state) {
    (void)state;
    mg_policy p;
    parse_ok(HEAD "baseline:\n", &p);
    assert_null(p.baseline);
    mg_policy_release(&p);
}

/* ---- checks of the whole policy ----------------------------------------- */

static void expect_invalid(const char *text, const char *message) {
    mg_policy p;
    parse_ok(text, &p);
    mg_error err;
    mg_error_clear(&err);
    assert_int_equal(mg_policy_validate(&p, &err), MG_ERR_USAGE);
    if (strncmp(err.text, message, strlen(message)) != 0)
        fail_msg("got '%s', expected '%s...'", err.text, message);
    mg_policy_release(&p);
}

static void validate_whole_policy(void **state) {
    (void)state;
    expect_invalid("version: 1\ndata:\n  label: y\nmodel: m\n",
                   "p.yml:2:1: data.test: required key is missing");
    expect_invalid("version: 1\nmodel: m\n", "p.yml:1:1: data.test: required key is missing");
    expect_invalid("version: 1\ndata: {test: t}\n", "p.yml:1:1: model: required key is missing");
    expect_invalid(HEAD "task: regression\ngates:\n  accuracy: {min: 0.5}\n",
                   "p.yml:6:3: gates.accuracy: accuracy is not a regression metric");
    expect_invalid(HEAD "gates:\n  accuracy: {confidence: 0.9}\n",
                   "p.yml:5:3: gates.accuracy: give min and/or max");
    expect_invalid(HEAD "gates:\n  fairness:\n    demographic_parity_ratio: {min: 0.8}\n",
                   "p.yml:5:3: gates.fairness.protected_attributes: required key is missing");
    expect_invalid(HEAD "gates:\n  fairness:\n    protected_attributes: [g]\n"
                        "    disparate_impact_ratio: {min: 0.8}\n",
                   "p.yml:7:5: gates.fairness.disparate_impact_ratio: disparate impact is "
                   "measured against a reference group");
    expect_invalid(HEAD "gates:\n  fairness:\n    protected_attributes: [g]\n"
                        "    reference: {attribute: h, group: a}\n",
                   "p.yml:7:17: gates.fairness.reference.attribute: 'h' is not one of");
    expect_invalid(HEAD "task: regression\ngates:\n  fairness:\n    protected_attributes: [g]\n"
                        "    equalized_odds_ratio: {min: 0.8}\n",
                   "p.yml:8:5: gates.fairness.equalized_odds_ratio: cannot gate "
                   "equalized_odds_ratio on a regression task");
    expect_invalid(HEAD "gates:\n  regression:\n    accuracy: {min_change: -0.01}\n",
                   "p.yml:5:3: gates.regression: the rules compare against a baseline, but "
                   "there is none");
    expect_invalid(HEAD
                   "baseline: b.json\ngates:\n  regression:\n    accuracy: {confidence: 0.9}\n",
                   "p.yml:7:5: gates.regression.accuracy: give min_change and/or "
                   "min_relative_change");
    expect_invalid(HEAD "gates:\n  latency:\n    max_ms: {max: 9, confidence: 0.9}\n",
                   "p.yml:6:22: gates.latency.max_ms.confidence: max_ms has no interval");

    /* a first model: regression gates without a baseline are allowed */
    mg_policy p;
    parse_ok(HEAD "allow_missing_baseline: true\ngates:\n  regression:\n"
                  "    accuracy: {min_change: -0.01}\n",
             &p);
    mg_error err;
    assert_int_equal(mg_policy_validate(&p, &err), MG_OK);
    mg_policy_release(&p);
}

/* With the task unknown (auto, or no task), a metric of any task is
 * accepted: the gate run checks it against the inferred task. Places read
 * "FILE:LINE:COLUMN: KEY", so "WHERE: what" has the reader's form. */
static void task_auto_accepts_every_task_metric(void **state) {
    (void)state;
    static const char *const heads[] = {HEAD "task: auto\n", HEAD};
    for (int h = 0; h < 2; h++) {
        char text[512];
        snprintf(text, sizeof text,
                 "%sbaseline: b.json\ngates:\n  accuracy: {min: 0.8}\n  mae: {max: 2}\n"
                 "  f1_macro: {min: 0.5}\n  regression:\n    rmse: {min_change: -0.1}\n"
                 "    roc_auc: {min_change: -0.01}\n",
                 heads[h]);
        mg_policy p;
        parse_ok(text, &p);
        mg_error err;
        mg_error_clear(&err);
        if (mg_policy_validate(&p, &err) != MG_OK)
            fail_msg("task auto refused a metric: %s", err.text);
        assert_int_equal(p.task, MG_TASK_AUTO);
        char buf[128];
        assert_string_equal(mg_policy_where(&p, "gates.accuracy", buf, sizeof buf),
                            h == 0 ? "p.yml:7:3: gates.accuracy" : "p.yml:6:3: gates.accuracy");
        mg_policy_release(&p);
    }
}

/* ---- overrides ---------------------------------------------------------- */

static void set_ok(mg_policy *p, const char *assignment) {
    mg_error err;
    mg_error_clear(&err);
    mg_status st = mg_policy_set(p, assignment, &err);
    if (st != MG_OK)
        fail_msg("--set %s: %s", assignment, err.text);
}

static void set_fails(mg_policy *p, const char *assignment, const char *message) {
    mg_error err;
    mg_error_clear(&err);
    assert_int_equal(mg_policy_set(p, assignment, &err), MG_ERR_USAGE);
    if (strncmp(err.text, message, strlen(message)) != 0)
        fail_msg("--set %s: got '%s', expected '%s...'", assignment, err.text, message);
}

static void set_overrides_every_type(void **state) {
    (void)state;
    mg_policy p;
    parse_ok(design_example, &p);
    set_ok(&p, "gates.accuracy.min=0.9");
    assert_true(p.metric_gates[0].min == 0.9);
    set_ok(&p, "gates.f1.max=1");
    assert_int_equal(p.nmetric_gates, 3);
    assert_string_equal(p.metric_gates[2].metric, "f1");
    assert_true(p.metric_gates[2].has_max && p.metric_gates[2].max == 1);
    assert_int_equal(p.metric_gates[2].place.line, 0);
    set_ok(&p, "gates.pr_auc={min: 0.5, confidence: 0.9}");
    const mg_policy_bound *b = bound(p.metric_gates, p.nmetric_gates, "pr_auc");
    assert_true(b != NULL && b->min == 0.5 && b->confidence == 0.9);
    /* an operating point's name holds a decimal point: one key, not two */
    set_ok(&p, "gates.recall_at_precision_0.9.min=0.6");
    b = bound(p.metric_gates, p.nmetric_gates, "recall_at_precision_0.9");
    assert_true(b != NULL && b->has_min && b->min == 0.6);
    /* one name per point: another spelling would be a second gate on it */
    set_fails(&p, "gates.recall_at_precision_0.90.min=0.2",
              "--set gates.recall_at_precision_0.90.min: write recall_at_precision_0.9: one "
              "name per operating point");
    set_fails(&p, "gates.recall_at_precision_.9={min: 0.2}",
              "--set gates.recall_at_precision_.9: write recall_at_precision_0.9");
    set_ok(&p, "gates.recall_at_precision_0.9=null");
    assert_null(bound(p.metric_gates, p.nmetric_gates, "recall_at_precision_0.9"));
    set_ok(&p, "data.label=no");
    assert_string_equal(p.label, "no");
    set_ok(&p, "data.label=\"y\"");
    assert_string_equal(p.label, "y");
    set_ok(&p, "model=cmd:python score.py");
    assert_string_equal(p.model, "cmd:python score.py");
    set_ok(&p, "data.test=other.csv");
    assert_string_equal(p.test_data, "other.csv");
    set_ok(&p, "seed=7");
    assert_true(p.seed == 7);
    set_ok(&p, "allow_missing_baseline=true");
    assert_true(p.allow_missing_baseline);
    set_ok(&p, "baseline=null");
    assert_null(p.baseline);
    set_ok(&p, "task=binary");
    set_ok(&p, "on_inconclusive=pass");
    assert_int_equal(p.on_inconclusive, MG_ON_INCONCLUSIVE_PASS);
    set_ok(&p, "data.ignore=[a, b]");
    assert_int_equal(p.nignore, 2);
    assert_string_equal(p.ignore[1], "b");
    set_ok(&p, "data.features=[x1, x2]");
    assert_false(p.features_auto);
    assert_int_equal(p.nfeatures, 2);
    set_ok(&p, "data.features=auto");
    assert_true(p.features_auto);
    assert_int_equal(p.nfeatures, 0);
    set_ok(&p, "gates.fairness.protected_attributes=[region]");
    assert_string_equal(p.fairness.protected_attributes[0], "region");
    set_ok(&p, "gates.latency.p99_ms.max=50");
    assert_true(bound(p.latency.bounds, p.latency.nbounds, "p99_ms")->max == 50);
    set_ok(&p, "gates.latency.samples=300");
    assert_int_equal(p.latency.samples, 300);
    set_ok(&p, "gates.regression.accuracy.min_change=0");
    assert_true(p.regression.rules[0].min_change == 0);
    set_ok(&p, "outputs.dir=out dir");
    assert_string_equal(p.outputs_dir, "out dir");

    char buf[128];
    assert_string_equal(mg_policy_where(&p, "gates.accuracy.min", buf, sizeof buf),
                        "--set gates.accuracy.min");
    assert_string_equal(mg_policy_where(&p, "gates.f1", buf, sizeof buf), "--set gates.f1.max");
    /* untouched keys keep their place in the file */
    assert_string_equal(mg_policy_where(&p, "gates.roc_auc.min", buf, sizeof buf),
                        "p.yml:14:13: gates.roc_auc.min");

    set_fails(&p, "gates.acuracy.min=0.9",
              "--set gates.acuracy.min: unknown key; did you mean "
              "gates.accuracy?");
    set_fails(&p, "gates.accuracy.mn=0.9",
              "--set gates.accuracy.mn: unknown key; did you mean "
              "gates.accuracy.min?");
    set_fails(&p, "gates.accuracy.min=yes", "--set gates.accuracy.min: expected a number");
    set_fails(&p, "gates.accuracy.min='0.9'", "--set gates.accuracy.min: expected a number");
    set_fails(&p, "seed=x", "--set seed: expected an integer, found 'x'");
    set_fails(&p, "allow_missing_baseline=on",
              "--set allow_missing_baseline: expected true or "
              "false, found 'on'");
    set_fails(&p, "data.ignore=a", "--set data.ignore: expected a list");
    set_fails(&p, "model=", "--set model: expected a text value, found no value");
    set_fails(&p, "version=2", "--set version: version 2 is not supported");
    set_fails(&p, "gates.accuracy=0.9", "--set gates.accuracy: expected a mapping");
    set_fails(&p, "gates.accuracy={min: 85}",
              "--set gates.accuracy: gates.accuracy.min: 85 is "
              "outside [0, 1]");
    set_fails(&p, "model.x=1", "--set model.x: model holds a value, not further keys");
    set_fails(&p, "gates.accuracy.min", "--set gates.accuracy.min: expected KEY=VALUE");
    set_fails(&p, "=1", "--set : expected KEY=VALUE");
    set_fails(&p, "data..test=1", "--set data..test: not a key of the policy");
    set_fails(&p, "data.test=*a", "--set data.test:1:1: an alias");
    /* a failed override leaves the value as it was */
    assert_true(p.metric_gates[0].min == 0.9);
    assert_int_equal(p.nignore, 2);

    /* --set makes min > max: validate names the override */
    set_ok(&p, "gates.accuracy.max=0.5");
    mg_error err;
    assert_int_equal(mg_policy_validate(&p, &err), MG_ERR_USAGE);
    assert_string_equal(err.text, "--set gates.accuracy.min: min 0.9 is above max 0.5");
    /* a required key removed by a flag's value is named with the flag */
    assert_int_equal(mg_policy_override(&p, "gates.accuracy.max", "1", "--max-accuracy", &err),
                     MG_OK);
    assert_int_equal(mg_policy_validate(&p, &err), MG_OK);
    set_ok(&p, "gates.regression.accuracy.min_change=0");
    set_ok(&p, "allow_missing_baseline=false");
    assert_int_equal(mg_policy_validate(&p, &err), MG_ERR_USAGE);
    assert_string_equal(err.text, "p.yml:24:3: gates.regression: the rules compare against a "
                                  "baseline, but there is none: set baseline (or --baseline), or "
                                  "allow_missing_baseline: true for a first model");
    assert_int_equal(err.place.line, 24);
    assert_int_equal(err.place.column, 3);
    mg_policy_release(&p);
}

/* A --set max below the file's min names the override, and cites the
 * file's min. */
static void set_max_below_file_min_names_the_override(void **state) {
    (void)state;
    mg_policy p;
    parse_ok(HEAD "gates:\n  accuracy: {min: 0.8}\n", &p);
    set_ok(&p, "gates.accuracy.max=0.6");
    mg_error err;
    mg_error_clear(&err);
    assert_int_equal(mg_policy_validate(&p, &err), MG_ERR_USAGE);
    assert_string_equal(err.text, "--set gates.accuracy.max: max 0.6 is below min 0.8 "
                                  "(p.yml:5:14: gates.accuracy.min)");
    assert_string_equal(err.place.source, "--set gates.accuracy.max");
    mg_policy_release(&p);
    /* a flag's max: the flag is named */
    parse_ok(HEAD "gates:\n  accuracy: {min: 0.8}\n", &p);
    assert_int_equal(mg_policy_override(&p, "gates.accuracy.max", "0.5", "--max-accuracy", &err),
                     MG_OK);
    assert_int_equal(mg_policy_validate(&p, &err), MG_ERR_USAGE);
    assert_string_equal(err.text, "--max-accuracy: gates.accuracy.max: max 0.5 is below min 0.8 "
                                  "(p.yml:5:14: gates.accuracy.min)");
    mg_policy_release(&p);
}

/* A section given a single value: the message's two examples (a mapping,
 * and one key of it) are themselves accepted by --set. */
static void set_section_hints_exist(void **state) {
    (void)state;
    static const char *const sections[] = {"data",
                                           "gates",
                                           "gates.latency",
                                           "gates.latency.p99_ms",
                                           "gates.fairness",
                                           "gates.fairness.reference",
                                           "gates.fairness.demographic_parity_ratio",
                                           "gates.regression",
                                           "gates.regression.accuracy",
                                           "gates.accuracy",
                                           "outputs",
                                           "slices",
                                           "slices.edges",
                                           "slices.gates",
                                           "slices.gates.accuracy"};
    for (size_t i = 0; i < MG_ARRAY_LEN(sections); i++) {
        mg_policy p;
        parse_ok(HEAD, &p);
        char assignment[200];
        snprintf(assignment, sizeof assignment, "%s=1", sections[i]);
        mg_error err;
        mg_error_clear(&err);
        assert_int_equal(mg_policy_set(&p, assignment, &err), MG_ERR_USAGE);
        /* "--set KEY: expected a mapping (like M), or set one key of it (like K=V), ..." */
        char want[200];
        snprintf(want, sizeof want, "--set %s: expected a mapping (like ", sections[i]);
        if (strncmp(err.text, want, strlen(want)) != 0)
            fail_msg("%s: got '%s'", sections[i], err.text);
        const char *m = err.text + strlen(want);
        const char *m_end = strstr(m, "), or set one key of it (like ");
        assert_non_null(m_end);
        const char *k = m_end + strlen("), or set one key of it (like ");
        const char *k_end = strstr(k, "), or remove it with null");
        assert_non_null(k_end);
        char mapping[200], one_key[200];
        snprintf(mapping, sizeof mapping, "%s=%.*s", sections[i], (int)(m_end - m), m);
        snprintf(one_key, sizeof one_key, "%.*s", (int)(k_end - k), k);
        assert_true(strncmp(one_key, sections[i], strlen(sections[i])) == 0 &&
                    one_key[strlen(sections[i])] == '.');
        set_ok(&p, mapping);
        mg_policy_release(&p);
        parse_ok(HEAD, &p);
        set_ok(&p, one_key);
        mg_policy_release(&p);
    }
    /* the two the user met */
    mg_policy p;
    parse_ok(HEAD, &p);
    set_fails(&p, "gates=0",
              "--set gates: expected a mapping (like {accuracy: {min: 0.85}}), or "
              "set one key of it (like gates.accuracy.min=0.85), or remove it "
              "with null");
    set_fails(&p, "gates.regression=[a]",
              "--set gates.regression: expected a mapping (like {accuracy: {min_change: "
              "-0.01}}), or set one key of it (like gates.regression.accuracy.min_change=-0.01)");
    mg_policy_release(&p);
}

/* --set KEY={...} replaces the section or gate; --set KEY=null removes it,
 * as if the file did not have it; a required key cannot be removed. */
static void set_replaces_and_removes(void **state) {
    (void)state;
    mg_policy p;
    parse_ok(design_example, &p);
    char buf[128];
    set_ok(&p, "gates.accuracy={max: 0.99}");
    const mg_policy_bound *b = bound(p.metric_gates, p.nmetric_gates, "accuracy");
    assert_true(b != NULL && !b->has_min && b->has_max && b->max == 0.99);
    /* the file's min is gone with its place */
    assert_string_equal(mg_policy_where(&p, "gates.accuracy.min", buf, sizeof buf),
                        "gates.accuracy.min");
    set_ok(&p, "gates.accuracy=null");
    assert_null(bound(p.metric_gates, p.nmetric_gates, "accuracy"));
    assert_int_equal(p.nmetric_gates, 1);
    assert_string_equal(p.metric_gates[0].metric, "roc_auc");
    set_ok(&p, "gates.roc_auc.confidence=null");
    assert_true(p.metric_gates[0].confidence == 0 && p.metric_gates[0].min == 0.90);
    set_ok(&p, "gates.latency=null");
    assert_false(p.latency.has);
    assert_int_equal(p.latency.nbounds, 0);
    assert_int_equal(p.latency.samples, 1000);
    assert_string_equal(mg_policy_where(&p, "gates.latency.p99_ms.max", buf, sizeof buf),
                        "gates.latency.p99_ms.max");
    set_ok(&p, "gates.regression=null");
    assert_false(p.regression.has);
    assert_int_equal(p.regression.nrules, 0);
    set_ok(&p, "gates.fairness={protected_attributes: [region], method: to_overall}");
    assert_true(p.fairness.has);
    assert_int_equal(p.fairness.nprotected, 1);
    assert_string_equal(p.fairness.protected_attributes[0], "region");
    assert_int_equal(p.fairness.nbounds, 0); /* the file's bounds are replaced */
    assert_string_equal(p.fairness.method, "to_overall");
    set_ok(&p, "gates.fairness.method=null");
    assert_string_equal(p.fairness.method, "between_groups");
    set_ok(&p, "data={test: other.csv, ignore: [x]}");
    assert_string_equal(p.test_data, "other.csv");
    assert_string_equal(p.label, "label"); /* the default again */
    assert_int_equal(p.nignore, 1);
    assert_true(p.features_auto);
    set_ok(&p, "data.ignore=null");
    assert_int_equal(p.nignore, 0);
    set_ok(&p, "seed=7");
    set_ok(&p, "seed=~");
    assert_true(p.seed == 42);
    set_ok(&p, "task=null");
    assert_int_equal(p.task, MG_TASK_AUTO);
    set_ok(&p, "on_inconclusive=warn");
    set_ok(&p, "on_inconclusive=null");
    assert_int_equal(p.on_inconclusive, MG_ON_INCONCLUSIVE_FAIL);
    set_ok(&p, "outputs=null");
    assert_string_equal(p.outputs_dir, "modelgate-results");
    set_ok(&p, "baseline=null");
    assert_null(p.baseline);
    mg_error err;
    mg_error_clear(&err);
    if (mg_policy_validate(&p, &err) != MG_OK)
        fail_msg("%s", err.text);

    set_fails(&p, "model=null", "--set model: model is required and cannot be removed");
    set_fails(&p, "data.test=null", "--set data.test: data.test is required and cannot be removed");
    set_fails(&p, "version=null", "--set version: version is required and cannot be removed");
    set_fails(&p, "data=null", "--set data: data holds the required data.test");
    set_fails(&p, "gates.fairness.protected_attributes=null",
              "--set gates.fairness.protected_attributes: gates.fairness requires "
              "protected_attributes");
    /* a refused removal changed nothing */
    assert_string_equal(p.model, "models/model.json");
    assert_string_equal(p.test_data, "other.csv");

    /* a reference group's null stays the missing-value group, not a removal */
    set_ok(&p, "gates.fairness.reference={attribute: region, group: null}");
    assert_true(p.fairness.reference_missing);
    set_ok(&p, "gates.fairness.reference=null");
    assert_null(p.fairness.reference_attribute);
    assert_false(p.fairness.reference_missing);

    set_ok(&p, "gates=null");
    assert_int_equal(p.nmetric_gates, 0);
    assert_false(p.fairness.has);
    assert_int_equal(mg_policy_validate(&p, &err), MG_OK);
    /* flags are taken as given: --model null is a model named null */
    assert_int_equal(mg_policy_override(&p, "model", "null", "--model", &err), MG_OK);
    assert_string_equal(p.model, "null");
    mg_policy_release(&p);
}

/* ---- slices ---------------------------------------------------------------- */

static void parse_fails(const char *text, const char *message) {
    mg_policy p;
    mg_error err;
    mg_error_clear(&err);
    assert_int_equal(mg_policy_parse(text, strlen(text), "p.yml", &p, &err), MG_ERR_USAGE);
    if (strncmp(err.text, message, strlen(message)) != 0)
        fail_msg("got '%s', expected '%s...'", err.text, message);
    mg_policy_release(&p);
}

static void slices_section(void **state) {
    (void)state;
    mg_policy p;
    parse_ok(HEAD, &p);
    assert_false(p.slices.has);
    assert_int_equal(p.slices.bins, 10);
    assert_int_equal(p.slices.min_slice_size, 30);
    mg_policy_release(&p);

    parse_ok(HEAD "slices:\n"                                      /* 4 */
                  "  by: [region, age, 'no']\n"                    /* 5 */
                  "  cross: [[region, channel], [age, channel]]\n" /* 6 */
                  "  bins: 5\n"                                    /* 7 */
                  "  edges: {age: [25, 40.5, 6e1]}\n"              /* 8 */
                  "  min_slice_size: 50\n"                         /* 9 */
                  "  gates:\n"                                     /* 10 */
                  "    accuracy: {min: 0.8, confidence: 0.95}\n"   /* 11 */
                  "    roc_auc: {max_gap: 0.05}\n"                 /* 12 */
                  "    log_loss: {max: 0.7}\n",
             &p);
    const mg_policy_slices *sl = &p.slices;
    assert_true(sl->has);
    assert_int_equal(sl->nby, 3);
    assert_string_equal(sl->by[0], "region");
    assert_string_equal(sl->by[2], "no");
    assert_int_equal(sl->ncross, 2);
    assert_string_equal(sl->cross[0], "region");
    assert_string_equal(sl->cross[1], "channel");
    assert_string_equal(sl->cross[2], "age");
    assert_string_equal(sl->cross[3], "channel");
    assert_int_equal(sl->bins, 5);
    assert_int_equal(sl->nedges, 1);
    assert_string_equal(sl->edges[0].column, "age");
    assert_int_equal(sl->edges[0].nedges, 3);
    assert_true(sl->edges[0].edges[0] == 25 && sl->edges[0].edges[1] == 40.5 &&
                sl->edges[0].edges[2] == 60);
    assert_int_equal(sl->min_slice_size, 50);
    assert_int_equal(sl->ngates, 3);
    assert_string_equal(sl->gates[0].metric, "accuracy");
    assert_true(sl->gates[0].has_min && !sl->gates[0].has_max && !sl->gates[0].has_max_gap);
    assert_true(sl->gates[0].min == 0.8 && sl->gates[0].confidence == 0.95);
    assert_int_equal(sl->gates[0].place.line, 11);
    assert_int_equal(sl->gates[0].place.column, 5);
    assert_true(sl->gates[1].has_max_gap && sl->gates[1].max_gap == 0.05);
    assert_true(sl->gates[2].has_max && sl->gates[2].max == 0.7);
    assert_int_equal(sl->place.line, 4);
    char buf[128];
    assert_string_equal(mg_policy_where(&p, "slices.gates.accuracy.min", buf, sizeof buf),
                        "p.yml:11:16: slices.gates.accuracy.min");
    assert_string_equal(mg_policy_where(&p, "slices.edges.age", buf, sizeof buf),
                        "p.yml:8:11: slices.edges.age");
    mg_error err;
    mg_error_clear(&err);
    if (mg_policy_validate(&p, &err) != MG_OK)
        fail_msg("%s", err.text);

    /* --set: one key, a whole gate, the section's lists, removal */
    set_ok(&p, "slices.gates.accuracy.min=0.75");
    assert_true(sl->gates[0].min == 0.75 && sl->gates[0].confidence == 0.95);
    set_ok(&p, "slices.gates.accuracy={max_gap: 0.1}");
    assert_true(!sl->gates[0].has_min && sl->gates[0].has_max_gap && sl->gates[0].confidence == 0);
    set_ok(&p, "slices.gates.recall={min: 0.5}");
    assert_int_equal(sl->ngates, 4);
    set_ok(&p, "slices.gates.roc_auc=null");
    assert_int_equal(sl->ngates, 3);
    set_ok(&p, "slices.cross=[[a, b]]");
    assert_int_equal(sl->ncross, 1);
    set_ok(&p, "slices.edges.income=[0, 1000]");
    assert_int_equal(mg_policy_validate(&p, &err), MG_ERR_USAGE);
    assert_string_equal(err.text, "--set slices.edges.income: 'income' is not a column of "
                                  "slices.by or slices.cross");
    set_ok(&p, "slices.edges.income=null");
    assert_int_equal(sl->nedges, 1);
    set_ok(&p, "slices.bins=null");
    assert_int_equal(sl->bins, 10);
    assert_int_equal(mg_policy_validate(&p, &err), MG_OK);
    set_fails(&p, "slices.gates.accuracy.min=85",
              "--set slices.gates.accuracy.min: 85 is outside [0, 1]");
    set_fails(&p, "slices.gates.recall_at_precision_0.9.min=0.5",
              "--set slices.gates.recall_at_precision_0.9.min: unknown key (see docs/policy.md "
              "for the keys allowed under slices.gates)");
    set_ok(&p, "slices=null");
    assert_false(sl->has);
    assert_int_equal(sl->nby, 0);
    assert_int_equal(sl->ngates, 0);
    assert_int_equal(sl->min_slice_size, 30);
    set_ok(&p, "slices={by: [region], gates: {accuracy: {min: 0.7}}}");
    assert_int_equal(sl->nby, 1);
    assert_int_equal(mg_policy_validate(&p, &err), MG_OK);
    mg_policy_release(&p);

    /* refused as it is read, naming key and place */
    parse_fails(HEAD "slices:\n  by: region\n",
                "p.yml:5:7: slices.by: expected a list (like [a, b]), found 'region'");
    parse_fails(HEAD "slices:\n  by: [a, b, a]\n", "p.yml:5:14: slices.by[2]: 'a' is listed twice");
    parse_fails(HEAD "gates:\n  recall_at_precision_0.80: {min: 0.5}\n",
                "p.yml:5:3: gates.recall_at_precision_0.80: write recall_at_precision_0.8: one "
                "name per operating point");
    parse_fails(HEAD "slices:\n  by: [a, 1.5, \"\"]\n",
                "p.yml:5:16: slices.by[2]: expected a text value, found \"\"");
    parse_fails(HEAD "slices:\n  cross: [[a]]\n",
                "p.yml:5:11: slices.cross[0]: expected a pair of columns (like [region, "
                "channel]), found a list of 1");
    parse_fails(HEAD "slices:\n  cross: [a, b]\n",
                "p.yml:5:11: slices.cross[0]: expected a pair of columns");
    parse_fails(HEAD "slices:\n  cross: [[a, a]]\n",
                "p.yml:5:11: slices.cross[0]: a column crossed with itself ('a')");
    parse_fails(HEAD "slices:\n  cross: [[a, b], [b, a]]\n",
                "p.yml:5:19: slices.cross[1]: the pair is listed twice (also item 0)");
    parse_fails(HEAD "slices:\n  bins: 0\n", "p.yml:5:9: slices.bins: 0 is outside 1..1000");
    parse_fails(HEAD "slices:\n  bins: 1001\n", "p.yml:5:9: slices.bins: 1001 is outside 1..1000");
    parse_fails(HEAD "slices:\n  min_slice_size: 0\n",
                "p.yml:5:19: slices.min_slice_size: 0 is outside 1..");
    parse_fails(HEAD "slices:\n  edges: {age: [40, 25]}\n",
                "p.yml:5:21: slices.edges.age[1]: 25 is not above the edge before it (40)");
    parse_fails(HEAD "slices:\n  edges: {age: [40]}\n",
                "p.yml:5:16: slices.edges.age: at least two edges are needed");
    parse_fails(HEAD "slices:\n  edges: {age: [1, \"2\"]}\n",
                "p.yml:5:20: slices.edges.age[1]: expected a number (like 0.85), found the "
                "quoted text \"2\"");
    parse_fails(HEAD "slices:\n  edges: [1, 2]\n",
                "p.yml:5:10: slices.edges: expected a mapping of keys, found a list");
    parse_fails(HEAD "slices:\n  gates:\n    acuracy: {min: 0.8}\n",
                "p.yml:6:5: slices.gates.acuracy: unknown key; did you mean "
                "slices.gates.accuracy?");
    parse_fails(HEAD "slices:\n  gates:\n    accuracy: {min: 80}\n",
                "p.yml:6:21: slices.gates.accuracy.min: 80 is outside [0, 1]");
    parse_fails(HEAD "slices:\n  gates:\n    accuracy: {max_gap: -0.1}\n",
                "p.yml:6:25: slices.gates.accuracy.max_gap: -0.1 is negative");
    parse_fails(HEAD "slices:\n  gates:\n    accuracy: {min: 0.8, confidence: 1}\n",
                "p.yml:6:38: slices.gates.accuracy.confidence: 1 is outside (0, 1)");
    parse_fails(HEAD "slices:\n  gates:\n    accuracy: {mni: 0.8}\n",
                "p.yml:6:16: slices.gates.accuracy.mni: unknown key; did you mean "
                "slices.gates.accuracy.min?");
    parse_fails(HEAD "slices:\n  by_columns: [a]\n", "p.yml:5:3: slices.by_columns: unknown key");

    /* the whole-policy checks */
    expect_invalid(HEAD "slices:\n  gates:\n    accuracy: {min: 0.8}\n",
                   "p.yml:4:1: slices.by: required key is missing");
    expect_invalid(HEAD "slices:\n  by: [a]\n  edges: {b: [1, 2]}\n",
                   "p.yml:6:11: slices.edges.b: 'b' is not a column of slices.by or "
                   "slices.cross");
    expect_invalid(HEAD "slices:\n  by: [a]\n  gates:\n    accuracy: {confidence: 0.9}\n",
                   "p.yml:7:5: slices.gates.accuracy: give min, max and/or max_gap");
    expect_invalid(HEAD "slices:\n  by: [a]\n  gates:\n    accuracy: {min: 0.9, max: 0.8}\n",
                   "p.yml:7:16: slices.gates.accuracy.min: min 0.9 is above max 0.8");
    expect_invalid(HEAD "task: regression\nslices:\n  by: [a]\n  gates:\n"
                        "    accuracy: {min: 0.9}\n",
                   "p.yml:8:5: slices.gates.accuracy: accuracy is not a regression metric");
    expect_invalid(HEAD "slices:\n  by: [a]\n  gates:\n    f1: {min: 0.5, confidence: 0.9}\n",
                   "p.yml:7:20: slices.gates.f1.confidence: f1 has no per-slice interval");
    /* with the task unknown any task's metric is accepted */
    parse_ok(HEAD "slices:\n  cross: [[a, b]]\n  edges: {a: [0, 1]}\n  gates:\n"
                  "    rmse: {max: 3}\n    accuracy: {min: 0.5}\n",
             &p);
    assert_int_equal(mg_policy_validate(&p, &err), MG_OK);
    mg_policy_release(&p);
}

/* Flags outrank --set and the file: mg_policy_override records the flag. */
static void override_from_flags(void **state) {
    (void)state;
    mg_policy p;
    parse_ok(HEAD "baseline: b.json\n", &p);
    mg_error err;
    assert_int_equal(mg_policy_override(&p, "model", "cmd:run.sh # not a comment", "--model", &err),
                     MG_OK);
    assert_string_equal(p.model, "cmd:run.sh # not a comment");
    assert_int_equal(mg_policy_override(&p, "data.label", "no", "--label", &err), MG_OK);
    assert_string_equal(p.label, "no");
    assert_int_equal(mg_policy_override(&p, "on_inconclusive", "warn", "--on-inconclusive", &err),
                     MG_OK);
    assert_int_equal(p.on_inconclusive, MG_ON_INCONCLUSIVE_WARN);
    char buf[64];
    assert_string_equal(mg_policy_where(&p, "model", buf, sizeof buf), "--model");
    assert_int_equal(mg_policy_override(&p, "on_inconclusive", "maybe", "--on-inconclusive", &err),
                     MG_ERR_USAGE);
    assert_string_equal(err.text, "--on-inconclusive: on_inconclusive: expected one of fail, "
                                  "warn, pass, found 'maybe'");
    /* paths: the file's are relative to its folder, flags' to the working one */
    free(p.base_dir);
    p.base_dir = strdup("conf");
    char *s = mg_policy_path(&p, "data.test", p.test_data);
    assert_string_equal(s, "conf/t.csv");
    free(s);
    s = mg_policy_path(&p, "baseline", p.baseline);
    assert_string_equal(s, "conf/b.json");
    free(s);
    s = mg_policy_path(&p, "model", p.model);
    assert_string_equal(s, "cmd:run.sh # not a comment");
    free(s);
    mg_policy_release(&p);
}

/* ---- files -------------------------------------------------------------- */

static void load_file_digest_and_folder(void **state) {
    (void)state;
    char dir[] = "/tmp/mg_policy_XXXXXX";
    assert_non_null(mkdtemp(dir));
    char path[256];
    snprintf(path, sizeof path, "%s/modelgate.yml", dir);
    FILE *f = fopen(path, "wb");
    assert_non_null(f);
    const char *text = "version: 1\ndata: {test: data/t.csv}\nmodel: /abs/m.json\n";
    fputs(text, f);
    fclose(f);
    mg_policy p;
    mg_error err;
    assert_int_equal(mg_policy_load(path, &p, &err), MG_OK);
    /* sha256sum of the same 55 bytes (coreutils) */
    assert_string_equal(p.sha256,
                        "3c2c14493ad42bda1579066161689389b47079772792355680c18f1d9211a4cd");
    assert_string_equal(p.base_dir, dir);
    char *s = mg_policy_path(&p, "data.test", p.test_data);
    char want[300];
    snprintf(want, sizeof want, "%s/data/t.csv", dir);
    assert_string_equal(s, want);
    free(s);
    s = mg_policy_path(&p, "model", p.model);
    assert_string_equal(s, "/abs/m.json");
    free(s);
    char buf[300];
    snprintf(want, sizeof want, "%s:2:8: data.test", path);
    assert_string_equal(mg_policy_where(&p, "data.test", buf, sizeof buf), want);
    mg_policy_release(&p);

    /* over the size cap: refused, naming the size */
    f = fopen(path, "wb");
    assert_non_null(f);
    fputs("version: 1\n", f);
    for (int i = 0; i < (1 << 20); i++)
        fputc('#', f);
    fclose(f);
    assert_int_equal(mg_policy_load(path, &p, &err), MG_ERR_USAGE);
    assert_non_null(strstr(err.text, "the policy is 1048587 bytes; a policy file may be at most "
                                     "1048576 bytes"));
    mg_policy_release(&p);

    /* an empty file: refused at 1:1, and its digest is the empty one */
    f = fopen(path, "wb");
    assert_non_null(f);
    fclose(f);
    assert_int_equal(mg_policy_load(path, &p, &err), MG_ERR_USAGE);
    assert_non_null(strstr(err.text, ":1:1: version: the policy is empty"));
    assert_string_equal(p.sha256,
                        "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
    mg_policy_release(&p);

    assert_int_equal(mg_policy_load("/nonexistent/modelgate.yml", &p, &err), MG_ERR_IO);
    mg_policy_release(&p);
    unlink(path);
    rmdir(dir);
}

/* The bundled example's policy reads and passes the whole-policy checks. */
static void bundled_example(void **state) {
    (void)state;
    mg_policy p;
    mg_error err;
    assert_int_equal(mg_policy_load(MG_SOURCE_DIR "/examples/modelgate.yml", &p, &err), MG_OK);
    assert_int_equal(mg_policy_validate(&p, &err), MG_OK);
    assert_string_equal(p.test_data, "data/test.csv");
    assert_string_equal(p.model, "models/model.json");
    assert_string_equal(p.baseline, "registry:credit@production");
    assert_true(p.allow_missing_baseline);
    assert_int_equal(p.nignore, 1);
    assert_string_equal(p.ignore[0], "score");
    assert_int_equal(p.nmetric_gates, 2);
    assert_true(p.metric_gates[1].min == 0.85 && p.metric_gates[1].confidence == 0.95);
    assert_int_equal(p.latency.nbounds, 2);
    assert_int_equal(p.fairness.nprotected, 2);
    assert_int_equal(p.regression.nrules, 1);
    assert_true(p.regression.rules[0].min_change == -0.01);
    assert_string_equal(p.outputs_dir, "modelgate-results");
    char *s = mg_policy_path(&p, "data.test", p.test_data);
    assert_string_equal(s, MG_SOURCE_DIR "/examples/data/test.csv");
    free(s);
    mg_policy_release(&p);
}

/* Allocation failure at every point of a parse and an override (curl's
 * torture tests, as test_alloc_failure.c does for the readers): an error
 * with a message each time, never MG_OK with parts missing, and no leak
 * (the sanitize build's LeakSanitizer checks at exit). */
static mg_status parse_and_set(mg_error *err) {
    mg_policy p;
    mg_status st = mg_policy_parse(P(design_example), "p.yml", &p, err);
    if (st == MG_OK)
        st = mg_policy_set(&p,
                           "gates.fairness={protected_attributes: [gender], threshold: 0.8, "
                           "reference: {attribute: gender, group: f}}",
                           err);
    if (st == MG_OK)
        st = mg_policy_override(&p, "model", "other.json", "--model", err);
    if (st == MG_OK && (p.fairness.reference_group == NULL || strcmp(p.model, "other.json") != 0 ||
                        p.fairness.nbounds != 0 || p.nplaces != 37 || p.label == NULL))
        st = MG_ERR_INTERNAL; /* a success with parts missing */
    mg_policy_release(&p);
    return st;
}

static void allocation_failures(void **state) {
    (void)state;
    mg_error err;
    assert_int_equal(parse_and_set(&err), MG_OK);
    for (long n = 1;; n++) {
        mg_error_clear(&err);
        mg__alloc_fail_at(n);
        mg_status st = parse_and_set(&err);
        long calls = mg__alloc_calls();
        mg__alloc_fail_at(0);
        if (calls < n) {
            assert_int_equal(st, MG_OK);
            assert_true(n > 50); /* the walk allocates: the hook saw it */
            break;
        }
        if (st != MG_ERR_NOMEM || err.text[0] == '\0')
            fail_msg("allocation %ld failed: status %d, '%s'", n, (int)st, err.text);
    }
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(design_example_every_field),
        cmocka_unit_test(defaults_of_a_minimal_policy),
        cmocka_unit_test(every_key_and_core_schema_strings),
        cmocka_unit_test(hostile_policies_name_key_and_place),
        cmocka_unit_test(empty_baseline_is_none),
        cmocka_unit_test(validate_whole_policy),
        cmocka_unit_test(task_auto_accepts_every_task_metric),
        cmocka_unit_test(set_overrides_every_type),
        cmocka_unit_test(override_from_flags),
        cmocka_unit_test(set_section_hints_exist),
        cmocka_unit_test(set_replaces_and_removes),
        cmocka_unit_test(slices_section),
        cmocka_unit_test(set_max_below_file_min_names_the_override),
        cmocka_unit_test(load_file_digest_and_folder),
        cmocka_unit_test(bundled_example),
        cmocka_unit_test(allocation_failures),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
