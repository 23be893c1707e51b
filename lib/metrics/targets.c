/* targets.c - from a table and a model to aligned labels and outputs: resolve
 * the label column and the task, map labels to classes, check every score. */
#include "internal.h"
#include "model/backend.h"
#include "modelgate/evaluate.h"

#include <math.h>

const char *mg_task_name(mg_task task) {
    switch (task) {
    case MG_TASK_AUTO: return "auto";
    case MG_TASK_BINARY: return "binary";
    case MG_TASK_MULTICLASS: return "multiclass";
    case MG_TASK_REGRESSION: return "regression";
    }
    return "unknown";
}

int mg_task_parse(const char *name, mg_task *out) {
    static const mg_task all[] = {MG_TASK_AUTO, MG_TASK_BINARY, MG_TASK_MULTICLASS,
                                  MG_TASK_REGRESSION};
    for (size_t i = 0; i < MG_ARRAY_LEN(all); i++)
        if (strcmp(name, mg_task_name(all[i])) == 0) {
            *out = all[i];
            return 0;
        }
    return -1;
}

void mg_targets_release(mg_targets *t) {
    free(t->w);
    free(t->y);
    free(t->score);
    free(t->positive_label);
    free(t->negative_label);
    for (int c = 0; c < t->nclasses; c++)
        free(t->class_labels[c]);
    free(t->class_labels);
    free(t->yc);
    free(t->pred);
    free(t->proba);
    free(t->yr);
    free(t->pr);
    memset(t, 0, sizeof *t);
}

/* ---- a set of distinct label texts ------------------------------------- */

/* Distinct values of a label-like column as text, with a per-row class index.
 * Numbers are compared as numbers and sorted numerically; strings by bytes
 * (code point order, as Python sorts). */
typedef struct labelset {
    int n, cap;
    char **text;
    double *num; /* numeric value when `numeric` */
    bool numeric;
} labelset;

static void labelset_release(labelset *s) {
    for (int i = 0; i < s->n; i++)
        free(s->text[i]);
    free(s->text);
    free(s->num);
    memset(s, 0, sizeof *s);
}

static int labelset_find(const labelset *s, const char *text) {
    for (int i = 0; i < s->n; i++)
        if (strcmp(s->text[i], text) == 0)
            return i;
    return -1;
}

static int labelset_add(labelset *s, const char *text, double num) {
    int i = labelset_find(s, text);
    if (i >= 0)
        return i;
    if (s->n == s->cap) {
        int cap = s->cap ? s->cap * 2 : 8;
        char **t = mg__realloc_array(s->text, (size_t)cap, sizeof *t);
        if (t == NULL)
            return -1;
        s->text = t;
        double *nm = mg__realloc_array(s->num, (size_t)cap, sizeof *nm);
        if (nm == NULL)
            return -1;
        s->num = nm;
        s->cap = cap;
    }
    s->text[s->n] = mg__strdup(text);
    if (s->text[s->n] == NULL)
        return -1;
    s->num[s->n] = num;
    return s->n++;
}

/* Sorts the set; `perm[old] = new` receives the new positions. Returns -1
 * (the set unchanged) when memory ran out. */
static int labelset_sort(labelset *s, int *perm) {
    int *order = mg__malloc_array((size_t)(s->n > 0 ? s->n : 1), sizeof *order);
    char **text = mg__malloc_array((size_t)(s->n > 0 ? s->n : 1), sizeof *text);
    double *num = mg__malloc_array((size_t)(s->n > 0 ? s->n : 1), sizeof *num);
    if (order == NULL || text == NULL || num == NULL) {
        free(order);
        free(text);
        free(num);
        return -1;
    }
    for (int i = 0; i < s->n; i++)
        order[i] = i;
    /* insertion sort: label sets are small */
    for (int i = 1; i < s->n; i++) {
        int v = order[i], j = i - 1;
        while (j >= 0 && (s->numeric ? s->num[order[j]] > s->num[v]
                                     : strcmp(s->text[order[j]], s->text[v]) > 0)) {
            order[j + 1] = order[j];
            j--;
        }
        order[j + 1] = v;
    }
    for (int i = 0; i < s->n; i++) {
        text[i] = s->text[order[i]];
        num[i] = s->num[order[i]];
        perm[order[i]] = i;
    }
    free(s->text);
    free(s->num);
    s->text = text;
    s->num = num;
    s->cap = s->n;
    free(order);
    return 0;
}

/* Text of a numeric label: integers without a decimal point ("1", not "1.0"). */
static void number_text(double v, char *buf, size_t cap) {
    mg_format_double(v, buf, cap);
}

/* Row i's class text into buf (cap >= 64); NULL for a null row. */
static const char *cell_text(const mg_column *col, int64_t i, char *buf, size_t cap, double *num) {
    *num = NAN;
    if (mg_column_is_null(col, i))
        return NULL;
    if (col->type == MG_TYPE_STR)
        return col->dict[col->codes[i]];
    if (col->type == MG_TYPE_BOOL) {
        *num = col->b[i];
        return col->b[i] ? "true" : "false";
    }
    mg_column_number(col, i, num);
    number_text(*num, buf, cap);
    return buf;
}

/* Maps each row of col to a class index in s (adding new labels), via the
 * dictionary for strings so that the per-row work is an array lookup. */
static mg_status map_rows(const mg_table *t, const mg_column *col, labelset *s, int32_t *idx,
                          const char *what, mg_error *err) {
    if (col->type == MG_TYPE_STR) {
        int32_t *code_class =
            mg__malloc((size_t)(col->ndict > 0 ? col->ndict : 1) * sizeof *code_class);
        if (code_class == NULL)
            return mg__nomem(err, "label classes");
        for (int32_t c = 0; c < col->ndict; c++)
            code_class[c] = -1;
        for (int64_t i = 0; i < col->nrows; i++) {
            if (mg_column_is_null(col, i)) {
                free(code_class);
                return mg__fail(err, MG_ERR_DATA, "%s: row %lld, column '%s': %s is missing",
                                t->source, (long long)i + 1, col->name, what);
            }
            int32_t c = col->codes[i];
            if (code_class[c] < 0) {
                code_class[c] = labelset_add(s, col->dict[c], NAN);
                if (code_class[c] < 0) {
                    free(code_class);
                    return mg__nomem(err, "label classes");
                }
            }
            idx[i] = code_class[c];
        }
        free(code_class);
        return MG_OK;
    }
    /* Numbers: a hash from the value's bits to its class, so that the text of
     * a label is made once per distinct value, not once per row. */
    enum { MAX_CLASSES = 10000, SLOTS = 32768 };
    uint64_t *keys = mg__malloc_array(SLOTS, sizeof *keys);
    int32_t *vals = mg__malloc_array(SLOTS, sizeof *vals);
    if (keys == NULL || vals == NULL) {
        free(keys);
        free(vals);
        return mg__nomem(err, "label classes");
    }
    for (int k = 0; k < SLOTS; k++)
        vals[k] = -1;
    mg_status st = MG_OK;
    for (int64_t i = 0; i < col->nrows && st == MG_OK; i++) {
        double num;
        if (mg_column_number(col, i, &num) != 0) {
            st = mg__fail(err, MG_ERR_DATA, "%s: row %lld, column '%s': %s is missing", t->source,
                          (long long)i + 1, col->name, what);
            break;
        }
        if (isnan(num)) {
            st = mg__fail(err, MG_ERR_DATA, "%s: row %lld, column '%s': %s is NaN", t->source,
                          (long long)i + 1, col->name, what);
            break;
        }
        if (num == 0)
            num = 0; /* -0 and 0 are one class */
        uint64_t bits;
        memcpy(&bits, &num, sizeof bits);
        size_t h = (size_t)((bits * 0x9E3779B97F4A7C15ull) >> 49) & (SLOTS - 1);
        while (vals[h] >= 0 && keys[h] != bits)
            h = (h + 1) & (SLOTS - 1);
        if (vals[h] < 0) {
            char buf[64];
            const char *text = col->type == MG_TYPE_BOOL ? (num != 0 ? "true" : "false") : buf;
            if (col->type != MG_TYPE_BOOL)
                number_text(num, buf, sizeof buf);
            int c = labelset_add(s, text, num);
            if (c < 0) {
                st = mg__nomem(err, "label classes");
                break;
            }
            if (s->n > MAX_CLASSES) {
                st = mg__fail(err, MG_ERR_DATA,
                              "%s: column '%s' has more than %d distinct values; a "
                              "classification %s needs few classes (use --task regression?)",
                              t->source, col->name, MAX_CLASSES, what);
                break;
            }
            keys[h] = bits;
            vals[h] = c;
        }
        idx[i] = vals[h];
    }
    free(keys);
    free(vals);
    return st;
}

static bool column_is_integral(const mg_column *col) {
    if (col->type == MG_TYPE_I64 || col->type == MG_TYPE_BOOL)
        return true;
    if (col->type != MG_TYPE_F64)
        return false;
    for (int64_t i = 0; i < col->nrows; i++)
        if (!mg_column_is_null(col, i) && col->f64[i] != floor(col->f64[i]))
            return false;
    return true;
}

/* ---- per task ------------------------------------------------------------ */

static mg_status load_weights(const mg_table *t, const mg_eval_spec *spec, mg_targets *out,
                              mg_error *err) {
    if (spec->weight == NULL)
        return MG_OK;
    const mg_column *col = mg_table_column(t, spec->weight);
    if (col == NULL)
        return mg__fail(err, MG_ERR_DATA, "%s: no weight column '%s'", t->source, spec->weight);
    if (col->type == MG_TYPE_STR)
        return mg__fail(err, MG_ERR_DATA, "%s: weight column '%s' holds strings, expected numbers",
                        t->source, spec->weight);
    out->w = mg__malloc_array((size_t)(t->nrows > 0 ? t->nrows : 1), sizeof *out->w);
    if (out->w == NULL)
        return mg__nomem(err, "weights");
    for (int64_t i = 0; i < t->nrows; i++) {
        double v;
        if (mg_column_number(col, i, &v) != 0)
            return mg__fail(err, MG_ERR_DATA, "%s: row %lld, column '%s': weight is missing",
                            t->source, (long long)i + 1, spec->weight);
        if (!isfinite(v) || v < 0)
            return mg__fail(err, MG_ERR_DATA,
                            "%s: row %lld, column '%s': weight must be finite and >= 0", t->source,
                            (long long)i + 1, spec->weight);
        out->w[i] = v;
    }
    return MG_OK;
}

/* Index of the model output (class probability) for class text `label`. */
static int output_index(const mg_model_info *info, const char *label) {
    for (int c = 0; c < info->nclass_labels; c++)
        if (strcmp(info->class_labels[c], label) == 0)
            return c;
    return -1;
}

static mg_status check_probability(const mg_table *t, const mg_model *model, int64_t row, double v,
                                   mg_error *err) {
    if (v >= 0 && v <= 1)
        return MG_OK;
    const mg_model_info *info = mg_model_describe(model);
    const char *where = info->noutput_columns > 0 ? info->output_columns[0] : "model output";
    if (isnan(v))
        return mg__fail(err, MG_ERR_DATA,
                        "%s: row %lld, column '%s': score is NaN, expected a "
                        "probability in [0, 1]",
                        t->source, (long long)row + 1, where);
    char num[40];
    mg_format_double(v, num, sizeof num);
    return mg__fail(err, MG_ERR_DATA,
                    "%s: row %lld, column '%s': score %s is outside [0, 1], expected a "
                    "probability (use --task regression for unbounded predictions)",
                    t->source, (long long)row + 1, where, num);
}

typedef struct build_ctx {
    const mg_table *t;
    mg_model *model;
    const mg_model_info *info;
    const mg_eval_spec *spec;
    const mg_column *label;
    const mg_column *pred_col; /* predictions backend with one column, else NULL */
    double *outputs;           /* n * noutputs, NULL when the predicted column holds strings */
} build_ctx;

/* The text of row i's predicted class: the predictions column's value, or
 * for a model's output the class label its index names, else the number as
 * text (buf, cap >= 64). *num is the numeric value, NaN for text. */
static mg_status predicted_class(const build_ctx *b, int64_t i, char *buf, size_t cap,
                                 const char **text, double *num, mg_error *err) {
    const mg_table *t = b->t;
    const mg_model_info *info = b->info;
    *num = NAN;
    if (b->outputs == NULL) {
        *text = cell_text(b->pred_col, i, buf, cap, num);
        if (*text == NULL)
            return mg__fail(err, MG_ERR_DATA, "%s: row %lld, column '%s': prediction is missing",
                            t->source, (long long)i + 1, b->pred_col->name);
        return MG_OK;
    }
    *num = b->outputs[i];
    if (isnan(*num))
        return mg__fail(err, MG_ERR_DATA, "%s: row %lld: predicted class is NaN", t->source,
                        (long long)i + 1);
    if (info->class_labels != NULL && *num >= 0 && *num < info->nclass_labels &&
        *num == floor(*num)) {
        *text = info->class_labels[(int)*num];
    } else {
        number_text(*num, buf, cap);
        *text = buf;
    }
    return MG_OK;
}

static mg_status build_binary(build_ctx *b, labelset *labels, const int32_t *yc, mg_targets *out,
                              mg_error *err) {
    const mg_table *t = b->t;
    int64_t n = t->nrows;
    if (labels->n > 2) {
        int *perm = mg__malloc((size_t)labels->n * sizeof *perm);
        if (perm == NULL)
            return mg__nomem(err, "labels");
        /* name them in order; yc is not used after this */
        if (labelset_sort(labels, perm) != 0) {
            free(perm);
            return mg__nomem(err, "labels");
        }
        free(perm);
        return mg__fail(err, MG_ERR_DATA,
                        "%s: column '%s' has %d distinct labels (%s, %s, %s%s); a binary task "
                        "needs at most 2",
                        t->source, b->label->name, labels->n, labels->text[0], labels->text[1],
                        labels->text[2], labels->n > 3 ? ", ..." : "");
    }
    /* The positive class: given, else 1/true when the labels are 0/1 or booleans
     * (scikit-learn's pos_label=1), else the larger label. */
    int pos = -1;
    const char *pos_text = NULL;
    if (b->spec->positive_label != NULL) {
        pos_text = b->spec->positive_label;
        pos = labelset_find(labels, pos_text);
        if (pos < 0 && labels->n == 2)
            return mg__fail(err, MG_ERR_DATA,
                            "%s: --positive-label '%s' is not a value of column '%s' (%s, %s)",
                            t->source, pos_text, b->label->name, labels->text[0], labels->text[1]);
    } else {
        bool zero_one = labels->numeric;
        for (int c = 0; c < labels->n && zero_one; c++)
            zero_one = labels->num[c] == 0 || labels->num[c] == 1 || labels->num[c] == -1;
        if (zero_one) {
            pos_text = b->label->type == MG_TYPE_BOOL ? "true" : "1";
            pos = labelset_find(labels, pos_text);
        } else {
            pos = 0;
            for (int c = 1; c < labels->n; c++)
                if (labels->numeric ? labels->num[c] > labels->num[pos]
                                    : strcmp(labels->text[c], labels->text[pos]) > 0)
                    pos = c;
            pos_text = labels->text[pos];
        }
    }
    out->positive_label = mg__strdup(pos_text);
    const char *neg_text = NULL;
    for (int c = 0; c < labels->n; c++)
        if (c != pos)
            neg_text = labels->text[c];
    if (neg_text == NULL)
        neg_text = b->label->type == MG_TYPE_BOOL ? "false" : labels->numeric ? "0" : "";
    out->negative_label = mg__strdup(neg_text);
    out->y = mg__malloc_array((size_t)(n > 0 ? n : 1), 1);
    out->score = mg__malloc_array((size_t)(n > 0 ? n : 1), sizeof(double));
    if (out->y == NULL || out->score == NULL || out->positive_label == NULL ||
        out->negative_label == NULL)
        return mg__nomem(err, "binary targets");
    for (int64_t i = 0; i < n; i++)
        out->y[i] = yc[i] == pos;

    const mg_model_info *info = b->info;
    if (info->kind == MG_OUTPUT_CLASS_PROBS) {
        int k = info->noutputs;
        int oi = output_index(info, pos_text);
        if (k != 2 || oi < 0)
            return mg__fail(err, MG_ERR_DATA,
                            "%s: model %s gives %d class probabilities but none for the positive "
                            "class '%s'",
                            t->source, b->model->arg, k, pos_text);
        for (int64_t i = 0; i < n; i++) {
            double v = b->outputs[i * k + oi];
            MG_TRY(check_probability(t, b->model, i, v, err));
            out->score[i] = v;
        }
    } else if (info->kind == MG_OUTPUT_CLASS || b->outputs == NULL) {
        /* Hard predictions: a class per row; score 1 for the positive class. */
        char buf[64];
        for (int64_t i = 0; i < n; i++) {
            const char *text;
            double num;
            MG_TRY(predicted_class(b, i, buf, sizeof buf, &text, &num, err));
            out->score[i] = strcmp(text, pos_text) == 0 ? 1.0 : 0.0;
        }
    } else {
        for (int64_t i = 0; i < n; i++)
            MG_TRY(check_probability(t, b->model, i, b->outputs[i], err));
        /* One probability per row: the outputs are the scores; take them over. */
        free(out->score);
        out->score = b->outputs;
        b->outputs = NULL;
    }
    out->threshold = b->spec->threshold;
    return MG_OK;
}

static mg_status build_multiclass(build_ctx *b, labelset *labels, int32_t *yc, mg_targets *out,
                                  mg_error *err) {
    const mg_table *t = b->t;
    int64_t n = t->nrows;
    const mg_model_info *info = b->info;
    int32_t *pred = mg__malloc_array((size_t)(n > 0 ? n : 1), sizeof *pred);
    if (pred == NULL)
        return mg__nomem(err, "predicted classes");
    out->pred = pred;
    int k = 0;
    if (info->kind == MG_OUTPUT_CLASS_PROBS) {
        /* The model's classes are the classes; every label must be one of them. */
        k = info->noutputs;
        for (int c = 0; c < info->nclass_labels; c++) {
            double num = NAN;
            if (labels->numeric &&
                mg_parse_double(info->class_labels[c], strlen(info->class_labels[c]), &num) != 0)
                labels->numeric = false;
            if (labelset_add(labels, info->class_labels[c], num) < 0)
                return mg__nomem(err, "classes");
        }
        if (labels->n != k) {
            for (int c = 0; c < labels->n; c++)
                if (output_index(info, labels->text[c]) < 0)
                    return mg__fail(err, MG_ERR_DATA,
                                    "%s: column '%s' holds label '%s', for which model %s gives "
                                    "no probability (its classes: %s, ...)",
                                    t->source, b->label->name, labels->text[c], b->model->arg,
                                    info->class_labels[0]);
        }
    } else {
        /* Predicted classes: as text, added to the label set. */
        char buf[64];
        for (int64_t i = 0; i < n; i++) {
            const char *text;
            double num;
            MG_TRY(predicted_class(b, i, buf, sizeof buf, &text, &num, err));
            if (labels->numeric && isnan(num))
                return mg__fail(err, MG_ERR_DATA,
                                "%s: row %lld: predicted class '%s' is not a number like the "
                                "labels of column '%s'",
                                t->source, (long long)i + 1, text, b->label->name);
            int c = labelset_add(labels, text, num);
            if (c < 0)
                return mg__nomem(err, "classes");
            pred[i] = c;
        }
        k = labels->n;
    }
    /* Sort classes like scikit-learn's unique_labels and renumber. */
    int *perm = mg__malloc((size_t)(labels->n > 0 ? labels->n : 1) * sizeof *perm);
    if (perm == NULL)
        return mg__nomem(err, "classes");
    if (labelset_sort(labels, perm) != 0) {
        free(perm);
        return mg__nomem(err, "classes");
    }
    for (int64_t i = 0; i < n; i++)
        yc[i] = perm[yc[i]];
    if (info->kind != MG_OUTPUT_CLASS_PROBS)
        for (int64_t i = 0; i < n; i++)
            pred[i] = perm[pred[i]];
    free(perm);
    if (info->kind == MG_OUTPUT_CLASS_PROBS) {
        out->proba = mg__malloc_array((size_t)(n > 0 ? n : 1) * (size_t)k, sizeof(double));
        if (out->proba == NULL)
            return mg__nomem(err, "class probabilities");
        int *col_of = mg__malloc_array((size_t)k, sizeof *col_of);
        if (col_of == NULL)
            return mg__nomem(err, "class probabilities");
        for (int c = 0; c < k; c++)
            col_of[c] = output_index(info, labels->text[c]);
        for (int64_t i = 0; i < n; i++) {
            int best = 0;
            for (int c = 0; c < k; c++) {
                double v = b->outputs[i * k + col_of[c]];
                if (!(v >= 0 && v <= 1)) {
                    free(col_of);
                    return check_probability(t, b->model, i, v, err);
                }
                out->proba[i * k + c] = v;
                if (v > out->proba[i * k + best])
                    best = c;
            }
            pred[i] = best;
        }
        free(col_of);
    }
    out->nclasses = labels->n;
    out->class_labels = labels->text;
    labels->text = NULL;
    labels->n = 0;
    out->yc = yc;
    return MG_OK;
}

static mg_status build_regression(build_ctx *b, mg_targets *out, mg_error *err) {
    const mg_table *t = b->t;
    int64_t n = t->nrows;
    if (b->label->type == MG_TYPE_STR)
        return mg__fail(err, MG_ERR_DATA,
                        "%s: column '%s' holds text (e.g. '%s'), a regression task needs "
                        "numeric labels",
                        t->source, b->label->name, b->label->ndict ? b->label->dict[0] : "");
    if (b->outputs == NULL)
        return mg__fail(err, MG_ERR_DATA,
                        "%s: column '%s' holds text, expected numeric predictions", t->source,
                        b->pred_col->name);
    if (b->info->noutputs != 1)
        return mg__fail(err, MG_ERR_DATA,
                        "model %s gives %d outputs per row; a regression task "
                        "needs one",
                        b->model->arg, b->info->noutputs);
    out->yr = mg__malloc_array((size_t)(n > 0 ? n : 1), sizeof(double));
    out->pr = mg__malloc_array((size_t)(n > 0 ? n : 1), sizeof(double));
    if (out->yr == NULL || out->pr == NULL)
        return mg__nomem(err, "regression targets");
    for (int64_t i = 0; i < n; i++) {
        double v;
        if (mg_column_number(b->label, i, &v) != 0)
            return mg__fail(err, MG_ERR_DATA, "%s: row %lld, column '%s': label is missing",
                            t->source, (long long)i + 1, b->label->name);
        if (!isfinite(v))
            return mg__fail(err, MG_ERR_DATA, "%s: row %lld, column '%s': label is not finite",
                            t->source, (long long)i + 1, b->label->name);
        out->yr[i] = v;
        double p = b->outputs[i];
        if (!isfinite(p))
            return mg__fail(err, MG_ERR_DATA, "%s: row %lld: prediction is not finite", t->source,
                            (long long)i + 1);
        out->pr[i] = p;
    }
    return MG_OK;
}

static bool outputs_integral(const double *v, int64_t n) {
    for (int64_t i = 0; i < n; i++)
        if (v[i] != floor(v[i]))
            return false;
    return true;
}

/* --task auto: what the outputs and the labels say (see docs/evaluate.md). */
static mg_task infer_task(const build_ctx *b, char *why, size_t cap) {
    const mg_model_info *info = b->info;
    const mg_column *label = b->label;
    switch (info->kind) {
    case MG_OUTPUT_VALUE:
        snprintf(why, cap, "the model predicts values");
        return MG_TASK_REGRESSION;
    case MG_OUTPUT_PROBABILITY:
        snprintf(why, cap, "the model gives a positive-class probability");
        return MG_TASK_BINARY;
    case MG_OUTPUT_CLASS_PROBS:
        snprintf(why, cap, "the model gives %d class probabilities", info->noutputs);
        return info->noutputs == 2 ? MG_TASK_BINARY : MG_TASK_MULTICLASS;
    case MG_OUTPUT_CLASS:
    case MG_OUTPUT_UNKNOWN: break;
    }
    if (label->type == MG_TYPE_STR || label->type == MG_TYPE_BOOL) {
        snprintf(why, cap, "label column '%s' holds %s", label->name,
                 label->type == MG_TYPE_STR ? "text" : "booleans");
        return MG_TASK_AUTO; /* classification: decided by the number of classes */
    }
    if (!column_is_integral(label)) {
        snprintf(why, cap, "label column '%s' holds non-integer numbers", label->name);
        return MG_TASK_REGRESSION;
    }
    if (b->outputs != NULL && !outputs_integral(b->outputs, b->t->nrows) &&
        info->kind == MG_OUTPUT_UNKNOWN) {
        /* Integer labels with fractional scores: probabilities of a 0/1 label, or values. */
        snprintf(why, cap, "label column '%s' holds integers and the scores are fractional",
                 label->name);
        return MG_TASK_AUTO;
    }
    snprintf(why, cap, "label column '%s' and the predictions hold integer classes", label->name);
    return MG_TASK_AUTO;
}

mg_status mg_targets_build(const mg_table *table, mg_model *model, const mg_eval_spec *spec,
                           mg_targets *out, mg_error *err) {
    memset(out, 0, sizeof *out);
    const char *label_name = spec->label ? spec->label : "label";
    const mg_column *label = mg_table_column(table, label_name);
    if (label == NULL)
        return mg__fail(err, MG_ERR_DATA, "%s: no label column '%s'%s", table->source, label_name,
                        spec->label ? "" : " (name it with --label)");
    if (table->nrows == 0)
        return mg__fail(err, MG_ERR_DATA, "%s: no data rows (header only)", table->source);

    build_ctx b = {
        .t = table, .model = model, .info = mg_model_describe(model), .spec = spec, .label = label};
    mg_feature_roles roles = spec->roles;
    roles.label = label_name;
    roles.weight = spec->weight;
    if (b.info->noutput_columns == 1) {
        b.pred_col = mg_table_column(table, b.info->output_columns[0]);
        if (b.pred_col == NULL)
            return mg__fail(err, MG_ERR_DATA, "%s: no column '%s' (named by model %s)",
                            table->source, b.info->output_columns[0], model->arg);
    }
    mg_status st = MG_OK;
    if (b.pred_col == NULL || b.pred_col->type != MG_TYPE_STR)
        st = mg_model_predict_table(model, table, &roles, &b.outputs, err);
    labelset labels = {0};
    int32_t *yc = NULL;
    if (st == MG_OK)
        st = load_weights(table, spec, out, err);
    if (st != MG_OK)
        goto done;

    mg_task task = spec->task;
    if (task == MG_TASK_AUTO)
        task = infer_task(&b, out->task_reason, sizeof out->task_reason);
    else
        snprintf(out->task_reason, sizeof out->task_reason, "given with --task");
    if (task == MG_TASK_REGRESSION) {
        st = build_regression(&b, out, err);
    } else {
        yc = mg__malloc_array((size_t)table->nrows, sizeof *yc);
        if (yc == NULL) {
            st = mg__nomem(err, "label classes");
            goto done;
        }
        labels.numeric = label->type != MG_TYPE_STR && label->type != MG_TYPE_BOOL;
        st = map_rows(table, label, &labels, yc, "label", err);
        if (st == MG_OK && task == MG_TASK_AUTO) {
            bool fractional = b.outputs != NULL && b.info->kind == MG_OUTPUT_UNKNOWN &&
                              !outputs_integral(b.outputs, table->nrows);
            if (labels.n <= 2 || (fractional && b.info->kind != MG_OUTPUT_CLASS))
                task = labels.n <= 2 ? MG_TASK_BINARY : MG_TASK_REGRESSION;
            else
                task = MG_TASK_MULTICLASS;
            size_t len = strlen(out->task_reason);
            snprintf(out->task_reason + len, sizeof out->task_reason - len,
                     " with %d distinct "
                     "values",
                     labels.n);
        }
        if (st == MG_OK && task == MG_TASK_BINARY)
            st = build_binary(&b, &labels, yc, out, err);
        else if (st == MG_OK && task == MG_TASK_MULTICLASS) {
            st = build_multiclass(&b, &labels, yc, out, err);
            if (st == MG_OK)
                yc = NULL; /* owned by out */
        } else if (st == MG_OK)
            st = build_regression(&b, out, err);
    }
    out->task = task;
    out->n = table->nrows;
done:
    free(yc);
    labelset_release(&labels);
    free(b.outputs);
    if (st != MG_OK)
        mg_targets_release(out);
    return st;
}
