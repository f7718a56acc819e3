/* Where to connect and with what credentials, resolved the way kubectl
 * (client-go's clientcmd) resolves it:
 *   --kubeconfig FILE (must exist), else $KUBECONFIG as a list (missing files
 *   skipped, duplicates dropped), else ~/.kube/config; the first file that
 *   defines a cluster, context or user wins the whole entry, the first
 *   current-context wins; relative paths resolve against their own file's
 *   directory (an exec command only when it contains a '/');
 *   else in-cluster (KUBERNETES_SERVICE_HOST/PORT and the service account);
 *   else, when nothing was asked for explicitly, this node's own kubeconfigs
 *   (kubelet.conf, admin.conf, k3s.yaml, under $SREBOX_ROOT) -- and `source`
 *   says which was used. */
#ifndef SREBOX_K8S_CONFIG_H
#define SREBOX_K8S_CONFIG_H

#include "util.h"

#include <jansson.h>

struct k8s_exec {
	char *api_version;
	char **argv;		/* command (resolved) and args, NULL-terminated */
	char **env;		/* "NAME=value" from the kubeconfig, NULL-terminated */
	bool provide_cluster_info;
	char *interactive;	/* Never, IfAvailable, Always */
	char *install_hint;
};

/* kubectl's connection flags, as the CLI parses them. */
struct sbx_kube_opts {
	const char *kubeconfig, *context, *cluster, *user, *ns;
	double request_timeout;	/* seconds; 0: the client's default */
	bool contexts_only;	/* completion: load only the context names (k8s_config.contexts) */
};

struct k8s_config {
	char *source;		/* "~/.kube/config", "in-cluster service account", ... */
	bool from_node;		/* one of this node's own kubeconfigs */
	char *context, *cluster_name, *user_name;
	char *contexts;		/* with contexts_only: every context's name, a line each */
	char *server;		/* https://host:port[/prefix], no trailing slash */
	char *ns;
	/* TLS */
	char *ca_file;
	struct buf ca_pem;
	bool insecure;
	char *tls_server_name;
	char *proxy_url;
	/* credentials: at most one of token, username, exec; plus a client cert */
	char *cert_file, *key_file;
	struct buf cert_pem, key_pem;
	char *token;		/* token, tokenFile's content, or an oidc id-token */
	char *token_source;	/* "token", "tokenFile /path", ... for messages */
	char *username, *password;
	struct k8s_exec *exec;
	char *as_user;
	char **as_groups;	/* NULL-terminated */
	char *note;		/* a problem worth saying, e.g. an undefined user */
};

/* The well-known places, for the man page and the error that lists them. */
#define K8S_SA_DIR "/var/run/secrets/kubernetes.io/serviceaccount"
extern const char *const k8s_node_kubeconfigs[];

int k8s_config_load(const struct sbx_kube_opts *o, struct k8s_config *c, struct sbx_err *err);
void k8s_config_free(struct k8s_config *c);

/* Merge parsed kubeconfig documents (in $KUBECONFIG order) and resolve
 * the context; `names` and `dirs` are each document's file and directory,
 * `rooted` whether absolute paths inside it live under $SREBOX_ROOT.
 * Exposed for the unit tests. */
int k8s_config_from_docs(json_t *const *docs, const char *const *names, const char *const *dirs,
			 const bool *rooted, size_t n, const struct sbx_kube_opts *o,
			 struct k8s_config *c, struct sbx_err *err);

#endif
