/* backend.h - what a model backend provides (the vtable behind mg_model). */
#ifndef MG_MODEL_BACKEND_H
#define MG_MODEL_BACKEND_H

#include "internal.h"
#include "modelgate/model.h"

typedef struct mg__backend {
    const char *name;
    /* Batch prediction of dense rows; NULL for the predictions backend. */
    mg_status (*predict)(mg_model *m, const double *rows, int64_t nrows, int nfeatures,
                         double *out, mg_error *err);
    /* Releases backend state (m->state). */
    void (*release)(mg_model *m);
} mg__backend;

struct mg_model {
    const mg__backend *backend;
    mg_model_info info;
    mg_model_options opts;
    char *arg;        /* the argument it was opened from */
    char sha256[65];  /* "" when not a file */
    void *state;      /* backend-specific */
};

/* Allocates a model with backend b (info zeroed); frees with mg_model_free. */
mg_model *mg__model_new(const mg__backend *b, const char *arg, const mg_model_options *opts);

/* The predictions backend (column:NAME, columns:A,B,C). */
extern const mg__backend mg__predictions_backend;
mg_status mg__predictions_open(const char *arg, mg_model *m, mg_error *err);
/* Copies the named columns of t into a new rows * noutputs array. */
mg_status mg__predictions_table(mg_model *m, const mg_table *t, double **out, mg_error *err);

#endif
