/* The validity of X.509 certificates in PEM text (the kubelet's client and
 * serving certificates): a walk of the DER structure down to
 * tbsCertificate.validity and the subject's commonName, nothing else.
 * Not a verifier: srebox only asks when a certificate stops working, and
 * that needs neither libcrypto's 400 kB nor its start-up cost. */
#ifndef SREBOX_X509_H
#define SREBOX_X509_H

#include "util.h"

struct x509_info {
	int64_t not_before, not_after;	/* epoch seconds */
	char cn[128];			/* subject commonName, "" when none */
};

/* One DER certificate.  0, or -1 with err naming what is malformed. */
int x509_der_validity(const unsigned char *der, size_t n, struct x509_info *out,
		      struct sbx_err *err);

/* Every "BEGIN CERTIFICATE" block of a PEM text (keys and other blocks
 * skipped), up to max into out.  Returns how many were found (also those
 * past max), or -1 with err for a block that does not decode or parse;
 * 0 when the text holds no certificate. */
int pem_certs(const char *text, size_t n, struct x509_info *out, size_t max, struct sbx_err *err);

#endif
