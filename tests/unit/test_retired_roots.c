/* \summary: unit tests for the public roots the CA bundles have dropped
 * (src/retired_roots.c): an issuer named as AddTrust External CA Root (case
 * 1) is one, whatever string type its certificate encodes the name in and
 * whatever the case (X509_NAME_cmp, RFC 5280 §7.1); a name with an attribute
 * more, less or in another order, or a current root's, is not. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>
#include <openssl/x509.h>

#include "retired_roots.h"

/* A name of n (type, value) pairs, each encoded as PrintableString (what the
 * AddTrust root's own certificate carries). */
static X509_NAME *
name(const char *const (*attrs)[2], size_t n)
{
    X509_NAME *nm = X509_NAME_new();
    assert_non_null(nm);
    for (size_t i = 0; i < n; i++)
        assert_int_equal(X509_NAME_add_entry_by_txt(nm, attrs[i][0], V_ASN1_PRINTABLESTRING,
                                                    (const unsigned char *)attrs[i][1], -1, -1, 0),
                         1);
    return nm;
}

static void
test_retired(void **state)
{
    (void)state;
    static const char *const addtrust[][2] = {{"C", "SE"},
                                              {"O", "AddTrust AB"},
                                              {"OU", "AddTrust External TTP Network"},
                                              {"CN", "AddTrust External CA Root"}};
    X509_NAME *nm = name(addtrust, 4);
    const char *note = retired_root_note(nm);
    assert_non_null(note);
    assert_string_equal(note, "AddTrust External CA Root, expired 2020-05-30");
    X509_NAME_free(nm);

    static const char *const upper[][2] = {{"C", "SE"},
                                           {"O", "ADDTRUST AB"},
                                           {"OU", "AddTrust External TTP Network"},
                                           {"CN", "addtrust external ca root"}};
    nm = name(upper, 4);
    assert_non_null(retired_root_note(nm));
    X509_NAME_free(nm);

    nm = name(addtrust, 3); /* without its CN: another name */
    assert_null(retired_root_note(nm));
    X509_NAME_free(nm);
    static const char *const other_order[][2] = {{"CN", "AddTrust External CA Root"},
                                                 {"OU", "AddTrust External TTP Network"},
                                                 {"O", "AddTrust AB"},
                                                 {"C", "SE"}};
    nm = name(other_order, 4);
    assert_null(retired_root_note(nm));
    X509_NAME_free(nm);
    static const char *const current[][2] = {
        {"C", "US"}, {"O", "Internet Security Research Group"}, {"CN", "ISRG Root X1"}};
    nm = name(current, 3);
    assert_null(retired_root_note(nm));
    X509_NAME_free(nm);
    assert_null(retired_root_note(NULL));

    static const char *const dst[][2] = {{"O", "Digital Signature Trust Co."},
                                         {"CN", "DST Root CA X3"}};
    nm = name(dst, 2);
    assert_non_null(retired_root_note(nm));
    X509_NAME_free(nm);
    retired_roots_free();
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_retired),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
