/* number.c - locale-independent number parsing and shortest round-trip
 * printing. A metric must never print as "0,5", and a CSV value must read back
 * as exactly the double that wrote it. */
#define _GNU_SOURCE
#include "internal.h"

#include <locale.h>
#include <math.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static locale_t c_locale;
static pthread_once_t c_locale_once = PTHREAD_ONCE_INIT;

static void make_c_locale(void) {
    c_locale = newlocale(LC_ALL_MASK, "C", (locale_t)0);
}

static locale_t get_c_locale(void) {
    pthread_once(&c_locale_once, make_c_locale);
    return c_locale;
}

/* Exact powers of ten representable in a double (Clinger's fast path). */
static const double pow10_exact[23] = {1e0,  1e1,  1e2,  1e3,  1e4,  1e5,  1e6,  1e7,
                                       1e8,  1e9,  1e10, 1e11, 1e12, 1e13, 1e14, 1e15,
                                       1e16, 1e17, 1e18, 1e19, 1e20, 1e21, 1e22};

static int ieq(const char *s, size_t len, const char *word) {
    size_t n = strlen(word);
    if (len != n)
        return 0;
    for (size_t i = 0; i < n; i++) {
        char c = s[i];
        if (c >= 'A' && c <= 'Z')
            c = (char)(c - 'A' + 'a');
        if (c != word[i])
            return 0;
    }
    return 1;
}

int mg_parse_double(const char *s, size_t len, double *out) {
    if (len == 0)
        return -1;
    size_t i = 0;
    int neg = 0;
    if (s[0] == '+' || s[0] == '-') {
        neg = s[0] == '-';
        i = 1;
    }
    if (ieq(s + i, len - i, "inf") || ieq(s + i, len - i, "infinity")) {
        *out = neg ? -INFINITY : INFINITY;
        return 0;
    }
    if (ieq(s + i, len - i, "nan")) {
        *out = NAN;
        return 0;
    }
    /* Validate the grammar and try the fast path on the way. */
    uint64_t mant = 0;
    int digits = 0, frac_digits = 0, any = 0, exp = 0;
    int exact = 1;
    for (; i < len && s[i] >= '0' && s[i] <= '9'; i++) {
        any = 1;
        if (mant == 0 && s[i] == '0')
            continue;
        if (digits < 19)
            mant = mant * 10 + (uint64_t)(s[i] - '0');
        else
            exact = 0;
        digits++;
    }
    if (i < len && s[i] == '.') {
        i++;
        for (; i < len && s[i] >= '0' && s[i] <= '9'; i++) {
            any = 1;
            if (mant == 0 && s[i] == '0') {
                frac_digits++;
                continue;
            }
            if (digits < 19) {
                mant = mant * 10 + (uint64_t)(s[i] - '0');
                frac_digits++;
            } else if (s[i] != '0') {
                exact = 0;
            }
            digits++;
        }
    }
    if (!any)
        return -1;
    if (i < len && (s[i] == 'e' || s[i] == 'E')) {
        i++;
        int eneg = 0, edigits = 0;
        if (i < len && (s[i] == '+' || s[i] == '-')) {
            eneg = s[i] == '-';
            i++;
        }
        for (; i < len && s[i] >= '0' && s[i] <= '9'; i++) {
            if (exp < 100000)
                exp = exp * 10 + (s[i] - '0');
            edigits++;
        }
        if (edigits == 0)
            return -1;
        if (eneg)
            exp = -exp;
    }
    if (i != len)
        return -1;
    int e10 = exp - frac_digits;
    if (exact && mant <= (UINT64_C(1) << 53) && e10 >= -22 && e10 <= 22) {
        double v = (double)mant;
        v = e10 < 0 ? v / pow10_exact[-e10] : v * pow10_exact[e10];
        *out = neg ? -v : v;
        return 0;
    }
    /* Slow path: glibc's correctly rounded strtod in the C locale. */
    char tmp[128];
    char *heap = NULL, *p = tmp;
    if (len >= sizeof tmp) {
        heap = mg__strndup(s, len);
        if (heap == NULL)
            return -1;
        p = heap;
    } else {
        memcpy(tmp, s, len);
        tmp[len] = '\0';
    }
    char *end = NULL;
    locale_t loc = get_c_locale();
    double v = loc ? strtod_l(p, &end, loc) : strtod(p, &end);
    int ok = end == p + len;
    free(heap);
    if (!ok)
        return -1;
    *out = v;
    return 0;
}

int mg_parse_int64(const char *s, size_t len, int64_t *out) {
    if (len == 0)
        return -1;
    size_t i = 0;
    int neg = 0;
    if (s[0] == '+' || s[0] == '-') {
        neg = s[0] == '-';
        i = 1;
    }
    if (i == len)
        return -1;
    uint64_t v = 0;
    uint64_t limit = neg ? (uint64_t)INT64_MAX + 1 : (uint64_t)INT64_MAX;
    for (; i < len; i++) {
        if (s[i] < '0' || s[i] > '9')
            return -1;
        uint64_t d = (uint64_t)(s[i] - '0');
        if (v > (limit - d) / 10)
            return -1;
        v = v * 10 + d;
    }
    *out = neg ? (int64_t)(0 - v) : (int64_t)v;
    return 0;
}

int mg_format_double(double v, char *buf, size_t cap) {
    if (isnan(v))
        return snprintf(buf, cap, "nan");
    if (isinf(v))
        return snprintf(buf, cap, v < 0 ? "-inf" : "inf");
    if (v == 0)
        return snprintf(buf, cap, signbit(v) ? "-0" : "0");
    locale_t loc = get_c_locale();
    locale_t old = loc ? uselocale(loc) : (locale_t)0;
    int n = 0;
    for (int prec = 15; prec <= 17; prec++) {
        n = snprintf(buf, cap, "%.*g", prec, v);
        double back;
        if (n > 0 && (size_t)n < cap && mg_parse_double(buf, (size_t)n, &back) == 0 && back == v)
            break;
    }
    if (loc)
        uselocale(old);
    return n;
}
