/* \summary: route OpenSSL's allocations through the memcap accounting. */
#ifndef SMTPTAP_MEM_OPENSSL_H
#define SMTPTAP_MEM_OPENSSL_H

/* Must run before OpenSSL allocates anything (first thing after mem_init).
 * Returns 0, or -1 when OpenSSL had already allocated (then its memory is
 * simply not counted). */
int mem_openssl_hook(void);

#endif /* SMTPTAP_MEM_OPENSSL_H */
