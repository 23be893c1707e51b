/* ops_encode.c - categorical operators: ZipMap, OneHotEncoder, LabelEncoder.
 * ZipMap's sequence of maps is kept as the [N, k] float tensor it was built
 * from (its keys are the classifier's classes, which the model already names). */
#include "model/onnx/onnx.h"

#include <math.h>

static mg_status no_prep(ox_node *n, mg_error *err) {
    MG_UNUSED(n);
    MG_UNUSED(err);
    return MG_OK;
}

static mg_status zipmap_prep(ox_node *n, mg_error *err) {
    const ox_attr *ls = ox__attr(n, "classlabels_strings");
    const ox_attr *li = ox__attr(n, "classlabels_int64s");
    if ((ls == NULL || ls->nstrings == 0) == (li == NULL || li->nints == 0))
        return ox__node_fail(err, n, MG_ERR_FORMAT,
                             "needs exactly one of classlabels_strings and classlabels_int64s");
    return MG_OK;
}

static mg_status zipmap_run(const ox_node *n, const ox_tensor *const *in, ox_tensor **out,
                            mg_error *err) {
    const ox_tensor *x = in[0];
    const ox_attr *ls = ox__attr(n, "classlabels_strings");
    const ox_attr *li = ox__attr(n, "classlabels_int64s");
    int64_t k = ls && ls->nstrings ? ls->nstrings : li->nints;
    if (x->f == NULL || x->rank != 2 || x->dims[1] != k)
        return ox__node_fail(err, n, MG_ERR_DATA, "input must be float [N, %lld]", (long long)k);
    return ox__tensor_copy(out[0], x, err);
}

static mg_status onehot_run(const ox_node *n, const ox_tensor *const *in, ox_tensor **out,
                            mg_error *err) {
    const ox_tensor *x = in[0];
    const ox_attr *cs = ox__attr(n, "cats_strings");
    const ox_attr *ci = ox__attr(n, "cats_int64s");
    bool strs = cs != NULL && cs->nstrings > 0;
    int64_t ncat = strs ? cs->nstrings : ci != NULL ? ci->nints : 0;
    bool zeros = ox__attr_int(n, "zeros", 1) != 0;
    if (ncat == 0)
        return ox__node_fail(err, n, MG_ERR_FORMAT, "needs cats_int64s or cats_strings");
    if (strs != (x->s != NULL))
        return ox__node_fail(err, n, MG_ERR_DATA, "input type does not match the categories");
    if (x->rank >= OX_MAX_RANK)
        return ox__node_fail(err, n, MG_ERR_DATA, "input has too many dimensions");
    int64_t dims[OX_MAX_RANK];
    for (int d = 0; d < x->rank; d++)
        dims[d] = x->dims[d];
    dims[x->rank] = ncat;
    MG_TRY(ox__tensor_alloc(out[0], OX_FLOAT, x->rank + 1, dims, err));
    for (int64_t k = 0; k < x->n; k++) {
        int64_t hit = -1;
        for (int64_t c = 0; c < ncat && hit < 0; c++) {
            if (strs)
                hit = strcmp(x->s[k] ? x->s[k] : "", cs->strings[c]) == 0 ? c : -1;
            else if (x->i != NULL)
                hit = x->i[k] == ci->ints[c] ? c : -1;
            else
                hit = !isnan(x->f[k]) && (int64_t)x->f[k] == ci->ints[c] ? c : -1;
        }
        if (hit < 0 && !zeros)
            return ox__node_fail(err, n, MG_ERR_DATA,
                                 "value %lld is not one of its categories (zeros=0)",
                                 (long long)k);
        if (hit >= 0)
            out[0]->f[k * ncat + hit] = 1;
    }
    return MG_OK;
}

/* LabelEncoder (ai.onnx.ml 1 and 2): keys_* -> values_* with a default. */
static mg_status label_prep(ox_node *n, mg_error *err) {
    if (n->opset < 2) {
        const ox_attr *cs = ox__attr(n, "classes_strings");
        if (cs == NULL || cs->nstrings == 0)
            return ox__node_fail(err, n, MG_ERR_FORMAT, "needs classes_strings");
        return MG_OK;
    }
    if (ox__attr(n, "keys_tensor") != NULL || ox__attr(n, "values_tensor") != NULL)
        return ox__node_fail(err, n, MG_ERR_UNSUPPORTED, "keys_tensor and values_tensor are "
                             "not supported");
    const ox_attr *ks = ox__attr(n, "keys_strings"), *ki = ox__attr(n, "keys_int64s"),
                  *kf = ox__attr(n, "keys_floats");
    const ox_attr *vs = ox__attr(n, "values_strings"), *vi = ox__attr(n, "values_int64s"),
                  *vf = ox__attr(n, "values_floats");
    int64_t nk = ks ? ks->nstrings : ki ? ki->nints : kf ? kf->nfloats : -1;
    int64_t nv = vs ? vs->nstrings : vi ? vi->nints : vf ? vf->nfloats : -2;
    if ((ks != NULL) + (ki != NULL) + (kf != NULL) != 1 ||
        (vs != NULL) + (vi != NULL) + (vf != NULL) != 1 || nk != nv)
        return ox__node_fail(err, n, MG_ERR_FORMAT,
                             "needs one keys_* and one values_* attribute of the same length");
    return MG_OK;
}

static mg_status label_run(const ox_node *n, const ox_tensor *const *in, ox_tensor **out,
                           mg_error *err) {
    const ox_tensor *x = in[0];
    if (n->opset < 2) {
        /* Version 1: strings -> their index in classes_strings, int64 -> the string. */
        const ox_attr *cs = ox__attr(n, "classes_strings");
        if (x->s != NULL) {
            MG_TRY(ox__tensor_alloc(out[0], OX_INT64, x->rank, x->dims, err));
            for (int64_t k = 0; k < x->n; k++) {
                out[0]->i[k] = ox__attr_int(n, "default_int64", -1);
                for (int64_t c = 0; c < cs->nstrings; c++)
                    if (strcmp(x->s[k] ? x->s[k] : "", cs->strings[c]) == 0) {
                        out[0]->i[k] = c;
                        break;
                    }
            }
        } else if (x->i != NULL) {
            MG_TRY(ox__tensor_alloc(out[0], OX_STRING, x->rank, x->dims, err));
            const char *dflt = ox__attr_string(n, "default_string", "_Unused");
            for (int64_t k = 0; k < x->n; k++) {
                int64_t v = x->i[k];
                out[0]->s[k] = mg__strdup(v >= 0 && v < cs->nstrings ? cs->strings[v] : dflt);
                if (out[0]->s[k] == NULL)
                    return mg__nomem(err, "strings");
            }
        } else {
            return ox__node_fail(err, n, MG_ERR_DATA, "takes strings or int64");
        }
        return MG_OK;
    }
    const ox_attr *ks = ox__attr(n, "keys_strings"), *ki = ox__attr(n, "keys_int64s"),
                  *kf = ox__attr(n, "keys_floats");
    const ox_attr *vs = ox__attr(n, "values_strings"), *vi = ox__attr(n, "values_int64s"),
                  *vf = ox__attr(n, "values_floats");
    if ((ks != NULL) != (x->s != NULL) || (ki != NULL && x->i == NULL) ||
        (kf != NULL && x->f == NULL))
        return ox__node_fail(err, n, MG_ERR_DATA, "input type does not match the keys");
    int64_t nk = ks ? ks->nstrings : ki ? ki->nints : kf->nfloats;
    int otype = vs ? OX_STRING : vi ? OX_INT64 : OX_FLOAT;
    MG_TRY(ox__tensor_alloc(out[0], otype, x->rank, x->dims, err));
    const char *dstr = ox__attr_string(n, "default_string", "_Unused");
    int64_t dint = ox__attr_int(n, "default_int64", -1);
    double dflt = ox__attr_float(n, "default_float", -0.0);
    for (int64_t k = 0; k < x->n; k++) {
        int64_t hit = -1;
        for (int64_t c = 0; c < nk && hit < 0; c++) {
            if (ks)
                hit = strcmp(x->s[k] ? x->s[k] : "", ks->strings[c]) == 0 ? c : -1;
            else if (ki)
                hit = x->i[k] == ki->ints[c] ? c : -1;
            else
                hit = (double)(float)x->f[k] == kf->floats[c] ? c : -1;
        }
        if (otype == OX_STRING) {
            if ((out[0]->s[k] = mg__strdup(hit >= 0 ? vs->strings[hit] : dstr)) == NULL)
                return mg__nomem(err, "strings");
        } else if (otype == OX_INT64) {
            out[0]->i[k] = hit >= 0 ? vi->ints[hit] : dint;
        } else {
            out[0]->f[k] = hit >= 0 ? vf->floats[hit] : dflt;
        }
    }
    return MG_OK;
}

const ox_op ox__ops_encode[] = {
    {"ai.onnx.ml", "ZipMap", 1, 1, 1, 1, zipmap_prep, zipmap_run, NULL},
    {"ai.onnx.ml", "OneHotEncoder", 1, 1, 1, 1, no_prep, onehot_run, NULL},
    {"ai.onnx.ml", "LabelEncoder", 1, 1, 1, 1, label_prep, label_run, NULL},
    {NULL, NULL, 0, 0, 0, 0, NULL, NULL, NULL},
};
