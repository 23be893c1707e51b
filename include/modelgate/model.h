/* model.h - one interface to every model backend (DESIGN §6).
 *
 * A model is opened from its command-line argument, describes its inputs, and
 * predicts batches of rows into float64 outputs. Backends: "predictions"
 * (column:NAME / columns:A,B,C, scores already in the test data), and the
 * in-process or out-of-process backends that register in lib/model/.
 */
#ifndef MODELGATE_MODEL_H
#define MODELGATE_MODEL_H

#include "modelgate.h"

#include <stdbool.h>

#ifdef __cplusplus
extern "C" {
#endif

typedef struct mg_model mg_model;

/* What one output row means. */
typedef enum mg_output_kind {
    MG_OUTPUT_PROBABILITY = 0, /* 1 value: probability of the positive class */
    MG_OUTPUT_CLASS_PROBS,     /* k values: one probability per class */
    MG_OUTPUT_CLASS,           /* 1 value: a class index 0..k-1, or a raw label (see below) */
    MG_OUTPUT_VALUE,           /* 1 value: a regression prediction */
    MG_OUTPUT_UNKNOWN          /* 1 value whose meaning the task decides (a score column) */
} mg_output_kind;

typedef struct mg_model_info {
    const char *backend; /* "predictions", "xgboost", "runner", ... (static) */
    mg_output_kind kind;
    int noutputs; /* values per row: 1, or k for class probabilities */
    /* Inputs: -1 when unknown. Names are NULL when the format carries none. */
    int nfeatures;
    char **feature_names; /* nfeatures entries or NULL; owned by the model */
    /* For the predictions backend: the test-data columns holding the outputs
     * (column:NAME is one, columns:A,B,C one per class); NULL otherwise. */
    char **output_columns;
    int noutput_columns;
    /* Class labels in output order when the model knows them (else NULL). */
    char **class_labels;
    int nclass_labels;
    const char *objective; /* e.g. "binary:logistic"; NULL when unknown */
    /* A sentence on how the model is run that changes its predictions (an
     * XGBoost model saved after early stopping predicts with its best
     * iteration's trees), or NULL. Owned by the model. */
    const char *note;
} mg_model_info;

typedef struct mg_model_options {
    int threads;            /* in-process prediction threads; 0 = CPUs */
    int batch_size;         /* rows per predict call; 0 = backend default */
    double start_timeout_s; /* runner start-up timeout; 0 = default (30 s) */
    double batch_timeout_s; /* runner per-batch timeout; 0 = default (60 s) */
    /* Called after each predicted batch (rows done of total) from the calling
     * thread; the CLI draws its progress bar here. NULL = no reports. */
    void (*progress)(void *ctx, int64_t done, int64_t total);
    void *progress_ctx;
    /* A pickled or joblib-saved scikit-learn model runs through
     * sklearn_runner.py in `adapters_dir` with the interpreter `python`.
     * NULL python = $MODELGATE_PYTHON, else "python3" (looked up in PATH);
     * NULL adapters_dir = $MODELGATE_ADAPTERS, else the installed
     * share/modelgate/adapters. Both borrowed for the call to mg_model_open. */
    const char *python;
    const char *adapters_dir;
} mg_model_options;

/* Opens the model named by `arg` (a file detected by content: XGBoost
 * JSON/UBJ/binary, or a pickle/joblib file that runs through the bundled
 * scikit-learn runner; cmd:..., http://..., column:NAME, columns:A,B,C,
 * registry:NAME@STAGE or registry:NAME@vN: the verified blob of that version
 * in the registry mg_registry_locate(NULL) names).
 * `opts` may be NULL. On success *out is new:
 * caller frees with mg_model_free. */
MG_API mg_status mg_model_open(const char *arg, const mg_model_options *opts, mg_model **out,
                               mg_error *err);

/* Whether mg_model_open takes `arg` as the path of a model file (rather than
 * column:, columns:, cmd:, http(s):// or registry:). */
MG_API bool mg_model_arg_is_file(const char *arg);

/* The model's description; borrowed, valid until mg_model_free. */
MG_API const mg_model_info *mg_model_describe(const mg_model *model);

/* What a model can do, asked of it instead of comparing backend names. */
typedef enum mg_model_capability {
    /* It computes its outputs from feature rows (mg_model_predict); false for
     * stored predictions (column:NAME, columns:A,B,C). */
    MG_MODEL_CAN_PREDICT = 0,
    /* It predicts in another process or machine (a cmd: runner, an HTTP
     * endpoint), so requests can be sent at a fixed rate (open loop). */
    MG_MODEL_OUT_OF_PROCESS
} mg_model_capability;

/* Whether the model has capability `what`. */
MG_API bool mg_model_can(const mg_model *model, mg_model_capability what);

/* The roles of the test data's columns that are not features. */
typedef struct mg_feature_roles {
    const char *label;                  /* may be NULL */
    const char *weight;                 /* may be NULL */
    const char *id;                     /* may be NULL */
    const char *const *protected_attrs; /* nprotected names */
    int nprotected;
    const char *const *ignore; /* nignore names */
    int nignore;
    /* The feature columns in the model's input order (--features); when given,
     * they are the features whether or not the model names its own. */
    const char *const *features; /* nfeatures names, or NULL */
    int nfeatures;
    /* How messages name the features and ignored columns (the flags when
     * NULL). Borrowed. */
    const mg_input_names *names;
} mg_feature_roles;

/* Predicts every row of `table`. Features are the columns roles->features
 * names, in that order, when given; else matched by name when the model
 * carries names, otherwise by the table's column order after removing the
 * columns named in `roles`. A missing feature, a count mismatch or a string
 * column fed to a numeric model is MG_ERR_DATA naming the column. Nulls are
 * passed as missing values (NaN) where the backend supports them.
 * On success *out is a new array of table->nrows * info->noutputs doubles
 * (row-major): caller frees with free(). */
MG_API mg_status mg_model_predict_table(mg_model *model, const mg_table *table,
                                        const mg_feature_roles *roles, double **out, mg_error *err);

/* How the model's inputs are taken from `table`, and how it is run, as one
 * line for the user, into buf (cap bytes, NUL-terminated, truncated to fit):
 * for a model without feature names, "model has no feature names; columns
 * a, b, c taken in file order" (or "in the order of --features"); then the
 * model's info.note, if any. Returns 1 when a line was written, 0 when there
 * is nothing to say (buf = ""). */
MG_API int mg_model_feature_note(const mg_model *model, const mg_table *table,
                                 const mg_feature_roles *roles, char *buf, size_t cap);

/* The model's features of every row of `table` as one dense row-major matrix
 * (nulls as NaN), matched as mg_model_predict_table matches them, with the
 * same errors; a string feature column (which a runner speaking protocol 2
 * takes) is MG_ERR_UNSUPPORTED. On success *rows is new (table->nrows * *nfeatures doubles):
 * caller frees with free(). */
MG_API mg_status mg_model_feature_rows(const mg_model *model, const mg_table *table,
                                       const mg_feature_roles *roles, double **rows, int *nfeatures,
                                       mg_error *err);

/* Predicts `nrows` rows of `nfeatures` doubles (row-major, NaN = missing) into
 * out (nrows * noutputs, caller-provided). Not available for the predictions
 * backend (MG_ERR_USAGE). Safe to call from one thread at a time. */
MG_API mg_status mg_model_predict(mg_model *model, const double *rows, int64_t nrows, int nfeatures,
                                  double *out, mg_error *err);

/* The compute time in seconds that the backend itself reported for the most
 * recent mg_model_predict call (a runner's own time for the batch, without
 * transport and serialisation), or a negative value when it reported none:
 * in-process backends, runners that do not send it, before the first call or
 * after a failed one. */
MG_API double mg_model_last_compute_seconds(const mg_model *model);

/* The model's provenance digest (64 hex chars): the sha256 of the model file;
 * for a runner (cmd:...), the sha256 of the manifest "cmd:COMMAND\n" followed
 * by "ARG sha256 HEX\n" for each argument that names a regular file (the
 * script and the model it serves); NULL for column:/columns: and HTTP models.
 * Borrowed. */
MG_API const char *mg_model_sha256(const mg_model *model);

/* The argument the model was opened from, resolved: registry:NAME@STAGE
 * becomes registry:NAME@vN (the version the stage held); other arguments are
 * returned as given. Borrowed, valid until mg_model_free. */
MG_API const char *mg_model_source(const mg_model *model);

/* Frees the model and everything it holds (kills and reaps a runner); NULL ok. */
MG_API void mg_model_free(mg_model *model);

#ifdef __cplusplus
}
#endif

#endif
