/* onnx.h - the built-in ONNX-ML interpreter (DESIGN §6): the decoded model,
 * runtime tensors, the operator registry and the backend entry points.
 *
 * decode.c turns ModelProto bytes into an ox_model (every size checked against
 * the bytes present before allocating); graph.c checks opsets, orders the
 * nodes, prepares each operator and runs batches; ops_*.c hold one operator
 * family each. Runtime numbers live as double (FLOAT tensors hold values
 * rounded to float32 after every operator, so that results match float32
 * runtimes), integers as int64, strings as owned C strings. */
#ifndef MG_MODEL_ONNX_H
#define MG_MODEL_ONNX_H

#include "model/backend.h"

#define OX_MAX_RANK 8

/* TensorProto.DataType codes used here. */
enum {
    OX_UNDEFINED = 0,
    OX_FLOAT = 1,
    OX_UINT8 = 2,
    OX_INT8 = 3,
    OX_UINT16 = 4,
    OX_INT16 = 5,
    OX_INT32 = 6,
    OX_INT64 = 7,
    OX_STRING = 8,
    OX_BOOL = 9,
    OX_DOUBLE = 11,
    OX_UINT32 = 12,
    OX_UINT64 = 13
};

/* Storage class of a data type: 'f' (double array), 'i' (int64), 's' (strings), 0 unknown. */
char ox__storage(int dtype);
const char *ox__type_name(int dtype);

typedef struct ox_tensor {
    int dtype;
    int rank;
    int64_t dims[OX_MAX_RANK];
    int64_t n; /* product of dims */
    double *f;
    int64_t *i;
    char **s;
} ox_tensor;

/* The most elements one runtime tensor may hold (default 2^31; the fuzz
 * target lowers it so that a hostile graph cannot ask for gigabytes). */
extern int64_t ox__max_elements;

/* Allocates t's storage for dtype and dims (zeroed); MG_ERR_NOMEM or MG_ERR_MODEL on size overflow. */
mg_status ox__tensor_alloc(ox_tensor *t, int dtype, int rank, const int64_t *dims, mg_error *err);
void ox__tensor_release(ox_tensor *t);
/* Deep copy of src into dst (dst uninitialised). */
mg_status ox__tensor_copy(ox_tensor *dst, const ox_tensor *src, mg_error *err);
/* Rounds every value of a FLOAT tensor to float32. */
void ox__tensor_round(ox_tensor *t);

enum { OX_ATTR_FLOAT = 1, OX_ATTR_INT = 2, OX_ATTR_STRING = 3, OX_ATTR_TENSOR = 4, OX_ATTR_GRAPH = 5,
       OX_ATTR_FLOATS = 6, OX_ATTR_INTS = 7, OX_ATTR_STRINGS = 8 };

typedef struct ox_attr {
    char *name;
    int type; /* AttributeProto.type; 0 when the file did not say */
    double f;
    int64_t i;
    char *s; /* NUL-terminated copy */
    ox_tensor *t;
    double *floats;
    int64_t nfloats;
    int64_t *ints;
    int64_t nints;
    char **strings;
    int64_t nstrings;
    bool has_f, has_i, has_s, has_g;
} ox_attr;

typedef struct ox_node {
    char *name; /* never NULL ("" when unnamed) */
    char *op_type;
    char *domain;
    char **inputs;
    int ninputs;
    char **outputs;
    int noutputs;
    ox_attr *attrs;
    int nattrs;
    /* Filled by graph.c. */
    int *in_slot;  /* -1 = optional input left empty */
    int *out_slot; /* -1 = output not wanted */
    const struct ox_op *op;
    void *impl; /* operator state from op->prep */
    int opset;  /* the opset version of the node's domain */
} ox_node;

/* ValueInfoProto: a graph input or output. */
typedef struct ox_value_info {
    char *name;
    char kind; /* 't' tensor, 'q' sequence, 'm' map, 0 other */
    int elem_type; /* tensor elem type (or the map value type inside a sequence) */
    int rank;      /* -1 when no shape */
    int64_t dims[OX_MAX_RANK]; /* -1 = symbolic */
} ox_value_info;

typedef struct ox_graph {
    ox_node *nodes;
    int nnodes;
    ox_tensor *inits;
    char **init_names;
    int ninits;
    ox_value_info *inputs;
    int ninputs;
    ox_value_info *outputs;
    int noutputs;
} ox_graph;

typedef struct ox_opset {
    char *domain;
    int64_t version;
} ox_opset;

typedef struct ox_model {
    int64_t ir_version;
    ox_opset *opsets;
    int nopsets;
    ox_graph graph;
} ox_model;

/* True when data[0..len) looks like a serialized ModelProto (content detection). */
bool mg__onnx_detect(const uint8_t *data, size_t len);
/* Decodes data[0..len) into *m (zeroed first); errors name `path` and the byte offset. */
mg_status ox__decode(const char *path, const uint8_t *data, size_t len, ox_model *m, mg_error *err);
void ox__model_release(ox_model *m);

/* ---- operators -------------------------------------------------------------- */

/* Prepares node state (attribute parsing and checks); errors name the node. */
typedef mg_status (*ox_prep_fn)(ox_node *node, mg_error *err);
/* Runs the node: in[k] is NULL for an empty optional input; out[k] are
 * zeroed tensors to allocate and fill (NULL for an unwanted output). */
typedef mg_status (*ox_run_fn)(const ox_node *node, const ox_tensor *const *in, ox_tensor **out,
                               mg_error *err);

typedef struct ox_op {
    const char *domain; /* "" (ai.onnx) or "ai.onnx.ml" */
    const char *op_type;
    int min_inputs, max_inputs;
    int min_outputs, max_outputs;
    ox_prep_fn prep;
    ox_run_fn run;
    void (*release)(void *impl);
} ox_op;

/* Operator families: NULL-terminated tables. */
extern const ox_op ox__ops_tree[];
extern const ox_op ox__ops_linear[];
extern const ox_op ox__ops_math[];
extern const ox_op ox__ops_shape[];
extern const ox_op ox__ops_encode[];

/* Attribute access for prep functions. */
const ox_attr *ox__attr(const ox_node *n, const char *name);
int64_t ox__attr_int(const ox_node *n, const char *name, int64_t dflt);
double ox__attr_float(const ox_node *n, const char *name, double dflt);
const char *ox__attr_string(const ox_node *n, const char *name, const char *dflt);
/* The float list of `name`, or of `name`_as_tensor (FLOAT/DOUBLE tensor); n = 0 when absent. */
const double *ox__attr_floats(const ox_node *n, const char *name, int64_t *count);
/* Fails naming the node: "model: node 'X' (Op): ..." */
mg_status ox__node_fail(mg_error *err, const ox_node *n, mg_status st, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

/* Post transforms shared by the ML operators. */
enum { OX_PT_NONE, OX_PT_LOGISTIC, OX_PT_SOFTMAX, OX_PT_SOFTMAX_ZERO, OX_PT_PROBIT };
mg_status ox__post_transform(const ox_node *n, int *pt, mg_error *err);
double ox__logistic(double v);
double ox__probit(double v);
void ox__softmax(double *v, int64_t k);
void ox__softmax_zero(double *v, int64_t k);
/* Applies a post transform to the k scores of one row (k >= 2). */
void ox__apply_transform(double *v, int64_t k, int pt);
/* Rows x columns of a rank-1 or rank-2 input (rank 1 = one row). */
mg_status ox__as_matrix(const ox_node *n, const ox_tensor *t, int64_t *rows, int64_t *cols,
                        mg_error *err);
/* Value i of a numeric tensor as double (int storage converted). */
static inline double ox__num(const ox_tensor *t, int64_t i) {
    return t->f != NULL ? t->f[i] : (double)t->i[i];
}

/* ---- the backend ---------------------------------------------------------------- */

extern const mg__backend mg__onnx_backend;
mg_status mg__onnx_open(mg_model *m, const char *path, const uint8_t *data, size_t len,
                        mg_error *err);

#endif
