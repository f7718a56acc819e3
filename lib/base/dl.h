/* Optional libraries loaded on demand (as systemd does for its optional
 * dependencies): libcurl pulls in some 30 shared libraries and libproc2
 * brings libsystemd, which would make every node-local applet start
 * several times slower.  Only the applets that use them pay. */
#ifndef SREBOX_DL_H
#define SREBOX_DL_H

#include "util.h"

struct dl_sym {
	const char *name;
	void **fn;
};

/* dlopen the first of `sonames` that loads and resolve every symbol.
 * Returns the handle, or NULL with err saying which library or symbol is
 * missing (and the Debian package that provides it). */
void *dl_load(const char *const *sonames, const struct dl_sym *syms, size_t nsyms,
	      const char *package, struct sbx_err *err);

#endif
