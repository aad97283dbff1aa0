/* \summary: the TLS resumption table: which certificate chain a session
 * that can be resumed was given, by server and by what a client presents to
 * resume it (a TLS 1.2 session ID, RFC 5246 §7.4.1.2, or a session ticket,
 * RFC 5077 §3.3, or TLS 1.3's NewSessionTicket, RFC 8446 §4.6.1, whose
 * ticket a ClientHello's pre_shared_key presents, §4.2.11), so that an abbreviated handshake, which
 * carries no certificate, is linked to the chain of the full handshake it resumes. */
#ifndef SMTPTAP_RESUME_H
#define SMTPTAP_RESUME_H

#include <stdbool.h>
#include <stdint.h>

#include "facts.h"
#include "pkt.h"

enum resume_kind {
    RESUME_SESSION_ID = 1, /* the ServerHello's session_id of the full handshake */
    RESUME_TICKET = 2      /* a NewSessionTicket's ticket (RFC 5077 §3.3; TLS 1.3's
                            * §4.6.1, a PSK identity), as the TLS dissector's
                            * tls_ticket_key() has it */
};

#define RESUME_KEY_MAX 32

/* A server address and what identifies the session there. Not its port:
 * Postfix's smtpd services on 25, 587 and 465 of one host share one
 * session cache and one set of ticket keys (tlsmgr(8)), so a session made
 * on one port may be resumed on another; session IDs (32 random bytes) and
 * tickets (sealed under the server's key, RFC 5077 §4, RFC 8446 §4.6.1)
 * do not repeat by chance, and a session is linked only when the server
 * accepted what was presented (its echoed session ID, its selected PSK).
 * A session ID or ticket of one address never links a session at another. */
struct resume_key {
    struct ipaddr ip;
    uint8_t kind; /* enum resume_kind */
    uint8_t len;  /* bytes of b used, 1..RESUME_KEY_MAX */
    uint8_t b[RESUME_KEY_MAX];
};

/* The chain a session was given (certificate cache ids, as facts.h's
 * server_chain) and the session (flow record id) whose full handshake
 * presented it, and that handshake's server port (the address is the
 * key's: a session made on 25 may be resumed on 587). */
struct resume_link {
    uint32_t ids[FACTS_CHAIN_MAX];
    uint8_t n;
    uint16_t port;
    uint64_t from;
};

/* At most max entries (tls.resume_max); when full, the oldest entry goes.
 * The bucket hash is seeded. Returns 0, -1 for max 0. */
int resume_init(uint32_t max, uint32_t seed);
void resume_free(void);

/* Remembers (or replaces) the link of key. Dropped (counted) when memory is
 * refused. */
void resume_put(const struct resume_key *key, const struct resume_link *link);

/* The link of key, copied to out: true when found. */
bool resume_get(const struct resume_key *key, struct resume_link *out);

uint32_t resume_count(void);
/* Entries that made room for newer ones (the cap), and puts the memcap
 * refused. */
uint64_t resume_evicted(void);
uint64_t resume_refused(void);

#endif /* SMTPTAP_RESUME_H */
