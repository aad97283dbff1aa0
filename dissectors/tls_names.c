/* \summary: TLS code point names (IANA TLS parameters registries). */
#include "tls_names.h"

#include "facts.h"

#include <stddef.h>
#include <string.h>

const char *
tls_version_str(uint16_t v)
{
    switch (v) {
    case 0x0200:
        return "SSLv2";
    case 0x0300:
        return "SSLv3";
    case 0x0301:
        return "TLSv1.0";
    case 0x0302:
        return "TLSv1.1";
    case 0x0303:
        return "TLSv1.2";
    case 0x0304:
        return "TLSv1.3";
    default:
        return NULL;
    }
}

struct tls_cipher_name {
    uint16_t code;
    const char *name;
};

/* Sorted by code for binary search. */
static const struct tls_cipher_name tls_ciphers[] = {
    {0x0000, "TLS_NULL_WITH_NULL_NULL"},
    {0x0001, "TLS_RSA_WITH_NULL_MD5"},
    {0x0002, "TLS_RSA_WITH_NULL_SHA"},
    {0x0004, "TLS_RSA_WITH_RC4_128_MD5"},
    {0x0005, "TLS_RSA_WITH_RC4_128_SHA"},
    {0x000A, "TLS_RSA_WITH_3DES_EDE_CBC_SHA"},
    {0x0016, "TLS_DHE_RSA_WITH_3DES_EDE_CBC_SHA"},
    {0x0018, "TLS_DH_anon_WITH_RC4_128_MD5"},
    {0x001B, "TLS_DH_anon_WITH_3DES_EDE_CBC_SHA"},
    {0x002F, "TLS_RSA_WITH_AES_128_CBC_SHA"},
    {0x0032, "TLS_DHE_DSS_WITH_AES_128_CBC_SHA"},
    {0x0033, "TLS_DHE_RSA_WITH_AES_128_CBC_SHA"},
    {0x0034, "TLS_DH_anon_WITH_AES_128_CBC_SHA"},
    {0x0035, "TLS_RSA_WITH_AES_256_CBC_SHA"},
    {0x0038, "TLS_DHE_DSS_WITH_AES_256_CBC_SHA"},
    {0x0039, "TLS_DHE_RSA_WITH_AES_256_CBC_SHA"},
    {0x003A, "TLS_DH_anon_WITH_AES_256_CBC_SHA"},
    {0x003C, "TLS_RSA_WITH_AES_128_CBC_SHA256"},
    {0x003D, "TLS_RSA_WITH_AES_256_CBC_SHA256"},
    {0x0041, "TLS_RSA_WITH_CAMELLIA_128_CBC_SHA"},
    {0x0045, "TLS_DHE_RSA_WITH_CAMELLIA_128_CBC_SHA"},
    {0x0067, "TLS_DHE_RSA_WITH_AES_128_CBC_SHA256"},
    {0x006B, "TLS_DHE_RSA_WITH_AES_256_CBC_SHA256"},
    {0x006C, "TLS_DH_anon_WITH_AES_128_CBC_SHA256"},
    {0x006D, "TLS_DH_anon_WITH_AES_256_CBC_SHA256"},
    {0x0084, "TLS_RSA_WITH_CAMELLIA_256_CBC_SHA"},
    {0x0088, "TLS_DHE_RSA_WITH_CAMELLIA_256_CBC_SHA"},
    {0x009C, "TLS_RSA_WITH_AES_128_GCM_SHA256"},
    {0x009D, "TLS_RSA_WITH_AES_256_GCM_SHA384"},
    {0x009E, "TLS_DHE_RSA_WITH_AES_128_GCM_SHA256"},
    {0x009F, "TLS_DHE_RSA_WITH_AES_256_GCM_SHA384"},
    {0x00A6, "TLS_DH_anon_WITH_AES_128_GCM_SHA256"},
    {0x00A7, "TLS_DH_anon_WITH_AES_256_GCM_SHA384"},
    {0x00FF, "TLS_EMPTY_RENEGOTIATION_INFO_SCSV"},
    {0x1301, "TLS_AES_128_GCM_SHA256"},
    {0x1302, "TLS_AES_256_GCM_SHA384"},
    {0x1303, "TLS_CHACHA20_POLY1305_SHA256"},
    {0x1304, "TLS_AES_128_CCM_SHA256"},
    {0x1305, "TLS_AES_128_CCM_8_SHA256"},
    {0x5600, "TLS_FALLBACK_SCSV"},
    {0xC009, "TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA"},
    {0xC00A, "TLS_ECDHE_ECDSA_WITH_AES_256_CBC_SHA"},
    {0xC011, "TLS_ECDHE_RSA_WITH_RC4_128_SHA"},
    {0xC012, "TLS_ECDHE_RSA_WITH_3DES_EDE_CBC_SHA"},
    {0xC013, "TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA"},
    {0xC014, "TLS_ECDHE_RSA_WITH_AES_256_CBC_SHA"},
    {0xC018, "TLS_ECDH_anon_WITH_AES_128_CBC_SHA"},
    {0xC019, "TLS_ECDH_anon_WITH_AES_256_CBC_SHA"},
    {0xC023, "TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA256"},
    {0xC024, "TLS_ECDHE_ECDSA_WITH_AES_256_CBC_SHA384"},
    {0xC027, "TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA256"},
    {0xC028, "TLS_ECDHE_RSA_WITH_AES_256_CBC_SHA384"},
    {0xC02B, "TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256"},
    {0xC02C, "TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384"},
    {0xC02F, "TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256"},
    {0xC030, "TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384"},
    {0xC09C, "TLS_RSA_WITH_AES_128_CCM"},
    {0xC09D, "TLS_RSA_WITH_AES_256_CCM"},
    {0xC09E, "TLS_DHE_RSA_WITH_AES_128_CCM"},
    {0xC09F, "TLS_DHE_RSA_WITH_AES_256_CCM"},
    {0xC0AC, "TLS_ECDHE_ECDSA_WITH_AES_128_CCM"},
    {0xC0AD, "TLS_ECDHE_ECDSA_WITH_AES_256_CCM"},
    {0xCCA8, "TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256"},
    {0xCCA9, "TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256"},
    {0xCCAA, "TLS_DHE_RSA_WITH_CHACHA20_POLY1305_SHA256"},
};

const char *
tls_cipher_str(uint16_t c)
{
    size_t lo = 0, hi = sizeof(tls_ciphers) / sizeof(tls_ciphers[0]);
    while (lo < hi) {
        size_t mid = (lo + hi) / 2;
        if (tls_ciphers[mid].code == c)
            return tls_ciphers[mid].name;
        if (tls_ciphers[mid].code < c)
            lo = mid + 1;
        else
            hi = mid;
    }
    return NULL;
}

bool
tls_cipher_is_anon(uint16_t c)
{
    const char *n = tls_cipher_str(c);
    return n != NULL && strstr(n, "_anon_") != NULL;
}

static bool
tls_name_ends(const char *n, const char *tail)
{
    size_t a = strlen(n), b = strlen(tail);
    return a >= b && strcmp(n + a - b, tail) == 0;
}

bool
tls_after_quit_fits(uint16_t version, uint16_t cipher, unsigned i, uint8_t type, uint32_t rec_len)
{
    uint32_t lo, hi;
    if (i == 0)
        return type == 23 && tls_plaintext_len(version, cipher, rec_len, &lo, &hi) &&
               hi >= TLS_QUIT_MIN && lo <= TLS_QUIT_MAX;
    return tls_after_alert_fits(version, cipher, type, rec_len);
}

bool
tls_after_alert_fits(uint16_t version, uint16_t cipher, uint8_t type, uint32_t rec_len)
{
    uint32_t lo, hi;
    if (type == 21)
        return version != 0x0304;
    return version == 0x0304 && type == 23 &&
           tls_plaintext_len(version, cipher, rec_len, &lo, &hi) && lo <= 2 && hi >= 2;
}

bool
tls_plaintext_len(uint16_t version, uint16_t cipher, uint32_t rec_len, uint32_t *lo, uint32_t *hi)
{
    uint32_t fixed, pad = 0; /* overhead; padding of 1 .. pad bytes (CBC) */
    const char *n = tls_cipher_str(cipher);
    if (version == 0x0304) {
        fixed = (cipher == 0x1305 ? 8u : 16u) + 1u; /* tag, inner content type */
    } else if (n == NULL) {
        return false;
    } else if (strstr(n, "_GCM_") != NULL || tls_name_ends(n, "_CCM")) {
        fixed = 8u + 16u; /* explicit nonce, 16-byte tag */
    } else if (tls_name_ends(n, "_CCM_8")) {
        fixed = 8u + 8u;
    } else if (strstr(n, "CHACHA20_POLY1305") != NULL) {
        fixed = 16u; /* nonce from the sequence number, RFC 7905 §2 */
    } else {
        uint32_t mac = tls_name_ends(n, "_SHA384")   ? 48u
                       : tls_name_ends(n, "_SHA256") ? 32u
                       : tls_name_ends(n, "_SHA")    ? 20u
                       : tls_name_ends(n, "_MD5")    ? 16u
                                                     : 0u;
        if (mac == 0)
            return false;
        fixed = mac;
        if (strstr(n, "_CBC_") != NULL) {
            bool small = strstr(n, "DES") != NULL || strstr(n, "IDEA") != NULL;
            pad = small ? 8u : 16u;
            if (version >= 0x0302) /* TLS 1.1: explicit IV, RFC 4346 §6.2.3.2 */
                fixed += pad;
        } else if (strstr(n, "_RC4_") == NULL && strstr(n, "_NULL_") == NULL) {
            return false;
        }
    }
    if (rec_len < fixed + (pad ? 1u : 0u))
        return false;
    *hi = rec_len - fixed - (pad ? 1u : 0u);
    *lo = pad == 0 ? *hi : rec_len >= fixed + pad ? rec_len - fixed - pad : 0;
    return true;
}

const char *
tls_alert_str(int code)
{
    switch (code) {
    case 0:
        return "close_notify";
    case 10:
        return "unexpected_message";
    case 20:
        return "bad_record_mac";
    case 21:
        return "decryption_failed";
    case 22:
        return "record_overflow";
    case 30:
        return "decompression_failure";
    case 40:
        return "handshake_failure";
    case 41:
        return "no_certificate";
    case 42:
        return "bad_certificate";
    case 43:
        return "unsupported_certificate";
    case 44:
        return "certificate_revoked";
    case 45:
        return "certificate_expired";
    case 46:
        return "certificate_unknown";
    case 47:
        return "illegal_parameter";
    case 48:
        return "unknown_ca";
    case 49:
        return "access_denied";
    case 50:
        return "decode_error";
    case 51:
        return "decrypt_error";
    case 60:
        return "export_restriction";
    case 70:
        return "protocol_version";
    case 71:
        return "insufficient_security";
    case 80:
        return "internal_error";
    case 86:
        return "inappropriate_fallback";
    case 90:
        return "user_canceled";
    case 100:
        return "no_renegotiation";
    case 109:
        return "missing_extension";
    case 110:
        return "unsupported_extension";
    case 111:
        return "certificate_unobtainable";
    case 112:
        return "unrecognized_name";
    case 113:
        return "bad_certificate_status_response";
    case 114:
        return "bad_certificate_hash_value";
    case 115:
        return "unknown_psk_identity";
    case 116:
        return "certificate_required";
    case 120:
        return "no_application_protocol";
    default:
        return NULL;
    }
}

const char *
tls_hs_type_str(int type)
{
    switch (type) {
    case 0:
        return "hello_request";
    case 1:
        return "client_hello";
    case 2:
        return "server_hello";
    case 4:
        return "new_session_ticket";
    case 5:
        return "end_of_early_data";
    case 8:
        return "encrypted_extensions";
    case 11:
        return "certificate";
    case 12:
        return "server_key_exchange";
    case 13:
        return "certificate_request";
    case 14:
        return "server_hello_done";
    case 15:
        return "certificate_verify";
    case 16:
        return "client_key_exchange";
    case 20:
        return "finished";
    case 22:
        return "certificate_status";
    case 24:
        return "key_update";
    default:
        return NULL;
    }
}

const char *
tls_hs_type_abbr(int type)
{
    switch (type) {
    case 0:
        return "HR";
    case 1:
        return "CH";
    case 2:
        return "SH";
    case 4:
        return "NST";
    case 8:
        return "EE";
    case 11:
        return "CRT";
    case 12:
        return "SKE";
    case 13:
        return "CR";
    case 14:
        return "SHD";
    case 15:
        return "CV";
    case 16:
        return "CKE";
    case 20:
        return "FIN";
    case 22:
        return "CST";
    default:
        return "?";
    }
}
