/* \summary: RFC 6125 name matching (see names.h). */
#include "names.h"

#include <arpa/inet.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

/* Length without one trailing dot. */
static size_t
names_len(const char *s, size_t n)
{
    return n > 0 && s[n - 1] == '.' ? n - 1 : n;
}

bool
names_dns_match(const char *pattern, size_t len, const char *ref)
{
    if (!pattern || !ref || memchr(pattern, '\0', len))
        return false; /* an embedded NUL is an attack, never a match */
    size_t pl = names_len(pattern, len), rl = names_len(ref, strlen(ref));
    if (pl == 0 || rl == 0)
        return false;
    if (pattern[0] == '*' && pl > 2 && pattern[1] == '.') {
        const char *base = pattern + 2;
        size_t bl = pl - 2;
        /* at least two labels after the wildcard ("*.com" is refused) */
        if (!memchr(base, '.', bl) || memchr(base, '*', bl))
            return false;
        const char *dot = memchr(ref, '.', rl);
        if (!dot || dot == ref)
            return false; /* the wildcard covers exactly one non-empty label */
        size_t rest = rl - (size_t)(dot + 1 - ref);
        return rest == bl && strncasecmp(dot + 1, base, bl) == 0;
    }
    if (memchr(pattern, '*', pl))
        return false; /* partial or inner wildcards are not honoured */
    return pl == rl && strncasecmp(pattern, ref, rl) == 0;
}

/* Does label pattern p[0..pl) ("*" any run of characters) match label
 * r[0..rl), ASCII case-insensitive? Without recursion, going back only to
 * the last "*" (the pattern is a certificate's: many "*" must cost no
 * more than pl * rl steps). */
static bool
names_glob(const char *p, size_t pl, const char *r, size_t rl)
{
    size_t i = 0, j = 0, star = SIZE_MAX, mark = 0;
    while (j < rl) {
        if (i < pl && p[i] == '*') {
            star = i++;
            mark = j;
        } else if (i < pl && (p[i] | 0x20) == (r[j] | 0x20)) {
            i++;
            j++;
        } else if (star != SIZE_MAX) {
            i = star + 1; /* the last "*" takes one character more */
            j = ++mark;
        } else {
            return false;
        }
    }
    while (i < pl && p[i] == '*')
        i++;
    return i == pl;
}

/* Label by label, as many labels on both sides, each by names_glob. */
static bool
names_glob_labels(const char *p, size_t pl, const char *r, size_t rl)
{
    for (;;) {
        const char *pd = memchr(p, '.', pl), *rd = memchr(r, '.', rl);
        size_t a = pd ? (size_t)(pd - p) : pl, b = rd ? (size_t)(rd - r) : rl;
        if ((pd == NULL) != (rd == NULL) || !names_glob(p, a, r, b))
            return false;
        if (pd == NULL)
            return true;
        p += a + 1, pl -= a + 1, r += b + 1, rl -= b + 1;
    }
}

static const char *
names_count_word(unsigned n)
{
    static const char *const w[] = {"none", "one", "two", "three", "four", "five"};
    return n < 6 ? w[n] : "more than five";
}

bool
names_wildcard_why(const char *pattern, size_t len, const char *ref, char *why, size_t n)
{
    if (!pattern || !ref || memchr(pattern, '\0', len) || !memchr(pattern, '*', len))
        return false;
    size_t pl = names_len(pattern, len), rl = names_len(ref, strlen(ref));
    if (pl == 0 || rl == 0 || names_dns_match(pattern, len, ref))
        return false;
    int p_len = (int)pl; /* for "%.*s" */
    if (pattern[0] == '*' && pl > 2 && pattern[1] == '.' && !memchr(pattern + 1, '*', pl - 1)) {
        const char *base = pattern + 2;
        size_t bl = pl - 2;
        bool ends = rl > bl && ref[rl - bl - 1] == '.' && strncasecmp(ref + rl - bl, base, bl) == 0;
        if (!memchr(base, '.', bl)) {
            if (!ends && !(rl == bl && strncasecmp(ref, base, bl) == 0))
                return false;
            snprintf(why, n, "%.*s is not honoured: a wildcard needs at least two labels after it",
                     p_len, pattern);
            return true;
        }
        if (rl == bl && strncasecmp(ref, base, bl) == 0) {
            snprintf(why, n,
                     "%.*s does not cover %.*s itself: its * stands for one label (RFC 6125 "
                     "section 6.4.3)",
                     p_len, pattern, (int)bl, base);
            return true;
        }
        if (!ends)
            return false;
        unsigned labels = 1;
        for (size_t i = 0; i + bl + 1 < rl; i++)
            labels += ref[i] == '.';
        if (labels < 2)
            return false; /* one empty label (".example.com"): no rule to tell */
        snprintf(why, n, "%.*s covers one label only (RFC 6125 section 6.4.3): %.*s has %s there",
                 p_len, pattern, (int)rl, ref, names_count_word(labels));
        return true;
    }
    if (!names_glob_labels(pattern, pl, ref, rl))
        return false;
    snprintf(why, n,
             "%.*s is not honoured: a wildcard counts only as the whole left-most label "
             "(RFC 6125 section 6.4.3)",
             p_len, pattern);
    return true;
}

bool
names_check(struct x509_st *cert, const char *ref, char *why, size_t whylen)
{
    X509 *x = cert;
    unsigned char ip[16];
    int iplen = 0;
    if (inet_pton(AF_INET, ref, ip) == 1)
        iplen = 4;
    else if (inet_pton(AF_INET6, ref, ip) == 1)
        iplen = 16;
    GENERAL_NAMES *gens = X509_get_ext_d2i(x, NID_subject_alt_name, NULL, NULL);
    bool has_dns = false, has_ip = false, match = false;
    for (int i = 0; gens && i < sk_GENERAL_NAME_num(gens) && !match; i++) {
        const GENERAL_NAME *g = sk_GENERAL_NAME_value(gens, i);
        if (g->type == GEN_DNS) {
            has_dns = true;
            if (!iplen)
                match = names_dns_match((const char *)ASN1_STRING_get0_data(g->d.ia5),
                                        (size_t)ASN1_STRING_length(g->d.ia5), ref);
        } else if (g->type == GEN_IPADD) {
            has_ip = true;
            match = iplen && ASN1_STRING_length(g->d.ip) == iplen &&
                    memcmp(ASN1_STRING_get0_data(g->d.ip), ip, (size_t)iplen) == 0;
        }
    }
    GENERAL_NAMES_free(gens);
    if (match)
        return true;
    if (!has_dns && !has_ip && !iplen) {
        /* RFC 6125 §6.4.4: the CN only when no subjectAltName identifier. */
        const X509_NAME *nm = X509_get_subject_name(x);
        int last = -1;
        for (int i = X509_NAME_get_index_by_NID(nm, NID_commonName, -1); i >= 0;
             i = X509_NAME_get_index_by_NID(nm, NID_commonName, i))
            last = i;
        if (last >= 0) {
            const ASN1_STRING *s = X509_NAME_ENTRY_get_data(X509_NAME_get_entry(nm, last));
            if (names_dns_match((const char *)ASN1_STRING_get0_data(s),
                                (size_t)ASN1_STRING_length(s), ref))
                return true;
        }
        if (why)
            snprintf(why, whylen, "%s is not the certificate's CN (it has no subjectAltName)", ref);
        return false;
    }
    if (why)
        snprintf(why, whylen, "%s is not among the certificate's subjectAltName %s", ref,
                 iplen ? "IP addresses" : "DNS names");
    return false;
}
