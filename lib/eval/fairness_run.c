/* fairness_run.c - the whole fairness assessment of one model: the run, the
 * measures per protected attribute and fairness.json (the pipeline under
 * `modelgate fairness`). */
#include "eval_internal.h"
#include "modelgate/pipeline.h"
#include "modelgate/report.h"

void mg_fairness_spec_init(mg_fairness_spec *spec) {
    memset(spec, 0, sizeof *spec);
    mg_run_spec_init(&spec->run);
    mg_fairness_options_init(&spec->fairness);
}

void mg_fairness_outcome_release(mg_fairness_outcome *out) {
    mg_fairness_release(&out->result);
    free(out->fairness_json);
    mg_partial_release(&out->partial);
    memset(out, 0, sizeof *out);
}

static void stage(const mg_fairness_spec *s, const char *name) {
    if (s->stage != NULL)
        s->stage(s->stage_ctx, name);
}

static mg_status assess(const mg_fairness_spec *s, const mg_run_spec *rs, mg_run *run,
                        mg_table **own, mg_fairness_outcome *out, mg_error *err) {
    const mg_targets *t;
    const mg_table *cols;
    char text[640];
    if (s->from != NULL) {
        t = &s->from->targets;
        cols = s->from->columns;
    } else {
        stage(s, "reading");
        MG_TRY(mg_run_open(rs, run, err));
        if (s->note != NULL && mg_run_feature_note(run, 0, text, sizeof text))
            s->note(s->note_ctx, 0, text);
        stage(s, "predicting");
        MG_TRY(mg_run_targets(run, 0, err));
        /* The protected attributes are all the measures need of the table; the
         * rows go in canonical order so that merged shards give the same
         * numbers (docs/scale.md). */
        MG_TRY(mg_table_select(run->table, rs->protected_attrs, rs->nprotected, own, err));
        mg_run_drop_table(run);
        MG_TRY(mg_rows_canonicalize(&run->targets[0], *own, NULL, err));
        if (s->partial_only)
            return mg__run_partial(
                run, own, rs->test_data,
                s->data_sha256 != NULL ? s->data_sha256(s->data_sha256_ctx) : NULL, &out->partial,
                err);
        t = &run->targets[0];
        cols = *own;
    }
    if (s->note != NULL && t->task == MG_TASK_BINARY) {
        snprintf(text, sizeof text, "positive label '%s': %s", t->positive_label,
                 t->positive_reason);
        s->note(s->note_ctx, 0, text);
    }
    stage(s, "fairness");
    MG_TRY(mg_fairness_compute(t, cols, rs->protected_attrs, rs->nprotected, &s->fairness,
                               &out->result, err));
    out->computed = true;
    mg_provenance prov;
    mg__run_provenance(s->from, rs->test_data, run, s->data_sha256, s->data_sha256_ctx, &prov);
    if (mg_fairness_json(&out->result, &prov, &out->fairness_json, &out->fairness_len, err) !=
        MG_OK)
        return mg__fail(err, MG_ERR_NOMEM, "out of memory writing fairness.json");
    return MG_OK;
}

mg_status mg_fairness_run(const mg_fairness_spec *spec, mg_fairness_outcome *out, mg_error *err) {
    memset(out, 0, sizeof *out);
    mg_run_spec rs = spec->run;
    rs.need_protected = true;
    mg_run run = {0};
    mg_table *own = NULL;
    mg_status st = assess(spec, &rs, &run, &own, out, err);
    mg_table_free(own);
    mg_run_release(&run);
    return st;
}
