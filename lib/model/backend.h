/* backend.h - what a model backend provides (the vtable behind mg_model). */
#ifndef MG_MODEL_BACKEND_H
#define MG_MODEL_BACKEND_H

#include "internal.h"
#include "modelgate/model.h"

typedef struct mg__backend {
    const char *name;
    int batch_size; /* rows per predict call when the options do not say */
    /* Batch prediction of dense rows; NULL for the predictions backend. */
    mg_status (*predict)(mg_model *m, const double *rows, int64_t nrows, int nfeatures, double *out,
                         mg_error *err);
    /* Told the names of the columns about to be fed, in order, before the
     * first batch of a table (names may be NULL); NULL when not needed. */
    mg_status (*columns)(mg_model *m, const char *const *names, int n, mg_error *err);
    /* Releases backend state (m->state). */
    void (*release)(mg_model *m);
    /* Optional: predicts rows [r0, r0+nr) of the table's columns idx[0..nf)
     * (the model's features, matched as for predict) into out, reading the
     * columns itself, typed as the table holds them, so that string columns
     * can feed a model that takes strings (ONNX encoders, a runner speaking
     * protocol 2). mg_model_predict_table uses it when the model says
     * typed_input, and leaves the column type checks to the backend. */
    mg_status (*predict_columns)(mg_model *m, const mg_table *t, const int *idx, int nf, int64_t r0,
                                 int64_t nr, double *out, mg_error *err);
} mg__backend;

struct mg_model {
    const mg__backend *backend;
    mg_model_info info;
    mg_model_options opts;
    char *arg;       /* the argument it was opened from */
    char sha256[65]; /* "" when not a file */
    char *objective; /* owned text behind info.objective, or NULL */
    char *note;      /* owned text behind info.note, or NULL */
    /* The model takes the table's typed columns (predict_columns), so string
     * columns may be features: an ONNX model, a runner that speaks protocol 2. */
    bool typed_input;
    void *state;     /* backend-specific */
    /* Seconds of compute the backend reported for the last predict call, or
     * -1 when it reported none; mg_model_predict resets it before each call. */
    double last_compute_s;
};

/* Allocates a model with backend b (info zeroed); frees with mg_model_free. */
mg_model *mg__model_new(const mg__backend *b, const char *arg, const mg_model_options *opts);

/* The predictions backend (column:NAME, columns:A,B,C). */
extern const mg__backend mg__predictions_backend;
mg_status mg__predictions_open(const char *arg, mg_model *m, mg_error *err);
/* Copies the named columns of t into a new rows * noutputs array. */
mg_status mg__predictions_table(mg_model *m, const mg_table *t, double **out, mg_error *err);

/* The xgboost backend: loads the model file `path` whose bytes are data[0..len)
 * in format fmt (an mg__xgb_format, see model/xgboost.h). */
extern const mg__backend mg__xgboost_backend;
mg_status mg__xgboost_open(mg_model *m, const char *path, const uint8_t *data, size_t len, int fmt,
                           mg_error *err);

/* The runner backend: `command` is the text after "cmd:". */
extern const mg__backend mg__runner_backend;
mg_status mg__runner_open(mg_model *m, const char *command, mg_error *err);
/* A pickled or joblib-saved model, recognised by its first bytes, runs
 * through adapters/sklearn_runner.py (mg_model_options.python and
 * .adapters_dir choose the interpreter and the folder). */
bool mg__pickle_detect(const uint8_t *data, size_t len);
mg_status mg__pickle_open(mg_model *m, const char *path, mg_error *err);

/* The same with the program and its arguments already split (argv is
 * NULL-terminated and borrowed); `who` names the runner in messages. */
mg_status mg__runner_open_argv(mg_model *m, char **argv, const char *who, mg_error *err);

#endif
