#include "dl.h"

#include <dlfcn.h>

void *dl_load(const char *const *sonames, const struct dl_sym *syms, size_t nsyms,
	      const char *package, struct sbx_err *err)
{
	void *h = NULL;
	const char *why = "not found";

	for (const char *const *n = sonames; *n && !h; n++) {
		h = dlopen(*n, RTLD_NOW | RTLD_LOCAL);
		if (!h)
			why = dlerror();
	}
	if (!h) {
		sbx_err_set(err, 0, "cannot load %s (Debian package %s): %s", sonames[0], package, why);
		return NULL;
	}
	for (size_t i = 0; i < nsyms; i++) {
		*syms[i].fn = dlsym(h, syms[i].name);
		if (!*syms[i].fn) {
			sbx_err_set(err, 0, "%s: missing symbol %s (package %s too old?)", sonames[0],
				    syms[i].name, package);
			dlclose(h);
			return NULL;
		}
	}
	return h;
}
