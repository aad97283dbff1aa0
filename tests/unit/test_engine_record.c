/* \summary: unit tests for a flow's record (src/engine_record.c): the
 * anomalies that do not fit are counted by event in anomalies_dropped
 * (docs/schema.md), the TCP ones merged into a record its dissector filled
 * as the dissector's own are, not one per name. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "config.h"
#include "dissector.h"
#include "engine_record.h"
#include "fctx.h"
#include "flow.h"
#include "mem.h"
#include "record.h"

/* 17 dissector anomaly names, the last two events of the 17th not kept;
 * then two TCP names with 3 and 1 events, neither kept: 6 events dropped. */
static void
test_anomalies_dropped_by_event(void **state)
{
    (void)state;
    static const char *const names[] = {"smtp.gap",
                                        "smtp.line_too_long",
                                        "smtp.bad_reply_line",
                                        "smtp.not_smtp",
                                        "smtp.bdat_bad_size",
                                        "smtp.starttls_rejected",
                                        "tls.gap",
                                        "tls.malformed_record",
                                        "tls.malformed_message",
                                        "tls.truncated",
                                        "tls.appdata_in_clear",
                                        "tls.empty_certificate",
                                        "tls.keylog_mismatch",
                                        "tls.plaintext_smtp",
                                        "tls.truncated_message",
                                        "tls.malformed_alert",
                                        "x509.parse_error"};
    struct config cfg;
    config_defaults(&cfg);
    mem_init(cfg.memcap);
    struct flow_ctx *ctx = fctx_new(&cfg, 25);
    assert_non_null(ctx);
    for (unsigned i = 0; i < 17; i++)
        fctx_event(ctx, names[i], NULL);
    fctx_event(ctx, names[16], NULL);

    static struct flow f;
    memset(&f, 0, sizeof(f));
    f.ctx = ctx;
    f.anomalies[0] = (struct flow_anomaly){.name = "tcp.out_of_window", .count = 3};
    f.anomalies[1] = (struct flow_anomaly){.name = "tcp.data_on_rst", .count = 1};
    f.n_anomalies = 2;
    f.anomalies_dropped = 0;

    static struct flow_record rec;
    engine_record_fill(&f, "fin", false, &rec);
    assert_int_equal(rec.n_anomalies, RECORD_ANOMALIES_MAX);
    assert_int_equal(rec.anomalies_dropped, 2 + 3 + 1);
    /* what the flow itself had not kept (by event) is added as it is */
    f.anomalies_dropped = 5;
    engine_record_fill(&f, "fin", false, &rec);
    assert_int_equal(rec.anomalies_dropped, 2 + 3 + 1 + 5);
    fctx_destroy(ctx);
}

/* A stapled OCSP response past tls.ocsp_max is a cap hit (the stats'
 * cap_hits) without making the session "capped": its handshake was read
 * whole; a cap of the handshake's own (tls.hs_msg_cap) makes it both. */
static void
test_ocsp_cap_hit(void **state)
{
    (void)state;
    struct config cfg;
    config_defaults(&cfg);
    mem_init(cfg.memcap);
    static const char *const names[] = {NULL, "tls.ocsp_cap", "tls.hs_msg_cap"};
    for (unsigned i = 0; i < 3; i++) {
        struct flow_ctx *ctx = fctx_new(&cfg, 465);
        assert_non_null(ctx);
        if (names[i])
            fctx_event(ctx, names[i], NULL);
        static struct flow f;
        memset(&f, 0, sizeof(f));
        f.ctx = ctx;
        static struct flow_record rec;
        bool hit = engine_record_fill(&f, "fin", false, &rec);
        assert_int_equal(hit, i > 0);
        assert_string_equal(rec.status, i == 2 ? "capped" : "complete");
        fctx_destroy(ctx);
    }
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_anomalies_dropped_by_event),
        cmocka_unit_test(test_ocsp_cap_hit),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
