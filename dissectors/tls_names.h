/* \summary: names of TLS code points: versions, cipher suites (IANA TLS
 * Cipher Suites registry), alert descriptions (RFC 8446 §6, RFC 5246 §7.2)
 * and handshake message types (RFC 8446 §4). */
#ifndef SMTPTAP_TLS_NAMES_H
#define SMTPTAP_TLS_NAMES_H

#include <stdbool.h>
#include <stdint.h>

/* "SSLv3", "TLSv1.0" ... "TLSv1.3"; NULL when unknown. */
const char *tls_version_str(uint16_t v);
/* IANA name ("TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384"); NULL when unknown. */
const char *tls_cipher_str(uint16_t c);
/* True for anonymous suites (no certificate by design, RFC 5246 §7.4.2). */
bool tls_cipher_is_anon(uint16_t c);
/* The plaintext length of a protected record of rec_len bytes under the
 * negotiated version and suite (RFC 5246 §6.2.3, RFC 8446 §5.2): between
 * *lo and *hi, equal when exact (AEAD: explicit nonce and tag, RFC 5288
 * §3, RFC 7905 §2; TLS 1.3: tag and inner content type, no padding
 * assumed; a stream or NULL suite: its MAC); CBC only roughly (IV, MAC and
 * 1 to a block of padding, the least a sender adds). False when the suite
 * is not known or the record is shorter than the overhead. */
bool tls_plaintext_len(uint16_t version, uint16_t cipher, uint32_t rec_len, uint32_t *lo,
                       uint32_t *hi);
/* Record i (0 the first) of the client's after the handshake, of content
 * type `type` and rec_len bytes, fits a client that sent a lone QUIT: the
 * first a protected record of a QUIT's plaintext length (TLS_QUIT_MIN ..
 * TLS_QUIT_MAX), every later one an alert (TLS 1.2 and older show its type,
 * 21; TLS 1.3 hides it in application data: 2 bytes of plaintext, a
 * close_notify). False when the suite is not known. */
bool tls_after_quit_fits(uint16_t version, uint16_t cipher, unsigned i, uint8_t type,
                         uint32_t rec_len);
/* A record of the client's after the handshake is an alert (TLS 1.2 and
 * older: content type 21; TLS 1.3: application data of 2 bytes of
 * plaintext, RFC 8446 §5.2, §6): a client that closes with close_notify
 * without any command. False when the suite is not known. */
bool tls_after_alert_fits(uint16_t version, uint16_t cipher, uint8_t type, uint32_t rec_len);
/* "certificate_unknown" for 46; NULL when unknown. */
const char *tls_alert_str(int code);
/* "client_hello", "certificate" ...; NULL when unknown. */
const char *tls_hs_type_str(int type);
/* Short form for the handshake history: "CH", "SH", "CRT" ...; "?" unknown. */
const char *tls_hs_type_abbr(int type);

#endif /* SMTPTAP_TLS_NAMES_H */
