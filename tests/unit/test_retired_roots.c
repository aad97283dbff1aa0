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
#include <stdio.h>
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

#define SYM "removed from the CA bundles 2021-03-18 with Symantec's roots"

/* Every root of the list, by the name its certificate carries, its note
 * made from its entry's date. */
static void
test_each_root(void **state)
{
    (void)state;
    static const struct {
        const char *attrs[6][2];
        size_t n;
        const char *note; /* its note, whole */
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
         "AddTrust Public CA Root, expired 2020-05-30"},
        {{{"C", "SE"},
          {"O", "AddTrust AB"},
          {"OU", "AddTrust TTP Network"},
          {"CN", "AddTrust Qualified CA Root"}},
         4,
         "AddTrust Qualified CA Root, expired 2020-05-30"},
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
         "Comodo Secure Certificate Services, removed from the CA bundles (held there until at "
         "least 2017-07-12)"},
        {{{"C", "GB"},
          {"ST", "Greater Manchester"},
          {"L", "Salford"},
          {"O", "Comodo CA Limited"},
          {"CN", "Trusted Certificate Services"}},
         5,
         "Comodo Trusted Certificate Services, removed from the CA bundles (held there until at "
         "least 2017-07-12)"},
        {{{"C", "US"},
          {"O", "Network Solutions L.L.C."},
          {"CN", "Network Solutions Certificate Authority"}},
         3,
         "Network Solutions Certificate Authority, removed from the CA bundles 2023-03-09"},
        {{{"C", "US"},
          {"O", "VeriSign, Inc."},
          {"OU", "VeriSign Trust Network"},
          {"OU", "(c) 1999 VeriSign, Inc. - For authorized use only"},
          {"CN", "VeriSign Class 3 Public Primary Certification Authority - G3"}},
         5,
         "VeriSign Class 3 Public Primary Certification Authority - G3, removed from the CA "
         "bundles 2020-08-21"},
        {{{"C", "US"},
          {"O", "VeriSign, Inc."},
          {"OU", "VeriSign Trust Network"},
          {"OU", "(c) 2007 VeriSign, Inc. - For authorized use only"},
          {"CN", "VeriSign Class 3 Public Primary Certification Authority - G4"}},
         5,
         "VeriSign Class 3 Public Primary Certification Authority - G4, " SYM},
        {{{"C", "US"},
          {"O", "VeriSign, Inc."},
          {"OU", "VeriSign Trust Network"},
          {"OU", "(c) 2006 VeriSign, Inc. - For authorized use only"},
          {"CN", "VeriSign Class 3 Public Primary Certification Authority - G5"}},
         5,
         "VeriSign Class 3 Public Primary Certification Authority - G5, " SYM},
        {{{"C", "US"},
          {"O", "VeriSign, Inc."},
          {"OU", "VeriSign Trust Network"},
          {"OU", "(c) 2008 VeriSign, Inc. - For authorized use only"},
          {"CN", "VeriSign Universal Root Certification Authority"}},
         5,
         "VeriSign Universal Root Certification Authority, " SYM},
        {{{"C", "US"}, {"O", "GeoTrust Inc."}, {"CN", "GeoTrust Global CA 2"}},
         3,
         "GeoTrust Global CA 2, expired 2019-03-04"},
        {{{"C", "US"}, {"O", "GeoTrust Inc."}, {"CN", "GeoTrust Universal CA"}},
         3,
         "GeoTrust Universal CA, " SYM},
        {{{"C", "US"}, {"O", "GeoTrust Inc."}, {"CN", "GeoTrust Universal CA 2"}},
         3,
         "GeoTrust Universal CA 2, " SYM},
        {{{"C", "US"}, {"O", "GeoTrust Inc."}, {"CN", "GeoTrust Primary Certification Authority"}},
         3,
         "GeoTrust Primary Certification Authority, " SYM},
        {{{"C", "US"},
          {"O", "GeoTrust Inc."},
          {"OU", "(c) 2008 GeoTrust Inc. - For authorized use only"},
          {"CN", "GeoTrust Primary Certification Authority - G3"}},
         4,
         "GeoTrust Primary Certification Authority - G3, " SYM},
        {{{"C", "US"},
          {"O", "thawte, Inc."},
          {"OU", "Certification Services Division"},
          {"OU", "(c) 2006 thawte, Inc. - For authorized use only"},
          {"CN", "thawte Primary Root CA"}},
         5,
         "thawte Primary Root CA, " SYM},
        {{{"C", "US"},
          {"O", "thawte, Inc."},
          {"OU", "Certification Services Division"},
          {"OU", "(c) 2008 thawte, Inc. - For authorized use only"},
          {"CN", "thawte Primary Root CA - G3"}},
         5,
         "thawte Primary Root CA - G3, " SYM},
        {{{"O", "Cybertrust, Inc"}, {"CN", "Cybertrust Global Root"}},
         2,
         "Cybertrust Global Root, expired 2021-12-15"},
        {{{"C", "FI"}, {"O", "Sonera"}, {"CN", "Sonera Class2 CA"}},
         3,
         "Sonera Class2 CA, expired 2021-04-06"},
        {{{"C", "BM"},
          {"O", "QuoVadis Limited"},
          {"OU", "Root Certification Authority"},
          {"CN", "QuoVadis Root Certification Authority"}},
         4,
         "QuoVadis Root Certification Authority, expired 2021-03-17"},
        {{{"C", "PL"}, {"O", "Unizeto Sp. z o.o."}, {"CN", "Certum CA"}},
         3,
         "Certum CA, removed from the CA bundles (held there until at least 2018-08-01)"},
        {{{"C", "FR"}, {"O", "Certplus"}, {"CN", "Class 2 Primary CA"}},
         3,
         "Certplus Class 2 Primary CA, expired 2019-07-06"},
    };
    for (size_t i = 0; i < sizeof(roots) / sizeof(roots[0]); i++) {
        X509_NAME *nm = name(roots[i].attrs, roots[i].n);
        const char *note = retired_root_note(nm);
        if (note == NULL || strcmp(note, roots[i].note) != 0)
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

/* The retired root named by the n (type, value) pairs attrs: its note. */
static const char *
note_of(const char *const (*attrs)[2], size_t n)
{
    X509_NAME *nm = name(attrs, n);
    const char *note = retired_root_note(nm);
    X509_NAME_free(nm);
    assert_non_null(note);
    return note;
}

/* Until when a retired root was public, from its entry's date (not its
 * note's text: a copy of the text is no note): an old capture's chain up to
 * it was trusted then (the finding says so, not "no longer held"). */
static void
test_until(void **state)
{
    (void)state;
    static const char *const addtrust[][2] = {{"C", "SE"},
                                              {"O", "AddTrust AB"},
                                              {"OU", "AddTrust External TTP Network"},
                                              {"CN", "AddTrust External CA Root"}};
    const char *note = note_of(addtrust, 4);
    /* expired 2020-05-30: through that day, to 2020-05-31T00:00:00Z */
    assert_int_equal(retired_root_until(note), 1590883200);
    char copy[160];
    snprintf(copy, sizeof(copy), "%s", note);
    assert_int_equal(retired_root_until(copy), 0);
    assert_int_equal(retired_root_until(NULL), 0);
    static const char *const dst[][2] = {{"O", "Digital Signature Trust Co."},
                                         {"CN", "DST Root CA X3"}};
    assert_int_equal(retired_root_until(note_of(dst, 2)), 1633046400); /* 2021-10-01 */
    /* removed in 2015, the day unknown: before 2015-01-01T00:00:00Z surely */
    static const char *const vs[][2] = {{"C", "US"},
                                        {"O", "VeriSign, Inc."},
                                        {"OU", "Class 3 Public Primary Certification Authority"}};
    assert_string_equal(note_of(vs, 3), "VeriSign Class 3 Public Primary Certification "
                                        "Authority, removed from the CA bundles in 2015");
    assert_int_equal(retired_root_until(note_of(vs, 3)), 1420070400);
    /* GeoTrust Global CA (the root of Apple's 2015 chains): removed with
     * Symantec's roots by NSS 3.63, before 2021-03-18T00:00:00Z */
    static const char *const gt[][2] = {
        {"C", "US"}, {"O", "GeoTrust Inc."}, {"CN", "GeoTrust Global CA"}};
    assert_string_equal(note_of(gt, 3), "GeoTrust Global CA, " SYM);
    assert_int_equal(retired_root_until(note_of(gt, 3)), 1616025600);
    /* a removal of unknown date: through the last day a bundle held it */
    static const char *const certum[][2] = {
        {"C", "PL"}, {"O", "Unizeto Sp. z o.o."}, {"CN", "Certum CA"}};
    assert_int_equal(retired_root_until(note_of(certum, 3)), 1533168000); /* 2018-08-02 */
    /* every entry has its date, one of the years roots left the bundles */
    size_t i = 0;
    for (const char *n; (n = retired_root_entry(i)) != NULL; i++) {
        int64_t until = retired_root_until(n);
        if (until < 1420070400 || until > 1704067200) /* 2015 .. 2024 */
            fail_msg("entry %zu (%s): until %lld", i, n, (long long)until);
    }
    assert_int_equal(i, 29);
    retired_roots_free();
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
