/* compare_run.c - the regression gate of a candidate against its baseline:
 * the run of both models on one table, the paired comparison, the rules and
 * comparison.json (the pipeline under `modelgate compare`). */
#include "internal.h"
#include "modelgate/pipeline.h"
#include "modelgate/report.h"

void mg_compare_spec_init(mg_compare_spec *spec) {
    memset(spec, 0, sizeof *spec);
    mg_run_spec_init(&spec->run);
    spec->run.nmodels = 2;
    spec->compare.level = 0.95;
}

void mg_compare_outcome_release(mg_compare_outcome *out) {
    mg_comparison_release(&out->comparison);
    free(out->results);
    free(out->comparison_json);
    memset(out, 0, sizeof *out);
}

static void stage(const mg_compare_spec *s, const char *name) {
    if (s->stage != NULL)
        s->stage(s->stage_ctx, name);
}

/* Builds both models' targets, saying how each takes its features and which
 * label is positive. */
static mg_status build_targets(const mg_compare_spec *s, mg_run *run, mg_error *err) {
    for (int m = 0; m < 2; m++) {
        char text[640];
        if (s->note != NULL && mg_run_feature_note(run, m, text, sizeof text))
            s->note(s->note_ctx, m, text);
        MG_TRY(mg_run_targets(run, m, err));
        const mg_targets *t = &run->targets[m];
        if (s->note != NULL && t->task == MG_TASK_BINARY) {
            snprintf(text, sizeof text, "positive label '%s': %s", t->positive_label,
                     t->positive_reason);
            s->note(s->note_ctx, m, text);
        }
    }
    return MG_OK;
}

static mg_status compare(const mg_compare_spec *s, mg_run *run, mg_compare_outcome *out,
                         mg_error *err) {
    stage(s, "reading");
    MG_TRY(mg_run_open(&s->run, run, err));
    stage(s, "predicting");
    MG_TRY(build_targets(s, run, err));
    for (int i = 0; i < s->nrules; i++)
        MG_TRY(mg_compare_rule_validate(run->targets[0].task, &s->rules[i], err));
    stage(s, "bootstrap");
    mg_status st = mg_comparison_compute(&run->targets[0], &run->targets[1], &s->compare,
                                         &out->comparison, err);
    const char *data_sha = s->data_sha256 != NULL ? s->data_sha256(s->data_sha256_ctx) : NULL;
    MG_TRY(st);
    stage(s, "gates");
    out->results = mg__calloc((size_t)(s->nrules > 0 ? s->nrules : 1), sizeof *out->results);
    if (out->results == NULL)
        return mg__nomem(err, "the rules' results");
    for (int i = 0; i < s->nrules; i++) {
        MG_TRY(mg_compare_rule_check(&out->comparison, &s->rules[i], s->gate_on_interval,
                                     &out->results[i], err));
        out->nresults++;
        out->verdict = mg_verdict_worse(out->verdict, out->results[i].verdict);
    }
    out->decided = true;
    mg_provenance prov = {.data_path = s->run.test_data,
                          .data_sha256 = data_sha,
                          .model_arg = mg_model_source(run->models[0]),
                          .model_sha256 = mg_model_sha256(run->models[0]),
                          .baseline_arg = mg_model_source(run->models[1]),
                          .baseline_sha256 = mg_model_sha256(run->models[1])};
    if (mg_comparison_json(&out->comparison, &run->targets[0], &run->targets[1], s->rules,
                           out->results, s->nrules, &prov,
                           &out->comparison_json, &out->comparison_len, err) != MG_OK)
        return mg__fail(err, MG_ERR_NOMEM, "out of memory writing comparison.json");
    return MG_OK;
}

mg_status mg_compare_run(const mg_compare_spec *spec, mg_compare_outcome *out, mg_error *err) {
    memset(out, 0, sizeof *out);
    out->verdict = MG_VERDICT_PASS;
    mg_run run = {0};
    mg_status st = compare(spec, &run, out, err);
    mg_run_release(&run);
    return st;
}
