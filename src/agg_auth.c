/* \summary: auth_before_tls's evidence (RFC 4954 §4, RFC 8314 §3.3): every
 * AUTH mechanism its sessions used in plaintext, each once, in the order
 * first seen ("AUTH PLAIN, AUTH LOGIN"), not only the first session's. The
 * mechanism's name only, never what follows it, and only a name in IANA's
 * SASL registry: one the server offered outside it is a word from the
 * wire, "AUTH (an unregistered mechanism)"; a word that is neither may be a
 * credential (a client that left the mechanism out), and is "AUTH (an
 * unknown mechanism)"; an AUTH with no word after it, "AUTH (mechanism not
 * seen)". */
#include <string.h>

#include "agg_int.h"
#include "strcopy.h"

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
