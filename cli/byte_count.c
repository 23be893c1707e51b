/* byte_count.c - byte counts given on the command line. */
#include "byte_count.h"
#include "output.h"
#include "commands.h"

#include <stdio.h>
#include <string.h>

#include "banned.h"

int mg_cli_parse_bytes(const char *command, const char *option, const char *text, uint64_t *out) {
    *out = 0;
    if (text == NULL)
        return 0;
    const char *p = text;
    uint64_t v = 0;
    int digits = 0;
    for (; *p >= '0' && *p <= '9'; p++, digits++) {
        if (v > (UINT64_MAX - 9) / 10)
            goto bad;
        v = v * 10 + (uint64_t)(*p - '0');
    }
    unsigned shift = 0;
    switch (*p) {
    case 'k':
    case 'K':
        shift = 10;
        p++;
        break;
    case 'm':
    case 'M':
        shift = 20;
        p++;
        break;
    case 'g':
    case 'G':
        shift = 30;
        p++;
        break;
    case 't':
    case 'T':
        shift = 40;
        p++;
        break;
    default: break;
    }
    if (shift != 0 && *p == 'i')
        p++;
    if (*p == 'B' || *p == 'b')
        p++;
    if (digits == 0 || *p != '\0' || v == 0 || v > (UINT64_MAX >> shift))
        goto bad;
    *out = v << shift;
    return 0;
bad:
    mg_cli_eprintf("modelgate %s: --%s '%s': expected a number of bytes greater than 0, optionally "
                   "with K, M, G or T (e.g. 512M)\n",
                   command, option, text);
    return MG_EXIT_USAGE;
}
