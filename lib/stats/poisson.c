/* poisson.c - exact Poisson draws for the bootstrap over aggregated counts
 * (see poisson.h for the algorithms and their sources). */
#include "stats/poisson.h"

#include <math.h>

/* Below this lambda, inversion (expected lambda + 1 steps); PTRS above, as
 * NumPy does. */
#define INVERSION_MAX 10.0

/* log(k!) for the PTRS acceptance test: tabulated below 20, Stirling's
 * series with four terms above (truncation error below 1/(1188 x^9) < 2e-15
 * for x = k + 1 >= 21; NumPy's random_loggam uses the same series). Avoids
 * lgamma(), which writes the global signgam and is not thread-safe. */
static double log_factorial(int64_t k) {
    static const double small[20] = {0.0,
                                     0.0,
                                     0.693147180559945,
                                     1.7917594692280554,
                                     3.178053830347945,
                                     4.787491742782047,
                                     6.579251212010102,
                                     8.525161361065415,
                                     10.604602902745249,
                                     12.801827480081467,
                                     15.104412573075514,
                                     17.502307845873887,
                                     19.987214495661885,
                                     22.55216385312342,
                                     25.191221182738683,
                                     27.89927138384089,
                                     30.671860106080672,
                                     33.50507345013689,
                                     36.39544520803305,
                                     39.339884187199495};
    if (k < 20)
        return small[k];
    double x = (double)k + 1; /* log Gamma(x) */
    double x2 = 1.0 / (x * x);
    double series = (((-1.0 / 1680 * x2 + 1.0 / 1260) * x2 - 1.0 / 360) * x2 + 1.0 / 12) / x;
    return (x - 0.5) * log(x) - x + 0.91893853320467274 /* log(2 pi) / 2 */ + series;
}

/* floor(2^64 P[Poisson(n) <= k]) for n = 1..9, k = 0, 1, ... up to the
 * last value below 2^64 - 1 (the tail beyond has probability below 2^-64):
 * table n starts at cdf_start[n - 1] and ends before cdf_start[n]. Generated
 * with Python's decimal module at 60 digits:
 *   p = c = exp(-n); k = 0
 *   while int(c * 2**64) < 2**64 - 1: emit(int(c * 2**64)); k += 1; p *= n / k; c += p */
const uint64_t mg__poisson_cdf64[317] = {
    0x5e2d58d8b3bcdf1au, 0xbc5ab1b16779be35u, 0xeb715e1dc1582dc2u, 0xfb23979734a252f1u,
    0xff1025f59174dc3du, 0xffd90f3ba4055e19u, 0xfffa8b71fc72c913u, 0xffff540c0914b3c9u,
    0xffffed1f4aa8f120u, 0xfffffe216e641462u, 0xffffffd4d85d3183u, 0xfffffffc6da262b4u,
    0xffffffffba12d178u, 0xfffffffffb07c64cu, 0xffffffffffab8ea5u, 0xfffffffffffabe22u,
    0xffffffffffffb11au, 0xfffffffffffffba1u, 0xffffffffffffffc5u, 0xfffffffffffffffdu,
    0x22a555477f03973fu, 0x67efffd67d0ac5bfu, 0xad3aaa657b11f43eu, 0xdb6c716f79c16893u,
    0xf28554f4791922beu, 0xfbc27cc345a2a068u, 0xfed6df5d89d074f6u, 0xffb8201be66fd643u,
    0xfff0704b7d97ae97u, 0xfffcf3e449d96ce2u, 0xffff749c72b35fbeu, 0xffffe91b05c3ba72u,
    0xfffffc85739bc990u, 0xffffff82220bcbe3u, 0xffffffef5f898313u, 0xfffffffdf044f0d6u,
    0xffffffffc25c5e8eu, 0xfffffffff931f2feu, 0xffffffffff49ae27u, 0xffffffffffeddccdu,
    0xfffffffffffe47ddu, 0xffffffffffffd828u, 0xfffffffffffffc8cu, 0xffffffffffffffb6u,
    0xfffffffffffffffau, 0x0cbed86667585764u, 0x32fb61999d615d92u, 0x6c562f666e6ee6d7u,
    0xa5b0fd333f7c701cu, 0xd0b5178cdc46970fu, 0xea845a8f6d8cae6eu, 0xf76bfc10b62fba1eu,
    0xfcf3d3914307e3b2u, 0xff06c46177d8f34au, 0xffb7bf518973f87du, 0xffecd7665b88e072u,
    0xfffb5254c360086fu, 0xfffef1105d55d26fu, 0xffffc6ece3537733u, 0xfffff4c0b6e53f14u,
    0xfffffdeb1468cd75u, 0xffffffa305f17827u, 0xfffffff0a9099646u, 0xfffffffd998d9b4bu,
    0xffffffffa494fa67u, 0xfffffffff30948abu, 0xfffffffffe3e786cu, 0xffffffffffc5b91du,
    0xfffffffffff8c18du, 0xffffffffffff229cu, 0xffffffffffffe693u, 0xfffffffffffffd2fu,
    0xffffffffffffffb3u, 0xfffffffffffffff8u, 0x04b0556e084f3d1du, 0x1771ab26298c3195u,
    0x3cf456966c061a85u, 0x6ef7e5d6c4a8a670u, 0xa0fb75171d4b325au, 0xc8fe4e176433a249u,
    0xe3aadec23e23ece8u, 0xf2e8e8487188a9d5u, 0xfa87ed0b8b3b084cu, 0xfdeb0b9b24dfa40fu,
    0xff45e4a16254af2au, 0xffc40500be7f3ed6u, 0xffee0fcb328d6ebau, 0xfffaff6bf3ccdfedu,
    0xfffeb199e1df0044u, 0xffffadea659f916du, 0xffffecfe868fb5b7u, 0xfffffbd615d745c8u,
    0xffffff226e91d793u, 0xffffffd43068471cu, 0xfffffff7bd932a38u, 0xfffffffe83216ddcu,
    0xffffffffbe52916eu, 0xfffffffff5237639u, 0xfffffffffe464706u, 0xffffffffffbc7ce9u,
    0xfffffffffff60f0cu, 0xfffffffffffe967au, 0xffffffffffffce65u, 0xfffffffffffff96bu,
    0xffffffffffffff27u, 0xffffffffffffffe5u, 0xfffffffffffffffcu, 0x01b993fe00d53761u,
    0x0a5977f404ff4c4au, 0x1fe931db0f688090u, 0x43d8bd06cb6d2d05u, 0x70c42afd76730497u,
    0x9daf98f42178dc29u, 0xc31e749705530fcdu, 0xdddb5a9da8137dd5u, 0xee916a61cdcbc29au,
    0xf7da1dcec64e9379u, 0xfc7e7785428ffbe9u, 0xfe9aa04c92509fbeu, 0xff7bb14a48e0e402u,
    0xffd241abdddd4d08u, 0xfff12c17dc37728au, 0xfffb7a3bdbaad460u, 0xfffeb2a71b7ee2f3u,
    0xffffa52101179bf1u, 0xffffe87bc0de79ffu, 0xfffffa3551a70546u, 0xfffffea3b5d92818u,
    0xffffffb1cdb454f4u, 0xffffffef30379955u, 0xfffffffc886a656au, 0xffffffff501fa544u,
    0xffffffffde77186fu, 0xfffffffff9d6ae95u, 0xfffffffffee86218u, 0xffffffffffd01d93u,
    0xfffffffffff811c3u, 0xfffffffffffeba76u, 0xffffffffffffcd69u, 0xfffffffffffff85fu,
    0xfffffffffffffee2u, 0xffffffffffffffd7u, 0xfffffffffffffffau, 0x00a2728f889ea6aeu,
    0x047121ecbc568ec7u, 0x0fdd3004577e4710u, 0x26b54c338dcdb7a3u, 0x48f9767a5f44e080u,
    0x72180f9c276d77efu, 0x9b36a8bdef960f5eu, 0xbe75752408dd6c99u, 0xd8e48e709bd2f285u,
    0xea83f4a3a876a122u, 0xf516cb8f1672704du, 0xfadb40c9af876cf0u, 0xfdbd7b66fc11eb42u,
    0xff1233fe5a793940u, 0xffa439f61537c864u, 0xffdea2bf931d9b3fu, 0xfff48a0b2253ca51u,
    0xfffc4516be48cbdfu, 0xfffed8c5479a770fu, 0xffffa917580518e8u, 0xffffe7965cf1e30fu,
    0xfffff97182ec65f6u, 0xfffffe503030b835u, 0xffffff956885533au, 0xffffffe6b69a79fcu,
    0xfffffffa39fbb67cu, 0xfffffffebac361fcu, 0xffffffffbaefc0fcu, 0xfffffffff1d4b0c5u,
    0xfffffffffd3031d4u, 0xffffffffff75b20au, 0xffffffffffe63e78u, 0xfffffffffffb58cdu,
    0xffffffffffff2f0bu, 0xffffffffffffdc61u, 0xfffffffffffffa18u, 0xffffffffffffff0cu,
    0xffffffffffffffd9u, 0xfffffffffffffffau, 0x003bc2d73849531du, 0x01de16b9c24a98eau,
    0x07963c52a54f0d39u, 0x14ee940cb7041c9cu, 0x2c492d925600f788u, 0x4cfb37b3ce2fc3a0u,
    0x7320438585110712u, 0x99454f573bf24a83u, 0xbaa5b9aebbf76586u, 0xd49b61b9e6a608c2u,
    0xe6c7575b51537b05u, 0xf257add94f64c3bbu, 0xf9168af82399837bu, 0xfcb8647ee4a23980u,
    0xfe89514245269482u, 0xff6248481cdbd00cu, 0xffc1345aab3b1a18u, 0xffe84a4431261a78u,
    0xfff77d7457017e2bu, 0xfffd170cd0be1c2au, 0xffff0ccefb59b9dcu, 0xffffb40fb43843c3u,
    0xffffe94734dc29d2u, 0xfffff9797d6716cbu, 0xfffffe32d28f9be9u, 0xffffff856f867981u,
    0xffffffe099c8f03eu, 0xfffffff83c71df9eu, 0xfffffffe251c1b76u, 0xffffffff923c5edfu,
    0xffffffffe76e90bcu, 0xfffffffffaab72b4u, 0xfffffffffee0c422u, 0xffffffffffc549c5u,
    0xfffffffffff4563au, 0xfffffffffffdbf1eu, 0xffffffffffff9383u, 0xffffffffffffec20u,
    0xfffffffffffffc73u, 0xffffffffffffff61u, 0xffffffffffffffe5u, 0xfffffffffffffffbu,
    0x0015fc21041027acu, 0x00c5dd2924916512u, 0x03856149a6965aaau, 0x0ad96c4b014e3ee8u,
    0x1981824db6be0766u, 0x30f4d8b872a414fbu, 0x50394bf16d2c2717u, 0x73f53d571dc7a981u,
    0x97b12ebcce632bebu, 0xb774affac0b48365u, 0xd0dde42c4f5bfc94u, 0xe358f2dbfced0ee4u,
    0xefaafca670a31b1au, 0xf73feefba426d3d8u, 0xfb950bbe9d0461fcu, 0xfde4928cff9cadcbu,
    0xff0c55f430e8d3b2u, 0xff9784bb572ac76au, 0xffd560a212d6502eu, 0xffef6c618a46f58eu,
    0xfff9d77aed40d14eu, 0xfffdcf84990db74eu, 0xffff40fc7a6f7f4eu, 0xffffc17f3822342cu,
    0xffffec55775dc5ccu, 0xfffffa0aaa521d5bu, 0xfffffe426b3ad5d6u, 0xffffff8258894563u,
    0xffffffddc0e8d2f9u, 0xfffffff6f82f524eu, 0xfffffffdb1977443u, 0xffffffff6dd35bfeu,
    0xffffffffdce255edu, 0xfffffffff7ceb18bu, 0xfffffffffe246cc0u, 0xffffffffff971b32u,
    0xffffffffffe97adau, 0xfffffffffffb4a58u, 0xffffffffffff0a3du, 0xffffffffffffcf23u,
    0xfffffffffffff685u, 0xfffffffffffffe34u, 0xffffffffffffffaau, 0xfffffffffffffff0u,
    0xfffffffffffffffdu, 0x0008167912932a2cu, 0x0050e0bab9bfa5bfu, 0x01986ee22a07d1d5u,
    0x056f19587ae05616u, 0x0e1218e2b0c77fa9u, 0x1d9de4db78346418u, 0x34ef96d0a357babeu,
    0x52eae954ff6097dcu, 0x74a5a629e6ea909eu, 0x966062fece748961u, 0xb4bba68b3870b610u,
    0xcd91f515609c2070u, 0xe032affcfebcb039u, 0xed181db109bf89ebu, 0xf56276803565f14bu,
    0xfa5bdefc82c9c8ebu, 0xfd2829c26e51f235u, 0xfea36067728af902u, 0xff60fbb9f4a77c68u,
    0xffbacc0975a784c1u, 0xffe33693a2e78883u, 0xfff488cedade658du, 0xfffb9ecfcedaa8b4u,
    0xfffe64a3a8c2ef80u, 0xffff6ed31a7a0a0du, 0xffffcea6be4b510cu, 0xffffefd277001102u,
    0xfffffae109e6fbaau, 0xfffffe6eddb134cdu, 0xffffff8939e72339u, 0xffffffddef2a845au,
    0xfffffff686e33d74u, 0xfffffffd718f3183u, 0xffffffff54784587u, 0xffffffffd44c8e97u,
    0xfffffffff52b5f8du, 0xfffffffffd6313cau, 0xffffffffff62ca03u, 0xffffffffffdbfbe7u,
    0xfffffffffff7f3bau, 0xfffffffffffe3eb0u, 0xffffffffffffa050u, 0xffffffffffffec17u,
    0xfffffffffffffbf3u, 0xffffffffffffff31u, 0xffffffffffffffd7u, 0xfffffffffffffff8u,
    0xfffffffffffffffeu,
};
const int mg__poisson_cdf_start[10] = {0, 20, 45, 74, 107, 143, 182, 224, 269, 317};
#define cdf64 mg__poisson_cdf64
#define cdf_start mg__poisson_cdf_start

void mg__poisson_guide_init(mg__poisson_guide *g) {
    const int bits = MG__POISSON_GUIDE_BITS, cells = 1 << MG__POISSON_GUIDE_BITS;
    for (int n = 1; n < MG__POISSON_TABLE_MAX; n++) {
        const uint64_t *c = cdf64 + cdf_start[n - 1];
        int m = cdf_start[n] - cdf_start[n - 1], k = 0;
        for (int i = 0; i < cells; i++) {
            uint64_t lo = (uint64_t)i << (64 - bits); /* the cell's smallest u */
            uint64_t hi = lo | (UINT64_MAX >> bits);  /* and its largest */
            while (k < m && lo >= c[k])
                k++;
            /* k < 0x80 (m < 50); every u of the cell draws k when the next
             * step of the CDF lies beyond the cell */
            int exact = k == m || hi < c[k];
            g->cell[n - 1][i] = (uint8_t)(k | (exact ? MG__POISSON_GUIDE_EXACT : 0));
        }
    }
}

static int64_t inversion(uint64_t *state, double lambda, double p0) {
    double u = mg__rng_uniform(state);
    double p = p0, cdf = p0;
    int64_t k = 0;
    /* The tail beyond where cdf stops growing has probability below 1e-16;
     * the bound on k only guards against an endless loop. */
    while (u >= cdf && k < 1000) {
        k++;
        p *= lambda / (double)k;
        if (p <= 0)
            break;
        cdf += p;
    }
    return k;
}

static int64_t ptrs(uint64_t *state, double lambda) {
    double slam = sqrt(lambda), loglam = log(lambda);
    double b = 0.931 + 2.53 * slam;
    double a = -0.059 + 0.02483 * b;
    double invalpha = 1.1239 + 1.1328 / (b - 3.4);
    double vr = 0.9277 - 3.6224 / (b - 2);
    for (;;) {
        double u = mg__rng_uniform(state) - 0.5;
        double v = mg__rng_uniform(state);
        double us = 0.5 - fabs(u);
        double kd = floor((2 * a / us + b) * u + lambda + 0.43);
        if (us >= 0.07 && v <= vr)
            return (int64_t)kd;
        if (kd < 0 || (us < 0.013 && v > us))
            continue;
        int64_t k = (int64_t)kd;
        if (log(v) + log(invalpha) - log(a / (us * us) + b) <=
            -lambda + (double)k * loglam - log_factorial(k))
            return k;
    }
}

int64_t mg__poisson(uint64_t *state, double lambda) {
    if (!(lambda > 0))
        return 0;
    if (lambda < INVERSION_MAX)
        return inversion(state, lambda, exp(-lambda));
    return ptrs(state, lambda);
}

int64_t mg__poisson_count(uint64_t *state, int64_t n) {
    if (n <= 0)
        return 0;
    if (n < 10) {
        /* Inversion in integers: the first k whose tabulated CDF exceeds 64
         * uniform bits (no division, no exp). */
        uint64_t u = mg__rng_next(state);
        const uint64_t *c = cdf64 + cdf_start[n - 1];
        int m = cdf_start[n] - cdf_start[n - 1], k = 0;
        while (k < m && u >= c[k])
            k++;
        return k;
    }
    return ptrs(state, (double)n);
}

int64_t mg__poisson_count_from(uint64_t state, int64_t n, uint64_t *next) {
    int64_t k = mg__poisson_count(&state, n);
    *next = state;
    return k;
}
