/* gate_run.c - a policy's whole pipeline in one process: one read, one
 * prediction pass per model, then every gate decided on those predictions. */
#include "internal.h"
#include "modelgate/compare.h"
#include "modelgate/fairness.h"
#include "modelgate/gate_run.h"
#include "modelgate/latency.h"
#include "modelgate/metric_registry.h"
#include "modelgate/registry.h"
#include "modelgate/report.h"
#include "modelgate/run.h"
#include "modelgate/shard.h"

#include <math.h>
#include <string.h>
#include <time.h>

#include "eval/eval_internal.h"
#include "gate_run_internal.h"

void mg_gate_run_options_init(mg_gate_run_options *o) {
    memset(o, 0, sizeof *o);
}

/* The path to open for a path-valued key (see mg_policy_path): relative to
 * the policy's folder when written in the file, to the working folder when
 * given by a flag. NULL in, NULL out; *owned receives what to free. */
static const char *resolve(const mg_policy *p, const char *key, const char *value, char **owned,
                           mg_error *err, mg_status *st) {
    *owned = NULL;
    if (value == NULL)
        return NULL;
    if ((*owned = mg_policy_path(p, key, value)) == NULL)
        *st = mg__nomem(err, "a path");
    return *owned;
}

static void now_rfc3339(char *buf, size_t cap) {
    time_t t = time(NULL);
    struct tm tm;
    gmtime_r(&t, &tm);
    strftime(buf, cap, "%Y-%m-%dT%H:%M:%SZ", &tm);
}

/* The data digest: from the caller's callback, or hashed here. */
static const char *data_digest(const mg_gate_run_options *o, const char *path, char *buf) {
    if (o->data_sha256 != NULL)
        return o->data_sha256(o->data_sha256_ctx);
    mg_error ignored;
    return mg_file_sha256(path, buf, &ignored) == MG_OK ? buf : NULL;
}

static void stage(const mg_gate_run_options *o, const char *name) {
    if (o->stage != NULL)
        o->stage(o->stage_ctx, name);
}

/* "registry:credit@v3" -> "v3"; NULL for anything else. */
static const char *registry_version(const char *source) {
    if (source == NULL || strncmp(source, "registry:", 9) != 0)
        return NULL;
    const char *at = strrchr(source, '@');
    return at != NULL ? at + 1 : NULL;
}

#define NAMES_KEPT 64

typedef struct model_names {
    char *name[NAMES_KEPT];
    int n, total;
} model_names;

static void add_model_name(void *ctx, const mg_registry_entry *e) {
    model_names *m = ctx;
    if (m->total++ < NAMES_KEPT)
        m->name[m->n++] = mg__strdup(e->name); /* NULL when out of memory: skipped */
}

/* The note of a registry: baseline whose model the registry does not hold
 * (a first model). A name close to one the registry holds (Credit for
 * credit) is no first model but a misspelling: MG_ERR_USAGE naming both,
 * so allow_missing_baseline cannot skip the regression gates for good. */
static mg_status registry_absent(const char *baseline, const char *where, char *buf, size_t cap,
                                 mg_error *err) {
    model_names m = {{NULL}, 0, 0};
    mg_registry *reg = NULL;
    mg_error e;
    mg_error_clear(&e);
    if (mg_registry_open(mg_registry_locate(NULL), 0, &reg, &e) == MG_OK) {
        if (mg_registry_list(reg, add_model_name, &m, &e) != MG_OK)
            m.total = 0;
        mg_registry_close(reg);
    }
    char wanted[256];
    snprintf(wanted, sizeof wanted, "%.*s", (int)strcspn(baseline + 9, "@"), baseline + 9);
    const char *near = mg_closest_name(wanted, (const char *const *)m.name, m.n);
    mg_status st = MG_OK;
    if (near != NULL) {
        st = mg__fail(err, MG_ERR_USAGE,
                      "baseline %s: the registry holds no model '%s'; did you mean '%s'? (%s; "
                      "allow_missing_baseline skips only a model the registry holds nothing like)",
                      baseline, wanted, near, where);
    } else if (m.total == 0) {
        snprintf(buf, cap, "the registry holds no baseline model yet (a first model)");
    } else {
        char names[200] = "";
        size_t len = 0;
        for (int i = 0; i < m.n && i < 5 && len < sizeof names; i++) {
            int k = snprintf(names + len, sizeof names - len, "%s%s", i ? ", " : "",
                             m.name[i] ? m.name[i] : "?");
            len += k > 0 ? (size_t)k : 0;
        }
        snprintf(buf, cap, "the registry holds no model %s names (a first model? it holds %s%s)",
                 baseline, names, m.total > 5 ? ", ..." : "");
    }
    for (int i = 0; i < m.n; i++)
        free(m.name[i]);
    return st;
}

mg_status mg_gate_run(const mg_policy *p, const mg_gate_run_options *opts, mg_gate_outcome *out,
                      mg_error *err) {
    memset(out, 0, sizeof *out);
    mg_gate_run_options defaults;
    if (opts == NULL) {
        mg_gate_run_options_init(&defaults);
        opts = &defaults;
    }
    char *owned_data = NULL, *owned_pred = NULL, *owned_model = NULL, *owned_base = NULL;
    mg_run run;
    mg_table *cols = NULL;
    mg_targets canon;
    memset(&canon, 0, sizeof canon);
    memset(&run, 0, sizeof run);
    mg_status st = MG_OK;

    mg_run_spec spec;
    mg_run_spec_init(&spec);
    spec.test_data = resolve(p, "data.test", p->test_data, &owned_data, err, &st);
    spec.predictions = resolve(p, "data.predictions", p->predictions, &owned_pred, err, &st);
    spec.id = p->id;
    spec.read = opts->read;
    spec.model_options = opts->model_options;
    spec.label = p->label;
    spec.weight = p->weight;
    spec.ignore = (const char *const *)p->ignore;
    spec.nignore = p->nignore;
    if (!p->features_auto) {
        spec.features = (const char *const *)p->features;
        spec.nfeatures = p->nfeatures;
    }
    spec.classes = (const char *const *)p->classes;
    spec.nclasses = p->nclasses;
    spec.task = p->task;
    spec.positive_label = p->positive_label;
    spec.threshold = p->decision_threshold;
    /* Messages name the policy's keys and places, not the command line's
     * flags. */
    char w_label[200], w_task[200], w_pos[200], w_classes[200], w_features[200], w_ignore[200];
    mg_input_names names = {
        .label = mg_policy_where(p, "data.label", w_label, sizeof w_label),
        .task = mg_policy_where(p, "task", w_task, sizeof w_task),
        .positive_label = mg_policy_where(p, "data.positive_label", w_pos, sizeof w_pos),
        .classes = mg_policy_where(p, "data.classes", w_classes, sizeof w_classes),
        .features = mg_policy_where(p, "data.features", w_features, sizeof w_features),
        .ignore = mg_policy_where(p, "data.ignore", w_ignore, sizeof w_ignore)};
    spec.names = &names;
    /* The slice columns are read even when the models' outputs are columns
     * of the test data (then nothing else would be). */
    const char **keep = NULL;
    if (p->slices.has && p->slices.nby + 2 * p->slices.ncross > 0) {
        keep = mg__calloc((size_t)(p->slices.nby + 2 * p->slices.ncross), sizeof *keep);
        if (keep == NULL) {
            st = mg__nomem(err, "the slice columns");
            goto done;
        }
        for (int i = 0; i < p->slices.nby; i++)
            keep[spec.nkeep++] = p->slices.by[i];
        for (int i = 0; i < 2 * p->slices.ncross; i++)
            keep[spec.nkeep++] = p->slices.cross[i];
        spec.keep = keep;
    }
    if (p->fairness.has) {
        spec.protected_attrs = (const char *const *)p->fairness.protected_attributes;
        spec.nprotected = p->fairness.nprotected;
        spec.need_protected = true;
    }
    spec.models[0] = resolve(p, "model", p->model, &owned_model, err, &st);
    spec.nmodels = 1;
    const char *baseline = resolve(p, "baseline", p->baseline, &owned_base, err, &st);
    if (st != MG_OK)
        goto done;
    const char *baseline_missing = NULL;
    char why_missing[320];
    int absent = baseline != NULL && strncmp(baseline, "registry:", 9) == 0
                     ? mg_registry_arg_missing(baseline)
                     : 0;
    if (absent) {
        char where[200];
        if (!p->allow_missing_baseline) {
            st = mg__fail(err, MG_ERR_USAGE,
                          "baseline %s: %s (%s); set allow_missing_baseline: true to let a "
                          "first model pass without one",
                          baseline,
                          absent == 1 ? "the registry holds no such model"
                                      : "the stage holds no version (none promoted)",
                          mg_policy_where(p, "baseline", where, sizeof where));
            goto done;
        }
        if (absent == 1) {
            char place[200];
            if ((st = registry_absent(baseline,
                                      mg_policy_where(p, "baseline", place, sizeof place),
                                      why_missing, sizeof why_missing, err)) != MG_OK)
                goto done;
            baseline_missing = why_missing;
        } else {
            snprintf(why_missing, sizeof why_missing,
                     "%s holds no version yet (pushed, never promoted)", baseline);
            baseline_missing = why_missing;
        }
    } else if (baseline != NULL) {
        spec.models[1] = baseline;
        spec.nmodels = 2;
    } else if (p->regression.has) {
        baseline_missing = "the policy names no baseline";
    }
    if ((opts->partial_only || opts->from != NULL) &&
        (p->latency.has || p->regression.has || spec.nmodels == 2)) {
        char where[200];
        const char *key = p->latency.has ? "gates.latency" : p->regression.has ? "regression" : "baseline";
        st = mg__fail(err, MG_ERR_USAGE,
                      "%s: a sharded gate decides the metric, slice and fairness gates; latency, "
                      "a baseline and regression gates need the model and every row on one "
                      "machine: leave them to an unsharded gate (docs/scale.md)",
                      mg_policy_where(p, key, where, sizeof where));
        goto done;
    }
    if (baseline_missing != NULL &&
        (st = mg__gate_note(out, err, "no baseline: %s; the regression gates are skipped",
                            baseline_missing)) != MG_OK)
        goto done;

    char created[32];
    if (opts->created_at != NULL)
        snprintf(created, sizeof created, "%s", opts->created_at);
    else
        now_rfc3339(created, sizeof created);

    const mg_targets *t = NULL;
    const mg_table *kept_cols = NULL;
    if (opts->from != NULL) {
        /* The merged rows of shards: nothing to read or predict. */
        t = &opts->from->targets;
        kept_cols = opts->from->columns;
        goto rows_ready;
    }
    spec.shard_index = opts->shard_index;
    spec.shard_count = opts->shard_count;
    stage(opts, "reading");
    if ((st = mg_run_open(&spec, &run, err)) != MG_OK)
        goto done;
    /* An ignored column must exist, as --ignore's must: a misspelt name
     * would leave the column it meant among the features. (A model that reads
     * columns of the test data only has no features to ignore.) */
    for (int i = 0; mg_model_can(run.models[0], MG_MODEL_CAN_PREDICT) && i < p->nignore; i++)
        if (mg_table_column(run.table, p->ignore[i]) == NULL) {
            char place[240];
            st = mg__fail(err, MG_ERR_USAGE, "%s: no column '%s' in %s",
                          mg_policy_where(p, "data.ignore", place, sizeof place), p->ignore[i],
                          spec.test_data);
            goto done;
        }
    for (int i = 0; i < run.nmodels; i++) {
        char note[512];
        if (mg_run_feature_note(&run, i, note, sizeof note) &&
            (st = mg__gate_note(out, err, "%s%s", i == 1 ? "baseline: " : "", note)) != MG_OK)
            goto done;
    }
    stage(opts, "predicting");
    for (int i = 0; i < run.nmodels; i++)
        if ((st = mg_run_targets(&run, i, err)) != MG_OK)
            goto done;
    /* The slice columns and protected attributes are what the stages read
     * of the table besides the targets; with the targets (and the
     * baseline's, paired row by row) they go in canonical order, so the
     * results equal evaluate's, fairness's and merged shards' exactly
     * (docs/scale.md). The table stays as read for the latency requests. */
    {
        int nk = spec.nkeep + (p->fairness.has ? p->fairness.nprotected : 0);
        const char **kept = mg__calloc((size_t)(nk > 0 ? nk : 1), sizeof *kept);
        if (kept == NULL) {
            st = mg__nomem(err, "the kept columns");
            goto done;
        }
        int k = 0;
        for (int i = 0; i < spec.nkeep; i++)
            kept[k++] = spec.keep[i];
        for (int i = 0; p->fairness.has && i < p->fairness.nprotected; i++)
            kept[k++] = p->fairness.protected_attributes[i];
        st = mg_table_select(run.table, kept, k, &cols, err);
        free(kept);
        /* The comparison with a baseline pairs rows in the order read, as
         * `compare` does (its bootstrap draws follow the rows): the other
         * stages get a canonical copy then. */
        if (st == MG_OK && run.nmodels == 2)
            st = mg_targets_copy(&run.targets[0], &canon, err);
        if (st == MG_OK)
            st = mg_rows_canonicalize(run.nmodels == 2 ? &canon : &run.targets[0], cols, NULL,
                                      err);
        if (st != MG_OK)
            goto done;
    }
    if (opts->partial_only) {
        char buf[65];
        st = mg__run_partial(&run, &cols, spec.test_data, data_digest(opts, spec.test_data, buf),
                             &out->partial, err);
        goto done;
    }
    t = run.nmodels == 2 ? &canon : &run.targets[0];
    kept_cols = cols;
rows_ready:
    if (p->task == MG_TASK_AUTO &&
        (st = mg__gate_note(out, err, "task %s: %s", mg_task_name(t->task), t->task_reason)) !=
            MG_OK)
        goto done;
    if (t->task == MG_TASK_BINARY &&
        (st = mg__gate_note(out, err, "positive label '%s': %s", t->positive_label,
                            t->positive_reason)) != MG_OK)
        goto done;

    char data_buf[65];
    mg_provenance prov;
    if (opts->from != NULL) /* merged rows: no one data file (docs/merge.md) */
        prov = (mg_provenance){.model_arg = opts->from->model_arg,
                               .model_sha256 = opts->from->model_sha256};
    else
        prov = (mg_provenance){.data_path = spec.test_data,
                               .data_sha256 = data_digest(opts, spec.test_data, data_buf),
                               .model_arg = mg_model_source(run.models[0]),
                               .model_sha256 = mg_model_sha256(run.models[0])};
    if (run.nmodels == 2) {
        prov.baseline_arg = mg_model_source(run.models[1]);
        prov.baseline_sha256 = mg_model_sha256(run.models[1]);
    }
    mg__gate_ctx ctx = {.policy = p,
                        .opts = opts,
                        .run = &run,
                        .cols = kept_cols,
                        .t = t,
                        .prov = &prov,
                        .out = out,
                        .baseline_missing = baseline_missing};

    stage(opts, "metrics");
    if ((st = mg__gate_metrics(&ctx, err)) != MG_OK)
        goto done;
    if (p->latency.has) {
        stage(opts, "latency");
        if ((st = mg__gate_latency(&ctx, err)) != MG_OK)
            goto done;
    }
    if (p->fairness.has) {
        stage(opts, "fairness");
        if ((st = mg__gate_fairness(&ctx, err)) != MG_OK)
            goto done;
    }
    if (run.nmodels == 2 || p->regression.has) {
        stage(opts, "comparison");
        if ((st = mg__gate_regression(&ctx, err)) != MG_OK)
            goto done;
    }

    /* The verdict over every decided gate, after on_inconclusive. */
    mg_verdict v = MG_VERDICT_PASS;
    for (int i = 0; i < out->ngates; i++) {
        const mg_gate_entry *g = &out->gates[i];
        if (g->skipped)
            continue;
        mg_verdict gv = g->r.verdict;
        if (gv == MG_VERDICT_INCONCLUSIVE && p->on_inconclusive != MG_ON_INCONCLUSIVE_FAIL) {
            out->inconclusive_waived = true;
            gv = MG_VERDICT_PASS;
        }
        v = mg_verdict_worse(v, gv);
    }
    out->verdict = v;
    mg_gate_provenance gp = {.model_arg = prov.model_arg,
                              .model_sha256 = prov.model_sha256,
                              .data_path = prov.data_path,
                              .data_sha256 = prov.data_sha256,
                              .baseline_sha256 = prov.baseline_sha256,
                              .policy_path = p->path,
                              .policy_sha256 = p->sha256[0] ? p->sha256 : NULL,
                              .baseline_arg = run.nmodels == 2 ? prov.baseline_arg : p->baseline,
                              .baseline_version =
                                  run.nmodels == 2 ? registry_version(prov.baseline_arg) : NULL,
                              .seed = p->seed,
                              .created_at = created};
    st = mg_gate_json(out, p->on_inconclusive, opts->marker ? opts->marker : p->report_id, &gp,
                      &out->gate_json, &out->gate_len, err);
done:
    mg_targets_release(&canon);
    mg_table_free(cols);
    mg_run_release(&run);
    free(keep);
    free(owned_data);
    free(owned_pred);
    free(owned_model);
    free(owned_base);
    if (st != MG_OK)
        mg_gate_outcome_release(out);
    return st;
}
