/* \summary: test helpers for the engine's tests (test_engine.c and the
 * like): a recording dissector standing in for SMTP and TLS, a sink
 * copying what the tests look at from each flow record, and crafted TCP
 * packets fed to the engine. */
#ifndef SMTPTAP_TU_ENGINE_H
#define SMTPTAP_TU_ENGINE_H

#include <stdbool.h>
#include <stdint.h>

#include "engine.h"
#include "fctx.h"

/* ---- recording dissector: consumes everything, remembers it ---- */

struct rd_state {
    char bytes[2][512];
    unsigned n[2];
    unsigned gaps[2], eofs[2];
};

/* The state of the last flow whose dissector state was freed. */
extern struct rd_state last_state;
extern const struct dissector t_smtp, t_tls;

/* ---- sink: copies what the tests look at ---- */

struct got {
    uint64_t id;
    uint16_t cport, sport;
    char client_by[16], ended[16], status[24], dissector[8];
    bool midstream, implicit_tls, syn_seen[2];
    uint64_t pkts[2], gaps[2], truncated;
    int64_t chain_us, ts_us, ts_end_us;
    bool facts_midstream; /* what the dissectors were told */
    bool vlan_split;
    uint8_t n_vlan;
    uint16_t vlan[2];
    char anomalies[256];
};

extern struct got got[16];
extern unsigned n_got;
void sink(void *user, const struct flow_record *rec);

/* The configuration start() runs the engine with. */
extern struct config cfg;

/* Defaults (hash seed fixed, no nDPI), memory reset, no record yet; sink
 * and recording dissectors wired, no chain hook. */
void tu_engine_setup(void);

/* The window field and a SYN's window scale of the next packets (0: the
 * window unknown to the engine; the tests that need them set them). */
extern uint16_t tx_window;
extern uint8_t tx_wscale;
/* The VLAN ids of the next packets, outer first (tx_n_vlan 0: untagged). */
extern uint16_t tx_vlan[2];
extern uint8_t tx_n_vlan;

/* engine_init(&cfg) with tx_window, tx_wscale and the tags reset; stop() ends every
 * flow, frees the engine and checks that no memory is left. */
void start(void);
void stop(void);

/* ---- packets ---- */

#define C 1 /* client host */
#define S 2 /* server host */

/* host h (10.0.0.h) port sp -> host d port dp, at t_s seconds; wirelen 0:
 * the payload's length. */
void pkt_send(int64_t t_s, uint8_t h, uint16_t sp, uint8_t d, uint16_t dp, uint8_t flags,
              uint32_t seq, uint32_t ack, const char *data, uint32_t wirelen);

/* A full SMTP-ish exchange on ports cp -> sp with a handshake and FINs
 * (client ISN 1000, server ISN 5000). */
void conversation(int64_t t, uint16_t cp, uint16_t sp, const char *first_c, const char *first_s);

#endif /* SMTPTAP_TU_ENGINE_H */
