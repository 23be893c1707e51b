/* fuzz_policy.c - libFuzzer target: the policy reader (lib/gate/policy*.c)
 * on arbitrary bytes.
 *
 * The first byte picks what the rest is:
 *   even  a whole policy file, parsed and (when it parses) validated;
 *   odd   one --set assignment "KEY=VALUE" applied to a valid policy.
 * Oracles beyond "no crash, no read outside the buffer, no leak": a failure
 * has a message, and a refused file names a line and column (>= 1); a parsed
 * policy has a place for each key read, and no bound whose min is above its
 * max; a refused override leaves the policy as it was (same gates, same
 * places, same values). */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "modelgate/policy.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const char base[] = "version: 1\n"
                           "data: {test: t.csv, ignore: [a]}\n"
                           "model: m.json\n"
                           "gates:\n"
                           "  accuracy: {min: 0.8}\n"
                           "  latency: {p99_ms: {max: 10}}\n"
                           "  fairness: {protected_attributes: [g]}\n";

static void check_parsed(const mg_policy *p) {
    char buf[256];
    for (int i = 0; i < p->nplaces; i++) {
        const mg_policy_key_place *kp = &p->places[i];
        if (kp->origin == NULL && (kp->place.line < 1 || kp->place.column < 1))
            abort();
        if (mg_policy_where(p, kp->key, buf, sizeof buf)[0] == '\0')
            abort();
    }
    const mg_policy_bound *sets[3] = {p->metric_gates, p->latency.bounds, p->fairness.bounds};
    int ns[3] = {p->nmetric_gates, p->latency.nbounds, p->fairness.nbounds};
    for (int s = 0; s < 3; s++)
        for (int i = 0; i < ns[s]; i++)
            if (sets[s][i].has_min && sets[s][i].has_max && sets[s][i].min > sets[s][i].max)
                abort();
}

static void whole_file(const uint8_t *data, size_t size) {
    mg_policy p;
    mg_error err;
    mg_error_clear(&err);
    mg_status st = mg_policy_parse((const char *)data, size, "fuzz.yml", &p, &err);
    if (st != MG_OK) {
        if (err.text[0] == '\0')
            abort();
        if (st == MG_ERR_USAGE && (err.place.line < 1 || err.place.column < 1))
            abort();
    } else {
        check_parsed(&p);
        st = mg_policy_validate(&p, &err);
        if (st != MG_OK && err.text[0] == '\0')
            abort();
    }
    mg_policy_release(&p);
}

static void one_override(const uint8_t *data, size_t size) {
    char *assignment = malloc(size + 1);
    if (assignment == NULL)
        return;
    memcpy(assignment, data, size);
    assignment[size] = '\0';
    mg_policy p;
    mg_error err;
    if (mg_policy_parse(base, sizeof base - 1, "base.yml", &p, &err) != MG_OK)
        abort();
    int gates = p.nmetric_gates, places = p.nplaces, ignore = p.nignore;
    double min = p.metric_gates[0].min;
    char label[64];
    snprintf(label, sizeof label, "%s", p.label);
    mg_error_clear(&err);
    mg_status st = mg_policy_set(&p, assignment, &err);
    if (st != MG_OK) {
        if (err.text[0] == '\0')
            abort();
        if (p.nmetric_gates != gates || p.nplaces != places || p.nignore != ignore ||
            p.metric_gates[0].min != min || strcmp(p.label, label) != 0)
            abort();
        for (int i = 0; i < p.nplaces; i++)
            if (p.places[i].origin != NULL)
                abort();
    } else {
        check_parsed(&p);
    }
    mg_policy_release(&p);
    free(assignment);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    if (size == 0)
        return 0;
    if (data[0] % 2 == 0)
        whole_file(data + 1, size - 1);
    else
        one_override(data + 1, size - 1);
    return 0;
}
