/* \summary: a certificate name in the form Windows prints it
 * (X509Certificate2.Subject / .Issuer, CertNameToStr with CERT_X500_NAME_STR
 * and CERT_NAME_STR_REVERSE_FLAG), which Exchange's
 * Set-ReceiveConnector -TlsCertificateName "<I>issuer<S>subject" takes. */
#ifndef SMTPTAP_X509_WINNAME_H
#define SMTPTAP_X509_WINNAME_H

struct X509_name_st;

/* The name, most specific RDN first, RDNs separated by ", " and the values
 * of a multi-valued RDN by " + "; Windows' attribute keys (CN, O, OU, L, S,
 * C, E, STREET, DC, ...; "OID.n.n.n" for others); a value with a leading
 * or trailing space or one of , + = " < > # ; or a line break is put in
 * double quotes, its quotes doubled. Bytes outside printable ASCII are
 * written as \XX (RFC 4514 §2.4 style), as in the RFC 2253 form. Returns a
 * malloc'd string (NULL when out of memory). */
char *x509_winname(const struct X509_name_st *nm);

#endif
