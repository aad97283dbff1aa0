/* \summary: public roots the CA bundles have dropped, by name (see
 * retired_roots.h). The names are those the roots' own certificates carry,
 * in their order; each entry's date is a field of its own (not read from
 * its note): the root's notAfter (RR_EXPIRED), the release of NSS whose
 * certdata.txt (Mozilla's bundle, which the distributions' ca-certificates
 * follow) no longer held it (RR_REMOVED; a year alone when only the year
 * is known), or, when the removal's date is not known, the last date a
 * cited bundle is known to hold it (RR_LISTED). None is in Debian 12's
 * ca-certificates (20230311+deb12u1, /etc/ssl/certs/ca-certificates.crt;
 * Baltimore CyberTrust Root, SecureTrust CA, Secure Global CA and XRamp
 * still are, so they are not here).
 *
 * Sources of the names added after the first six (each DN decoded from the
 * DER the source holds, not typed from a listing):
 *   [ev]  Mozilla's EV table, security/certverifier/ExtendedValidation.cpp,
 *         "Issuer DER Base64" of each root (as in roytam1/mozilla45esr; the
 *         UTN and Certplus entries also in the SHA-1-era copies of gecko);
 *   [mk]  curl's mk-ca-bundle of Mozilla's certdata.txt as of 2015-10-28,
 *         the certificates' PEM (as embedded in ilikeido/woodtServer
 *         composer-setup.php), notAfter from the same certificates;
 *   [rq]  psf/requests requests/cacert.pem (72d69d7), "# Subject:" and PEM.
 * UTN-USERFirst-Hardware's notAfter 2019-07-09T18:19:22Z and GeoTrust
 * Global CA 2's 2019-03-04T05:00:00Z: public expired-root lists give them
 * with each certificate's SHA-1 (04:83:ED:33..., A9:E9:78:08...).
 * Removals: NSS 3.56 (2020-08-21) dropped VeriSign Class 3 Public Primary
 * Certification Authority - G3 (with AddTrust External CA Root, expired);
 * NSS 3.63 (2021-03-18) the other GeoTrust, thawte and VeriSign roots of
 * Symantec's (Mozilla bugs 1670769 and 1686854: certdata.txt lost them on
 * NSS's trunk by 2021-02-01, after NSS 3.62 branched, and 3.62 changed no
 * root, so 3.63 is the first release without them); NSS 3.89 (2023-03-09)
 * Network Solutions Certificate Authority (node's root-certificate updates
 * list them, each from that NSS's certdata.txt). */
#include "retired_roots.h"

#include <stddef.h>
#include <stdio.h>
#include <string.h>

#define RR_ATTRS 6

/* What the date of an entry is. */
enum rr_how {
    RR_EXPIRED, /* its notAfter: public through that day */
    RR_REMOVED, /* the NSS release without it: public before that day (m 0: in
                   that year, public before its first day) */
    RR_LISTED   /* removed on a date not known; a bundle held it that day */
};

struct rr_root {
    const char *attrs[RR_ATTRS][2]; /* (type, value) in the certificate's order */
    const char *name;               /* as the notes say it */
    struct rr_date {
        uint8_t how; /* enum rr_how */
        uint16_t year;
        uint8_t month, day; /* 0, 0 with RR_REMOVED: the year alone is known */
        const char *with;   /* removed with others: whose ("Symantec's roots"), NULL */
    } date;
};

/* removed by NSS 3.63 with Symantec's other roots (bug 1670769) */
#define RR_SYMANTEC_NSS363 RR_REMOVED, 2021, 3, 18, "Symantec's roots"
/* Removed on a date not known, the last date Mozilla's certdata.txt is known
 * to have held them: Comodo's Secure and Trusted Certificate Services on
 * 2017-07-12 (gwatts/rootcerts, generated from Mozilla's certdata.txt, held
 * them that day and lost Secure Certificate Services by 2017-10-01; curl's
 * bundle of 2018-01-17 lost both: chef/omnibus-software PR 910); Certum CA
 * ("Certum Root CA" there) on 2018-08-01 (the same generated list). */
#define RR_LISTED_COMODO RR_LISTED, 2017, 7, 12, NULL
#define RR_LISTED_CERTUM RR_LISTED, 2018, 8, 1, NULL

static const struct rr_root rr_roots[] = {
    {{{"C", "SE"},
      {"O", "AddTrust AB"},
      {"OU", "AddTrust External TTP Network"},
      {"CN", "AddTrust External CA Root"}},
     "AddTrust External CA Root",
     {RR_EXPIRED, 2020, 5, 30, NULL}},
    {{{"C", "US"}, {"O", "Equifax"}, {"OU", "Equifax Secure Certificate Authority"}},
     "Equifax Secure Certificate Authority",
     {RR_EXPIRED, 2018, 8, 22, NULL}},
    {{{"O", "Digital Signature Trust Co."}, {"CN", "DST Root CA X3"}},
     "DST Root CA X3",
     {RR_EXPIRED, 2021, 9, 30, NULL}},
    {{{"OU", "GlobalSign Root CA - R2"}, {"O", "GlobalSign"}, {"CN", "GlobalSign"}},
     "GlobalSign Root CA - R2",
     {RR_EXPIRED, 2021, 12, 15, NULL}},
    {{{"C", "US"}, {"O", "GeoTrust Inc."}, {"CN", "GeoTrust Global CA"}},
     "GeoTrust Global CA",
     {RR_SYMANTEC_NSS363}},
    {{{"C", "US"},
      {"O", "VeriSign, Inc."},
      {"OU", "Class 3 Public Primary Certification Authority"}},
     "VeriSign Class 3 Public Primary Certification Authority",
     {RR_REMOVED, 2015, 0, 0, NULL}},
    /* AddTrust's other roots [mk][rq] */
    {{{"C", "SE"},
      {"O", "AddTrust AB"},
      {"OU", "AddTrust TTP Network"},
      {"CN", "AddTrust Class 1 CA Root"}},
     "AddTrust Class 1 CA Root",
     {RR_EXPIRED, 2020, 5, 30, NULL}},
    {{{"C", "SE"},
      {"O", "AddTrust AB"},
      {"OU", "AddTrust TTP Network"},
      {"CN", "AddTrust Public CA Root"}},
     "AddTrust Public CA Root",
     {RR_EXPIRED, 2020, 5, 30, NULL}},
    {{{"C", "SE"},
      {"O", "AddTrust AB"},
      {"OU", "AddTrust TTP Network"},
      {"CN", "AddTrust Qualified CA Root"}},
     "AddTrust Qualified CA Root",
     {RR_EXPIRED, 2020, 5, 30, NULL}},
    /* Comodo/Sectigo's older roots [ev][mk] */
    {{{"C", "US"},
      {"ST", "UT"},
      {"L", "Salt Lake City"},
      {"O", "The USERTRUST Network"},
      {"OU", "http://www.usertrust.com"},
      {"CN", "UTN-USERFirst-Hardware"}},
     "UTN-USERFirst-Hardware",
     {RR_EXPIRED, 2019, 7, 9, NULL}},
    {{{"C", "GB"},
      {"ST", "Greater Manchester"},
      {"L", "Salford"},
      {"O", "Comodo CA Limited"},
      {"CN", "Secure Certificate Services"}},
     "Comodo Secure Certificate Services",
     {RR_LISTED_COMODO}},
    {{{"C", "GB"},
      {"ST", "Greater Manchester"},
      {"L", "Salford"},
      {"O", "Comodo CA Limited"},
      {"CN", "Trusted Certificate Services"}},
     "Comodo Trusted Certificate Services",
     {RR_LISTED_COMODO}},
    {{{"C", "US"},
      {"O", "Network Solutions L.L.C."},
      {"CN", "Network Solutions Certificate Authority"}},
     "Network Solutions Certificate Authority",
     {RR_REMOVED, 2023, 3, 9, NULL}},
    /* Symantec's (VeriSign, GeoTrust, thawte) [ev][mk][rq] */
    {{{"C", "US"},
      {"O", "VeriSign, Inc."},
      {"OU", "VeriSign Trust Network"},
      {"OU", "(c) 1999 VeriSign, Inc. - For authorized use only"},
      {"CN", "VeriSign Class 3 Public Primary Certification Authority - G3"}},
     "VeriSign Class 3 Public Primary Certification Authority - G3",
     {RR_REMOVED, 2020, 8, 21, NULL}},
    {{{"C", "US"},
      {"O", "VeriSign, Inc."},
      {"OU", "VeriSign Trust Network"},
      {"OU", "(c) 2007 VeriSign, Inc. - For authorized use only"},
      {"CN", "VeriSign Class 3 Public Primary Certification Authority - G4"}},
     "VeriSign Class 3 Public Primary Certification Authority - G4",
     {RR_SYMANTEC_NSS363}},
    {{{"C", "US"},
      {"O", "VeriSign, Inc."},
      {"OU", "VeriSign Trust Network"},
      {"OU", "(c) 2006 VeriSign, Inc. - For authorized use only"},
      {"CN", "VeriSign Class 3 Public Primary Certification Authority - G5"}},
     "VeriSign Class 3 Public Primary Certification Authority - G5",
     {RR_SYMANTEC_NSS363}},
    {{{"C", "US"},
      {"O", "VeriSign, Inc."},
      {"OU", "VeriSign Trust Network"},
      {"OU", "(c) 2008 VeriSign, Inc. - For authorized use only"},
      {"CN", "VeriSign Universal Root Certification Authority"}},
     "VeriSign Universal Root Certification Authority",
     {RR_SYMANTEC_NSS363}},
    {{{"C", "US"}, {"O", "GeoTrust Inc."}, {"CN", "GeoTrust Global CA 2"}},
     "GeoTrust Global CA 2",
     {RR_EXPIRED, 2019, 3, 4, NULL}},
    {{{"C", "US"}, {"O", "GeoTrust Inc."}, {"CN", "GeoTrust Universal CA"}},
     "GeoTrust Universal CA",
     {RR_SYMANTEC_NSS363}},
    {{{"C", "US"}, {"O", "GeoTrust Inc."}, {"CN", "GeoTrust Universal CA 2"}},
     "GeoTrust Universal CA 2",
     {RR_SYMANTEC_NSS363}},
    {{{"C", "US"}, {"O", "GeoTrust Inc."}, {"CN", "GeoTrust Primary Certification Authority"}},
     "GeoTrust Primary Certification Authority",
     {RR_SYMANTEC_NSS363}},
    {{{"C", "US"},
      {"O", "GeoTrust Inc."},
      {"OU", "(c) 2008 GeoTrust Inc. - For authorized use only"},
      {"CN", "GeoTrust Primary Certification Authority - G3"}},
     "GeoTrust Primary Certification Authority - G3",
     {RR_SYMANTEC_NSS363}},
    {{{"C", "US"},
      {"O", "thawte, Inc."},
      {"OU", "Certification Services Division"},
      {"OU", "(c) 2006 thawte, Inc. - For authorized use only"},
      {"CN", "thawte Primary Root CA"}},
     "thawte Primary Root CA",
     {RR_SYMANTEC_NSS363}},
    {{{"C", "US"},
      {"O", "thawte, Inc."},
      {"OU", "Certification Services Division"},
      {"OU", "(c) 2008 thawte, Inc. - For authorized use only"},
      {"CN", "thawte Primary Root CA - G3"}},
     "thawte Primary Root CA - G3",
     {RR_SYMANTEC_NSS363}},
    /* others [ev][mk] */
    {{{"O", "Cybertrust, Inc"}, {"CN", "Cybertrust Global Root"}},
     "Cybertrust Global Root",
     {RR_EXPIRED, 2021, 12, 15, NULL}},
    {{{"C", "FI"}, {"O", "Sonera"}, {"CN", "Sonera Class2 CA"}},
     "Sonera Class2 CA",
     {RR_EXPIRED, 2021, 4, 6, NULL}},
    {{{"C", "BM"},
      {"O", "QuoVadis Limited"},
      {"OU", "Root Certification Authority"},
      {"CN", "QuoVadis Root Certification Authority"}},
     "QuoVadis Root Certification Authority",
     {RR_EXPIRED, 2021, 3, 17, NULL}},
    {{{"C", "PL"}, {"O", "Unizeto Sp. z o.o."}, {"CN", "Certum CA"}},
     "Certum CA",
     {RR_LISTED_CERTUM}},
    {{{"C", "FR"}, {"O", "Certplus"}, {"CN", "Class 2 Primary CA"}},
     "Certplus Class 2 Primary CA",
     {RR_EXPIRED, 2019, 7, 6, NULL}},
};

#define RR_N (sizeof(rr_roots) / sizeof(rr_roots[0]))

static X509_NAME *rr_names[RR_N];
static char rr_notes[RR_N][160]; /* each entry's note, made from its fields */
static int rr_built;             /* 0 not yet, 1 built, -1 failed (out of memory) */

/* An entry's note: "AddTrust External CA Root, expired 2020-05-30". */
static void
rr_note(const struct rr_root *r, char *out, size_t n)
{
    if (r->date.how == RR_EXPIRED)
        snprintf(out, n, "%s, expired %04u-%02u-%02u", r->name, r->date.year, r->date.month,
                 r->date.day);
    else if (r->date.how == RR_REMOVED && r->date.month == 0)
        snprintf(out, n, "%s, removed from the CA bundles in %04u", r->name, r->date.year);
    else if (r->date.how == RR_REMOVED)
        snprintf(out, n, "%s, removed from the CA bundles %04u-%02u-%02u%s%s", r->name,
                 r->date.year, r->date.month, r->date.day, r->date.with ? " with " : "",
                 r->date.with ? r->date.with : "");
    else
        snprintf(out, n,
                 "%s, removed from the CA bundles (held there until at least %04u-%02u-%02u)",
                 r->name, r->date.year, r->date.month, r->date.day);
}

static int
rr_build(void)
{
    for (size_t i = 0; i < RR_N; i++) {
        X509_NAME *nm = X509_NAME_new();
        for (size_t k = 0; nm != NULL && k < RR_ATTRS && rr_roots[i].attrs[k][0] != NULL; k++) {
            if (X509_NAME_add_entry_by_txt(nm, rr_roots[i].attrs[k][0], MBSTRING_UTF8,
                                           (const unsigned char *)rr_roots[i].attrs[k][1], -1, -1,
                                           0) != 1) {
                X509_NAME_free(nm);
                nm = NULL;
            }
        }
        if (nm == NULL) {
            retired_roots_free();
            return -1;
        }
        rr_names[i] = nm;
        rr_note(&rr_roots[i], rr_notes[i], sizeof(rr_notes[i]));
    }
    return 1;
}

const char *
retired_root_note(const X509_NAME *nm)
{
    if (nm == NULL)
        return NULL;
    if (rr_built == 0)
        rr_built = rr_build();
    for (size_t i = 0; rr_built == 1 && i < RR_N; i++)
        if (X509_NAME_cmp(rr_names[i], nm) == 0)
            return rr_notes[i];
    return NULL;
}

/* Seconds since the epoch of y-m-d 00:00:00Z (proleptic Gregorian; d may
 * be one past the month's end: the next day). */
static int64_t
rr_days(unsigned y, unsigned m, unsigned d)
{
    int yy = (int)y - (m <= 2);
    int era = yy / 400, yoe = yy - era * 400;
    int doy = (153 * ((int)m + (m > 2 ? -3 : 9)) + 2) / 5 + (int)d - 1;
    int doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return ((int64_t)era * 146097 + doe - 719468) * 86400;
}

int64_t
retired_root_until(const char *note)
{
    for (size_t i = 0; note != NULL && rr_built == 1 && i < RR_N; i++) {
        if (note != rr_notes[i])
            continue;
        const struct rr_root *r = &rr_roots[i];
        if (r->date.how == RR_REMOVED && r->date.month == 0)
            return rr_days(r->date.year, 1, 1);
        /* expired or listed that day: through it; removed: before it */
        return rr_days(r->date.year, r->date.month,
                       r->date.day + (r->date.how == RR_REMOVED ? 0 : 1));
    }
    return 0;
}

const char *
retired_root_entry(size_t i)
{
    if (rr_built == 0)
        rr_built = rr_build();
    return rr_built == 1 && i < RR_N ? rr_notes[i] : NULL;
}

void
retired_roots_free(void)
{
    for (size_t i = 0; i < RR_N; i++) {
        X509_NAME_free(rr_names[i]);
        rr_names[i] = NULL;
    }
    rr_built = 0;
}
