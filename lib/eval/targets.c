/* targets.c - from a table and a model to aligned labels and outputs: resolve
 * the label column and the task, map labels to classes, check every score. */
#include "eval/eval_internal.h"
#include "modelgate/evaluate.h"
#include "modelgate/metric_registry.h"

#include <math.h>

void mg_targets_release(mg_targets *t) {
    free(t->w);
    free(t->y);
    if (!t->score_borrowed)
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
    double max = 0;
    for (int64_t i = 0; i < t->nrows; i++)
        max = fmax(max, out->w[i]);
    /* Weights far from 1 (all tiny or all huge) are scaled by the power of
     * two that puts the largest in [0.5, 1), so no sum, square or product of
     * weights downstream (fairness, intervals, the bootstrap) underflows or
     * overflows; ordinary weights are left as they are. */
    if (max > 0 && (max < 0x1p-64 || max > 0x1p64)) {
        (void)frexp(max, &out->w_exp2);
        for (int64_t i = 0; i < t->nrows; i++)
            out->w[i] = ldexp(out->w[i], -out->w_exp2);
    }
    return MG_OK;
}

/* ---- the model's classes (DESIGN §6 "Classes") ------------------------- */

/* A model's classes in output order: named by the model or by --classes, or
 * by index 0..k-1 when neither names them (names == NULL). k = 0 when the
 * model says nothing about classes (a score column). */
typedef struct model_classes {
    int k;
    const char *const *names;
} model_classes;

static bool ascii_iequal(const char *a, const char *b) {
    for (; *a && *b; a++, b++) {
        char x = *a >= 'A' && *a <= 'Z' ? (char)(*a - 'A' + 'a') : *a;
        char y = *b >= 'A' && *b <= 'Z' ? (char)(*b - 'A' + 'a') : *b;
        if (x != y)
            return false;
    }
    return *a == *b;
}

/* Does class name `name` denote the label (text, number)? By text; numeric
 * labels also by value ("1.0" is 1); booleans also as True/False or 1/0. */
static bool class_name_eq(const char *name, const char *text, double num, mg_type label_type) {
    if (strcmp(name, text) == 0)
        return true;
    if (label_type == MG_TYPE_STR)
        return false;
    if (label_type == MG_TYPE_BOOL && ascii_iequal(name, text))
        return true;
    double v;
    return mg_parse_double(name, strlen(name), &v) == 0 && v == num;
}

/* "a, b, c" of up to 8 items into buf (cap >= 64). */
static void list_text(char *buf, size_t cap, const char *const *items, int n) {
    size_t len = 0;
    buf[0] = '\0';
    for (int i = 0; i < n && len < cap; i++) {
        if (i == 8) {
            snprintf(buf + len, cap - len, ", ...");
            break;
        }
        len += (size_t)snprintf(buf + len, cap - len, "%s%s", i ? ", " : "", items[i]);
    }
}

static void classes_text(const model_classes *mc, char *buf, size_t cap) {
    if (mc->names != NULL) {
        list_text(buf, cap, mc->names, mc->k);
        return;
    }
    size_t len = 0;
    buf[0] = '\0';
    for (int c = 0; c < mc->k && len < cap; c++) {
        if (c == 8) {
            snprintf(buf + len, cap - len, ", ...");
            break;
        }
        len += (size_t)snprintf(buf + len, cap - len, "%s%d", c ? ", " : "", c);
    }
    if (len < cap)
        snprintf(buf + len, cap - len, " by index: it names none");
}

/* The model's classes, from its description and spec->classes. */
static mg_status resolve_classes(const mg_table *t, const mg_model *model, const mg_model_info *info,
                                 const mg_eval_spec *spec, model_classes *mc, mg_error *err) {
    mc->k = 0;
    mc->names = NULL;
    switch (info->kind) {
    case MG_OUTPUT_CLASS_PROBS: mc->k = info->noutputs; break;
    case MG_OUTPUT_PROBABILITY: mc->k = 2; break;
    case MG_OUTPUT_CLASS:
        mc->k = info->nclass_labels > 0 ? info->nclass_labels
                : spec->nclasses > 0     ? spec->nclasses
                : info->objective != NULL && strcmp(info->objective, "binary:hinge") == 0 ? 2
                                                                                            : 0;
        break;
    case MG_OUTPUT_VALUE:
    case MG_OUTPUT_UNKNOWN: return MG_OK;
    }
    if (mc->k <= 0)
        return MG_OK;
    const char *const *own =
        info->nclass_labels == mc->k ? (const char *const *)info->class_labels : NULL;
    if (spec->classes != NULL && spec->nclasses > 0) {
        char given[256], names[256];
        list_text(given, sizeof given, spec->classes, spec->nclasses);
        if (own != NULL) {
            bool same = spec->nclasses == mc->k;
            for (int c = 0; same && c < mc->k; c++)
                same = strcmp(own[c], spec->classes[c]) == 0;
            if (!same) {
                list_text(names, sizeof names, own, mc->k);
                return mg__fail(err, MG_ERR_DATA,
                                "%s: model %s names its classes (%s), which are not %s %s",
                                t->source, mg_model_source(model), names,
                                MG_INPUT_NAME(spec->names, classes, "--classes"), given);
            }
        } else if (spec->nclasses != mc->k) {
            return mg__fail(err, MG_ERR_DATA,
                            "%s: %s names %d classes (%s) but model %s has %d", t->source,
                            MG_INPUT_NAME(spec->names, classes, "--classes"), spec->nclasses,
                            given, mg_model_source(model), mc->k);
        }
        mc->names = spec->classes;
    } else {
        mc->names = own;
    }
    return MG_OK;
}

/* Model class of label l of the set, or -1 when it is none of them. */
static int label_class(const mg__labelset *labels, int l, mg_type label_type,
                       const model_classes *mc) {
    if (mc->names != NULL) {
        for (int c = 0; c < mc->k; c++)
            if (class_name_eq(mc->names[c], labels->text[l], labels->num[l], label_type))
                return c;
        return -1;
    }
    double v = labels->num[l];
    if (label_type == MG_TYPE_STR || !(v >= 0 && v < mc->k) || v != floor(v))
        return -1;
    return (int)v;
}

/* map[l] = the model class of each label; exit 2 naming the labels and the
 * model's classes when one is not a class of the model. */
static mg_status labels_to_classes(const mg_table *t, const mg_model *model, const mg_column *label,
                                   const mg__labelset *labels, const model_classes *mc,
                                   const mg_input_names *names, int *map, mg_error *err) {
    const char *classes_flag = MG_INPUT_NAME(names, classes, "--classes");
    char lab[256], cls[256];
    list_text(lab, sizeof lab, (const char *const *)labels->text, labels->n);
    if (mc->names == NULL && label->type == MG_TYPE_STR)
        return mg__fail(err, MG_ERR_DATA,
                        "%s: model %s names no classes (its outputs are classes 0..%d by index) "
                        "and column '%s' holds text labels (%s); name the model's classes in "
                        "output order with %s",
                        t->source, mg_model_source(model), mc->k - 1, label->name, lab,
                        classes_flag);
    for (int l = 0; l < labels->n; l++) {
        map[l] = label_class(labels, l, label->type, mc);
        if (map[l] < 0) {
            classes_text(mc, cls, sizeof cls);
            return mg__fail(err, MG_ERR_DATA,
                            "%s: column '%s' holds label '%s', which is not a class of model %s "
                            "(labels: %s; the model's classes: %s)%s%s",
                            t->source, label->name, labels->text[l], mg_model_source(model), lab, cls,
                            mc->names == NULL ? "; name its classes with " : "",
                            mc->names == NULL ? classes_flag : "");
        }
    }
    return MG_OK;
}

/* Text of model class c: a label that maps to it, else its name, else its index. */
static const char *class_text(const mg__labelset *labels, const int *map, const model_classes *mc,
                              mg_type label_type, int c, char *buf, size_t cap) {
    for (int l = 0; l < labels->n; l++)
        if (map[l] == c)
            return labels->text[l];
    if (mc->names != NULL)
        return mc->names[c];
    if (label_type == MG_TYPE_BOOL && mc->k == 2)
        return c ? "true" : "false";
    snprintf(buf, cap, "%d", c);
    return buf;
}

/* Sorts the label set (numbers numerically, text by code point) and renumbers yc. */
static mg_status sort_labels(mg__labelset *labels, int32_t *yc, int64_t n, mg_error *err) {
    int *perm = mg__malloc_array((size_t)(labels->n > 0 ? labels->n : 1), sizeof *perm);
    if (perm == NULL)
        return mg__nomem(err, "labels");
    if (mg__labelset_sort(labels, perm) != 0) {
        free(perm);
        return mg__nomem(err, "labels");
    }
    for (int64_t i = 0; i < n; i++)
        yc[i] = perm[yc[i]];
    free(perm);
    return MG_OK;
}

static mg_status check_probability(const mg_table *t, const mg_model *model,
                                   const mg_input_names *names, int64_t row, double v,
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
                    "probability (use %s regression for unbounded predictions)",
                    t->source, (long long)row + 1, where, num,
                    MG_INPUT_NAME(names, task, "--task"));
}

typedef struct build_ctx {
    const mg_table *t;
    mg_model *model;
    const mg_model_info *info;
    const mg_eval_spec *spec;
    const mg_column *label;
    const mg_column *pred_col; /* predictions backend with one column, else NULL */
    double *outputs;           /* n * noutputs, NULL when the predicted column holds strings */
    bool borrowed;             /* outputs is pred_col->f64, not a copy */
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
        *text = mg__label_cell_text(b->pred_col, i, buf, cap, num);
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
        mg__label_number_text(*num, buf, cap);
        *text = buf;
    }
    return MG_OK;
}

static bool outputs_integral(const double *v, int64_t n) {
    for (int64_t i = 0; i < n; i++)
        if (v[i] != floor(v[i]))
            return false;
    return true;
}

/* Score and class of a binary model (it knows its 2 classes): the score is
 * P(model's positive class, its class 1); the other class uses 1 - p. */
static mg_status binary_from_model(build_ctx *b, mg__labelset *labels, const int32_t *yc,
                                   const model_classes *mc, mg_targets *out, mg_error *err) {
    const mg_table *t = b->t;
    const mg_model_info *info = b->info;
    int64_t n = t->nrows;
    mg_type ltype = b->label->type;
    if (mc->k != 2) {
        char cls[256];
        classes_text(mc, cls, sizeof cls);
        return mg__fail(err, MG_ERR_DATA,
                        "%s: model %s has %d classes (%s); a binary task needs a model of 2 "
                        "(use %s multiclass)",
                        t->source, mg_model_source(b->model), mc->k, cls,
                        MG_INPUT_NAME(b->spec->names, task, "--task"));
    }
    int map[2];
    MG_TRY(labels_to_classes(t, b->model, b->label, labels, mc, b->spec->names, map, err));
    int pc = 1;
    const char *why = "the model's positive class";
    char given_why[200];
    const char *given = b->spec->positive_label;
    if (given == NULL) {
        /* As for labels: 1/true when the classes are 0/1, -1/1 or booleans, else
         * the larger class (the model's class 1 for XGBoost and scikit-learn). */
        char b0[32], b1[32];
        const char *c0 = class_text(labels, map, mc, ltype, 0, b0, sizeof b0);
        const char *c1 = class_text(labels, map, mc, ltype, 1, b1, sizeof b1);
        double v0, v1;
        bool num = mg_parse_double(c0, strlen(c0), &v0) == 0 &&
                   mg_parse_double(c1, strlen(c1), &v1) == 0 && ltype != MG_TYPE_STR;
        if (ltype == MG_TYPE_BOOL) {
            pc = ascii_iequal(c0, "true") ? 0 : 1;
            why = "the classes are booleans";
        } else if (num && (v0 == 1 || v1 == 1) && (v0 == 0 || v0 == -1 || v1 == 0 || v1 == -1)) {
            pc = v0 == 1 ? 0 : 1;
            why = "the classes are 0/1 or -1/1";
        } else {
            pc = (num ? v0 > v1 : strcmp(c0, c1) > 0) ? 0 : 1;
            why = "the larger class";
        }
    } else {
        snprintf(given_why, sizeof given_why, "given with %s",
                 MG_INPUT_NAME(b->spec->names, positive_label, "--positive-label"));
        why = given_why;
        int l = mg__labelset_find_given(labels, b->label->type, given);
        pc = l >= 0 ? map[l] : -1;
        double gv = NAN;
        if (pc < 0 && mg_parse_double(given, strlen(given), &gv) != 0)
            gv = NAN;
        for (int c = 0; pc < 0 && c < 2; c++) {
            if (mc->names != NULL ? class_name_eq(mc->names[c], given, gv, ltype)
                                  : (gv == c || (ltype == MG_TYPE_BOOL &&
                                                 ascii_iequal(given, c ? "true" : "false"))))
                pc = c;
        }
        if (pc < 0) {
            char lab[256], cls[256];
            list_text(lab, sizeof lab, (const char *const *)labels->text, labels->n);
            classes_text(mc, cls, sizeof cls);
            return mg__fail(err, MG_ERR_DATA,
                            "%s: %s '%s' is neither a value of column '%s' (%s) "
                            "nor a class of model %s (%s)",
                            t->source,
                            MG_INPUT_NAME(b->spec->names, positive_label, "--positive-label"),
                            given, b->label->name, lab, mg_model_source(b->model), cls);
        }
    }
    char pbuf[32], nbuf[32], mbuf[32];
    const char *pos_text = class_text(labels, map, mc, ltype, pc, pbuf, sizeof pbuf);
    const char *neg_text = class_text(labels, map, mc, ltype, 1 - pc, nbuf, sizeof nbuf);
    const char *model_pos = class_text(labels, map, mc, ltype, 1, mbuf, sizeof mbuf);
    out->positive_label = mg__strdup(pos_text);
    out->negative_label = mg__strdup(neg_text);
    out->y = mg__malloc_array((size_t)(n > 0 ? n : 1), 1);
    out->score = mg__malloc_array((size_t)(n > 0 ? n : 1), sizeof(double));
    if (out->y == NULL || out->score == NULL || out->positive_label == NULL ||
        out->negative_label == NULL)
        return mg__nomem(err, "binary targets");
    if (info->kind == MG_OUTPUT_CLASS)
        snprintf(out->positive_reason, sizeof out->positive_reason,
                 "%s; the model predicts classes", why);
    else if (pc == 1)
        snprintf(out->positive_reason, sizeof out->positive_reason,
                 "%s; the score is the model's P('%s')", why, pos_text);
    else
        snprintf(out->positive_reason, sizeof out->positive_reason,
                 "%s; the score is 1 - the model's P('%s')", why, model_pos);
    for (int64_t i = 0; i < n; i++)
        out->y[i] = map[yc[i]] == pc;
    for (int64_t i = 0; i < n; i++) {
        if (info->kind == MG_OUTPUT_CLASS) {
            double v = b->outputs[i];
            if (!(v == 0 || v == 1)) {
                char num[40];
                mg_format_double(v, num, sizeof num);
                return mg__fail(err, MG_ERR_DATA,
                                "%s: row %lld: model %s predicted class %s, not one of its "
                                "classes 0, 1",
                                t->source, (long long)i + 1, mg_model_source(b->model), num);
            }
            out->score[i] = (int)v == pc ? 1.0 : 0.0;
        } else if (info->kind == MG_OUTPUT_CLASS_PROBS) {
            double v = b->outputs[i * 2 + pc];
            MG_TRY(check_probability(t, b->model, b->spec->names, i, v, err));
            out->score[i] = v;
        } else {
            double v = b->outputs[i];
            MG_TRY(check_probability(t, b->model, b->spec->names, i, v, err));
            out->score[i] = pc == 1 ? v : 1.0 - v;
        }
    }
    out->decision_threshold = b->spec->threshold;
    out->threshold = pc == 1 || info->kind == MG_OUTPUT_CLASS
                         ? b->spec->threshold
                         : nextafter(b->spec->threshold, -INFINITY);
    return MG_OK;
}

/* Does the numeric value v equal one of the (numeric or boolean) labels? */
static int numeric_label_index(const mg__labelset *labels, double v) {
    for (int c = 0; c < labels->n; c++)
        if (labels->num[c] == v)
            return c;
    return -1;
}

static mg_status build_binary(build_ctx *b, mg__labelset *labels, int32_t *yc, mg_targets *out,
                              mg_error *err) {
    const mg_table *t = b->t;
    int64_t n = t->nrows;
    MG_TRY(sort_labels(labels, yc, n, err));
    if (labels->n > 2)
        return mg__fail(err, MG_ERR_DATA,
                        "%s: column '%s' has %d distinct labels (%s, %s, %s%s); a binary task "
                        "needs at most 2",
                        t->source, b->label->name, labels->n, labels->text[0], labels->text[1],
                        labels->text[2], labels->n > 3 ? ", ..." : "");
    model_classes mc;
    MG_TRY(resolve_classes(t, b->model, b->info, b->spec, &mc, err));
    if (mc.k > 0)
        return binary_from_model(b, labels, yc, &mc, out, err);

    /* A score column or one of predicted classes: no model to say which class
     * it is about. Hard predictions must be values of the label set. */
    const mg_model_info *info = b->info;
    bool text_preds = b->outputs == NULL;
    bool hard = text_preds;
    bool numeric_labels = b->label->type != MG_TYPE_STR;
    bool class_numbers = !text_preds && info->kind == MG_OUTPUT_CLASS;
    if (class_numbers && !numeric_labels)
        return mg__fail(err, MG_ERR_DATA,
                        "%s: model %s predicts class numbers and names no classes, and column "
                        "'%s' holds text labels; name the model's classes in output order with "
                        "%s",
                        t->source, mg_model_source(b->model), b->label->name,
                        MG_INPUT_NAME(b->spec->names, classes, "--classes"));
    if (!text_preds && (info->kind == MG_OUTPUT_UNKNOWN || class_numbers) && numeric_labels &&
        (class_numbers || outputs_integral(b->outputs, n))) {
        /* Integer predictions: classes when they are label values; an integer
         * outside [0, 1] that is no label is a wrong class, not a probability. */
        hard = true;
        bool in_unit = true;
        double extra[2];
        int nextra = 0;
        for (int64_t i = 0; i < n && hard; i++) {
            double v = b->outputs[i];
            in_unit = in_unit && (v == 0 || v == 1);
            if (numeric_label_index(labels, v) >= 0 || (nextra > 0 && extra[0] == v) ||
                (nextra > 1 && extra[1] == v))
                continue;
            /* With one label value, a prediction may name the other class. */
            if (labels->n + nextra < 2 && nextra < 2)
                extra[nextra++] = v;
            else
                hard = false;
        }
        for (int e = 0; hard && e < nextra; e++) {
            char buf[64];
            if (b->label->type == MG_TYPE_BOOL)
                snprintf(buf, sizeof buf, "%s", extra[e] != 0 ? "true" : "false");
            else
                mg__label_number_text(extra[e], buf, sizeof buf);
            if (mg__labelset_add(labels, buf, extra[e]) < 0)
                return mg__nomem(err, "classes");
        }
        if (!hard && (!in_unit || class_numbers))
            for (int64_t i = 0; i < n; i++)
                if (numeric_label_index(labels, b->outputs[i]) < 0 &&
                    (class_numbers || labels->n == 2)) {
                    char num[40], lab[256];
                    mg_format_double(b->outputs[i], num, sizeof num);
                    list_text(lab, sizeof lab, (const char *const *)labels->text, labels->n);
                    return mg__fail(err, MG_ERR_DATA,
                                    "%s: row %lld, column '%s': predicted class %s is not a "
                                    "value of label column '%s' (%s)",
                                    t->source, (long long)i + 1,
                                    info->noutput_columns > 0 ? info->output_columns[0]
                                                              : "prediction",
                                    num, b->label->name, lab);
                }
    }
    if (text_preds) {
        char buf[64];
        for (int64_t i = 0; i < n; i++) {
            const char *text;
            double num;
            MG_TRY(predicted_class(b, i, buf, sizeof buf, &text, &num, err));
            if (mg__labelset_find(labels, text) >= 0)
                continue;
            if (labels->n < 2) { /* one label value: the prediction names the other class */
                if (mg__labelset_add(labels, text, num) < 0)
                    return mg__nomem(err, "classes");
                continue;
            }
            char lab[256];
            list_text(lab, sizeof lab, (const char *const *)labels->text, labels->n);
            return mg__fail(err, MG_ERR_DATA,
                            "%s: row %lld, column '%s': predicted class '%s' is not a value of "
                            "label column '%s' (%s)",
                            t->source, (long long)i + 1, b->pred_col->name, text, b->label->name,
                            lab);
        }
    }
    /* A shard (or a test set) holding one label value: --classes naming the two
     * classes names the other one, as the whole test set would. */
    for (int c = 0; labels->n < 2 && b->spec->nclasses == 2 && c < 2; c++) {
        const char *cls = b->spec->classes[c];
        if (mg__labelset_find_given(labels, b->label->type, cls) >= 0)
            continue;
        char buf[64];
        double v = NAN;
        const char *text = cls;
        if (b->label->type == MG_TYPE_BOOL) {
            if (ascii_iequal(cls, "true") || strcmp(cls, "1") == 0)
                text = "true", v = 1;
            else if (ascii_iequal(cls, "false") || strcmp(cls, "0") == 0)
                text = "false", v = 0;
            else
                continue; /* no boolean: not a label this column can hold */
        } else if (b->label->type != MG_TYPE_STR) {
            if (mg_parse_double(cls, strlen(cls), &v) != 0 || !isfinite(v))
                continue;
            mg__label_number_text(v, buf, sizeof buf);
            text = buf;
        }
        if (mg__labelset_add(labels, text, v) < 0)
            return mg__nomem(err, "classes");
    }
    /* The positive class: given, else 1/true when the labels are 0/1 or booleans
     * (scikit-learn's pos_label=1), else the larger label. */
    int pos = -1;
    const char *pos_text = NULL;
    const char *why;
    char given_why[200];
    if (b->spec->positive_label != NULL) {
        pos = mg__labelset_find_given(labels, b->label->type, b->spec->positive_label);
        pos_text = pos >= 0 ? labels->text[pos] : b->spec->positive_label;
        snprintf(given_why, sizeof given_why, "given with %s",
                 MG_INPUT_NAME(b->spec->names, positive_label, "--positive-label"));
        why = given_why;
        if (pos < 0 && labels->n == 2)
            return mg__fail(err, MG_ERR_DATA,
                            "%s: %s '%s' is not a value of column '%s' (%s, %s)", t->source,
                            MG_INPUT_NAME(b->spec->names, positive_label, "--positive-label"),
                            pos_text, b->label->name, labels->text[0], labels->text[1]);
    } else {
        bool zero_one = labels->numeric;
        for (int c = 0; c < labels->n && zero_one; c++)
            zero_one = labels->num[c] == 0 || labels->num[c] == 1 || labels->num[c] == -1;
        if (zero_one || b->label->type == MG_TYPE_BOOL) {
            pos_text = b->label->type == MG_TYPE_BOOL ? "true" : "1";
            pos = mg__labelset_find(labels, pos_text);
            why = b->label->type == MG_TYPE_BOOL ? "the labels are booleans"
                                                 : "the labels are 0/1 or -1/1";
        } else {
            pos = 0;
            for (int c = 1; c < labels->n; c++)
                if (labels->numeric ? labels->num[c] > labels->num[pos]
                                    : strcmp(labels->text[c], labels->text[pos]) > 0)
                    pos = c;
            pos_text = labels->text[pos];
            why = "the larger label";
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
    /* A column's name, or the model's when the scores come from a model
     * that names no classes (a served model). */
    char col[160];
    if (info->noutput_columns > 0)
        snprintf(col, sizeof col, "column '%s'", info->output_columns[0]);
    else
        snprintf(col, sizeof col, "the scores of model %s", mg_model_source(b->model));
    if (hard)
        snprintf(out->positive_reason, sizeof out->positive_reason,
                 "%s; %s %s predicted classes", why, col,
                 info->noutput_columns > 0 ? "holds" : "are");
    else
        snprintf(out->positive_reason, sizeof out->positive_reason, "%s; %s %s read as P('%s')",
                 why, col, info->noutput_columns > 0 ? "is" : "are", pos_text);

    if (hard && text_preds) {
        char buf[64];
        for (int64_t i = 0; i < n; i++) {
            const char *text;
            double num;
            MG_TRY(predicted_class(b, i, buf, sizeof buf, &text, &num, err));
            out->score[i] = strcmp(text, pos_text) == 0 ? 1.0 : 0.0;
        }
    } else if (hard) {
        double pv = pos >= 0 ? labels->num[pos] : NAN;
        for (int64_t i = 0; i < n; i++)
            out->score[i] = b->outputs[i] == pv ? 1.0 : 0.0;
    } else {
        for (int64_t i = 0; i < n; i++)
            MG_TRY(check_probability(t, b->model, b->spec->names, i, b->outputs[i], err));
        /* One probability per row: the outputs are the scores; take them over
         * (or share the table's column they are). */
        free(out->score);
        out->score = b->outputs;
        out->score_borrowed = b->borrowed;
        b->outputs = NULL;
    }
    out->threshold = out->decision_threshold = b->spec->threshold;
    return MG_OK;
}

/* Multiclass with a model that knows its classes (class probabilities, or
 * class indexes): the classes are the model's, whether or not every one
 * occurs in the labels (scikit-learn's labels=). */
static mg_status multiclass_from_model(build_ctx *b, mg__labelset *labels, int32_t *yc,
                                       const model_classes *mc, mg_targets *out, mg_error *err) {
    const mg_table *t = b->t;
    int64_t n = t->nrows;
    int k = mc->k;
    bool probs = b->info->kind == MG_OUTPUT_CLASS_PROBS;
    int *map = mg__malloc_array((size_t)(labels->n > 0 ? labels->n : 1), sizeof *map);
    int *perm = mg__malloc_array((size_t)k, sizeof *perm);
    mg__labelset cls = {0};
    mg_status st = MG_OK;
    if (map == NULL || perm == NULL) {
        st = mg__nomem(err, "classes");
        goto done;
    }
    st = labels_to_classes(t, b->model, b->label, labels, mc, b->spec->names, map, err);
    if (st != MG_OK)
        goto done;
    cls.numeric = true;
    for (int c = 0; c < k && st == MG_OK; c++) {
        char buf[32];
        const char *text = class_text(labels, map, mc, b->label->type, c, buf, sizeof buf);
        double num = NAN;
        if (mg_parse_double(text, strlen(text), &num) != 0)
            cls.numeric = false;
        int at = mg__labelset_add(&cls, text, num);
        if (at != c) /* two of the model's classes with one text */
            st = at < 0 ? mg__nomem(err, "classes")
                        : mg__fail(err, MG_ERR_DATA, "%s: model %s names class '%s' twice",
                                   t->source, mg_model_source(b->model), text);
    }
    if (st != MG_OK)
        goto done;
    /* Sort the classes like scikit-learn's unique_labels: perm[model c] = position. */
    if (mg__labelset_sort(&cls, perm) != 0) {
        st = mg__nomem(err, "classes");
        goto done;
    }
    for (int64_t i = 0; i < n; i++)
        yc[i] = perm[map[yc[i]]];
    if (probs) {
        out->proba = mg__malloc_array((size_t)(n > 0 ? n : 1) * (size_t)k, sizeof(double));
        if (out->proba == NULL) {
            st = mg__nomem(err, "class probabilities");
            goto done;
        }
        for (int64_t i = 0; i < n && st == MG_OK; i++) {
            for (int c = 0; c < k; c++) {
                double v = b->outputs[i * k + c];
                if (!(v >= 0 && v <= 1)) {
                    st = check_probability(t, b->model, b->spec->names, i, v, err);
                    break;
                }
                out->proba[i * k + perm[c]] = v;
            }
            int best = 0;
            for (int c = 1; c < k && st == MG_OK; c++)
                if (out->proba[i * k + c] > out->proba[i * k + best])
                    best = c;
            out->pred[i] = best;
        }
    } else {
        for (int64_t i = 0; i < n; i++) {
            double v = b->outputs[i];
            if (!(v >= 0 && v < k) || v != floor(v)) {
                char num[40];
                mg_format_double(v, num, sizeof num);
                st = mg__fail(err, MG_ERR_DATA,
                              "%s: row %lld: model %s predicted class %s, not one of its %d "
                              "classes",
                              t->source, (long long)i + 1, mg_model_source(b->model), num, k);
                break;
            }
            out->pred[i] = perm[(int)v];
        }
    }
    if (st != MG_OK)
        goto done;
    out->nclasses = k;
    out->class_labels = cls.text;
    cls.text = NULL;
    cls.n = 0;
    out->yc = yc;
done:
    mg__labelset_release(&cls);
    free(perm);
    free(map);
    return st;
}

static mg_status build_multiclass(build_ctx *b, mg__labelset *labels, int32_t *yc, mg_targets *out,
                                  mg_error *err) {
    const mg_table *t = b->t;
    int64_t n = t->nrows;
    const mg_model_info *info = b->info;
    int32_t *pred = mg__malloc_array((size_t)(n > 0 ? n : 1), sizeof *pred);
    if (pred == NULL)
        return mg__nomem(err, "predicted classes");
    out->pred = pred;
    MG_TRY(sort_labels(labels, yc, n, err));
    model_classes mc;
    MG_TRY(resolve_classes(t, b->model, info, b->spec, &mc, err));
    if (mc.k > 0 && (info->kind == MG_OUTPUT_CLASS_PROBS || info->kind == MG_OUTPUT_CLASS))
        return multiclass_from_model(b, labels, yc, &mc, out, err);
    if (info->kind == MG_OUTPUT_PROBABILITY)
        return mg__fail(err, MG_ERR_DATA,
                        "%s: model %s gives one probability per row (a binary model); column "
                        "'%s' has %d labels",
                        t->source, mg_model_source(b->model), b->label->name, labels->n);
    /* Predicted classes (a column): as text, added to the label set. */
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
        int c = mg__labelset_add(labels, text, num);
        if (c < 0)
            return mg__nomem(err, "classes");
        pred[i] = c;
    }
    /* Sort classes like scikit-learn's unique_labels and renumber. */
    int *perm = mg__malloc((size_t)(labels->n > 0 ? labels->n : 1) * sizeof *perm);
    if (perm == NULL)
        return mg__nomem(err, "classes");
    if (mg__labelset_sort(labels, perm) != 0) {
        free(perm);
        return mg__nomem(err, "classes");
    }
    for (int64_t i = 0; i < n; i++) {
        yc[i] = perm[yc[i]];
        pred[i] = perm[pred[i]];
    }
    free(perm);
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
                        mg_model_source(b->model), b->info->noutputs);
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
        snprintf(why, cap, "label column '%s' holds integers and the %s fractional",
                 label->name,
                 info->noutput_columns > 0 ? "scores are" : "model's outputs are");
        return MG_TASK_AUTO;
    }
    snprintf(why, cap, "label column '%s' and the predictions hold integer classes", label->name);
    return MG_TASK_AUTO;
}

/* Text predictions against numeric labels: a score column that read as text
 * (a word among the numbers) is refused at its first missing or non-numeric
 * cell, rather than taken as class names that match no label. */
static mg_status check_text_scores(const mg_table *t, const mg_column *pred,
                                   const mg_column *label, mg_error *err) {
    if (pred->type != MG_TYPE_STR || (label->type != MG_TYPE_I64 && label->type != MG_TYPE_F64))
        return MG_OK;
    int64_t i = 0;
    for (; i < pred->nrows; i++) {
        if (mg_column_is_null(pred, i))
            return mg__fail(err, MG_ERR_DATA, "%s: row %lld, column '%s': score is missing",
                            t->source, (long long)i + 1, pred->name);
        const char *s = pred->dict[pred->codes[i]];
        double v;
        if (mg_parse_double(s, strlen(s), &v) != 0 || isnan(v))
            break;
    }
    if (i == pred->nrows)
        i = 0;
    const char *s = pred->dict[pred->codes[i]];
    return mg__fail(err, MG_ERR_DATA,
                    "%s: row %lld, column '%s': '%.40s%s' is not a number; expected scores or "
                    "numeric classes, as the labels in column '%s' are numbers",
                    t->source, (long long)i + 1, pred->name, s, strlen(s) > 40 ? "..." : "",
                    label->name);
}

/* "; did you mean 'x'?" for a column name close to `name`, else the
 * table's first columns ("; columns: a, b, c"), for a missing-column message. */
static void column_hint(const mg_table *t, const char *name, char *buf, size_t cap) {
    const char *names[64];
    int n = t->ncols < 64 ? t->ncols : 64;
    for (int c = 0; c < n; c++)
        names[c] = t->cols[c].name;
    const char *near = mg_closest_name(name, names, n);
    if (near != NULL) {
        snprintf(buf, cap, "; did you mean '%s'?", near);
        return;
    }
    size_t used = (size_t)snprintf(buf, cap, "; columns:");
    for (int c = 0; c < n && used < cap; c++)
        used += (size_t)snprintf(buf + used, cap - used, "%s %s", c ? "," : "", names[c]);
    if (t->ncols > n && used < cap)
        snprintf(buf + used, cap - used, ", ...");
}

static mg_status build(const mg_table *table, mg_model *model, const mg_eval_spec *spec,
                       bool borrow, mg_targets *out, mg_error *err);

mg_status mg_targets_build(const mg_table *table, mg_model *model, const mg_eval_spec *spec,
                           mg_targets *out, mg_error *err) {
    return build(table, model, spec, false, out, err);
}

mg_status mg__targets_build_borrowing(const mg_table *table, mg_model *model,
                                      const mg_eval_spec *spec, mg_targets *out, mg_error *err) {
    return build(table, model, spec, true, out, err);
}

/* Whether the predictions of `model` are exactly column c's doubles, as
 * mg_model_predict_table would copy them: stored predictions in one float
 * column without nulls. */
static bool outputs_are_column(const mg_model *model, const mg_model_info *info,
                               const mg_column *c) {
    return !mg_model_can(model, MG_MODEL_CAN_PREDICT) && info->noutput_columns == 1 &&
           c != NULL && c->type == MG_TYPE_F64 && c->f64 != NULL && c->valid == NULL;
}

static mg_status build(const mg_table *table, mg_model *model, const mg_eval_spec *spec,
                       bool borrow, mg_targets *out, mg_error *err) {
    memset(out, 0, sizeof *out);
    const char *label_name = spec->label ? spec->label : "label";
    const mg_column *label = mg_table_column(table, label_name);
    if (label == NULL) {
        char hint[400];
        column_hint(table, label_name, hint, sizeof hint);
        return mg__fail(err, MG_ERR_DATA, "%s: no label column '%s'%s%s", table->source,
                        label_name, spec->label ? "" : " (name it with --label)", hint);
    }
    const mg_model_info *minfo = mg_model_describe(model);
    for (int c = 0; c < minfo->noutput_columns; c++)
        if (strcmp(minfo->output_columns[c], label_name) == 0)
            return mg__fail(err, MG_ERR_DATA,
                            "%s: column '%s' is the label; it cannot also hold the model's "
                            "predictions",
                            table->source, label_name);
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
                            table->source, b.info->output_columns[0], mg_model_source(model));
        MG_TRY(check_text_scores(table, b.pred_col, label, err));
    }
    mg_status st = MG_OK;
    if (borrow && outputs_are_column(model, b.info, b.pred_col)) {
        b.outputs = b.pred_col->f64; /* read only; the score if taken over */
        b.borrowed = true;
    } else if (b.pred_col == NULL || b.pred_col->type != MG_TYPE_STR) {
        st = mg_model_predict_table(model, table, &roles, &b.outputs, err);
    }
    mg__labelset labels = {0};
    int32_t *yc = NULL;
    if (st == MG_OK)
        st = load_weights(table, spec, out, err);
    if (st != MG_OK)
        goto done;

    mg_task task = spec->task;
    if (task == MG_TASK_AUTO)
        task = infer_task(&b, out->task_reason, sizeof out->task_reason);
    else
        snprintf(out->task_reason, sizeof out->task_reason, "given with %s",
                 MG_INPUT_NAME(spec->names, task, "--task"));
    if (task == MG_TASK_REGRESSION) {
        st = build_regression(&b, out, err);
    } else {
        yc = mg__malloc_array((size_t)table->nrows, sizeof *yc);
        if (yc == NULL) {
            st = mg__nomem(err, "label classes");
            goto done;
        }
        labels.numeric = label->type != MG_TYPE_STR && label->type != MG_TYPE_BOOL;
        st = mg__label_map_rows(table, label, &labels, yc, "label", err);
        if (st == MG_OK && task == MG_TASK_AUTO) {
            bool fractional = b.outputs != NULL && b.info->kind == MG_OUTPUT_UNKNOWN &&
                              !outputs_integral(b.outputs, table->nrows);
            if (labels.n <= 2 || (fractional && b.info->kind != MG_OUTPUT_CLASS))
                task = labels.n <= 2 ? MG_TASK_BINARY : MG_TASK_REGRESSION;
            else
                task = MG_TASK_MULTICLASS;
            size_t len = strlen(out->task_reason);
            snprintf(out->task_reason + len, sizeof out->task_reason - len,
                     "; the labels have %d distinct value%s", labels.n,
                     labels.n == 1 ? "" : "s");
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
    mg__labelset_release(&labels);
    if (!b.borrowed)
        free(b.outputs);
    if (st != MG_OK)
        mg_targets_release(out);
    return st;
}
