/* xgboost_doc.c - reads an XGBoost model's format, version and base_score
 * without loading it: a walker over JSON and UBJSON documents that skips what
 * it does not need, so a model libxgboost 1.7 would mispredict is refused
 * before libxgboost sees it. */
#include "model/xgboost.h"

#define DOC_MAX_DEPTH 512

typedef struct walker {
    const uint8_t *p;
    size_t len, pos;
    bool ubj;
    int depth;
} walker;

/* ---- JSON --------------------------------------------------------------- */

static void json_ws(walker *w) {
    while (w->pos < w->len && (w->p[w->pos] == ' ' || w->p[w->pos] == '\n' ||
                               w->p[w->pos] == '\r' || w->p[w->pos] == '\t'))
        w->pos++;
}

static int json_skip_string(walker *w) {
    w->pos++; /* the opening quote */
    while (w->pos < w->len) {
        uint8_t c = w->p[w->pos++];
        if (c == '\\')
            w->pos++;
        else if (c == '"')
            return w->pos <= w->len ? 0 : -1;
    }
    return -1;
}

static int json_skip(walker *w, char *type);

static int json_skip_container(walker *w, bool object) {
    if (++w->depth > DOC_MAX_DEPTH)
        return -1;
    uint8_t close = object ? '}' : ']';
    w->pos++;
    json_ws(w);
    if (w->pos < w->len && w->p[w->pos] == close) {
        w->pos++;
        w->depth--;
        return 0;
    }
    for (;;) {
        json_ws(w);
        if (object) {
            if (w->pos >= w->len || w->p[w->pos] != '"' || json_skip_string(w) != 0)
                return -1;
            json_ws(w);
            if (w->pos >= w->len || w->p[w->pos] != ':')
                return -1;
            w->pos++;
            json_ws(w);
        }
        char t;
        if (json_skip(w, &t) != 0)
            return -1;
        json_ws(w);
        if (w->pos >= w->len)
            return -1;
        if (w->p[w->pos] == ',') {
            w->pos++;
            continue;
        }
        if (w->p[w->pos] != close)
            return -1;
        w->pos++;
        w->depth--;
        return 0;
    }
}

static int json_skip(walker *w, char *type) {
    if (w->pos >= w->len)
        return -1;
    uint8_t c = w->p[w->pos];
    if (c == '{') {
        *type = 'o';
        return json_skip_container(w, true);
    }
    if (c == '[') {
        *type = 'a';
        return json_skip_container(w, false);
    }
    if (c == '"') {
        *type = 's';
        return json_skip_string(w);
    }
    size_t start = w->pos;
    while (w->pos < w->len) {
        c = w->p[w->pos];
        if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
              c == '-' || c == '+' || c == '.'))
            break;
        w->pos++;
    }
    if (w->pos == start)
        return -1;
    c = w->p[start];
    *type = c == 't' || c == 'f' ? 'b' : c == 'n' ? 'z' : 'n';
    return 0;
}

/* ---- UBJSON ------------------------------------------------------------- */

static int ubj_int(walker *w, uint8_t marker, int64_t *out) {
    int size = marker == 'i' || marker == 'U' ? 1
               : marker == 'I'                ? 2
               : marker == 'l'                ? 4
               : marker == 'L'                ? 8
                                              : 0;
    if (size == 0 || w->len - w->pos < (size_t)size)
        return -1;
    uint64_t u = 0;
    for (int i = 0; i < size; i++)
        u = (u << 8) | w->p[w->pos + (size_t)i];
    w->pos += (size_t)size;
    if (marker == 'U')
        *out = (int64_t)u;
    else if (size == 1)
        *out = (int8_t)u;
    else if (size == 2)
        *out = (int16_t)u;
    else if (size == 4)
        *out = (int32_t)u;
    else
        *out = (int64_t)u;
    return 0;
}

/* A length: an integer with its own marker. */
static int ubj_length(walker *w, int64_t *n) {
    if (w->pos >= w->len)
        return -1;
    uint8_t m = w->p[w->pos++];
    if (ubj_int(w, m, n) != 0 || *n < 0 || (uint64_t)*n > w->len)
        return -1;
    return 0;
}

static int ubj_fixed_size(uint8_t m) {
    switch (m) {
    case 'i':
    case 'U':
    case 'C': return 1;
    case 'I': return 2;
    case 'l':
    case 'd': return 4;
    case 'L':
    case 'D': return 8;
    case 'T':
    case 'F':
    case 'Z':
    case 'N': return 0;
    default: return -1;
    }
}

static int ubj_skip_payload(walker *w, uint8_t m, char *type);

static int ubj_skip_container(walker *w, bool object) {
    if (++w->depth > DOC_MAX_DEPTH)
        return -1;
    uint8_t elem = 0;
    int64_t count = -1;
    if (w->pos < w->len && w->p[w->pos] == '$') {
        if (w->len - w->pos < 2)
            return -1;
        elem = w->p[w->pos + 1];
        w->pos += 2;
        if (w->pos >= w->len || w->p[w->pos] != '#')
            return -1;
    }
    if (w->pos < w->len && w->p[w->pos] == '#') {
        w->pos++;
        if (ubj_length(w, &count) != 0)
            return -1;
    }
    if (elem != 0 && !object && ubj_fixed_size(elem) >= 0) {
        uint64_t bytes = (uint64_t)count * (uint64_t)ubj_fixed_size(elem);
        if (bytes > w->len - w->pos)
            return -1;
        w->pos += (size_t)bytes;
        w->depth--;
        return 0;
    }
    for (int64_t i = 0; count < 0 || i < count; i++) {
        if (w->pos >= w->len)
            return -1;
        if (count < 0 && w->p[w->pos] == (object ? '}' : ']')) {
            w->pos++;
            break;
        }
        if (object) {
            int64_t klen;
            if (ubj_length(w, &klen) != 0 || (uint64_t)klen > w->len - w->pos)
                return -1;
            w->pos += (size_t)klen;
        }
        uint8_t m = elem;
        if (m == 0) {
            if (w->pos >= w->len)
                return -1;
            m = w->p[w->pos++];
        }
        char t;
        if (ubj_skip_payload(w, m, &t) != 0)
            return -1;
    }
    w->depth--;
    return 0;
}

static int ubj_skip_payload(walker *w, uint8_t m, char *type) {
    if (m == '{' || m == '[') {
        *type = m == '{' ? 'o' : 'a';
        return ubj_skip_container(w, m == '{');
    }
    if (m == 'S' || m == 'H') {
        int64_t n;
        *type = m == 'S' ? 's' : 'n';
        if (ubj_length(w, &n) != 0 || (uint64_t)n > w->len - w->pos)
            return -1;
        w->pos += (size_t)n;
        return 0;
    }
    int size = ubj_fixed_size(m);
    if (size < 0 || w->len - w->pos < (size_t)size)
        return -1;
    *type = m == 'T' || m == 'F' ? 'b' : m == 'Z' || m == 'N' ? 'z' : 'n';
    w->pos += (size_t)size;
    return 0;
}

static int ubj_skip(walker *w, char *type) {
    if (w->pos >= w->len)
        return -1;
    uint8_t m = w->p[w->pos++];
    return ubj_skip_payload(w, m, type);
}

/* ---- lookups ------------------------------------------------------------- */

static int skip_value(walker *w, char *type) {
    return w->ubj ? ubj_skip(w, type) : json_skip(w, type);
}

/* With w at an object value, moves w to the value of `key`: 1 found, 0 absent. */
static int find_key(walker *w, const char *key) {
    size_t klen = strlen(key);
    if (w->ubj) {
        if (w->pos >= w->len || w->p[w->pos] != '{')
            return 0;
        w->pos++;
        if (w->pos < w->len && (w->p[w->pos] == '$' || w->p[w->pos] == '#'))
            return -1; /* optimised objects: XGBoost never writes them */
        for (;;) {
            if (w->pos >= w->len)
                return -1;
            if (w->p[w->pos] == '}')
                return 0;
            int64_t n;
            if (ubj_length(w, &n) != 0 || (uint64_t)n > w->len - w->pos)
                return -1;
            bool match = (size_t)n == klen && memcmp(w->p + w->pos, key, klen) == 0;
            w->pos += (size_t)n;
            if (match)
                return 1;
            char t;
            if (ubj_skip(w, &t) != 0)
                return -1;
        }
    }
    json_ws(w);
    if (w->pos >= w->len || w->p[w->pos] != '{')
        return 0;
    w->pos++;
    for (;;) {
        json_ws(w);
        if (w->pos >= w->len)
            return -1;
        if (w->p[w->pos] == '}')
            return 0;
        if (w->p[w->pos] == ',') {
            w->pos++;
            continue;
        }
        if (w->p[w->pos] != '"')
            return -1;
        size_t kstart = w->pos + 1;
        if (json_skip_string(w) != 0)
            return -1;
        bool match = w->pos - 1 - kstart == klen && memcmp(w->p + kstart, key, klen) == 0;
        json_ws(w);
        if (w->pos >= w->len || w->p[w->pos] != ':')
            return -1;
        w->pos++;
        json_ws(w);
        if (match)
            return 1;
        char t;
        if (json_skip(w, &t) != 0)
            return -1;
    }
}

int mg__doc_find(const uint8_t *doc, size_t len, bool ubj, const char *const *path, int npath,
                 mg__doc_value *v) {
    walker w = {doc, len, 0, ubj, 0};
    if (!ubj && len >= 3 && memcmp(doc, "\xEF\xBB\xBF", 3) == 0)
        w.pos = 3;
    for (int i = 0; i < npath; i++) {
        int r = find_key(&w, path[i]);
        if (r != 1)
            return r;
    }
    if (!ubj)
        json_ws(&w);
    v->off = w.pos;
    if (skip_value(&w, &v->type) != 0)
        return -1;
    v->end = w.pos;
    return 1;
}

int mg__doc_int_array(const uint8_t *doc, size_t len, bool ubj, const mg__doc_value *v,
                      int64_t *out, int cap) {
    if (v->type != 'a')
        return -1;
    walker w = {doc, v->end, v->off + 1, ubj, 0};
    int n = 0;
    if (ubj) {
        uint8_t elem = 0;
        int64_t count = -1;
        if (w.pos < w.len && doc[w.pos] == '$') {
            if (w.pos + 1 >= w.len)
                return -1;
            elem = doc[w.pos + 1];
            w.pos += 2;
        }
        if (w.pos < w.len && doc[w.pos] == '#') {
            w.pos++;
            if (ubj_length(&w, &count) != 0)
                return -1;
        }
        for (int64_t i = 0; (count < 0 || i < count) && w.pos < w.len; i++) {
            if (count < 0 && doc[w.pos] == ']')
                break;
            uint8_t m = elem ? elem : doc[w.pos++];
            int64_t x;
            if (ubj_int(&w, m, &x) != 0)
                return -1;
            if (n < cap)
                out[n] = x;
            n++;
        }
        return n < cap ? n : cap;
    }
    (void)len;
    for (;;) {
        json_ws(&w);
        if (w.pos >= w.len || doc[w.pos] == ']')
            break;
        if (doc[w.pos] == ',') {
            w.pos++;
            continue;
        }
        size_t start = w.pos;
        char t;
        if (json_skip(&w, &t) != 0 || t != 'n')
            return -1;
        int64_t x;
        if (mg_parse_int64((const char *)doc + start, w.pos - start, &x) != 0)
            return -1;
        if (n < cap)
            out[n++] = x;
    }
    return n;
}

int mg__doc_string(const uint8_t *doc, size_t len, bool ubj, const mg__doc_value *v, char *buf,
                   size_t cap) {
    if (v->type != 's')
        return -1;
    size_t start, end;
    if (ubj) {
        walker w = {doc, len, v->off + 1, true, 0};
        int64_t n;
        if (ubj_length(&w, &n) != 0)
            return -1;
        start = w.pos;
        end = w.pos + (size_t)n;
    } else {
        start = v->off + 1;
        end = v->end - 1;
    }
    size_t n = end - start < cap - 1 ? end - start : cap - 1;
    memcpy(buf, doc + start, n);
    buf[n] = '\0';
    return 0;
}

int mg__doc_get(const uint8_t *doc, size_t len, bool ubj, const mg__doc_value *obj, const char *key,
                mg__doc_value *v) {
    if (obj->type != 'o')
        return 0;
    walker w = {doc, obj->end <= len ? obj->end : len, obj->off, ubj, 0};
    int r = find_key(&w, key);
    if (r != 1)
        return r;
    if (!ubj)
        json_ws(&w);
    v->off = w.pos;
    if (skip_value(&w, &v->type) != 0)
        return -1;
    v->end = w.pos;
    return 1;
}

int mg__doc_members(const uint8_t *doc, size_t len, bool ubj, const mg__doc_value *obj,
                    const char *const *keys, int nkeys, mg__doc_value *vals) {
    for (int k = 0; k < nkeys; k++)
        vals[k].type = 0;
    if (obj->type != 'o')
        return 0;
    walker w = {doc, obj->end <= len ? obj->end : len, obj->off + 1, ubj, 0};
    if (ubj && w.pos < w.len && (doc[w.pos] == '$' || doc[w.pos] == '#'))
        return -1; /* optimised objects: XGBoost never writes them */
    for (;;) {
        size_t kstart, klen;
        if (ubj) {
            if (w.pos >= w.len)
                return -1;
            if (doc[w.pos] == '}')
                return 0;
            int64_t n;
            if (ubj_length(&w, &n) != 0 || (uint64_t)n > w.len - w.pos)
                return -1;
            kstart = w.pos;
            klen = (size_t)n;
            w.pos += (size_t)n;
        } else {
            json_ws(&w);
            if (w.pos < w.len && doc[w.pos] == ',') {
                w.pos++;
                json_ws(&w);
            }
            if (w.pos >= w.len)
                return -1;
            if (doc[w.pos] == '}')
                return 0;
            if (doc[w.pos] != '"')
                return -1;
            kstart = w.pos + 1;
            if (json_skip_string(&w) != 0)
                return -1;
            klen = w.pos - 1 - kstart;
            json_ws(&w);
            if (w.pos >= w.len || doc[w.pos] != ':')
                return -1;
            w.pos++;
            json_ws(&w);
        }
        mg__doc_value v;
        v.off = w.pos;
        if (skip_value(&w, &v.type) != 0)
            return -1;
        v.end = w.pos;
        for (int k = 0; k < nkeys; k++)
            if (strlen(keys[k]) == klen && memcmp(doc + kstart, keys[k], klen) == 0) {
                if (vals[k].type != 0) {
                    vals[k].type = 'D';
                    return -2;
                }
                vals[k] = v;
                break;
            }
    }
}

int mg__doc_iter_start(const uint8_t *doc, size_t len, bool ubj, const mg__doc_value *arr,
                       mg__doc_iter *it) {
    memset(it, 0, sizeof *it);
    if (arr->type != 'a' || arr->end > len || arr->off >= arr->end)
        return -1;
    it->doc = doc;
    it->end = arr->end;
    it->pos = arr->off + 1;
    it->ubj = ubj;
    it->count = -1;
    if (!ubj)
        return 0;
    walker w = {doc, arr->end, it->pos, true, 0};
    if (w.pos < w.len && doc[w.pos] == '$') {
        if (w.len - w.pos < 3 || doc[w.pos + 2] != '#')
            return -1;
        it->elem = doc[w.pos + 1];
        w.pos += 2;
    }
    if (w.pos < w.len && doc[w.pos] == '#') {
        w.pos++;
        if (ubj_length(&w, &it->count) != 0)
            return -1;
    }
    it->pos = w.pos;
    return 0;
}

int mg__doc_iter_next(mg__doc_iter *it, mg__doc_value *v, int64_t *ival, bool *is_int) {
    *is_int = false;
    walker w = {it->doc, it->end, it->pos, it->ubj, 0};
    if (it->ubj) {
        if (it->count >= 0 && it->i >= it->count)
            return 0;
        if (w.pos >= w.len)
            return -1;
        if (it->count < 0 && it->doc[w.pos] == ']')
            return 0;
        uint8_t m = it->elem;
        v->off = w.pos;
        if (m == 0)
            m = it->doc[w.pos++];
        size_t payload = w.pos;
        if (ubj_skip_payload(&w, m, &v->type) != 0)
            return -1;
        v->end = w.pos;
        if (m == 'i' || m == 'U' || m == 'I' || m == 'l' || m == 'L') {
            walker n = {it->doc, it->end, payload, true, 0};
            *is_int = ubj_int(&n, m, ival) == 0;
        }
        it->pos = w.pos;
        it->i++;
        return 1;
    }
    json_ws(&w);
    if (w.pos < w.len && it->i > 0) {
        if (it->doc[w.pos] == ',') {
            w.pos++;
            json_ws(&w);
        } else if (it->doc[w.pos] != ']') {
            return -1;
        }
    }
    if (w.pos >= w.len)
        return -1;
    if (it->doc[w.pos] == ']')
        return 0;
    v->off = w.pos;
    if (json_skip(&w, &v->type) != 0)
        return -1;
    v->end = w.pos;
    if (v->type == 'n')
        *is_int = mg_parse_int64((const char *)it->doc + v->off, v->end - v->off, ival) == 0;
    it->pos = w.pos;
    it->i++;
    return 1;
}

/* ---- detection and the version check -------------------------------------- */

static bool has_learner_key(const uint8_t *data, size_t len) {
    static const char key[] = "learner";
    size_t scan = len < 65536 ? len : 65536;
    for (size_t i = 0; i + 7 <= scan; i++)
        if (data[i] == 'l' && memcmp(data + i, key, 7) == 0)
            return true;
    return false;
}

/* The legacy binary: LearnerModelParam (136 bytes) then the objective's name
 * as a u64 length and its text ("binary:logistic", ...). */
#define XGB_BIN_PARAM_SIZE 136

static size_t binary_start(const uint8_t *data, size_t len) {
    return len >= 4 && memcmp(data, "binf", 4) == 0 ? 4 : 0;
}

static uint64_t le64(const uint8_t *p) {
    uint64_t v = 0;
    for (int i = 7; i >= 0; i--)
        v = (v << 8) | p[i];
    return v;
}

static uint32_t le32(const uint8_t *p) {
    return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

mg__xgb_format mg__xgb_detect(const uint8_t *data, size_t len) {
    size_t i = 0;
    if (len >= 3 && memcmp(data, "\xEF\xBB\xBF", 3) == 0)
        i = 3;
    while (i < len && (data[i] == ' ' || data[i] == '\n' || data[i] == '\r' || data[i] == '\t'))
        i++;
    if (i < len && data[i] == '{') {
        /* UBJSON objects start with a key length marker, JSON with a quote. */
        if (i == 0 && len > 1 && strchr("iUIlL", data[1]) != NULL && data[1] != '\0')
            return has_learner_key(data, len) ? MG__XGB_UBJ : MG__XGB_NONE;
        return has_learner_key(data, len) ? MG__XGB_JSON : MG__XGB_NONE;
    }
    size_t s = binary_start(data, len);
    if (len - s < XGB_BIN_PARAM_SIZE + 8)
        return MG__XGB_NONE;
    uint64_t n = le64(data + s + XGB_BIN_PARAM_SIZE);
    if (n == 0 || n > 64 || n > len - s - XGB_BIN_PARAM_SIZE - 8)
        return MG__XGB_NONE;
    const uint8_t *name = data + s + XGB_BIN_PARAM_SIZE + 8;
    bool colon = false;
    for (uint64_t k = 0; k < n; k++) {
        uint8_t c = name[k];
        if (c == ':')
            colon = true;
        else if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_'))
            return MG__XGB_NONE;
    }
    return colon ? MG__XGB_BINARY : MG__XGB_NONE;
}

static mg_status refuse_v2(const char *name, const char *why, mg_error *err) {
    return mg__fail(err, MG_ERR_UNSUPPORTED,
                    "%s: %s; the libxgboost 1.7 that modelgate uses would load it but predict "
                    "wrong values (XGBoost 2 stores base_score as a list, which 1.7 misreads). "
                    "Re-train and save it with XGBoost 1.7 (pip install 'xgboost<2'), or run it "
                    "in its own environment through a runner: 'cmd:PYTHON RUNNER.py %s'",
                    name, why, name);
}

mg_status mg__xgb_check_version(const char *name, const uint8_t *data, size_t len,
                                mg__xgb_format fmt, mg__xgb_version *ver, mg_error *err) {
    memset(ver, 0, sizeof *ver);
    char why[128];
    if (fmt == MG__XGB_BINARY) {
        size_t s = binary_start(data, len);
        /* base_score, num_feature, num_class, contain_extra_attrs,
         * contain_eval_metrics, then major_version and minor_version (u32). */
        ver->major = (int)le32(data + s + 20);
        ver->minor = (int)le32(data + s + 24);
        ver->known = ver->major > 0 || ver->minor > 0;
        if (ver->major >= 2) {
            snprintf(why, sizeof why, "written by XGBoost %d.%d (binary header)", ver->major,
                     ver->minor);
            return refuse_v2(name, why, err);
        }
        return MG_OK;
    }
    bool ubj = fmt == MG__XGB_UBJ;
    mg__doc_value v;
    static const char *const version_path[] = {"version"};
    int r = mg__doc_find(data, len, ubj, version_path, 1, &v);
    if (r < 0)
        return mg__fail(err, MG_ERR_FORMAT,
                        "%s: malformed XGBoost %s model (the document "
                        "does not parse)",
                        name, ubj ? "UBJSON" : "JSON");
    if (r == 1) {
        int64_t parts[3] = {0, 0, 0};
        int n = mg__doc_int_array(data, len, ubj, &v, parts, 3);
        if (n < 1)
            return mg__fail(err, MG_ERR_FORMAT,
                            "%s: the \"version\" field is not a list of integers", name);
        ver->major = (int)parts[0];
        ver->minor = (int)parts[1];
        ver->patch = (int)parts[2];
        ver->known = true;
        if (ver->major >= 2) {
            snprintf(why, sizeof why, "written by XGBoost %d.%d.%d (its \"version\" field)",
                     ver->major, ver->minor, ver->patch);
            return refuse_v2(name, why, err);
        }
    }
    static const char *const base_path[] = {"learner", "learner_model_param", "base_score"};
    r = mg__doc_find(data, len, ubj, base_path, 3, &v);
    if (r < 0)
        return mg__fail(err, MG_ERR_FORMAT,
                        "%s: malformed XGBoost %s model (the document "
                        "does not parse)",
                        name, ubj ? "UBJSON" : "JSON");
    if (r == 1) {
        char text[64];
        bool list = v.type == 'a' ||
                    (mg__doc_string(data, len, ubj, &v, text, sizeof text) == 0 && text[0] == '[');
        if (list)
            return refuse_v2(name, "its base_score is a list, as XGBoost 2 writes it", err);
    }
    return MG_OK;
}
