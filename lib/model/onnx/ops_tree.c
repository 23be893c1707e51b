/* ops_tree.c - TreeEnsembleClassifier and TreeEnsembleRegressor (ai.onnx.ml 1
 * and 3). The attribute arrays are compiled into one flat array of nodes per
 * ensemble, each tree laid out depth first from its root so that a walk reads
 * neighbouring memory; leaves point into one array of (class, weight) pairs.
 * Aggregation, base values and the binary-class rules follow ONNX Runtime so
 * that scores match it. */
#include "model/onnx/onnx.h"

#include <math.h>

enum { M_LEQ, M_LT, M_GTE, M_GT, M_EQ, M_NEQ, M_LEAF };
enum { AGG_SUM, AGG_AVERAGE, AGG_MIN, AGG_MAX };
/* Walkers: every branch BRANCH_LEQ without missing tracking (XGBoost and
 * LightGBM exports without NaN), BRANCH_LEQ with it, and any mix of modes. */
enum { W_SIMPLE, W_LEQ_MISSING, W_ANY };
/* Rows per block: each tree is walked for a block of rows before the next
 * tree, so that its nodes stay in cache. */
enum { BLOCK = 64 };

typedef struct tnode {
    double thr;
    int32_t feat;
    int32_t t, f; /* children; for a leaf: first weight and weight count */
    uint8_t mode;
    uint8_t miss_true;
} tnode;

typedef struct ensemble {
    bool classifier;
    int agg;
    int pt;
    int64_t k; /* targets or classes */
    tnode *nodes;
    int64_t nnodes;
    int32_t *roots;
    int64_t ntrees;
    int32_t *wclass;
    double *wval;
    int64_t nweights;
    double *base;
    int64_t nbase;
    int32_t max_feat;
    int walker; /* W_SIMPLE, W_LEQ_MISSING or W_ANY */
    bool binary_case, all_positive;
} ensemble;

static void ens_release(void *p) {
    ensemble *e = p;
    free(e->nodes);
    free(e->roots);
    free(e->wclass);
    free(e->wval);
    free(e->base);
    free(e);
}

static int mode_of(const char *s) {
    static const char *const names[] = {"BRANCH_LEQ", "BRANCH_LT", "BRANCH_GTE", "BRANCH_GT",
                                        "BRANCH_EQ",  "BRANCH_NEQ", "LEAF"};
    for (int k = 0; k < 7; k++)
        if (strcmp(s, names[k]) == 0)
            return k;
    return -1;
}

typedef struct key {
    int64_t tree, node;
    int64_t idx;
} key;

static int key_cmp(const void *a, const void *b) {
    const key *x = a, *y = b;
    if (x->tree != y->tree)
        return x->tree < y->tree ? -1 : 1;
    if (x->node != y->node)
        return x->node < y->node ? -1 : 1;
    return 0;
}

static int64_t find_key(const key *keys, int64_t n, int64_t tree, int64_t node) {
    int64_t lo = 0, hi = n;
    while (lo < hi) {
        int64_t mid = lo + (hi - lo) / 2;
        key probe = {tree, node, 0};
        int c = key_cmp(&keys[mid], &probe);
        if (c == 0)
            return keys[mid].idx;
        if (c < 0)
            lo = mid + 1;
        else
            hi = mid;
    }
    return -1;
}

static const int64_t *ints_attr(const ox_node *n, const char *name, int64_t *count) {
    const ox_attr *a = ox__attr(n, name);
    *count = a != NULL ? a->nints : 0;
    return a != NULL ? a->ints : NULL;
}

/* Builds the flat tree array by walking each tree depth first from its root. */
static mg_status layout(const ox_node *n, ensemble *e, const key *keys, int64_t nn,
                        const int64_t *tids, const int64_t *nids, const int64_t *feats,
                        char *const *modes, const double *vals, const int64_t *tnodes,
                        const int64_t *fnodes, const int64_t *miss, int64_t nmiss,
                        const int64_t *leaf_first, const int64_t *leaf_count, mg_error *err) {
    int64_t *stack = mg__malloc_array((size_t)nn + 1, sizeof(int64_t));
    int64_t *placed = mg__malloc_array((size_t)nn + 1, sizeof(int64_t)); /* attr index -> flat */
    int64_t *child_of = mg__calloc((size_t)nn + 1, sizeof(int64_t));
    mg_status st = MG_OK;
    if (stack == NULL || placed == NULL || child_of == NULL)
        st = mg__nomem(err, "a tree ensemble");
    for (int64_t i = 0; st == MG_OK && i < nn; i++)
        placed[i] = -1;
    /* Children of every branch; roots are nodes nobody points to. */
    for (int64_t i = 0; st == MG_OK && i < nn; i++) {
        int md = mode_of(modes[i]);
        if (md < 0) {
            st = ox__node_fail(err, n, MG_ERR_FORMAT, "node mode '%s' is not one of BRANCH_LEQ, "
                               "BRANCH_LT, BRANCH_GTE, BRANCH_GT, BRANCH_EQ, BRANCH_NEQ, LEAF",
                               modes[i]);
            break;
        }
        if (md == M_LEAF)
            continue;
        int64_t ct = find_key(keys, nn, tids[i], tnodes[i]);
        int64_t cf = find_key(keys, nn, tids[i], fnodes[i]);
        if (ct < 0 || cf < 0) {
            st = ox__node_fail(err, n, MG_ERR_FORMAT,
                               "tree %lld node %lld points to a node that does not exist",
                               (long long)tids[i], (long long)nids[i]);
            break;
        }
        child_of[ct]++;
        child_of[cf]++;
    }
    int64_t out = 0;
    for (int64_t i = 0; st == MG_OK && i < nn; i++) {
        if (child_of[i] != 0 || placed[i] >= 0)
            continue;
        if (e->ntrees >= INT32_MAX) {
            st = ox__node_fail(err, n, MG_ERR_FORMAT, "too many trees");
            break;
        }
        e->roots[e->ntrees++] = (int32_t)out;
        /* Depth first, true branch first; each node placed once. */
        int64_t sp = 0;
        stack[sp++] = i;
        while (sp > 0 && st == MG_OK) {
            int64_t a = stack[--sp];
            if (placed[a] >= 0) {
                st = ox__node_fail(err, n, MG_ERR_FORMAT,
                                   "tree %lld node %lld is reached twice (not a tree)",
                                   (long long)tids[a], (long long)nids[a]);
                break;
            }
            placed[a] = out++;
            int md = mode_of(modes[a]);
            if (md != M_LEAF) {
                stack[sp++] = find_key(keys, nn, tids[a], fnodes[a]);
                stack[sp++] = find_key(keys, nn, tids[a], tnodes[a]);
                if (sp > nn) {
                    st = ox__node_fail(err, n, MG_ERR_FORMAT, "tree %lld is not a tree",
                                       (long long)tids[a]);
                    break;
                }
            }
        }
    }
    if (st == MG_OK && out != nn)
        st = ox__node_fail(err, n, MG_ERR_FORMAT,
                           "%lld nodes are not reachable from a tree root (cycle)",
                           (long long)(nn - out));
    bool all_leq = true, any_missing = false;
    for (int64_t i = 0; st == MG_OK && i < nn; i++) {
        tnode *d = &e->nodes[placed[i]];
        int md = mode_of(modes[i]);
        d->mode = (uint8_t)md;
        d->thr = vals != NULL ? vals[i] : 0;
        d->miss_true = nmiss > 0 && miss[i] != 0;
        if (md == M_LEAF) {
            d->feat = 0;
            d->t = (int32_t)leaf_first[i];
            d->f = (int32_t)leaf_count[i];
            continue;
        }
        if (feats[i] < 0 || feats[i] > INT32_MAX / 2) {
            st = ox__node_fail(err, n, MG_ERR_FORMAT, "tree %lld node %lld uses feature %lld",
                               (long long)tids[i], (long long)nids[i], (long long)feats[i]);
            break;
        }
        d->feat = (int32_t)feats[i];
        if (d->feat > e->max_feat)
            e->max_feat = d->feat;
        d->t = (int32_t)placed[find_key(keys, nn, tids[i], tnodes[i])];
        d->f = (int32_t)placed[find_key(keys, nn, tids[i], fnodes[i])];
        if (md != M_LEQ)
            all_leq = false;
        if (d->miss_true)
            any_missing = true;
    }
    e->walker = !all_leq ? W_ANY : any_missing ? W_LEQ_MISSING : W_SIMPLE;
    free(stack);
    free(placed);
    free(child_of);
    return st;
}

static mg_status ens_prep(ox_node *n, mg_error *err) {
    bool cls = strcmp(n->op_type, "TreeEnsembleClassifier") == 0;
    int64_t nn, c1, c2, c3, c4, nv, nmiss, nm;
    const int64_t *tids = ints_attr(n, "nodes_treeids", &nn);
    const int64_t *nids = ints_attr(n, "nodes_nodeids", &c1);
    const int64_t *feats = ints_attr(n, "nodes_featureids", &c2);
    const int64_t *tn = ints_attr(n, "nodes_truenodeids", &c3);
    const int64_t *fn = ints_attr(n, "nodes_falsenodeids", &c4);
    const int64_t *miss = ints_attr(n, "nodes_missing_value_tracks_true", &nmiss);
    const double *vals = ox__attr_floats(n, "nodes_values", &nv);
    const ox_attr *ma = ox__attr(n, "nodes_modes");
    nm = ma != NULL ? ma->nstrings : 0;
    const char *pre = cls ? "class" : "target";
    char a_ids[32], a_nodes[32], a_trees[32], a_w[32];
    snprintf(a_ids, sizeof a_ids, "%s_ids", pre);
    snprintf(a_nodes, sizeof a_nodes, "%s_nodeids", pre);
    snprintf(a_trees, sizeof a_trees, "%s_treeids", pre);
    snprintf(a_w, sizeof a_w, "%s_weights", pre);
    int64_t nw, w1, w2, w3;
    const int64_t *wids = ints_attr(n, a_ids, &nw);
    const int64_t *wnodes = ints_attr(n, a_nodes, &w1);
    const int64_t *wtrees = ints_attr(n, a_trees, &w2);
    const double *wvals = ox__attr_floats(n, a_w, &w3);
    if (nn == 0 || c1 != nn || c2 != nn || c3 != nn || c4 != nn || nm != nn ||
        (nv != nn && nv != 0) || (nmiss != 0 && nmiss != nn))
        return ox__node_fail(err, n, MG_ERR_FORMAT,
                             "the nodes_* attributes are missing or of different lengths");
    if (nv == 0)
        return ox__node_fail(err, n, MG_ERR_FORMAT, "nodes_values is missing");
    if (w1 != nw || w2 != nw || w3 != nw)
        return ox__node_fail(err, n, MG_ERR_FORMAT,
                             "the %s_* attributes are of different lengths", pre);
    if (nn > INT32_MAX / 4 || nw > INT32_MAX / 4)
        return ox__node_fail(err, n, MG_ERR_FORMAT, "too many nodes");
    ensemble *e = mg__calloc(1, sizeof *e);
    if (e == NULL)
        return mg__nomem(err, "a tree ensemble");
    n->impl = e;
    e->classifier = cls;
    MG_TRY(ox__post_transform(n, &e->pt, err));
    if (cls) {
        const ox_attr *ls = ox__attr(n, "classlabels_strings");
        const ox_attr *li = ox__attr(n, "classlabels_int64s");
        int64_t nls = ls ? ls->nstrings : 0, nli = li ? li->nints : 0;
        if ((nls > 0) == (nli > 0))
            return ox__node_fail(err, n, MG_ERR_FORMAT,
                                 "needs exactly one of classlabels_strings and classlabels_int64s");
        e->k = nls > 0 ? nls : nli;
        e->agg = AGG_SUM;
    } else {
        e->k = ox__attr_int(n, "n_targets", 1);
        if (e->k < 1 || e->k > 100000)
            return ox__node_fail(err, n, MG_ERR_FORMAT, "n_targets %lld", (long long)e->k);
        const char *agg = ox__attr_string(n, "aggregate_function", "SUM");
        static const char *const aggs[] = {"SUM", "AVERAGE", "MIN", "MAX"};
        e->agg = -1;
        for (int k = 0; k < 4; k++)
            if (strcmp(agg, aggs[k]) == 0)
                e->agg = k;
        if (e->agg < 0)
            return ox__node_fail(err, n, MG_ERR_FORMAT,
                                 "aggregate_function '%s' is not one of SUM, AVERAGE, MIN, MAX",
                                 agg);
    }
    const double *base = ox__attr_floats(n, "base_values", &e->nbase);
    if (e->nbase > 0) {
        if ((e->base = mg__malloc_array((size_t)e->nbase, sizeof(double))) == NULL)
            return mg__nomem(err, "a tree ensemble");
        memcpy(e->base, base, (size_t)e->nbase * sizeof(double));
    }
    key *keys = mg__malloc_array((size_t)nn, sizeof(key));
    int64_t *leaf_first = mg__calloc((size_t)nn, sizeof(int64_t));
    int64_t *leaf_count = mg__calloc((size_t)nn, sizeof(int64_t));
    int64_t *worder = mg__malloc_array((size_t)(nw > 0 ? nw : 1), sizeof(int64_t));
    e->nodes = mg__calloc((size_t)nn, sizeof(tnode));
    e->roots = mg__calloc((size_t)nn, sizeof(int32_t));
    e->wclass = mg__calloc((size_t)(nw > 0 ? nw : 1), sizeof(int32_t));
    e->wval = mg__calloc((size_t)(nw > 0 ? nw : 1), sizeof(double));
    e->nnodes = nn;
    e->nweights = nw;
    mg_status st = MG_OK;
    if (keys == NULL || leaf_first == NULL || leaf_count == NULL || worder == NULL ||
        e->nodes == NULL || e->roots == NULL || e->wclass == NULL || e->wval == NULL)
        st = mg__nomem(err, "a tree ensemble");
    for (int64_t i = 0; st == MG_OK && i < nn; i++) {
        keys[i].tree = tids[i];
        keys[i].node = nids[i];
        keys[i].idx = i;
    }
    if (st == MG_OK) {
        qsort(keys, (size_t)nn, sizeof(key), key_cmp);
        for (int64_t i = 1; i < nn; i++)
            if (keys[i].tree == keys[i - 1].tree && keys[i].node == keys[i - 1].node) {
                st = ox__node_fail(err, n, MG_ERR_FORMAT, "tree %lld has node %lld twice",
                                   (long long)keys[i].tree, (long long)keys[i].node);
                break;
            }
    }
    /* Leaf weights grouped by leaf (counting sort on the leaf's attribute index). */
    int64_t *wleaf = st == MG_OK ? mg__malloc_array((size_t)(nw > 0 ? nw : 1), sizeof(int64_t))
                                 : NULL;
    if (st == MG_OK && wleaf == NULL)
        st = mg__nomem(err, "a tree ensemble");
    for (int64_t j = 0; st == MG_OK && j < nw; j++) {
        int64_t leaf = find_key(keys, nn, wtrees[j], wnodes[j]);
        if (leaf < 0 || mode_of(ma->strings[leaf]) != M_LEAF) {
            st = ox__node_fail(err, n, MG_ERR_FORMAT,
                               "%s weight %lld names tree %lld node %lld, which is not a leaf",
                               pre, (long long)j, (long long)wtrees[j], (long long)wnodes[j]);
            break;
        }
        if (wids[j] < 0 || wids[j] >= e->k) {
            st = ox__node_fail(err, n, MG_ERR_FORMAT, "%s id %lld is outside 0..%lld", pre,
                               (long long)wids[j], (long long)e->k - 1);
            break;
        }
        wleaf[j] = leaf;
        leaf_count[leaf]++;
    }
    if (st == MG_OK) {
        int64_t acc = 0;
        for (int64_t i = 0; i < nn; i++) {
            leaf_first[i] = acc;
            acc += leaf_count[i];
        }
        int64_t *seen = mg__calloc((size_t)nn, sizeof(int64_t));
        if (seen == NULL) {
            st = mg__nomem(err, "a tree ensemble");
        } else {
            for (int64_t j = 0; j < nw; j++) {
                int64_t pos = leaf_first[wleaf[j]] + seen[wleaf[j]]++;
                e->wclass[pos] = (int32_t)wids[j];
                e->wval[pos] = wvals[j];
                worder[pos] = j;
            }
            free(seen);
        }
    }
    if (st == MG_OK)
        st = layout(n, e, keys, nn, tids, nids, feats, ma->strings, vals, tn, fn, miss, nmiss,
                    leaf_first, leaf_count, err);
    if (st == MG_OK && cls) {
        /* ONNX Runtime's binary rules: one class carries every weight. */
        e->all_positive = true;
        int64_t first = nw > 0 ? wids[0] : -1;
        bool one_class = true;
        for (int64_t j = 0; j < nw; j++) {
            if (wvals[j] < 0)
                e->all_positive = false;
            if (wids[j] != first)
                one_class = false;
        }
        e->binary_case = e->k == 2 && one_class && nw > 0;
    }
    free(wleaf);
    free(keys);
    free(leaf_first);
    free(leaf_count);
    free(worder);
    return st;
}

static inline const tnode *walk_simple(const tnode *nodes, int32_t root, const double *x) {
    const tnode *d = &nodes[root];
    while (d->mode != M_LEAF)
        d = &nodes[x[d->feat] <= d->thr ? d->t : d->f];
    return d;
}

static inline const tnode *walk_leq_missing(const tnode *nodes, int32_t root, const double *x) {
    const tnode *d = &nodes[root];
    while (d->mode != M_LEAF) {
        double v = x[d->feat];
        d = &nodes[(v <= d->thr || (d->miss_true && isnan(v))) ? d->t : d->f];
    }
    return d;
}

static inline const tnode *walk_any(const tnode *nodes, int32_t root, const double *x) {
    const tnode *d = &nodes[root];
    while (d->mode != M_LEAF) {
        double v = x[d->feat];
        bool go;
        switch (d->mode) {
        case M_LEQ: go = v <= d->thr; break;
        case M_LT: go = v < d->thr; break;
        case M_GTE: go = v >= d->thr; break;
        case M_GT: go = v > d->thr; break;
        case M_EQ: go = v == d->thr; break;
        default: go = v != d->thr; break;
        }
        if (d->miss_true && isnan(v))
            go = true;
        d = &nodes[go ? d->t : d->f];
    }
    return d;
}

/* Adds tree `t`'s leaf for rows [0, nb) of the block xb (stride cols) into
 * their scores sc/has (stride zk). */
static void block_tree(const ensemble *e, int64_t t, const double *xb, int64_t nb, int64_t cols,
                       double *sc, unsigned char *has, int64_t zk) {
    int32_t root = e->roots[t];
    for (int64_t b = 0; b < nb; b++) {
        const double *xr = xb + b * cols;
        const tnode *leaf = e->walker == W_SIMPLE        ? walk_simple(e->nodes, root, xr)
                            : e->walker == W_LEQ_MISSING ? walk_leq_missing(e->nodes, root, xr)
                                                         : walk_any(e->nodes, root, xr);
        double *s = sc + b * zk;
        unsigned char *h = has + b * zk;
        for (int32_t w = leaf->t; w < leaf->t + leaf->f; w++) {
            int32_t c = e->wclass[w];
            double v = e->wval[w];
            if (e->agg == AGG_MIN)
                s[c] = (!h[c] || v < s[c]) ? v : s[c];
            else if (e->agg == AGG_MAX)
                s[c] = (!h[c] || v > s[c]) ? v : s[c];
            else
                s[c] += v;
            h[c] = 1;
        }
    }
}

/* Final scores of one row from the aggregated sums (ONNX Runtime's rules). */
static void finalize(const ensemble *e, double *sc, const unsigned char *has, double *z) {
    int64_t k = e->k;
    if (!e->classifier) {
        if (k == 1) {
            double origin = e->nbase == 1 ? e->base[0] : 0;
            double v = sc[0];
            if (e->agg == AGG_AVERAGE)
                v = v / (double)e->ntrees + origin;
            else if (e->agg == AGG_SUM)
                v += origin;
            else
                v = has[0] ? v + origin : origin;
            z[0] = e->pt == OX_PT_PROBIT ? ox__probit(v) : v;
            return;
        }
        /* A target no leaf reached is written as 0, base value or not
         * (ONNX Runtime writes a score only where one was aggregated). */
        bool use_base = e->nbase == k;
        for (int64_t j = 0; j < k; j++) {
            double b = use_base ? e->base[j] : 0;
            if (!has[j])
                z[j] = 0;
            else if (e->agg == AGG_AVERAGE)
                z[j] = sc[j] / (double)e->ntrees + b;
            else
                z[j] = sc[j] + b;
        }
        ox__apply_transform(z, k, e->pt);
        return;
    }
    if (k > 2) {
        for (int64_t j = 0; j < k; j++)
            z[j] = j < e->nbase ? sc[j] + e->base[j] : has[j] ? sc[j] : 0;
        ox__apply_transform(z, k, e->pt);
        return;
    }
    double s0 = sc[0], s1 = sc[1];
    bool h0 = has[0], h1 = has[1];
    int size = 2, wadd = -1;
    if (e->nbase == 2) {
        if (h1) {
            s1 = e->base[1] + s0;
            s0 = -s1;
            h0 = true;
        } else {
            s1 += e->base[1];
            s0 += e->base[0];
        }
    } else if (e->nbase == 1) {
        s0 += e->base[0];
        if (!h1)
            size = 1;
    } else if (e->nbase == 0) {
        wadd = 3;
        if (!h1)
            size = 1;
    }
    double pos = (size == 2 && h1) ? s1 : (h0 ? s0 : 0);
    if (e->binary_case) {
        if (e->all_positive)
            wadd = pos > 0.5 ? 0 : 1;
        else
            wadd = pos > 0 ? 2 : 3;
    }
    if (size == 2) {
        z[0] = h0 ? s0 : 0;
        z[1] = h1 ? s1 : 0;
        ox__apply_transform(z, 2, e->pt);
        return;
    }
    if (e->pt == OX_PT_PROBIT) {
        z[0] = ox__probit(s0);
        z[1] = 0;
        return;
    }
    switch (wadd) {
    case 0:
    case 1:
        z[0] = 1 - s0;
        z[1] = s0;
        break;
    case 2:
    case 3:
        if (e->pt == OX_PT_LOGISTIC) {
            z[0] = ox__logistic(-s0);
            z[1] = ox__logistic(s0);
        } else if (wadd == 2) {
            z[0] = -s0;
            z[1] = s0;
        } else {
            z[0] = s0;
            z[1] = -s0;
        }
        break;
    default:
        z[0] = s0;
        z[1] = 0;
    }
}

static mg_status ens_run(const ox_node *n, const ox_tensor *const *in, ox_tensor **out,
                         mg_error *err) {
    const ensemble *e = n->impl;
    const ox_tensor *x = in[0];
    int64_t rows, cols;
    MG_TRY(ox__as_matrix(n, x, &rows, &cols, err));
    if (x->s != NULL)
        return ox__node_fail(err, n, MG_ERR_DATA, "takes numbers, got strings");
    if (e->max_feat >= cols)
        return ox__node_fail(err, n, MG_ERR_DATA, "uses feature %d but its input has %lld columns",
                             e->max_feat, (long long)cols);
    int64_t zk = e->classifier ? (e->k < 2 ? 2 : e->k) : e->k;
    int64_t dz[2] = {rows, zk};
    ox_tensor *z = e->classifier ? out[1] : out[0];
    ox_tensor ztmp;
    if (z == NULL)
        z = &ztmp;
    MG_TRY(ox__tensor_alloc(z, OX_FLOAT, 2, dz, err));
    double *sc = mg__calloc((size_t)(BLOCK * zk + 1), sizeof(double));
    unsigned char *has = mg__calloc((size_t)(BLOCK * zk + 1), 1);
    /* Integer inputs are converted a block at a time; float rows are read in place. */
    double *xbuf = x->f == NULL ? mg__calloc((size_t)(BLOCK * cols + 1), sizeof(double)) : NULL;
    ox_tensor *lab = e->classifier ? out[0] : NULL;
    mg_status st = MG_OK;
    if (sc == NULL || has == NULL || (x->f == NULL && xbuf == NULL))
        st = mg__nomem(err, "tree scores");
    const ox_attr *ls = e->classifier ? ox__attr(n, "classlabels_strings") : NULL;
    const ox_attr *li = e->classifier ? ox__attr(n, "classlabels_int64s") : NULL;
    if (st == MG_OK && lab != NULL)
        st = ox__tensor_alloc(lab, ls && ls->nstrings ? OX_STRING : OX_INT64, 1, &rows, err);
    for (int64_t r0 = 0; st == MG_OK && r0 < rows; r0 += BLOCK) {
        int64_t nb = rows - r0 < BLOCK ? rows - r0 : BLOCK;
        const double *xb = x->f != NULL ? x->f + r0 * cols : xbuf;
        if (x->f == NULL)
            for (int64_t k = 0; k < nb * cols; k++)
                xbuf[k] = (double)x->i[r0 * cols + k];
        memset(sc, 0, (size_t)(nb * zk) * sizeof(double));
        memset(has, 0, (size_t)(nb * zk));
        for (int64_t t = 0; t < e->ntrees; t++)
            block_tree(e, t, xb, nb, cols, sc, has, zk);
        for (int64_t b = 0; b < nb && st == MG_OK; b++) {
            int64_t r = r0 + b;
            double *zr = z->f + r * zk;
            finalize(e, sc + b * zk, has + b * zk, zr);
            if (lab == NULL)
                continue;
            /* The label: the class with the highest final score (ties: first). */
            int64_t best = 0;
            if (e->k > 2) {
                for (int64_t c = 1; c < e->k; c++)
                    if (zr[c] > zr[best])
                        best = c;
            } else {
                best = zr[1] > zr[0] ? 1 : 0;
            }
            if (lab->s != NULL) {
                if ((lab->s[r] = mg__strdup(ls->strings[best])) == NULL)
                    st = mg__nomem(err, "labels");
            } else {
                lab->i[r] = li != NULL && best < li->nints ? li->ints[best] : best;
            }
        }
    }
    free(xbuf);
    free(sc);
    free(has);
    if (z == &ztmp)
        ox__tensor_release(&ztmp);
    return st;
}

const ox_op ox__ops_tree[] = {
    {"ai.onnx.ml", "TreeEnsembleClassifier", 1, 1, 1, 2, ens_prep, ens_run, ens_release},
    {"ai.onnx.ml", "TreeEnsembleRegressor", 1, 1, 1, 1, ens_prep, ens_run, ens_release},
    {NULL, NULL, 0, 0, 0, 0, NULL, NULL, NULL},
};
