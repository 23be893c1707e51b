/* run.c - one evaluation run: open the models, read the test data once
 * (projected to the columns that column models need), attach a predictions
 * file, and build each model's targets once. */
#include "eval_internal.h"
#include "internal.h"
#include "modelgate/run.h"
#include "modelgate/shard.h"

void mg_run_spec_init(mg_run_spec *spec) {
    memset(spec, 0, sizeof *spec);
    spec->task = MG_TASK_AUTO;
    spec->threshold = 0.5;
}

static const char *label_name(const mg_run_spec *s) {
    return s->label ? s->label : "label";
}

static void add_unique(const char **list, int *n, const char *name) {
    for (int k = 0; k < *n; k++)
        if (strcmp(list[k], name) == 0)
            return;
    list[(*n)++] = name;
}

/* The columns to read when every model reads its outputs from columns and
 * there is no predictions file: a new array into *out (NULL/0 = read all). */
static mg_status projection(const mg_run *run, const char ***out, int *n, mg_error *err) {
    const mg_run_spec *s = run->spec;
    *out = NULL;
    *n = 0;
    if (s->predictions != NULL || run->nmodels == 0)
        return MG_OK;
    size_t cap = 2 + (s->need_protected ? (size_t)s->nprotected : 0) + (size_t)s->nkeep;
    for (int m = 0; m < run->nmodels; m++) {
        const mg_model_info *info = mg_model_describe(run->models[m]);
        if (info->noutput_columns <= 0)
            return MG_OK;
        cap += (size_t)info->noutput_columns;
    }
    const char **cols = mg__malloc_array(cap, sizeof *cols);
    if (cols == NULL)
        return mg__nomem(err, "the column list");
    cols[(*n)++] = label_name(s);
    if (s->weight != NULL)
        add_unique(cols, n, s->weight);
    for (int m = 0; m < run->nmodels; m++) {
        const mg_model_info *info = mg_model_describe(run->models[m]);
        for (int c = 0; c < info->noutput_columns; c++)
            add_unique(cols, n, info->output_columns[c]);
    }
    for (int c = 0; s->need_protected && c < s->nprotected; c++)
        add_unique(cols, n, s->protected_attrs[c]);
    for (int c = 0; c < s->nkeep; c++)
        add_unique(cols, n, s->keep[c]);
    *out = cols;
    return MG_OK;
}

/* Model i's non-feature columns: the spec's ignored ones and every other
 * model's output columns. */
static mg_status nonfeatures(mg_run *run, int i, mg_error *err) {
    const mg_run_spec *s = run->spec;
    size_t cap = (size_t)s->nignore + 1;
    for (int m = 0; m < run->nmodels; m++)
        if (m != i)
            cap += (size_t)mg_model_describe(run->models[m])->noutput_columns;
    const char **list = mg__malloc_array(cap, sizeof *list);
    if (list == NULL)
        return mg__nomem(err, "the column roles");
    int n = 0;
    for (int m = 0; m < run->nmodels; m++) {
        if (m == i)
            continue;
        const mg_model_info *info = mg_model_describe(run->models[m]);
        for (int c = 0; c < info->noutput_columns; c++)
            list[n++] = info->output_columns[c];
    }
    for (int k = 0; k < s->nignore; k++)
        list[n++] = s->ignore[k];
    run->nonfeatures[i] = list;
    run->nnonfeatures[i] = n;
    return MG_OK;
}

static mg_status read_predictions(mg_run *run, mg_error *err) {
    const mg_run_spec *s = run->spec;
    mg_read_options po;
    memset(&po, 0, sizeof po);
    po.threads = s->read.threads;
    po.na_values = s->read.na_values;
    po.nna_values = s->read.nna_values;
    po.max_input_bytes = s->read.max_input_bytes;
    po.max_rows = s->read.max_rows;
    mg_table *preds = NULL;
    mg_status st = mg_table_read(s->predictions, &po, &preds, err);
    if (st == MG_OK)
        st = mg_table_attach(run->table, preds, s->id, err);
    mg_table_free(preds);
    return st;
}

mg_status mg_run_open(const mg_run_spec *spec, mg_run *run, mg_error *err) {
    memset(run, 0, sizeof *run);
    run->spec = spec;
    if (spec->nmodels < 0 || spec->nmodels > MG_RUN_MAX_MODELS)
        return mg__fail(err, MG_ERR_USAGE, "a run takes 0 to %d models, not %d", MG_RUN_MAX_MODELS,
                        spec->nmodels);
    for (int m = 0; m < spec->nmodels; m++) {
        MG_TRY(mg_model_open(spec->models[m], &spec->model_options, &run->models[m], err));
        run->nmodels++;
    }
    for (int m = 0; m < (spec->nmodels > 0 ? spec->nmodels : 1); m++)
        MG_TRY(nonfeatures(run, m, err));
    const char **cols = NULL;
    int ncols = 0;
    MG_TRY(projection(run, &cols, &ncols, err));
    mg_read_options ro = spec->read;
    ro.columns = cols;
    ro.ncolumns = ncols;
    mg_status st = mg_table_read(spec->test_data, &ro, &run->table, err);
    free(cols);
    MG_TRY(st);
    for (int c = 0; spec->need_protected && c < spec->nprotected; c++)
        if (mg_table_column(run->table, spec->protected_attrs[c]) == NULL)
            return mg__fail(err, MG_ERR_DATA, "%s: no column '%s' (protected attribute)",
                            spec->test_data, spec->protected_attrs[c]);
    if (spec->predictions != NULL)
        MG_TRY(read_predictions(run, err));
    if (spec->shard_count > 0) {
        if (spec->shard_index < 0 || spec->shard_index >= spec->shard_count)
            return mg__fail(err, MG_ERR_USAGE, "shard %d of %d does not exist (K is 0 to N-1)",
                            spec->shard_index, spec->shard_count);
        int64_t lo, hi;
        mg_shard_range(run->table->nrows, spec->shard_index, spec->shard_count, &lo, &hi);
        if (hi <= lo)
            return mg__fail(err, MG_ERR_DATA, "%s: shard %d/%d holds no rows (%" PRId64
                            " rows in all)", spec->test_data, spec->shard_index,
                            spec->shard_count, run->table->nrows);
        MG_TRY(mg_table_keep_rows(run->table, lo, hi, err));
    }
    return MG_OK;
}

void mg_run_roles(const mg_run *run, int i, mg_feature_roles *out) {
    const mg_run_spec *s = run->spec;
    memset(out, 0, sizeof *out);
    out->label = label_name(s);
    out->weight = s->weight;
    out->id = s->id;
    out->protected_attrs = s->protected_attrs;
    out->nprotected = s->nprotected;
    out->ignore = run->nonfeatures[i];
    out->nignore = run->nnonfeatures[i];
    out->features = s->features;
    out->nfeatures = s->nfeatures;
    out->names = s->names;
}

int mg_run_feature_note(const mg_run *run, int i, char *buf, size_t cap) {
    mg_feature_roles roles;
    mg_run_roles(run, i, &roles);
    return mg_model_feature_note(run->models[i], run->table, &roles, buf, cap);
}

mg_status mg_run_targets(mg_run *run, int i, mg_error *err) {
    if (i < 0 || i >= run->nmodels || run->table == NULL)
        return mg__fail(err, MG_ERR_USAGE, "no model %d with its test data in this run", i);
    if (run->built[i])
        return MG_OK;
    const mg_run_spec *s = run->spec;
    mg_eval_spec es;
    memset(&es, 0, sizeof es);
    es.label = s->label;
    es.task = s->task;
    es.positive_label = s->positive_label;
    es.threshold = s->threshold;
    es.weight = s->weight;
    mg_run_roles(run, i, &es.roles);
    es.classes = s->classes;
    es.nclasses = s->nclasses;
    es.names = s->names;
    /* The targets may share the table's score column: mg_run_drop_table
     * hands it over, and mg_run_release frees the targets before the table. */
    MG_TRY(mg__targets_build_borrowing(run->table, run->models[i], &es, &run->targets[i], err));
    run->targets[i].threads = s->read.threads;
    run->built[i] = true;
    return MG_OK;
}

void mg_run_drop_table(mg_run *run) {
    /* A score column the targets share becomes theirs. */
    for (int m = 0; run->table != NULL && m < MG_RUN_MAX_MODELS; m++) {
        mg_targets *t = &run->targets[m];
        for (int c = 0; t->score_borrowed && c < run->table->ncols; c++)
            if (run->table->cols[c].f64 == t->score) {
                run->table->cols[c].f64 = NULL;
                t->score_borrowed = false;
            }
    }
    mg_table_free(run->table);
    run->table = NULL;
}

void mg_run_release(mg_run *run) {
    for (int m = 0; m < MG_RUN_MAX_MODELS; m++) {
        mg_targets_release(&run->targets[m]);
        mg_model_free(run->models[m]);
        free(run->nonfeatures[m]);
    }
    mg_table_free(run->table);
    memset(run, 0, sizeof *run);
}
