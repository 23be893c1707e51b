/* policy_keys.h - the schema of modelgate.yml as a table of dotted keys, the
 * typing of its scalars and the assignment of one key's value into an
 * mg_policy, shared by the file walk (policy.c) and the --set overrides.
 * Internal to lib/gate. */
#ifndef MG_GATE_POLICY_KEYS_H
#define MG_GATE_POLICY_KEYS_H

#include "gate/policy_yaml.h"
#include "modelgate/policy.h"

/* What a key holds. */
typedef enum mg__ktype {
    MG__K_SECTION,  /* a mapping of further keys */
    MG__K_STR,      /* text (any scalar, as written); never null */
    MG__K_NSTR,     /* text, or null for "none" */
    MG__K_INT,      /* a plain decimal integer */
    MG__K_NUM,      /* a plain decimal number */
    MG__K_BOOL,     /* true / false (True, TRUE, False, FALSE) */
    MG__K_KEYWORD,  /* one of the entry's words */
    MG__K_STRLIST,  /* a sequence of distinct texts */
    MG__K_FEATURES, /* the keyword auto, or a sequence of distinct texts */
    MG__K_PAIRLIST, /* a sequence of pairs [A, B] of two different texts, no pair twice */
    MG__K_NUMLIST   /* a sequence of at least 2 strictly ascending numbers */
} mg__ktype;

/* The names a wildcard segment accepts. */
typedef enum mg__kwild {
    MG__W_NONE,
    MG__W_METRIC,      /* a metric of the registry */
    MG__W_LATENCY,     /* p50_ms ... mean_ms */
    MG__W_FAIRNESS,    /* <measure>_ratio / <measure>_difference */
    MG__W_COLUMN,      /* any column name */
    MG__W_SLICE_METRIC /* a metric of the registry that is not an operating point */
} mg__kwild;

typedef struct mg__kentry {
    const char *pattern; /* dotted; "*" is the one wildcard segment */
    mg__ktype type;
    mg__kwild wild;
    int id;
    const char *const *words; /* MG__K_KEYWORD: NULL-terminated */
} mg__kentry;

/* Where the value being assigned came from: the file (line > 0) or an
 * override (origin, e.g. "--set gates.accuracy.min"). */
typedef struct mg__kctx {
    mg_policy *p;
    const char *name;   /* the file's name for messages */
    const char *origin; /* non-NULL for an override */
    mg_error *err;
} mg__kctx;

/* segs[0..nsegs) are the segments of a dotted key. Returns the entry
 * the key names, or NULL. *wild_seg is the index of the segment the
 * wildcard matched (-1 for none). */
const mg__kentry *mg__key_find(const char *const *segs, int nsegs, int *wild_seg);

/* "did you mean" for an unknown segment segs[nsegs-1] whose parents are
 * known: the closest key allowed there, or NULL. */
const char *mg__key_closest(const char *const *segs, int nsegs);

/* MG_ERR_USAGE "<where>: KEY: what" with the place of the file or the
 * override origin (ctx->origin; line/column then ignored). */
mg_status mg__key_fail(const mg__kctx *ctx, int line, int column, const char *key, const char *fmt,
                       ...) __attribute__((format(printf, 5, 6)));

/* Records that `key` was set at (line, column) or by ctx->origin. */
mg_status mg__key_record(const mg__kctx *ctx, const char *key, int line, int column);

/* Assigns the leaf `e` named by segs (dotted form `key`) from node v. */
mg_status mg__key_assign(const mg__kctx *ctx, const mg__kentry *e, const char *const *segs,
                         int nsegs, int wild_seg, const char *key, const mg__ynode *v);

/* Creates the entry a section key stands for (a gate's bound, a latency or
 * fairness section...) so that an empty mapping still counts, and records
 * its place. */
mg_status mg__key_section(const mg__kctx *ctx, const mg__kentry *e, const char *const *segs,
                          int nsegs, int wild_seg, const char *key, int line, int column);

/* Removes what key `e` (segs, dotted `key`) set, as if the file did not
 * say it: a leaf goes back to its default, a gate or section goes away
 * (replacing: emptied before its new mapping is walked). A required key
 * (version, data.test, model, a section's required key; data too, unless
 * replacing) is MG_ERR_USAGE naming it. */
mg_status mg__key_remove(const mg__kctx *ctx, const mg__kentry *e, const char *const *segs,
                         int wild_seg, const char *key, bool replacing);

/* Frees what a slices section owns and sets its defaults. */
void mg__policy_slices_release(mg_policy_slices *sl);

/* Examples for a message about section `e`: a mapping it may hold
 * ("{min: 0.85}") and one key of it, relative to the section
 * ("min=0.85"). */
void mg__key_example(const mg__kentry *e, const char **mapping, const char **one_key);

/* ---- values (policy_values.c) -------------------------------------------
 * Each reads node v for the key `key`, or fails naming both. */

/* "expected <what type t holds>, found <v>". */
mg_status mg__value_wrong(const mg__kctx *ctx, const char *key, const mg__ynode *v, mg__ktype t);
/* A plain finite decimal number. */
mg_status mg__value_num(const mg__kctx *ctx, const char *key, const mg__ynode *v, double *out);
/* A plain decimal integer that fits int64. */
mg_status mg__value_int(const mg__kctx *ctx, const char *key, const mg__ynode *v, int64_t *out);
/* true / True / TRUE / false / False / FALSE, unquoted. */
mg_status mg__value_bool(const mg__kctx *ctx, const char *key, const mg__ynode *v, bool *out);
/* Any non-empty scalar, borrowed from v; null only when nullable (then
 * *out is NULL). */
mg_status mg__value_text(const mg__kctx *ctx, const char *key, const mg__ynode *v, bool nullable,
                         const char **out);
/* One of e->words: its index. */
mg_status mg__value_keyword(const mg__kctx *ctx, const mg__kentry *e, const char *key,
                            const mg__ynode *v, int *index);
/* A sequence of distinct texts into a new array, replacing (and freeing)
 * *list of *n items. */
mg_status mg__value_list(const mg__kctx *ctx, const char *key, const mg__ynode *v, char ***list,
                         int *n);
/* The word of words[0..n) closest to `word` (a likely typo, or one cut
 * short or run on, like "warning" for warn), or NULL. */
const char *mg__value_closest_word(const char *word, const char *const *words, int n);
/* A sequence of pairs [A, B] of two different texts (no pair twice, in
 * either order) into a new flat array of 2 * *npairs strings (replacing
 * *list). */
mg_status mg__value_pairs(const mg__kctx *ctx, const char *key, const mg__ynode *v, char ***list,
                          int *npairs);
/* A sequence of at least 2 strictly ascending numbers into a new array
 * (replacing *out). */
mg_status mg__value_numbers(const mg__kctx *ctx, const char *key, const mg__ynode *v, double **out,
                            int *n);
/* Frees a list of n strings and zeroes both. */
void mg__value_free_list(char ***list, int *n);

#endif
