/* text.c - UTF-8 validation and the escaping of data strings for humans.
 *
 * Strings from data (column names, group values, labels, paths, a runner's
 * stderr) are arbitrary bytes. JSON output replaces every invalid UTF-8
 * sequence by U+FFFD; human-readable lines show control and invalid bytes as
 * \xHH so that data can neither start a line of its own (a GitHub
 * `::error::` annotation) nor send terminal escape sequences. */
#include "internal.h"

size_t mg__utf8_decode(const unsigned char *p, size_t avail, bool *valid) {
    unsigned char c = p[0];
    size_t need;
    unsigned char lo = 0x80, hi = 0xBF;
    if (c < 0x80) {
        *valid = true;
        return 1;
    }
    if (c < 0xC2 || c > 0xF4) { /* a continuation byte, an overlong lead, or past U+10FFFF */
        *valid = false;
        return 1;
    }
    if (c < 0xE0) {
        need = 1;
    } else if (c < 0xF0) {
        need = 2;
        if (c == 0xE0)
            lo = 0xA0; /* no overlong 3-byte forms */
        else if (c == 0xED)
            hi = 0x9F; /* no surrogates U+D800..U+DFFF */
    } else {
        need = 3;
        if (c == 0xF0)
            lo = 0x90; /* no overlong 4-byte forms */
        else if (c == 0xF4)
            hi = 0x8F; /* nothing above U+10FFFF */
    }
    size_t i = 1;
    for (; i <= need && i < avail; i++) {
        unsigned char b = p[i];
        if (b < lo || b > hi)
            break;
        lo = 0x80;
        hi = 0xBF;
    }
    *valid = i == need + 1;
    return i;
}

void mg__utf8_sanitize(mg__buf *b, const char *s, size_t len) {
    const unsigned char *p = (const unsigned char *)s;
    size_t i = 0;
    while (i < len) {
        bool ok;
        size_t n = mg__utf8_decode(p + i, len - i, &ok);
        if (ok)
            mg__buf_append(b, p + i, n);
        else
            mg__buf_append(b, "\xEF\xBF\xBD", 3);
        i += n;
    }
}

void mg__text_escape(mg__buf *b, const char *s, size_t len) {
    static const char hex[] = "0123456789abcdef";
    const unsigned char *p = (const unsigned char *)s;
    size_t i = 0;
    while (i < len) {
        bool ok;
        size_t n = mg__utf8_decode(p + i, len - i, &ok);
        /* C0 controls, DEL, and the C1 controls U+0080..U+009F (8-bit CSI
         * and friends, C2 80..C2 9F in UTF-8) are escaped like invalid bytes. */
        bool control =
            n == 1 ? (p[i] < 0x20 || p[i] == 0x7f) : (n == 2 && p[i] == 0xC2 && p[i + 1] < 0xA0);
        if (ok && !control) {
            mg__buf_append(b, p + i, n);
        } else {
            for (size_t k = 0; k < n; k++) {
                char e[4] = {'\\', 'x', hex[p[i + k] >> 4], hex[p[i + k] & 15]};
                mg__buf_append(b, e, 4);
            }
        }
        i += n;
    }
}
