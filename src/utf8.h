/* \summary: one UTF-8 sequence decoded and judged (RFC 3629 §3-4), for the
 * text smtptap shows as characters: the Windows form of certificate names
 * (x509_winname.c) and its JSON string (json_utf8_k). Everything else
 * smtptap writes shows bytes, not characters. */
#ifndef SMTPTAP_UTF8_H
#define SMTPTAP_UTF8_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Decodes the sequence at s[0..n): its length (1-4) with *cp set, or 0 when
 * s does not start with a well-formed sequence (RFC 3629 §4: no overlong
 * forms, no surrogates, nothing above U+10FFFF, no byte past n). */
static inline size_t
utf8_decode(const uint8_t *s, size_t n, uint32_t *cp)
{
    if (n == 0)
        return 0;
    uint8_t c = s[0];
    size_t len;
    uint32_t v, min;
    if (c < 0x80) {
        *cp = c;
        return 1;
    } else if (c >= 0xC2 && c <= 0xDF) {
        len = 2, v = c & 0x1Fu, min = 0x80;
    } else if (c >= 0xE0 && c <= 0xEF) {
        len = 3, v = c & 0x0Fu, min = 0x800;
    } else if (c >= 0xF0 && c <= 0xF4) {
        len = 4, v = c & 0x07u, min = 0x10000;
    } else {
        return 0; /* a continuation byte, C0/C1 (overlong) or F5-FF */
    }
    if (len > n)
        return 0;
    for (size_t i = 1; i < len; i++) {
        if ((s[i] & 0xC0) != 0x80)
            return 0;
        v = v << 6 | (s[i] & 0x3Fu);
    }
    if (v < min || v > 0x10FFFF || (v >= 0xD800 && v <= 0xDFFF))
        return 0;
    *cp = v;
    return len;
}

/* True for a character shown as itself: not a C0 or C1 control or DEL, and
 * not one that reorders, hides or breaks text on a terminal: the soft
 * hyphen, Arabic letter mark, Mongolian vowel separator, zero-width and
 * bidirectional marks, embeddings, overrides and isolates (Unicode UAX #9),
 * line and paragraph separators, invisible operators, the byte order mark,
 * interlinear annotation and tag characters. */
static inline bool
utf8_shown(uint32_t cp)
{
    if (cp < 0x20 || (cp >= 0x7F && cp < 0xA0))
        return false;
    if (cp == 0xAD || cp == 0x61C || cp == 0x180E || (cp >= 0x200B && cp <= 0x200F) ||
        (cp >= 0x2028 && cp <= 0x202E) || (cp >= 0x2060 && cp <= 0x206F) || cp == 0xFEFF ||
        (cp >= 0xFFF9 && cp <= 0xFFFB) || (cp >= 0xE0000 && cp <= 0xE007F))
        return false;
    return true;
}

#endif /* SMTPTAP_UTF8_H */
