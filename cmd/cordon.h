/* What drain shares with cordon and uncordon (cmd/cordon.c). */
#ifndef SREBOX_CMD_CORDON_H
#define SREBOX_CMD_CORDON_H

#include "applet.h"
#include "drain.h"

/* --dry-run's value, and the nodes of NODE... and -l SELECTOR (for drain too). */
bool cordon_dry(const char *s, enum drain_dry *out);
char **cordon_nodes(struct k8s *k, struct sbx_ctx *ctx, const char *selector, size_t *n,
		    struct sbx_err *err);
void cordon_nodes_free(char **v, size_t n);

#endif
