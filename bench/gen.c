/* gen.c - the deterministic data generator of `make bench` (bench/README.md).
 *
 *   bench_gen ROWS OUT [--seed S] [--baseline] [--slices]
 *
 * Writes ROWS data rows (1 to 1,000,000,000) of a binary credit-scoring style
 * test set as CSV to OUT (a file, or - for stdout):
 *
 *   label,score,gender,age_group[,score_baseline][,region,channel,age]
 *
 * - score: the model's positive-class probability, k / 1e6 for k uniform in
 *   [0, 999999], scaled down by 5% per age group index (so selection rates
 *   differ between age groups), written with 6 decimals;
 * - label: 1 with probability 0.1 + 0.8 * score (ROC AUC about 0.77);
 * - gender: female 49%, male 49%, nonbinary 1.5%, missing (empty cell) 0.5%;
 * - age_group: 18-25, 26-40, 41-60, 61+ with equal probability;
 * - score_baseline (with --baseline): score plus uniform noise in +-0.15,
 *   clamped to [0, 0.999999]: a weaker model, for `compare`;
 * - region, channel, age (with --slices): three columns to slice by, 16
 *   region names and 14 channel names with equal probability and an integer
 *   age uniform in 18..87 (20 quantile buckets with --slice-bins 20): 50
 *   slices, for the slices' overhead (BENCH_SLICES in bench/run.sh).
 *
 * Every value comes from integer arithmetic on a counter-based hash of
 * (seed, row, field), so the bytes depend on nothing but ROWS, the seed
 * (default 42), --baseline and --slices: the same on every machine and C
 * library, and
 * row i is the same whatever ROWS is (a 1M-row file is the prefix of the
 * 10M-row one). Exit 0, or 2 with one line on stderr for bad arguments or a
 * write error. Not installed; built by CMake as build/tests/bench_gen. */
#include <errno.h>
#include <inttypes.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* splitmix64's finaliser: a bijective mix of 64 bits. */
static uint64_t mix64(uint64_t z) {
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
}

/* The random draw of field `field` of row `row`: independent of every other
 * row and field, so generation order does not matter. */
static uint64_t draw(uint64_t seed, uint64_t row, uint64_t field) {
    return mix64(mix64(seed ^ 0x6a09e667f3bcc909ULL) + row * 8 + field);
}

/* Writes the decimal digits of v (v < 10^width) zero-padded to width. */
static char *put_padded(char *p, uint32_t v, int width) {
    for (int i = width - 1; i >= 0; i--) {
        p[i] = (char)('0' + v % 10);
        v /= 10;
    }
    return p + width;
}

static char *put_text(char *p, const char *s) {
    size_t n = strlen(s);
    memcpy(p, s, n);
    return p + n;
}

static int usage(const char *why) {
    fprintf(stderr, "bench_gen: %s\nusage: bench_gen ROWS OUT [--seed S] [--baseline] [--slices]\n",
            why);
    return 2;
}

static int parse_u64(const char *s, uint64_t *out) {
    if (s == NULL || *s < '0' || *s > '9')
        return -1;
    char *end;
    errno = 0;
    unsigned long long v = strtoull(s, &end, 10);
    if (errno != 0 || *end != '\0')
        return -1;
    *out = v;
    return 0;
}

int main(int argc, char **argv) {
    uint64_t rows, seed = 42;
    int baseline = 0, slices = 0;
    if (argc < 3)
        return usage("ROWS and OUT are required");
    if (parse_u64(argv[1], &rows) != 0 || rows < 1 || rows > 1000000000)
        return usage("ROWS must be an integer from 1 to 1000000000");
    for (int i = 3; i < argc; i++) {
        if (strcmp(argv[i], "--baseline") == 0) {
            baseline = 1;
        } else if (strcmp(argv[i], "--slices") == 0) {
            slices = 1;
        } else if (strcmp(argv[i], "--seed") == 0 && i + 1 < argc) {
            if (parse_u64(argv[++i], &seed) != 0)
                return usage("--seed must be a non-negative integer");
        } else {
            return usage("unknown argument");
        }
    }
    const char *path = argv[2];
    FILE *f = strcmp(path, "-") == 0 ? stdout : fopen(path, "wb");
    if (f == NULL) {
        fprintf(stderr, "bench_gen: %s: cannot open for writing: %s\n", path, strerror(errno));
        return 2;
    }
    static const char *const genders[] = {"female", "male", "nonbinary", ""};
    static const char *const ages[] = {"18-25", "26-40", "41-60", "61+"};
    static const char *const regions[] = {"north", "south", "east", "west", "central", "northeast",
                                          "northwest", "southeast", "southwest", "islands",
                                          "coast", "mountains", "plains", "valley", "desert",
                                          "forest"};
    static const char *const channels[] = {"web", "app", "store", "phone", "mail", "partner",
                                           "kiosk", "tv", "radio", "social", "search", "email",
                                           "sms", "other"};
    enum { BUF = 1 << 20, ROW_MAX = 128 };
    static char buf[BUF];
    char *p = put_text(buf, "label,score,gender,age_group");
    if (baseline)
        p = put_text(p, ",score_baseline");
    if (slices)
        p = put_text(p, ",region,channel,age");
    *p++ = '\n';
    int failed = 0;
    for (uint64_t i = 0; i < rows && !failed; i++) {
        uint32_t age = (uint32_t)(draw(seed, i, 0) % 4);
        uint64_t gdraw = draw(seed, i, 1) % 1000;
        uint32_t gender = gdraw < 490 ? 0 : gdraw < 980 ? 1 : gdraw < 995 ? 2 : 3;
        uint32_t k = (uint32_t)(draw(seed, i, 2) % 1000000);
        k -= k / 20 * age; /* 5% lower per age group index */
        /* P(label = 1) = 0.1 + 0.8 * k / 1e6, in millionths */
        uint32_t p1 = 100000 + k / 5 * 4 + (k % 5) * 4 / 5;
        uint32_t label = draw(seed, i, 3) % 1000000 < p1;
        p = put_text(p, label ? "1,0." : "0,0.");
        p = put_padded(p, k, 6);
        *p++ = ',';
        p = put_text(p, genders[gender]);
        *p++ = ',';
        p = put_text(p, ages[age]);
        if (baseline) {
            int64_t b = (int64_t)k + (int64_t)(draw(seed, i, 4) % 300001) - 150000;
            b = b < 0 ? 0 : b > 999999 ? 999999 : b;
            p = put_text(p, ",0.");
            p = put_padded(p, (uint32_t)b, 6);
        }
        if (slices) {
            *p++ = ',';
            p = put_text(p, regions[draw(seed, i, 5) % 16]);
            *p++ = ',';
            p = put_text(p, channels[draw(seed, i, 6) % 14]);
            *p++ = ',';
            p = put_padded(p, 18 + (uint32_t)(draw(seed, i, 7) % 70), 2);
        }
        *p++ = '\n';
        if (p - buf > BUF - ROW_MAX) {
            failed = fwrite(buf, 1, (size_t)(p - buf), f) != (size_t)(p - buf);
            p = buf;
        }
    }
    if (!failed && p > buf)
        failed = fwrite(buf, 1, (size_t)(p - buf), f) != (size_t)(p - buf);
    if (fflush(f) != 0)
        failed = 1;
    if ((f != stdout && fclose(f) != 0) || failed) {
        fprintf(stderr, "bench_gen: %s: write failed: %s\n", path, strerror(errno));
        return 2;
    }
    return 0;
}
