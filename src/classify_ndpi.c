/* \summary: nDPI 4.2 adapter: the only file that includes nDPI.
 *
 * nDPI labels flows on ports that are not mail ports (is this SMTP on port
 * 2525? TLS?) and labels server addresses by owner from its IP lists
 * (Microsoft, Google, ...). It never parses certificates for us and decides
 * no TLS fact: in 4.2 it does not follow STARTTLS anyway. It sees only the
 * first CLASSIFY_MAX_PKTS packets of a flow, and none after smtptap's own
 * dissector has recognised SMTP (classify_confirm_smtp); then its state is
 * freed.
 * Its memory is accounted through mem.c (set_ndpi_malloc).
 */
#include "classify.h"

#include <arpa/inet.h>
#include <string.h>

#include <ndpi/ndpi_api.h>

#include "mem.h"
#include "strcopy.h"

#define CLASSIFY_MAX_PKTS 16

struct classify_flow {
    struct ndpi_flow_struct *nf;
    ndpi_protocol proto;
    unsigned pkts;
    bool done;
    bool ours; /* the label is classify_confirm_smtp's, not nDPI's verdict */
    char name[32];
};

static struct ndpi_detection_module_struct *classify_mod;

/* nDPI's free() passes no size: keep it in a header. Not zeroed: nDPI's
 * calloc clears what it asks for, and the flow state is cleared below. Not
 * refused at the memcap either: nDPI dereferences a failed allocation
 * (found with --cap memcap=8M, in its start-up). What it may ask for is
 * bounded instead: no new nDPI flow near the cap (classify_packet). */
static void *
classify_malloc(size_t n)
{
    size_t *p = mem_alloc_nofail(n + sizeof(size_t) * 2);
    if (p == NULL)
        return NULL;
    p[0] = n + sizeof(size_t) * 2;
    return p + 2;
}

static void
classify_free(void *q)
{
    if (q == NULL)
        return;
    size_t *p = (size_t *)q - 2;
    mem_free(p, p[0]);
}

int
classify_init(void)
{
    if (classify_mod != NULL)
        return 0;
    set_ndpi_malloc(classify_malloc);
    set_ndpi_free(classify_free);
    set_ndpi_flow_malloc(classify_malloc);
    set_ndpi_flow_free(classify_free);
    classify_mod = ndpi_init_detection_module(ndpi_no_prefs);
    if (classify_mod == NULL)
        return -1;
    /* Only flows smtptap reports reach nDPI: ones its SMTP or TLS dissector
     * took. nDPI tells them apart among the protocols a mail port or a
     * misdirected client plausibly carries; the other ~250 dissectors would
     * run on every payload packet for nothing (half of nDPI's cost). */
    static const uint16_t wanted[] = {
        NDPI_PROTOCOL_MAIL_SMTP,   NDPI_PROTOCOL_MAIL_SMTPS, NDPI_PROTOCOL_MAIL_POP,
        NDPI_PROTOCOL_MAIL_POPS,   NDPI_PROTOCOL_MAIL_IMAP,  NDPI_PROTOCOL_MAIL_IMAPS,
        NDPI_PROTOCOL_TLS,         NDPI_PROTOCOL_HTTP,       NDPI_PROTOCOL_SSH,
        NDPI_PROTOCOL_FTP_CONTROL,
    };
    NDPI_PROTOCOL_BITMASK mask;
    NDPI_BITMASK_RESET(mask);
    for (size_t i = 0; i < sizeof(wanted) / sizeof(wanted[0]); i++)
        NDPI_ADD_PROTOCOL_TO_BITMASK(mask, wanted[i]);
    ndpi_set_protocol_detection_bitmask2(classify_mod, &mask);
    ndpi_finalize_initialization(classify_mod);
    return 0;
}

void
classify_fini(void)
{
    if (classify_mod != NULL)
        ndpi_exit_detection_module(classify_mod);
    classify_mod = NULL;
}

bool
classify_available(void)
{
    return classify_mod != NULL;
}

static void
classify_release(struct classify_flow *cf)
{
    if (cf->nf != NULL) {
        ndpi_free_flow(cf->nf);
        cf->nf = NULL;
    }
}

static void
classify_name(struct classify_flow *cf)
{
    uint16_t id = cf->proto.app_protocol != NDPI_PROTOCOL_UNKNOWN ? cf->proto.app_protocol
                                                                  : cf->proto.master_protocol;
    cf->name[0] = '\0';
    if (id == NDPI_PROTOCOL_UNKNOWN)
        return;
    const char *n = ndpi_get_proto_name(classify_mod, id);
    if (n != NULL)
        str_copy(cf->name, sizeof(cf->name), n);
}

bool
classify_packet(struct classify_flow **cfp, const uint8_t *ip, uint32_t ip_len, const struct pkt *p)
{
    if (classify_mod == NULL || ip == NULL || ip_len == 0)
        return true;
    struct classify_flow *cf = *cfp;
    if (cf == NULL) {
        if (mem_near_cap())
            return true; /* this flow goes unlabelled */
        cf = mem_alloc(sizeof(*cf));
        if (cf == NULL)
            return true;
        cf->nf = ndpi_flow_malloc(SIZEOF_FLOW_STRUCT);
        if (cf->nf == NULL) {
            mem_free(cf, sizeof(*cf));
            return true;
        }
        memset(cf->nf, 0, SIZEOF_FLOW_STRUCT);
        *cfp = cf;
    }
    if (cf->done)
        return true;
    uint16_t len = ip_len > 0xffff ? 0xffff : (uint16_t)ip_len;
    cf->proto =
        ndpi_detection_process_packet(classify_mod, cf->nf, ip, len, (uint64_t)(p->ts_us / 1000));
    cf->pkts++;
    bool detected = cf->proto.app_protocol != NDPI_PROTOCOL_UNKNOWN ||
                    cf->proto.master_protocol != NDPI_PROTOCOL_UNKNOWN;
    if (detected || cf->pkts >= CLASSIFY_MAX_PKTS) {
        if (!detected) {
            uint8_t guessed = 0;
            cf->proto = ndpi_detection_giveup(classify_mod, cf->nf, 1, &guessed);
        }
        classify_name(cf);
        classify_release(cf);
        cf->done = true;
    }
    return cf->done;
}

void
classify_confirm_smtp(struct classify_flow **cfp, bool implicit_tls)
{
    if (classify_mod == NULL)
        return;
    struct classify_flow *cf = *cfp;
    if (cf == NULL) {
        if ((cf = mem_alloc(sizeof(*cf))) == NULL)
            return;
        *cfp = cf;
    }
    if (cf->done)
        return;
    memset(&cf->proto, 0, sizeof(cf->proto));
    cf->proto.app_protocol = implicit_tls ? NDPI_PROTOCOL_MAIL_SMTPS : NDPI_PROTOCOL_MAIL_SMTP;
    classify_name(cf);
    classify_release(cf);
    cf->done = true;
    cf->ours = true;
}

void
classify_settle_smtp(struct classify_flow *cf, bool implicit_tls)
{
    if (classify_mod == NULL || cf == NULL || !cf->ours)
        return;
    cf->proto.app_protocol = implicit_tls ? NDPI_PROTOCOL_MAIL_SMTPS : NDPI_PROTOCOL_MAIL_SMTP;
    classify_name(cf);
}

const char *
classify_app(const struct classify_flow *cf)
{
    if (cf == NULL || cf->name[0] == '\0')
        return NULL;
    return cf->name;
}

const char *
classify_owner(const struct ipaddr *a)
{
    if (classify_mod == NULL || a == NULL || a->family != 4)
        return NULL;
    struct in_addr in;
    memcpy(&in.s_addr, a->a, 4);
    uint16_t id = ndpi_network_ptree_match(classify_mod, &in);
    if (id == NDPI_PROTOCOL_UNKNOWN)
        return NULL;
    return ndpi_get_proto_name(classify_mod, id);
}

void
classify_flow_free(struct classify_flow *cf)
{
    if (cf == NULL)
        return;
    classify_release(cf);
    mem_free(cf, sizeof(*cf));
}

const char *
classify_version(void)
{
    static char v[64];
    if (v[0] == '\0') {
        struct strbuf b = str_buf(v, sizeof(v));
        str_add(&b, "nDPI ", NULL);
        str_addn(&b, ndpi_revision(), 40);
    }
    return v;
}
