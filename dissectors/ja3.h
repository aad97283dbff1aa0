/* \summary: JA3 / JA3S fingerprints (salesforce/ja3): the decimal fields of
 * the ClientHello / ServerHello joined by ',' and '-', GREASE values (RFC
 * 8701) removed, hashed with MD5. */
#ifndef SMTPTAP_JA3_H
#define SMTPTAP_JA3_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define JA3_STR_MAX 1536

struct ja3 {
    char s[JA3_STR_MAX];
    size_t len;
    bool truncated;
    bool list_started; /* a value was written since the last field start */
};

void ja3_init(struct ja3 *j);
/* Starts the next comma-separated field (not before the first). */
void ja3_field(struct ja3 *j, bool first);
/* Appends a value to the current '-'-separated list; GREASE values skipped. */
void ja3_value(struct ja3 *j, uint16_t v);
/* Appends another builder's string (a list built separately). */
void ja3_append(struct ja3 *j, const struct ja3 *list);
/* MD5 of the string as 32 lower-case hex characters plus NUL into out[33]. */
void ja3_md5(const struct ja3 *j, char out[33]);
/* A ClientHello's JA3 and JA4 (ja4.h) remembered by what they are made of
 * (key: bytes chosen by the caller so that equal keys mean equal JA3s and
 * JA4s, at most JA3_MEMO_KEY_MAX): the same client software sends the same
 * fields session after session. ja3_memo_get() gives the string (borrowed
 * until the next ja3_memo_put), the MD5 and the JA4 ("" when it had none) of
 * a remembered key; ja3_memo_put() remembers a string that was not cut and
 * has an MD5. */
#define JA3_MEMO_KEY_MAX 512
bool ja3_memo_get(const uint8_t *key, size_t n, const char **s, size_t *len, char md5[33],
                  char ja4[37]);
void ja3_memo_put(const uint8_t *key, size_t n, const struct ja3 *j, const char md5[33],
                  const char ja4[37]);
/* The set of the memo a key goes to (tests: keys that compete for a set). */
unsigned ja3_memo_set_of(const uint8_t *key, size_t n);
/* RFC 8701 §2: 0x0a0a, 0x1a1a ... 0xfafa. */
bool ja3_is_grease(uint16_t v);

#endif /* SMTPTAP_JA3_H */
