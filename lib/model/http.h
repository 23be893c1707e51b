/* http.h - the KServe v2 REST backend (http://HOST:PORT/v2/models/NAME/infer). */
#ifndef MG_MODEL_HTTP_H
#define MG_MODEL_HTTP_H

#include "model/backend.h"

extern const mg__backend mg__http_backend;

/* Connects m (allocated with mg__http_backend) to the endpoint `arg` and reads
 * the model's metadata when the server offers it. */
mg_status mg__http_open(const char *arg, mg_model *m, mg_error *err);

#endif
