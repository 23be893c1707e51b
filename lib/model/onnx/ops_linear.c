/* ops_linear.c - the linear and preprocessing ONNX-ML operators:
 * LinearClassifier, LinearRegressor, Scaler, Normalizer, Imputer, Binarizer.
 * Binary-class and post-transform rules follow ONNX Runtime. */
#include "model/onnx/onnx.h"

#include <math.h>

static mg_status numeric_matrix(const ox_node *n, const ox_tensor *x, int64_t *rows, int64_t *cols,
                                mg_error *err) {
    MG_TRY(ox__as_matrix(n, x, rows, cols, err));
    if (x->s != NULL)
        return ox__node_fail(err, n, MG_ERR_DATA, "takes numbers, got strings");
    return MG_OK;
}

/* ---- LinearClassifier / LinearRegressor ------------------------------------------------ */

typedef struct linear {
    int pt;
    int64_t k; /* coefficient rows */
    const double *coef;
    int64_t ncoef;
    const double *icpt;
    int64_t nicpt;
    bool add_second; /* one row of coefficients, two classes */
} linear;

static void free_impl(void *p) {
    free(p);
}

static mg_status linear_prep(ox_node *n, mg_error *err) {
    bool cls = strcmp(n->op_type, "LinearClassifier") == 0;
    linear *l = mg__calloc(1, sizeof *l);
    if (l == NULL)
        return mg__nomem(err, "a linear model");
    n->impl = l;
    MG_TRY(ox__post_transform(n, &l->pt, err));
    l->coef = ox__attr_floats(n, "coefficients", &l->ncoef);
    l->icpt = ox__attr_floats(n, "intercepts", &l->nicpt);
    if (l->ncoef == 0)
        return ox__node_fail(err, n, MG_ERR_FORMAT, "has no coefficients");
    if (cls) {
        const ox_attr *ls = ox__attr(n, "classlabels_strings");
        const ox_attr *li = ox__attr(n, "classlabels_ints");
        int64_t nl = ls && ls->nstrings ? ls->nstrings : li ? li->nints : 0;
        if (nl == 0)
            return ox__node_fail(err, n, MG_ERR_FORMAT,
                                 "needs classlabels_strings or classlabels_ints");
        l->k = l->nicpt;
        if (l->k < 1)
            return ox__node_fail(err, n, MG_ERR_FORMAT, "has no intercepts");
        if (l->k != nl && !(l->k == 1 && nl == 2))
            return ox__node_fail(err, n, MG_ERR_FORMAT,
                                 "has %lld intercepts for %lld class labels", (long long)l->k,
                                 (long long)nl);
        l->add_second = l->k == 1 && nl == 2;
    } else {
        l->k = ox__attr_int(n, "targets", 1);
        if (l->k < 1 || l->k > 100000)
            return ox__node_fail(err, n, MG_ERR_FORMAT, "targets %lld", (long long)l->k);
        if (l->nicpt != 0 && l->nicpt != l->k)
            return ox__node_fail(err, n, MG_ERR_FORMAT, "has %lld intercepts for %lld targets",
                                 (long long)l->nicpt, (long long)l->k);
    }
    if (l->ncoef % l->k != 0)
        return ox__node_fail(err, n, MG_ERR_FORMAT,
                             "%lld coefficients do not split into %lld rows", (long long)l->ncoef,
                             (long long)l->k);
    return MG_OK;
}

static mg_status linear_run(const ox_node *n, const ox_tensor *const *in, ox_tensor **out,
                            mg_error *err) {
    const linear *l = n->impl;
    bool cls = strcmp(n->op_type, "LinearClassifier") == 0;
    int64_t rows, cols;
    MG_TRY(numeric_matrix(n, in[0], &rows, &cols, err));
    if (cols * l->k != l->ncoef)
        return ox__node_fail(err, n, MG_ERR_DATA,
                             "input has %lld columns but the coefficients expect %lld",
                             (long long)cols, (long long)(l->ncoef / l->k));
    int64_t zk = l->add_second ? 2 : l->k;
    int64_t dz[2] = {rows, zk};
    ox_tensor ztmp, *z = cls ? out[1] : out[0];
    if (z == NULL)
        z = &ztmp;
    MG_TRY(ox__tensor_alloc(z, OX_FLOAT, 2, dz, err));
    mg_status st = MG_OK;
    ox_tensor *lab = cls ? out[0] : NULL;
    const ox_attr *ls = cls ? ox__attr(n, "classlabels_strings") : NULL;
    const ox_attr *li = cls ? ox__attr(n, "classlabels_ints") : NULL;
    bool strs = ls != NULL && ls->nstrings > 0;
    if (lab != NULL)
        st = ox__tensor_alloc(lab, strs ? OX_STRING : OX_INT64, 1, &rows, err);
    for (int64_t r = 0; st == MG_OK && r < rows; r++) {
        double *zr = z->f + r * zk;
        for (int64_t j = 0; j < l->k; j++) {
            double acc = l->nicpt ? l->icpt[j] : 0;
            for (int64_t c = 0; c < cols; c++)
                acc += ox__num(in[0], r * cols + c) * l->coef[j * cols + c];
            zr[j] = (double)(float)acc;
        }
        int64_t best = 0;
        if (l->k == 1) {
            best = zr[0] > 0 ? 1 : 0;
        } else {
            for (int64_t j = 1; j < l->k; j++)
                if (zr[j] > zr[best])
                    best = j;
        }
        if (lab != NULL) {
            if (strs) {
                const char *name = l->k == 1 ? (ls->nstrings == 2 ? ls->strings[best]
                                                                  : best ? "1" : "0")
                                             : ls->strings[best];
                if ((lab->s[r] = mg__strdup(name)) == NULL)
                    st = mg__nomem(err, "labels");
            } else {
                lab->i[r] = l->k == 1 ? (li && li->nints == 2 ? li->ints[best] : best)
                                      : li->ints[best];
            }
        }
        if (l->k > 1) {
            ox__apply_transform(zr, l->k, l->pt);
        } else if (l->pt == OX_PT_PROBIT) {
            zr[0] = ox__probit(zr[0]);
        } else if (l->add_second) {
            double s = zr[0];
            zr[0] = 1 - s;
            zr[1] = s;
        }
    }
    if (z == &ztmp)
        ox__tensor_release(&ztmp);
    return st;
}

/* ---- Scaler, Normalizer, Imputer, Binarizer ---------------------------------------------- */

static mg_status noimpl_prep(ox_node *n, mg_error *err) {
    MG_UNUSED(n);
    MG_UNUSED(err);
    return MG_OK;
}

static mg_status scaler_run(const ox_node *n, const ox_tensor *const *in, ox_tensor **out,
                            mg_error *err) {
    int64_t rows, cols, no, ns;
    MG_TRY(numeric_matrix(n, in[0], &rows, &cols, err));
    const double *off = ox__attr_floats(n, "offset", &no);
    const double *scale = ox__attr_floats(n, "scale", &ns);
    if ((no != 1 && no != cols) || (ns != 1 && ns != cols))
        return ox__node_fail(err, n, MG_ERR_DATA,
                             "offset (%lld) and scale (%lld) must have 1 or %lld values",
                             (long long)no, (long long)ns, (long long)cols);
    MG_TRY(ox__tensor_alloc(out[0], OX_FLOAT, in[0]->rank, in[0]->dims, err));
    for (int64_t r = 0; r < rows; r++)
        for (int64_t c = 0; c < cols; c++)
            out[0]->f[r * cols + c] = (ox__num(in[0], r * cols + c) - off[no == 1 ? 0 : c]) *
                                      scale[ns == 1 ? 0 : c];
    return MG_OK;
}

static mg_status normalizer_prep(ox_node *n, mg_error *err) {
    const char *norm = ox__attr_string(n, "norm", "MAX");
    if (strcmp(norm, "MAX") != 0 && strcmp(norm, "L1") != 0 && strcmp(norm, "L2") != 0)
        return ox__node_fail(err, n, MG_ERR_FORMAT, "norm '%s' is not one of MAX, L1, L2", norm);
    return MG_OK;
}

static mg_status normalizer_run(const ox_node *n, const ox_tensor *const *in, ox_tensor **out,
                                mg_error *err) {
    int64_t rows, cols;
    MG_TRY(numeric_matrix(n, in[0], &rows, &cols, err));
    const char *norm = ox__attr_string(n, "norm", "MAX");
    MG_TRY(ox__tensor_alloc(out[0], OX_FLOAT, in[0]->rank, in[0]->dims, err));
    for (int64_t r = 0; r < rows; r++) {
        double *y = out[0]->f + r * cols;
        for (int64_t c = 0; c < cols; c++)
            y[c] = (double)(float)ox__num(in[0], r * cols + c);
        double d = 0;
        if (norm[0] == 'M') {
            d = -INFINITY;
            for (int64_t c = 0; c < cols; c++)
                d = y[c] > d ? y[c] : d;
        } else if (norm[1] == '1') {
            for (int64_t c = 0; c < cols; c++)
                d += fabs(y[c]);
        } else {
            for (int64_t c = 0; c < cols; c++)
                d += y[c] * y[c];
            d = sqrt(d);
        }
        if (d != 0 && cols > 0)
            for (int64_t c = 0; c < cols; c++)
                y[c] /= d;
    }
    return MG_OK;
}

static mg_status imputer_run(const ox_node *n, const ox_tensor *const *in, ox_tensor **out,
                             mg_error *err) {
    int64_t rows, cols;
    MG_TRY(numeric_matrix(n, in[0], &rows, &cols, err));
    MG_TRY(ox__tensor_copy(out[0], in[0], err));
    if (in[0]->f != NULL) {
        int64_t nv;
        const double *v = ox__attr_floats(n, "imputed_value_floats", &nv);
        double rep = ox__attr_float(n, "replaced_value_float", 0);
        if (nv != 1 && nv != cols)
            return ox__node_fail(err, n, MG_ERR_DATA,
                                 "imputed_value_floats has %lld values for %lld columns",
                                 (long long)nv, (long long)cols);
        for (int64_t r = 0; r < rows; r++)
            for (int64_t c = 0; c < cols; c++) {
                double *y = &out[0]->f[r * cols + c];
                if (isnan(rep) ? isnan(*y) : *y == rep)
                    *y = v[nv == 1 ? 0 : c];
            }
    } else {
        const ox_attr *a = ox__attr(n, "imputed_value_int64s");
        int64_t rep = ox__attr_int(n, "replaced_value_int64", 0);
        int64_t nv = a ? a->nints : 0;
        if (nv != 1 && nv != cols)
            return ox__node_fail(err, n, MG_ERR_DATA,
                                 "imputed_value_int64s has %lld values for %lld columns",
                                 (long long)nv, (long long)cols);
        for (int64_t r = 0; r < rows; r++)
            for (int64_t c = 0; c < cols; c++)
                if (out[0]->i[r * cols + c] == rep)
                    out[0]->i[r * cols + c] = a->ints[nv == 1 ? 0 : c];
    }
    return MG_OK;
}

static mg_status binarizer_run(const ox_node *n, const ox_tensor *const *in, ox_tensor **out,
                               mg_error *err) {
    if (in[0]->f == NULL)
        return ox__node_fail(err, n, MG_ERR_DATA, "takes float or double, got %s",
                             ox__type_name(in[0]->dtype));
    double thr = ox__attr_float(n, "threshold", 0);
    MG_TRY(ox__tensor_alloc(out[0], in[0]->dtype, in[0]->rank, in[0]->dims, err));
    for (int64_t k = 0; k < in[0]->n; k++) {
        double x = in[0]->f[k];
        out[0]->f[k] = isnan(x) ? x : x > thr ? 1 : 0;
    }
    return MG_OK;
}

const ox_op ox__ops_linear[] = {
    {"ai.onnx.ml", "LinearClassifier", 1, 1, 1, 2, linear_prep, linear_run, free_impl},
    {"ai.onnx.ml", "LinearRegressor", 1, 1, 1, 1, linear_prep, linear_run, free_impl},
    {"ai.onnx.ml", "Scaler", 1, 1, 1, 1, noimpl_prep, scaler_run, NULL},
    {"ai.onnx.ml", "Normalizer", 1, 1, 1, 1, normalizer_prep, normalizer_run, NULL},
    {"ai.onnx.ml", "Imputer", 1, 1, 1, 1, noimpl_prep, imputer_run, NULL},
    {"ai.onnx.ml", "Binarizer", 1, 1, 1, 1, noimpl_prep, binarizer_run, NULL},
    {NULL, NULL, 0, 0, 0, 0, NULL, NULL, NULL},
};
