/* xgboost_check.c - checks an XGBoost model's structure before libxgboost
 * loads it. libxgboost 1.7 trusts what it reads: a tree count larger than the
 * trees present, a short tree_info, a child index outside the tree or back up
 * it, a split index beyond the features or a legacy binary claiming more nodes
 * than its bytes hold crash it, hang it in a cycle or make it allocate
 * gigabytes. Every count is compared with what is present and every index with
 * its range here, so that such a file is one clear error naming the tree and
 * the node. */
#include "model/xgboost.h"

/* Categories are floats in the data: beyond 2^24 they are not exact, and
 * libxgboost allocates a bit per category up to the largest. */
#define XGB_MAX_CATEGORY (1 << 24)
#define XGB_MAX_CLASSES 1000000
/* libxgboost gives each categorical split a bit set up to its largest
 * category: a few bytes of JSON ("[16777215]") become 2 MB. Their total may
 * not exceed this many bytes plus XGB_CAT_BYTES_PER_BYTE per byte of file. */
#define XGB_CAT_BYTES_BASE ((uint64_t)64 << 20)
#define XGB_CAT_BYTES_PER_BYTE 64

/* Every key the check reads. An object's members are found in one pass over
 * it (a tree's twenty arrays cost one walk, not twenty), and one of these keys
 * appearing twice in an object is refused: readers differ on which copy wins,
 * and the check must read the same one libxgboost does. */
static const char *const known_keys[] = {
    "learner", "learner_model_param", "gradient_booster", "num_feature", "num_class",
    "num_target", "name", "model", "gbtree", "weight_drop", "weights", "gbtree_model_param",
    "num_trees", "num_parallel_tree", "trees", "tree_info", "id", "tree_param", "num_nodes",
    "left_children", "right_children", "parents", "split_indices", "split_conditions",
    "default_left", "base_weights", "loss_changes", "sum_hessian", "split_type",
    "categories_nodes", "categories_segments", "categories_sizes", "categories"};
#define NKEYS ((int)MG_ARRAY_LEN(known_keys))
#define CACHE_SLOTS 4

typedef struct member_cache {
    bool used;
    size_t off, end;
    mg__doc_value vals[NKEYS];
} member_cache;

typedef struct checker {
    const char *name;
    const uint8_t *doc;
    size_t len;
    bool ubj;
    mg_error *err;
    int64_t nfeature, ngroups;
    uint64_t cat_bytes; /* the category bit sets libxgboost would allocate so far */
    bool failed;        /* err holds the first refusal; later ones do not replace it */
    member_cache cache[CACHE_SLOTS];
    int next_slot;
} checker;

/* Sets the refusal unless one is already set (the first cause is the one to
 * name); always MG_ERR_FORMAT. */
static mg_status cfail(checker *c, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static mg_status cfail(checker *c, const char *fmt, ...) {
    if (c->failed)
        return MG_ERR_FORMAT;
    char text[sizeof c->err->text];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(text, sizeof text, fmt, ap);
    va_end(ap);
    c->failed = true;
    return mg__fail(c->err, MG_ERR_FORMAT, "%s", text);
}

/* A growable list of integers (scratch, bounded by the document's size). */
typedef struct ints {
    int64_t *v;
    int64_t n, cap;
} ints;

static void ints_release(ints *a) {
    free(a->v);
    memset(a, 0, sizeof *a);
}

static mg_status malformed(checker *c, const char *where) {
    return cfail(c, "%s: malformed XGBoost %s model (%s does not parse)",
                    c->name, c->ubj ? "UBJSON" : "JSON", where);
}

/* With obj an object value, finds `key` (one of known_keys) among its
 * members: 1 (fills *v), 0 absent or obj no object, -1 malformed or repeated
 * (then the repetition is the refusal already set). */
static int get(checker *c, const mg__doc_value *obj, const char *key, mg__doc_value *v) {
    int k = 0;
    while (k < NKEYS && strcmp(known_keys[k], key) != 0)
        k++;
    if (k == NKEYS || obj->type != 'o')
        return 0;
    member_cache *slot = NULL;
    for (int i = 0; i < CACHE_SLOTS; i++)
        if (c->cache[i].used && c->cache[i].off == obj->off && c->cache[i].end == obj->end)
            slot = &c->cache[i];
    if (slot == NULL) {
        slot = &c->cache[c->next_slot];
        c->next_slot = (c->next_slot + 1) % CACHE_SLOTS;
        slot->used = false;
        int r = mg__doc_members(c->doc, c->len, c->ubj, obj, known_keys, NKEYS, slot->vals);
        if (r == -2) {
            for (int i = 0; i < NKEYS; i++)
                if (slot->vals[i].type == 'D')
                    cfail(c, "%s: byte %zu: an object holds \"%s\" twice", c->name, obj->off,
                          known_keys[i]);
            return -1;
        }
        if (r != 0)
            return -1;
        slot->used = true;
        slot->off = obj->off;
        slot->end = obj->end;
    }
    *v = slot->vals[k];
    return v->type != 0 ? 1 : 0;
}

/* An integer field of an object, written as a number or as a string of digits
 * (XGBoost writes its parameters as strings). 1 found, 0 absent, -1 not an
 * integer. */
static int int_field(checker *c, const mg__doc_value *obj, const char *key, int64_t *out) {
    mg__doc_value v;
    int r = get(c, obj, key, &v);
    if (r != 1)
        return r;
    if (v.type == 's') {
        char text[32];
        if (mg__doc_string(c->doc, c->len, c->ubj, &v, text, sizeof text) != 0 ||
            mg_parse_int64(text, strlen(text), out) != 0)
            return -1;
        return 1;
    }
    if (v.type != 'n')
        return -1;
    if (!c->ubj)
        return mg_parse_int64((const char *)c->doc + v.off, v.end - v.off, out) == 0 ? 1 : -1;
    /* A UBJSON number: its marker then its payload. */
    uint8_t m = c->doc[v.off];
    size_t size = v.end - v.off - 1;
    const uint8_t *p = c->doc + v.off + 1;
    uint64_t u = 0;
    if (!(m == 'i' || m == 'U' || m == 'I' || m == 'l' || m == 'L'))
        return -1;
    for (size_t i = 0; i < size; i++)
        u = (u << 8) | p[i];
    *out = m == 'U' ? (int64_t)u
           : size == 1 ? (int8_t)u
           : size == 2 ? (int16_t)u
           : size == 4 ? (int32_t)u
                       : (int64_t)u;
    return 1;
}

/* Finds an array member: 1, 0 absent, or an error already set (-1). */
static int array_member(checker *c, const mg__doc_value *obj, const char *key, mg__doc_value *v,
                        const char *where, mg_status *st) {
    int r = get(c, obj, key, v);
    if (r < 0) {
        *st = malformed(c, where);
        return -1;
    }
    if (r == 0)
        return 0;
    if (v->type != 'a') {
        *st = cfail(c, "%s: %s: \"%s\" is not a list", c->name, where, key);
        return -1;
    }
    return 1;
}

/* Reads an array of integers into a (replacing its contents). */
static mg_status read_ints(checker *c, const mg__doc_value *arr, const char *key, const char *where,
                           ints *a) {
    mg__doc_iter it;
    a->n = 0;
    if (mg__doc_iter_start(c->doc, c->len, c->ubj, arr, &it) != 0)
        return malformed(c, where);
    for (;;) {
        mg__doc_value v;
        int64_t x = 0;
        bool is_int;
        int r = mg__doc_iter_next(&it, &v, &x, &is_int);
        if (r == 0)
            return MG_OK;
        if (r < 0)
            return malformed(c, where);
        if (!is_int)
            return cfail(c, "%s: %s: \"%s\" entry %" PRId64
                            " is not an integer", c->name, where, key, a->n);
        if (a->n == a->cap) {
            int64_t cap = a->cap ? a->cap * 2 : 64;
            int64_t *grown = mg__realloc_array(a->v, (size_t)cap, sizeof *grown);
            if (grown == NULL)
                return mg__nomem(c->err, "the model check");
            a->v = grown;
            a->cap = cap;
        }
        a->v[a->n++] = x;
    }
}

/* Counts an array's elements. */
static mg_status count_elems(checker *c, const mg__doc_value *arr, const char *where, int64_t *n) {
    mg__doc_iter it;
    *n = 0;
    if (mg__doc_iter_start(c->doc, c->len, c->ubj, arr, &it) != 0)
        return malformed(c, where);
    if (it.elem != 0 && it.count >= 0) {
        *n = it.count; /* a typed array: its payload was bounded when it was found */
        return MG_OK;
    }
    for (;;) {
        mg__doc_value v;
        int64_t x;
        bool is_int;
        int r = mg__doc_iter_next(&it, &v, &x, &is_int);
        if (r == 0)
            return MG_OK;
        if (r < 0)
            return malformed(c, where);
        ++*n;
    }
}

/* ---- one tree ------------------------------------------------------------ */

typedef struct tree_scratch {
    ints left, right, parent, split, stype, cnodes, csegs, csizes, cats;
    uint8_t *seen; /* tree ids met so far */
} tree_scratch;

/* Checks that a child index is -1 or a later node of the same tree. */
static mg_status check_child(checker *c, int64_t t, int64_t i, const char *side, int64_t child,
                             int64_t n) {
    if (child >= n)
        return cfail(c,
                        "%s: tree %" PRId64 ", node %" PRId64 ": %s child %" PRId64
                        " is beyond the tree's %" PRId64 " nodes",
                        c->name, t, i, side, child, n);
    if (child < 0)
        return cfail(c,
                        "%s: tree %" PRId64 ", node %" PRId64 ": %s child %" PRId64
                        " is not a node (a leaf has -1 for both children)",
                        c->name, t, i, side, child);
    if (child <= i)
        return cfail(c,
                        "%s: tree %" PRId64 ", node %" PRId64 ": %s child %" PRId64
                        " points back up the tree (a cycle); a child comes after its parent",
                        c->name, t, i, side, child);
    return MG_OK;
}

/* The node arrays shared by the JSON and binary forms: children, parents
 * (i >= 1) and split indices; parents[0] (the root's) is not read. */
static mg_status check_nodes(checker *c, int64_t t, int64_t n, const int64_t *left,
                             const int64_t *right, const int64_t *parent, const int64_t *split,
                             const int64_t *stype) {
    (void)stype; /* a categorical split's index is a feature too */
    for (int64_t i = 0; i < n; i++) {
        int64_t l = left[i], r = right[i];
        if (l == -1 && r == -1)
            continue;
        if (l == -1 || r == -1)
            return cfail(c,
                            "%s: tree %" PRId64 ", node %" PRId64 ": left child %" PRId64
                            " but right child %" PRId64 " (a leaf has -1 for both)",
                            c->name, t, i, l, r);
        MG_TRY(check_child(c, t, i, "left", l, n));
        MG_TRY(check_child(c, t, i, "right", r, n));
        if (l == r)
            return cfail(c,
                            "%s: tree %" PRId64 ", node %" PRId64
                            ": both children are node %" PRId64,
                            c->name, t, i, l);
        if (split[i] < 0 || split[i] >= c->nfeature)
            return cfail(c,
                            "%s: tree %" PRId64 ", node %" PRId64 ": split index %" PRId64
                            " is outside the model's %" PRId64 " features",
                            c->name, t, i, split[i], c->nfeature);
    }
    for (int64_t i = 1; i < n; i++)
        if (parent[i] < 0 || parent[i] >= i)
            return cfail(c,
                            "%s: tree %" PRId64 ", node %" PRId64 ": parent %" PRId64
                            " is not an earlier node of the tree",
                            c->name, t, i, parent[i]);
    return MG_OK;
}

static const char *const tree_float_arrays[] = {"split_conditions", "default_left",
                                                "base_weights", "loss_changes", "sum_hessian"};

static mg_status check_categories(checker *c, const mg__doc_value *tree, int64_t t, int64_t n,
                                  tree_scratch *s, const char *where) {
    static const char *const keys[] = {"categories_nodes", "categories_segments",
                                       "categories_sizes", "categories"};
    ints *lists[] = {&s->cnodes, &s->csegs, &s->csizes, &s->cats};
    mg_status st = MG_OK;
    int present = 0;
    for (int k = 0; k < 4; k++) {
        mg__doc_value v;
        int r = array_member(c, tree, keys[k], &v, where, &st);
        if (r < 0)
            return st;
        lists[k]->n = 0;
        if (r == 1) {
            MG_TRY(read_ints(c, &v, keys[k], where, lists[k]));
            present++;
        }
    }
    if (s->cnodes.n != s->csegs.n || s->cnodes.n != s->csizes.n)
        return cfail(c,
                        "%s: tree %" PRId64 ": categories_nodes, categories_segments and "
                        "categories_sizes have %" PRId64 ", %" PRId64 " and %" PRId64 " entries",
                        c->name, t, s->cnodes.n, s->csegs.n, s->csizes.n);
    int64_t next = 0; /* the categorical nodes in increasing order */
    for (int64_t k = 0; k < s->cnodes.n; k++) {
        int64_t node = s->cnodes.v[k], seg = s->csegs.v[k], size = s->csizes.v[k];
        if (node < next || node >= n)
            return cfail(c,
                            "%s: tree %" PRId64 ": categories_nodes entry %" PRId64 " (node %" PRId64
                            ") is not a node after the previous one",
                            c->name, t, k, node);
        next = node + 1;
        if (seg < 0 || size < 1 || seg > s->cats.n || size > s->cats.n - seg)
            return cfail(c,
                            "%s: tree %" PRId64 ", node %" PRId64 ": categories %" PRId64
                            "..%" PRId64 " lie outside the %" PRId64 " categories listed",
                            c->name, t, node, seg, seg + size, s->cats.n);
        int64_t max_cat = 0;
        for (int64_t j = seg; j < seg + size; j++) {
            if (s->cats.v[j] < 0 || s->cats.v[j] >= XGB_MAX_CATEGORY)
                return cfail(c,
                                "%s: tree %" PRId64 ", node %" PRId64 ": category %" PRId64
                                " is outside 0..%d",
                                c->name, t, node, s->cats.v[j], XGB_MAX_CATEGORY - 1);
            if (s->cats.v[j] > max_cat)
                max_cat = s->cats.v[j];
        }
        c->cat_bytes += ((uint64_t)max_cat / 32 + 1) * 4;
        if (c->cat_bytes > XGB_CAT_BYTES_BASE + XGB_CAT_BYTES_PER_BYTE * (uint64_t)c->len)
            return cfail(c,
                            "%s: tree %" PRId64 ", node %" PRId64 ": the categorical splits so "
                            "far need %" PRIu64 " bytes of category sets, more than a %zu-byte "
                            "model may ask for",
                            c->name, t, node, c->cat_bytes, c->len);
    }
    /* Every categorical split has its categories. */
    if (s->stype.n > 0) {
        int64_t k = 0;
        for (int64_t i = 0; i < n; i++) {
            while (k < s->cnodes.n && s->cnodes.v[k] < i)
                k++;
            bool listed = k < s->cnodes.n && s->cnodes.v[k] == i;
            if (s->stype.v[i] == 1 && s->left.v[i] != -1 && !listed)
                return cfail(c,
                                "%s: tree %" PRId64 ", node %" PRId64
                                ": a categorical split without categories",
                                c->name, t, i);
        }
    }
    (void)present;
    return MG_OK;
}

static mg_status check_json_tree(checker *c, const mg__doc_value *tree, int64_t t, int64_t ntrees,
                                 tree_scratch *s) {
    char where[48];
    snprintf(where, sizeof where, "tree %" PRId64, t);
    if (tree->type != 'o')
        return cfail(c, "%s: tree %" PRId64 " is not an object", c->name,
                        t);
    int64_t id = 0;
    int r = int_field(c, tree, "id", &id);
    if (r < 0)
        return cfail(c, "%s: tree %" PRId64 ": \"id\" is not an integer",
                        c->name, t);
    if (r == 0)
        return cfail(c, "%s: tree %" PRId64 " has no \"id\"", c->name, t);
    if (id < 0 || id >= ntrees || s->seen[id])
        return cfail(c,
                        "%s: tree %" PRId64 ": \"id\" %" PRId64
                        " is not a tree position left unused (0..%" PRId64 ")",
                        c->name, t, id, ntrees - 1);
    s->seen[id] = 1;
    mg__doc_value param;
    r = get(c, tree, "tree_param", &param);
    if (r < 0)
        return malformed(c, where);
    int64_t n = 0;
    if (r == 0 || int_field(c, &param, "num_nodes", &n) != 1)
        return cfail(c,
                        "%s: tree %" PRId64 ": tree_param.num_nodes is missing or not an integer",
                        c->name, t);
    if (n < 1)
        return cfail(c,
                        "%s: tree %" PRId64 ": num_nodes %" PRId64 " (a tree has a root)",
                        c->name, t, n);
    mg_status st = MG_OK;
    static const char *const int_keys[] = {"left_children", "right_children", "parents",
                                           "split_indices"};
    ints *lists[] = {&s->left, &s->right, &s->parent, &s->split};
    for (int k = 0; k < 4; k++) {
        mg__doc_value v;
        r = array_member(c, tree, int_keys[k], &v, where, &st);
        if (r < 0)
            return st;
        if (r == 0)
            return cfail(c, "%s: tree %" PRId64 " has no \"%s\"", c->name,
                            t, int_keys[k]);
        MG_TRY(read_ints(c, &v, int_keys[k], where, lists[k]));
        if (lists[k]->n != n)
            return cfail(c,
                            "%s: tree %" PRId64 ": \"%s\" has %" PRId64
                            " entries but num_nodes is %" PRId64,
                            c->name, t, int_keys[k], lists[k]->n, n);
    }
    for (size_t k = 0; k < MG_ARRAY_LEN(tree_float_arrays); k++) {
        mg__doc_value v;
        r = array_member(c, tree, tree_float_arrays[k], &v, where, &st);
        if (r < 0)
            return st;
        if (r == 0)
            return cfail(c, "%s: tree %" PRId64 " has no \"%s\"", c->name,
                            t, tree_float_arrays[k]);
        int64_t count;
        MG_TRY(count_elems(c, &v, where, &count));
        if (count != n)
            return cfail(c,
                            "%s: tree %" PRId64 ": \"%s\" has %" PRId64
                            " entries but num_nodes is %" PRId64,
                            c->name, t, tree_float_arrays[k], count, n);
    }
    mg__doc_value v;
    s->stype.n = 0;
    r = array_member(c, tree, "split_type", &v, where, &st);
    if (r < 0)
        return st;
    if (r == 1) {
        MG_TRY(read_ints(c, &v, "split_type", where, &s->stype));
        if (s->stype.n != n)
            return cfail(c,
                            "%s: tree %" PRId64 ": \"split_type\" has %" PRId64
                            " entries but num_nodes is %" PRId64,
                            c->name, t, s->stype.n, n);
        for (int64_t i = 0; i < n; i++)
            if (s->stype.v[i] != 0 && s->stype.v[i] != 1)
                return cfail(c,
                                "%s: tree %" PRId64 ", node %" PRId64 ": split_type %" PRId64
                                " is neither 0 (numerical) nor 1 (categorical)",
                                c->name, t, i, s->stype.v[i]);
    }
    /* Leaves' parents are written masked (2147483647 for the root). */
    MG_TRY(check_nodes(c, t, n, s->left.v, s->right.v, s->parent.v, s->split.v,
                       s->stype.n ? s->stype.v : NULL));
    return check_categories(c, tree, t, n, s, where);
}

/* learner_model_param: the feature and output-group counts. */
static mg_status read_learner_params(checker *c, const mg__doc_value *learner) {
    mg__doc_value p;
    int r = get(c, learner, "learner_model_param", &p);
    if (r < 0)
        return malformed(c, "learner");
    if (r == 0)
        return cfail(c, "%s: the model has no learner_model_param",
                        c->name);
    int64_t nclass = 0, ntarget = 1;
    c->nfeature = 0;
    if (int_field(c, &p, "num_feature", &c->nfeature) != 1 || c->nfeature < 0 ||
        c->nfeature > INT32_MAX)
        return cfail(c,
                        "%s: learner_model_param.num_feature is missing or not a count",
                        c->name);
    r = int_field(c, &p, "num_class", &nclass);
    if (r < 0 || nclass < 0 || nclass > XGB_MAX_CLASSES)
        return cfail(c,
                        "%s: learner_model_param.num_class is not a count up to %d", c->name,
                        XGB_MAX_CLASSES);
    r = int_field(c, &p, "num_target", &ntarget);
    if (r < 0 || (r == 1 && (ntarget < 0 || ntarget > XGB_MAX_CLASSES)))
        return cfail(c,
                        "%s: learner_model_param.num_target is not a count up to %d", c->name,
                        XGB_MAX_CLASSES);
    c->ngroups = nclass > 1 ? nclass : 1;
    if (ntarget > c->ngroups)
        c->ngroups = ntarget;
    return MG_OK;
}

/* Every output group of a tree booster has trees (a multi-class model adds
 * one tree per class each round): a num_class beyond the trees present would
 * only make each prediction num_class values wide - a 1 KB file asking for
 * gigabytes per batch. */
static mg_status check_groups(checker *c, int64_t ntrees) {
    if (c->ngroups > 1 && c->ngroups > ntrees)
        return cfail(c,
                        "%s: %" PRId64 " output groups (num_class) but only %" PRId64
                        " trees; each group has at least one",
                        c->name, c->ngroups, ntrees);
    return MG_OK;
}

static mg_status check_gbtree(checker *c, const mg__doc_value *model, int64_t *ntrees_out) {
    mg__doc_value param, trees, info;
    int r = get(c, model, "gbtree_model_param", &param);
    if (r < 0)
        return malformed(c, "the booster");
    int64_t ntrees = 0, nparallel = 1;
    if (r == 0 || int_field(c, &param, "num_trees", &ntrees) != 1)
        return cfail(c,
                        "%s: gbtree_model_param.num_trees is missing or not an integer", c->name);
    r = int_field(c, &param, "num_parallel_tree", &nparallel);
    if (r < 0 || nparallel < 1 || nparallel > INT32_MAX)
        return cfail(c,
                        "%s: gbtree_model_param.num_parallel_tree is not a count of at least 1",
                        c->name);
    mg_status st = MG_OK;
    r = array_member(c, model, "trees", &trees, "the booster", &st);
    if (r < 0)
        return st;
    if (r == 0)
        return cfail(c, "%s: the booster has no \"trees\"", c->name);
    int64_t present;
    MG_TRY(count_elems(c, &trees, "the trees", &present));
    if (ntrees != present)
        return cfail(c,
                        "%s: num_trees is %" PRId64 " but the model holds %" PRId64 " trees",
                        c->name, ntrees, present);
    MG_TRY(check_groups(c, ntrees));
    r = array_member(c, model, "tree_info", &info, "the booster", &st);
    if (r < 0)
        return st;
    if (r == 0)
        return cfail(c, "%s: the booster has no \"tree_info\"", c->name);
    tree_scratch s;
    memset(&s, 0, sizeof s);
    st = read_ints(c, &info, "tree_info", "tree_info", &s.left);
    if (st == MG_OK && s.left.n != ntrees)
        st = cfail(c,
                      "%s: tree_info has %" PRId64 " entries but the model holds %" PRId64 " trees", c->name,
                      s.left.n, ntrees);
    for (int64_t t = 0; st == MG_OK && t < ntrees; t++)
        if (s.left.v[t] < 0 || s.left.v[t] >= c->ngroups)
            st = cfail(c,
                          "%s: tree %" PRId64 ": tree_info %" PRId64
                          " is outside the model's %" PRId64 " output groups",
                          c->name, t, s.left.v[t], c->ngroups);
    if (st == MG_OK && (s.seen = mg__calloc((size_t)ntrees + 1, 1)) == NULL)
        st = mg__nomem(c->err, "the model check");
    mg__doc_iter it;
    if (st == MG_OK && mg__doc_iter_start(c->doc, c->len, c->ubj, &trees, &it) != 0)
        st = malformed(c, "the trees");
    for (int64_t t = 0; st == MG_OK; t++) {
        mg__doc_value tree;
        int64_t x;
        bool is_int;
        r = mg__doc_iter_next(&it, &tree, &x, &is_int);
        if (r == 0)
            break;
        if (r < 0 || (c->ubj && it.elem != 0))
            st = malformed(c, "the trees");
        else
            st = check_json_tree(c, &tree, t, ntrees, &s);
    }
    ints *all[] = {&s.left,   &s.right, &s.parent, &s.split, &s.stype,
                   &s.cnodes, &s.csegs, &s.csizes, &s.cats};
    for (size_t k = 0; k < MG_ARRAY_LEN(all); k++)
        ints_release(all[k]);
    free(s.seen);
    *ntrees_out = ntrees;
    return st;
}

static mg_status check_document(checker *c) {
    mg__doc_value root, learner, booster, model, name_v;
    /* The whole document once: well-formed and nested at most DOC_MAX_DEPTH
     * deep (libxgboost's parser recurses), with nothing but space after it. */
    if (mg__doc_find(c->doc, c->len, c->ubj, NULL, 0, &root) != 1 || root.type != 'o')
        return malformed(c, "the document");
    for (size_t i = root.end; !c->ubj && i < c->len; i++)
        if (c->doc[i] != ' ' && c->doc[i] != '\n' && c->doc[i] != '\r' && c->doc[i] != '\t')
            return cfail(c,
                            "%s: byte %zu: text after the end of the JSON document", c->name, i);
    int r = get(c, &root, "learner", &learner);
    if (r != 1 || learner.type != 'o')
        return cfail(c, "%s: the model has no \"learner\" object", c->name);
    MG_TRY(read_learner_params(c, &learner));
    r = get(c, &learner, "gradient_booster", &booster);
    if (r != 1 || booster.type != 'o')
        return cfail(c, "%s: the model has no \"gradient_booster\" object",
                        c->name);
    char name[32] = "";
    if (get(c, &booster, "name", &name_v) == 1)
        mg__doc_string(c->doc, c->len, c->ubj, &name_v, name, sizeof name);
    mg_status st = MG_OK;
    if (strcmp(name, "gbtree") == 0 || strcmp(name, "dart") == 0) {
        const mg__doc_value *holder = &booster;
        mg__doc_value inner;
        if (strcmp(name, "dart") == 0) {
            r = get(c, &booster, "gbtree", &inner);
            if (r != 1 || inner.type != 'o')
                return cfail(c, "%s: the dart booster has no \"gbtree\"",
                                c->name);
            holder = &inner;
        }
        r = get(c, holder, "model", &model);
        if (r != 1 || model.type != 'o')
            return cfail(c, "%s: the booster has no \"model\" object",
                            c->name);
        int64_t ntrees = 0;
        MG_TRY(check_gbtree(c, &model, &ntrees));
        if (strcmp(name, "dart") == 0) {
            mg__doc_value drop;
            int64_t n;
            r = array_member(c, &booster, "weight_drop", &drop, "the dart booster", &st);
            if (r < 0)
                return st;
            if (r == 0)
                return cfail(c, "%s: the dart booster has no weight_drop",
                                c->name);
            MG_TRY(count_elems(c, &drop, "weight_drop", &n));
            if (n != ntrees)
                return cfail(c,
                                "%s: weight_drop has %" PRId64 " entries for %" PRId64 " trees",
                                c->name, n, ntrees);
        }
        return MG_OK;
    }
    if (strcmp(name, "gblinear") == 0) {
        mg__doc_value w;
        int64_t n;
        r = get(c, &booster, "model", &model);
        if (r != 1 || model.type != 'o')
            return cfail(c, "%s: the booster has no \"model\" object",
                            c->name);
        r = array_member(c, &model, "weights", &w, "the gblinear booster", &st);
        if (r < 0)
            return st;
        if (r == 0)
            return cfail(c, "%s: the gblinear booster has no weights",
                            c->name);
        MG_TRY(count_elems(c, &w, "weights", &n));
        if (n != (c->nfeature + 1) * c->ngroups)
            return cfail(c,
                            "%s: the linear booster has %" PRId64 " weights; %" PRId64
                            " features and %" PRId64 " output groups need %" PRId64,
                            c->name, n, c->nfeature, c->ngroups,
                            (c->nfeature + 1) * c->ngroups);
        return MG_OK;
    }
    return cfail(c,
                    "%s: booster '%s' is not gbtree, dart or gblinear", c->name, name);
}

/* ---- the legacy binary format ------------------------------------------- */

#define BIN_LEARNER_PARAM 136
#define BIN_GBTREE_PARAM 160
#define BIN_TREE_PARAM 148
#define BIN_NODE 20
#define BIN_STAT 16
#define BIN_GBLINEAR_PARAM 136

static int64_t rd_i32(const uint8_t *p) {
    return (int32_t)((uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 |
                     (uint32_t)p[3] << 24);
}

static uint64_t rd_u64(const uint8_t *p) {
    uint64_t v = 0;
    for (int i = 7; i >= 0; i--)
        v = (v << 8) | p[i];
    return v;
}

typedef struct bin_reader {
    checker *c;
    size_t pos;
} bin_reader;

static mg_status bin_short(bin_reader *b, const char *what) {
    return cfail(b->c,
                    "%s: the binary model ends at byte %zu, inside %s", b->c->name, b->c->len,
                    what);
}

/* A dmlc string: u64 length, bytes. The length must fit in what is left. */
static mg_status bin_string(bin_reader *b, const char *what, char *out, size_t cap) {
    if (b->c->len - b->pos < 8)
        return bin_short(b, what);
    uint64_t n = rd_u64(b->c->doc + b->pos);
    b->pos += 8;
    if (n > b->c->len - b->pos)
        return cfail(b->c,
                        "%s: byte %zu: %s claims %" PRIu64 " bytes but %zu remain", b->c->name,
                        b->pos - 8, what, n, b->c->len - b->pos);
    if (out != NULL) {
        size_t k = n < cap - 1 ? (size_t)n : cap - 1;
        memcpy(out, b->c->doc + b->pos, k);
        out[k] = '\0';
    }
    b->pos += (size_t)n;
    return MG_OK;
}

/* A trailing dmlc string or list of strings that libxgboost reads without
 * checking: absent is fine, a length beyond the bytes left is not. */
static mg_status bin_trailing_strings(bin_reader *b, const char *what, int per_item, bool list) {
    if (b->c->len - b->pos < 8)
        return MG_OK;
    uint64_t count = 1;
    if (list) {
        count = rd_u64(b->c->doc + b->pos);
        b->pos += 8;
        if (count > (b->c->len - b->pos) / (8 * (uint64_t)per_item))
            return cfail(b->c,
                            "%s: byte %zu: %s claims %" PRIu64 " entries but %zu bytes remain",
                            b->c->name, b->pos - 8, what, count, b->c->len - b->pos);
    }
    for (uint64_t i = 0; i < count * (uint64_t)per_item; i++)
        MG_TRY(bin_string(b, what, NULL, 0));
    return MG_OK;
}

static mg_status check_bin_tree(bin_reader *b, int64_t t, ints *scratch) {
    checker *c = b->c;
    if (c->len - b->pos < BIN_TREE_PARAM)
        return bin_short(b, "a tree's parameters");
    const uint8_t *tp = c->doc + b->pos;
    int64_t n = rd_i32(tp + 4), leaf_vector = rd_i32(tp + 20);
    b->pos += BIN_TREE_PARAM;
    size_t left = c->len - b->pos;
    if (n < 1 || (uint64_t)n > left / (BIN_NODE + BIN_STAT))
        return cfail(c,
                        "%s: tree %" PRId64 " (byte %zu): num_nodes %" PRId64
                        " does not fit in the %zu bytes that remain (%d per node)",
                        c->name, t, b->pos - BIN_TREE_PARAM, n, left, BIN_NODE + BIN_STAT);
    if (leaf_vector != 0)
        return cfail(c,
                        "%s: tree %" PRId64 ": size_leaf_vector %" PRId64 " (leaf vectors are "
                        "not supported)",
                        c->name, t, leaf_vector);
    /* One block holds the four node arrays. */
    if ((uint64_t)n * 4 > (uint64_t)scratch->cap) {
        int64_t *grown = mg__realloc_array(scratch->v, (size_t)n * 4, sizeof *grown);
        if (grown == NULL)
            return mg__nomem(c->err, "the model check");
        scratch->v = grown;
        scratch->cap = n * 4;
    }
    int64_t *lc = scratch->v, *rc = lc + n, *par = rc + n, *split = par + n;
    const uint8_t *node = c->doc + b->pos;
    for (int64_t i = 0; i < n; i++, node += BIN_NODE) {
        par[i] = rd_i32(node) & 0x7fffffff; /* the top bit marks a left child */
        lc[i] = rd_i32(node + 4);
        rc[i] = rd_i32(node + 8);
        uint32_t sindex = (uint32_t)rd_i32(node + 12);
        split[i] = sindex & 0x7fffffffu;
    }
    MG_TRY(check_nodes(c, t, n, lc, rc, par, split, NULL));
    b->pos += (size_t)n * (BIN_NODE + BIN_STAT);
    return MG_OK;
}

static mg_status check_binary(checker *c) {
    bin_reader b = {c, c->len >= 4 && memcmp(c->doc, "binf", 4) == 0 ? 4 : 0};
    if (c->len - b.pos < BIN_LEARNER_PARAM)
        return bin_short(&b, "the learner's parameters");
    const uint8_t *lp = c->doc + b.pos;
    c->nfeature = (uint32_t)rd_i32(lp + 4);
    int64_t nclass = rd_i32(lp + 8), extra_attrs = rd_i32(lp + 12), metrics = rd_i32(lp + 16);
    int64_t ntarget = rd_i32(lp + 28);
    if (nclass < 0 || nclass > XGB_MAX_CLASSES || c->nfeature > INT32_MAX)
        return cfail(c,
                        "%s: the binary header's num_class %" PRId64 " or num_feature %" PRId64
                        " is not plausible",
                        c->name, nclass, c->nfeature);
    c->ngroups = nclass > 1 ? nclass : 1;
    if (ntarget > c->ngroups && ntarget <= XGB_MAX_CLASSES)
        c->ngroups = ntarget;
    b.pos += BIN_LEARNER_PARAM;
    char objective[72], booster[72];
    MG_TRY(bin_string(&b, "the objective's name", objective, sizeof objective));
    MG_TRY(bin_string(&b, "the booster's name", booster, sizeof booster));
    if (strcmp(booster, "gblinear") == 0) {
        if (c->len - b.pos < BIN_GBLINEAR_PARAM + 8)
            return bin_short(&b, "the linear booster");
        b.pos += BIN_GBLINEAR_PARAM;
        uint64_t n = rd_u64(c->doc + b.pos);
        b.pos += 8;
        if (n > (c->len - b.pos) / 4 || n != (uint64_t)((c->nfeature + 1) * c->ngroups))
            return cfail(c,
                            "%s: the linear booster claims %" PRIu64 " weights; %" PRId64
                            " features and %" PRId64 " output groups need %" PRId64
                            " and %zu bytes remain",
                            c->name, n, c->nfeature, c->ngroups, (c->nfeature + 1) * c->ngroups,
                            c->len - b.pos);
        b.pos += (size_t)n * 4;
    } else if (strcmp(booster, "gbtree") == 0 || strcmp(booster, "dart") == 0) {
        if (c->len - b.pos < BIN_GBTREE_PARAM)
            return bin_short(&b, "the tree booster's parameters");
        const uint8_t *gp = c->doc + b.pos;
        int64_t ntrees = rd_i32(gp), nparallel = rd_i32(gp + 4);
        b.pos += BIN_GBTREE_PARAM;
        /* Each tree takes at least its parameters and one node. */
        uint64_t least = BIN_TREE_PARAM + BIN_NODE + BIN_STAT + 4;
        if (ntrees < 0 || (uint64_t)ntrees > (c->len - b.pos) / least)
            return cfail(c,
                            "%s: num_trees %" PRId64 " does not fit in the %zu bytes that remain",
                            c->name, ntrees, c->len - b.pos);
        if (nparallel < 1)
            return cfail(c,
                            "%s: num_parallel_tree %" PRId64 " (at least 1)", c->name, nparallel);
        MG_TRY(check_groups(c, ntrees));
        ints scratch = {NULL, 0, 0};
        mg_status st = MG_OK;
        for (int64_t t = 0; st == MG_OK && t < ntrees; t++)
            st = check_bin_tree(&b, t, &scratch);
        ints_release(&scratch);
        MG_TRY(st);
        if ((uint64_t)ntrees * 4 > c->len - b.pos)
            return bin_short(&b, "tree_info");
        for (int64_t t = 0; t < ntrees; t++) {
            int64_t g = rd_i32(c->doc + b.pos + (size_t)t * 4);
            if (g < 0 || g >= c->ngroups)
                return cfail(c,
                                "%s: tree %" PRId64 ": tree_info %" PRId64
                                " is outside the model's %" PRId64 " output groups",
                                c->name, t, g, c->ngroups);
        }
        b.pos += (size_t)ntrees * 4;
        if (strcmp(booster, "dart") == 0) {
            if ((uint64_t)ntrees * 4 > c->len - b.pos)
                return bin_short(&b, "weight_drop");
            b.pos += (size_t)ntrees * 4;
        }
    } else {
        return cfail(c, "%s: booster '%s' is not gbtree, dart or gblinear",
                        c->name, booster);
    }
    if (extra_attrs != 0)
        MG_TRY(bin_trailing_strings(&b, "the attributes", 2, true));
    if (strcmp(objective, "count:poisson") == 0)
        MG_TRY(bin_trailing_strings(&b, "max_delta_step", 1, false));
    if (metrics != 0)
        MG_TRY(bin_trailing_strings(&b, "the metric names", 1, true));
    return MG_OK;
}

mg_status mg__xgb_check_structure(const char *name, const uint8_t *data, size_t len,
                                  mg__xgb_format fmt, mg_error *err) {
    checker c;
    memset(&c, 0, sizeof c);
    c.name = name;
    c.doc = data;
    c.len = len;
    c.ubj = fmt == MG__XGB_UBJ;
    c.err = err;
    c.ngroups = 1;
    switch (fmt) {
    case MG__XGB_JSON:
    case MG__XGB_UBJ: return check_document(&c);
    case MG__XGB_BINARY: return check_binary(&c);
    case MG__XGB_NONE: break;
    }
    return mg__fail(err, MG_ERR_FORMAT, "%s: not an XGBoost model", name);
}
