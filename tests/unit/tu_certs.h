/* \summary: test helpers: fixture certificates into the certificate cache,
 * and the session facts of a server chain sent in clear. */
#ifndef SMTPTAP_TU_CERTS_H
#define SMTPTAP_TU_CERTS_H

#include <stdint.h>

#include "facts.h"

/* Adds the DER file at path to the certificate cache; fails the test when it
 * cannot. Returns the certificate's id. */
uint32_t tu_cert_add(const char *path);

/* Facts of a TLS session whose server sent the chain ids[0..n) in clear
 * with the SNI sni (NUL-terminated, borrowed, may be NULL). */
void tu_chain_facts(struct session_facts *facts, const uint32_t *ids, unsigned n, uint8_t *sni);

#endif
