/* decode.c - a protobuf wire decoder for the parts of onnx-ml.proto's
 * ModelProto that an interpreter needs (graph, nodes, attributes, initializers,
 * inputs/outputs, opset imports). Packed and unpacked repeated fields are both
 * read; every length and count is checked against the bytes that remain
 * before anything is allocated, so a hostile file costs at most a few times
 * its own size. Unknown fields are skipped. */
#include "model/onnx/onnx.h"

#include <math.h>

typedef struct rd {
    const uint8_t *base; /* start of the file, for offsets in messages */
    const uint8_t *p, *end;
    const char *path;
    mg_error *err;
} rd;

static mg_status bad(rd *r, const char *what) {
    return mg__fail(r->err, MG_ERR_FORMAT, "%s: byte %lld: not a valid ONNX model (%s)", r->path,
                    (long long)(r->p - r->base), what);
}

static mg_status varint(rd *r, uint64_t *v) {
    uint64_t x = 0;
    for (int shift = 0; shift < 70; shift += 7) {
        if (r->p >= r->end)
            return bad(r, "truncated varint");
        uint8_t b = *r->p++;
        if (shift == 63 && b > 1)
            return bad(r, "varint overflows 64 bits");
        x |= (uint64_t)(b & 0x7f) << shift;
        if ((b & 0x80) == 0) {
            *v = x;
            return MG_OK;
        }
    }
    return bad(r, "varint longer than 10 bytes");
}

/* Next field: *field, *wire. */
static mg_status tag(rd *r, uint32_t *field, int *wire) {
    uint64_t t = 0;
    *field = 0;
    *wire = 0;
    MG_TRY(varint(r, &t));
    if ((t >> 3) == 0 || (t >> 3) > 0x1fffffff)
        return bad(r, "field number 0 or out of range");
    *field = (uint32_t)(t >> 3);
    *wire = (int)(t & 7);
    return MG_OK;
}

/* A length-delimited field's payload as a sub-reader. */
static mg_status sub(rd *r, rd *s) {
    uint64_t len;
    const uint8_t *at = r->p;
    MG_TRY(varint(r, &len));
    if (len > (uint64_t)(r->end - r->p)) {
        r->p = at; /* the message names the length's own offset */
        return bad(r, "length runs past the end of its message");
    }
    *s = *r;
    s->end = r->p + len;
    r->p += len;
    return MG_OK;
}

static mg_status skip(rd *r, int wire) {
    uint64_t v;
    rd s;
    switch (wire) {
    case 0:
        return varint(r, &v);
    case 1:
        if (r->end - r->p < 8)
            return bad(r, "truncated fixed64");
        r->p += 8;
        return MG_OK;
    case 2:
        return sub(r, &s);
    case 5:
        if (r->end - r->p < 4)
            return bad(r, "truncated fixed32");
        r->p += 4;
        return MG_OK;
    default:
        return bad(r, "unsupported wire type (groups or reserved)");
    }
}

static mg_status want(rd *r, int wire, int expected) {
    return wire == expected ? MG_OK : bad(r, "field has an unexpected wire type");
}

static mg_status string(rd *r, int wire, char **out) {
    MG_TRY(want(r, wire, 2));
    rd s;
    MG_TRY(sub(r, &s));
    size_t n = (size_t)(s.end - s.p);
    if (memchr(s.p, 0, n) != NULL)
        return bad(r, "string holds a NUL byte");
    char *c = mg__strndup((const char *)s.p, n);
    if (c == NULL)
        return mg__nomem(r->err, "an ONNX string");
    free(*out);
    *out = c;
    return MG_OK;
}

/* Appends one element to a growable array (capacity doubles). */
static mg_status grow(rd *r, void **arr, int64_t *n, int64_t *cap, size_t size) {
    if (*n < *cap)
        return MG_OK;
    int64_t nc = *cap < 4 ? 4 : *cap * 2;
    if (nc > INT32_MAX)
        return bad(r, "too many repeated elements");
    void *p = mg__realloc_array(*arr, (size_t)nc, size);
    if (p == NULL)
        return mg__nomem(r->err, "an ONNX array");
    *arr = p;
    *cap = nc;
    return MG_OK;
}

static mg_status push_string(rd *r, int wire, char ***arr, int64_t *n, int64_t *cap) {
    MG_TRY(grow(r, (void **)arr, n, cap, sizeof(char *)));
    (*arr)[*n] = NULL;
    MG_TRY(string(r, wire, &(*arr)[*n]));
    (*n)++;
    return MG_OK;
}

/* Repeated varint field (int64), packed or not. */
static mg_status push_ints(rd *r, int wire, int64_t **arr, int64_t *n, int64_t *cap) {
    uint64_t v;
    if (wire == 0) {
        MG_TRY(varint(r, &v));
        MG_TRY(grow(r, (void **)arr, n, cap, sizeof(int64_t)));
        (*arr)[(*n)++] = (int64_t)v;
        return MG_OK;
    }
    MG_TRY(want(r, wire, 2));
    rd s;
    MG_TRY(sub(r, &s));
    while (s.p < s.end) {
        MG_TRY(varint(&s, &v));
        MG_TRY(grow(r, (void **)arr, n, cap, sizeof(int64_t)));
        (*arr)[(*n)++] = (int64_t)v;
    }
    return MG_OK;
}

static double get_f32(const uint8_t *p) {
    uint32_t u = (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
    float f;
    memcpy(&f, &u, 4);
    return (double)f;
}

static double get_f64(const uint8_t *p) {
    uint64_t u = 0;
    for (int k = 7; k >= 0; k--)
        u = u << 8 | p[k];
    double d;
    memcpy(&d, &u, 8);
    return d;
}

/* Repeated float (fixed32) or double (fixed64) field, packed or not. */
static mg_status push_reals(rd *r, int wire, int width, double **arr, int64_t *n, int64_t *cap) {
    int single = width == 4 ? 5 : 1;
    if (wire == single) {
        if (r->end - r->p < width)
            return bad(r, "truncated number");
        MG_TRY(grow(r, (void **)arr, n, cap, sizeof(double)));
        (*arr)[(*n)++] = width == 4 ? get_f32(r->p) : get_f64(r->p);
        r->p += width;
        return MG_OK;
    }
    MG_TRY(want(r, wire, 2));
    rd s;
    MG_TRY(sub(r, &s));
    if ((s.end - s.p) % width != 0)
        return bad(r, "packed numbers' length is not a multiple of their size");
    int64_t k = (s.end - s.p) / width;
    if (*n + k > *cap) {
        double *p = mg__realloc_array(*arr, (size_t)(*n + k), sizeof(double));
        if (p == NULL)
            return mg__nomem(r->err, "an ONNX array");
        *arr = p;
        *cap = *n + k;
    }
    for (int64_t j = 0; j < k; j++)
        (*arr)[(*n)++] = width == 4 ? get_f32(s.p + j * width) : get_f64(s.p + j * width);
    return MG_OK;
}

/* ---- TensorProto ---------------------------------------------------------------- */

static mg_status tensor(rd *r, ox_tensor *t, char **name) {
    int64_t *dims = NULL, ndims = 0, capd = 0;
    double *reals = NULL;
    int64_t nreals = 0, capr = 0;
    int64_t *ints = NULL, nints = 0, capi = 0;
    char **strs = NULL;
    int64_t nstrs = 0, caps = 0;
    const uint8_t *raw = NULL;
    size_t rawlen = 0;
    bool external = false;
    int64_t dtype = 0;
    mg_status st = MG_OK;
    memset(t, 0, sizeof *t);
    while (st == MG_OK && r->p < r->end) {
        uint32_t f;
        int w;
        uint64_t v;
        rd s;
        if ((st = tag(r, &f, &w)) != MG_OK)
            break;
        switch (f) {
        case 1:
            st = push_ints(r, w, &dims, &ndims, &capd);
            break;
        case 2:
            if ((st = want(r, w, 0)) == MG_OK && (st = varint(r, &v)) == MG_OK)
                dtype = (int64_t)v;
            break;
        case 4:
            st = push_reals(r, w, 4, &reals, &nreals, &capr);
            break;
        case 5:  /* int32_data (also bool, int8/16, uint8/16) */
        case 7:  /* int64_data */
        case 11: /* uint64_data */
            st = push_ints(r, w, &ints, &nints, &capi);
            break;
        case 6:
            st = push_string(r, w, &strs, &nstrs, &caps);
            break;
        case 8:
            if (name != NULL)
                st = string(r, w, name);
            else
                st = skip(r, w);
            break;
        case 9:
            if ((st = want(r, w, 2)) == MG_OK && (st = sub(r, &s)) == MG_OK) {
                raw = s.p;
                rawlen = (size_t)(s.end - s.p);
            }
            break;
        case 10:
            st = push_reals(r, w, 8, &reals, &nreals, &capr);
            break;
        case 13:
            external = true;
            st = skip(r, w);
            break;
        case 14:
            if ((st = want(r, w, 0)) == MG_OK && (st = varint(r, &v)) == MG_OK && v == 1)
                external = true;
            break;
        default:
            st = skip(r, w);
        }
    }
    if (st == MG_OK && external)
        st = mg__fail(r->err, MG_ERR_UNSUPPORTED,
                      "%s: byte %lld: tensor '%s' keeps its data in an external file, which "
                      "modelgate does not read; save the model with its tensors inside "
                      "(onnx.save_model(..., save_as_external_data=False))",
                      r->path, (long long)(r->p - r->base), name && *name ? *name : "");
    if (st == MG_OK && ndims > OX_MAX_RANK)
        st = bad(r, "tensor has more than 8 dimensions");
    int64_t count = 1;
    for (int64_t d = 0; st == MG_OK && d < ndims; d++) {
        if (dims[d] < 0 || (dims[d] > 0 && count > INT64_MAX / dims[d]))
            st = bad(r, "tensor dimension negative or too large");
        else
            count *= dims[d];
    }
    char sc = ox__storage((int)dtype);
    if (st == MG_OK && sc == 0)
        st = mg__fail(r->err, MG_ERR_UNSUPPORTED, "%s: byte %lld: tensor '%s' has data type %lld, "
                      "which modelgate does not support",
                      r->path, (long long)(r->p - r->base), name && *name ? *name : "",
                      (long long)dtype);
    /* The element count must match the data present before anything is sized by it. */
    int64_t present = 0;
    int width = 0;
    if (st == MG_OK) {
        if (raw != NULL) {
            switch (dtype) {
            case OX_FLOAT: case OX_INT32: case OX_UINT32: width = 4; break;
            case OX_DOUBLE: case OX_INT64: case OX_UINT64: width = 8; break;
            case OX_INT8: case OX_UINT8: case OX_BOOL: width = 1; break;
            case OX_INT16: case OX_UINT16: width = 2; break;
            default: st = bad(r, "raw_data for a string tensor");
            }
            if (st == MG_OK && rawlen % (size_t)width != 0)
                st = bad(r, "raw_data length is not a multiple of the element size");
            present = width ? (int64_t)(rawlen / (size_t)width) : 0;
        } else {
            present = sc == 's' ? nstrs : (dtype == OX_FLOAT || dtype == OX_DOUBLE) ? nreals : nints;
        }
        if (st == MG_OK && present != count)
            st = bad(r, "tensor's element count does not match its dimensions");
    }
    if (st == MG_OK) {
        t->dtype = (int)dtype;
        t->rank = (int)ndims;
        for (int d = 0; d < t->rank; d++)
            t->dims[d] = dims[d];
        t->n = count;
        size_t cells = (size_t)(count > 0 ? count : 1);
        if (sc == 'f') {
            if (raw == NULL) {
                t->f = reals;
                reals = NULL;
            } else if ((t->f = mg__malloc_array(cells, sizeof(double))) != NULL) {
                for (int64_t k = 0; k < count; k++)
                    t->f[k] = width == 4 ? get_f32(raw + 4 * k) : get_f64(raw + 8 * k);
            }
            if (t->f == NULL && (t->f = mg__calloc(1, sizeof(double))) == NULL)
                st = mg__nomem(r->err, "a tensor");
        } else if (sc == 'i') {
            if (raw == NULL) {
                t->i = ints;
                ints = NULL;
                /* int32_data holds int32 values sign-extended as varints already. */
            } else if ((t->i = mg__malloc_array(cells, sizeof(int64_t))) != NULL) {
                for (int64_t k = 0; k < count; k++) {
                    const uint8_t *q = raw + (size_t)k * (size_t)width;
                    uint64_t u = 0;
                    for (int b = width - 1; b >= 0; b--)
                        u = u << 8 | q[b];
                    int64_t x = (int64_t)u;
                    if (dtype == OX_INT32)
                        x = (int32_t)(uint32_t)u;
                    else if (dtype == OX_INT16)
                        x = (int16_t)(uint16_t)u;
                    else if (dtype == OX_INT8)
                        x = (int8_t)(uint8_t)u;
                    t->i[k] = x;
                }
            }
            if (t->i == NULL && (t->i = mg__calloc(1, sizeof(int64_t))) == NULL)
                st = mg__nomem(r->err, "a tensor");
        } else {
            t->s = strs;
            strs = NULL;
            if (t->s == NULL && (t->s = mg__calloc(1, sizeof(char *))) == NULL)
                st = mg__nomem(r->err, "a tensor");
        }
    }
    free(dims);
    free(reals);
    free(ints);
    for (int64_t k = 0; k < nstrs && strs != NULL; k++)
        free(strs[k]);
    free(strs);
    if (st != MG_OK)
        ox__tensor_release(t);
    return st;
}

/* ---- AttributeProto, NodeProto --------------------------------------------------- */

static mg_status attribute(rd *r, ox_attr *a) {
    int64_t capf = 0, capi = 0, caps = 0;
    mg_status st = MG_OK;
    while (st == MG_OK && r->p < r->end) {
        uint32_t f;
        int w;
        uint64_t v;
        rd s;
        if ((st = tag(r, &f, &w)) != MG_OK)
            break;
        switch (f) {
        case 1:
            st = string(r, w, &a->name);
            break;
        case 2:
            if ((st = want(r, w, 5)) == MG_OK) {
                if (r->end - r->p < 4) {
                    st = bad(r, "truncated float");
                } else {
                    a->f = get_f32(r->p);
                    r->p += 4;
                    a->has_f = true;
                }
            }
            break;
        case 3:
            if ((st = want(r, w, 0)) == MG_OK && (st = varint(r, &v)) == MG_OK) {
                a->i = (int64_t)v;
                a->has_i = true;
            }
            break;
        case 4:
            if ((st = string(r, w, &a->s)) == MG_OK)
                a->has_s = true;
            break;
        case 5:
            if ((st = want(r, w, 2)) == MG_OK && (st = sub(r, &s)) == MG_OK) {
                ox_tensor *t = mg__calloc(1, sizeof *t);
                if (t == NULL) {
                    st = mg__nomem(r->err, "a tensor");
                    break;
                }
                if ((st = tensor(&s, t, NULL)) != MG_OK) {
                    free(t);
                    break;
                }
                if (a->t != NULL) {
                    ox__tensor_release(a->t);
                    free(a->t);
                }
                a->t = t;
            }
            break;
        case 6:
            a->has_g = true;
            st = skip(r, w);
            break;
        case 7:
            st = push_reals(r, w, 4, &a->floats, &a->nfloats, &capf);
            break;
        case 8:
            st = push_ints(r, w, &a->ints, &a->nints, &capi);
            break;
        case 9:
            st = push_string(r, w, &a->strings, &a->nstrings, &caps);
            break;
        case 20:
            if ((st = want(r, w, 0)) == MG_OK && (st = varint(r, &v)) == MG_OK)
                a->type = (int)(v & 0xffff);
            break;
        case 21:
            st = mg__fail(r->err, MG_ERR_UNSUPPORTED,
                          "%s: byte %lld: attribute references (functions) are not supported",
                          r->path, (long long)(r->p - r->base));
            break;
        default:
            st = skip(r, w);
        }
    }
    if (st == MG_OK && a->name == NULL)
        st = bad(r, "attribute without a name");
    return st;
}

static void attr_release(ox_attr *a) {
    free(a->name);
    free(a->s);
    if (a->t != NULL) {
        ox__tensor_release(a->t);
        free(a->t);
    }
    free(a->floats);
    free(a->ints);
    for (int64_t k = 0; k < a->nstrings; k++)
        free(a->strings[k]);
    free(a->strings);
}

static mg_status node(rd *r, ox_node *n) {
    int64_t ni = 0, capi = 0, no = 0, capo = 0, na = 0, capa = 0;
    mg_status st = MG_OK;
    while (st == MG_OK && r->p < r->end) {
        uint32_t f;
        int w;
        rd s;
        if ((st = tag(r, &f, &w)) != MG_OK)
            break;
        switch (f) {
        case 1:
            st = push_string(r, w, &n->inputs, &ni, &capi);
            n->ninputs = (int)ni;
            break;
        case 2:
            st = push_string(r, w, &n->outputs, &no, &capo);
            n->noutputs = (int)no;
            break;
        case 3:
            st = string(r, w, &n->name);
            break;
        case 4:
            st = string(r, w, &n->op_type);
            break;
        case 7:
            st = string(r, w, &n->domain);
            break;
        case 5:
            if ((st = want(r, w, 2)) != MG_OK || (st = sub(r, &s)) != MG_OK)
                break;
            if ((st = grow(r, (void **)&n->attrs, &na, &capa, sizeof(ox_attr))) != MG_OK)
                break;
            memset(&n->attrs[na], 0, sizeof(ox_attr));
            n->nattrs = (int)++na;
            st = attribute(&s, &n->attrs[na - 1]);
            break;
        default:
            st = skip(r, w);
        }
    }
    if (st == MG_OK && n->op_type == NULL)
        st = bad(r, "node without an op_type");
    if (st == MG_OK && n->name == NULL && (n->name = mg__strdup("")) == NULL)
        st = mg__nomem(r->err, "a node");
    if (st == MG_OK && n->domain == NULL && (n->domain = mg__strdup("")) == NULL)
        st = mg__nomem(r->err, "a node");
    return st;
}

/* ---- ValueInfoProto / TypeProto --------------------------------------------------- */

static mg_status shape(rd *r, ox_value_info *vi) {
    vi->rank = 0;
    while (r->p < r->end) {
        uint32_t f;
        int w;
        rd s;
        MG_TRY(tag(r, &f, &w));
        if (f != 1) {
            MG_TRY(skip(r, w));
            continue;
        }
        MG_TRY(want(r, w, 2));
        MG_TRY(sub(r, &s));
        if (vi->rank >= OX_MAX_RANK)
            return bad(r, "a value has more than 8 dimensions");
        int64_t d = -1;
        while (s.p < s.end) {
            uint32_t g;
            int gw;
            uint64_t v;
            MG_TRY(tag(&s, &g, &gw));
            if (g == 1 && gw == 0) {
                MG_TRY(varint(&s, &v));
                d = (int64_t)v;
            } else {
                MG_TRY(skip(&s, gw));
            }
        }
        vi->dims[vi->rank++] = d;
    }
    return MG_OK;
}

static mg_status type_proto(rd *r, ox_value_info *vi, int depth) {
    if (depth > 4)
        return bad(r, "types nested too deeply");
    while (r->p < r->end) {
        uint32_t f;
        int w;
        uint64_t v;
        rd s;
        MG_TRY(tag(r, &f, &w));
        if (w != 2 || (f != 1 && f != 4 && f != 5)) {
            MG_TRY(skip(r, w));
            continue;
        }
        MG_TRY(sub(r, &s));
        if (depth == 0)
            vi->kind = f == 1 ? 't' : f == 4 ? 'q' : 'm';
        while (s.p < s.end) {
            uint32_t g;
            int gw;
            MG_TRY(tag(&s, &g, &gw));
            if (f == 1 && g == 1 && gw == 0) {
                MG_TRY(varint(&s, &v));
                vi->elem_type = (int)(v & 0xffff);
            } else if (f == 1 && g == 2 && gw == 2 && depth == 0) {
                rd sh;
                MG_TRY(sub(&s, &sh));
                MG_TRY(shape(&sh, vi));
            } else if ((f == 4 && g == 1 && gw == 2) || (f == 5 && g == 2 && gw == 2)) {
                rd in;
                MG_TRY(sub(&s, &in));
                MG_TRY(type_proto(&in, vi, depth + 1));
            } else {
                MG_TRY(skip(&s, gw));
            }
        }
    }
    return MG_OK;
}

static mg_status value_info(rd *r, ox_value_info *vi) {
    vi->rank = -1;
    while (r->p < r->end) {
        uint32_t f;
        int w;
        rd s;
        MG_TRY(tag(r, &f, &w));
        if (f == 1) {
            MG_TRY(string(r, w, &vi->name));
        } else if (f == 2) {
            MG_TRY(want(r, w, 2));
            MG_TRY(sub(r, &s));
            MG_TRY(type_proto(&s, vi, 0));
        } else {
            MG_TRY(skip(r, w));
        }
    }
    if (vi->name == NULL)
        return bad(r, "graph input or output without a name");
    return MG_OK;
}

/* ---- GraphProto, ModelProto ---------------------------------------------------------- */

static mg_status graph(rd *r, ox_graph *g) {
    int64_t nn = 0, capn = 0, nt = 0, capt = 0, capnames = 0, ntn = 0, nin = 0, capin = 0,
            nout = 0, capout = 0;
    while (r->p < r->end) {
        uint32_t f;
        int w;
        rd s;
        MG_TRY(tag(r, &f, &w));
        switch (f) {
        case 1:
            MG_TRY(want(r, w, 2));
            MG_TRY(sub(r, &s));
            MG_TRY(grow(r, (void **)&g->nodes, &nn, &capn, sizeof(ox_node)));
            memset(&g->nodes[nn], 0, sizeof(ox_node));
            g->nnodes = (int)++nn;
            MG_TRY(node(&s, &g->nodes[nn - 1]));
            break;
        case 5:
            MG_TRY(want(r, w, 2));
            MG_TRY(sub(r, &s));
            MG_TRY(grow(r, (void **)&g->inits, &nt, &capt, sizeof(ox_tensor)));
            MG_TRY(grow(r, (void **)&g->init_names, &ntn, &capnames, sizeof(char *)));
            memset(&g->inits[nt], 0, sizeof(ox_tensor));
            g->init_names[ntn++] = NULL;
            g->ninits = (int)++nt; /* counted first: a failure below is released too */
            MG_TRY(tensor(&s, &g->inits[nt - 1], &g->init_names[ntn - 1]));
            if (g->init_names[nt - 1] == NULL)
                return bad(r, "initializer without a name");
            break;
        case 15:
            return mg__fail(r->err, MG_ERR_UNSUPPORTED,
                            "%s: byte %lld: sparse initializers are not supported", r->path,
                            (long long)(r->p - r->base));
        case 11:
        case 12: {
            ox_value_info **arr = f == 11 ? &g->inputs : &g->outputs;
            int64_t *n = f == 11 ? &nin : &nout, *cap = f == 11 ? &capin : &capout;
            MG_TRY(want(r, w, 2));
            MG_TRY(sub(r, &s));
            MG_TRY(grow(r, (void **)arr, n, cap, sizeof(ox_value_info)));
            memset(&(*arr)[*n], 0, sizeof(ox_value_info));
            (*n)++;
            if (f == 11)
                g->ninputs = (int)nin;
            else
                g->noutputs = (int)nout;
            MG_TRY(value_info(&s, &(*arr)[*n - 1]));
            break;
        }
        default:
            MG_TRY(skip(r, w));
        }
    }
    return MG_OK;
}

static mg_status model(rd *r, ox_model *m) {
    int64_t nops = 0, capops = 0;
    bool has_graph = false;
    while (r->p < r->end) {
        uint32_t f;
        int w;
        uint64_t v;
        rd s;
        MG_TRY(tag(r, &f, &w));
        switch (f) {
        case 1:
            MG_TRY(want(r, w, 0));
            MG_TRY(varint(r, &v));
            m->ir_version = (int64_t)v;
            break;
        case 7:
            if (has_graph)
                return bad(r, "two graphs in one model");
            MG_TRY(want(r, w, 2));
            MG_TRY(sub(r, &s));
            has_graph = true;
            MG_TRY(graph(&s, &m->graph));
            break;
        case 8:
            MG_TRY(want(r, w, 2));
            MG_TRY(sub(r, &s));
            MG_TRY(grow(r, (void **)&m->opsets, &nops, &capops, sizeof(ox_opset)));
            memset(&m->opsets[nops], 0, sizeof(ox_opset));
            m->nopsets = (int)++nops;
            while (s.p < s.end) {
                uint32_t g;
                int gw;
                MG_TRY(tag(&s, &g, &gw));
                if (g == 1) {
                    MG_TRY(string(&s, gw, &m->opsets[nops - 1].domain));
                } else if (g == 2) {
                    MG_TRY(want(&s, gw, 0));
                    MG_TRY(varint(&s, &v));
                    m->opsets[nops - 1].version = (int64_t)v;
                } else {
                    MG_TRY(skip(&s, gw));
                }
            }
            break;
        case 25:
            return mg__fail(r->err, MG_ERR_UNSUPPORTED,
                            "%s: byte %lld: model-local functions are not supported", r->path,
                            (long long)(r->p - r->base));
        default:
            MG_TRY(skip(r, w));
        }
    }
    if (!has_graph)
        return bad(r, "no graph");
    return MG_OK;
}

mg_status ox__decode(const char *path, const uint8_t *data, size_t len, ox_model *m,
                     mg_error *err) {
    memset(m, 0, sizeof *m);
    rd r = {data, data, data + len, path, err};
    mg_status st = model(&r, m);
    if (st != MG_OK)
        ox__model_release(m);
    return st;
}

void ox__model_release(ox_model *m) {
    ox_graph *g = &m->graph;
    for (int k = 0; k < g->nnodes; k++) {
        ox_node *n = &g->nodes[k];
        if (n->op != NULL && n->op->release != NULL && n->impl != NULL)
            n->op->release(n->impl);
        free(n->name);
        free(n->op_type);
        free(n->domain);
        for (int j = 0; j < n->ninputs; j++)
            free(n->inputs[j]);
        free(n->inputs);
        for (int j = 0; j < n->noutputs; j++)
            free(n->outputs[j]);
        free(n->outputs);
        for (int j = 0; j < n->nattrs; j++)
            attr_release(&n->attrs[j]);
        free(n->attrs);
        free(n->in_slot);
        free(n->out_slot);
    }
    free(g->nodes);
    for (int k = 0; k < g->ninits; k++) {
        ox__tensor_release(&g->inits[k]);
        free(g->init_names[k]);
    }
    free(g->inits);
    free(g->init_names);
    for (int k = 0; k < g->ninputs; k++)
        free(g->inputs[k].name);
    free(g->inputs);
    for (int k = 0; k < g->noutputs; k++)
        free(g->outputs[k].name);
    free(g->outputs);
    for (int k = 0; k < m->nopsets; k++)
        free(m->opsets[k].domain);
    free(m->opsets);
    memset(m, 0, sizeof *m);
}

/* Content detection: the top level parses as protobuf fields, carries an
 * ir_version varint (field 1) and a graph (field 7). */
bool mg__onnx_detect(const uint8_t *data, size_t len) {
    mg_error e;
    rd r = {data, data, data + len, "", &e};
    bool ir = false, graph_seen = false;
    if (len < 4 || data[0] != 0x08)
        return false;
    while (r.p < r.end) {
        uint32_t f;
        int w;
        uint64_t v;
        if (tag(&r, &f, &w) != MG_OK)
            return false;
        if (f == 1 && w == 0) {
            if (varint(&r, &v) != MG_OK || v == 0 || v > 100)
                return false;
            ir = true;
            continue;
        }
        if (f == 7 && w == 2)
            graph_seen = true;
        if (f > 100 || skip(&r, w) != MG_OK)
            return false;
    }
    return ir && graph_seen;
}
