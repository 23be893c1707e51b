/* model.c - mg_model: open by argument, feature matching, batched prediction
 * of a table, and the lifecycle shared by every backend. */
#include "model/backend.h"
#include "model/http.h"
#include "model/onnx/onnx.h"
#include "model/xgboost.h"
#include "modelgate/registry.h"

#include <math.h>

mg_model *mg__model_new(const mg__backend *b, const char *arg, const mg_model_options *opts) {
    mg_model *m = mg__calloc(1, sizeof *m);
    if (m == NULL)
        return NULL;
    m->backend = b;
    m->arg = mg__strdup(arg);
    if (opts != NULL)
        m->opts = *opts;
    m->info.backend = b->name;
    m->info.nfeatures = -1;
    m->last_compute_s = -1;
    if (m->arg == NULL) {
        free(m);
        return NULL;
    }
    return m;
}

/* A model file: the format comes from the content, never from the name. */
static mg_status open_file(const char *path, const mg_model_options *opts, mg_model **out,
                           mg_error *err) {
    mg__file f;
    mg_error ferr;
    if (mg__file_map(path, &f, &ferr) != MG_OK) {
        /* "scheme:..." with no such file is a form modelgate does not know. */
        const char *colon = strchr(path, ':');
        if (colon != NULL && colon > path && memchr(path, '/', (size_t)(colon - path)) == NULL)
            return mg__fail(err, MG_ERR_USAGE,
                            "model %s: not a model file nor one of the accepted forms: a file "
                            "(XGBoost JSON/UBJ/binary, ONNX, a scikit-learn pickle), cmd:PROGRAM ARGS..., "
                            "http://HOST:PORT/v2/models/NAME/infer, column:NAME, columns:A,B,C",
                            path);
        return mg__fail(err, MG_ERR_IO,
                        "%s (a model is a file (XGBoost JSON/UBJ/binary, ONNX, a scikit-learn pickle), "
                        "cmd:PROGRAM ARGS..., http://HOST:PORT/v2/models/NAME/infer, column:NAME "
                        "or columns:A,B,C)",
                        ferr.text);
    }
    const uint8_t *data = (const uint8_t *)f.data;
    mg__xgb_format fmt = mg__xgb_detect(data, f.size);
    mg_status st;
    mg_model *m = NULL;
    if (fmt == MG__XGB_NONE && mg__pickle_detect(data, f.size)) {
        if ((m = mg__model_new(&mg__runner_backend, path, opts)) == NULL) {
            st = mg__nomem(err, "a model");
        } else {
            mg__sha256_hex(data, f.size, m->sha256);
            mg__file_unmap(&f);
            st = mg__pickle_open(m, path, err);
            if (st != MG_OK) {
                mg_model_free(m);
                return st;
            }
            *out = m;
            return MG_OK;
        }
    } else if (fmt == MG__XGB_NONE && mg__onnx_detect(data, f.size)) {
        if ((m = mg__model_new(&mg__onnx_backend, path, opts)) == NULL) {
            st = mg__nomem(err, "a model");
        } else {
            mg__sha256_hex(data, f.size, m->sha256);
            m->typed_input = true;
            st = mg__onnx_open(m, path, data, f.size, err);
        }
    } else if (fmt == MG__XGB_NONE) {
        st = mg__fail(err, MG_ERR_UNSUPPORTED,
                      "%s: not a model format modelgate reads (XGBoost JSON/UBJ/binary, ONNX, "
                      "a scikit-learn pickle or joblib file); other models run through a runner "
                      "process: 'cmd:PROGRAM ARGS...'",
                      path);
    } else if ((m = mg__model_new(&mg__xgboost_backend, path, opts)) == NULL) {
        st = mg__nomem(err, "a model");
    } else {
        mg__sha256_hex(data, f.size, m->sha256);
        st = mg__xgboost_open(m, path, data, f.size, fmt, err);
    }
    mg__file_unmap(&f);
    if (st != MG_OK) {
        mg_model_free(m);
        return st;
    }
    *out = m;
    return MG_OK;
}

/* registry:NAME@STAGE or @vN: the verified blob, opened as a file; the model
 * then names itself registry:NAME@vN so that provenance records the version
 * (and its sha256, the blob's digest). */
static mg_status open_registry(const char *arg, const mg_model_options *opts, mg_model **out,
                               mg_error *err) {
    char *path = NULL;
    mg_registry_version v;
    MG_TRY(mg_registry_resolve_arg(arg, &path, &v, err));
    mg__buf b = {0};
    mg__buf_printf(&b, "registry:%s@v%" PRId64, v.name, v.version);
    char *source = mg__buf_detach(&b);
    mg_status st = source == NULL ? mg__nomem(err, "a model") : open_file(path, opts, out, err);
    /* The bytes loaded must be the ones checked (open_file hashes what it maps). */
    if (st == MG_OK && strcmp((*out)->sha256, v.digest) != 0) {
        mg_model_free(*out);
        *out = NULL;
        st = mg__fail(err, MG_ERR_DATA, "model %s: %s changed while it was opened", arg, path);
    } else if (st == MG_OK) {
        free((*out)->arg);
        (*out)->arg = source;
        source = NULL;
    } else if (source != NULL) {
        char msg[MG_ERROR_TEXT_MAX];
        memcpy(msg, err->text, sizeof msg);
        mg__fail(err, st, "model %s (%s, %s): %s", arg, source, v.filename, msg);
    }
    free(source);
    free(path);
    mg_registry_version_release(&v);
    return st;
}

const char *mg_model_source(const mg_model *model) {
    return model->arg;
}

mg_status mg_model_open(const char *arg, const mg_model_options *opts, mg_model **out,
                        mg_error *err) {
    *out = NULL;
    const mg__backend *b;
    if (strncmp(arg, "column:", 7) == 0 || strncmp(arg, "columns:", 8) == 0)
        b = &mg__predictions_backend;
    else if (strncmp(arg, "cmd:", 4) == 0)
        b = &mg__runner_backend;
    else if (strncmp(arg, "http://", 7) == 0 || strncmp(arg, "https://", 8) == 0)
        b = &mg__http_backend;
    else if (strncmp(arg, "registry:", 9) == 0)
        return open_registry(arg, opts, out, err);
    else
        return open_file(arg, opts, out, err);
    mg_model *m = mg__model_new(b, arg, opts);
    if (m == NULL)
        return mg__nomem(err, "a model");
    mg_status st = b == &mg__runner_backend ? mg__runner_open(m, arg + 4, err)
                   : b == &mg__http_backend ? mg__http_open(arg, m, err)
                                            : mg__predictions_open(arg, m, err);
    if (st != MG_OK) {
        mg_model_free(m);
        return st;
    }
    *out = m;
    return MG_OK;
}

bool mg_model_arg_is_file(const char *arg) {
    static const char *const schemes[] = {
        "column:", "columns:", "cmd:", "http://", "https://", "registry:"};
    for (size_t i = 0; i < MG_ARRAY_LEN(schemes); i++)
        if (strncmp(arg, schemes[i], strlen(schemes[i])) == 0)
            return false;
    return true;
}

const mg_model_info *mg_model_describe(const mg_model *model) {
    return &model->info;
}

bool mg_model_can(const mg_model *model, mg_model_capability what) {
    switch (what) {
    case MG_MODEL_CAN_PREDICT: return model->backend->predict != NULL;
    case MG_MODEL_OUT_OF_PROCESS:
        return model->backend == &mg__runner_backend || model->backend == &mg__http_backend;
    }
    return false;
}

const char *mg_model_sha256(const mg_model *model) {
    return model->sha256[0] ? model->sha256 : NULL;
}

mg_status mg_model_predict(mg_model *model, const double *rows, int64_t nrows, int nfeatures,
                           double *out, mg_error *err) {
    if (model->backend->predict == NULL)
        return mg__fail(err, MG_ERR_USAGE,
                        "model %s: reads its predictions from the test data and cannot predict "
                        "new rows",
                        model->arg);
    if (model->info.nfeatures >= 0 && nfeatures != model->info.nfeatures)
        return mg__fail(err, MG_ERR_DATA, "model %s: expects %d features, got %d", model->arg,
                        model->info.nfeatures, nfeatures);
    model->last_compute_s = -1;
    return model->backend->predict(model, rows, nrows, nfeatures, out, err);
}

double mg_model_last_compute_seconds(const mg_model *model) {
    return model->last_compute_s;
}

static bool in_list(const char *name, const char *const *list, int n) {
    for (int i = 0; i < n; i++)
        if (list[i] != NULL && strcmp(list[i], name) == 0)
            return true;
    return false;
}

static bool has_role(const char *name, const mg_feature_roles *r) {
    if (r == NULL)
        return false;
    return (r->label && strcmp(r->label, name) == 0) ||
           (r->weight && strcmp(r->weight, name) == 0) || (r->id && strcmp(r->id, name) == 0) ||
           in_list(name, r->protected_attrs, r->nprotected) || in_list(name, r->ignore, r->nignore);
}

/* A column that pandas wrote for its index (to_csv without index=False,
 * to_parquet of an indexed frame), or NULL when the table has none. */
static const char *index_column(const mg_table *t, const mg_feature_roles *roles) {
    for (int c = 0; c < t->ncols; c++) {
        const char *name = t->cols[c].name;
        if ((strncmp(name, "Unnamed: ", 9) == 0 || strcmp(name, "__index_level_0__") == 0) &&
            !has_role(name, roles))
            return name;
    }
    return NULL;
}

/* Chooses the table columns that feed the model, in the model's order. */
static mg_status match_features(const mg_model *m, const mg_table *t, const mg_feature_roles *roles,
                                bool accept_strings, int **idx_out, int *n_out, mg_error *err) {
    const mg_model_info *info = &m->info;
    int *idx = NULL;
    int n = 0;
    bool given = roles != NULL && roles->features != NULL && roles->nfeatures > 0;
    if (given && info->feature_names != NULL) {
        /* The model names its features: columns are matched by those names,
         * and an explicit list may only name the same set (in any order). */
        for (int f = 0; f < roles->nfeatures; f++)
            if (!in_list(roles->features[f], (const char *const *)info->feature_names,
                         info->nfeatures))
                return mg__fail(err, MG_ERR_DATA,
                                "%s: %s names '%s', which is not a feature of model %s "
                                "(it names its own: %s%s%s%s); its columns are matched by those "
                                "names",
                                t->source, MG_INPUT_NAME(roles->names, features, "--features"), roles->features[f], m->arg, info->feature_names[0],
                                info->nfeatures > 1 ? ", " : "",
                                info->nfeatures > 1 ? info->feature_names[1] : "",
                                info->nfeatures > 2 ? ", ..." : "");
        if (roles->nfeatures != info->nfeatures)
            return mg__fail(err, MG_ERR_DATA,
                            "%s: model %s expects %d features but %s names %d", t->source,
                            m->arg, info->nfeatures, MG_INPUT_NAME(roles->names, features, "--features"), roles->nfeatures);
        given = false;
    }
    for (int f = 0; given && f < roles->nfeatures; f++) {
        /* The list names features: not a column that has another role, and
         * no column twice. */
        if (has_role(roles->features[f], roles))
            return mg__fail(err, MG_ERR_DATA,
                            "%s: %s names '%s', which is named as a column that is not "
                            "a feature (label, weight, id, protected attribute or %s)",
                            t->source, MG_INPUT_NAME(roles->names, features, "--features"), roles->features[f], MG_INPUT_NAME(roles ? roles->names : NULL, ignore, "--ignore"));
        for (int g = 0; g < f; g++)
            if (strcmp(roles->features[g], roles->features[f]) == 0)
                return mg__fail(err, MG_ERR_DATA, "%s: %s names '%s' twice", t->source,
                                MG_INPUT_NAME(roles->names, features, "--features"), roles->features[f]);
    }
    if (info->feature_names != NULL && roles != NULL)
        for (int f = 0; f < info->nfeatures; f++)
            if (has_role(info->feature_names[f], roles) &&
                mg_table_column_index(t, info->feature_names[f]) >= 0)
                return mg__fail(err, MG_ERR_DATA,
                                "%s: model %s needs feature '%s', which is named as a column "
                                "that is not a feature (label, weight, id, protected attribute "
                                "or %s)",
                                t->source, m->arg, info->feature_names[f], MG_INPUT_NAME(roles ? roles->names : NULL, ignore, "--ignore"));
    if (given || info->feature_names != NULL) {
        n = given ? roles->nfeatures : info->nfeatures;
        const char *const *names =
            given ? roles->features : (const char *const *)info->feature_names;
        if (given && info->nfeatures >= 0 && n != info->nfeatures)
            return mg__fail(err, MG_ERR_DATA,
                            "%s: model %s expects %d features but %s names %d", t->source,
                            m->arg, info->nfeatures, MG_INPUT_NAME(roles->names, features, "--features"), n);
        idx = mg__malloc_array((size_t)(n > 0 ? n : 1), sizeof *idx);
        if (idx == NULL)
            return mg__nomem(err, "feature indexes");
        for (int f = 0; f < n; f++) {
            idx[f] = mg_table_column_index(t, names[f]);
            if (idx[f] < 0) {
                if (given)
                    mg__fail(err, MG_ERR_DATA,
                             "%s: %s names column '%s', which the test data does not have",
                             t->source, MG_INPUT_NAME(roles->names, features, "--features"), names[f]);
                else
                    mg__fail(err, MG_ERR_DATA,
                             "%s: model %s needs feature '%s', which the test data does not have",
                             t->source, m->arg, names[f]);
                free(idx);
                return MG_ERR_DATA;
            }
        }
    } else {
        idx = mg__malloc_array((size_t)(t->ncols > 0 ? t->ncols : 1), sizeof *idx);
        if (idx == NULL)
            return mg__nomem(err, "feature indexes");
        for (int c = 0; c < t->ncols; c++)
            if (!has_role(t->cols[c].name, roles))
                idx[n++] = c;
        if (info->nfeatures >= 0 && n != info->nfeatures) {
            const char *pandas_index = index_column(t, roles);
            char hint[200] = "";
            if (pandas_index != NULL)
                snprintf(hint, sizeof hint,
                         "; column '%s' looks like a pandas index written with the data: list "
                         "it in %s",
                         pandas_index, MG_INPUT_NAME(roles ? roles->names : NULL, ignore, "--ignore"));
            mg__fail(err, MG_ERR_DATA,
                     "%s: model %s expects %d features but the test data has %d feature columns "
                     "(all but label, protected attributes, weight, id and %s)%s",
                     t->source, m->arg, info->nfeatures, n, MG_INPUT_NAME(roles ? roles->names : NULL, ignore, "--ignore"), hint);
            free(idx);
            return MG_ERR_DATA;
        }
    }
    for (int f = 0; f < n && !accept_strings; f++) {
        const mg_column *col = &t->cols[idx[f]];
        if (col->type == MG_TYPE_STR && m->typed_input) {
            mg__fail(err, MG_ERR_DATA,
                     "%s: column '%s' holds strings; model %s takes them when it predicts the "
                     "test table (evaluate, predict, compare) but not as rows of numbers "
                     "(benchmark)",
                     t->source, col->name, m->arg);
            free(idx);
            return MG_ERR_DATA;
        }
        if (col->type == MG_TYPE_STR) {
            mg__fail(err, MG_ERR_DATA,
                     "%s: column '%s' holds strings but model %s takes numeric features; "
                     "encode it or list it in %s",
                     t->source, col->name, m->arg, MG_INPUT_NAME(roles ? roles->names : NULL, ignore, "--ignore"));
            free(idx);
            return MG_ERR_DATA;
        }
    }
    *idx_out = idx;
    *n_out = n;
    return MG_OK;
}

int mg_model_feature_note(const mg_model *model, const mg_table *table,
                          const mg_feature_roles *roles, char *buf, size_t cap) {
    if (cap == 0)
        return 0;
    buf[0] = '\0';
    bool given = roles != NULL && roles->features != NULL && roles->nfeatures > 0;
    if (model->backend->predict == NULL || model->info.feature_names != NULL) {
        if (model->info.note == NULL)
            return 0;
        snprintf(buf, cap, "model %s: %s", model->arg, model->info.note);
        return 1;
    }
    size_t len = (size_t)snprintf(buf, cap, "model has no feature names; columns ");
    int n = 0;
    int total = given ? roles->nfeatures : table->ncols;
    for (int c = 0; c < total && len < cap; c++) {
        const char *name = given ? roles->features[c] : table->cols[c].name;
        if (!given && has_role(name, roles))
            continue;
        len += (size_t)snprintf(buf + len, cap - len, "%s%s", n++ ? ", " : "", name);
    }
    if (len < cap)
        len += (size_t)snprintf(buf + len, cap - len, " taken %s%s",
                                given ? "in the order of " : "in file order",
                                given ? MG_INPUT_NAME(roles->names, features, "--features") : "");
    if (model->info.note != NULL && len < cap)
        snprintf(buf + len, cap - len, "; %s", model->info.note);
    return 1;
}

/* Fills rows [r0, r0+nr) of the chosen columns into a row-major matrix. */
static void gather_rows(const mg_table *t, const int *idx, int nf, int64_t r0, int64_t nr,
                        double *dst) {
    for (int f = 0; f < nf; f++) {
        const mg_column *col = &t->cols[idx[f]];
        for (int64_t r = 0; r < nr; r++) {
            double v;
            if (mg_column_number(col, r0 + r, &v) != 0)
                v = NAN;
            dst[r * nf + f] = v;
        }
    }
}

mg_status mg_model_feature_rows(const mg_model *model, const mg_table *table,
                                const mg_feature_roles *roles, double **rows, int *nfeatures,
                                mg_error *err) {
    *rows = NULL;
    *nfeatures = 0;
    int *idx = NULL, nf = 0;
    MG_TRY(match_features(model, table, roles, false, &idx, &nf, err));
    double *m = mg__malloc_array(
        (size_t)(table->nrows > 0 ? table->nrows : 1) * (size_t)(nf > 0 ? nf : 1), sizeof *m);
    if (m == NULL) {
        free(idx);
        return mg__nomem(err, "the feature rows");
    }
    gather_rows(table, idx, nf, 0, table->nrows, m);
    free(idx);
    *rows = m;
    *nfeatures = nf;
    return MG_OK;
}

mg_status mg_model_predict_table(mg_model *model, const mg_table *table,
                                 const mg_feature_roles *roles, double **out, mg_error *err) {
    *out = NULL;
    if (model->backend->predict == NULL)
        return mg__predictions_table(model, table, out, err);
    int *idx = NULL, nf = 0;
    MG_TRY(match_features(model, table, roles, model->typed_input, &idx, &nf, err));
    int k = model->info.noutputs > 0 ? model->info.noutputs : 1;
    int64_t batch =
        model->opts.batch_size > 0 ? model->opts.batch_size : model->backend->batch_size;
    if (batch <= 0)
        batch = 8192;
    /* A default batch of wide rows stays within a bounded buffer (32 MiB). */
    int64_t fit = ((int64_t)32 << 20) / ((int64_t)(nf > 0 ? nf : 1) * 8);
    if (model->opts.batch_size <= 0 && batch > fit)
        batch = fit > 1 ? fit : 1;
    if (batch > table->nrows && table->nrows > 0)
        batch = table->nrows;
    if (model->backend->columns != NULL) {
        const char **names = mg__calloc((size_t)(nf > 0 ? nf : 1), sizeof *names);
        if (names == NULL) {
            free(idx);
            return mg__nomem(err, "feature names");
        }
        for (int f = 0; f < nf; f++)
            names[f] = table->cols[idx[f]].name;
        mg_status cst = model->backend->columns(model, names, nf, err);
        free(names);
        if (cst != MG_OK) {
            free(idx);
            return cst;
        }
    }
    double *res =
        mg__malloc_array((size_t)(table->nrows > 0 ? table->nrows : 1) * (size_t)k, sizeof *res);
    double *rows = model->typed_input ? NULL
                              : mg__malloc_array((size_t)batch * (size_t)(nf > 0 ? nf : 1),
                                                 sizeof *rows);
    mg_status st = MG_OK;
    if (res == NULL || (rows == NULL && !model->typed_input))
        st = mg__nomem(err, "prediction buffers");
    for (int64_t r0 = 0; st == MG_OK && r0 < table->nrows; r0 += batch) {
        int64_t nr = table->nrows - r0 < batch ? table->nrows - r0 : batch;
        if (model->typed_input) {
            st = model->backend->predict_columns(model, table, idx, nf, r0, nr, res + r0 * k, err);
        } else {
            gather_rows(table, idx, nf, r0, nr, rows);
            st = model->backend->predict(model, rows, nr, nf, res + r0 * k, err);
        }
        if (st == MG_OK && model->opts.progress != NULL)
            model->opts.progress(model->opts.progress_ctx, r0 + nr, table->nrows);
    }
    free(rows);
    free(idx);
    if (st != MG_OK) {
        free(res);
        return st;
    }
    *out = res;
    return MG_OK;
}

void mg_model_free(mg_model *model) {
    if (model == NULL)
        return;
    if (model->backend != NULL && model->backend->release != NULL)
        model->backend->release(model);
    mg_model_info *i = &model->info;
    for (int f = 0; i->feature_names && f < i->nfeatures; f++)
        free(i->feature_names[f]);
    free(i->feature_names);
    for (int c = 0; c < i->noutput_columns; c++)
        free(i->output_columns[c]);
    free(i->output_columns);
    for (int c = 0; c < i->nclass_labels; c++)
        free(i->class_labels[c]);
    free(i->class_labels);
    free(model->objective);
    free(model->note);
    free(model->arg);
    free(model);
}
