/* \summary: the trust store described for the report (truststore.h): the
 * certificates verify.c loaded (the system bundle and --ca-file) are
 * counted in its store; --ca-path directories, which OpenSSL reads only
 * when a chain needs them, are read once into a store of this file's own
 * with those, so that a certificate in both counts once. */
#include "truststore.h"

#include <dirent.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/err.h>
#include <openssl/x509.h>
#include <openssl/x509_vfy.h>

#include "strcopy.h"
#include "verify.h"
#include "x509_decode.h"

static struct {
    bool known;
    uint64_t count;
    char sources[512]; /* "the system bundle PATH, --ca-file PATH and --ca-path DIR" */
    bool bundle_unreadable;
} ts;

/* A name OpenSSL's hashed-directory lookup opens: 8 hex digits, a dot and
 * a number (c_rehash, openssl rehash); CRLs (".r0") are not certificates. */
static bool
ts_hashed_name(const char *s)
{
    for (int i = 0; i < 8; i++)
        if (!((s[i] >= '0' && s[i] <= '9') || (s[i] >= 'a' && s[i] <= 'f')))
            return false;
    if (s[8] != '.' || s[9] == '\0')
        return false;
    for (const char *p = s + 9; *p != '\0'; p++)
        if (*p < '0' || *p > '9')
            return false;
    return true;
}

static void
ts_load_dir(X509_STORE *st, const char *dir)
{
    DIR *d = opendir(dir);
    if (d == NULL)
        return;
    for (struct dirent *e; (e = readdir(d)) != NULL;) {
        if (!ts_hashed_name(e->d_name))
            continue;
        char path[4096];
        struct strbuf b = str_buf(path, sizeof(path));
        str_add(&b, dir, "/", e->d_name, NULL);
        if (b.len + 1 < sizeof(path) && X509_STORE_load_file(st, path) != 1)
            ERR_clear_error(); /* not PEM: OpenSSL's lookup would not read it either */
    }
    closedir(d);
}

/* Appends a source to the list: "A", "A and B", "A, B and C". */
static void
ts_source(struct strbuf *b, unsigned *k, unsigned total, const char *what, const char *path)
{
    str_add(b, *k == 0 ? "" : *k + 1 == total ? " and " : ", ", what, path, NULL);
    (*k)++;
}

void
truststore_describe(const struct config *cfg)
{
    memset(&ts, 0, sizeof(ts));
    X509_STORE *loaded = verify_store(&ts.bundle_unreadable);
    if (loaded == NULL)
        return; /* unknown: the report says nothing rather than a wrong count */
    const char *bundle = NULL;
    if (!cfg->no_system_ca) { /* verify.c's choice of bundle */
        bundle = getenv(X509_get_default_cert_file_env());
        if (!bundle || !*bundle)
            bundle = X509_get_default_cert_file();
    }
    X509_STORE *st = loaded;
    if (cfg->n_ca_paths > 0) { /* the loaded ones (references), then the directories */
        st = X509_STORE_new();
        if (st == NULL)
            return;
        STACK_OF(X509_OBJECT) *objs = X509_STORE_get0_objects(loaded);
        for (int i = 0; i < sk_X509_OBJECT_num(objs); i++) {
            X509 *x = X509_OBJECT_get0_X509(sk_X509_OBJECT_value(objs, i));
            if (x != NULL)
                (void)X509_STORE_add_cert(st, x);
        }
        x509_decode_begin();
        for (unsigned i = 0; i < cfg->n_ca_paths; i++)
            ts_load_dir(st, cfg->ca_paths[i]);
        x509_decode_end();
        ERR_clear_error();
    }
    STACK_OF(X509_OBJECT) *objs = X509_STORE_get0_objects(st);
    for (int i = 0; i < sk_X509_OBJECT_num(objs); i++)
        ts.count += X509_OBJECT_get_type(sk_X509_OBJECT_value(objs, i)) == X509_LU_X509;
    if (st != loaded)
        X509_STORE_free(st);

    struct strbuf b = str_buf(ts.sources, sizeof(ts.sources));
    unsigned k = 0, total = (bundle != NULL) + cfg->n_ca_files + cfg->n_ca_paths;
    if (bundle != NULL) {
        ts_source(&b, &k, total, "the system bundle ", bundle);
        str_add(&b, ts.bundle_unreadable ? " (unreadable)" : "", NULL);
    }
    for (unsigned i = 0; i < cfg->n_ca_files; i++)
        ts_source(&b, &k, total, "--ca-file ", cfg->ca_files[i]);
    for (unsigned i = 0; i < cfg->n_ca_paths; i++)
        ts_source(&b, &k, total, "--ca-path ", cfg->ca_paths[i]);
    ts.known = true;
}

void
truststore_reset(void)
{
    memset(&ts, 0, sizeof(ts));
}

bool
truststore_known(void)
{
    return ts.known;
}

uint64_t
truststore_count(void)
{
    return ts.count;
}

void
truststore_text(char *out, size_t n)
{
    struct strbuf b = str_buf(out, n);
    if (ts.count == 0) {
        str_add(&b, "empty: every chain is untrusted (", NULL);
        if (ts.sources[0] == '\0')
            str_add(&b, "--no-system-ca without --ca-file or --ca-path)", NULL);
        else
            str_add(&b, "no certificate in ", ts.sources, ")", NULL);
        return;
    }
    str_add_uint(&b, ts.count);
    str_add(&b, ts.count == 1 ? " CA certificate from " : " CA certificates from ", ts.sources,
            NULL);
}
