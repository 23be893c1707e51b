/* run.h - one evaluation run (DESIGN §2, lib/eval/): the test data read once,
 * the models opened, the predictions file attached, and each model's targets
 * (labels and outputs aligned row by row) built once. evaluate, fairness and
 * compare are callers of this; a program evaluates a model with it too:
 *
 *     mg_run_spec spec;
 *     mg_run_spec_init(&spec);
 *     spec.test_data = "test.csv";
 *     spec.models[0] = "model.json";
 *     spec.nmodels = 1;
 *     mg_run run;
 *     if (mg_run_open(&spec, &run, &err) == MG_OK && mg_run_targets(&run, 0, &err) == MG_OK)
 *         ... mg_evaluation_compute(&run.targets[0], &eval, &err) ...
 *     mg_run_release(&run);
 */
#ifndef MODELGATE_RUN_H
#define MODELGATE_RUN_H

#include "evaluate.h"
#include "model.h"
#include "modelgate.h"

#include <stdbool.h>

#ifdef __cplusplus
extern "C" {
#endif

/* At most this many models in one run (a candidate and its baseline). */
#define MG_RUN_MAX_MODELS 2

/* What to run. Every string and array is borrowed: it must outlive the run.
 * Start from mg_run_spec_init, which sets the documented defaults. */
typedef struct mg_run_spec {
    const char *test_data; /* CSV file, Parquet file or folder of Parquet parts */
    /* How to read it. `columns` is chosen by the run and ignored here: when
     * every model reads its outputs from columns of the test data (column:,
     * columns:) and there is no predictions file, only the label, the weight,
     * those columns (and the protected attributes when need_protected) are
     * read. sha256_out, when set, receives the digest as mg_table_read says. */
    mg_read_options read;
    /* A separate file of predictions whose columns are appended to the test
     * data, paired with its rows by `id` (a column of both) or, id NULL, by
     * order. NULL = none. Read with read.threads, na_values, max_input_bytes
     * and max_rows. */
    const char *predictions;
    const char *id;
    /* The models, as mg_model_open takes them; nmodels 0 reads the table only. */
    const char *models[MG_RUN_MAX_MODELS];
    int nmodels;
    mg_model_options model_options;
    /* Column roles. label NULL = "label"; weight NULL = unweighted. The
     * protected attributes, ignored columns and id are not features; nor are
     * the output columns of one model for another. features, when given, are
     * the features in the model's input order. */
    const char *label;
    const char *weight;
    const char *const *protected_attrs;
    int nprotected;
    const char *const *ignore;
    int nignore;
    const char *const *features;
    int nfeatures;
    /* The protected attributes must be columns of the test data (a missing
     * one is MG_ERR_DATA): the caller groups by them. Default false. */
    bool need_protected;
    /* Columns the caller reads from the table itself before it is dropped
     * (slice columns): read even when only the models' columns would be.
     * They stay features for a model that uses them. Borrowed; NULL/0 = none. */
    const char *const *keep;
    int nkeep;
    /* The task (default MG_TASK_AUTO: inferred from labels and outputs), the
     * binary positive label (NULL = the model's positive class, else 1/true or
     * the larger label), the binary decision threshold (score > threshold;
     * default 0.5) and the models' classes in output order for a model that
     * names none (NULL/0 = by index). */
    mg_task task;
    const char *positive_label;
    double threshold;
    const char *const *classes;
    int nclasses;
    /* How messages and reasons name the inputs (the flags when NULL). */
    const mg_input_names *names;
    /* shard_count > 0: keep only shard shard_index of shard_count of the
     * rows read (after the predictions file is attached), the contiguous
     * range of mg_shard_range. Default 0: every row. */
    int shard_index, shard_count;
} mg_run_spec;

/* Zeroes spec and sets the defaults: threshold 0.5, task MG_TASK_AUTO,
 * label NULL ("label"), no weight, no predictions file, no models. */
MG_API void mg_run_spec_init(mg_run_spec *spec);

/* A run. Fields are read-only for the caller; release with mg_run_release. */
typedef struct mg_run {
    const mg_run_spec *spec;               /* borrowed */
    mg_table *table;                       /* the test data (+ predictions columns) */
    int nmodels;                           /* models opened */
    mg_model *models[MG_RUN_MAX_MODELS];   /* in spec order */
    mg_targets targets[MG_RUN_MAX_MODELS]; /* filled by mg_run_targets */
    bool built[MG_RUN_MAX_MODELS];         /* targets[i] was built */
    /* The columns that are not features for model i: the spec's ignored
     * columns plus the other models' output columns. Owned. */
    const char **nonfeatures[MG_RUN_MAX_MODELS];
    int nnonfeatures[MG_RUN_MAX_MODELS];
} mg_run;

/* Opens spec->models in order, then reads spec->test_data once (only the
 * columns the models need when they read their outputs from columns),
 * checks the protected attributes when spec->need_protected, and attaches
 * spec->predictions. Errors are those of mg_model_open, mg_table_read and
 * mg_table_attach, and "FILE: no column 'A' (protected attribute)"
 * (MG_ERR_DATA). *run is always initialised: release it with mg_run_release
 * whatever the status. */
MG_API mg_status mg_run_open(const mg_run_spec *spec, mg_run *run, mg_error *err);

/* The column roles for model i (0 <= i < run->nmodels; with no models, i = 0
 * gives the roles of the spec alone), into *out; its arrays are borrowed
 * from the run and the spec. */
MG_API void mg_run_roles(const mg_run *run, int i, mg_feature_roles *out);

/* How model i takes its inputs from the table, as one sentence (see
 * mg_model_feature_note): 1 when written into buf, 0 when it matches its
 * features by name. */
MG_API int mg_run_feature_note(const mg_run *run, int i, char *buf, size_t cap);

/* Predicts the table with model i and builds run->targets[i] (see
 * mg_targets_build for the errors); once: a second call returns MG_OK. */
MG_API mg_status mg_run_targets(mg_run *run, int i, mg_error *err);

/* Frees the table, so that the memory holds one copy of what the metrics
 * use; run->table is NULL afterwards. The targets stay. */
MG_API void mg_run_drop_table(mg_run *run);

/* Frees everything the run holds (not run); safe on a zeroed or failed run. */
MG_API void mg_run_release(mg_run *run);

#ifdef __cplusplus
}
#endif

#endif
