/* \summary: public roots the CA bundles have dropped, by name (see
 * retired_roots.h). The names are those the roots' own certificates carry,
 * in their order; the dates are their notAfter, or when Mozilla's root
 * program removed them. */
#include "retired_roots.h"

#include <stddef.h>

#define RR_ATTRS 4

struct rr_root {
    const char *attrs[RR_ATTRS][2]; /* (type, value) in the certificate's order */
    const char *note;
};

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

void
retired_roots_free(void)
{
    for (size_t i = 0; i < RR_N; i++) {
        X509_NAME_free(rr_names[i]);
        rr_names[i] = NULL;
    }
    rr_built = 0;
}
