/* \summary: TLS key log files (SSLKEYLOGFILE format): the TLS 1.3 handshake
 * traffic secrets and the server's first application traffic secret by
 * ClientHello.random. */
#ifndef SMTPTAP_KEYLOG_H
#define SMTPTAP_KEYLOG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Loads --keylog PATH (repeatable: later files add to earlier ones).
 * Returns 0; 1 with a warning in err when it holds TLS 1.2 lines
 * (CLIENT_RANDOM) and no TLS 1.3 handshake secret (a valid key log with
 * nothing to decrypt), or when a cap stopped its reading (KEYLOG_MAX
 * connections, or the memcap: the lines before are kept); or -1 with a message in err (unreadable,
 * or no valid line of either kind in it). */
int keylog_load(const char *path, char *err, size_t errlen);

/* The secrets kept (RFC 8446 §7.1), the key log's labels: the handshake
 * traffic secrets of the client (0, as the direction to the server) and
 * the server (1), and the server's application traffic secret
 * SERVER_TRAFFIC_SECRET_0 (2: its NewSessionTickets, tls_tickets13.c).
 * CLIENT_TRAFFIC_SECRET_0 is not kept. */
enum keylog_secret { KEYLOG_CLIENT_HS = 0, KEYLOG_SERVER_HS = 1, KEYLOG_SERVER_APP = 2 };

/* One line of a key log (NUL-terminated): 1 when it held a TLS 1.3
 * handshake secret that was kept, 2 a server application traffic secret,
 * 0 when it is ignored (another label, a comment, bad hex), -1 when the
 * cache is full (KEYLOG_MAX or memcap). */
int keylog_add_line(const char *line);

/* The secret `which` (enum keylog_secret) of the connection whose
 * ClientHello.random is client_random. */
bool keylog_find(const uint8_t client_random[32], int which, const uint8_t **secret, size_t *len);

/* The key log holds the connection whose ClientHello.random is
 * client_random, with whatever secrets: a connection whose server handshake
 * secret keylog_find did not give is one the key log has without it. */
bool keylog_has(const uint8_t client_random[32]);

/* The connections the key log holds, and the i-th's ClientHello.random and
 * secret `which` (enum keylog_secret), in the order
 * the lines came: for a connection picked up after its ClientHello, whose
 * random is not known (tls_dec_search). False when i is past the end or the
 * entry lacks that secret. */
uint32_t keylog_count(void);
bool keylog_entry(uint32_t i, int which, const uint8_t **random, const uint8_t **secret,
                  size_t *len);

/* A handshake of the capture found its connection in the key log by
 * client_random (keylog_find marks it so too; tls_dec_search by the secret
 * that decrypts its server's first record). */
void keylog_matched(const uint8_t client_random[32]);

/* For the report (an engineer who passed a key log of another capture
 * sees it at a glance): the file-th file loaded (0, 1 ... in the order of
 * the --keylog options), its TLS 1.3 client randoms with a handshake
 * secret, and of them those a handshake of the capture looked up. A
 * connection in two files counts in both. */
#define KEYLOG_FILES_MAX 16 /* CONFIG_MAX_CA --keylog options */
void keylog_file_stats(unsigned file, uint32_t *randoms, uint32_t *matched);

void keylog_free(void);

#endif /* SMTPTAP_KEYLOG_H */
