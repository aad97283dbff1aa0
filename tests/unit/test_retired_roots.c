/* \summary: unit tests for the public roots the CA bundles have dropped
 * (src/retired_roots.c): an issuer named as AddTrust External CA Root (case
 * 1) is one, whatever string type its certificate encodes the name in and
 * whatever the case (X509_NAME_cmp, RFC 5280 §7.1); a name with an attribute
 * more, less or in another order, or a current root's, is not. Each root
 * of the list is found by the name its certificate carries (the DNs as
 * decoded from the sources src/retired_roots.c cites), its note naming it;
 * roots Debian 12's bundle still holds are not in it. */
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

/* Every root of the list, by the name its certificate carries. */
static void
test_each_root(void **state)
{
    (void)state;
    static const struct {
        const char *attrs[6][2];
        size_t n;
        const char *note; /* how its note begins */
    } roots[] = {
        {{{"C", "SE"},
          {"O", "AddTrust AB"},
          {"OU", "AddTrust TTP Network"},
          {"CN", "AddTrust Class 1 CA Root"}},
         4,
         "AddTrust Class 1 CA Root, expired 2020-05-30"},
        {{{"C", "SE"},
          {"O", "AddTrust AB"},
          {"OU", "AddTrust TTP Network"},
          {"CN", "AddTrust Public CA Root"}},
         4,
         "AddTrust Public CA Root, expired"},
        {{{"C", "SE"},
          {"O", "AddTrust AB"},
          {"OU", "AddTrust TTP Network"},
          {"CN", "AddTrust Qualified CA Root"}},
         4,
         "AddTrust Qualified CA Root, expired"},
        {{{"C", "US"},
          {"ST", "UT"},
          {"L", "Salt Lake City"},
          {"O", "The USERTRUST Network"},
          {"OU", "http://www.usertrust.com"},
          {"CN", "UTN-USERFirst-Hardware"}},
         6,
         "UTN-USERFirst-Hardware, expired 2019-07-09"},
        {{{"C", "GB"},
          {"ST", "Greater Manchester"},
          {"L", "Salford"},
          {"O", "Comodo CA Limited"},
          {"CN", "Secure Certificate Services"}},
         5,
         "Comodo Secure Certificate Services"},
        {{{"C", "GB"},
          {"ST", "Greater Manchester"},
          {"L", "Salford"},
          {"O", "Comodo CA Limited"},
          {"CN", "Trusted Certificate Services"}},
         5,
         "Comodo Trusted Certificate Services"},
        {{{"C", "US"},
          {"O", "Network Solutions L.L.C."},
          {"CN", "Network Solutions Certificate Authority"}},
         3,
         "Network Solutions Certificate Authority"},
        {{{"C", "US"},
          {"O", "VeriSign, Inc."},
          {"OU", "VeriSign Trust Network"},
          {"OU", "(c) 1999 VeriSign, Inc. - For authorized use only"},
          {"CN", "VeriSign Class 3 Public Primary Certification Authority - G3"}},
         5,
         "VeriSign Class 3 Public Primary Certification Authority - G3, distrusted"},
        {{{"C", "US"},
          {"O", "VeriSign, Inc."},
          {"OU", "VeriSign Trust Network"},
          {"OU", "(c) 2007 VeriSign, Inc. - For authorized use only"},
          {"CN", "VeriSign Class 3 Public Primary Certification Authority - G4"}},
         5,
         "VeriSign Class 3 Public Primary Certification Authority - G4"},
        {{{"C", "US"},
          {"O", "VeriSign, Inc."},
          {"OU", "VeriSign Trust Network"},
          {"OU", "(c) 2006 VeriSign, Inc. - For authorized use only"},
          {"CN", "VeriSign Class 3 Public Primary Certification Authority - G5"}},
         5,
         "VeriSign Class 3 Public Primary Certification Authority - G5"},
        {{{"C", "US"},
          {"O", "VeriSign, Inc."},
          {"OU", "VeriSign Trust Network"},
          {"OU", "(c) 2008 VeriSign, Inc. - For authorized use only"},
          {"CN", "VeriSign Universal Root Certification Authority"}},
         5,
         "VeriSign Universal Root Certification Authority"},
        {{{"C", "US"}, {"O", "GeoTrust Inc."}, {"CN", "GeoTrust Global CA 2"}},
         3,
         "GeoTrust Global CA 2, expired 2019-03-04"},
        {{{"C", "US"}, {"O", "GeoTrust Inc."}, {"CN", "GeoTrust Universal CA"}},
         3,
         "GeoTrust Universal CA, "},
        {{{"C", "US"}, {"O", "GeoTrust Inc."}, {"CN", "GeoTrust Universal CA 2"}},
         3,
         "GeoTrust Universal CA 2"},
        {{{"C", "US"}, {"O", "GeoTrust Inc."}, {"CN", "GeoTrust Primary Certification Authority"}},
         3,
         "GeoTrust Primary Certification Authority, "},
        {{{"C", "US"},
          {"O", "GeoTrust Inc."},
          {"OU", "(c) 2008 GeoTrust Inc. - For authorized use only"},
          {"CN", "GeoTrust Primary Certification Authority - G3"}},
         4,
         "GeoTrust Primary Certification Authority - G3"},
        {{{"C", "US"},
          {"O", "thawte, Inc."},
          {"OU", "Certification Services Division"},
          {"OU", "(c) 2006 thawte, Inc. - For authorized use only"},
          {"CN", "thawte Primary Root CA"}},
         5,
         "thawte Primary Root CA, "},
        {{{"C", "US"},
          {"O", "thawte, Inc."},
          {"OU", "Certification Services Division"},
          {"OU", "(c) 2008 thawte, Inc. - For authorized use only"},
          {"CN", "thawte Primary Root CA - G3"}},
         5,
         "thawte Primary Root CA - G3"},
        {{{"O", "Cybertrust, Inc"}, {"CN", "Cybertrust Global Root"}}, 2, "Cybertrust Global Root"},
        {{{"C", "FI"}, {"O", "Sonera"}, {"CN", "Sonera Class2 CA"}},
         3,
         "Sonera Class2 CA, expired 2021-04-06"},
        {{{"C", "BM"},
          {"O", "QuoVadis Limited"},
          {"OU", "Root Certification Authority"},
          {"CN", "QuoVadis Root Certification Authority"}},
         4,
         "QuoVadis Root Certification Authority, expired 2021-03-17"},
        {{{"C", "PL"}, {"O", "Unizeto Sp. z o.o."}, {"CN", "Certum CA"}}, 3, "Certum CA"},
        {{{"C", "FR"}, {"O", "Certplus"}, {"CN", "Class 2 Primary CA"}},
         3,
         "Certplus Class 2 Primary CA"},
    };
    for (size_t i = 0; i < sizeof(roots) / sizeof(roots[0]); i++) {
        X509_NAME *nm = name(roots[i].attrs, roots[i].n);
        const char *note = retired_root_note(nm);
        if (note == NULL || strncmp(note, roots[i].note, strlen(roots[i].note)) != 0)
            fail_msg("root %zu (%s): note %s", i, roots[i].note, note ? note : "(none)");
        X509_NAME_free(nm);
        if (roots[i].n > 2) { /* without its first attribute: another name */
            nm = name(roots[i].attrs + 1, roots[i].n - 1);
            assert_null(retired_root_note(nm));
            X509_NAME_free(nm);
        }
    }

    /* roots Debian 12's bundle still holds: not retired */
    static const char *const baltimore[][2] = {
        {"C", "IE"}, {"O", "Baltimore"}, {"OU", "CyberTrust"}, {"CN", "Baltimore CyberTrust Root"}};
    X509_NAME *nm = name(baltimore, 4);
    assert_null(retired_root_note(nm));
    X509_NAME_free(nm);
    static const char *const securetrust[][2] = {
        {"C", "US"}, {"O", "SecureTrust Corporation"}, {"CN", "SecureTrust CA"}};
    nm = name(securetrust, 3);
    assert_null(retired_root_note(nm));
    X509_NAME_free(nm);
    retired_roots_free();
}

/* Until when a retired root was public, from its note: an old capture's
 * chain up to it was trusted then (the finding says so, not "no longer
 * held"). */
static void
test_until(void **state)
{
    (void)state;
    /* 2020-05-30 ends at 2020-05-31T00:00:00Z */
    assert_int_equal(retired_root_until("AddTrust External CA Root, expired 2020-05-30"),
                     1590883200);
    assert_int_equal(retired_root_until("DST Root CA X3, expired 2021-09-30"), 1633046400);
    /* 2015-01-01T00:00:00Z: the year's first day, before which it surely was */
    assert_int_equal(retired_root_until("VeriSign Class 3 Public Primary Certification "
                                        "Authority, removed in 2015"),
                     1420070400);
    assert_int_equal(retired_root_until("Certum CA, removed from the CA bundles"), 0);
    assert_int_equal(retired_root_until("x, expired 2020-13-01"), 0);
    assert_int_equal(retired_root_until("x, expired soon"), 0);
    assert_int_equal(retired_root_until(NULL), 0);
    /* a leap day, then the year's last day */
    assert_int_equal(retired_root_until("x, expired 2024-02-29"), 1709251200);
    assert_int_equal(retired_root_until("x, expired 2019-12-31"), 1577836800);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_retired),
        cmocka_unit_test(test_each_root),
        cmocka_unit_test(test_until),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
