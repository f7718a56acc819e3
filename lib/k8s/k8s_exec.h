/* client-go exec credential plugins (client.authentication.k8s.io v1 and
 * v1beta1): run the command with KUBERNETES_EXEC_INFO, read an
 * ExecCredential of the same apiVersion from its stdout.  Its stderr is
 * the user's (login prompts, errors); stdin only when interactive. */
#ifndef SREBOX_K8S_EXEC_H
#define SREBOX_K8S_EXEC_H

#include "k8s_config.h"

struct k8s_cred {
	char *token;
	struct buf cert_pem, key_pem;
	double expiry;		/* epoch seconds, 0: does not expire */
};

/* The plugin is killed after `timeout` seconds (longer when it may ask
 * the user something on a terminal). */
int k8s_exec_run(const struct k8s_config *c, double timeout, struct k8s_cred *out,
		 struct sbx_err *err);
void k8s_cred_free(struct k8s_cred *cr);

#endif
