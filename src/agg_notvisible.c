/* \summary: the finding certificates_not_visible: why a server's certificates
 * could not be seen in the capture (diagnose.c dg_not_visible_why, one
 * reason a session), told in its headline so that it is true of every
 * session it counts: a Certificate message sent and hidden (TLS 1.3 without
 * the keys), sent and unreadable, a capture that lost its bytes, ended
 * before it, or began after it. docs/findings.md lists the reasons. */
#include "agg_int.h"
#include "json.h"
#include "mem.h"
#include "strcopy.h"

static unsigned
agg_nv_kl_of(uint8_t keylog)
{
    return keylog == TLS_KL_NO_SERVER_SECRET ? AGG_NV_KL_NO_SHS
           : keylog == TLS_KL_MISMATCH       ? AGG_NV_KL_MISMATCH
                                             : AGG_NV_KL_NOT_FOUND;
}

/* A TLS 1.3 session whose certificates stayed encrypted, counted by how
 * the key log failed it (with no key log given: not in it). */
static void
agg_nv_kl_note(struct agg_server *s, uint64_t id, uint8_t keylog)
{
    if (s->nv_kl == NULL && (s->nv_kl = mem_alloc(sizeof(*s->nv_kl))) != NULL)
        memset(s->nv_kl, 0, sizeof(*s->nv_kl));
    if (s->nv_kl == NULL)
        return; /* the memcap refused: the evidence is worded without them */
    unsigned k = agg_nv_kl_of(keylog);
    if (s->nv_kl->n[k] < AGG_NV_KL_IDS)
        s->nv_kl->ids[k][s->nv_kl->n[k]] = id;
    s->nv_kl->n[k]++;
}

void
agg_nv_note(struct agg_server *s, const struct diagnosis *dg, uint64_t id,
            const struct tls_facts *t)
{
    unsigned why = dg->not_visible_why;
    if (!dg->certificates_not_visible || why >= DG_NV_COUNT)
        return;
    s->nv_why[why]++;
    if (why == DG_NV_GAP && dg->not_visible_cut < 3)
        s->nv_cut[dg->not_visible_cut]++;
    if (why == DG_NV_ENCRYPTED)
        agg_nv_kl_note(s, id, t->keylog);
    if (s->nv_ex == NULL && (s->nv_ex = mem_alloc(DG_NV_COUNT * sizeof(*s->nv_ex))) != NULL)
        memset(s->nv_ex, 0, DG_NV_COUNT * sizeof(*s->nv_ex));
    if (s->nv_ex == NULL || s->nv_ex[why].id != 0)
        return; /* the memcap refused: the reasons go without examples */
    s->nv_ex[why] = (struct agg_nv_example){.id = id,
                                            .capped = dg->handshake_capped,
                                            .handshake = (uint8_t)t->handshake,
                                            .pickup = t->pickup_undecided,
                                            .cut = dg->not_visible_cut,
                                            .keylog = t->keylog};
}

void
agg_frag_drops(uint64_t at_max, uint64_t at_mem_max, uint64_t at_memcap)
{
    agg.frag_at_max = at_max;
    agg.frag_at_mem = at_mem_max;
    agg.frag_at_memcap = at_memcap;
}

void
agg_frag_incomplete(uint64_t n)
{
    agg.frag_incomplete = n;
}

void
agg_files_damaged(unsigned n)
{
    agg.files_damaged = n;
}

static bool
agg_frag_any(void)
{
    return agg.frag_at_max + agg.frag_at_mem + agg.frag_at_memcap > 0;
}

bool
agg_nv_frag(const struct agg_server *s)
{
    return agg_frag_any() && s->nv_why[DG_NV_GAP] > 0 &&
           s->nv_cut[DG_NV_CUT_WIRE] + s->nv_cut[DG_NV_CUT_BOTH] > 0;
}

/* Bytes lost on the wire in a run where fragmented datagrams stayed
 * incomplete: a port filter's likely doing, known only at the end */
static bool
agg_nv_frag_lost(const struct agg_server *s)
{
    return agg.frag_incomplete > 0 && s->nv_why[DG_NV_GAP] > 0 &&
           s->nv_cut[DG_NV_CUT_WIRE] + s->nv_cut[DG_NV_CUT_BOTH] > 0;
}

bool
agg_nv_rebuilt(const struct agg_server *s, unsigned n_keylogs)
{
    return agg_nv_reasons(s) > 1 || agg_nv_mixed(s) || agg_nv_frag(s) || agg_nv_frag_lost(s) ||
           (n_keylogs > 0 && s->nv_why[DG_NV_ENCRYPTED] > 1);
}

/* Bytes lost when the run's defragmenter dropped datagrams at a cap of
 * smtptap's own (defrag.c): the capture is not to blame for those, and the
 * cap is named with the option that raises it. The drops are the run's,
 * not tied to a session: "may be". */
static void
agg_nv_frag_text(struct strbuf *b)
{
    static const char *const cap[3] = {"defrag.mem_max", "defrag.max", "memcap"};
    const uint64_t n[3] = {agg.frag_at_mem, agg.frag_at_max, agg.frag_at_memcap};
    unsigned k = (n[0] > 0) + (n[1] > 0) + (n[2] > 0);
    str_add(b, "smtptap dropped ", NULL);
    str_add_uint(b, n[0] + n[1] + n[2]);
    str_add(b, n[0] + n[1] + n[2] == 1 ? " fragmented IP datagram" : " fragmented IP datagrams",
            k > 1 ? " at its caps (" : " at its cap ", NULL);
    for (unsigned i = 0, j = 0; i < 3 && k > 1; i++) {
        if (n[i] == 0)
            continue;
        str_add(b, j++ ? ", " : "", NULL);
        str_add_uint(b, n[i]);
        str_add(b, " at ", cap[i], NULL);
    }
    for (unsigned i = 0; i < 3 && k == 1; i++)
        if (n[i] > 0)
            str_add(b, cap[i], NULL);
    str_add(b, k > 1 ? "; " : " (",
            "the stats' fragment_datagrams_dropped), which may be these "
            "bytes: raise ",
            k > 1 ? "them (" : "it (", NULL);
    for (unsigned i = 0, j = 0; i < 3; i++)
        if (n[i] > 0)
            str_add(b, j++ ? " " : "", "--cap ", cap[i], "=VALUE", NULL);
    str_add(b,
            ") and run again; else the capture lacks them (cut by its snapshot length, or "
            "packets lost): capture whole packets (-s 0) without drops",
            NULL);
}

void
agg_nv_free(struct agg_server *s)
{
    mem_free(s->nv_ex, DG_NV_COUNT * sizeof(*s->nv_ex));
    s->nv_ex = NULL;
    mem_free(s->nv_kl, sizeof(*s->nv_kl));
    s->nv_kl = NULL;
}

/* DG_NV_GAP's sessions of more than one kind of cut (enum dg_nv_cut). */
bool
agg_nv_mixed(const struct agg_server *s)
{
    unsigned kinds = 0;
    for (unsigned c = 0; c < 3; c++)
        kinds += s->nv_cut[c] > 0;
    return s->nv_why[DG_NV_GAP] > 0 && kinds > 1;
}

/* DG_NV_GAP's evidence when its sessions' frames went in different ways
 * (agg_nv_mixed): each way after its sessions, "in 1 session, frames cut
 * after capture (...) and others at ...; in 2 sessions, frames cut at the
 * capture's snapshot length or lost". */
static void
agg_nv_cut_mixed(struct strbuf *b, const struct agg_server *s)
{
    static const char *const how[3] = {
        [DG_NV_CUT_AFTER] = "frames cut after capture (below the file's snapshot length: by "
                            "smtptap -w or editcap)",
        [DG_NV_CUT_BOTH] = "frames cut after capture (below the file's snapshot length: by "
                           "smtptap -w or editcap) and others at the capture's snapshot length "
                           "or lost",
        [DG_NV_CUT_WIRE] = "frames cut at the capture's snapshot length or lost",
    };
    static const uint8_t order[3] = {DG_NV_CUT_AFTER, DG_NV_CUT_BOTH, DG_NV_CUT_WIRE};
    str_add(b, "the capture file lacks their bytes: ", NULL);
    for (unsigned i = 0, k = 0; i < 3; i++) {
        uint32_t n = s->nv_cut[order[i]];
        if (n == 0)
            continue;
        str_add(b, k++ ? "; in " : "in ", NULL);
        str_add_uint(b, n);
        str_add(b, n == 1 ? " session, " : " sessions, ", how[order[i]], NULL);
    }
    str_add(b, ": read the capture the file was cut from, captured whole (-s 0) without drops",
            NULL);
}

/* DG_NV_ENCRYPTED's evidence for a server's sessions, a key log given:
 * how it failed each kind of them, with their session ids ("... has no
 * secrets for the client randoms of these 3 sessions", or of several kinds
 * "...: has no secrets for the client random of 1 session (session 1);
 * has 2 sessions (sessions 2, 3) without their ...; its secrets did not
 * decrypt ..."). */
static void
agg_nv_kl_text(struct strbuf *b, const struct agg_server *s)
{
    static const char *const pre[AGG_NV_KL_COUNT] = {
        [AGG_NV_KL_NOT_FOUND] = "has no secrets for the client randoms of ",
        [AGG_NV_KL_NO_SHS] = "has ",
        [AGG_NV_KL_MISMATCH] = "has for ",
    };
    static const char *const post[AGG_NV_KL_COUNT][2] = {
        [AGG_NV_KL_NOT_FOUND] = {"", ""},
        [AGG_NV_KL_NO_SHS] = {" without its SERVER_HANDSHAKE_TRAFFIC_SECRET, which the "
                              "server's Certificate needs (tls.keylog_no_server_secret)",
                              " without their SERVER_HANDSHAKE_TRAFFIC_SECRET, which the "
                              "server's Certificate needs (tls.keylog_no_server_secret)"},
        [AGG_NV_KL_MISMATCH] = {" secrets that did not decrypt it: not its keys "
                                "(tls.keylog_mismatch)",
                                " secrets that did not decrypt them: not their keys "
                                "(tls.keylog_mismatch)"},
    };
    const struct agg_nv_kl *k = s->nv_kl;
    unsigned kinds = 0;
    for (unsigned i = 0; k != NULL && i < AGG_NV_KL_COUNT; i++)
        kinds += k->n[i] > 0;
    str_add(b, "TLS 1.3 encrypts them, and the key log given (--keylog) ", NULL);
    if (kinds <= 1 && (k == NULL || k->n[AGG_NV_KL_NOT_FOUND] > 0)) {
        str_add(b, pre[AGG_NV_KL_NOT_FOUND], "these ", NULL);
        str_add_uint(b, s->nv_why[DG_NV_ENCRYPTED]);
        str_add(b,
                " sessions: log the keys (SSLKEYLOGFILE) on the client or server of each of "
                "these connections",
                NULL);
        return;
    }
    for (unsigned i = 0, j = 0; i < AGG_NV_KL_COUNT; i++) {
        uint32_t n = k->n[i];
        if (n == 0)
            continue;
        str_add(b, j++ ? "; " : "", pre[i], NULL);
        str_add_uint(b, n);
        str_add(b, n == 1 ? " session (session " : " sessions (sessions ", NULL);
        for (unsigned m = 0; m < n && m < AGG_NV_KL_IDS; m++) {
            str_add(b, m ? ", " : "", NULL);
            str_add_uint(b, k->ids[i][m]);
        }
        str_add(b, n > AGG_NV_KL_IDS ? ", ...)" : ")", post[i][n > 1], NULL);
    }
    str_add(b,
            ": log all the keys (SSLKEYLOGFILE) on the client or server of each of these "
            "connections",
            NULL);
}

/* A reason's evidence, from what its session showed; of the server s's
 * sessions of that reason when they differ (agg_nv_mixed; s NULL: the
 * session's own). */
static void
agg_nv_evidence_of(struct strbuf *b, unsigned why, const struct agg_nv_example *x,
                   const struct agg_server *s, unsigned n_keylogs)
{
    if (why == DG_NV_GAP && s != NULL && agg_nv_mixed(s)) {
        agg_nv_cut_mixed(b, s);
        return;
    }
    switch (why) {
    case DG_NV_CAPPED:
        str_add(b, "cut short by smtptap's cap ", x->capped, ": raise it (--cap ", x->capped,
                "=VALUE)", NULL);
        break;
    case DG_NV_ENCRYPTED: /* RFC 8446 §2: all after the ServerHello is encrypted */
        if (n_keylogs > 0 && s != NULL && s->nv_why[DG_NV_ENCRYPTED] > 1) {
            agg_nv_kl_text(b, s); /* of the server's sessions: worded for their count */
            break;
        }
        str_add(b,
                n_keylogs == 0 ? "TLS 1.3 encrypts them: a key log (--keylog) shows them"
                : agg_nv_kl_of(x->keylog) == AGG_NV_KL_NO_SHS
                    ? "TLS 1.3 encrypts them, and the key log given (--keylog) has this "
                      "session's client random without its SERVER_HANDSHAKE_TRAFFIC_SECRET, "
                      "which the server's Certificate needs (tls.keylog_no_server_secret): log "
                      "all the keys (SSLKEYLOGFILE) on the client or server of this connection"
                : agg_nv_kl_of(x->keylog) == AGG_NV_KL_MISMATCH
                    ? "TLS 1.3 encrypts them, and the secrets the key log given (--keylog) has "
                      "for this session's client random did not decrypt it "
                      "(tls.keylog_mismatch): not this connection's keys; log them "
                      "(SSLKEYLOGFILE) on the client or server of this connection"
                    : "TLS 1.3 encrypts them, and the key log given (--keylog) has no secrets "
                      "for this session's client random: log the keys (SSLKEYLOGFILE) on the "
                      "client or server of this connection",
                NULL);
        break;
    case DG_NV_MALFORMED:
        str_add(b,
                "the server's Certificate message is malformed (its lengths do not add up, or "
                "its list is empty): no chain was judged from it",
                NULL);
        break;
    case DG_NV_GAP: /* as the report's FRAMES CUT AFTER CAPTURE (report_text.c) */
        str_add(b,
                x->cut == DG_NV_CUT_AFTER
                    ? "the capture file lacks their bytes, its frames cut after capture (below "
                      "the file's snapshot length: by smtptap -w or editcap): their removed bytes "
                      "cannot be analysed; read the capture the file was cut from"
                : x->cut == DG_NV_CUT_BOTH
                    ? "the capture file lacks their bytes: frames cut after capture (below the "
                      "file's snapshot length: by smtptap -w or editcap), and others at the "
                      "capture's snapshot length or lost: read the capture the file was cut "
                      "from, captured whole (-s 0) without drops"
                : agg_frag_any() ? ""
                : agg.frag_incomplete
                    ? "the capture lacks their bytes: fragmented IP datagrams lacked their "
                      "later fragments (the stats' fragment_datagrams_incomplete), which a "
                      "capture filter on ports drops: capture with 'port 25 or (ip[6:2] & 0x1fff "
                      "!= 0)'; or "
                      "cut by its snapshot length, or packets lost: capture whole packets (-s 0) "
                      "without drops"
                    : "the capture lacks their bytes (cut by its snapshot length, or packets "
                      "lost): capture whole packets (-s 0) without drops",
                NULL);
        if (x->cut == DG_NV_CUT_WIRE && agg_frag_any())
            agg_nv_frag_text(b);
        break;
    case DG_NV_ENDED_ANSWER:
    case DG_NV_ENDED_NO_ANSWER:
        str_add(b,
                agg.files_damaged
                    ? "the capture ended during the handshake, before the server's Certificate "
                      "(a capture file cut short: damaged, as stderr and files_damaged say; or "
                      "-c COUNT, or the capture stopped): read the file whole, or capture for "
                      "longer"
                    : "the capture ended during the handshake, before the server's Certificate "
                      "(the end of the file, -c COUNT, or the capture stopped): capture for "
                      "longer",
                NULL);
        break;
    case DG_NV_PICKED_UP:
        if (x->pickup == TLS_PICKUP_FULL_BY_ACK) { /* tls_pickup.c tls_pickup_by_ack */
            str_add(b,
                    "picked up after the handshake's certificates (at the server's "
                    "ChangeCipherSpec and encrypted Finished; no record of the client's before "
                    "the server's first application data, which acknowledges no client byte past "
                    "its ChangeCipherSpec's: the server had not the client's ChangeCipherSpec and "
                    "Finished, which a resumed handshake's server waits for, RFC 5246 7.3, 7.4.9: "
                    "a full handshake): capture from the connection's start",
                    NULL);
            break;
        }
        str_add(b,
                x->handshake == TLS_HS_UNSEEN
                    ? "picked up after the handshake's certificates (after the whole handshake, "
                      "its records encrypted): capture from the connection's start"
                    : "picked up after the handshake's certificates (neither the ClientHello nor "
                      "the ServerHello is in the capture): capture from the connection's start",
                NULL);
        break;
    case DG_NV_UNDECIDED: /* tls_pickup.c tls_pickup_order */
        str_add(b,
                "picked up after the ServerHello (the server's ChangeCipherSpec and encrypted "
                "Finished first, the client's answer not in the capture): it cannot be told "
                "whether the handshake was resumed (no certificates sent) or full (certificates "
                "sent before the capture): capture from the connection's start",
                NULL);
        break;
    case DG_NV_UNDECIDED_ONEWAY: /* diagnose.c dg_pickup_undecided */
        str_add(b,
                "picked up after the ServerHello, the server's side alone captured (its "
                "ChangeCipherSpec, encrypted Finished, then application data; no byte of the "
                "client's): a resumed handshake (no certificates sent) and a full one "
                "(certificates sent before the capture) both show this (RFC 5246 7.3): capture "
                "both directions from the connection's start",
                NULL);
        break;
    case DG_NV_UNDECIDED13:
        str_add(b,
                x->pickup == TLS_PICKUP_UNDECIDED13_NOCCS /* tls_pickup.c tls_pickup_noccs */
                    ? "picked up after the ServerHello (no ChangeCipherSpec, RFC 8446 D.4: the "
                      "server's encrypted records first, then the client's of a Finished's "
                      "length, the server's last of the same: a TLS 1.3 handshake's shape): it "
                      "cannot be told whether the handshake was resumed (no certificates sent) or "
                      "full (certificates in this capture, encrypted): capture from the "
                      "connection's start"
                    : "picked up after the ServerHello (the server's ChangeCipherSpec, then its "
                      "encrypted records: TLS 1.3): it cannot be told whether the handshake was "
                      "resumed (no certificates sent) or full (certificates sent encrypted): "
                      "capture from the connection's start",
                NULL);
        break;
    default:
        str_add(b, "cut short (the connection ended, or a cap was reached)", NULL);
        break;
    }
}

void
agg_nv_evidence(struct strbuf *b, const struct diagnosis *dg, const struct tls_facts *t,
                unsigned n_keylogs)
{
    struct agg_nv_example x = {.capped = dg->handshake_capped,
                               .handshake = (uint8_t)t->handshake,
                               .pickup = t->pickup_undecided,
                               .cut = dg->not_visible_cut,
                               .keylog = t->keylog};
    agg_nv_evidence_of(b, dg->not_visible_why, &x, NULL, n_keylogs);
}

/* One reason's headline, the server's name inside it: what the capture
 * shows of the certificates, never more (a server that sent none, or
 * never answered, is not said to have sent any). */
static void
agg_nv_one(struct strbuf *b, unsigned why, const char *ep, const struct agg_server *s)
{
    uint32_t sessions = s->nv_why[why];
    switch (why) {
    case DG_NV_CAPPED:
        str_add(b, "the certificates of ", ep,
                " cannot be seen: a cap of smtptap's own cut its handshakes short before they "
                "could be read whole",
                NULL);
        break;
    case DG_NV_ENCRYPTED:
        str_add(b, "the certificates ", ep, " presented cannot be seen in this capture", NULL);
        break;
    case DG_NV_MALFORMED:
        str_add(b, ep,
                " sent a malformed Certificate message, from which no certificate can be "
                "judged",
                NULL);
        break;
    case DG_NV_GAP: /* frames cut after capture: the file lacks them, nothing was lost */
        if (s->nv_cut[DG_NV_CUT_AFTER] + s->nv_cut[DG_NV_CUT_BOTH] == 0 && agg_nv_frag(s))
            str_add(b, "bytes of ", ep,
                    "'s handshakes where its certificates come were lost, at a cap of smtptap's "
                    "own or by the capture, so they cannot be seen",
                    NULL);
        else if (s->nv_cut[DG_NV_CUT_AFTER] + s->nv_cut[DG_NV_CUT_BOTH] == 0)
            str_add(b, "the capture lost bytes of ", ep,
                    "'s handshakes where its certificates come, so they cannot be seen", NULL);
        else
            str_add(b, "the capture file lacks bytes of ", ep,
                    "'s handshakes where its certificates come, ",
                    s->nv_cut[DG_NV_CUT_WIRE] + s->nv_cut[DG_NV_CUT_BOTH] == 0
                        ? "its frames cut after capture"
                        : "frames cut after capture and others at the snapshot length or lost",
                    ", so they cannot be seen", NULL);
        break;
    case DG_NV_ENDED_ANSWER:
        str_add(b, "the capture ended before ", ep,
                " sent its certificates (after its ServerHello), so they cannot be seen", NULL);
        break;
    case DG_NV_ENDED_NO_ANSWER:
        str_add(b, "the capture ended before ", ep,
                " answered the TLS ClientHello (if it answered at all), so its certificates "
                "cannot be seen",
                NULL);
        break;
    case DG_NV_PICKED_UP:
        str_add(b, "the capture began after ", ep, " sent its certificates (",
                sessions == 1 ? "the connection was" : "the connections were",
                " picked up midway), so they cannot be seen", NULL);
        break;
    case DG_NV_UNDECIDED:
    case DG_NV_UNDECIDED13:
    case DG_NV_UNDECIDED_ONEWAY:
        str_add(b, "the certificates of ", ep,
                ", if it sent any, cannot be seen: the capture began after its ServerHello, "
                "and whether ",
                sessions == 1 ? "the handshake was" : "the handshakes were",
                " resumed (no certificates sent) or full cannot be told", NULL);
        break;
    default: /* DG_NV_TRUNCATED */
        str_add(b, "the certificates ", ep,
                " sent were cut short in this capture, so they cannot be seen whole", NULL);
        break;
    }
}

/* Several reasons, each in a few words. */
static const char *const agg_nv_short[DG_NV_COUNT] = {
    [DG_NV_CAPPED] = "a cap of smtptap's own cut the handshake short",
    [DG_NV_ENCRYPTED] = "TLS 1.3 encrypted them",
    [DG_NV_MALFORMED] = "the Certificate message was malformed",
    [DG_NV_GAP] = "the capture lost their bytes",
    [DG_NV_TRUNCATED] = "they were cut short",
    [DG_NV_ENDED_ANSWER] = "the capture ended after the ServerHello",
    [DG_NV_ENDED_NO_ANSWER] = "the capture ended before the server answered",
    [DG_NV_PICKED_UP] = "the capture began after them",
    [DG_NV_UNDECIDED] = "the capture began after the ServerHello and ended before the client "
                        "answered (resumed, none sent, or full: unknown)",
    [DG_NV_UNDECIDED13] = "the capture began after a TLS 1.3 ServerHello (resumed, none sent, or "
                          "full: unknown)",
    [DG_NV_UNDECIDED_ONEWAY] = "the capture began after the ServerHello and holds the server's "
                               "side alone (resumed, none sent, or full: unknown)",
};

/* Reason w's few words, true of s's sessions of it: bytes of frames cut
 * after capture were not lost but are not in the file. */
static const char *
agg_nv_short_of(const struct agg_server *s, unsigned w)
{
    if (w == DG_NV_GAP && s->nv_cut[DG_NV_CUT_AFTER] + s->nv_cut[DG_NV_CUT_BOTH] == 0 &&
        agg_nv_frag(s))
        return "their bytes were lost, at a cap of smtptap's own or by the capture";
    if (w != DG_NV_GAP || s->nv_cut[DG_NV_CUT_AFTER] + s->nv_cut[DG_NV_CUT_BOTH] == 0)
        return agg_nv_short[w];
    return s->nv_cut[DG_NV_CUT_WIRE] + s->nv_cut[DG_NV_CUT_BOTH] == 0
               ? "the capture file lacks their bytes, its frames cut after capture"
               : "the capture file lacks their bytes, frames cut after capture and others at the "
                 "snapshot length or lost";
}

void
agg_nv_headline(struct strbuf *b, const struct agg_server *s, const char *ep)
{
    unsigned reasons = 0, one = DG_NV_TRUNCATED;
    for (unsigned w = DG_NV_NONE + 1; w < DG_NV_COUNT; w++)
        if (s->nv_why[w] > 0) {
            reasons++;
            one = w;
        }
    if (reasons <= 1) {
        agg_nv_one(b, one, ep, s);
        return;
    }
    str_add(b, "the certificates of ", ep, " cannot be seen in this capture, for ", NULL);
    str_add_uint(b, reasons);
    str_add(b, " reasons: ", NULL);
    for (unsigned w = DG_NV_NONE + 1, k = 0; w < DG_NV_COUNT; w++) {
        if (s->nv_why[w] == 0)
            continue;
        str_add(b, k++ ? "; " : "", agg_nv_short_of(s, w), " in ", NULL);
        str_add_uint(b, s->nv_why[w]);
        str_add(b, s->nv_why[w] == 1 ? " session" : " sessions", NULL);
    }
}

/* "reasons": [{"reason", "session_count", "session", "evidence"}], one a
 * reason, in the headline's order: each with the first session it was
 * seen in (null when the memcap refused the examples), so that every
 * reason of a server of several can be opened in its own flow. */
void
agg_nv_json(struct json *j, const struct agg_server *s, unsigned n_keylogs)
{
    json_arr_begin(j, "reasons");
    for (unsigned w = DG_NV_NONE + 1; w < DG_NV_COUNT; w++) {
        if (s->nv_why[w] == 0)
            continue;
        json_obj_begin(j, NULL);
        json_str(j, "reason", agg_nv_short_of(s, w));
        json_uint(j, "session_count", s->nv_why[w]);
        if (s->nv_ex != NULL && s->nv_ex[w].id != 0) {
            char ev[480];
            struct strbuf b = str_buf(ev, sizeof(ev));
            ev[0] = '\0';
            agg_nv_evidence_of(&b, w, &s->nv_ex[w], s, n_keylogs);
            json_uint(j, "session", s->nv_ex[w].id);
            json_str(j, "evidence", ev);
        } else {
            json_str(j, "session", NULL);
            json_str(j, "evidence", NULL);
        }
        json_obj_end(j);
    }
    json_arr_end(j);
}

void
agg_nv_short_list(struct strbuf *b, const struct agg_server *s)
{
    unsigned reasons = agg_nv_reasons(s);
    for (unsigned w = DG_NV_NONE + 1, k = 0; w < DG_NV_COUNT; w++) {
        if (s->nv_why[w] == 0)
            continue;
        str_add(b, k++ ? "; " : "", agg_nv_short_of(s, w), NULL);
        if (reasons > 1) { /* of one reason, the line's count is its own */
            str_add(b, " (", NULL);
            agg_add_sessions(b, s->nv_why[w]);
            str_add(b, ")", NULL);
        }
    }
}

unsigned
agg_nv_reasons(const struct agg_server *s)
{
    unsigned reasons = 0;
    for (unsigned w = DG_NV_NONE + 1; w < DG_NV_COUNT; w++)
        reasons += s->nv_why[w] > 0;
    return reasons;
}

/* The finding's evidence when its sessions have several reasons: each
 * reason's own evidence after its example session ("session 5: TLS 1.3
 * encrypts them: ...; session 8: picked up after ..."), in the headline's
 * order, so that no one session's evidence speaks for the others; a reason
 * whose example the memcap refused is left out (its count is in the
 * headline). */
void
agg_nv_evidence_all(struct strbuf *b, const struct agg_server *s, unsigned n_keylogs)
{
    if (s->nv_ex == NULL)
        return;
    for (unsigned w = DG_NV_NONE + 1, k = 0; w < DG_NV_COUNT; w++) {
        if (s->nv_why[w] == 0 || s->nv_ex[w].id == 0)
            continue;
        if (agg_nv_reasons(s) > 1) { /* of one reason, its sessions' (agg_nv_mixed) */
            str_add(b, k++ ? "; session " : "session ", NULL);
            str_add_uint(b, s->nv_ex[w].id);
            str_add(b, ": ", NULL);
        }
        agg_nv_evidence_of(b, w, &s->nv_ex[w], s, n_keylogs);
    }
}

/* The terminal report's line of a reason, the k-th in the headline's
 * order: "TLS 1.3 encrypted them (2 sessions, e.g. session 1): TLS 1.3
 * encrypts them: ...", its example session's id (the JSON record's "id")
 * and evidence, so that each reason's flow can be opened (of several
 * reasons, the summary quotes no session's evidence; of a single reason,
 * the summary's is its own, and the line stops at the example); false past
 * the last. */
bool
agg_nv_reason_line(struct strbuf *b, const struct agg_server *s, unsigned k, unsigned n_keylogs)
{
    unsigned reasons = agg_nv_reasons(s);
    unsigned w = DG_NV_NONE + 1;
    for (unsigned i = 0; w < DG_NV_COUNT; w++)
        if (s->nv_why[w] > 0 && i++ == k)
            break;
    if (w >= DG_NV_COUNT)
        return false;
    str_add(b, agg_nv_short_of(s, w), " (", NULL);
    agg_add_sessions(b, s->nv_why[w]);
    if (s->nv_ex != NULL && s->nv_ex[w].id != 0) {
        str_add(b, ", e.g. session ", NULL);
        str_add_uint(b, s->nv_ex[w].id);
        str_add(b, ")", NULL);
        if (reasons > 1) {
            str_add(b, ": ", NULL);
            agg_nv_evidence_of(b, w, &s->nv_ex[w], s, n_keylogs);
        }
    } else {
        str_add(b, ")", NULL); /* the memcap refused the examples */
    }
    return true;
}

/* Resumed sessions linked to no chain. An abbreviated handshake sends no
 * certificate (RFC 5246 §7.3, RFC 8446 §2.2): its chain is the full
 * handshake's, which resume.c finds by the session ID or ticket presented.
 * A TLS 1.3 ticket comes in a NewSessionTicket under the full handshake's
 * server traffic secret (RFC 8446 §4.6.1, §7.1): read only with a key log
 * holding that handshake's SERVER_TRAFFIC_SECRET_0. A TLS 1.2 session is
 * linked when its full handshake is in the capture and its session ID (in
 * the ServerHello) or ticket (in the ClientHello) is seen. */
/* " (peer 198.51.100.12)", " (peers a, b, c)": those of the resumed
 * sessions of set p, by address as a finding's (agg_peers_text); nothing
 * when the memcap refused the set. */
static void
agg_nv_rpeers(struct strbuf *b, const struct agg_server *s, const struct agg_set *p)
{
    if (p == NULL || p->n == 0) /* none listed: the sessions are counted beside */
        return;
    char list[400];
    agg_peers_text(s, p, list, sizeof(list));
    str_add(b, p->n == 1 && p->dropped == 0 ? " (peer " : " (peers ", list, ")", NULL);
}

bool
agg_nv_resumed(struct strbuf *b, const struct agg_server *s, unsigned n_keylogs)
{
    uint32_t n13 = s->resumed13_unlinked, n12 = s->resumed12_unlinked;
    if (n13 > 0) {
        str_add(b, "+", NULL);
        str_add_uint(b, n13);
        str_add(b, n13 == 1 ? " resumed TLS 1.3 session" : " resumed TLS 1.3 sessions", NULL);
        agg_nv_rpeers(b, s, s->rpeers ? &s->rpeers->p13 : NULL);
        str_add(b,
                n13 == 1 ? ": its chain is the one of the handshake it resumed, "
                         : ": their chains are those of the handshakes they resumed, ",
                n_keylogs == 0 ? "not linkable without a key log (--keylog with "
                                 "SERVER_TRAFFIC_SECRET_0)"
                : n13 == 1     ? "not linked: the key log given (--keylog) has no "
                                 "SERVER_TRAFFIC_SECRET_0 of that handshake, or it is not in "
                                 "this capture"
                               : "not linked: the key log given (--keylog) has no "
                                 "SERVER_TRAFFIC_SECRET_0 of those handshakes, or they are not "
                                 "in this capture",
                NULL);
    }
    if (n12 > 0) {
        str_add(b, n13 > 0 ? "; +" : "+", NULL);
        str_add_uint(b, n12);
        str_add(b, n12 == 1 ? " resumed TLS 1.0-1.2 session" : " resumed TLS 1.0-1.2 sessions",
                NULL);
        agg_nv_rpeers(b, s, s->rpeers ? &s->rpeers->p12 : NULL);
        str_add(b,
                n12 == 1 ? ": its chain is the one of the handshake it resumed, not linked by a "
                           "session ID or ticket seen in this capture (that handshake before it, "
                           "or the resumption's ClientHello missing)"
                         : ": their chains are those of the handshakes they resumed, not linked "
                           "by a session ID or ticket seen in this capture (those handshakes "
                           "before it, or the resumptions' ClientHellos missing)",
                NULL);
    }
    return n13 + n12 > 0;
}
