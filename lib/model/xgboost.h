/* xgboost.h - internals of the XGBoost backend shared with its tests: format
 * detection and a reader for the few fields modelgate checks before loading. */
#ifndef MG_MODEL_XGBOOST_H
#define MG_MODEL_XGBOOST_H

#include "internal.h"

typedef enum mg__xgb_format {
    MG__XGB_NONE = 0, /* not an XGBoost model */
    MG__XGB_JSON,
    MG__XGB_UBJ,
    MG__XGB_BINARY /* the legacy binary format (optionally behind a "binf" header) */
} mg__xgb_format;

/* Detects an XGBoost model from the first bytes of a file. */
mg__xgb_format mg__xgb_detect(const uint8_t *data, size_t len);

/* A value found in a JSON or UBJSON document: its type and its bytes. */
typedef struct mg__doc_value {
    char type;       /* 'o' object, 'a' array, 's' string, 'n' number, 'b' bool, 'z' null */
    size_t off, end; /* [off, end) of the value within the document */
} mg__doc_value;

/* Walks a JSON (ubj = false) or UBJSON document from its root object down the
 * object keys of path[0..npath). Returns 1 and fills *v when found, 0 when a
 * key is absent, -1 when the document is malformed before the value is reached. */
int mg__doc_find(const uint8_t *doc, size_t len, bool ubj, const char *const *path, int npath,
                 mg__doc_value *v);

/* Reads up to cap integers of an array value; returns how many, -1 on a
 * non-integer element. */
int mg__doc_int_array(const uint8_t *doc, size_t len, bool ubj, const mg__doc_value *v,
                      int64_t *out, int cap);

/* Copies a string value's bytes (JSON escapes kept as written) into buf
 * (cap >= 1, NUL-terminated, truncated). Returns 0, -1 when v is no string. */
int mg__doc_string(const uint8_t *doc, size_t len, bool ubj, const mg__doc_value *v, char *buf,
                   size_t cap);

/* With obj an object value, finds `key` among its members: 1 (fills *v), 0
 * when absent or obj is no object, -1 when malformed. */
int mg__doc_get(const uint8_t *doc, size_t len, bool ubj, const mg__doc_value *obj, const char *key,
                mg__doc_value *v);

/* One pass over the object value obj: vals[k] gets the value of keys[k],
 * type 0 when absent. Returns 0; -1 when malformed; -2 when one of the keys
 * appears twice (its vals[k].type is then 'D': readers disagree on which
 * copy counts, so a checker must not pick one). */
int mg__doc_members(const uint8_t *doc, size_t len, bool ubj, const mg__doc_value *obj,
                    const char *const *keys, int nkeys, mg__doc_value *vals);

/* A walk over an array value's elements (JSON, or UBJSON typed or not). */
typedef struct mg__doc_iter {
    const uint8_t *doc;
    size_t end, pos;
    bool ubj;
    uint8_t elem;  /* a UBJSON typed array's element marker, else 0 */
    int64_t count; /* a UBJSON counted array's length, else -1 */
    int64_t i;     /* elements returned so far */
} mg__doc_iter;

/* Starts a walk over arr; 0, or -1 when arr is no array or malformed. */
int mg__doc_iter_start(const uint8_t *doc, size_t len, bool ubj, const mg__doc_value *arr,
                       mg__doc_iter *it);

/* The next element: 1 (fills *v; *is_int and *ival when it is an integer), 0
 * at the end, -1 when malformed. A typed UBJSON element's v->off is its
 * payload (it has no marker of its own). */
int mg__doc_iter_next(mg__doc_iter *it, mg__doc_value *v, int64_t *ival, bool *is_int);

/* Checks an XGBoost model's structure before libxgboost loads it, which
 * trusts it: the tree count against the trees present, tree_info's length and
 * groups, every tree's array lengths against num_nodes, every child -1 or a
 * later node of the same tree (so no walk can cycle), every parent an earlier
 * node, every split index below num_feature, categorical split segments within
 * their array, and (legacy binary) every count bounded by the bytes present
 * before anything is allocated for it. MG_ERR_FORMAT names the file, the tree
 * and the node; `name` names the file in errors. Allocates only scratch
 * bounded by len. */
mg_status mg__xgb_check_structure(const char *name, const uint8_t *data, size_t len,
                                  mg__xgb_format fmt, mg_error *err);

/* The XGBoost version that wrote the model, from the document's "version"
 * field or the binary header; 0 when the file does not say. */
typedef struct mg__xgb_version {
    int major, minor, patch;
    bool known;
} mg__xgb_version;

/* Checks a model file that libxgboost 1.7 must not load: written by XGBoost
 * >= 2.0, or base_score stored as a list. `name` names the file in errors. */
mg_status mg__xgb_check_version(const char *name, const uint8_t *data, size_t len,
                                mg__xgb_format fmt, mg__xgb_version *ver, mg_error *err);

#endif
