/* test_gate.c - the one decision rule and the one "worst verdict" that every
 * gate set shares (lib/gate/gate.c), on hand-computed cases. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <math.h>

#include "internal.h"
#include "modelgate/gate.h"

static void worse_orders_fail_inconclusive_pass(void **state) {
    (void)state;
    const mg_verdict P = MG_VERDICT_PASS, F = MG_VERDICT_FAIL, I = MG_VERDICT_INCONCLUSIVE;
    assert_int_equal(mg_verdict_worse(P, P), P);
    assert_int_equal(mg_verdict_worse(P, I), I);
    assert_int_equal(mg_verdict_worse(I, P), I);
    assert_int_equal(mg_verdict_worse(I, F), F);
    assert_int_equal(mg_verdict_worse(F, P), F);
    mg_gate_result g[3];
    memset(g, 0, sizeof g);
    g[0].verdict = P;
    g[1].verdict = I;
    g[2].verdict = F;
    assert_int_equal(mg_gate_worst(g, 0), P);
    assert_int_equal(mg_gate_worst(g, 2), I);
    assert_int_equal(mg_gate_worst(g, 3), F);
}

static void point_decides_without_interval(void **state) {
    (void)state;
    assert_int_equal(mg_gate_verdict(MG_GATE_MIN, 0.85, 0.85, NAN, NAN, false), MG_VERDICT_PASS);
    assert_int_equal(mg_gate_verdict(MG_GATE_MIN, 0.85, 0.8499, NAN, NAN, false), MG_VERDICT_FAIL);
    assert_int_equal(mg_gate_verdict(MG_GATE_MAX, 100, 100, NAN, NAN, false), MG_VERDICT_PASS);
    assert_int_equal(mg_gate_verdict(MG_GATE_MAX, 100, 100.5, NAN, NAN, false), MG_VERDICT_FAIL);
    /* NaN never passes or fails */
    assert_int_equal(mg_gate_verdict(MG_GATE_MIN, 0.85, NAN, NAN, NAN, false),
                     MG_VERDICT_INCONCLUSIVE);
    assert_int_equal(mg_gate_verdict(MG_GATE_MAX, NAN, 1, NAN, NAN, false),
                     MG_VERDICT_INCONCLUSIVE);
}

static void interval_decides_wholly_or_not(void **state) {
    (void)state;
    /* minimum 0.85: [0.86, 0.9] clears, [0.8, 0.84] misses, [0.8, 0.9] straddles */
    assert_int_equal(mg_gate_verdict(MG_GATE_MIN, 0.85, 0.88, 0.86, 0.9, true), MG_VERDICT_PASS);
    assert_int_equal(mg_gate_verdict(MG_GATE_MIN, 0.85, 0.82, 0.8, 0.84, true), MG_VERDICT_FAIL);
    assert_int_equal(mg_gate_verdict(MG_GATE_MIN, 0.85, 0.86, 0.8, 0.9, true),
                     MG_VERDICT_INCONCLUSIVE);
    /* an end on the bound clears it (>=, <=) */
    assert_int_equal(mg_gate_verdict(MG_GATE_MIN, 0.85, 0.9, 0.85, 0.95, true), MG_VERDICT_PASS);
    /* maximum 100 ms with no lower bound: pass when the upper bound clears */
    assert_int_equal(mg_gate_verdict(MG_GATE_MAX, 100, 80, -INFINITY, 99, true), MG_VERDICT_PASS);
    assert_int_equal(mg_gate_verdict(MG_GATE_MAX, 100, 80, -INFINITY, 120, true),
                     MG_VERDICT_INCONCLUSIVE);
    assert_int_equal(mg_gate_verdict(MG_GATE_MAX, 100, 130, 101, 150, true), MG_VERDICT_FAIL);
    /* an undefined end: inconclusive */
    assert_int_equal(mg_gate_verdict(MG_GATE_MIN, 0.85, 0.9, NAN, 0.95, true),
                     MG_VERDICT_INCONCLUSIVE);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(worse_orders_fail_inconclusive_pass),
        cmocka_unit_test(point_decides_without_interval),
        cmocka_unit_test(interval_decides_wholly_or_not),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
