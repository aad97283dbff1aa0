/* \summary: public roots the CA bundles have dropped, by name (see
 * retired_roots.h). The names are those the roots' own certificates carry,
 * in their order; the dates are their notAfter, or when Mozilla's root
 * program removed them. None is in Debian 12's ca-certificates
 * (20230311+deb12u1, /etc/ssl/certs/ca-certificates.crt; Baltimore
 * CyberTrust Root, SecureTrust CA, Secure Global CA and XRamp still are,
 * so they are not here).
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
 * UTN-USERFirst-Hardware's notAfter: 2019-07-09, as listed with its
 * subject in public expired-root lists (and its [ev] entry). */
#include "retired_roots.h"

#include <stddef.h>
#include <stdio.h>
#include <string.h>

#define RR_ATTRS 6

struct rr_root {
    const char *attrs[RR_ATTRS][2]; /* (type, value) in the certificate's order */
    const char *note;
};

#define RR_SYMANTEC "distrusted with Symantec's roots"

static const struct rr_root rr_roots[] = {
    {{{"C", "SE"},
      {"O", "AddTrust AB"},
      {"OU", "AddTrust External TTP Network"},
      {"CN", "AddTrust External CA Root"}},
     "AddTrust External CA Root, expired 2020-05-30"},
    {{{"C", "US"}, {"O", "Equifax"}, {"OU", "Equifax Secure Certificate Authority"}},
     "Equifax Secure Certificate Authority, expired 2018-08-22"},
    {{{"O", "Digital Signature Trust Co."}, {"CN", "DST Root CA X3"}},
     "DST Root CA X3, expired 2021-09-30"},
    {{{"OU", "GlobalSign Root CA - R2"}, {"O", "GlobalSign"}, {"CN", "GlobalSign"}},
     "GlobalSign Root CA - R2, expired 2021-12-15"},
    {{{"C", "US"}, {"O", "GeoTrust Inc."}, {"CN", "GeoTrust Global CA"}},
     "GeoTrust Global CA, removed with Symantec's roots in 2020"},
    {{{"C", "US"},
      {"O", "VeriSign, Inc."},
      {"OU", "Class 3 Public Primary Certification Authority"}},
     "VeriSign Class 3 Public Primary Certification Authority, removed in 2015"},
    /* AddTrust's other roots [mk][rq] */
    {{{"C", "SE"},
      {"O", "AddTrust AB"},
      {"OU", "AddTrust TTP Network"},
      {"CN", "AddTrust Class 1 CA Root"}},
     "AddTrust Class 1 CA Root, expired 2020-05-30"},
    {{{"C", "SE"},
      {"O", "AddTrust AB"},
      {"OU", "AddTrust TTP Network"},
      {"CN", "AddTrust Public CA Root"}},
     "AddTrust Public CA Root, expired 2020-05-30"},
    {{{"C", "SE"},
      {"O", "AddTrust AB"},
      {"OU", "AddTrust TTP Network"},
      {"CN", "AddTrust Qualified CA Root"}},
     "AddTrust Qualified CA Root, expired 2020-05-30"},
    /* Comodo/Sectigo's older roots [ev][mk] */
    {{{"C", "US"},
      {"ST", "UT"},
      {"L", "Salt Lake City"},
      {"O", "The USERTRUST Network"},
      {"OU", "http://www.usertrust.com"},
      {"CN", "UTN-USERFirst-Hardware"}},
     "UTN-USERFirst-Hardware, expired 2019-07-09"},
    {{{"C", "GB"},
      {"ST", "Greater Manchester"},
      {"L", "Salford"},
      {"O", "Comodo CA Limited"},
      {"CN", "Secure Certificate Services"}},
     "Comodo Secure Certificate Services, removed from the CA bundles"},
    {{{"C", "GB"},
      {"ST", "Greater Manchester"},
      {"L", "Salford"},
      {"O", "Comodo CA Limited"},
      {"CN", "Trusted Certificate Services"}},
     "Comodo Trusted Certificate Services, removed from the CA bundles"},
    {{{"C", "US"},
      {"O", "Network Solutions L.L.C."},
      {"CN", "Network Solutions Certificate Authority"}},
     "Network Solutions Certificate Authority, removed from the CA bundles"},
    /* Symantec's (VeriSign, GeoTrust, thawte) [ev][mk][rq] */
    {{{"C", "US"},
      {"O", "VeriSign, Inc."},
      {"OU", "VeriSign Trust Network"},
      {"OU", "(c) 1999 VeriSign, Inc. - For authorized use only"},
      {"CN", "VeriSign Class 3 Public Primary Certification Authority - G3"}},
     "VeriSign Class 3 Public Primary Certification Authority - G3, " RR_SYMANTEC},
    {{{"C", "US"},
      {"O", "VeriSign, Inc."},
      {"OU", "VeriSign Trust Network"},
      {"OU", "(c) 2007 VeriSign, Inc. - For authorized use only"},
      {"CN", "VeriSign Class 3 Public Primary Certification Authority - G4"}},
     "VeriSign Class 3 Public Primary Certification Authority - G4, " RR_SYMANTEC},
    {{{"C", "US"},
      {"O", "VeriSign, Inc."},
      {"OU", "VeriSign Trust Network"},
      {"OU", "(c) 2006 VeriSign, Inc. - For authorized use only"},
      {"CN", "VeriSign Class 3 Public Primary Certification Authority - G5"}},
     "VeriSign Class 3 Public Primary Certification Authority - G5, " RR_SYMANTEC},
    {{{"C", "US"},
      {"O", "VeriSign, Inc."},
      {"OU", "VeriSign Trust Network"},
      {"OU", "(c) 2008 VeriSign, Inc. - For authorized use only"},
      {"CN", "VeriSign Universal Root Certification Authority"}},
     "VeriSign Universal Root Certification Authority, " RR_SYMANTEC},
    {{{"C", "US"}, {"O", "GeoTrust Inc."}, {"CN", "GeoTrust Global CA 2"}},
     "GeoTrust Global CA 2, expired 2019-03-04"},
    {{{"C", "US"}, {"O", "GeoTrust Inc."}, {"CN", "GeoTrust Universal CA"}},
     "GeoTrust Universal CA, " RR_SYMANTEC},
    {{{"C", "US"}, {"O", "GeoTrust Inc."}, {"CN", "GeoTrust Universal CA 2"}},
     "GeoTrust Universal CA 2, " RR_SYMANTEC},
    {{{"C", "US"}, {"O", "GeoTrust Inc."}, {"CN", "GeoTrust Primary Certification Authority"}},
     "GeoTrust Primary Certification Authority, " RR_SYMANTEC},
    {{{"C", "US"},
      {"O", "GeoTrust Inc."},
      {"OU", "(c) 2008 GeoTrust Inc. - For authorized use only"},
      {"CN", "GeoTrust Primary Certification Authority - G3"}},
     "GeoTrust Primary Certification Authority - G3, " RR_SYMANTEC},
    {{{"C", "US"},
      {"O", "thawte, Inc."},
      {"OU", "Certification Services Division"},
      {"OU", "(c) 2006 thawte, Inc. - For authorized use only"},
      {"CN", "thawte Primary Root CA"}},
     "thawte Primary Root CA, " RR_SYMANTEC},
    {{{"C", "US"},
      {"O", "thawte, Inc."},
      {"OU", "Certification Services Division"},
      {"OU", "(c) 2008 thawte, Inc. - For authorized use only"},
      {"CN", "thawte Primary Root CA - G3"}},
     "thawte Primary Root CA - G3, " RR_SYMANTEC},
    /* others [ev][mk] */
    {{{"O", "Cybertrust, Inc"}, {"CN", "Cybertrust Global Root"}},
     "Cybertrust Global Root, removed from the CA bundles"},
    {{{"C", "FI"}, {"O", "Sonera"}, {"CN", "Sonera Class2 CA"}},
     "Sonera Class2 CA, expired 2021-04-06"},
    {{{"C", "BM"},
      {"O", "QuoVadis Limited"},
      {"OU", "Root Certification Authority"},
      {"CN", "QuoVadis Root Certification Authority"}},
     "QuoVadis Root Certification Authority, expired 2021-03-17"},
    {{{"C", "PL"}, {"O", "Unizeto Sp. z o.o."}, {"CN", "Certum CA"}},
     "Certum CA, removed from the CA bundles"},
    {{{"C", "FR"}, {"O", "Certplus"}, {"CN", "Class 2 Primary CA"}},
     "Certplus Class 2 Primary CA, removed from the CA bundles"},
};

#define RR_N (sizeof(rr_roots) / sizeof(rr_roots[0]))

static X509_NAME *rr_names[RR_N];
static int rr_built; /* 0 not yet, 1 built, -1 failed (out of memory) */

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
            return rr_roots[i].note;
    return NULL;
}

int64_t
retired_root_until(const char *note)
{
    const char *p;
    unsigned y = 0, m = 1, d = 1;
    if (note == NULL)
        return 0;
    if ((p = strstr(note, "expired ")) != NULL) {
        if (sscanf(p + 8, "%4u-%2u-%2u", &y, &m, &d) != 3)
            return 0;
        d++; /* the whole day */
    } else if ((p = strstr(note, "removed in ")) == NULL || sscanf(p + 11, "%4u", &y) != 1) {
        return 0;
    }
    if (y < 1970 || y > 9999 || m < 1 || m > 12 || d < 1 || d > 32)
        return 0;
    /* days from the civil date (proleptic Gregorian; d may be one past the
     * month's end: the next day) */
    int yy = (int)y - (m <= 2);
    int era = yy / 400, yoe = yy - era * 400;
    int doy = (153 * ((int)m + (m > 2 ? -3 : 9)) + 2) / 5 + (int)d - 1;
    int doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return ((int64_t)era * 146097 + doe - 719468) * 86400;
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
