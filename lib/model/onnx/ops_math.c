/* ops_math.c - the ai.onnx operators of small MLPs: Gemm, MatMul, Add, Sub,
 * Mul, Div (numpy broadcasting), Relu, Sigmoid, Tanh, Softmax, Clip, Identity. */
#include "model/onnx/onnx.h"

#include <math.h>

static mg_status no_prep(ox_node *n, mg_error *err) {
    MG_UNUSED(n);
    MG_UNUSED(err);
    return MG_OK;
}

static mg_status need_numbers(const ox_node *n, const ox_tensor *t, mg_error *err) {
    if (t == NULL)
        return ox__node_fail(err, n, MG_ERR_FORMAT, "a required input is empty");
    if (t->f == NULL && t->i == NULL)
        return ox__node_fail(err, n, MG_ERR_DATA, "takes numbers, got strings");
    return MG_OK;
}

/* ---- Gemm, MatMul -------------------------------------------------------------------- */

static mg_status gemm_run(const ox_node *n, const ox_tensor *const *in, ox_tensor **out,
                          mg_error *err) {
    const ox_tensor *a = in[0], *b = in[1], *c = n->ninputs > 2 ? in[2] : NULL;
    MG_TRY(need_numbers(n, a, err));
    MG_TRY(need_numbers(n, b, err));
    if (a->rank != 2 || b->rank != 2)
        return ox__node_fail(err, n, MG_ERR_DATA, "takes 2-dimensional A and B");
    double alpha = ox__attr_float(n, "alpha", 1), beta = ox__attr_float(n, "beta", 1);
    bool ta = ox__attr_int(n, "transA", 0) != 0, tb = ox__attr_int(n, "transB", 0) != 0;
    int64_t m = ta ? a->dims[1] : a->dims[0], ka = ta ? a->dims[0] : a->dims[1];
    int64_t kb = tb ? b->dims[1] : b->dims[0], nn = tb ? b->dims[0] : b->dims[1];
    if (ka != kb)
        return ox__node_fail(err, n, MG_ERR_DATA, "A is %lldx%lld but B is %lldx%lld",
                             (long long)m, (long long)ka, (long long)kb, (long long)nn);
    if (c != NULL) {
        MG_TRY(need_numbers(n, c, err));
        int64_t cr = c->rank == 2 ? c->dims[0] : 1, cc = c->rank >= 1 ? c->dims[c->rank - 1] : 1;
        if (c->rank > 2 || (cr != 1 && cr != m) || (cc != 1 && cc != nn))
            return ox__node_fail(err, n, MG_ERR_DATA, "C does not broadcast to %lldx%lld",
                                 (long long)m, (long long)nn);
    }
    int64_t dims[2] = {m, nn};
    MG_TRY(ox__tensor_alloc(out[0], a->dtype == OX_DOUBLE ? OX_DOUBLE : OX_FLOAT, 2, dims, err));
    for (int64_t i = 0; i < m; i++)
        for (int64_t j = 0; j < nn; j++) {
            double acc = 0;
            for (int64_t k = 0; k < ka; k++)
                acc += ox__num(a, ta ? k * a->dims[1] + i : i * a->dims[1] + k) *
                       ox__num(b, tb ? j * b->dims[1] + k : k * b->dims[1] + j);
            double v = alpha * acc;
            if (c != NULL) {
                int64_t cr = c->rank == 2 ? c->dims[0] : 1,
                        cc = c->rank >= 1 ? c->dims[c->rank - 1] : 1;
                v += beta * ox__num(c, (cr == 1 ? 0 : i) * cc + (cc == 1 ? 0 : j));
            }
            out[0]->f[i * nn + j] = v;
        }
    return MG_OK;
}

static mg_status matmul_run(const ox_node *n, const ox_tensor *const *in, ox_tensor **out,
                            mg_error *err) {
    const ox_tensor *a = in[0], *b = in[1];
    MG_TRY(need_numbers(n, a, err));
    MG_TRY(need_numbers(n, b, err));
    if (a->rank != 2 || (b->rank != 2 && b->rank != 1))
        return ox__node_fail(err, n, MG_ERR_DATA,
                             "modelgate runs MatMul of a 2-dimensional A by a 1- or "
                             "2-dimensional B (got ranks %d and %d)",
                             a->rank, b->rank);
    int64_t m = a->dims[0], k = a->dims[1], kb = b->dims[0], nn = b->rank == 2 ? b->dims[1] : 1;
    if (k != kb)
        return ox__node_fail(err, n, MG_ERR_DATA, "A has %lld columns but B has %lld rows",
                             (long long)k, (long long)kb);
    int64_t dims[2] = {m, nn};
    MG_TRY(ox__tensor_alloc(out[0], a->dtype == OX_DOUBLE ? OX_DOUBLE : a->dtype, b->rank, dims,
                            err));
    if (out[0]->f == NULL)
        return ox__node_fail(err, n, MG_ERR_DATA, "modelgate runs MatMul on float or double");
    for (int64_t i = 0; i < m; i++)
        for (int64_t j = 0; j < nn; j++) {
            double acc = 0;
            for (int64_t x = 0; x < k; x++)
                acc += ox__num(a, i * k + x) * ox__num(b, x * nn + j);
            out[0]->f[i * nn + j] = acc;
        }
    return MG_OK;
}

/* ---- element-wise binary with broadcasting ------------------------------------------------ */

static mg_status binary_run(const ox_node *n, const ox_tensor *const *in, ox_tensor **out,
                            mg_error *err) {
    const ox_tensor *a = in[0], *b = in[1];
    MG_TRY(need_numbers(n, a, err));
    MG_TRY(need_numbers(n, b, err));
    if ((a->f != NULL) != (b->f != NULL) || a->dtype != b->dtype)
        return ox__node_fail(err, n, MG_ERR_DATA, "inputs have different types (%s and %s)",
                             ox__type_name(a->dtype), ox__type_name(b->dtype));
    int rank = a->rank > b->rank ? a->rank : b->rank;
    int64_t dims[OX_MAX_RANK], sa[OX_MAX_RANK], sb[OX_MAX_RANK];
    int64_t stra = 1, strb = 1;
    for (int d = rank - 1; d >= 0; d--) {
        int ia = d - (rank - a->rank), ib = d - (rank - b->rank);
        int64_t da = ia >= 0 ? a->dims[ia] : 1, db = ib >= 0 ? b->dims[ib] : 1;
        if (da != db && da != 1 && db != 1)
            return ox__node_fail(err, n, MG_ERR_DATA, "shapes do not broadcast (%lld and %lld)",
                                 (long long)da, (long long)db);
        dims[d] = da > db ? da : db;
        if (da == 0 || db == 0)
            dims[d] = 0;
        sa[d] = da == 1 ? 0 : stra;
        sb[d] = db == 1 ? 0 : strb;
        stra *= da;
        strb *= db;
    }
    MG_TRY(ox__tensor_alloc(out[0], a->dtype, rank, dims, err));
    char op = n->op_type[0]; /* Add, Sub, Mul, Div */
    int64_t idx[OX_MAX_RANK] = {0};
    for (int64_t k = 0; k < out[0]->n; k++) {
        int64_t ia = 0, ib = 0;
        for (int d = 0; d < rank; d++) {
            ia += idx[d] * sa[d];
            ib += idx[d] * sb[d];
        }
        if (out[0]->f != NULL) {
            double x = a->f[ia], y = b->f[ib];
            out[0]->f[k] = op == 'A' ? x + y : op == 'S' ? x - y : op == 'M' ? x * y : x / y;
        } else {
            int64_t x = a->i[ia], y = b->i[ib];
            if (op == 'D' && (y == 0 || (x == INT64_MIN && y == -1)))
                return ox__node_fail(err, n, MG_ERR_DATA, "integer division by zero");
            uint64_t ux = (uint64_t)x, uy = (uint64_t)y;
            out[0]->i[k] = op == 'A'   ? (int64_t)(ux + uy)
                           : op == 'S' ? (int64_t)(ux - uy)
                           : op == 'M' ? (int64_t)(ux * uy)
                                       : x / y;
        }
        for (int d = rank - 1; d >= 0; d--) {
            if (++idx[d] < dims[d])
                break;
            idx[d] = 0;
        }
    }
    return MG_OK;
}

/* ---- element-wise unary ---------------------------------------------------------------- */

static mg_status unary_run(const ox_node *n, const ox_tensor *const *in, ox_tensor **out,
                           mg_error *err) {
    const ox_tensor *x = in[0];
    MG_TRY(need_numbers(n, x, err));
    if (strcmp(n->op_type, "Identity") == 0)
        return ox__tensor_copy(out[0], x, err);
    if (x->f == NULL)
        return ox__node_fail(err, n, MG_ERR_DATA, "takes float or double, got %s",
                             ox__type_name(x->dtype));
    MG_TRY(ox__tensor_alloc(out[0], x->dtype, x->rank, x->dims, err));
    char op = n->op_type[0];
    for (int64_t k = 0; k < x->n; k++) {
        double v = x->f[k];
        out[0]->f[k] = op == 'R' ? (v > 0 ? v : (isnan(v) ? v : 0))
                       : op == 'T' ? tanh(v)
                                   : (v >= 0 ? 1 / (1 + exp(-v)) : exp(v) / (1 + exp(v)));
    }
    return MG_OK;
}

static mg_status clip_run(const ox_node *n, const ox_tensor *const *in, ox_tensor **out,
                          mg_error *err) {
    const ox_tensor *x = in[0];
    MG_TRY(need_numbers(n, x, err));
    double lo = -INFINITY, hi = INFINITY;
    if (n->opset < 11) {
        lo = ox__attr_float(n, "min", -INFINITY);
        hi = ox__attr_float(n, "max", INFINITY);
    } else {
        for (int k = 1; k <= 2; k++) {
            const ox_tensor *t = n->ninputs > k ? in[k] : NULL;
            if (t == NULL)
                continue;
            if (t->n != 1 || (t->f == NULL && t->i == NULL))
                return ox__node_fail(err, n, MG_ERR_DATA, "min and max must be scalars");
            if (k == 1)
                lo = ox__num(t, 0);
            else
                hi = ox__num(t, 0);
        }
    }
    MG_TRY(ox__tensor_copy(out[0], x, err));
    for (int64_t k = 0; k < x->n; k++) {
        if (out[0]->f != NULL) {
            double v = out[0]->f[k];
            out[0]->f[k] = v < lo ? lo : v > hi ? hi : v;
        } else {
            int64_t v = out[0]->i[k];
            out[0]->i[k] = (double)v < lo ? (int64_t)lo : (double)v > hi ? (int64_t)hi : v;
        }
    }
    return MG_OK;
}

/* Softmax: before opset 13 over the input coerced to 2-D at `axis` (default 1),
 * from 13 over the one axis (default -1). */
static mg_status softmax_run(const ox_node *n, const ox_tensor *const *in, ox_tensor **out,
                             mg_error *err) {
    const ox_tensor *x = in[0];
    MG_TRY(need_numbers(n, x, err));
    if (x->f == NULL)
        return ox__node_fail(err, n, MG_ERR_DATA, "takes float or double");
    int64_t axis = ox__attr_int(n, "axis", n->opset >= 13 ? -1 : 1);
    if (axis < 0)
        axis += x->rank;
    if (axis < 0 || axis >= (x->rank > 0 ? x->rank : 1))
        return ox__node_fail(err, n, MG_ERR_DATA, "axis %lld is outside the input's %d dimensions",
                             (long long)ox__attr_int(n, "axis", 0), x->rank);
    MG_TRY(ox__tensor_copy(out[0], x, err));
    int64_t outer = 1, mid = 1, inner = 1;
    for (int d = 0; d < x->rank; d++) {
        if (d < axis)
            outer *= x->dims[d];
        else if (d == axis || n->opset < 13)
            mid *= x->dims[d];
        else
            inner *= x->dims[d];
    }
    double *buf = mg__malloc_array((size_t)(mid > 0 ? mid : 1), sizeof(double));
    if (buf == NULL)
        return mg__nomem(err, "softmax");
    for (int64_t o = 0; o < outer; o++)
        for (int64_t i = 0; i < inner; i++) {
            for (int64_t m = 0; m < mid; m++)
                buf[m] = out[0]->f[(o * mid + m) * inner + i];
            ox__softmax(buf, mid);
            for (int64_t m = 0; m < mid; m++)
                out[0]->f[(o * mid + m) * inner + i] = buf[m];
        }
    free(buf);
    return MG_OK;
}

const ox_op ox__ops_math[] = {
    {"", "Gemm", 2, 3, 1, 1, no_prep, gemm_run, NULL},
    {"", "MatMul", 2, 2, 1, 1, no_prep, matmul_run, NULL},
    {"", "Add", 2, 2, 1, 1, no_prep, binary_run, NULL},
    {"", "Sub", 2, 2, 1, 1, no_prep, binary_run, NULL},
    {"", "Mul", 2, 2, 1, 1, no_prep, binary_run, NULL},
    {"", "Div", 2, 2, 1, 1, no_prep, binary_run, NULL},
    {"", "Relu", 1, 1, 1, 1, no_prep, unary_run, NULL},
    {"", "Sigmoid", 1, 1, 1, 1, no_prep, unary_run, NULL},
    {"", "Tanh", 1, 1, 1, 1, no_prep, unary_run, NULL},
    {"", "Identity", 1, 1, 1, 1, no_prep, unary_run, NULL},
    {"", "Softmax", 1, 1, 1, 1, no_prep, softmax_run, NULL},
    {"", "Clip", 1, 3, 1, 1, no_prep, clip_run, NULL},
    {NULL, NULL, 0, 0, 0, 0, NULL, NULL, NULL},
};
