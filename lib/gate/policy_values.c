/* policy_values.c - the typing of the policy's scalars and lists, read
 * strictly on YAML 1.2's core schema: text is any scalar as written; numbers
 * and integers are plain decimals (no quotes, no .nan/.inf, no 0x); booleans
 * are true/false; a keyword is one of its words; a list of columns holds no
 * item twice. Every refusal names the key and the value's place. */
#include "gate/policy_keys.h"
#include "modelgate/metric_registry.h"

#include <math.h>
#include <strings.h>

/* A value for a message: the text quoted and escaped (cut after 60 bytes),
 * or what kind of node it is. */
static void describe(const mg__ynode *v, char *buf, size_t cap) {
    if (v->kind == MG__Y_MAP) {
        snprintf(buf, cap, "a mapping");
        return;
    }
    if (v->kind == MG__Y_SEQ) {
        snprintf(buf, cap, "a list");
        return;
    }
    if (mg__ynode_is_null(v)) {
        snprintf(buf, cap, v->len == 0 ? "no value" : "null");
        return;
    }
    mg__buf b = {0};
    mg__text_escape(&b, v->text, v->len > 60 ? 60 : v->len);
    snprintf(buf, cap, "%s%s%s%s", v->plain ? "'" : "the quoted text \"", b.data ? b.data : "",
             v->len > 60 ? "..." : "", v->plain ? "'" : "\"");
    mg__buf_release(&b);
}

/* ---- typing of scalars ------------------------------------------------- */

static const char *expected_name(mg__ktype t) {
    switch (t) {
    case MG__K_INT: return "an integer";
    case MG__K_NUM: return "a number (like 0.85)";
    case MG__K_BOOL: return "true or false";
    case MG__K_STRLIST: return "a list (like [a, b])";
    case MG__K_FEATURES: return "auto or a list of columns (like [a, b])";
    case MG__K_PAIRLIST: return "a list of column pairs (like [[a, b]])";
    case MG__K_NUMLIST: return "a list of numbers (like [25, 40, 60])";
    case MG__K_SECTION: return "a mapping of keys";
    default: return "a text value";
    }
}

mg_status mg__value_wrong(const mg__kctx *ctx, const char *key, const mg__ynode *v, mg__ktype t) {
    char got[128];
    describe(v, got, sizeof got);
    bool quoted_number = v->kind == MG__Y_SCALAR && !v->plain &&
                         (t == MG__K_INT || t == MG__K_NUM || t == MG__K_BOOL);
    /* features: the keyword auto misspelt ("Auto", "atuo") */
    static const char *const feature_words[] = {"auto"};
    bool near_auto = t == MG__K_FEATURES && v->kind == MG__Y_SCALAR && !mg__ynode_is_null(v) &&
                     mg__value_closest_word(v->text, feature_words, 1) != NULL;
    return mg__key_fail(ctx, v->line, v->column, key, "expected %s, found %s%s%s", expected_name(t),
                        got, quoted_number ? " (write it without quotes)" : "",
                        near_auto ? "; did you mean auto?" : "");
}

/* YAML 1.2 core-schema integer in decimal: [-+]?[0-9]+. */
static bool is_decimal_int(const char *s, size_t n) {
    size_t i = (n > 0 && (s[0] == '-' || s[0] == '+')) ? 1 : 0;
    if (i == n)
        return false;
    for (; i < n; i++)
        if (s[i] < '0' || s[i] > '9')
            return false;
    return true;
}

/* YAML 1.2 core-schema float without .inf/.nan:
 * [-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)? */
static bool is_decimal_number(const char *s, size_t n) {
    size_t i = (n > 0 && (s[0] == '-' || s[0] == '+')) ? 1 : 0;
    size_t int_digits = 0, frac_digits = 0;
    while (i < n && s[i] >= '0' && s[i] <= '9')
        i++, int_digits++;
    if (i < n && s[i] == '.') {
        i++;
        while (i < n && s[i] >= '0' && s[i] <= '9')
            i++, frac_digits++;
    }
    if (int_digits == 0 && frac_digits == 0)
        return false;
    if (i < n && (s[i] == 'e' || s[i] == 'E')) {
        i++;
        if (i < n && (s[i] == '-' || s[i] == '+'))
            i++;
        size_t e = 0;
        while (i < n && s[i] >= '0' && s[i] <= '9')
            i++, e++;
        if (e == 0)
            return false;
    }
    return i == n;
}

mg_status mg__value_num(const mg__kctx *ctx, const char *key, const mg__ynode *v, double *out) {
    if (v->kind != MG__Y_SCALAR || !v->plain || !is_decimal_number(v->text, v->len) ||
        mg_parse_double(v->text, v->len, out) != 0 || !isfinite(*out))
        return mg__value_wrong(ctx, key, v, MG__K_NUM);
    return MG_OK;
}

mg_status mg__value_int(const mg__kctx *ctx, const char *key, const mg__ynode *v, int64_t *out) {
    if (v->kind != MG__Y_SCALAR || !v->plain || !is_decimal_int(v->text, v->len))
        return mg__value_wrong(ctx, key, v, MG__K_INT);
    if (mg_parse_int64(v->text, v->len, out) != 0)
        return mg__key_fail(ctx, v->line, v->column, key, "%s is too large for an integer",
                            v->text);
    return MG_OK;
}

mg_status mg__value_bool(const mg__kctx *ctx, const char *key, const mg__ynode *v, bool *out) {
    static const char *const t[] = {"true", "True", "TRUE"}, *const f[] = {"false", "False",
                                                                           "FALSE"};
    if (v->kind == MG__Y_SCALAR && v->plain)
        for (int i = 0; i < 3; i++) {
            if (strcmp(v->text, t[i]) == 0) {
                *out = true;
                return MG_OK;
            }
            if (strcmp(v->text, f[i]) == 0) {
                *out = false;
                return MG_OK;
            }
        }
    return mg__value_wrong(ctx, key, v, MG__K_BOOL);
}

/* Text: any scalar as written (YAML 1.2: where text is expected, `no` and
 * `123` are that text), but not null and not empty. *out is borrowed from v
 * and NULL for an allowed null. */
mg_status mg__value_text(const mg__kctx *ctx, const char *key, const mg__ynode *v, bool nullable,
                         const char **out) {
    *out = NULL;
    if (v->kind == MG__Y_SCALAR && mg__ynode_is_null(v)) {
        if (nullable)
            return MG_OK;
        return mg__key_fail(ctx, v->line, v->column, key, "expected a text value, found %s",
                            v->len == 0 ? "no value" : "null");
    }
    if (v->kind != MG__Y_SCALAR)
        return mg__value_wrong(ctx, key, v, MG__K_STR);
    if (v->len == 0)
        return mg__key_fail(ctx, v->line, v->column, key, "expected a text value, found \"\"");
    *out = v->text;
    return MG_OK;
}

const char *mg__value_closest_word(const char *word, const char *const *words, int n) {
    const char *near = mg_closest_name(word, words, n);
    if (near != NULL)
        return near;
    /* a word cut short or run on: "warning" for warn, "between" for
     * between_groups (the shorter at least 3 letters) */
    size_t len = strlen(word);
    for (int i = 0; i < n; i++) {
        size_t wl = strlen(words[i]), m = len < wl ? len : wl;
        if (m >= 3 && strncasecmp(word, words[i], m) == 0)
            return words[i];
    }
    return NULL;
}

mg_status mg__value_keyword(const mg__kctx *ctx, const mg__kentry *e, const char *key,
                            const mg__ynode *v, int *index) {
    if (v->kind == MG__Y_SCALAR && !mg__ynode_is_null(v))
        for (int i = 0; e->words[i] != NULL; i++)
            if (strcmp(v->text, e->words[i]) == 0) {
                *index = i;
                return MG_OK;
            }
    mg__buf list = {0};
    int n = 0;
    for (; e->words[n] != NULL; n++)
        mg__buf_printf(&list, "%s%s", n == 0 ? "" : ", ", e->words[n]);
    char got[128];
    describe(v, got, sizeof got);
    const char *near =
        v->kind == MG__Y_SCALAR ? mg__value_closest_word(v->text, e->words, n) : NULL;
    mg_status st = mg__key_fail(ctx, v->line, v->column, key, "expected one of %s, found %s%s%s%s",
                                list.data ? list.data : "", got, near ? "; did you mean " : "",
                                near ? near : "", near ? "?" : "");
    mg__buf_release(&list);
    return st;
}

void mg__value_free_list(char ***list, int *n) {
    for (int i = 0; i < *n; i++)
        free((*list)[i]);
    free(*list);
    *list = NULL;
    *n = 0;
}

typedef struct item_ref {
    const char *s;
    int i;
} item_ref;

static int by_text_then_index(const void *a, const void *b) {
    const item_ref *x = a, *y = b;
    int c = strcmp(x->s, y->s);
    return c != 0 ? c : (x->i > y->i) - (x->i < y->i);
}

/* The first item (in list order) that repeats an earlier one: *later and
 * *earlier, or false. Sorting keeps a list of 100,000 columns fast. */
static bool first_repeat(const mg__ynode *v, int *later, int *earlier, mg_error *err,
                         mg_status *st) {
    *st = MG_OK;
    if (v->nkids < 2)
        return false;
    item_ref *r = mg__malloc_array((size_t)v->nkids, sizeof *r);
    if (r == NULL) {
        *st = mg__nomem(err, "a policy list");
        return false;
    }
    for (int i = 0; i < v->nkids; i++)
        r[i] = (item_ref){v->kids[i].text, i};
    qsort(r, (size_t)v->nkids, sizeof *r, by_text_then_index);
    bool found = false;
    for (int k = 1; k < v->nkids; k++)
        if (strcmp(r[k].s, r[k - 1].s) == 0 && (k < 2 || strcmp(r[k - 1].s, r[k - 2].s) != 0) &&
            (!found || r[k].i < *later)) {
            found = true;
            *later = r[k].i;
            *earlier = r[k - 1].i;
        }
    free(r);
    return found;
}

/* A sequence of distinct texts into a new array (replacing *list). */
mg_status mg__value_list(const mg__kctx *ctx, const char *key, const mg__ynode *v, char ***list,
                         int *n) {
    if (v->kind != MG__Y_SEQ)
        return mg__value_wrong(ctx, key, v, MG__K_STRLIST);
    for (int i = 0; i < v->nkids; i++) {
        const char *s;
        char item[160];
        snprintf(item, sizeof item, "%s[%d]", key, i);
        MG_TRY(mg__value_text(ctx, item, &v->kids[i], false, &s));
    }
    int later = 0, earlier = 0;
    mg_status st;
    if (first_repeat(v, &later, &earlier, ctx->err, &st)) {
        char item[160];
        snprintf(item, sizeof item, "%s[%d]", key, later);
        const mg__ynode *it = &v->kids[later];
        mg__buf b = {0};
        mg__text_escape(&b, it->text, it->len > 60 ? 60 : it->len);
        st = mg__key_fail(ctx, it->line, it->column, item, "'%s' is listed twice (also item %d)",
                          b.data ? b.data : "", earlier);
        mg__buf_release(&b);
    }
    MG_TRY(st);
    char **out = mg__calloc(v->nkids > 0 ? (size_t)v->nkids : 1, sizeof *out);
    if (out == NULL)
        return mg__nomem(ctx->err, "a policy list");
    for (int i = 0; i < v->nkids; i++) {
        out[i] = mg__strdup(v->kids[i].text);
        if (out[i] == NULL) {
            int k = i;
            mg__value_free_list(&out, &k);
            return mg__nomem(ctx->err, "a policy list");
        }
    }
    mg__value_free_list(list, n);
    *list = out;
    *n = v->nkids;
    return MG_OK;
}

mg_status mg__value_pairs(const mg__kctx *ctx, const char *key, const mg__ynode *v, char ***list,
                          int *npairs) {
    if (v->kind != MG__Y_SEQ)
        return mg__value_wrong(ctx, key, v, MG__K_PAIRLIST);
    for (int i = 0; i < v->nkids; i++) {
        const mg__ynode *pair = &v->kids[i];
        char item[200];
        snprintf(item, sizeof item, "%s[%d]", key, i);
        if (pair->kind != MG__Y_SEQ || pair->nkids != 2) {
            char got[128];
            describe(pair, got, sizeof got);
            if (pair->kind == MG__Y_SEQ)
                snprintf(got, sizeof got, "a list of %d", pair->nkids);
            return mg__key_fail(ctx, pair->line, pair->column, item,
                                "expected a pair of columns (like [region, channel]), found %s",
                                got);
        }
        const char *a, *b;
        char sub[220];
        snprintf(sub, sizeof sub, "%s[0]", item);
        MG_TRY(mg__value_text(ctx, sub, &pair->kids[0], false, &a));
        snprintf(sub, sizeof sub, "%s[1]", item);
        MG_TRY(mg__value_text(ctx, sub, &pair->kids[1], false, &b));
        if (strcmp(a, b) == 0)
            return mg__key_fail(ctx, pair->line, pair->column, item,
                                "a column crossed with itself ('%s')", a);
        for (int j = 0; j < i; j++) {
            const char *c = v->kids[j].kids[0].text, *d = v->kids[j].kids[1].text;
            if ((strcmp(a, c) == 0 && strcmp(b, d) == 0) ||
                (strcmp(a, d) == 0 && strcmp(b, c) == 0))
                return mg__key_fail(ctx, pair->line, pair->column, item,
                                    "the pair is listed twice (also item %d)", j);
        }
    }
    char **out = mg__calloc(v->nkids > 0 ? (size_t)v->nkids * 2 : 1, sizeof *out);
    if (out == NULL)
        return mg__nomem(ctx->err, "a policy list");
    for (int i = 0; i < 2 * v->nkids; i++) {
        out[i] = mg__strdup(v->kids[i / 2].kids[i % 2].text);
        if (out[i] == NULL) {
            int k = i;
            mg__value_free_list(&out, &k);
            return mg__nomem(ctx->err, "a policy list");
        }
    }
    int old = *npairs * 2;
    mg__value_free_list(list, &old);
    *list = out;
    *npairs = v->nkids;
    return MG_OK;
}

mg_status mg__value_numbers(const mg__kctx *ctx, const char *key, const mg__ynode *v, double **out,
                            int *n) {
    if (v->kind != MG__Y_SEQ)
        return mg__value_wrong(ctx, key, v, MG__K_NUMLIST);
    if (v->nkids < 2)
        return mg__key_fail(ctx, v->line, v->column, key,
                            "at least two edges are needed (like [25, 40, 60]), found %d",
                            v->nkids);
    double *x = mg__malloc_array((size_t)v->nkids, sizeof *x);
    if (x == NULL)
        return mg__nomem(ctx->err, "a policy list");
    for (int i = 0; i < v->nkids; i++) {
        char item[200];
        snprintf(item, sizeof item, "%s[%d]", key, i);
        mg_status st = mg__value_num(ctx, item, &v->kids[i], &x[i]);
        if (st == MG_OK && i > 0 && !(x[i] > x[i - 1]))
            st = mg__key_fail(ctx, v->kids[i].line, v->kids[i].column, item,
                              "%s is not above the edge before it (%s): the edges must be "
                              "strictly ascending",
                              v->kids[i].text, v->kids[i - 1].text);
        if (st != MG_OK) {
            free(x);
            return st;
        }
    }
    free(*out);
    *out = x;
    *n = v->nkids;
    return MG_OK;
}
