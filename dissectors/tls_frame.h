/* \summary: where a side's TLS record framing (RFC 8446 §5.1, RFC 5246
 * §6.2.1) starts again after bytes of its stream were lost: one rule, pure
 * over bytes, for the TLS dissector (tls_resync.c) and the -w evidence
 * writer (src/evidence.c evidence_tls_resync).
 *
 * A position is a record boundary only when a record header of type 20-22
 * (change_cipher_spec, alert, handshake; never application_data, whose
 * header the data after a handshake is full of), version 3.x (x <= 4) and a
 * length a record may have (2^14 + 2048, RFC 5246 §6.2.3) is followed by
 * another such header, or by the end of the bytes seen exactly (a sender's
 * segment ends with its record). One header alone is too easily found in a
 * certificate's or a ciphertext's bytes (about 1 offset in 4 000 000 of
 * random bytes passes the first test; the pair, 1 in 10^13). */
#ifndef SMTPTAP_TLS_FRAME_H
#define SMTPTAP_TLS_FRAME_H

#include <stdbool.h>
#include <stdint.h>

#include "dissector.h"

#define TLS_FRAME_RECORD_MAX (16384u + 2048u)

/* Whether the k bytes at b (k <= 5) can begin such a header: those there
 * are not held against it when fewer than 5. */
static inline bool
tls_frame_hdr_ok(const uint8_t *b, uint32_t k)
{
    if (k >= 1 && (b[0] < 20 || b[0] > 22))
        return false;
    if ((k >= 2 && b[1] != 3) || (k >= 3 && b[2] > 4))
        return false;
    return k < 5 || ((uint32_t)b[3] << 8 | b[4]) <= TLS_FRAME_RECORD_MAX;
}

enum tls_frame {
    TLS_FRAME_NO,  /* no boundary at this offset */
    TLS_FRAME_YES, /* a boundary: the rule holds within b[0..n) */
    TLS_FRAME_MORE /* perhaps: bytes past n would tell (the header, its
                      record or the header after it runs past n) */
};

/* Whether b[o..n) (o < n) begins at a record boundary by the rule above.
 * *end: where the record ends (o + 5 + its length), when its header is
 * whole; else 0. */
static inline enum tls_frame
tls_frame_at(const uint8_t *b, uint32_t n, uint32_t o, uint32_t *end)
{
    uint32_t k = n - o < 5 ? n - o : 5;
    *end = 0;
    if (!tls_frame_hdr_ok(b + o, k))
        return TLS_FRAME_NO;
    if (k < 5)
        return TLS_FRAME_MORE;
    uint32_t e = o + 5 + ((uint32_t)b[o + 3] << 8 | b[o + 4]);
    *end = e;
    if (e == n)
        return TLS_FRAME_YES;
    if (e > n)
        return TLS_FRAME_MORE;
    k = n - e < 5 ? n - e : 5;
    if (!tls_frame_hdr_ok(b + e, k))
        return TLS_FRAME_NO;
    return k == 5 ? TLS_FRAME_YES : TLS_FRAME_MORE;
}

/* Whether a handshake record's bytes p[0..len) of side d begin with
 * messages d sends: known types, lengths within cap adding up to len or
 * the last going on in later records (a Certificate's list length its
 * own). The second test of a record found again after a hole: the TLS
 * dissector reads messages again only from such a record; the -w writer
 * takes a record that starts inside a segment after a hole and runs past
 * it only when it is one (evidence_tls_resync). Pure (tls_resync.c). */
bool tls_resync_plausible(enum dir d, const uint8_t *p, uint32_t len, uint32_t cap);

#endif /* SMTPTAP_TLS_FRAME_H */
