/* \summary: words of SMTP lines: case-insensitive comparison, the
 * space-separated lists of capabilities, and reading words of a line
 * through the bounded cursor (RFC 5321 §4.1.1: verbs and keywords are
 * case-insensitive). */
#include "smtp_words.h"

#include <string.h>

/* ---- small helpers over our own buffers ---- */

uint8_t
smtp_upper(uint8_t c)
{
    return c >= 'a' && c <= 'z' ? (uint8_t)(c - 'a' + 'A') : c;
}

/* Case-insensitive comparison of w[0..n) with the C string s. */
bool
smtp_ieq(const uint8_t *w, size_t n, const char *s)
{
    size_t l = strlen(s);
    if (n != l)
        return false;
    for (size_t i = 0; i < n; i++)
        if (smtp_upper(w[i]) != (uint8_t)s[i])
            return false;
    return true;
}

/* True when word w[0..n) is in the space-separated list (case-insensitive). */
bool
smtp_list_has(const uint8_t *list, uint32_t len, const uint8_t *w, size_t n)
{
    uint32_t i = 0;
    while (n > 0 && list != NULL && i < len) {
        const uint8_t *sp = memchr(list + i, ' ', len - i);
        uint32_t j = sp != NULL ? (uint32_t)(sp - list) : len;
        if (j - i == n) {
            size_t k = 0;
            while (k < n && smtp_upper(list[i + k]) == smtp_upper(w[k]))
                k++;
            if (k == n)
                return true;
        }
        i = j + 1;
    }
    return false;
}

/* SASL mechanism names (RFC 4422 §3.1) in IANA's "SASL Mechanisms"
 * registry, and the vendor ones mail clients send (XOAUTH2, X-OAUTH2). */
static const char *const smtp_sasl_names[] = {
    "9798-M-DSA-SHA1",
    "9798-M-ECDSA-SHA1",
    "9798-M-RSA-SHA1-ENC",
    "9798-U-DSA-SHA1",
    "9798-U-ECDSA-SHA1",
    "9798-U-RSA-SHA1-ENC",
    "ANONYMOUS",
    "CRAM-MD5",
    "DIGEST-MD5",
    "EAP-AES128",
    "EAP-AES128-PLUS",
    "ECDH-X25519-CHALLENGE",
    "ECDSA-NIST256P-CHALLENGE",
    "EXTERNAL",
    "GS2-KRB5",
    "GS2-KRB5-PLUS",
    "GSS-SPNEGO",
    "GSSAPI",
    "KERBEROS_V4",
    "KERBEROS_V5",
    "LOGIN",
    "NMAS-SAMBA-AUTH",
    "NMAS_AUTHEN",
    "NMAS_LOGIN",
    "NTLM",
    "OAUTH10A",
    "OAUTHBEARER",
    "OPENID20",
    "OTP",
    "PLAIN",
    "SAML20",
    "SCRAM-SHA-1",
    "SCRAM-SHA-1-PLUS",
    "SCRAM-SHA-256",
    "SCRAM-SHA-256-PLUS",
    "SCRAM-SHA-512",
    "SCRAM-SHA-512-PLUS",
    "SCRAM-SHA3-512",
    "SCRAM-SHA3-512-PLUS",
    "SECURID",
    "SKEY",
    "SPNEGO",
    "SPNEGO-PLUS",
    "SXOVER-PLUS",
    "X-OAUTH2",
    "XOAUTH",
    "XOAUTH2",
};

bool
smtp_sasl_known(const uint8_t *w, size_t n)
{
    for (size_t i = 0; i < sizeof(smtp_sasl_names) / sizeof(smtp_sasl_names[0]); i++)
        if (smtp_ieq(w, n, smtp_sasl_names[i]))
            return true;
    return false;
}

/* Appends word w[0..n) to a space-separated list unless already there
 * (case-insensitive); a list that would pass max is marked cut. */
void
smtp_list_add(uint8_t *list, uint32_t *len, bool *cut, uint64_t *seen, uint32_t max,
              const uint8_t *w, size_t n)
{
    if (n == 0)
        return;
    /* seen: a bit per (length, first and last letter) of the words in the
     * list, so that a word whose bit is clear is new without a scan (a
     * list was scanned for every word added: 2 % of a dense run). */
    uint64_t bit = 1ull << ((n * 7 + smtp_upper(w[0]) * 3 + smtp_upper(w[n - 1])) & 63);
    if ((*seen & bit) != 0 && smtp_list_has(list, *len, w, n))
        return;
    size_t need = n + (*len ? 1 : 0);
    if (need > max - *len) {
        *cut = true;
        return;
    }
    if (*len)
        list[(*len)++] = ' ';
    memcpy(list + *len, w, n);
    *len += (uint32_t)n;
    *seen |= bit;
}

/* ---- reading line contents (wire bytes: through the cursor only) ---- */

void
smtp_skip_sp(struct rd *lr)
{
    while (rd_peek(lr, 0) == ' ' || rd_peek(lr, 0) == '\t')
        rd_skip(lr, 1, "smtp.space");
}

/* Skips blanks, then copies the next word (up to a blank) into out, keeping
 * at most max bytes; returns the word's full length. */
size_t
smtp_word(struct rd *lr, uint8_t *out, size_t max)
{
    smtp_skip_sp(lr);
    size_t n = 0; /* the word's length, peeked; then its bytes in one read */
    for (int c; (c = rd_peek(lr, n)) >= 0 && c != ' ' && c != '\t';)
        n++;
    const uint8_t *p = rd_bytes(lr, n, "smtp.word");
    if (p != NULL)
        memcpy(out, p, n < max ? n : max);
    return n;
}

/* ASCII only, whatever the locale. */
static bool
smtp_alnum(uint8_t c)
{
    return (c >= '0' && c <= '9') || (smtp_upper(c) >= 'A' && smtp_upper(c) <= 'Z');
}

static bool
smtp_xdigit(uint8_t c)
{
    return (c >= '0' && c <= '9') || (smtp_upper(c) >= 'A' && smtp_upper(c) <= 'F');
}

bool
smtp_hostname_like(const uint8_t *w, size_t n)
{
    if (n == 0 || n > 255)
        return false;
    if (w[0] == '[') { /* address-literal */
        if (n < 3 || w[n - 1] != ']')
            return false;
        size_t i = 1;
        if (n > 6 && smtp_ieq(w + 1, 5, "IPV6:"))
            i = 6;
        for (; i < n - 1; i++)
            if (!smtp_xdigit(w[i]) && w[i] != '.' && w[i] != ':')
                return false;
        return true;
    }
    for (size_t i = 0; i < n; i++)
        if (!smtp_alnum(w[i]) && w[i] != '-' && w[i] != '.' && w[i] != '_')
            return false;
    return true;
}

bool
smtp_opens(const uint8_t *p, size_t n, bool from_client)
{
    if (!from_client)
        return n >= 4 && p[0] >= '2' && p[0] <= '5' && p[1] >= '0' && p[1] <= '9' && p[2] >= '0' &&
               p[2] <= '9' && (p[3] == ' ' || p[3] == '-' || p[3] == '\r' || p[3] == '\n');
    static const char *const verbs[] = {"EHLO ", "HELO ",      "LHLO ", "STARTTLS",
                                        "QUIT",  "MAIL FROM:", "NOOP",  "RSET"};
    for (unsigned i = 0; i < sizeof(verbs) / sizeof(verbs[0]); i++) {
        size_t k = strlen(verbs[i]);
        if (n >= k && smtp_ieq(p, k, verbs[i]))
            return true;
    }
    return false;
}
