/* graph.c - the ONNX backend: opset checks, operator lookup, topological
 * order, the value slots, batch execution on threads, and what the model tells
 * modelgate (inputs, output kind, classes). */
#include "model/onnx/onnx.h"

#include <math.h>
#include <stdarg.h>

/* ---- tensors ---------------------------------------------------------------- */

char ox__storage(int dtype) {
    switch (dtype) {
    case OX_FLOAT:
    case OX_DOUBLE:
        return 'f';
    case OX_UINT8: case OX_INT8: case OX_UINT16: case OX_INT16: case OX_INT32: case OX_INT64:
    case OX_BOOL: case OX_UINT32: case OX_UINT64:
        return 'i';
    case OX_STRING:
        return 's';
    default:
        return 0;
    }
}

const char *ox__type_name(int dtype) {
    switch (dtype) {
    case OX_FLOAT: return "float";
    case OX_DOUBLE: return "double";
    case OX_INT64: return "int64";
    case OX_INT32: return "int32";
    case OX_STRING: return "string";
    case OX_BOOL: return "bool";
    default: return "another type";
    }
}

int64_t ox__max_elements = (int64_t)1 << 31;

mg_status ox__tensor_alloc(ox_tensor *t, int dtype, int rank, const int64_t *dims, mg_error *err) {
    memset(t, 0, sizeof *t);
    if (rank < 0 || rank > OX_MAX_RANK)
        return mg__fail(err, MG_ERR_MODEL, "a tensor of rank %d", rank);
    int64_t n = 1;
    for (int d = 0; d < rank; d++) {
        if (dims[d] < 0 || (dims[d] > 0 && n > (INT64_MAX / 16) / dims[d]))
            return mg__fail(err, MG_ERR_MODEL, "a tensor dimension is negative or too large");
        n *= dims[d];
        t->dims[d] = dims[d];
    }
    if (n > ox__max_elements)
        return mg__fail(err, MG_ERR_MODEL, "a tensor of %lld values is larger than modelgate allows "
                        "(%lld)", (long long)n, (long long)ox__max_elements);
    t->dtype = dtype;
    t->rank = rank;
    t->n = n;
    size_t cells = (size_t)(n > 0 ? n : 1);
    switch (ox__storage(dtype)) {
    case 'f':
        t->f = mg__calloc(cells, sizeof(double));
        break;
    case 'i':
        t->i = mg__calloc(cells, sizeof(int64_t));
        break;
    case 's':
        t->s = mg__calloc(cells, sizeof(char *));
        break;
    default:
        return mg__fail(err, MG_ERR_MODEL, "a tensor of unsupported type %d", dtype);
    }
    if (t->f == NULL && t->i == NULL && t->s == NULL)
        return mg__nomem(err, "a tensor");
    return MG_OK;
}

void ox__tensor_release(ox_tensor *t) {
    free(t->f);
    free(t->i);
    if (t->s != NULL)
        for (int64_t k = 0; k < t->n; k++)
            free(t->s[k]);
    free(t->s);
    memset(t, 0, sizeof *t);
}

mg_status ox__tensor_copy(ox_tensor *dst, const ox_tensor *src, mg_error *err) {
    MG_TRY(ox__tensor_alloc(dst, src->dtype, src->rank, src->dims, err));
    if (src->f != NULL)
        memcpy(dst->f, src->f, (size_t)src->n * sizeof(double));
    else if (src->i != NULL)
        memcpy(dst->i, src->i, (size_t)src->n * sizeof(int64_t));
    else
        for (int64_t k = 0; k < src->n; k++)
            if (src->s[k] != NULL && (dst->s[k] = mg__strdup(src->s[k])) == NULL)
                return mg__nomem(err, "a string tensor");
    return MG_OK;
}

void ox__tensor_round(ox_tensor *t) {
    if (t->dtype != OX_FLOAT)
        return;
    for (int64_t k = 0; k < t->n; k++)
        t->f[k] = (double)(float)t->f[k];
}

/* ---- attributes ------------------------------------------------------------------- */

const ox_attr *ox__attr(const ox_node *n, const char *name) {
    for (int k = 0; k < n->nattrs; k++)
        if (strcmp(n->attrs[k].name, name) == 0)
            return &n->attrs[k];
    return NULL;
}

int64_t ox__attr_int(const ox_node *n, const char *name, int64_t dflt) {
    const ox_attr *a = ox__attr(n, name);
    return a != NULL && a->has_i ? a->i : dflt;
}

double ox__attr_float(const ox_node *n, const char *name, double dflt) {
    const ox_attr *a = ox__attr(n, name);
    return a != NULL && a->has_f ? a->f : dflt;
}

const char *ox__attr_string(const ox_node *n, const char *name, const char *dflt) {
    const ox_attr *a = ox__attr(n, name);
    return a != NULL && a->has_s ? a->s : dflt;
}

const double *ox__attr_floats(const ox_node *n, const char *name, int64_t *count) {
    const ox_attr *a = ox__attr(n, name);
    *count = 0;
    if (a != NULL && a->nfloats > 0) {
        *count = a->nfloats;
        return a->floats;
    }
    char tn[96];
    snprintf(tn, sizeof tn, "%s_as_tensor", name);
    a = ox__attr(n, tn);
    if (a != NULL && a->t != NULL && a->t->f != NULL) {
        *count = a->t->n;
        return a->t->f;
    }
    return NULL;
}

mg_status ox__node_fail(mg_error *err, const ox_node *n, mg_status st, const char *fmt, ...) {
    char msg[700];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    return mg__fail(err, st, "node '%s' (%s): %s", n->name, n->op_type, msg);
}

/* ---- post transforms (as ONNX Runtime computes them) --------------------------------- */

mg_status ox__post_transform(const ox_node *n, int *pt, mg_error *err) {
    const char *s = ox__attr_string(n, "post_transform", "NONE");
    static const char *const names[] = {"NONE", "LOGISTIC", "SOFTMAX", "SOFTMAX_ZERO", "PROBIT"};
    for (int k = 0; k < 5; k++)
        if (strcmp(s, names[k]) == 0) {
            *pt = k;
            return MG_OK;
        }
    return ox__node_fail(err, n, MG_ERR_FORMAT,
                         "post_transform '%s' is not one of NONE, LOGISTIC, SOFTMAX, "
                         "SOFTMAX_ZERO, PROBIT",
                         s);
}

double ox__logistic(double v) {
    double e = 1 / (1 + exp(-fabs(v)));
    return v < 0 ? 1 - e : e;
}

/* ONNX Runtime's probit: sqrt(2) * erfinv(2v - 1) through the same closed-form
 * approximation (Winitzki's, a = 0.147), in float32 as it computes it. */
double ox__probit(double v) {
    float x = 2 * (float)v - 1;
    float sgn = x < 0 ? -1.0f : 1.0f;
    x = (1 - x) * (1 + x);
    float lg = logf(x);
    float a = 2 / ((float)M_PI * 0.147f) + 0.5f * lg;
    float b = 1 / 0.147f * lg;
    float c = -a + sqrtf(a * a - b);
    return (double)(1.41421356f * (sgn * sqrtf(c)));
}

void ox__softmax(double *v, int64_t k) {
    double mx = -INFINITY, sum = 0;
    for (int64_t j = 0; j < k; j++)
        if (v[j] > mx)
            mx = v[j];
    for (int64_t j = 0; j < k; j++) {
        v[j] = exp(v[j] - mx);
        sum += v[j];
    }
    for (int64_t j = 0; j < k; j++)
        v[j] /= sum;
}

void ox__softmax_zero(double *v, int64_t k) {
    double mx = -INFINITY, sum = 0;
    for (int64_t j = 0; j < k; j++)
        if (v[j] > mx)
            mx = v[j];
    double eneg = exp(-mx);
    for (int64_t j = 0; j < k; j++) {
        if (v[j] > 0.0000001 || v[j] < -0.0000001) {
            v[j] = exp(v[j] - mx);
            sum += v[j];
        } else {
            v[j] *= eneg;
        }
    }
    for (int64_t j = 0; j < k; j++)
        v[j] /= sum;
}

void ox__apply_transform(double *v, int64_t k, int pt) {
    switch (pt) {
    case OX_PT_LOGISTIC:
        for (int64_t j = 0; j < k; j++)
            v[j] = ox__logistic(v[j]);
        break;
    case OX_PT_SOFTMAX:
        ox__softmax(v, k);
        break;
    case OX_PT_SOFTMAX_ZERO:
        ox__softmax_zero(v, k);
        break;
    case OX_PT_PROBIT:
        for (int64_t j = 0; j < k; j++)
            v[j] = ox__probit(v[j]);
        break;
    default:
        break;
    }
}

mg_status ox__as_matrix(const ox_node *n, const ox_tensor *t, int64_t *rows, int64_t *cols,
                        mg_error *err) {
    if (t->rank == 1) {
        *rows = 1;
        *cols = t->dims[0];
    } else if (t->rank == 2) {
        *rows = t->dims[0];
        *cols = t->dims[1];
    } else {
        return ox__node_fail(err, n, MG_ERR_DATA, "expects a 1- or 2-dimensional input, got rank %d",
                             t->rank);
    }
    return MG_OK;
}

/* ---- the compiled graph -------------------------------------------------------------- */

typedef struct onnx_state {
    ox_model model;
    int nslots;
    ox_tensor *consts; /* nslots entries: initializers (dtype 0 when not one) */
    int *order;        /* node indexes in execution order */
    /* Graph inputs fed from the rows: slot, element type and the width each takes. */
    int ninputs;
    int *in_slot;
    int *in_type;
    int *in_width;
    int *in_rank;
    const char **in_name; /* borrowed from the model */
    int width; /* features per row */
    int out_slot;
    int out_k;   /* values per row of the chosen output */
    int out_col; /* for binary probability: the column taken (1); -1 = all */
} onnx_state;

static const ox_op *const *families(void) {
    static const ox_op *const f[] = {ox__ops_tree, ox__ops_linear, ox__ops_math, ox__ops_shape,
                                     ox__ops_encode, NULL};
    return f;
}

static const ox_op *find_op(const char *domain, const char *type) {
    const char *d = strcmp(domain, "ai.onnx") == 0 ? "" : domain;
    for (const ox_op *const *f = families(); *f != NULL; f++)
        for (const ox_op *op = *f; op->op_type != NULL; op++)
            if (strcmp(op->domain, d) == 0 && strcmp(op->op_type, type) == 0)
                return op;
    return NULL;
}

/* Slot names: a small open-addressing table is not worth it for graphs of
 * tens of nodes; a linear search at load time is. */
typedef struct names {
    const char **v;
    int n, cap;
} names;

static int name_index(const names *ns, const char *s) {
    for (int k = 0; k < ns->n; k++)
        if (strcmp(ns->v[k], s) == 0)
            return k;
    return -1;
}

static int name_add(names *ns, const char *s) {
    int k = name_index(ns, s);
    if (k >= 0)
        return k;
    if (ns->n == ns->cap) {
        int nc = ns->cap ? ns->cap * 2 : 32;
        const char **p = mg__realloc_array(ns->v, (size_t)nc, sizeof(char *));
        if (p == NULL)
            return -2;
        ns->v = p;
        ns->cap = nc;
    }
    ns->v[ns->n] = s; /* borrowed from the model */
    return ns->n++;
}

static int64_t opset_of(const ox_model *m, const char *domain) {
    const char *d = strcmp(domain, "ai.onnx") == 0 ? "" : domain;
    for (int k = 0; k < m->nopsets; k++) {
        const char *od = m->opsets[k].domain ? m->opsets[k].domain : "";
        if (strcmp(od, "ai.onnx") == 0)
            od = "";
        if (strcmp(od, d) == 0)
            return m->opsets[k].version;
    }
    return -1;
}

static mg_status compile(mg_model *mm, onnx_state *s, const char *path, mg_error *err) {
    ox_model *m = &s->model;
    ox_graph *g = &m->graph;
    if (m->ir_version < 3)
        return mg__fail(err, MG_ERR_UNSUPPORTED,
                        "%s: ONNX IR version %lld is older than 3, which modelgate reads", path,
                        (long long)m->ir_version);
    int64_t core = opset_of(m, ""), ml = opset_of(m, "ai.onnx.ml");
    if (core >= 0 && (core < 9 || core > 21))
        return mg__fail(err, MG_ERR_UNSUPPORTED,
                        "%s: opset ai.onnx %lld is outside the versions modelgate runs (9 to 21)",
                        path, (long long)core);
    if (ml >= 0 && (ml < 1 || ml > 3))
        return mg__fail(err, MG_ERR_UNSUPPORTED,
                        "%s: opset ai.onnx.ml %lld is outside the versions modelgate runs (1 to 3)",
                        path, (long long)ml);
    names ns = {0};
    mg_status st = MG_OK;
    /* Slots: initializers, graph inputs, node outputs. */
    for (int k = 0; k < g->ninits && st == MG_OK; k++)
        if (name_add(&ns, g->init_names[k]) < 0)
            st = mg__nomem(err, "the graph");
    for (int k = 0; k < g->ninputs && st == MG_OK; k++)
        if (name_add(&ns, g->inputs[k].name) < 0)
            st = mg__nomem(err, "the graph");
    for (int k = 0; k < g->nnodes && st == MG_OK; k++) {
        ox_node *n = &g->nodes[k];
        const ox_op *op = find_op(n->domain, n->op_type);
        if (op == NULL) {
            st = mg__fail(err, MG_ERR_UNSUPPORTED,
                          "%s: node '%s': operator %s%s%s is not one modelgate runs (see "
                          "docs/models.md for the supported operators)",
                          path, n->name, n->domain, n->domain[0] ? "." : "", n->op_type);
            break;
        }
        n->op = op;
        int64_t ver = opset_of(m, op->domain);
        if (ver < 0) {
            st = mg__fail(err, MG_ERR_FORMAT, "%s: node '%s' (%s): the model imports no opset for "
                          "domain '%s'",
                          path, n->name, n->op_type, op->domain[0] ? op->domain : "ai.onnx");
            break;
        }
        n->opset = (int)ver;
        if (n->ninputs < op->min_inputs || n->ninputs > op->max_inputs ||
            n->noutputs < op->min_outputs || n->noutputs > op->max_outputs) {
            st = mg__fail(err, MG_ERR_FORMAT, "%s: node '%s' (%s) has %d inputs and %d outputs",
                          path, n->name, n->op_type, n->ninputs, n->noutputs);
            break;
        }
        n->in_slot = mg__calloc((size_t)(n->ninputs + 1), sizeof(int));
        n->out_slot = mg__calloc((size_t)(n->noutputs + 1), sizeof(int));
        if (n->in_slot == NULL || n->out_slot == NULL) {
            st = mg__nomem(err, "the graph");
            break;
        }
        for (int j = 0; j < n->noutputs; j++) {
            if (n->outputs[j][0] == '\0') {
                n->out_slot[j] = -1;
                continue;
            }
            if (name_index(&ns, n->outputs[j]) >= 0) {
                st = mg__fail(err, MG_ERR_FORMAT, "%s: node '%s' (%s): value '%s' is produced twice",
                              path, n->name, n->op_type, n->outputs[j]);
                break;
            }
            if ((n->out_slot[j] = name_add(&ns, n->outputs[j])) < 0)
                st = mg__nomem(err, "the graph");
        }
        if (st == MG_OK && (st = op->prep(n, err)) != MG_OK) {
            char tmp[MG_ERROR_TEXT_MAX];
            snprintf(tmp, sizeof tmp, "%s", err->text);
            mg__fail(err, st, "%s: %s", path, tmp);
        }
    }
    for (int k = 0; k < g->nnodes && st == MG_OK; k++) {
        ox_node *n = &g->nodes[k];
        for (int j = 0; j < n->ninputs && st == MG_OK; j++) {
            if (n->inputs[j][0] == '\0') {
                /* An empty name omits an optional input; the required ones
                 * (the first min_inputs) cannot be omitted. */
                if (j < n->op->min_inputs)
                    st = mg__fail(err, MG_ERR_FORMAT,
                                  "%s: node '%s' (%s): required input %d has no name", path,
                                  n->name, n->op_type, j + 1);
                n->in_slot[j] = -1;
                continue;
            }
            if ((n->in_slot[j] = name_index(&ns, n->inputs[j])) < 0)
                st = mg__fail(err, MG_ERR_FORMAT,
                              "%s: node '%s' (%s): input '%s' is produced by no node, input or "
                              "initializer",
                              path, n->name, n->op_type, n->inputs[j]);
        }
    }
    s->nslots = ns.n;
    if (st == MG_OK) {
        s->consts = mg__calloc((size_t)(ns.n + 1), sizeof(ox_tensor));
        s->order = mg__calloc((size_t)(g->nnodes + 1), sizeof(int));
        if (s->consts == NULL || s->order == NULL)
            st = mg__nomem(err, "the graph");
    }
    /* Topological order (Kahn): ready[] marks slots that hold a value. */
    char *ready = st == MG_OK ? mg__calloc((size_t)(ns.n + 1), 1) : NULL;
    char *done = st == MG_OK ? mg__calloc((size_t)(g->nnodes + 1), 1) : NULL;
    if (st == MG_OK && (ready == NULL || done == NULL))
        st = mg__nomem(err, "the graph");
    if (st == MG_OK) {
        for (int k = 0; k < g->ninits; k++) {
            int slot = name_index(&ns, g->init_names[k]);
            ox__tensor_release(&s->consts[slot]);
            st = ox__tensor_copy(&s->consts[slot], &g->inits[k], err);
            if (st != MG_OK)
                break;
            ready[slot] = 1;
        }
        for (int k = 0; k < g->ninputs; k++)
            ready[name_index(&ns, g->inputs[k].name)] = 1;
        int placed = 0;
        bool progress = true;
        while (st == MG_OK && placed < g->nnodes && progress) {
            progress = false;
            for (int k = 0; k < g->nnodes; k++) {
                if (done[k])
                    continue;
                ox_node *n = &g->nodes[k];
                bool ok = true;
                for (int j = 0; j < n->ninputs; j++)
                    if (n->in_slot[j] >= 0 && !ready[n->in_slot[j]])
                        ok = false;
                if (!ok)
                    continue;
                for (int j = 0; j < n->noutputs; j++)
                    if (n->out_slot[j] >= 0)
                        ready[n->out_slot[j]] = 1;
                done[k] = 1;
                s->order[placed++] = k;
                progress = true;
            }
        }
        if (st == MG_OK && placed < g->nnodes) {
            for (int k = 0; k < g->nnodes; k++)
                if (!done[k]) {
                    st = mg__fail(err, MG_ERR_FORMAT,
                                  "%s: node '%s' (%s) is part of a cycle in the graph", path,
                                  g->nodes[k].name, g->nodes[k].op_type);
                    break;
                }
        }
    }
    free(ready);
    free(done);
    /* Inputs fed from the rows: graph inputs that are not initializers. */
    if (st == MG_OK) {
        s->in_slot = mg__calloc((size_t)(g->ninputs + 1), sizeof(int));
        s->in_type = mg__calloc((size_t)(g->ninputs + 1), sizeof(int));
        s->in_width = mg__calloc((size_t)(g->ninputs + 1), sizeof(int));
        s->in_rank = mg__calloc((size_t)(g->ninputs + 1), sizeof(int));
        s->in_name = mg__calloc((size_t)(g->ninputs + 1), sizeof(char *));
        if (s->in_slot == NULL || s->in_type == NULL || s->in_width == NULL || s->in_rank == NULL ||
            s->in_name == NULL)
            st = mg__nomem(err, "the graph");
    }
    for (int k = 0; k < g->ninputs && st == MG_OK; k++) {
        const ox_value_info *vi = &g->inputs[k];
        int slot = name_index(&ns, vi->name);
        if (s->consts[slot].dtype != 0)
            continue;
        if (vi->kind != 't' || (vi->elem_type != OX_FLOAT && vi->elem_type != OX_DOUBLE &&
                                vi->elem_type != OX_INT64 && vi->elem_type != OX_INT32 &&
                                vi->elem_type != OX_STRING)) {
            st = mg__fail(err, MG_ERR_UNSUPPORTED,
                          "%s: graph input '%s' is %s; modelgate feeds float, double, int64, "
                          "int32 or string tensors",
                          path, vi->name,
                          vi->kind != 't' ? "not a tensor" : ox__type_name(vi->elem_type));
            break;
        }
        int w = 1;
        if (vi->rank == 2 && vi->dims[1] > 0)
            w = (int)(vi->dims[1] > INT32_MAX / 2 ? INT32_MAX / 2 : vi->dims[1]);
        else if (vi->rank != 2 && vi->rank != 1 && vi->rank != -1)
            st = mg__fail(err, MG_ERR_UNSUPPORTED,
                          "%s: graph input '%s' has rank %d; modelgate feeds [N, features] "
                          "tensors",
                          path, vi->name, vi->rank);
        else if (vi->rank == 2)
            w = -1; /* unknown width: only allowed for a single input */
        s->in_slot[s->ninputs] = slot;
        s->in_type[s->ninputs] = vi->elem_type;
        s->in_width[s->ninputs] = w;
        s->in_rank[s->ninputs] = vi->rank == 1 ? 1 : 2;
        s->in_name[s->ninputs] = vi->name;
        s->ninputs++;
    }
    if (st == MG_OK && s->ninputs == 0)
        st = mg__fail(err, MG_ERR_FORMAT, "%s: the graph has no input to feed", path);
    mg_model_info *info = &mm->info;
    if (st == MG_OK) {
        if (s->ninputs == 1) {
            info->nfeatures = s->in_width[0] > 0 ? s->in_width[0] : -1;
            s->width = s->in_width[0];
        } else {
            /* Several inputs: each one column, matched by name. */
            info->feature_names = mg__calloc((size_t)s->ninputs, sizeof(char *));
            if (info->feature_names == NULL)
                st = mg__nomem(err, "feature names");
            info->nfeatures = s->ninputs;
            s->width = s->ninputs;
            for (int k = 0; k < s->ninputs && st == MG_OK; k++) {
                if (s->in_width[k] != 1)
                    st = mg__fail(err, MG_ERR_UNSUPPORTED,
                                  "%s: graph input '%s' is not one column wide; with several "
                                  "inputs modelgate feeds one column each ([N, 1]), by name",
                                  path, ns.v[s->in_slot[k]]);
                else if ((info->feature_names[k] = mg__strdup(ns.v[s->in_slot[k]])) == NULL)
                    st = mg__nomem(err, "feature names");
            }
        }
    }
    /* The output: the first graph output holding floats (probabilities or values). */
    const ox_node *classifier = NULL;
    for (int k = 0; k < g->nnodes; k++)
        if (strcmp(g->nodes[k].op_type, "TreeEnsembleClassifier") == 0 ||
            strcmp(g->nodes[k].op_type, "LinearClassifier") == 0)
            classifier = &g->nodes[k];
    s->out_slot = -1;
    for (int k = 0; k < g->noutputs && st == MG_OK; k++) {
        const ox_value_info *vi = &g->outputs[k];
        int slot = name_index(&ns, vi->name);
        if (slot < 0) {
            st = mg__fail(err, MG_ERR_FORMAT, "%s: graph output '%s' is produced by no node", path,
                          vi->name);
            break;
        }
        bool floats = (vi->kind == 't' && (vi->elem_type == OX_FLOAT || vi->elem_type == OX_DOUBLE)) ||
                      vi->kind == 'q';
        if (floats && s->out_slot < 0) {
            s->out_slot = slot;
            s->out_k = vi->kind == 't' && vi->rank == 2 && vi->dims[1] > 0 ? (int)vi->dims[1] : -1;
        }
    }
    if (st == MG_OK && s->out_slot < 0)
        st = mg__fail(err, MG_ERR_UNSUPPORTED,
                      "%s: no graph output holds float scores (probabilities or values)", path);
    if (st == MG_OK && classifier != NULL) {
        const ox_attr *ls = ox__attr(classifier, "classlabels_strings");
        const ox_attr *li = ox__attr(classifier, "classlabels_int64s");
        if (li == NULL)
            li = ox__attr(classifier, "classlabels_ints");
        int64_t nl = ls != NULL ? ls->nstrings : li != NULL ? li->nints : 0;
        if (nl < 2 || nl > 100000)
            st = mg__fail(err, MG_ERR_UNSUPPORTED,
                          "%s: classifier node '%s' names %lld classes; modelgate needs 2 or more",
                          path, classifier->name, (long long)nl);
        if (st == MG_OK && (info->class_labels = mg__calloc((size_t)nl, sizeof(char *))) == NULL)
            st = mg__nomem(err, "class labels");
        for (int64_t c = 0; st == MG_OK && c < nl; c++) {
            char buf[32];
            if (ls == NULL)
                snprintf(buf, sizeof buf, "%lld", (long long)li->ints[c]);
            info->class_labels[c] = mg__strdup(ls != NULL ? ls->strings[c] : buf);
            info->nclass_labels = (int)c + 1;
            if (info->class_labels[c] == NULL)
                st = mg__nomem(err, "class labels");
        }
        if (st == MG_OK) {
            if (nl == 2) {
                info->kind = MG_OUTPUT_PROBABILITY;
                info->noutputs = 1;
                s->out_col = 1;
            } else {
                info->kind = MG_OUTPUT_CLASS_PROBS;
                info->noutputs = (int)nl;
                s->out_col = -1;
            }
            s->out_k = (int)nl;
        }
    } else if (st == MG_OK) {
        if (s->out_k == 2) {
            info->kind = MG_OUTPUT_PROBABILITY;
            info->noutputs = 1;
            s->out_col = 1;
        } else if (s->out_k > 2) {
            info->kind = MG_OUTPUT_CLASS_PROBS;
            info->noutputs = s->out_k;
            s->out_col = -1;
        } else {
            info->kind = MG_OUTPUT_VALUE;
            info->noutputs = 1;
            s->out_k = 1;
            s->out_col = 0;
        }
    }
    free((void *)ns.v);
    return st;
}

/* ---- execution ------------------------------------------------------------------------ */

/* Where a batch's inputs come from: dense rows of doubles (width s->width), or
 * rows [r0, r0+n) of a table's columns idx[] (strings allowed). */
typedef struct source {
    const double *rows;
    const mg_table *t;
    const int *idx;
    int64_t r0;
} source;

/* Fills element (r, c) of input k, whose feature is number f of the row. */
static mg_status fill_one(const onnx_state *s, const char *path, const source *src, int k,
                          ox_tensor *t, int64_t r, int w, int c, int f, mg_error *err) {
    const char *in_name = s->in_name[k];
    int64_t at = r * w + c;
    double v;
    const mg_column *col = src->t != NULL ? &src->t->cols[src->idx[f]] : NULL;
    if (t->s != NULL) {
        char buf[32];
        const char *text = buf;
        if (col == NULL)
            return mg__fail(err, MG_ERR_DATA,
                            "%s: graph input '%s' takes strings, which modelgate feeds only when it "
                            "predicts a test table (evaluate, predict, compare), not rows of numbers",
                            path, in_name);
        if (mg_column_is_null(col, src->r0 + r))
            buf[0] = '\0';
        else if (col->type == MG_TYPE_STR)
            text = mg_column_string(col, src->r0 + r);
        else if (col->type == MG_TYPE_I64 || col->type == MG_TYPE_BOOL)
            snprintf(buf, sizeof buf, "%lld",
                     (long long)(col->type == MG_TYPE_I64 ? col->i64[src->r0 + r]
                                                          : col->b[src->r0 + r]));
        else
            return mg__fail(err, MG_ERR_DATA,
                            "%s: column '%s' holds decimal numbers but graph input '%s' takes "
                            "strings (categories); read it as strings with --column-type %s=string",
                            src->t->source, col->name, in_name, col->name);
        return (t->s[at] = mg__strdup(text)) == NULL ? mg__nomem(err, "string inputs") : MG_OK;
    }
    if (col != NULL) {
        if (col->type == MG_TYPE_STR)
            return mg__fail(err, MG_ERR_DATA,
                            "%s: column '%s' holds strings but graph input '%s' takes numbers; "
                            "encode it or list it in --ignore",
                            src->t->source, col->name, in_name);
        if (mg_column_number(col, src->r0 + r, &v) != 0)
            v = NAN;
    } else {
        v = src->rows[r * s->width + f];
    }
    if (t->f != NULL) {
        t->f[at] = t->dtype == OX_FLOAT ? (double)(float)v : v;
    } else if (!isfinite(v) || v != floor(v) || fabs(v) > 9.0e15) {
        if (col != NULL)
            return mg__fail(err, MG_ERR_DATA,
                            "%s: row %lld, column '%s': graph input '%s' takes integers, got %g",
                            src->t->source, (long long)(src->r0 + r) + 1, col->name, in_name, v);
        return mg__fail(err, MG_ERR_DATA,
                        "%s: graph input '%s' takes integers but row %lld, feature %d holds %g",
                        path, in_name, (long long)r + 1, f + 1, v);
    } else {
        t->i[at] = (int64_t)v;
    }
    return MG_OK;
}

/* Runs the graph on nrows rows from src into out. */
static mg_status run_rows(const onnx_state *s, const char *path, const source *src, int64_t nrows,
                          double *out, mg_error *err) {
    const ox_graph *g = &s->model.graph;
    ox_tensor *vals = mg__calloc((size_t)(s->nslots + 1), sizeof(ox_tensor));
    if (vals == NULL)
        return mg__nomem(err, "graph values");
    mg_status st = MG_OK;
    int col0 = 0;
    for (int k = 0; k < s->ninputs && st == MG_OK; k++) {
        int w = s->in_width[k] > 0 ? s->in_width[k] : s->width;
        int64_t dims[2] = {nrows, w};
        ox_tensor *t = &vals[s->in_slot[k]];
        int dtype = s->in_type[k] == OX_INT32 ? OX_INT64 : s->in_type[k];
        if ((st = ox__tensor_alloc(t, dtype, s->in_rank[k], dims, err)) != MG_OK)
            break;
        for (int64_t r = 0; r < nrows && st == MG_OK; r++)
            for (int c = 0; c < w && st == MG_OK; c++)
                st = fill_one(s, path, src, k, t, r, w, c, col0 + c, err);
        col0 += w;
    }
    const ox_tensor *in[64];
    ox_tensor *outs[16];
    for (int k = 0; k < g->nnodes && st == MG_OK; k++) {
        const ox_node *n = &g->nodes[s->order[k]];
        for (int j = 0; j < 64; j++)
            in[j] = NULL;
        for (int j = 0; j < n->ninputs && j < 64; j++) {
            int slot = n->in_slot[j];
            in[j] = slot < 0 ? NULL : s->consts[slot].dtype != 0 ? &s->consts[slot] : &vals[slot];
        }
        for (int j = 0; j < 16; j++)
            outs[j] = NULL;
        for (int j = 0; j < n->noutputs && j < 16; j++)
            outs[j] = n->out_slot[j] < 0 ? NULL : &vals[n->out_slot[j]];
        st = n->op->run(n, in, outs, err);
        for (int j = 0; st == MG_OK && j < n->noutputs && j < 16; j++)
            if (outs[j] != NULL)
                ox__tensor_round(outs[j]);
        if (st != MG_OK) {
            char tmp[MG_ERROR_TEXT_MAX];
            snprintf(tmp, sizeof tmp, "%s", err->text);
            mg__fail(err, st, "%s: %s", path, tmp);
        }
    }
    if (st == MG_OK) {
        const ox_tensor *o = s->consts[s->out_slot].dtype != 0 ? &s->consts[s->out_slot]
                                                              : &vals[s->out_slot];
        int64_t k = o->rank == 2 ? o->dims[1] : o->rank == 1 ? 1 : -1;
        if (o->f == NULL || (o->rank == 2 ? o->dims[0] : o->n) != nrows || k != s->out_k ||
            (o->rank != 1 && o->rank != 2)) {
            st = mg__fail(err, MG_ERR_MODEL,
                          "%s: the graph's output has %lld values for %lld rows, expected %d per "
                          "row",
                          path, (long long)o->n, (long long)nrows, s->out_k);
        } else if (s->out_col < 0) {
            memcpy(out, o->f, (size_t)(nrows * k) * sizeof(double));
        } else {
            for (int64_t r = 0; r < nrows; r++)
                out[r] = o->f[r * k + s->out_col];
        }
    }
    for (int k = 0; k < s->nslots; k++)
        ox__tensor_release(&vals[k]);
    free(vals);
    return st;
}

typedef struct job {
    const onnx_state *s;
    const char *path;
    source src; /* rows at 0 / table rows from src.r0 */
    int64_t nrows;
    int nfeatures;
    int k;
    int64_t chunk;
    double *out;
    mg_error *errs;
} job;

static mg_status run_chunk(void *ctx, int i) {
    job *j = ctx;
    int64_t r0 = (int64_t)i * j->chunk;
    int64_t nr = j->nrows - r0 < j->chunk ? j->nrows - r0 : j->chunk;
    source src = j->src;
    if (src.rows != NULL)
        src.rows += r0 * j->nfeatures;
    src.r0 += r0;
    mg_error_clear(&j->errs[i]);
    return run_rows(j->s, j->path, &src, nr, j->out + r0 * j->k, &j->errs[i]);
}

/* Splits nrows into chunks of at least 512 rows, each run through the whole
 * graph on its own thread. */
static mg_status run_batch(mg_model *m, const source *src, int64_t nrows, int nfeatures,
                           double *out, mg_error *err) {
    onnx_state *s = m->state;
    if (nrows <= 0)
        return MG_OK;
    int threads = m->opts.threads > 0 ? m->opts.threads : mg__cpu_count();
    int64_t chunk = (nrows + threads - 1) / threads;
    if (chunk < 512)
        chunk = 512;
    int nchunks = (int)((nrows + chunk - 1) / chunk);
    if (nchunks <= 1)
        return run_rows(s, m->arg, src, nrows, out, err);
    mg_error *errs = mg__calloc((size_t)nchunks, sizeof *errs);
    if (errs == NULL)
        return mg__nomem(err, "prediction threads");
    job j = {s, m->arg, *src, nrows, nfeatures, m->info.noutputs, chunk, out, errs};
    mg_status st = mg__parallel_for(nchunks, threads, run_chunk, &j);
    if (st != MG_OK)
        for (int i = 0; i < nchunks; i++)
            if (errs[i].status != MG_OK) {
                *err = errs[i];
                break;
            }
    free(errs);
    return st;
}

static mg_status check_width(mg_model *m, int nfeatures, mg_error *err) {
    onnx_state *s = m->state;
    if (s->width > 0 && nfeatures != s->width)
        return mg__fail(err, MG_ERR_DATA, "model %s: expects %d features, got %d", m->arg,
                        s->width, nfeatures);
    if (s->width <= 0)
        s->width = nfeatures; /* width fixed by the first batch */
    return MG_OK;
}

static mg_status onnx_predict(mg_model *m, const double *rows, int64_t nrows, int nfeatures,
                              double *out, mg_error *err) {
    MG_TRY(check_width(m, nfeatures, err));
    source src = {rows, NULL, NULL, 0};
    return run_batch(m, &src, nrows, nfeatures, out, err);
}

static mg_status onnx_predict_columns(mg_model *m, const mg_table *t, const int *idx, int nf,
                                      int64_t r0, int64_t nr, double *out, mg_error *err) {
    MG_TRY(check_width(m, nf, err));
    source src = {NULL, t, idx, r0};
    return run_batch(m, &src, nr, nf, out, err);
}

static void onnx_release(mg_model *m) {
    onnx_state *s = m->state;
    if (s == NULL)
        return;
    for (int k = 0; s->consts != NULL && k < s->nslots; k++)
        ox__tensor_release(&s->consts[k]);
    free(s->consts);
    free(s->order);
    free(s->in_slot);
    free(s->in_type);
    free(s->in_width);
    free(s->in_rank);
    free((void *)s->in_name);
    ox__model_release(&s->model);
    free(s);
    m->state = NULL;
}

const mg__backend mg__onnx_backend = {.name = "onnx",
                                      .batch_size = 65536,
                                      .predict = onnx_predict,
                                      .release = onnx_release,
                                      .predict_columns = onnx_predict_columns};

mg_status mg__onnx_open(mg_model *m, const char *path, const uint8_t *data, size_t len,
                        mg_error *err) {
    onnx_state *s = mg__calloc(1, sizeof *s);
    if (s == NULL)
        return mg__nomem(err, "an ONNX model");
    m->state = s;
    MG_TRY(ox__decode(path, data, len, &s->model, err));
    return compile(m, s, path, err);
}
