/* Standard base64 (RFC 4648) for kubeconfig *-data fields and the
 * certificate-authority-data an exec credential plugin receives. */
#ifndef SREBOX_BASE64_H
#define SREBOX_BASE64_H

#include "util.h"

/* Appends the decoded bytes to out.  Whitespace is skipped; padding is
 * optional; any other character outside the alphabet fails. */
bool base64_decode(const char *s, size_t n, struct buf *out);
void base64_encode(const void *data, size_t n, struct buf *out);

#endif
