/* \summary: auth_before_tls's evidence and headline (RFC 4954 §4, RFC 8314 §3.3): every
 * AUTH mechanism its sessions used in plaintext, each once, in the order
 * first seen ("AUTH PLAIN, AUTH LOGIN"), not only the first session's. The
 * mechanism's name only, never what follows it, and only a name in IANA's
 * SASL registry: one the server offered outside it is a word from the
 * wire, "AUTH (an unregistered mechanism)"; a word that is neither may be a
 * credential (a client that left the mechanism out), and is "AUTH (an
 * unknown mechanism)"; an AUTH with no word after it, "AUTH (mechanism not
 * seen)". The headline says what the worst of them sent (agg_auth_kind):
 * the password, a bearer token, a challenge-response crackable offline,
 * ..., not "credentials" for all. */
#include <string.h>

#include "agg_int.h"
#include "agg_auth.h"
#include "strcopy.h"

/* What the mechanism tok[0..len) sends (AGG_AUTH_*), by its RFC: PLAIN
 * (RFC 4616) and LOGIN the password itself, in base64; XOAUTH2 and
 * OAUTHBEARER (RFC 7628 §5) a bearer token; CRAM-MD5 (RFC 2195), DIGEST-MD5
 * (RFC 2831) and NTLM a hash keyed with the password over the server's
 * challenge, open to a dictionary attack offline; SCRAM-* (RFC 5802 §9,
 * RFC 7677) a salted, iterated proof, harder to attack; GSSAPI (RFC 4752)
 * and GS2-KRB5 Kerberos tickets; EXTERNAL (RFC 4422 appendix A) and
 * ANONYMOUS (RFC 4505) no secret. The others (and "?", "+", "-") are not
 * judged: AGG_AUTH_UNKNOWN. */
static unsigned
agg_auth_kind(const char *tok, size_t len)
{
    static const struct {
        const char *name;
        unsigned kind;
    } kinds[] = {
        {"PLAIN", AGG_AUTH_PASSWORD},         {"LOGIN", AGG_AUTH_PASSWORD},
        {"XOAUTH2", AGG_AUTH_TOKEN},          {"X-OAUTH2", AGG_AUTH_TOKEN},
        {"OAUTHBEARER", AGG_AUTH_TOKEN},      {"CRAM-MD5", AGG_AUTH_CRACKABLE},
        {"DIGEST-MD5", AGG_AUTH_CRACKABLE},   {"NTLM", AGG_AUTH_CRACKABLE},
        {"GSSAPI", AGG_AUTH_KERBEROS},        {"GS2-KRB5", AGG_AUTH_KERBEROS},
        {"GS2-KRB5-PLUS", AGG_AUTH_KERBEROS}, {"KERBEROS_V5", AGG_AUTH_KERBEROS},
        {"EXTERNAL", AGG_AUTH_NO_SECRET},     {"ANONYMOUS", AGG_AUTH_NO_SECRET},
    };
    for (size_t i = 0; i < sizeof(kinds) / sizeof(kinds[0]); i++)
        if (strlen(kinds[i].name) == len && memcmp(kinds[i].name, tok, len) == 0)
            return kinds[i].kind;
    if (len > 6 && memcmp(tok, "SCRAM-", 6) == 0)
        return AGG_AUTH_SCRAM;
    return AGG_AUTH_UNKNOWN;
}

/* The evidence's words for one token of smtp_facts.auth_used. */
static void
agg_auth_item(char *out, size_t n, const char *tok, size_t len)
{
    struct strbuf b = str_buf(out, n);
    if (len == 1 && tok[0] == '?')
        str_add(&b, "AUTH (an unknown mechanism)", NULL);
    else if (len == 1 && tok[0] == '+') /* offered, outside IANA's registry: not written */
        str_add(&b, "AUTH (an unregistered mechanism)", NULL);
    else if (len == 1 && tok[0] == '-')
        str_add(&b, "AUTH (mechanism not seen)", NULL);
    else {
        str_add(&b, "AUTH ", NULL);
        str_addn(&b, tok, len);
    }
}

/* Whether the list ("A, B, C") holds the item. */
static bool
agg_auth_listed(const char *list, const char *item)
{
    size_t n = strlen(item);
    for (const char *p = list; *p != '\0';) {
        size_t k = strcspn(p, ",");
        if (k == n && memcmp(p, item, n) == 0)
            return true;
        p += k;
        p += strspn(p, ", ");
    }
    return false;
}

void
agg_auth_note(struct agg_flagstat *fs, const struct smtp_facts *sm)
{
    const char *used = sm->auth_used[0] ? sm->auth_used : "-";
    for (const char *p = used; *p != '\0';) { /* every one, the evidence full or not */
        size_t k = strcspn(p, " ");
        fs->auth_kinds |= (uint8_t)agg_auth_kind(p, k);
        p += k + (p[k] == ' ');
    }
    if (sm->auth_used_more) /* mechanisms not kept: what they sent is not known */
        fs->auth_kinds |= AGG_AUTH_UNKNOWN;
    size_t have = strlen(fs->evidence);
    if (have >= 3 && strcmp(fs->evidence + have - 3, "...") == 0)
        return; /* full: the list ends in "..." */
    for (const char *p = used; *p != '\0';) {
        size_t k = strcspn(p, " ");
        char item[80];
        agg_auth_item(item, sizeof(item), p, k);
        p += k + (p[k] == ' ');
        if (item[0] == '\0' || agg_auth_listed(fs->evidence, item))
            continue;
        if (have + (have ? 2 : 0) + strlen(item) + 1 > sizeof(fs->evidence)) {
            str_mark_cut(fs->evidence, sizeof(fs->evidence), true); /* "...": more not listed */
            return;
        }
        struct strbuf b = str_buf(fs->evidence + have, sizeof(fs->evidence) - have);
        str_add(&b, have ? ", " : "", item, NULL);
        have += b.len;
    }
    if (sm->auth_used_more) /* the session's mechanisms past smtp_facts' room */
        str_mark_cut(fs->evidence, sizeof(fs->evidence), true);
}

/* The headline's words for each kind, the worst first: what crossed the
 * network, and what it is worth to an eavesdropper. */
static const struct {
    unsigned kind;
    const char *what, *then;
} agg_auth_words[] = {
    {AGG_AUTH_PASSWORD, "the password crossed the network in plaintext",
     ", whose base64 is no encryption"},
    {AGG_AUTH_UNKNOWN, "credentials crossed the network in plaintext", ""},
    {AGG_AUTH_TOKEN, "a bearer token crossed the network in plaintext",
     ": as good as a password to whoever captured it, until it expires"},
    {AGG_AUTH_CRACKABLE, "a challenge-response crossed the network in plaintext",
     ": not the password but a hash keyed with it over the server's challenge, which an "
     "eavesdropper can crack offline (a dictionary attack on the password)"},
    {AGG_AUTH_SCRAM, "a salted, iterated challenge-response crossed the network in plaintext",
     ": offline cracking is harder but possible; mail sent in these sessions is readable anyway"},
    {AGG_AUTH_KERBEROS, "Kerberos tickets crossed the network outside TLS",
     ", not the password; mail sent in these sessions is readable anyway"},
    {AGG_AUTH_NO_SECRET, "no secret crossed the network",
     "; mail sent in these sessions is readable anyway"},
};

void
agg_auth_headline(struct strbuf *b, const struct agg_flagstat *fs)
{
    size_t w = 1; /* none noted (no session's facts): the unknown's words */
    for (size_t i = 0; i < sizeof(agg_auth_words) / sizeof(agg_auth_words[0]); i++)
        if (fs->auth_kinds & agg_auth_words[i].kind) {
            w = i;
            break;
        }
    str_add(b, "received AUTH before TLS: ", agg_auth_words[w].what, NULL);
    /* the worst kind's mechanisms, by the evidence's names ("AUTH PLAIN,
     * AUTH LOGIN"): "with AUTH PLAIN and LOGIN"; none for the unknown */
    const char *names[8];
    size_t lens[8], n = 0;
    for (const char *p = fs->evidence; *p != '\0' && w != 1;) {
        size_t k = strcspn(p, ",");
        if (k > 5 && memcmp(p, "AUTH ", 5) == 0 && p[5] != '(' && n < 8 &&
            agg_auth_kind(p + 5, k - 5) == agg_auth_words[w].kind) {
            names[n] = p + 5;
            lens[n++] = k - 5;
        }
        p += k;
        p += strspn(p, ", ");
    }
    for (size_t i = 0; i < n; i++) {
        str_add(b, i == 0 ? " with AUTH " : i + 1 == n ? " and " : ", ", NULL);
        str_put(b, names[i], lens[i]);
    }
    str_add(b, agg_auth_words[w].then, NULL);
}
