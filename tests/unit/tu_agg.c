/* \summary: test helpers: the aggregation set up, sessions fed to it, its
 * terminal report read back (tu_agg.h). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "aggregate.h"
#include "certcache.h"
#include "diagnose.h"
#include "mem.h"
#include "tu_agg.h"
#include "tu_json.h"

char *
tu_agg_text(const struct run_stats *st, size_t *len)
{
    struct run_stats zero;
    memset(&zero, 0, sizeof(zero));
    char *text = NULL;
    size_t n = 0;
    FILE *out = open_memstream(&text, &n);
    assert_non_null(out);
    agg_write_text(out, st != NULL ? st : &zero, false);
    assert_int_equal(fclose(out), 0);
    if (len != NULL)
        *len = n;
    return text;
}

static void
agg_json_cb(struct json *j, void *arg)
{
    (void)arg;
    agg_write_json(j);
}

char *
tu_agg_json(void)
{
    return tu_json_capture(agg_json_cb, NULL);
}

void
tu_agg_start(struct config *cfg, const char *ca_file)
{
    config_defaults(cfg);
    cfg->no_system_ca = true;
    if (ca_file != NULL) {
        cfg->ca_files[0] = ca_file;
        cfg->n_ca_files = 1;
    }
    mem_init(cfg->memcap);
    certcache_init(100);
    char err[256];
    if (diagnose_init(cfg, err, sizeof(err)) != 0)
        fail_msg("diagnose_init: %s", err);
    agg_init(cfg);
}

void
tu_agg_stop(void)
{
    agg_fini();
    diagnose_fini();
    certcache_free();
}

struct flow_record *
tu_agg_record(struct session_facts *f, uint64_t id, uint8_t client, uint8_t server, uint16_t port)
{
    static struct flow_record rec;
    memset(&rec, 0, sizeof(rec));
    rec.id = id;
    rec.ts_us = rec.ts_end_us = (TU_AGG_T2025 + (int64_t)id) * 1000000;
    rec.client.ip.family = rec.server.ip.family = 4;
    memcpy(rec.client.ip.a, (uint8_t[]){198, 51, 100, client}, 4);
    memcpy(rec.server.ip.a, (uint8_t[]){203, 0, 113, server}, 4);
    rec.client.port = (uint16_t)(40000 + id);
    rec.server.port = port;
    rec.facts = f;
    return &rec;
}

const struct diagnosis *
tu_agg_feed(const struct flow_record *rec)
{
    static struct diagnosis dg;
    diagnose_session(rec, NULL, 0, &dg);
    agg_session(rec, &dg);
    return &dg;
}

struct config tu_agg_cfg;

int
tu_agg_setup(void **state)
{
    (void)state;
    tu_agg_start(&tu_agg_cfg, SRCDIR "/tests/data/certs/root.pem");
    return 0;
}

int
tu_agg_teardown(void **state)
{
    (void)state;
    tu_agg_stop();
    return 0;
}
