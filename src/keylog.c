/* \summary: TLS key log files (the NSS "SSLKEYLOGFILE" format that OpenSSL,
 * GnuTLS, browsers and Wireshark use): "LABEL <client_random hex> <secret
 * hex>" lines. Only the TLS 1.3 handshake traffic secrets are kept
 * (RFC 8446 §7.1): they decrypt the handshake, which is where TLS 1.3 hides
 * the certificates and the alerts; and the server's first application
 * traffic secret (SERVER_TRAFFIC_SECRET_0), for the NewSessionTickets the
 * server sends after its Finished (tls_tickets13.c). The client's
 * application secret is never kept: what the client sends after the
 * handshake (the SMTP dialogue, the message) is never decrypted. */
#include "keylog.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "idxtab.h"
#include "mem.h"
#include "readfile.h"

#define KEYLOG_SECRET_MAX 48  /* SHA-384 */
#define KEYLOG_LINE_MAX   512 /* longer lines are not key log lines */
#define KEYLOG_MAX        (1u << 20)

struct keylog_entry {
    uint8_t random[32];
    uint8_t secret[3][KEYLOG_SECRET_MAX]; /* enum keylog_secret */
    uint8_t len[3];
    uint16_t files; /* bit i: the i-th file loaded holds it (KEYLOG_FILES_MAX) */
    bool matched;   /* a handshake of the capture looked its secrets up */
};

static struct {
    struct keylog_entry *v;
    uint32_t n, cap;
    struct idxtab index; /* client random -> index into v */
    unsigned files;      /* keylog_load calls so far: the next file's index */
} kl;

static int
keylog_hex(const char *s, size_t n, uint8_t *out, size_t max)
{
    if (n % 2 || n / 2 > max)
        return -1;
    for (size_t i = 0; i < n; i += 2) {
        int v = 0;
        for (int k = 0; k < 2; k++) {
            char c = s[i + (size_t)k];
            int d = c >= '0' && c <= '9'   ? c - '0'
                    : c >= 'a' && c <= 'f' ? c - 'a' + 10
                    : c >= 'A' && c <= 'F' ? c - 'A' + 10
                                           : -1;
            if (d < 0)
                return -1;
            v = v * 16 + d;
        }
        out[i / 2] = (uint8_t)v;
    }
    return (int)(n / 2);
}

/* All 32 bytes of the client random: its first four were the client's
 * clock in TLS 1.2 and before (gmt_unix_time, RFC 5246 §7.4.1.2), and some
 * clients still send them so, which made every handshake of one second
 * share a bucket (a key log of 20 000 such lines took a second to load,
 * of 65 536 two minutes). */
static uint64_t
keylog_hash(const uint8_t *r)
{
    return idxtab_hash_bytes(r, 32);
}

static uint64_t
keylog_hash_of(uint32_t idx, const void *user)
{
    (void)user;
    return keylog_hash(kl.v[idx].random);
}

static bool
keylog_is(uint32_t idx, const void *random)
{
    return memcmp(kl.v[idx].random, random, 32) == 0;
}

static struct keylog_entry *
keylog_slot(const uint8_t random[32], bool add)
{
    uint32_t found = idxtab_find(&kl.index, keylog_hash(random), keylog_is, random);
    if (found != UINT32_MAX)
        return &kl.v[found];
    if (!add || kl.n >= KEYLOG_MAX ||
        !mem_grow((void **)&kl.v, kl.n, &kl.cap, sizeof(*kl.v), 64, KEYLOG_MAX))
        return NULL;
    if (!idxtab_reserve(&kl.index, kl.n, keylog_hash_of, NULL))
        return NULL;
    struct keylog_entry *e = &kl.v[kl.n];
    memset(e, 0, sizeof(*e));
    memcpy(e->random, random, 32);
    idxtab_insert(&kl.index, keylog_hash(random), kl.n++);
    return e;
}

uint32_t
keylog_count(void)
{
    return kl.n;
}

bool
keylog_entry(uint32_t i, int which, const uint8_t **random, const uint8_t **secret, size_t *len)
{
    if (i >= kl.n || which < 0 || which > KEYLOG_SERVER_APP || kl.v[i].len[which] == 0)
        return false;
    *random = kl.v[i].random;
    *secret = kl.v[i].secret[which];
    *len = kl.v[i].len[which];
    return true;
}

int
keylog_add_line(const char *line)
{
    int side;
    const char *rest;
    if (strncmp(line, "CLIENT_HANDSHAKE_TRAFFIC_SECRET ", 32) == 0)
        side = KEYLOG_CLIENT_HS, rest = line + 32;
    else if (strncmp(line, "SERVER_HANDSHAKE_TRAFFIC_SECRET ", 32) == 0)
        side = KEYLOG_SERVER_HS, rest = line + 32;
    else if (strncmp(line, "SERVER_TRAFFIC_SECRET_0 ", 24) == 0)
        side = KEYLOG_SERVER_APP, rest = line + 24;
    else
        return 0; /* other labels, comments, blank lines */
    const char *sp = strchr(rest, ' ');
    if (!sp)
        return 0;
    size_t sl = strcspn(sp + 1, " \r\n");
    uint8_t random[32], secret[KEYLOG_SECRET_MAX];
    int n;
    if (keylog_hex(rest, (size_t)(sp - rest), random, 32) != 32 ||
        (n = keylog_hex(sp + 1, sl, secret, sizeof(secret))) < 32)
        return 0;
    struct keylog_entry *e = keylog_slot(random, true);
    if (!e)
        return -1; /* cap or memcap: the rest cannot be kept */
    memcpy(e->secret[side], secret, (size_t)n);
    e->len[side] = (uint8_t)n;
    if (side != KEYLOG_SERVER_APP && kl.files > 0 && kl.files <= KEYLOG_FILES_MAX)
        e->files |= (uint16_t)(1u << (kl.files - 1));
    return side == KEYLOG_SERVER_APP ? 2 : 1;
}

/* A TLS 1.2 key log line: CLIENT_RANDOM <32-byte random> <48-byte master
 * secret> in hex (NSS key log format). Not kept: a TLS 1.2 handshake's
 * certificates are in clear (RFC 5246 §7.4.2). */
static bool
keylog_tls12_line(const char *line)
{
    if (strncmp(line, "CLIENT_RANDOM ", 14) != 0)
        return false;
    const char *rest = line + 14, *sp = strchr(rest, ' ');
    uint8_t b[48];
    return sp != NULL && keylog_hex(rest, (size_t)(sp - rest), b, 32) == 32 &&
           keylog_hex(sp + 1, strcspn(sp + 1, " \r\n"), b, sizeof(b)) == 48;
}

int
keylog_load(const char *path, char *err, size_t errlen)
{
    FILE *f = readfile_open(path);
    if (!f) {
        snprintf(err, errlen, "--keylog %s: %s", path, strerror(errno));
        return -1;
    }
    kl.files++; /* its lines are this file's (keylog_file_stats) */
    char line[KEYLOG_LINE_MAX];
    unsigned used = 0, tls12 = 0, lineno = 0;
    bool capped = false;
    while (fgets(line, sizeof(line), f)) {
        lineno++;
        int rc = keylog_add_line(line);
        if (rc < 0) {
            capped = true;
            break;
        }
        used += rc == 1;
        tls12 += keylog_tls12_line(line);
    }
    fclose(f);
    if (capped) {
        /* a valid file the caps cannot hold whole: said, never taken for
         * one that is not a key log; the run goes on with what was kept */
        snprintf(err, errlen,
                 "--keylog %s: read up to line %u only: a cap was reached (the key logs hold at "
                 "most %u connections, within the memory cap, --cap memcap; %u kept): TLS 1.3 "
                 "handshakes whose secrets come later stay encrypted",
                 path, lineno, KEYLOG_MAX, kl.n);
        return 1;
    }
    if (used == 0 && tls12 > 0) {
        /* a TLS 1.2 key log is a key log: its handshakes are in clear, so
         * nothing is lost; said, and the run goes on */
        snprintf(err, errlen,
                 "--keylog %s: a TLS 1.2 key log (%u CLIENT_RANDOM line%s, no TLS 1.3 handshake "
                 "secret): nothing in it to decrypt, and nothing lost, since TLS 1.2 "
                 "certificates are in clear; TLS 1.3 certificates stay encrypted without "
                 "CLIENT_HANDSHAKE_TRAFFIC_SECRET and SERVER_HANDSHAKE_TRAFFIC_SECRET lines",
                 path, tls12, tls12 == 1 ? "" : "s");
        return 1;
    }
    if (used == 0) {
        snprintf(err, errlen,
                 "--keylog %s: not a key log (no valid CLIENT_HANDSHAKE_TRAFFIC_SECRET, "
                 "SERVER_HANDSHAKE_TRAFFIC_SECRET or CLIENT_RANDOM line)",
                 path);
        return -1;
    }
    return 0;
}

bool
keylog_find(const uint8_t client_random[32], int which, const uint8_t **secret, size_t *len)
{
    struct keylog_entry *e = keylog_slot(client_random, false);
    if (e && (which == KEYLOG_CLIENT_HS || which == KEYLOG_SERVER_HS))
        e->matched = true; /* a handshake of the capture has it (keylog_file_stats) */
    if (!e || which < 0 || which > KEYLOG_SERVER_APP || e->len[which] == 0)
        return false;
    *secret = e->secret[which];
    *len = e->len[which];
    return true;
}

bool
keylog_has(const uint8_t client_random[32])
{
    return keylog_slot(client_random, false) != NULL;
}

void
keylog_matched(const uint8_t client_random[32])
{
    struct keylog_entry *e = keylog_slot(client_random, false);
    if (e)
        e->matched = true;
}

void
keylog_file_stats(unsigned file, uint32_t *randoms, uint32_t *matched)
{
    *randoms = *matched = 0;
    if (file >= KEYLOG_FILES_MAX)
        return;
    for (uint32_t i = 0; i < kl.n; i++)
        if (kl.v[i].files & (1u << file)) {
            (*randoms)++;
            *matched += kl.v[i].matched;
        }
}

void
keylog_free(void)
{
    mem_free(kl.v, (size_t)kl.cap * sizeof(*kl.v));
    idxtab_free(&kl.index);
    memset(&kl, 0, sizeof(kl));
}
