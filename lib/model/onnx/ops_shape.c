/* ops_shape.c - operators that move or convert values: Flatten, Reshape,
 * Concat, Cast, ArgMax, ArrayFeatureExtractor. */
#include "model/onnx/onnx.h"

#include <math.h>

static mg_status no_prep(ox_node *n, mg_error *err) {
    MG_UNUSED(n);
    MG_UNUSED(err);
    return MG_OK;
}

static mg_status reshaped(const ox_node *n, const ox_tensor *x, int rank, const int64_t *dims,
                          ox_tensor *out, mg_error *err) {
    int64_t total = 1;
    for (int d = 0; d < rank; d++) {
        if (dims[d] > 0 && total > INT64_MAX / dims[d])
            return ox__node_fail(err, n, MG_ERR_DATA, "shape's dimensions overflow");
        total *= dims[d];
    }
    if (total != x->n)
        return ox__node_fail(err, n, MG_ERR_DATA, "cannot reshape %lld values into %lld",
                             (long long)x->n, (long long)total);
    MG_TRY(ox__tensor_copy(out, x, err));
    out->rank = rank;
    for (int d = 0; d < rank; d++)
        out->dims[d] = dims[d];
    return MG_OK;
}

static mg_status flatten_run(const ox_node *n, const ox_tensor *const *in, ox_tensor **out,
                             mg_error *err) {
    const ox_tensor *x = in[0];
    int64_t axis = ox__attr_int(n, "axis", 1);
    if (axis < 0)
        axis += x->rank;
    if (axis < 0 || axis > x->rank)
        return ox__node_fail(err, n, MG_ERR_DATA, "axis outside the input's dimensions");
    int64_t dims[2] = {1, 1};
    for (int d = 0; d < x->rank; d++)
        dims[d < axis ? 0 : 1] *= x->dims[d];
    return reshaped(n, x, 2, dims, out[0], err);
}

static mg_status reshape_run(const ox_node *n, const ox_tensor *const *in, ox_tensor **out,
                             mg_error *err) {
    const ox_tensor *x = in[0], *sh = in[1];
    if (sh == NULL || sh->i == NULL || sh->rank != 1 || sh->n > OX_MAX_RANK)
        return ox__node_fail(err, n, MG_ERR_DATA, "shape must be an int64 vector of at most 8");
    bool allowzero = ox__attr_int(n, "allowzero", 0) != 0;
    int64_t dims[OX_MAX_RANK], known = 1;
    int infer = -1;
    for (int d = 0; d < sh->n; d++) {
        int64_t v = sh->i[d];
        if (v == 0 && !allowzero) {
            if (d >= x->rank)
                return ox__node_fail(err, n, MG_ERR_DATA, "shape copies a missing dimension");
            v = x->dims[d];
        }
        if (v == -1) {
            if (infer >= 0)
                return ox__node_fail(err, n, MG_ERR_DATA, "shape has two -1");
            infer = d;
            v = 1;
        } else if (v < 0) {
            return ox__node_fail(err, n, MG_ERR_DATA, "shape has a negative dimension");
        }
        if (v > 0 && known > INT64_MAX / v)
            return ox__node_fail(err, n, MG_ERR_DATA, "shape's dimensions overflow");
        dims[d] = v;
        known *= v;
    }
    if (infer >= 0) {
        if (known == 0 || x->n % known != 0)
            return ox__node_fail(err, n, MG_ERR_DATA, "cannot infer the -1 dimension");
        dims[infer] = x->n / known;
    }
    return reshaped(n, x, (int)sh->n, dims, out[0], err);
}

static mg_status concat_run(const ox_node *n, const ox_tensor *const *in, ox_tensor **out,
                            mg_error *err) {
    const ox_tensor *x0 = in[0];
    int64_t axis = ox__attr_int(n, "axis", 1);
    if (axis < 0)
        axis += x0->rank;
    if (axis < 0 || axis >= x0->rank)
        return ox__node_fail(err, n, MG_ERR_DATA, "axis outside the inputs' dimensions");
    int64_t dims[OX_MAX_RANK];
    for (int d = 0; d < x0->rank; d++)
        dims[d] = x0->dims[d];
    dims[axis] = 0;
    for (int k = 0; k < n->ninputs; k++) {
        const ox_tensor *x = in[k];
        if (x == NULL || x->rank != x0->rank || ox__storage(x->dtype) != ox__storage(x0->dtype))
            return ox__node_fail(err, n, MG_ERR_DATA, "inputs differ in rank or type");
        for (int d = 0; d < x0->rank; d++)
            if (d != axis && x->dims[d] != x0->dims[d])
                return ox__node_fail(err, n, MG_ERR_DATA, "inputs differ in dimension %d", d);
        dims[axis] += x->dims[axis];
    }
    MG_TRY(ox__tensor_alloc(out[0], x0->dtype, x0->rank, dims, err));
    int64_t outer = 1, inner = 1;
    for (int d = 0; d < axis; d++)
        outer *= dims[d];
    for (int d = (int)axis + 1; d < x0->rank; d++)
        inner *= dims[d];
    int64_t pos = 0;
    for (int64_t o = 0; o < outer; o++)
        for (int k = 0; k < n->ninputs; k++) {
            const ox_tensor *x = in[k];
            int64_t len = x->dims[axis] * inner;
            for (int64_t j = 0; j < len; j++, pos++) {
                int64_t src = o * len + j;
                if (x->f != NULL)
                    out[0]->f[pos] = x->f[src];
                else if (x->i != NULL)
                    out[0]->i[pos] = x->i[src];
                else if ((out[0]->s[pos] = mg__strdup(x->s[src] ? x->s[src] : "")) == NULL)
                    return mg__nomem(err, "strings");
            }
        }
    return MG_OK;
}

static mg_status cast_prep(ox_node *n, mg_error *err) {
    int64_t to = ox__attr_int(n, "to", 0);
    if (ox__storage((int)to) == 0)
        return ox__node_fail(err, n, MG_ERR_UNSUPPORTED, "cast to type %lld is not supported",
                             (long long)to);
    return MG_OK;
}

static mg_status cast_run(const ox_node *n, const ox_tensor *const *in, ox_tensor **out,
                          mg_error *err) {
    const ox_tensor *x = in[0];
    int to = (int)ox__attr_int(n, "to", 0);
    char sc = ox__storage(to);
    MG_TRY(ox__tensor_alloc(out[0], to, x->rank, x->dims, err));
    for (int64_t k = 0; k < x->n; k++) {
        if (sc == 'f') {
            if (x->s != NULL) {
                char *end;
                double v = strtod(x->s[k] ? x->s[k] : "", &end);
                if (end == x->s[k] || *end != '\0')
                    return ox__node_fail(err, n, MG_ERR_DATA, "cannot cast '%s' to a number",
                                         x->s[k] ? x->s[k] : "");
                out[0]->f[k] = v;
            } else {
                out[0]->f[k] = ox__num(x, k);
            }
        } else if (sc == 'i') {
            if (x->f != NULL) {
                double v = x->f[k];
                if (!isfinite(v) || fabs(v) >= 9.2e18)
                    return ox__node_fail(err, n, MG_ERR_DATA, "cannot cast %g to an integer", v);
                out[0]->i[k] = to == OX_BOOL ? v != 0 : (int64_t)v;
            } else if (x->i != NULL) {
                out[0]->i[k] = to == OX_BOOL ? x->i[k] != 0 : x->i[k];
            } else {
                return ox__node_fail(err, n, MG_ERR_UNSUPPORTED, "cast of strings to integers");
            }
        } else {
            if (x->s != NULL) {
                out[0]->s[k] = mg__strdup(x->s[k] ? x->s[k] : "");
            } else if (x->i != NULL) {
                char buf[32];
                snprintf(buf, sizeof buf, "%lld", (long long)x->i[k]);
                out[0]->s[k] = mg__strdup(buf);
            } else {
                return ox__node_fail(err, n, MG_ERR_UNSUPPORTED,
                                     "cast of floating-point numbers to strings");
            }
            if (out[0]->s[k] == NULL)
                return mg__nomem(err, "strings");
        }
    }
    return MG_OK;
}

static mg_status argmax_run(const ox_node *n, const ox_tensor *const *in, ox_tensor **out,
                            mg_error *err) {
    const ox_tensor *x = in[0];
    if (x->f == NULL && x->i == NULL)
        return ox__node_fail(err, n, MG_ERR_DATA, "takes numbers");
    int64_t axis = ox__attr_int(n, "axis", 0);
    bool keep = ox__attr_int(n, "keepdims", 1) != 0;
    bool last = ox__attr_int(n, "select_last_index", 0) != 0;
    if (axis < 0)
        axis += x->rank;
    if (axis < 0 || axis >= x->rank)
        return ox__node_fail(err, n, MG_ERR_DATA, "axis outside the input's dimensions");
    int64_t dims[OX_MAX_RANK];
    int rank = 0;
    int64_t outer = 1, mid = x->dims[axis], inner = 1;
    for (int d = 0; d < x->rank; d++) {
        if (d < axis)
            outer *= x->dims[d];
        if (d > axis)
            inner *= x->dims[d];
        if (d != axis)
            dims[rank++] = x->dims[d];
        else if (keep)
            dims[rank++] = 1;
    }
    if (mid == 0)
        return ox__node_fail(err, n, MG_ERR_DATA, "ArgMax over an empty axis");
    MG_TRY(ox__tensor_alloc(out[0], OX_INT64, rank, dims, err));
    for (int64_t o = 0; o < outer; o++)
        for (int64_t i = 0; i < inner; i++) {
            int64_t best = 0;
            double bv = ox__num(x, (o * mid) * inner + i);
            for (int64_t m = 1; m < mid; m++) {
                double v = ox__num(x, (o * mid + m) * inner + i);
                if (v > bv || (last && v == bv)) {
                    bv = v;
                    best = m;
                }
            }
            out[0]->i[o * inner + i] = best;
        }
    return MG_OK;
}

static mg_status afe_run(const ox_node *n, const ox_tensor *const *in, ox_tensor **out,
                         mg_error *err) {
    const ox_tensor *x = in[0], *y = in[1];
    if (y == NULL || y->i == NULL)
        return ox__node_fail(err, n, MG_ERR_DATA, "indices must be int64");
    if (x->rank < 1)
        return ox__node_fail(err, n, MG_ERR_DATA, "input must have at least one dimension");
    int64_t last = x->dims[x->rank - 1], outer = last > 0 ? x->n / last : 0;
    int64_t dims[OX_MAX_RANK];
    int rank = x->rank;
    for (int d = 0; d < rank; d++)
        dims[d] = x->dims[d];
    dims[rank - 1] = y->n;
    if (rank == 1) {
        rank = 2;
        dims[0] = 1;
        dims[1] = y->n;
        outer = 1;
    }
    for (int64_t j = 0; j < y->n; j++)
        if (y->i[j] < 0 || y->i[j] >= last)
            return ox__node_fail(err, n, MG_ERR_DATA, "index %lld is outside 0..%lld",
                                 (long long)y->i[j], (long long)last - 1);
    MG_TRY(ox__tensor_alloc(out[0], x->dtype, rank, dims, err));
    for (int64_t o = 0; o < outer; o++)
        for (int64_t j = 0; j < y->n; j++) {
            int64_t src = o * last + y->i[j], dst = o * y->n + j;
            if (x->f != NULL)
                out[0]->f[dst] = x->f[src];
            else if (x->i != NULL)
                out[0]->i[dst] = x->i[src];
            else if ((out[0]->s[dst] = mg__strdup(x->s[src] ? x->s[src] : "")) == NULL)
                return mg__nomem(err, "strings");
        }
    return MG_OK;
}

const ox_op ox__ops_shape[] = {
    {"", "Flatten", 1, 1, 1, 1, no_prep, flatten_run, NULL},
    {"", "Reshape", 2, 2, 1, 1, no_prep, reshape_run, NULL},
    {"", "Concat", 1, 64, 1, 1, no_prep, concat_run, NULL},
    {"", "Cast", 1, 1, 1, 1, cast_prep, cast_run, NULL},
    {"", "ArgMax", 1, 1, 1, 1, no_prep, argmax_run, NULL},
    {"ai.onnx.ml", "ArrayFeatureExtractor", 2, 2, 1, 1, no_prep, afe_run, NULL},
    {NULL, NULL, 0, 0, 0, 0, NULL, NULL, NULL},
};
