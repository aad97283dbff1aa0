/* \summary: the results of name checks (RFC 6125), remembered per
 * (certificate, name): a server's certificate is checked against the same
 * name in session after session, and the check (decoding the SAN extension)
 * costs more than the rest of a session's diagnosis. */
#ifndef SMTPTAP_NAMEMEMO_H
#define SMTPTAP_NAMEMEMO_H

#include <stdbool.h>
#include <stdint.h>

/* Names up to this length are remembered; longer ones are checked every
 * time (host names in mail are far shorter). */
#define NAMEMEMO_NAME_MAX 63

/* Sets of NAMEMEMO_WAYS entries, the least recently used one replaced:
 * 8192 pairs in ~650 KiB. A direct-mapped table of 1024 missed 45 % of the
 * checks of a capture with 1000 servers (issue 5). */
#define NAMEMEMO_SETS 2048
#define NAMEMEMO_WAYS 4

/* Allocates the table; false when memory is refused (then nothing is
 * remembered and every lookup misses). */
bool namememo_init(void);
void namememo_fini(void);

/* The remembered result for certificate cert_id (whose SHA-256 begins with
 * sha256_8, so that an id reused after a reset cannot answer for another
 * certificate) and name: 1 match, 0 mismatch, -1 not known. */
int namememo_get(uint32_t cert_id, const uint8_t sha256_8[8], const char *name);

/* Remembers a result (names longer than NAMEMEMO_NAME_MAX are not). */
void namememo_put(uint32_t cert_id, const uint8_t sha256_8[8], const char *name, bool match);

#endif /* SMTPTAP_NAMEMEMO_H */
