/* \summary: -w on a capture of the server's side alone: which of its
 * replies may be written (evidence.h evidence_oneway_replies). */
#include "evidence.h"

#include "cursor.h"

/* The reply line l[0..len) (a reply line: evidence_server_lines_ok) taken
 * at *state. False when it is not the reply the step waits for. */
static bool
evidence_oneway_line(uint8_t *state, const uint8_t *l, size_t len)
{
    unsigned step = *state & EVIDENCE_OW_STEP;
    bool more = (*state & EVIDENCE_OW_MORE) != 0;
    int code = (l[0] - '0') * 100 + (l[1] - '0') * 10 + (l[2] - '0');
    bool last = len == 3 || l[3] != '-'; /* RFC 5321 §4.2.1: "ddd-" goes on */
    switch (step) {
    case EVIDENCE_OW_GREETING: /* RFC 5321 §4.2: 220, perhaps multi-line */
        if (code != 220)
            return false;
        break;
    case EVIDENCE_OW_EHLO:
        /* the EHLO reply, a multi-line 250 (RFC 5321 §4.1.1.1: its
         * keywords), as the dissector infers it; or straight the 220 to a
         * STARTTLS sent without EHLO */
        if (code == 220 && !more) {
            step = EVIDENCE_OW_220;
            break;
        }
        if (code != 250 || (!more && last))
            return false;
        break;
    case EVIDENCE_OW_220: /* the 220 to STARTTLS (RFC 3207 §4) */
        if (code != 220)
            return false;
        break;
    default: /* TLS expected, or past: no line */
        return false;
    }
    if (!last)
        *state = (uint8_t)(step | EVIDENCE_OW_MORE);
    else
        *state = (uint8_t)(step + 1);
    return true;
}

bool
evidence_oneway_replies(uint8_t *state, const uint8_t *b, uint32_t n)
{
    if (!evidence_server_lines_ok(b, n)) {
        *state = EVIDENCE_OW_DONE;
        return false;
    }
    struct rd r = rd_init(b, n);
    for (unsigned guard = 0; rd_left(&r) > 0 && guard < n; guard++) {
        long nl = rd_find(&r, '\n');
        const uint8_t *l = nl >= 3 ? rd_bytes(&r, (size_t)nl + 1, "evidence.oneway") : NULL;
        size_t len = nl > 0 && l != NULL && l[nl - 1] == '\r' ? (size_t)nl - 1 : (size_t)nl;
        if (l == NULL || !evidence_oneway_line(state, l, len)) {
            *state = EVIDENCE_OW_DONE;
            return false;
        }
    }
    return true;
}
