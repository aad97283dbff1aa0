/* \summary: JA3 / JA3S strings and their MD5 (see ja3.h). */
#include "ja3.h"

#include <openssl/evp.h>
#include <string.h>

bool
ja3_is_grease(uint16_t v)
{
    return (v & 0x0f0f) == 0x0a0a && (v >> 8) == (v & 0xff);
}

void
ja3_init(struct ja3 *j)
{
    memset(j, 0, sizeof(*j));
}

static void
ja3_put(struct ja3 *j, const char *s, size_t n)
{
    if (j->len + n >= JA3_STR_MAX) {
        j->truncated = true;
        return;
    }
    memcpy(j->s + j->len, s, n);
    j->len += n;
    j->s[j->len] = '\0';
}

void
ja3_field(struct ja3 *j, bool first)
{
    if (!first)
        ja3_put(j, ",", 1);
    j->list_started = false;
}

void
ja3_value(struct ja3 *j, uint16_t v)
{
    if (ja3_is_grease(v))
        return;
    char b[6];
    size_t n = 0;
    char tmp[6];
    do {
        tmp[n++] = (char)('0' + v % 10);
        v /= 10;
    } while (v && n < sizeof(tmp));
    for (size_t i = 0; i < n; i++)
        b[i] = tmp[n - 1 - i];
    if (j->list_started)
        ja3_put(j, "-", 1);
    ja3_put(j, b, n);
    j->list_started = true;
}

void
ja3_md5(const struct ja3 *j, char out[33])
{
    static const char hex[] = "0123456789abcdef";
    unsigned char md[EVP_MAX_MD_SIZE];
    unsigned int n = 0;
    /* Fetched once: an implicit fetch per call costs more than the digest. */
    static EVP_MD *md5;
    if (!md5)
        md5 = EVP_MD_fetch(NULL, "MD5", NULL);
    if (!md5 || EVP_Digest(j->s, j->len, md, &n, md5, NULL) != 1 || n != 16) {
        out[0] = '\0';
        return;
    }
    for (unsigned i = 0; i < 16; i++) {
        out[2 * i] = hex[md[i] >> 4];
        out[2 * i + 1] = hex[md[i] & 15];
    }
    out[32] = '\0';
}

void
ja3_append(struct ja3 *j, const struct ja3 *list)
{
    ja3_put(j, list->s, list->len);
    j->truncated |= list->truncated;
}
