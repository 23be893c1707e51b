/* xgboost.c - the "xgboost" backend: XGBoost JSON, UBJSON and legacy binary
 * models run in-process through libxgboost's C API (in-place prediction on
 * dense rows, on the number of threads the options ask for). */
#include "model/backend.h"
#include "model/xgboost.h"

#include <math.h>
#include <xgboost/c_api.h>

/* libxgboost's nthread: beyond this it is a mistake, not a machine. */
#define XGB_MAX_THREADS 1024

typedef struct xgb_state {
    BoosterHandle booster;
    char config[256]; /* the in-place prediction config */
    int k;            /* values per row libxgboost returns */
    bool softmax;     /* multi:softmax: margins turned into probabilities here */
    bool sigmoid;     /* binary:logitraw: margins turned into probabilities here */
    bool dmatrix;     /* gblinear: libxgboost 1.7 predicts it from a DMatrix only */
    char dm_config[256];
} xgb_state;

/* libxgboost's last error, reduced to its first line without the
 * "[time] file.cc:line: " prefix. */
static const char *xgb_error(char *buf, size_t cap) {
    const char *e = XGBGetLastError();
    if (e == NULL || *e == '\0')
        e = "unknown error";
    const char *colon = NULL;
    if (e[0] == '[') {
        const char *p = strstr(e, ": ");
        if (p != NULL && (size_t)(p - e) < 200)
            colon = p + 2;
    }
    if (colon != NULL)
        e = colon;
    size_t n = strcspn(e, "\n");
    if (n >= cap)
        n = cap - 1;
    memcpy(buf, e, n);
    buf[n] = '\0';
    return buf;
}

/* libxgboost writes its warnings to stderr; a library must not print, so
 * they are dropped (the callback is per thread: set before each call). */
static void quiet(const char *msg) {
    (void)msg;
}

static void xgb_release(mg_model *m) {
    xgb_state *s = m->state;
    if (s == NULL)
        return;
    if (s->booster != NULL)
        XGBoosterFree(s->booster);
    free(s);
    m->state = NULL;
}

static mg_status xgb_predict(mg_model *m, const double *rows, int64_t nrows, int nfeatures,
                             double *out, mg_error *err) {
    xgb_state *s = m->state;
    if (nrows == 0)
        return MG_OK;
    char iface[256];
    snprintf(iface, sizeof iface,
             "{\"data\": [%" PRIuPTR ", true], \"shape\": [%" PRId64 ", %d], "
             "\"typestr\": \"<f8\", \"version\": 3}",
             (uintptr_t)rows, nrows, nfeatures);
    const bst_ulong *shape = NULL;
    bst_ulong dim = 0;
    const float *res = NULL;
    XGBRegisterLogCallback(quiet);
    int rc;
    DMatrixHandle dm = NULL;
    if (s->dmatrix) {
        rc = XGDMatrixCreateFromDense(iface, "{\"missing\": NaN, \"nthread\": 1}", &dm);
        if (rc == 0)
            rc = XGBoosterPredictFromDMatrix(s->booster, dm, s->dm_config, &shape, &dim, &res);
    } else {
        rc = XGBoosterPredictFromDense(s->booster, iface, s->config, NULL, &shape, &dim, &res);
    }
    if (rc != 0) {
        char e[512];
        mg_status st = mg__fail(err, MG_ERR_MODEL, "model %s: libxgboost failed to predict: %s",
                                m->arg, xgb_error(e, sizeof e));
        if (dm != NULL)
            XGDMatrixFree(dm);
        return st;
    }
    if (dim != 2 || shape[0] != (bst_ulong)nrows || shape[1] != (bst_ulong)s->k) {
        if (dm != NULL)
            XGDMatrixFree(dm);
        return mg__fail(err, MG_ERR_MODEL,
                        "model %s: libxgboost returned an output of an unexpected shape "
                        "(%d dimensions) for %" PRId64 " rows of %d values",
                        m->arg, (int)dim, nrows, s->k);
    }
    int64_t total = nrows * s->k;
    mg_status done = MG_OK;
    if (s->softmax) {
        for (int64_t r = 0; r < nrows; r++) {
            const float *z = res + r * s->k;
            double *p = out + r * s->k;
            double mx = z[0], sum = 0;
            for (int c = 1; c < s->k; c++)
                mx = z[c] > mx ? z[c] : mx;
            for (int c = 0; c < s->k; c++)
                sum += p[c] = exp((double)z[c] - mx);
            for (int c = 0; c < s->k; c++)
                p[c] /= sum;
        }
    } else if (s->sigmoid) {
        for (int64_t i = 0; i < total; i++)
            out[i] = 1.0 / (1.0 + exp(-(double)res[i]));
    } else {
        for (int64_t i = 0; i < total; i++)
            out[i] = res[i];
    }
    if (dm != NULL) /* res belongs to the booster, not to the DMatrix */
        XGDMatrixFree(dm);
    return done;
}

const mg__backend mg__xgboost_backend = {
    .name = "xgboost", .batch_size = 65536, .predict = xgb_predict, .release = xgb_release};

/* Reads a field of the booster's JSON configuration as text. */
static void config_field(const char *cfg, size_t len, const char *const *path, int n, char *buf,
                         size_t cap) {
    mg__doc_value v;
    buf[0] = '\0';
    if (mg__doc_find((const uint8_t *)cfg, len, false, path, n, &v) == 1)
        mg__doc_string((const uint8_t *)cfg, len, false, &v, buf, cap);
}

/* The booster kind and the trees to predict with. A model saved after early
 * stopping (XGBClassifier/XGBRegressor with early_stopping_rounds) carries
 * best_iteration; its scikit-learn predict uses rounds 0..best_iteration, so
 * modelgate does too, and says so when that leaves rounds out. gblinear
 * predicts from a DMatrix. */
/* The boosting rounds the model holds (0 when libxgboost cannot say). */
static int64_t boosted_rounds(const xgb_state *s) {
    int rounds = 0;
    return XGBoosterBoostedRounds(s->booster, &rounds) == 0 ? rounds : 0;
}

static mg_status set_iterations(mg_model *m, xgb_state *s, const char *cfg, size_t clen,
                                mg_error *err) {
    char booster[32];
    static const char *const booster_path[] = {"learner", "gradient_booster", "name"};
    config_field(cfg, clen, booster_path, 3, booster, sizeof booster);
    s->dmatrix = strcmp(booster, "gblinear") == 0;
    int64_t end = 0;
    const char *best = NULL;
    int found = 0;
    if (!s->dmatrix && XGBoosterGetAttr(s->booster, "best_iteration", &best, &found) == 0 &&
        found && best != NULL && mg_parse_int64(best, strlen(best), &end) == 0 && end >= 0 &&
        end < INT32_MAX && end + 1 < boosted_rounds(s)) {
        end += 1;
        mg__buf note = {0};
        mg__buf_printf(&note,
                       "saved after early stopping (best_iteration %s): predictions use its "
                       "first %" PRId64 " boosting rounds, as its scikit-learn predict does",
                       best, end);
        if ((m->note = mg__buf_detach(&note)) == NULL)
            return mg__nomem(err, "the model's note");
        m->info.note = m->note;
    } else {
        end = 0;
    }
    int type = s->softmax ? 1 : 0;
    snprintf(s->config, sizeof s->config,
             "{\"type\": %d, \"training\": false, \"iteration_begin\": 0, \"iteration_end\": "
             "%" PRId64 ", \"strict_shape\": true, \"cache_id\": 0, \"missing\": NaN}",
             type, end);
    snprintf(s->dm_config, sizeof s->dm_config,
             "{\"type\": %d, \"training\": false, \"iteration_begin\": 0, \"iteration_end\": "
             "%" PRId64 ", \"strict_shape\": true}",
             type, end);
    return MG_OK;
}

/* Maps the objective to what a row of output means. */
static mg_status set_objective(mg_model *m, xgb_state *s, const char *obj, int num_class,
                               mg_error *err) {
    mg_model_info *info = &m->info;
    int type = 0;
    if (strcmp(obj, "binary:logistic") == 0) {
        info->kind = MG_OUTPUT_PROBABILITY;
        s->k = 1;
    } else if (strcmp(obj, "binary:logitraw") == 0) {
        /* Trained with the logistic loss; the raw margin's sigmoid is the probability. */
        info->kind = MG_OUTPUT_PROBABILITY;
        s->sigmoid = true;
        s->k = 1;
    } else if (strcmp(obj, "binary:hinge") == 0) {
        info->kind = MG_OUTPUT_CLASS;
        s->k = 1;
    } else if (strcmp(obj, "multi:softprob") == 0 || strcmp(obj, "multi:softmax") == 0) {
        if (num_class < 2)
            return mg__fail(err, MG_ERR_FORMAT, "%s: objective %s with num_class %d", m->arg, obj,
                            num_class);
        info->kind = MG_OUTPUT_CLASS_PROBS;
        s->k = num_class;
        /* softmax predicts only the class; its margins give the probabilities. */
        if (strcmp(obj, "multi:softmax") == 0) {
            s->softmax = true;
            type = 1;
        }
    } else if (strncmp(obj, "reg:", 4) == 0 || strncmp(obj, "count:", 6) == 0 ||
               strcmp(obj, "survival:cox") == 0 || strcmp(obj, "survival:aft") == 0) {
        info->kind = MG_OUTPUT_VALUE;
        s->k = 1;
    } else {
        return mg__fail(err, MG_ERR_UNSUPPORTED,
                        "%s: objective '%s' is not one modelgate evaluates (binary:*, "
                        "multi:softprob, multi:softmax, reg:*, count:*, survival:*)",
                        m->arg, obj);
    }
    info->noutputs = s->k;
    snprintf(s->config, sizeof s->config,
             "{\"type\": %d, \"training\": false, \"iteration_begin\": 0, \"iteration_end\": 0, "
             "\"strict_shape\": true, \"cache_id\": 0, \"missing\": NaN}",
             type);
    return MG_OK;
}

static mg_status read_features(mg_model *m, xgb_state *s, mg_error *err) {
    bst_ulong nf = 0;
    if (XGBoosterGetNumFeature(s->booster, &nf) != 0 || nf > INT32_MAX) {
        char e[512];
        return mg__fail(err, MG_ERR_MODEL, "%s: cannot read the feature count: %s", m->arg,
                        xgb_error(e, sizeof e));
    }
    m->info.nfeatures = (int)nf;
    bst_ulong nnames = 0;
    const char **names = NULL;
    if (XGBoosterGetStrFeatureInfo(s->booster, "feature_name", &nnames, &names) != 0) {
        char e[512];
        return mg__fail(err, MG_ERR_MODEL, "%s: cannot read the feature names: %s", m->arg,
                        xgb_error(e, sizeof e));
    }
    if (nnames == 0)
        return MG_OK;
    if (nnames != nf)
        return mg__fail(err, MG_ERR_FORMAT, "%s: the model names %d features but has %d", m->arg,
                        (int)nnames, (int)nf);
    m->info.feature_names = mg__calloc((size_t)nf, sizeof(char *));
    if (m->info.feature_names == NULL)
        return mg__nomem(err, "feature names");
    for (bst_ulong f = 0; f < nf; f++)
        if ((m->info.feature_names[f] = mg__strdup(names[f])) == NULL)
            return mg__nomem(err, "feature names");
    return MG_OK;
}

mg_status mg__xgboost_open(mg_model *m, const char *path, const uint8_t *data, size_t len, int fmt,
                           mg_error *err) {
    mg__xgb_version ver;
    MG_TRY(mg__xgb_check_version(path, data, len, (mg__xgb_format)fmt, &ver, err));
    MG_TRY(mg__xgb_check_structure(path, data, len, (mg__xgb_format)fmt, err));
    xgb_state *s = mg__calloc(1, sizeof *s);
    if (s == NULL)
        return mg__nomem(err, "the XGBoost model");
    m->state = s;
    char e[512];
    XGBRegisterLogCallback(quiet);
    if (XGBoosterCreate(NULL, 0, &s->booster) != 0)
        return mg__fail(err, MG_ERR_MODEL, "%s: libxgboost cannot create a booster: %s", path,
                        xgb_error(e, sizeof e));
    /* libxgboost picks the format from the first bytes: JSON only when they
     * are '{' '"', and anything else not UBJSON is read as the legacy binary
     * format - so a JSON document after a BOM or a blank would have its text
     * read as binary sizes. It gets the document from its '{'. */
    size_t skip = 0;
    if ((mg__xgb_format)fmt == MG__XGB_JSON) {
        if (len >= 3 && memcmp(data, "\xEF\xBB\xBF", 3) == 0)
            skip = 3;
        while (skip < len && (data[skip] == ' ' || data[skip] == '\n' || data[skip] == '\r' ||
                              data[skip] == '\t'))
            skip++;
    }
    if (XGBoosterLoadModelFromBuffer(s->booster, data + skip, (bst_ulong)(len - skip)) != 0)
        return mg__fail(err, MG_ERR_MODEL, "%s: libxgboost cannot load the model: %s", path,
                        xgb_error(e, sizeof e));
    if (m->opts.threads > XGB_MAX_THREADS)
        return mg__fail(err, MG_ERR_USAGE, "%s: %d threads (at most %d)", path, m->opts.threads,
                        XGB_MAX_THREADS);
    int threads = m->opts.threads > 0 ? m->opts.threads : mg__cpu_count();
    char nthread[16];
    snprintf(nthread, sizeof nthread, "%d", threads);
    if (XGBoosterSetParam(s->booster, "nthread", nthread) != 0)
        return mg__fail(err, MG_ERR_MODEL, "%s: cannot set nthread: %s", path,
                        xgb_error(e, sizeof e));
    bst_ulong clen = 0;
    const char *cfg = NULL;
    if (XGBoosterSaveJsonConfig(s->booster, &clen, &cfg) != 0)
        return mg__fail(err, MG_ERR_MODEL, "%s: cannot read the model's configuration: %s", path,
                        xgb_error(e, sizeof e));
    char obj[64], num_class[32], num_target[32];
    static const char *const obj_path[] = {"learner", "objective", "name"};
    static const char *const class_path[] = {"learner", "learner_model_param", "num_class"};
    static const char *const target_path[] = {"learner", "learner_model_param", "num_target"};
    config_field(cfg, clen, obj_path, 3, obj, sizeof obj);
    config_field(cfg, clen, class_path, 3, num_class, sizeof num_class);
    config_field(cfg, clen, target_path, 3, num_target, sizeof num_target);
    int64_t nclass = 0, ntarget = 1;
    if (num_class[0] && mg_parse_int64(num_class, strlen(num_class), &nclass) != 0)
        nclass = 0;
    if (num_target[0] && mg_parse_int64(num_target, strlen(num_target), &ntarget) != 0)
        ntarget = 1;
    if (ntarget > 1)
        return mg__fail(err, MG_ERR_UNSUPPORTED,
                        "%s: a multi-target model (%d targets); modelgate evaluates one target",
                        path, (int)ntarget);
    if (obj[0] == '\0')
        return mg__fail(err, MG_ERR_FORMAT, "%s: the model names no objective", path);
    if (nclass > 1000000)
        return mg__fail(err, MG_ERR_FORMAT, "%s: num_class %" PRId64 " is not plausible", path,
                        nclass);
    MG_TRY(set_objective(m, s, obj, (int)nclass, err));
    MG_TRY(set_iterations(m, s, cfg, clen, err));
    m->objective = mg__strdup(obj);
    if (m->objective == NULL)
        return mg__nomem(err, "the objective");
    m->info.objective = m->objective;
    return read_features(m, s, err);
}
