/* eval_internal.h - what the files of lib/eval share (mg__ tier): the set
 * of distinct label texts that targets.c maps labels and classes through. */
#ifndef MG_EVAL_INTERNAL_H
#define MG_EVAL_INTERNAL_H

#include "internal.h"
#include "modelgate/evaluate.h"
#include "modelgate/modelgate.h"

/* Distinct values of a label-like column as text, with a per-row class index.
 * Numbers are compared as numbers and sorted numerically; strings by bytes
 * (code point order, as Python sorts). */
typedef struct mg__labelset {
    int n, cap;
    char **text;
    double *num; /* numeric value when `numeric` */
    bool numeric;
} mg__labelset;

void mg__labelset_release(mg__labelset *s);

/* mg_targets_build that, for stored predictions in one float column
 * without nulls and a binary task over probabilities, points out->score at
 * that column's array instead of copying it (out->score_borrowed): the
 * table must then outlive out, or hand the array over (mg_run does). */
mg_status mg__targets_build_borrowing(const mg_table *table, mg_model *model,
                                      const mg_eval_spec *spec, mg_targets *out, mg_error *err);

/* The index of `text` in s, or -1. */
int mg__labelset_find(const mg__labelset *s, const char *text);
/* A label given by the user (--positive-label): its exact text, else the
 * same number (1.0 is 1) for numeric labels, else true/false in any case (or
 * 1/0) for boolean ones. -1 when it is none of them. */
int mg__labelset_find_given(const mg__labelset *s, mg_type type, const char *given);

/* Adds `text` (numeric value num) unless present; returns its index, or -1
 * when memory ran out. */
int mg__labelset_add(mg__labelset *s, const char *text, double num);

/* Sorts the set; `perm[old] = new` receives the new positions. Returns -1
 * (the set unchanged) when memory ran out. */
int mg__labelset_sort(mg__labelset *s, int *perm);

/* Text of a numeric label: integers without a decimal point ("1", not "1.0"). */
void mg__label_number_text(double v, char *buf, size_t cap);

/* Row i's class text into buf (cap >= 64); NULL for a null row. *num gets
 * its numeric value (NaN for text). */
const char *mg__label_cell_text(const mg_column *col, int64_t i, char *buf, size_t cap,
                                double *num);

/* Maps each row of col to a class index in s (adding new labels); `what`
 * names the values in errors ("label"). Errors: a missing or NaN value, more
 * than 10000 distinct numbers (MG_ERR_DATA). */
mg_status mg__label_map_rows(const mg_table *t, const mg_column *col, mg__labelset *s, int32_t *idx,
                             const char *what, mg_error *err);

struct mg_partial;
struct mg_run;

/* The provenance of a run (from NULL) or of merged rows (`from`: the
 * partials' model, no data file); the strings are borrowed. */
void mg__run_provenance(const struct mg_partial *from, const char *test_data,
                        const struct mg_run *run, const char *(*data_sha256)(void *), void *ctx,
                        mg_provenance *prov);

/* Moves run's targets[0] and *cols (set to NULL) into *out with the run's
 * shard and provenance (data_sha256 may be NULL); out's command and options
 * are left for the caller. */
mg_status mg__run_partial(struct mg_run *run, mg_table **cols, const char *test_data,
                          const char *data_sha256, struct mg_partial *out, mg_error *err);

#endif
