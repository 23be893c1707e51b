/* shard_run.c - what evaluate and fairness share for sharded runs: handing
 * a shard's rows over as a partial result, and the provenance of a run or of
 * merged rows. */
#include "eval_internal.h"
#include "modelgate/run.h"
#include "modelgate/shard.h"

void mg__run_provenance(const mg_partial *from, const char *test_data, const mg_run *run,
                        const char *(*data_sha256)(void *), void *ctx, mg_provenance *prov) {
    memset(prov, 0, sizeof *prov);
    if (from != NULL) {
        /* Merged rows: no one file holds them; the model is the partials'. */
        prov->model_arg = from->model_arg;
        prov->model_sha256 = from->model_sha256;
        return;
    }
    prov->data_path = test_data;
    prov->data_sha256 = data_sha256 != NULL ? data_sha256(ctx) : NULL;
    prov->model_arg = mg_model_source(run->models[0]);
    prov->model_sha256 = mg_model_sha256(run->models[0]);
}

static char *dup_or_null(const char *s, bool *ok) {
    if (s == NULL)
        return NULL;
    char *d = mg__strdup(s);
    *ok &= d != NULL;
    return d;
}

mg_status mg__run_partial(mg_run *run, mg_table **cols, const char *test_data,
                          const char *data_sha256, mg_partial *out, mg_error *err) {
    mg_provenance prov;
    mg__run_provenance(NULL, test_data, run, NULL, NULL, &prov);
    prov.data_sha256 = data_sha256;
    bool ok = true;
    out->version = MG_PARTIAL_VERSION;
    out->shard_index = run->spec->shard_count > 0 ? run->spec->shard_index : -1;
    out->shard_count = run->spec->shard_count;
    out->data_path = dup_or_null(prov.data_path, &ok);
    out->data_sha256 = dup_or_null(prov.data_sha256, &ok);
    out->model_arg = dup_or_null(prov.model_arg, &ok);
    out->model_sha256 = dup_or_null(prov.model_sha256, &ok);
    if (!ok)
        return mg__nomem(err, "the partial result");
    out->targets = run->targets[0];
    memset(&run->targets[0], 0, sizeof run->targets[0]);
    out->columns = *cols;
    *cols = NULL;
    return MG_OK;
}
