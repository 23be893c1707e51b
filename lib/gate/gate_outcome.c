/* gate_outcome.c - the outcome of a policy run as the stages fill it: its
 * gates and notes (gate_run.c, gate_stages.c and gate_slices.c add to it). */
#include "internal.h"
#include "modelgate/gate_run.h"

#include <stdarg.h>
#include <string.h>

#include "gate_run_internal.h"

void mg_gate_outcome_release(mg_gate_outcome *out) {
    if (out == NULL)
        return;
    free(out->metrics_json);
    free(out->fairness_json);
    free(out->latency_json);
    free(out->comparison_json);
    free(out->gate_json);
    mg_partial_release(&out->partial);
    for (int i = 0; i < out->ngates; i++) {
        for (int k = 0; k < out->gates[i].nattribute_parts; k++)
            free(out->gates[i].attribute_parts[k]);
        free(out->gates[i].attribute_parts);
    }
    free(out->gates);
    for (int i = 0; i < out->nnotes; i++)
        free(out->notes[i]);
    free(out->notes);
    memset(out, 0, sizeof *out);
}

mg_status mg__gate_note(mg_gate_outcome *out, mg_error *err, const char *fmt, ...) {
    char text[1024];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(text, sizeof text, fmt, ap);
    va_end(ap);
    char **grown = mg__realloc_array(out->notes, (size_t)out->nnotes + 1, sizeof *grown);
    if (grown == NULL)
        return mg__nomem(err, "the run's notes");
    out->notes = grown;
    if ((out->notes[out->nnotes] = mg__strdup(text)) == NULL)
        return mg__nomem(err, "the run's notes");
    out->nnotes++;
    return MG_OK;
}

mg_gate_entry *mg__gate_add(mg_gate_outcome *out, mg_gate_kind kind, const mg_policy *p,
                            const char *key, mg_error *err) {
    mg_gate_entry *grown = mg__realloc_array(out->gates, (size_t)out->ngates + 1, sizeof *grown);
    if (grown == NULL) {
        mg__nomem(err, "the gates");
        return NULL;
    }
    out->gates = grown;
    mg_gate_entry *e = &out->gates[out->ngates++];
    memset(e, 0, sizeof *e);
    e->kind = kind;
    mg_policy_where(p, key, e->source, sizeof e->source);
    return e;
}

