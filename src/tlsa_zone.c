/* \summary: --tlsa FILE: TLSA records in zone-file style (RFC 1035 §5.1;
 * TLSA presentation format RFC 6698 §2.2), one a line, see tlsa.h:
 *
 *   _25._tcp.mx.example.com. 3600 IN TLSA 3 1 1 0C72AC70B745AC19998811B1...
 *
 * for when the capture lacks the DNS answers. The owner must be a TLSA
 * name for a TCP port (_PORT._tcp.HOST, RFC 6698 §3), as smtptap looks the
 * records up that way; a name without its trailing dot is taken as
 * absolute (no $ORIGIN). Multi-line records (parentheses not closed on
 * their line) and the other
 * directives are refused with the line's number, so a record the file
 * means is never silently missed. */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "readfile.h"
#include "tlsa.h"

#define TLSA_LINE_MAX (TLSA_FILE_DATA_MAX * 2 + 1024)

/* The next blank-separated token of *p (moved past it), or NULL at the end;
 * its length in *n. */
static const char *
tz_token(const char **p, size_t *n)
{
    const char *s = *p;
    while (*s == ' ' || *s == '\t' || *s == '\r' || *s == '\n' || *s == '(' || *s == ')')
        s++;
    if (*s == '\0') {
        *p = s;
        return NULL;
    }
    const char *e = s;
    while (*e && *e != ' ' && *e != '\t' && *e != '\r' && *e != '\n' && *e != '(' && *e != ')')
        e++;
    *n = (size_t)(e - s);
    *p = e;
    return s;
}

static bool
tz_is(const char *t, size_t n, const char *word)
{
    return n == strlen(word) && strncasecmp(t, word, n) == 0;
}

/* A decimal number of at most `digits` digits, <= max. */
static bool
tz_num(const char *t, size_t n, unsigned long max, unsigned long *out)
{
    if (n == 0 || n > 10)
        return false;
    unsigned long v = 0;
    for (size_t i = 0; i < n; i++) {
        if (t[i] < '0' || t[i] > '9')
            return false;
        v = v * 10 + (unsigned long)(t[i] - '0');
    }
    if (v > max)
        return false;
    *out = v;
    return true;
}

static int
tz_hex(char c)
{
    return c >= '0' && c <= '9'   ? c - '0'
           : c >= 'a' && c <= 'f' ? c - 'a' + 10
           : c >= 'A' && c <= 'F' ? c - 'A' + 10
                                  : -1;
}

/* "_25._tcp.": RFC 6698 §3's prefix for a TCP port, then a host name. */
static bool
tz_owner_ok(const char *t, size_t n)
{
    size_t i = 0;
    if (n < 2 || t[i++] != '_')
        return false;
    size_t d = 0;
    while (i < n && t[i] >= '0' && t[i] <= '9' && d < 5)
        i++, d++;
    if (d == 0 || n - i < 7 || strncasecmp(t + i, "._tcp.", 6) != 0)
        return false;
    return n - i - 6 > 0 && !(n - i - 6 == 1 && t[n - 1] == '.');
}

int
tlsa_parse_line(const char *line, char *owner, uint8_t *usage, uint8_t *selector, uint8_t *mtype,
                uint8_t *data, size_t *len, const char **why)
{
    const char *p = line;
    size_t n = 0;
    const char *t = tz_token(&p, &n);
    if (t == NULL || t[0] == ';' || t[0] == '#')
        return 0;
    const char *semi = strchr(line, ';');
    size_t end = semi ? (size_t)(semi - line) : strlen(line); /* hex holds no ';' */
    unsigned open = 0, close = 0; /* parentheses closed on the line are blanks (§5.1) */
    for (size_t i = 0; i < end; i++) {
        open += line[i] == '(';
        close += line[i] == ')';
    }
    if (open != close || open > 1) {
        *why = "a record on several lines (parentheses) is not read: put it on one line";
        return -1;
    }
    if (t[0] == '$' || t[0] == '@' || line[0] == ' ' || line[0] == '\t') {
        *why = "expected an owner name _PORT._tcp.HOST first ($ORIGIN, $TTL, @ and a name left "
               "blank are not read)";
        return -1;
    }
    if (!tz_owner_ok(t, n) || n >= TLSA_NAME_MAX) {
        *why = "the owner name is not _PORT._tcp.HOST (RFC 6698 section 3)";
        return -1;
    }
    memcpy(owner, t, n);
    owner[n] = '\0';
    /* [TTL] [IN] in either order, then TLSA */
    unsigned long v;
    bool ttl = false, cls = false;
    for (;;) {
        t = tz_token(&p, &n);
        if (t == NULL || (size_t)(t - line) >= end) {
            *why = "expected TLSA after the owner name (and a TTL and class IN)";
            return -1;
        }
        if (!ttl && tz_num(t, n, 0x7fffffffUL, &v)) {
            ttl = true;
            continue;
        }
        if (!cls && tz_is(t, n, "IN")) {
            cls = true;
            continue;
        }
        if (tz_is(t, n, "TLSA"))
            break;
        *why = "not a TLSA record of class IN (expected: OWNER [TTL] [IN] TLSA USAGE SELECTOR "
               "MATCHING-TYPE HEX)";
        return -1;
    }
    uint8_t *f[3] = {usage, selector, mtype};
    for (unsigned i = 0; i < 3; i++) {
        t = tz_token(&p, &n);
        if (t == NULL || (size_t)(t - line) >= end || !tz_num(t, n, 255, &v)) {
            *why = "expected the usage, selector and matching type as numbers 0..255";
            return -1;
        }
        *f[i] = (uint8_t)v;
    }
    size_t o = 0;
    int hi = -1;
    while ((t = tz_token(&p, &n)) != NULL && (size_t)(t - line) < end) {
        for (size_t i = 0; i < n && (size_t)(t - line) + i < end; i++) {
            int x = tz_hex(t[i]);
            if (x < 0) {
                *why = "the certificate association data is not hexadecimal";
                return -1;
            }
            if (hi < 0) {
                hi = x;
                continue;
            }
            if (o >= TLSA_FILE_DATA_MAX) {
                *why = "the certificate association data is too long (4096 octets at most)";
                return -1;
            }
            data[o++] = (uint8_t)(hi << 4 | x);
            hi = -1;
        }
    }
    if (hi >= 0 || o == 0) {
        *why = o == 0 ? "the certificate association data is missing"
                      : "the certificate association data has an odd number of hex digits";
        return -1;
    }
    /* RFC 6698 §2.1.3: SHA2-256 and SHA2-512 digests */
    if ((*mtype == 1 && o != 32) || (*mtype == 2 && o != 64)) {
        *why = *mtype == 1 ? "matching type 1 (SHA-256) needs 32 octets (64 hex digits)"
                           : "matching type 2 (SHA-512) needs 64 octets (128 hex digits)";
        return -1;
    }
    *len = o;
    return 1;
}

int
tlsa_load(const char *path, char *err, size_t errlen)
{
    FILE *f = readfile_open(path);
    if (!f) {
        snprintf(err, errlen, "--tlsa %s: %s", path, strerror(errno));
        return -1;
    }
    static char line[TLSA_LINE_MAX];
    static uint8_t data[TLSA_FILE_DATA_MAX];
    char owner[TLSA_NAME_MAX];
    unsigned lineno = 0, added = 0;
    int rc = 0;
    while (fgets(line, sizeof(line), f)) {
        lineno++;
        size_t ll = strlen(line);
        if (ll == sizeof(line) - 1 && line[ll - 1] != '\n' && !feof(f)) {
            snprintf(err, errlen, "--tlsa %s:%u: line too long", path, lineno);
            rc = -1;
            break;
        }
        uint8_t u, s, m;
        size_t len = 0;
        const char *why = NULL;
        int r = tlsa_parse_line(line, owner, &u, &s, &m, data, &len, &why);
        if (r < 0) {
            snprintf(err, errlen, "--tlsa %s:%u: %s", path, lineno, why);
            rc = -1;
            break;
        }
        if (r == 0)
            continue;
        if (tlsa_add(owner, u, s, m, data, len, false, TLSA_SRC_FILE) != 0) {
            snprintf(err, errlen, "--tlsa %s:%u: too many TLSA records (report.servers_max)", path,
                     lineno);
            rc = -1;
            break;
        }
        added++;
    }
    if (rc == 0 && ferror(f)) {
        snprintf(err, errlen, "--tlsa %s: %s", path, strerror(errno));
        rc = -1;
    }
    fclose(f);
    if (rc == 0 && added == 0) {
        snprintf(err, errlen, "--tlsa %s: no TLSA record in it", path);
        rc = -1;
    }
    return rc;
}
