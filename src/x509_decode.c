/* \summary: decoding DER certificates into OpenSSL objects (RFC 5280 §4.1)
 * without OpenSSL 3.0's per-certificate key decoder set-up (issue 5).
 *
 * d2i_X509 decodes the subject public key eagerly. OpenSSL 3.0 first asks
 * for a "legacy" decoder, which it only uses when an ENGINE is registered for
 * the key's algorithm, and otherwise builds an OSSL_DECODER_CTX, looking up
 * every provider's decoders, for each certificate: about 85 % of the cost of
 * a certificate (1.2 M instructions, ~100 µs). While a certificate is decoded
 * here, a do-nothing ENGINE is registered for RSA and EC keys, so the key goes
 * through OpenSSL's own legacy decoder (d2i_RSAPublicKey, EC point decoding):
 * the same key, about 8 times cheaper. The ENGINE hands back OpenSSL's built-
 * in methods and is unregistered after the decode, so signing, verification
 * and everything else use the providers as before (a legacy key is exported to
 * the provider on first use). Ed25519 is left to the decoders: its legacy
 * method reports 253 bits where the provider says 256. Without ENGINE support
 * (XD_HAVE_ENGINE 0) this is plain d2i_X509. */
#define OPENSSL_SUPPRESS_DEPRECATED 1 /* the ENGINE API is deprecated in 3.0 */
#include "x509_decode.h"

#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/objects.h>
#include <openssl/x509.h>
#if XD_HAVE_ENGINE
#include <openssl/engine.h>
#endif

#if XD_HAVE_ENGINE
static const int xd_nids[] = {NID_rsaEncryption, NID_X9_62_id_ecPublicKey};

static struct {
    ENGINE *engine;
    int state; /* 0 not tried, 1 ready, -1 unavailable */
    int depth; /* nesting of begin/end */
} xd;

/* ENGINE_PKEY_METHS_PTR: the list of nids, or OpenSSL's own method for one. */
static int
xd_pkey_meths(ENGINE *e, EVP_PKEY_METHOD **meth, const int **nids, int nid)
{
    (void)e;
    if (meth == NULL) {
        *nids = xd_nids;
        return (int)(sizeof(xd_nids) / sizeof(xd_nids[0]));
    }
    *meth = (EVP_PKEY_METHOD *)EVP_PKEY_meth_find(nid);
    return *meth != NULL;
}

static int
xd_setup(void)
{
    if (xd.state != 0)
        return xd.state;
    xd.state = -1;
    ENGINE *e = ENGINE_new();
    if (e == NULL)
        return -1;
    if (!ENGINE_set_id(e, "smtptap-keydecode") ||
        !ENGINE_set_name(e, "smtptap: legacy public key decoding") ||
        !ENGINE_set_pkey_meths(e, xd_pkey_meths)) {
        ENGINE_free(e);
        return -1;
    }
    xd.engine = e;
    xd.state = 1;
    return 1;
}
#endif

void
x509_decode_begin(void)
{
#if XD_HAVE_ENGINE
    if (xd.depth++ == 0 && xd_setup() == 1 && !ENGINE_register_pkey_meths(xd.engine))
        ERR_clear_error();
#endif
}

void
x509_decode_end(void)
{
#if XD_HAVE_ENGINE
    if (xd.depth > 0 && --xd.depth == 0 && xd.state == 1)
        ENGINE_unregister_pkey_meths(xd.engine);
#endif
}

void
x509_decode_shutdown(void)
{
#if XD_HAVE_ENGINE
    if (xd.engine) {
        ENGINE_unregister_pkey_meths(xd.engine);
        ENGINE_free(xd.engine);
    }
    xd.engine = NULL;
    xd.state = 0;
    xd.depth = 0;
#endif
}

struct x509_st *
x509_decode(const uint8_t *der, size_t len, int *trailing)
{
    *trailing = 0;
    if (len == 0 || len > 0x7fffffff)
        return NULL;
    const unsigned char *p = der;
    x509_decode_begin();
    X509 *x = d2i_X509(NULL, &p, (long)len);
    x509_decode_end();
    if (x && p != der + len) {
        X509_free(x);
        *trailing = 1;
        return NULL;
    }
    return x;
}
