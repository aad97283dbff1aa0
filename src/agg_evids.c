/* \summary: the distinct evidences of a flag's sessions on one server. A
 * finding that covers several sessions quoted its first session's alone:
 * name_mismatch said "name checked: hybrid.example.test (from sni)" where
 * another peer asked for mail.example.test, and with two certificates named
 * the first one's names. Each distinct (evidence, and for name_mismatch
 * the name checked, its source and the leaf) is kept with its sessions and
 * peers, at most AGG_EVIDS_MAX (AGG_EVIDS_REJ_MAX for client_rejected_certificate); the finding
 * lists them sorted (by name, source and certificate as the server's certificates are listed, then
 * by text), the first 4 and how many more. */
#include <stdlib.h>
#include <string.h>

#include "agg_int.h"
#include "certcache.h"
#include "mem.h"
#include "names.h"
#include "report_cert.h"
#include "strcopy.h"
#include "tls_names.h"
#include "verify.h"

#define AGG_EVIDS_SHOWN 4 /* variants a finding lists; then "and N more" */

struct agg_evid {
    char text[AGG_EVIDENCE_LEN]; /* the session's evidence as agg_evidence wrote it */
    char name[256];              /* name_mismatch: the name checked (diagnosis.checked_name) */
    uint8_t source;              /* name_mismatch: its enum name_source */
    int16_t code;                /* client_rejected_certificate: the alert's code, -1 encrypted */
    uint32_t leaf;               /* name_mismatch: the leaf's certificate id; else UINT32_MAX */
    uint64_t sessions;
    uint64_t resumed; /* name_mismatch: of them, resumed (their leaf sent in an earlier session) */
    struct agg_set peers;
};

#define AGG_RPORTS_MAX 4 /* ports a name_mismatch's resumed certificates were sent on, kept */

/* v grows as variants come (mem_grow, up to AGG_EVIDS_MAX): most flags
 * see one, and a fixed array of six, zeroed for each (server, flag), cost
 * ~1 900 instructions per session on the dense bench slice. */
struct agg_evids {
    struct agg_evid *v;
    uint32_t n, cap;
    uint64_t dropped; /* sessions whose evidence fitted in none of v */
    /* name_mismatch's resumed sessions (a variant dropped too), and the
     * ports of this address their certificate was sent on (resume.c);
     * rports_more: sessions of further ports */
    uint64_t resumed, rports_more;
    uint16_t rport[AGG_RPORTS_MAX];
    uint64_t rport_n[AGG_RPORTS_MAX];
    uint8_t n_rports;
};

void
agg_evids_free(struct agg_flagstat *fs)
{
    if (fs->evids == NULL)
        return;
    mem_free(fs->evids->v, (size_t)fs->evids->cap * sizeof(*fs->evids->v));
    mem_free(fs->evids, sizeof(*fs->evids));
    fs->evids = NULL;
}

void
agg_evid_copy(char *dst, size_t n, const char *src)
{
    size_t len = src != NULL ? strlen(src) : 0;
    str_copy(dst, n, src);
    str_mark_cut(dst, n, n > 0 && len > n - 1);
}

/* A resumed session's port of origin counted (rport 0: a full handshake). */
static void
agg_evid_rport(struct agg_evids *e, uint16_t rport)
{
    if (rport == 0)
        return;
    e->resumed++;
    unsigned k = 0;
    while (k < e->n_rports && e->rport[k] != rport)
        k++;
    if (k == e->n_rports && k < AGG_RPORTS_MAX) {
        e->rport[k] = rport;
        e->rport_n[k] = 0;
        e->n_rports++;
    }
    if (k < e->n_rports)
        e->rport_n[k]++;
    else
        e->rports_more++;
}

static void
agg_evid_add(struct agg_flagstat *fs, const char *text, const char *name, int source, uint32_t leaf,
             uint32_t peer, int code, uint32_t max, uint16_t rport)
{
    if (fs->evids == NULL && (fs->evids = mem_alloc(sizeof(*fs->evids))) == NULL)
        return; /* memcap: counted there; the first session's evidence stays */
    struct agg_evids *e = fs->evids;
    agg_evid_rport(e, rport);
    char nm[sizeof(((struct agg_evid *)0)->name)];
    str_copy(nm, sizeof(nm), name ? name : "");
    char tx[sizeof(((struct agg_evid *)0)->text)];
    agg_evid_copy(tx, sizeof(tx), text);
    unsigned k = 0;
    while (k < e->n && (strcmp(e->v[k].text, tx) != 0 || strcmp(e->v[k].name, nm) != 0 ||
                        e->v[k].source != source || e->v[k].leaf != leaf))
        k++;
    if (k == e->n) {
        if (!mem_grow((void **)&e->v, e->n, &e->cap, sizeof(*e->v), 1, max)) {
            e->dropped++; /* max kept, or no memory for one more */
            return;
        }
        struct agg_evid *v = &e->v[e->n++];
        str_copy(v->text, sizeof(v->text), tx);
        str_copy(v->name, sizeof(v->name), nm);
        v->source = (uint8_t)source;
        v->code = (int16_t)code;
        v->leaf = leaf;
        v->sessions = 0;
        v->resumed = 0;
        v->peers.n = 0;
        v->peers.dropped = 0;
    }
    e->v[k].sessions++;
    e->v[k].resumed += rport != 0;
    agg_set_add_peer(&e->v[k].peers, peer);
}

void
agg_evid_note(struct agg_flagstat *fs, const char *text, const char *name, int source,
              uint32_t leaf, uint32_t peer, uint16_t rport)
{
    agg_evid_add(fs, text, name, source, leaf, peer, 0, AGG_EVIDS_MAX, rport);
}

void
agg_evid_note_alert(struct agg_flagstat *fs, const char *text, int code, uint32_t leaf,
                    uint32_t peer)
{
    agg_evid_add(fs, text, NULL, 0, leaf, peer, code, AGG_EVIDS_REJ_MAX, 0);
}

bool
agg_evids_many(const struct agg_flagstat *fs)
{
    return fs->evids != NULL && (fs->evids->n > 1 || fs->evids->dropped > 0);
}

void
agg_evids_names(const struct agg_flagstat *fs, unsigned *names, unsigned *sources)
{
    *names = 0;
    *sources = 0;
    const struct agg_evids *e = fs->evids;
    for (uint32_t i = 0; e != NULL && i < e->n; i++) {
        if (!e->v[i].name[0])
            continue;
        *sources |= 1u << e->v[i].source;
        uint32_t j = 0;
        while (j < i && strcmp(e->v[j].name, e->v[i].name) != 0)
            j++;
        *names += j == i;
    }
}

/* The room left in b, the terminator apart. */
static size_t
agg_room(const struct strbuf *b)
{
    return b->n > b->len + 1 ? b->n - b->len - 1 : 0;
}

/* The DNS names of a leaf's subjectAltName, "a, b", or its CN when it has
 * none (as the per-session evidence has them); whole names only, in at
 * most max bytes (and the room b has left): past that ", and N more" (a
 * list cut mid-way told an admin a name was not in it). */
void
agg_leaf_names(struct strbuf *b, uint32_t leaf_id, size_t max)
{
    const struct cert_entry *leaf = leaf_id == UINT32_MAX ? NULL : certcache_get(leaf_id);
    if (!leaf || leaf->info.parse_error)
        return;
    if (max > agg_room(b))
        max = agg_room(b);
    unsigned total = 0;
    size_t all = 0;
    for (unsigned i = 0; i < leaf->info.n_san; i++)
        if (leaf->info.san[i].type == 'D')
            all += (total++ ? 2 : 0) + strlen(leaf->info.san[i].value);
    if (total == 0) {
        str_add(b, "CN=", leaf->info.subject_cn, " (no DNS name in its subjectAltName)", NULL);
        return;
    }
    /* room kept for ", and 4294967295 more" when not all fit */
    size_t limit = all <= max ? max : max > 24 ? max - 24 : 0;
    unsigned k = 0;
    size_t used = 0;
    for (unsigned i = 0; i < leaf->info.n_san; i++) {
        if (leaf->info.san[i].type != 'D')
            continue;
        size_t need = (k ? 2 : 0) + strlen(leaf->info.san[i].value);
        if (used + need > limit)
            break;
        str_add(b, k ? ", " : "", leaf->info.san[i].value, NULL);
        used += need;
        k++;
    }
    if (k < total) {
        str_add(b, k ? ", and " : "", NULL);
        str_add_uint(b, total - k);
        str_add(b, k ? " more" : " DNS names, too long to list here", NULL);
    }
}

/* name_mismatch: why a wildcard of the leaf that seems to cover name does
 * not (names_wildcard_why: "; *.a.example covers one label only ..."), at
 * most 2; the CN's when the leaf has no subjectAltName (RFC 6125 §6.4.4). */
static void
agg_nm_why(struct strbuf *b, uint32_t leaf_id, const char *name)
{
    const struct cert_entry *leaf = leaf_id == UINT32_MAX ? NULL : certcache_get(leaf_id);
    if (!leaf || leaf->info.parse_error || !name[0])
        return;
    char why[400];
    unsigned k = 0;
    for (unsigned i = 0; i < leaf->info.n_san && k < 2; i++) {
        const char *v = leaf->info.san[i].value;
        if (leaf->info.san[i].type == 'D' &&
            names_wildcard_why(v, strlen(v), name, why, sizeof(why)))
            str_add(b, k++ ? "; " : "; ", why, NULL);
    }
    const char *cn = leaf->info.subject_cn;
    if (leaf->info.n_san == 0 && cn && names_wildcard_why(cn, strlen(cn), name, why, sizeof(why)))
        str_add(b, "; ", why, NULL);
}

/* name_mismatch's evidence of one name on one leaf, the certificate
 * named as cert says ("the certificate", "the certificate they resumed
 * (sent on ...)"). */
static void
agg_nm_text_as(struct strbuf *b, const char *name, int source, uint32_t leaf, const char *cert)
{
    str_add(b, "name checked: ", name, " (from ", name_source_str((enum name_source)source), "); ",
            cert, " is for ", NULL);
    char why[820];
    struct strbuf w = str_buf(why, sizeof(why));
    agg_nm_why(&w, leaf, name);
    size_t room = agg_room(b);
    agg_leaf_names(b, leaf, room > w.len ? room - w.len : 0);
    str_add(b, why, NULL);
}

void
agg_nm_text(struct strbuf *b, const char *name, int source, uint32_t leaf)
{
    agg_nm_text_as(b, name, source, leaf, "the certificate");
}

const char *
agg_evids_name(const struct agg_flagstat *fs)
{
    return fs->evids != NULL && fs->evids->n > 0 && fs->evids->v[0].name[0] ? fs->evids->v[0].name
                                                                            : NULL;
}

uint64_t
agg_evids_resumed(const struct agg_flagstat *fs)
{
    return fs->evids != NULL ? fs->evids->resumed : 0;
}

void
agg_evids_rsent(struct strbuf *b, const struct agg_server *s, const struct agg_flagstat *fs)
{
    const struct agg_evids *e = fs->evids;
    if (e == NULL || e->resumed == 0)
        return;
    uint16_t p[AGG_RPORTS_MAX];
    unsigned n = 0;
    uint64_t here = 0;
    for (unsigned k = 0; k < e->n_rports; k++) {
        if (e->rport[k] == s->ep.port) {
            here = e->rport_n[k];
            continue;
        }
        unsigned j = n++; /* sorted by port */
        for (; j > 0 && p[j - 1] > e->rport[k]; j--)
            p[j] = p[j - 1];
        p[j] = e->rport[k];
    }
    for (unsigned k = 0; k < n; k++) {
        struct endpoint ep = s->ep;
        ep.port = p[k];
        char a[80];
        agg_ep_str(&ep, a, sizeof(a));
        str_add(b, k == 0 ? "on " : k + 1 < n || e->rports_more ? ", " : " and ", a, NULL);
    }
    if (e->rports_more)
        str_add(b, n ? " and other ports" : "on other ports", NULL);
    if (here) {
        char a[80];
        agg_ep_str(&s->ep, a, sizeof(a));
        str_add(b, n || e->rports_more ? ", and " : "",
                here == 1 ? "in an earlier session on " : "in earlier sessions on ", a, NULL);
    }
}

/* How name_mismatch's sessions (resumed of them) met the certificate:
 * "the certificate", "the certificate they resumed (sent on
 * 192.0.2.25:25)", "the certificate (sent in 1 of them, resumed in 2:
 * sent on 192.0.2.25:25)". */
static void
agg_nm_cert(char *out, size_t n, const struct agg_server *s, const struct agg_flagstat *fs,
            uint64_t sessions, uint64_t resumed)
{
    struct strbuf c = str_buf(out, n);
    if (resumed == 0) {
        str_add(&c, "the certificate", NULL);
        return;
    }
    if (resumed >= sessions) {
        str_add(&c, "the certificate they resumed (sent ", NULL);
    } else {
        str_add(&c, "the certificate (sent in ", NULL);
        str_add_uint(&c, sessions - resumed);
        str_add(&c, " of them, resumed in ", NULL);
        str_add_uint(&c, resumed);
        str_add(&c, ": sent ", NULL);
    }
    agg_evids_rsent(&c, s, fs);
    str_add(&c, ")", NULL);
}

bool
agg_evids_named(const struct agg_flagstat *fs)
{
    return fs->evids != NULL && fs->evids->n > 0 && fs->evids->v[0].name[0];
}

/* The code after " answered " in a starttls_rejected evidence, as a bit. */
static unsigned
agg_code_bit(const char *text)
{
    const char *a = strstr(text, " answered ");
    long code = a ? strtol(a + 10, NULL, 10) : 0;
    return code == 454 ? 1u : code == 500 ? 2u : code == 502 ? 4u : 8u;
}

bool
agg_evids_codes(const struct agg_flagstat *fs, unsigned *seen)
{
    *seen = 0;
    const struct agg_evids *e = fs->evids;
    if (e == NULL || e->dropped > 0) { /* the first session's alone: not all known */
        *seen = fs->evidence[0] ? agg_code_bit(fs->evidence) : 0;
        return false;
    }
    for (uint32_t i = 0; i < e->n; i++)
        *seen |= agg_code_bit(e->v[i].text);
    return true;
}

int
agg_evids_alert_code(const struct agg_flagstat *fs)
{
    const struct agg_evids *e = fs->evids;
    if (e == NULL || e->dropped > 0 || e->n == 0)
        return -2;
    for (uint32_t i = 1; i < e->n; i++)
        if (e->v[i].code != e->v[0].code)
            return -2;
    return e->v[0].code;
}

/* A variant and where its leaf stands among the server's chains (their
 * order of first sighting, the order of the finding's certificates). */
struct agg_evid_ord {
    const struct agg_evid *v;
    uint32_t chain;
};

static int
agg_evid_cmp(const void *pa, const void *pb)
{
    const struct agg_evid_ord *x = pa, *y = pb;
    const struct agg_evid *a = x->v, *b = y->v;
    int c = strcmp(a->name, b->name);
    if (c == 0)
        c = (int)a->source - (int)b->source;
    if (c == 0 && x->chain != y->chain)
        c = x->chain < y->chain ? -1 : 1;
    if (c == 0 && a->leaf != b->leaf) /* leaves past the server's chains; unseen last */
        c = a->leaf < b->leaf ? -1 : 1;
    if (c == 0)
        c = strcmp(a->text, b->text);
    return c;
}

/* "2 sessions" or "2 sessions from 198.51.100.10, 198.51.100.11". */
static void
agg_evid_who(struct strbuf *b, const struct agg_server *s, const struct agg_evid *v, bool peers)
{
    agg_add_sessions(b, v->sessions);
    if (peers && v->peers.n > 0) {
        char p[300];
        agg_peers_text(s, &v->peers, p, sizeof(p));
        str_add(b, " from ", p, NULL);
    }
}

/* The variants sorted: by name, source, where the leaf stands among the
 * server's chains, then text. Returns how many. */
static unsigned
agg_evids_sorted(const struct agg_server *s, const struct agg_evids *e,
                 const struct agg_evid *ord[AGG_EVIDS_REJ_MAX])
{
    struct agg_evid_ord so[AGG_EVIDS_REJ_MAX];
    for (unsigned i = 0; i < e->n; i++) {
        so[i].v = &e->v[i];
        so[i].chain = UINT32_MAX;
        for (uint32_t c = 0; c < s->n_chains && so[i].chain == UINT32_MAX; c++)
            if (s->chains[c].ids[0] == e->v[i].leaf)
                so[i].chain = c;
    }
    qsort(so, e->n, sizeof(so[0]), agg_evid_cmp);
    for (unsigned i = 0; i < e->n; i++)
        ord[i] = so[i].v;
    return e->n;
}

/* "; and 2 more (3 sessions)": the variants past the shown ones, and the
 * sessions of those not kept ("and more" then: how many is not known). */
static void
agg_evids_more(struct strbuf *b, const struct agg_evids *e, const struct agg_evid *const *ord,
               unsigned shown)
{
    if (e->n <= shown && e->dropped == 0)
        return;
    uint64_t more = e->dropped;
    for (unsigned i = shown; i < e->n; i++)
        more += ord[i]->sessions;
    str_add(b, "; and ", NULL);
    if (e->dropped == 0) {
        str_add_uint(b, e->n - shown);
        str_add(b, " more (", NULL);
    } else {
        str_add(b, "more (", NULL);
    }
    agg_add_sessions(b, more);
    str_add(b, ")", NULL);
}

void
agg_evids_text(struct strbuf *b, const struct agg_server *s, const struct agg_flagstat *fs,
               int flag, bool peers)
{
    const struct agg_evids *e = fs->evids;
    const struct agg_evid *ord[AGG_EVIDS_REJ_MAX];
    agg_evids_sorted(s, e, ord);
    bool one_leaf = true;
    for (unsigned i = 1; i < e->n; i++)
        one_leaf &= ord[i]->leaf == ord[0]->leaf;
    bool one_name = true;
    for (unsigned i = 1; i < e->n; i++)
        one_name &= strcmp(ord[i]->name, ord[0]->name) == 0;
    unsigned shown = e->n < AGG_EVIDS_SHOWN ? e->n : AGG_EVIDS_SHOWN;
    if (flag == AF_NAME_MISMATCH && e->n == 1 && e->dropped == 0 && ord[0]->name[0]) {
        /* one name on one certificate: as the first session's evidence */
        char cert[400];
        agg_nm_cert(cert, sizeof(cert), s, fs, ord[0]->sessions, ord[0]->resumed);
        agg_nm_text_as(b, ord[0]->name, ord[0]->source, ord[0]->leaf, cert);
        return;
    }
    /* why a wildcard does not cover the names shown, after the list */
    char why[820];
    struct strbuf w = str_buf(why, sizeof(why));
    for (unsigned i = 0; flag == AF_NAME_MISMATCH && i < shown; i++)
        agg_nm_why(&w, ord[i]->leaf, ord[i]->name);
    if (flag == AF_NAME_MISMATCH)
        str_add(b, one_name ? "name checked: " : "names checked: ", NULL);
    for (unsigned i = 0; i < shown; i++) {
        const struct agg_evid *v = ord[i];
        str_add(b, i ? "; " : "", NULL);
        if (flag != AF_NAME_MISMATCH || !v->name[0]) {
            str_add(b, v->text, " (", NULL);
            agg_evid_who(b, s, v, peers);
            str_add(b, ")", NULL);
            continue;
        }
        str_add(b, v->name, " (from ", name_source_str((enum name_source)v->source), ")", NULL);
        if (!one_leaf) {
            /* which certificate each name met (case 3: chosen by the
             * peer's address behind SNAT) */
            char label[300];
            agg_leaf_label(v->leaf, label, sizeof(label));
            str_add(b, " against ", label, ", which is for ", NULL);
            agg_leaf_names(b, v->leaf, 200);
            str_add(b, ",", NULL);
        }
        str_add(b, " in ", NULL);
        agg_evid_who(b, s, v, peers);
        if (v->resumed > 0 && !one_leaf) { /* the whole list's ports in the headline */
            str_add(b, " (", NULL);
            str_add_uint(b, v->resumed);
            str_add(b, " resumed)", NULL);
        }
    }
    agg_evids_more(b, e, ord, shown);
    if (flag == AF_NAME_MISMATCH && one_leaf && ord[0]->leaf != UINT32_MAX) {
        char cert[400];
        agg_nm_cert(cert, sizeof(cert), s, fs, fs->sessions, e->resumed);
        str_add(b, "; ", cert, " is for ", NULL);
        size_t room = agg_room(b);
        agg_leaf_names(b, ord[0]->leaf, room > w.len ? room - w.len : 0);
    }
    str_add(b, why, NULL);
}

/* The tail of client_rejected_certificate's list, when not all is shown:
 * "; and 2 more alerts (2 sessions), 3 more certificates (5 sessions), and
 * 1 session whose certificate was not seen: see the JSON
 * (rejected_certificates)" (the sessions whose chain was not seen, TLS 1.3
 * encrypting it, are no certificate: they were counted as one more), and
 * the sessions past the AGG_EVIDS_REJ_MAX pairs kept ("; 4 sessions more
 * not itemised (past the 32 certificate and alert pairs kept)"). */
static void
agg_evids_alerts_more(struct strbuf *b, const struct agg_evids *e,
                      const struct agg_evid *const *ord, unsigned shown, bool above)
{
    if (e->n <= shown && e->dropped == 0)
        return;
    uint64_t more_alerts = 0, more_certs = 0, unseen = 0;
    unsigned n_alerts = 0, n_certs = 0;
    uint32_t last_shown = shown ? ord[shown - 1]->leaf : UINT32_MAX - 1;
    for (unsigned i = shown; i < e->n; i++) {
        if (shown && ord[i]->leaf == last_shown) {
            n_alerts++;
            more_alerts += ord[i]->sessions;
        } else if (ord[i]->leaf == UINT32_MAX) {
            unseen += ord[i]->sessions;
        } else {
            n_certs += i == shown || ord[i]->leaf != ord[i - 1]->leaf;
            more_certs += ord[i]->sessions;
        }
    }
    if (n_alerts || n_certs || unseen)
        str_add(b, "; and ", NULL);
    if (n_alerts) {
        str_add_uint(b, n_alerts);
        str_add(b, n_alerts == 1 ? " more alert (" : " more alerts (", NULL);
        agg_add_sessions(b, more_alerts);
        str_add(b, n_certs || unseen ? "), " : ")", NULL);
    }
    if (n_certs) {
        str_add_uint(b, n_certs);
        str_add(b, n_certs == 1 ? " more certificate (" : " more certificates (", NULL);
        agg_add_sessions(b, more_certs);
        str_add(b, unseen ? "), " : ")", NULL);
    }
    if (unseen) {
        str_add(b, n_alerts || n_certs ? "and " : "", NULL);
        agg_add_sessions(b, unseen);
        str_add(b,
                unseen == 1 ? " whose certificate was encrypted"
                            : " whose certificates were encrypted",
                above ? " (one of those above, inferred)" : "", NULL);
    }
    str_add(b, n_alerts || n_certs || unseen ? ": see the JSON (rejected_certificates)" : "", NULL);
    if (e->dropped) {
        str_add(b, "; ", NULL);
        agg_add_sessions(b, e->dropped);
        str_add(b, " more not itemised (past the ", NULL);
        str_add_uint(b, AGG_EVIDS_REJ_MAX);
        str_add(b, " certificate and alert pairs kept)", NULL);
    }
}

/* How diagnose.c's meaning of a rejected certificate begins, its subject
 * after it (none when not seen or not decoded). */
static const char agg_rejected_prefix[] = "the client rejected the server certificate ";

/* One (certificate, alert) pair of client_rejected_certificate's list,
 * ord[i]: its alert alone after the pair before it of the same
 * certificate and meaning; else its meaning, the certificate's SHA-1 and
 * end of validity unless no_sha, and the alert; then its sessions (and
 * peers when asked). compact (a summary short of room, whose headline says the peers
 * rejected the certificate and whose certificates give each one's SHA-1
 * and validity): the meaning after agg_rejected_prefix ("CN=X with ...",
 * "encrypted with ..."), the SHA-1 alone; else an encrypted one's meaning
 * (no subject: the chain not seen, RFC 8446 §4.4.2) says "(encrypted)";
 * above: of an encrypted one, "one of those above, inferred". */
static void
agg_evids_alert_pair(struct strbuf *l, const struct agg_server *s,
                     const struct agg_evid *const *ord, unsigned i, bool peers, bool compact,
                     bool no_sha, bool above)
{
    const struct agg_evid *v = ord[i], *prev = i ? ord[i - 1] : NULL;
    size_t head = agg_meaning_head(v->text);
    if (prev && v->text[head] && prev->leaf == v->leaf && agg_meaning_head(prev->text) == head &&
        memcmp(prev->text, v->text, head) == 0) {
        str_add(l, ", ", v->text + head + 6, NULL); /* after " with " */
    } else {
        str_add(l, i ? "; " : "", NULL);
        const size_t pl = sizeof(agg_rejected_prefix) - 1;
        bool known = strncmp(v->text, agg_rejected_prefix, pl - 1) == 0;
        if (compact && known && v->leaf == UINT32_MAX)
            str_add(l, "encrypted", NULL); /* diagnose.c's meaning names no subject */
        else if (compact && known && head > pl)
            str_addn(l, v->text + pl, head - pl); /* its subject alone */
        else
            str_addn(l, v->text, head);
        if (v->leaf == UINT32_MAX && known && !compact)
            /* diagnose.c's meaning names no certificate: say why, and
             * that the one named is the server's from elsewhere */
            str_add(l,
                    above ? " (encrypted, TLS 1.3: one of those above, inferred, not seen)"
                          : " (encrypted, TLS 1.3)",
                    NULL);
        else if (v->leaf == UINT32_MAX && above)
            str_add(l, " (TLS 1.3: one of those above, inferred)", NULL);
        if (!no_sha && v->leaf != UINT32_MAX) {
            char label[300];
            agg_leaf_label(v->leaf, label, sizeof(label));
            char *sha = strrchr(label, '('); /* "(SHA-1 ..., until ...)" */
            char *until = sha && compact ? strstr(sha, ", until ") : NULL;
            if (until) /* the summary's certificates have it already */
                memcpy(until, ")", 2);
            str_add(l, " ", sha ? sha : label, NULL);
        }
        str_add(l, v->text + head, NULL);
    }
    agg_from_sessions(l, s, &v->peers, v->sessions, peers);
}

/* client_rejected_certificate: each (certificate, alert) with its sessions,
 * the alerts of one certificate after it once, as diagnose.c's meaning has
 * them ("<what happened> <subject> with <alert>"): "the client rejected the
 * server certificate CN=A with bad_certificate (42) from P (2 sessions),
 * unknown_ca (48) from Q (1 session); the client rejected the server
 * certificate CN=B with ...". With several certificates each is told by
 * its SHA-1 and end of validity (a renewed one has the same subject). The
 * first session's certificate spoke for every alert. The first 4 pairs,
 * then how many more alerts and certificates (every one is in the JSON,
 * agg_evids_rejects_json): the tail is kept whole, the list before it cut
 * to fit ("...") when it must be. */
void
agg_evids_alerts_text(struct strbuf *b, const struct agg_server *s, const struct agg_flagstat *fs,
                      bool peers, size_t reserve, bool above)
{
    const struct agg_evids *e = fs->evids;
    const struct agg_evid *ord[AGG_EVIDS_REJ_MAX];
    agg_evids_sorted(s, e, ord);
    /* one certificate seen (the others' not seen: TLS 1.3) needs no SHA-1 */
    unsigned leaves = 0;
    for (unsigned i = 0; i < e->n; i++)
        leaves += ord[i]->leaf != UINT32_MAX && (i == 0 || ord[i]->leaf != ord[i - 1]->leaf);
    bool one_leaf = leaves <= 1;
    unsigned shown = e->n < AGG_EVIDS_SHOWN ? e->n : AGG_EVIDS_SHOWN;
    /* the summary's certificates give each one's SHA-1: the list needs it
     * only to tell apart two of one subject (a renewed certificate) */
    bool subjects_differ = true;
    for (unsigned i = 0; i < e->n && subjects_differ; i++) {
        size_t hi = agg_meaning_head(ord[i]->text);
        for (unsigned k = 0; k < i && subjects_differ; k++)
            subjects_differ = ord[i]->leaf == ord[k]->leaf ||
                              agg_meaning_head(ord[k]->text) != hi ||
                              memcmp(ord[i]->text, ord[k]->text, hi) != 0;
    }
    /* what does not fit gives way: in the summary first the words its
     * headline and certificates say already (compact), then pairs, left
     * out and counted in the tail; the one left cut ("...") when even it
     * does not fit */
    char tail[320], list[AGG_EVIDENCE_LEN + 1024];
    for (bool compact = false;;) {
        struct strbuf t = str_buf(tail, sizeof(tail));
        agg_evids_alerts_more(&t, e, ord, shown, above);
        size_t room = agg_room(b) > t.len + reserve ? agg_room(b) - t.len - reserve : 0;
        bool cut;
        struct strbuf l =
            str_buf_cut(list, room + 1 < sizeof(list) ? room + 1 : sizeof(list), &cut);
        for (unsigned i = 0; i < shown; i++)
            agg_evids_alert_pair(&l, s, ord, i, peers, compact,
                                 one_leaf || (compact && subjects_differ), above);
        if (cut && peers && !compact) {
            compact = true;
        } else if (cut && shown > 1) {
            shown--;
        } else {
            str_mark_cut(list, l.n, cut);
            break;
        }
    }
    str_add(b, list, tail, NULL);
}

/* The chains this server presented (full handshakes), for sessions that
 * could not see theirs: how many have sessions. */
static unsigned
agg_evids_known_chains(const struct agg_server *s)
{
    unsigned k = 0;
    for (uint32_t c = 0; c < s->n_chains; c++)
        k += s->chains[c].sessions > 0;
    return k;
}

/* Sessions among the pairs whose certificate was not seen (leaf unknown:
 * TLS 1.3 encrypts it, RFC 8446 §4.4.2). */
static uint64_t
agg_evids_unseen(const struct agg_evids *e)
{
    uint64_t n = 0;
    for (uint32_t i = 0; e != NULL && i < e->n; i++)
        n += e->v[i].leaf == UINT32_MAX ? e->v[i].sessions : 0;
    return n;
}

bool
agg_evids_inferred_above(const struct agg_server *s, const struct agg_flagstat *fs)
{
    unsigned known = agg_evids_known_chains(s);
    if (agg_evids_unseen(fs->evids) == 0 || known < 2 || known > 3)
        return false;
    for (uint32_t c = 0; c < s->n_chains; c++)
        if (s->chains[c].sessions > 0 && !agg_set_has(&fs->chains, c))
            return false;
    return true;
}

void
agg_evids_inferred_text(struct strbuf *b, const struct agg_server *s, const struct agg_flagstat *fs)
{
    uint64_t unseen = agg_evids_unseen(fs->evids);
    unsigned known = agg_evids_known_chains(s);
    if (unseen == 0 || known == 0)
        return;
    str_add(b, "; in ", NULL);
    str_add_uint(b, unseen);
    str_add(b, unseen == 1 ? " session" : " sessions",
            " the chain was encrypted (TLS 1.3); inferred, not seen: this server presented ", NULL);
    unsigned k = 0;
    for (uint32_t c = 0; c < s->n_chains && k < 2; c++) {
        if (s->chains[c].sessions == 0)
            continue;
        char label[300];
        agg_leaf_label(s->chains[c].ids[0], label, sizeof(label));
        str_add(b, k++ ? ", and " : "", label, " in ", NULL);
        str_add_uint(b, s->chains[c].sessions);
        str_add(b, s->chains[c].sessions == 1 ? " other session" : " other sessions", NULL);
    }
    if (known > k) {
        str_add(b, ", and ", NULL);
        str_add_uint(b, known - k);
        str_add(b, " more chains (inferred_certificates in the JSON)", NULL);
    }
}

void
agg_evids_rejects_json(struct json *j, const struct agg_server *s, const struct agg_flagstat *fs)
{
    const struct agg_evids *e = fs->evids;
    if (e == NULL)
        return;
    const struct agg_evid *ord[AGG_EVIDS_REJ_MAX];
    agg_evids_sorted(s, e, ord);
    json_arr_begin(j, "rejected_certificates");
    for (unsigned i = 0; i < e->n;) {
        unsigned end = i;
        uint64_t sessions = 0;
        while (end < e->n && ord[end]->leaf == ord[i]->leaf)
            sessions += ord[end++]->sessions;
        json_obj_begin(j, NULL);
        if (ord[i]->leaf != UINT32_MAX)
            report_cert_sha256_json(j, "sha256", ord[i]->leaf);
        else
            json_null(j, "sha256");
        json_uint(j, "session_count", sessions);
        json_arr_begin(j, "alerts");
        for (; i < end; i++) {
            json_obj_begin(j, NULL);
            const char *nm = ord[i]->code >= 0 ? tls_alert_str(ord[i]->code) : NULL;
            if (ord[i]->code >= 0)
                json_int(j, "code", ord[i]->code);
            else
                json_null(j, "code");
            json_str(j, "name", nm);
            json_uint(j, "session_count", ord[i]->sessions);
            json_obj_end(j);
        }
        json_arr_end(j);
        json_obj_end(j);
    }
    json_arr_end(j);
    if (e->dropped)
        json_uint(j, "rejected_certificates_not_itemised", e->dropped);
    if (agg_evids_unseen(e) == 0 || agg_evids_known_chains(s) == 0)
        return;
    /* the chains the server presented elsewhere: what the unseen ones
     * probably were, never what they were seen to be */
    json_arr_begin(j, "inferred_certificates");
    for (uint32_t c = 0; c < s->n_chains; c++) {
        if (s->chains[c].sessions == 0)
            continue;
        const struct cert_entry *leaf = certcache_get(s->chains[c].ids[0]);
        json_obj_begin(j, NULL);
        report_cert_sha256_json(j, "sha256", s->chains[c].ids[0]);
        json_str(j, "subject", leaf && !leaf->info.parse_error ? leaf->info.subject : NULL);
        json_uint(j, "other_sessions", s->chains[c].sessions);
        json_obj_end(j);
    }
    json_arr_end(j);
}

/* ---- a flag's evidence from its first session (aggregate.c agg_session) ---- */

/* The first chain certificate that fails test, or NULL. */
static const struct x509_info *
agg_chain_find(const struct tls_facts *t, bool (*test)(const struct x509_info *))
{
    for (unsigned i = 0; i < t->n_server_chain && i < FACTS_CHAIN_MAX; i++) {
        const struct cert_entry *e = certcache_get(t->server_chain[i]);
        if (e && !e->info.parse_error && test(&e->info))
            return &e->info;
    }
    return NULL;
}

/* The leaf a session's name was checked against: its chain's, or a
 * resumed session's, the chain of the handshake it resumed; UINT32_MAX. */
uint32_t
agg_leaf_id(const struct tls_facts *t)
{
    return t->n_server_chain    ? t->server_chain[0]
           : t->n_resumed_chain ? t->resumed_chain[0]
                                : UINT32_MAX;
}

/* What a certificate flag's finding quotes from its first session: the
 * certificate and the property at fault, or the name and the names the
 * leaf covers, else the verification's own text. */
void
agg_evidence(enum agg_flag flag, const struct diagnosis *dg, const struct tls_facts *t, char *ev,
             size_t n)
{
    bool cut = false; /* a text cut to fit ends in "..." */
    struct strbuf b = str_buf_cut(ev, n, &cut);
    const struct x509_info *x = NULL;
    if (flag == AF_WEAK_KEY && (x = agg_chain_find(t, verify_key_weak)) != NULL) {
        str_add(&b, x->subject, NULL); /* whole: 100 bytes of it read as the whole */
        str_add(&b, ": ", x->key_type, " key of ", NULL);
        str_add_uint(&b, x->key_bits > 0 ? (unsigned)x->key_bits : 0);
        str_add(&b, " bits", NULL);
    } else if (flag == AF_WEAK_SIGNATURE && (x = agg_chain_find(t, verify_sig_weak)) != NULL) {
        str_add(&b, x->subject, NULL);
        str_add(&b, ": signed with ", x->sig_alg, NULL);
    } else if (flag == AF_NAME_MISMATCH && dg->checked_name[0]) {
        agg_nm_text(&b, dg->checked_name, (int)dg->checked_name_source, agg_leaf_id(t));
    } else if (flag == AF_OBSOLETE_TLS) {
        const char *c = t->cipher_seen ? tls_cipher_str(t->cipher) : NULL;
        str_add(&b, tls_version_str(t->version), c ? " with " : "", c ? c : "", NULL);
    } else if (flag == AF_HANDSHAKE_CAPPED) {
        str_add(&b, dg->handshake_capped, " reached before the handshake's end (--cap ",
                dg->handshake_capped, "=VALUE)", NULL);
    } else if (flag == AF_OCSP_REVOKED || flag == AF_OCSP_INVALID) {
        agg_ocsp_evidence(&b, dg, t);
    } else if (flag == AF_NOT_VISIBLE) {
        agg_nv_evidence(&b, dg, t, agg.cfg ? agg.cfg->n_keylogs : 0);
    } else if (flag == AF_MUTUAL_TLS && t->n_client_chain > 0) {
        const struct cert_entry *c = certcache_get(t->client_chain[0]);
        str_add(&b, "client certificate ",
                c && !c->info.parse_error ? c->info.subject : "(not decoded)", NULL);
    } else {
        str_add(&b, dg->verify_error_text, NULL);
    }
    str_mark_cut(ev, n, cut);
}

/* "STARTTLS answered 454 4.7.0 TLS not available ...": the server's reply
 * to the upgrade command (its text is the server's, never the client's). */
void
agg_reply_evidence(const struct smtp_facts *sm, char *ev, size_t n)
{
    bool cut = false;
    struct strbuf b = str_buf_cut(ev, n, &cut);
    str_add(&b, sm->starttls_verb[0] ? sm->starttls_verb : "STARTTLS", " answered ", NULL);
    str_add_uint(&b, (unsigned)sm->starttls_reply_code);
    if (sm->starttls_reply_text.len > 0) {
        str_add(&b, " ", NULL);
        str_addn(&b, (const char *)sm->starttls_reply_text.s, sm->starttls_reply_text.len);
    }
    str_mark_cut(ev, n, cut);
}
