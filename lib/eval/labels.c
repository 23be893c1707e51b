/* labels.c - the distinct values of a label-like column as a sorted set of
 * texts, and each row's index into it (targets.c maps labels and the
 * model's classes through it). */
#include "eval/eval_internal.h"

#include <math.h>

void mg__labelset_release(mg__labelset *s) {
    for (int i = 0; i < s->n; i++)
        free(s->text[i]);
    free(s->text);
    free(s->num);
    memset(s, 0, sizeof *s);
}

int mg__labelset_find(const mg__labelset *s, const char *text) {
    for (int i = 0; i < s->n; i++)
        if (strcmp(s->text[i], text) == 0)
            return i;
    return -1;
}

int mg__labelset_find_given(const mg__labelset *s, mg_type type, const char *given) {
    int i = mg__labelset_find(s, given);
    if (i >= 0)
        return i;
    double v;
    if (s->numeric && type != MG_TYPE_BOOL && mg_parse_double(given, strlen(given), &v) == 0) {
        for (i = 0; i < s->n; i++)
            if (s->num[i] == v)
                return i;
    }
    if (type == MG_TYPE_BOOL) {
        if (strcmp(given, "1") == 0 || strcmp(given, "0") == 0) /* Python's True == 1 */
            given = given[0] == '1' ? "true" : "false";
        for (i = 0; i < s->n; i++) {
            const char *a = s->text[i], *b = given;
            while (*a && *b && (*a | 0x20) == (*b | 0x20))
                a++, b++;
            if (*a == '\0' && *b == '\0')
                return i;
        }
    }
    return -1;
}

int mg__labelset_add(mg__labelset *s, const char *text, double num) {
    int i = mg__labelset_find(s, text);
    if (i >= 0)
        return i;
    if (s->n == s->cap) {
        int cap = s->cap ? s->cap * 2 : 8;
        char **t = mg__realloc_array(s->text, (size_t)cap, sizeof *t);
        if (t == NULL)
            return -1;
        s->text = t;
        double *nm = mg__realloc_array(s->num, (size_t)cap, sizeof *nm);
        if (nm == NULL)
            return -1;
        s->num = nm;
        s->cap = cap;
    }
    s->text[s->n] = mg__strdup(text);
    if (s->text[s->n] == NULL)
        return -1;
    s->num[s->n] = num;
    return s->n++;
}

/* Sorts the set; `perm[old] = new` receives the new positions. Returns -1
 * (the set unchanged) when memory ran out. */
int mg__labelset_sort(mg__labelset *s, int *perm) {
    int *order = mg__malloc_array((size_t)(s->n > 0 ? s->n : 1), sizeof *order);
    char **text = mg__malloc_array((size_t)(s->n > 0 ? s->n : 1), sizeof *text);
    double *num = mg__malloc_array((size_t)(s->n > 0 ? s->n : 1), sizeof *num);
    if (order == NULL || text == NULL || num == NULL) {
        free(order);
        free(text);
        free(num);
        return -1;
    }
    for (int i = 0; i < s->n; i++)
        order[i] = i;
    /* insertion sort: label sets are small */
    for (int i = 1; i < s->n; i++) {
        int v = order[i], j = i - 1;
        while (j >= 0 && (s->numeric ? s->num[order[j]] > s->num[v]
                                     : strcmp(s->text[order[j]], s->text[v]) > 0)) {
            order[j + 1] = order[j];
            j--;
        }
        order[j + 1] = v;
    }
    for (int i = 0; i < s->n; i++) {
        text[i] = s->text[order[i]];
        num[i] = s->num[order[i]];
        perm[order[i]] = i;
    }
    free(s->text);
    free(s->num);
    s->text = text;
    s->num = num;
    s->cap = s->n;
    free(order);
    return 0;
}

/* Text of a numeric label: integers without a decimal point ("1", not "1.0"). */
void mg__label_number_text(double v, char *buf, size_t cap) {
    mg_format_double(v, buf, cap);
}

/* Row i's class text into buf (cap >= 64); NULL for a null row. */
const char *mg__label_cell_text(const mg_column *col, int64_t i, char *buf, size_t cap,
                                double *num) {
    *num = NAN;
    if (mg_column_is_null(col, i))
        return NULL;
    if (col->type == MG_TYPE_STR)
        return col->dict[col->codes[i]];
    if (col->type == MG_TYPE_BOOL) {
        *num = col->b[i];
        return col->b[i] ? "true" : "false";
    }
    mg_column_number(col, i, num);
    mg__label_number_text(*num, buf, cap);
    return buf;
}

/* Maps each row of col to a class index in s (adding new labels), via the
 * dictionary for strings so that the per-row work is an array lookup. */
mg_status mg__label_map_rows(const mg_table *t, const mg_column *col, mg__labelset *s, int32_t *idx,
                             const char *what, mg_error *err) {
    if (col->type == MG_TYPE_STR) {
        int32_t *code_class =
            mg__malloc((size_t)(col->ndict > 0 ? col->ndict : 1) * sizeof *code_class);
        if (code_class == NULL)
            return mg__nomem(err, "label classes");
        for (int32_t c = 0; c < col->ndict; c++)
            code_class[c] = -1;
        for (int64_t i = 0; i < col->nrows; i++) {
            if (mg_column_is_null(col, i)) {
                free(code_class);
                return mg__fail(err, MG_ERR_DATA, "%s: row %lld, column '%s': %s is missing",
                                t->source, (long long)i + 1, col->name, what);
            }
            int32_t c = col->codes[i];
            if (code_class[c] < 0) {
                code_class[c] = mg__labelset_add(s, col->dict[c], NAN);
                if (code_class[c] < 0) {
                    free(code_class);
                    return mg__nomem(err, "label classes");
                }
            }
            idx[i] = code_class[c];
        }
        free(code_class);
        return MG_OK;
    }
    /* Numbers: a hash from the value's bits to its class, so that the text of
     * a label is made once per distinct value, not once per row. */
    enum { MAX_CLASSES = 10000, SLOTS = 32768 };
    uint64_t *keys = mg__malloc_array(SLOTS, sizeof *keys);
    int32_t *vals = mg__malloc_array(SLOTS, sizeof *vals);
    if (keys == NULL || vals == NULL) {
        free(keys);
        free(vals);
        return mg__nomem(err, "label classes");
    }
    for (int k = 0; k < SLOTS; k++)
        vals[k] = -1;
    mg_status st = MG_OK;
    for (int64_t i = 0; i < col->nrows && st == MG_OK; i++) {
        double num;
        if (mg_column_number(col, i, &num) != 0) {
            st = mg__fail(err, MG_ERR_DATA, "%s: row %lld, column '%s': %s is missing", t->source,
                          (long long)i + 1, col->name, what);
            break;
        }
        if (isnan(num)) {
            st = mg__fail(err, MG_ERR_DATA, "%s: row %lld, column '%s': %s is NaN", t->source,
                          (long long)i + 1, col->name, what);
            break;
        }
        if (num == 0)
            num = 0; /* -0 and 0 are one class */
        uint64_t bits;
        memcpy(&bits, &num, sizeof bits);
        size_t h = (size_t)((bits * 0x9E3779B97F4A7C15ull) >> 49) & (SLOTS - 1);
        while (vals[h] >= 0 && keys[h] != bits)
            h = (h + 1) & (SLOTS - 1);
        if (vals[h] < 0) {
            char buf[64];
            const char *text = col->type == MG_TYPE_BOOL ? (num != 0 ? "true" : "false") : buf;
            if (col->type != MG_TYPE_BOOL)
                mg__label_number_text(num, buf, sizeof buf);
            int c = mg__labelset_add(s, text, num);
            if (c < 0) {
                st = mg__nomem(err, "label classes");
                break;
            }
            if (s->n > MAX_CLASSES) {
                st = mg__fail(err, MG_ERR_DATA,
                              "%s: column '%s' has more than %d distinct values; a "
                              "classification %s needs few classes (use --task regression?)",
                              t->source, col->name, MAX_CLASSES, what);
                break;
            }
            keys[h] = bits;
            vals[h] = c;
        }
        idx[i] = vals[h];
    }
    free(keys);
    free(vals);
    return st;
}
