#include "k8s_config.h"

#include "base64.h"
#include "root.h"
#include "yaml_json.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

const char *const k8s_node_kubeconfigs[] = {
	"/etc/kubernetes/kubelet.conf",
	"/etc/kubernetes/admin.conf",
	"/etc/rancher/k3s/k3s.yaml",
	NULL,
};

#define KUBECONFIG_MAX (16u << 20)

void k8s_config_free(struct k8s_config *c)
{
	free(c->source);
	free(c->context);
	free(c->contexts);
	free(c->cluster_name);
	free(c->user_name);
	free(c->server);
	free(c->ns);
	free(c->ca_file);
	buf_free(&c->ca_pem);
	free(c->tls_server_name);
	free(c->proxy_url);
	free(c->cert_file);
	free(c->key_file);
	buf_free(&c->cert_pem);
	buf_free(&c->key_pem);
	free(c->token);
	free(c->token_source);
	free(c->username);
	free(c->password);
	if (c->exec) {
		free(c->exec->api_version);
		for (char **p = c->exec->argv; p && *p; p++)
			free(*p);
		free(c->exec->argv);
		for (char **p = c->exec->env; p && *p; p++)
			free(*p);
		free(c->exec->env);
		free(c->exec->interactive);
		free(c->exec->install_hint);
		free(c->exec);
	}
	free(c->as_user);
	for (char **p = c->as_groups; p && *p; p++)
		free(*p);
	free(c->as_groups);
	free(c->note);
	memset(c, 0, sizeof(*c));
}

/* A string member, or NULL (also for "" and non-strings). */
static const char *str(json_t *o, const char *key)
{
	const char *s = json_string_value(json_object_get(o, key));

	return s && *s ? s : NULL;
}

static char *dup_or_null(const char *s)
{
	return s ? xstrdup(s) : NULL;
}

/* One named entry (cluster, context, user) and the file that defined it. */
struct entry {
	const char *name;
	json_t *body;
	size_t doc;
};

struct merged {
	struct entry *clusters, *contexts, *users;
	size_t nclusters, ncontexts, nusers, aclusters, acontexts, ausers;
	const char *current;
	size_t current_doc;
};

static void merge_list(json_t *doc, const char *list, const char *inner, size_t idx,
		       struct entry **v, size_t *n, size_t *alloc)
{
	json_t *a = json_object_get(doc, list), *e;
	size_t i;

	json_array_foreach(a, i, e) {
		const char *name = str(e, "name");
		bool dup = false;

		if (!name)
			continue;
		for (size_t k = 0; k < *n && !dup; k++)
			dup = !strcmp((*v)[k].name, name);
		if (dup)
			continue;	/* the first file that defines a name wins it whole */
		ALLOC_GROW(*v, *n + 1, *alloc);
		(*v)[*n] = (struct entry){ name, json_object_get(e, inner), idx };
		(*n)++;
	}
}

static const struct entry *find(const struct entry *v, size_t n, const char *name)
{
	for (size_t i = 0; name && i < n; i++)
		if (!strcmp(v[i].name, name))
			return &v[i];
	return NULL;
}

static void list_names(struct buf *b, const struct entry *v, size_t n)
{
	for (size_t i = 0; i < n; i++)
		buf_addf(b, "%s%s", i ? ", " : "", v[i].name);
	if (!n)
		buf_adds(b, "none");
}

/* A file path from a kubeconfig: relative to its file's directory, and
 * under $SREBOX_ROOT when the file is one of this node's. */
static char *resolve_path(const char *p, const char *dir, bool rooted_doc)
{
	if (p[0] == '/')
		return xstrdup(rooted_doc ? rooted(p) : p);
	return xasprintf("%s/%s", dir, p);
}

static int read_small(const char *path, struct buf *out, const char *what, struct sbx_err *err)
{
	struct sbx_err e;

	if (read_file(path, out, 1u << 20, &e) < 0) {
		sbx_err_set(err, e.errnum, "%s: %s", what, e.msg);
		return -1;
	}
	return 0;
}

static int decode_data(const char *b64, struct buf *out, const char *field, const char *entry,
		       struct sbx_err *err)
{
	if (!base64_decode(b64, strlen(b64), out)) {
		sbx_err_set(err, 0, "%s of \"%s\" is not valid base64", field, entry);
		return -1;
	}
	return 0;
}

static int load_cluster(struct k8s_config *c, json_t *cl, const char *dir, bool rooted_doc,
			struct sbx_err *err)
{
	const char *server = str(cl, "server"), *ca = str(cl, "certificate-authority");
	const char *cad = str(cl, "certificate-authority-data");
	size_t n;

	if (!server) {
		sbx_err_set(err, 0, "cluster \"%s\" has no server", c->cluster_name);
		return -1;
	}
	c->server = xstrdup(server);
	n = strlen(c->server);
	while (n > 0 && c->server[n - 1] == '/')
		c->server[--n] = '\0';
	if (ca && cad) {
		sbx_err_set(err, 0, "cluster \"%s\" has both certificate-authority and "
			    "certificate-authority-data", c->cluster_name);
		return -1;
	}
	c->insecure = json_is_true(json_object_get(cl, "insecure-skip-tls-verify"));
	if (c->insecure && (ca || cad)) {
		sbx_err_set(err, 0, "cluster \"%s\": a CA together with insecure-skip-tls-verify "
			    "is not allowed", c->cluster_name);
		return -1;
	}
	if (ca)
		c->ca_file = resolve_path(ca, dir, rooted_doc);
	if (cad && decode_data(cad, &c->ca_pem, "certificate-authority-data", c->cluster_name, err))
		return -1;
	c->tls_server_name = dup_or_null(str(cl, "tls-server-name"));
	c->proxy_url = dup_or_null(str(cl, "proxy-url"));
	return 0;
}

static char **str_array(json_t *a)
{
	size_t i, n = json_array_size(a), k = 0;
	char **v = xcalloc(n + 1, sizeof(char *));
	json_t *e;

	json_array_foreach(a, i, e)
		if (json_is_string(e))
			v[k++] = xstrdup(json_string_value(e));
	return v;
}

static int load_exec(struct k8s_config *c, json_t *ex, const char *dir, bool rooted_doc,
		     struct sbx_err *err)
{
	const char *api = str(ex, "apiVersion"), *cmd = str(ex, "command");
	const char *mode = str(ex, "interactiveMode");
	struct k8s_exec *e;
	json_t *args = json_object_get(ex, "args"), *env = json_object_get(ex, "env"), *it;
	size_t i, n = 0;

	if (!cmd) {
		sbx_err_set(err, 0, "user \"%s\": exec has no command", c->user_name);
		return -1;
	}
	if (!api || (strcmp(api, "client.authentication.k8s.io/v1") &&
		     strcmp(api, "client.authentication.k8s.io/v1beta1"))) {
		sbx_err_set(err, 0, "user \"%s\": exec apiVersion %s is not supported (use "
			    "client.authentication.k8s.io/v1 or v1beta1)", c->user_name,
			    api ? api : "(none)");
		return -1;
	}
	if (!mode && !strcmp(api, "client.authentication.k8s.io/v1")) {
		sbx_err_set(err, 0, "user \"%s\": interactiveMode must be set for an exec plugin "
			    "of apiVersion v1", c->user_name);
		return -1;
	}
	if (mode && strcmp(mode, "Never") && strcmp(mode, "IfAvailable") && strcmp(mode, "Always")) {
		sbx_err_set(err, 0, "user \"%s\": interactiveMode %s is not Never, IfAvailable or "
			    "Always", c->user_name, mode);
		return -1;
	}
	e = c->exec = xcalloc(1, sizeof(*e));
	e->api_version = xstrdup(api);
	e->interactive = xstrdup(mode ? mode : "IfAvailable");
	e->provide_cluster_info = json_is_true(json_object_get(ex, "provideClusterInfo"));
	e->install_hint = dup_or_null(str(ex, "installHint"));
	e->argv = xcalloc(json_array_size(args) + 2, sizeof(char *));
	/* A bare name is looked up in PATH, a path with '/' is relative to
	 * the kubeconfig (client-go does exactly this). */
	e->argv[n++] = strchr(cmd, '/') ? resolve_path(cmd, dir, rooted_doc) : xstrdup(cmd);
	json_array_foreach(args, i, it)
		if (json_is_string(it))
			e->argv[n++] = xstrdup(json_string_value(it));
	e->env = xcalloc(json_array_size(env) + 1, sizeof(char *));
	n = 0;
	json_array_foreach(env, i, it) {
		const char *name = str(it, "name"), *value = json_string_value(json_object_get(it, "value"));

		if (name)
			e->env[n++] = xasprintf("%s=%s", name, value ? value : "");
	}
	return 0;
}

static int load_user(struct k8s_config *c, json_t *u, const char *dir, bool rooted_doc,
		     struct sbx_err *err)
{
	const char *cert = str(u, "client-certificate"), *certd = str(u, "client-certificate-data");
	const char *key = str(u, "client-key"), *keyd = str(u, "client-key-data");
	const char *token = str(u, "token"), *tfile = str(u, "tokenFile");
	const char *user = str(u, "username"), *pass = str(u, "password");
	json_t *ex = json_object_get(u, "exec"), *ap = json_object_get(u, "auth-provider");
	int methods = (token || tfile) + (user || pass);

	if (methods > 1) {
		sbx_err_set(err, 0, "user \"%s\" has more than one authentication method (token "
			    "and basic auth); only one is allowed", c->user_name);
		return -1;
	}
	if ((cert || certd) != (key || keyd)) {
		sbx_err_set(err, 0, "user \"%s\" has a client %s without its %s", c->user_name,
			    cert || certd ? "certificate" : "key",
			    cert || certd ? "key" : "certificate");
		return -1;
	}
	if (json_is_object(ex) && json_is_object(ap)) {
		sbx_err_set(err, 0, "user \"%s\" has both exec and auth-provider", c->user_name);
		return -1;
	}
	if (cert)
		c->cert_file = resolve_path(cert, dir, rooted_doc);
	if (key)
		c->key_file = resolve_path(key, dir, rooted_doc);
	if (certd && decode_data(certd, &c->cert_pem, "client-certificate-data", c->user_name, err))
		return -1;
	if (keyd && decode_data(keyd, &c->key_pem, "client-key-data", c->user_name, err))
		return -1;
	if (token) {
		/* token wins over tokenFile */
		c->token = xstrdup(token);
		c->token_source = xasprintf("the token of user \"%s\"", c->user_name);
	} else if (tfile) {
		char *path = resolve_path(tfile, dir, rooted_doc);
		struct buf b = { 0 };
		char *what = xasprintf("tokenFile of user \"%s\"", c->user_name);
		int rc = read_small(path, &b, what, err);

		free(what);
		if (rc < 0) {
			free(path);
			buf_free(&b);
			return -1;
		}
		c->token = xstrdup(b.s ? str_trim(b.s) : "");
		buf_free(&b);
		c->token_source = xasprintf("the tokenFile %s of user \"%s\"", path, c->user_name);
		free(path);
	}
	if (user || pass) {
		c->username = xstrdup(user ? user : "");
		c->password = xstrdup(pass ? pass : "");
	}
	if (json_is_object(ex) && load_exec(c, ex, dir, rooted_doc, err) < 0)
		return -1;
	if (json_is_object(ap) && !c->token) {
		const char *name = str(ap, "name");
		const char *idt = str(json_object_get(ap, "config"), "id-token");

		if (name && !strcmp(name, "oidc") && idt) {
			c->token = xstrdup(idt);
			c->token_source = xasprintf("the oidc id-token of user \"%s\" (not refreshed "
						    "by srebox)", c->user_name);
		} else {
			sbx_err_set(err, 0, "user \"%s\": auth-provider %s is not supported; use an "
				    "exec credential plugin", c->user_name, name ? name : "(unnamed)");
			return -1;
		}
	}
	c->as_user = dup_or_null(str(u, "as"));
	if (json_is_array(json_object_get(u, "as-groups")))
		c->as_groups = str_array(json_object_get(u, "as-groups"));
	return 0;
}

int k8s_config_from_docs(json_t *const *docs, const char *const *names, const char *const *dirs,
			 const bool *rooted_doc, size_t n, const struct sbx_kube_opts *o,
			 struct k8s_config *c, struct sbx_err *err)
{
	struct merged m = { 0 };
	const struct entry *ctx = NULL, *cl, *us;
	const char *ctxname, *clname, *usname, *ns = NULL;
	struct buf where = { 0 };
	int rc = -1;

	for (size_t i = 0; i < n; i++) {
		const char *cur = str(docs[i], "current-context");

		merge_list(docs[i], "clusters", "cluster", i, &m.clusters, &m.nclusters, &m.aclusters);
		merge_list(docs[i], "contexts", "context", i, &m.contexts, &m.ncontexts, &m.acontexts);
		merge_list(docs[i], "users", "user", i, &m.users, &m.nusers, &m.ausers);
		if (cur && !m.current) {
			m.current = cur;
			m.current_doc = i;
		}
		buf_addf(&where, "%s%s", i ? ":" : "", names[i]);
	}
	if (o->contexts_only) {
		struct buf l = { 0 };

		for (size_t i = 0; i < m.ncontexts; i++)
			buf_addf(&l, "%s\n", m.contexts[i].name);
		c->contexts = l.s ? l.s : xstrdup("");
		rc = 0;
		goto out;
	}
	ctxname = o->context && *o->context ? o->context : m.current;
	if (ctxname) {
		ctx = find(m.contexts, m.ncontexts, ctxname);
		if (!ctx) {
			struct buf l = { 0 };

			list_names(&l, m.contexts, m.ncontexts);
			sbx_err_set(err, 0, "context \"%s\" not found in %s (contexts: %s)", ctxname,
				    where.s, l.s);
			buf_free(&l);
			goto out;
		}
	} else if (!(o->cluster && *o->cluster)) {
		struct buf l = { 0 };

		list_names(&l, m.contexts, m.ncontexts);
		sbx_err_set(err, 0, "%s sets no current-context: use --context (contexts: %s)",
			    where.s, l.s);
		buf_free(&l);
		goto out;
	}
	clname = o->cluster && *o->cluster ? o->cluster : ctx ? str(ctx->body, "cluster") : NULL;
	usname = o->user && *o->user ? o->user : ctx ? str(ctx->body, "user") : NULL;
	c->context = dup_or_null(ctxname);
	c->cluster_name = xstrdup(clname ? clname : "");
	c->user_name = xstrdup(usname ? usname : "");
	cl = find(m.clusters, m.nclusters, clname);
	if (!cl) {
		struct buf l = { 0 };

		list_names(&l, m.clusters, m.nclusters);
		if (clname)
			sbx_err_set(err, 0, "cluster \"%s\"%s%s%s not found in %s (clusters: %s)",
				    clname, ctxname ? " of context \"" : "", ctxname ? ctxname : "",
				    ctxname ? "\"" : "", where.s, l.s);
		else
			sbx_err_set(err, 0, "context \"%s\" names no cluster", ctxname);
		buf_free(&l);
		goto out;
	}
	if (load_cluster(c, cl->body, dirs[cl->doc], rooted_doc[cl->doc], err) < 0)
		goto out;
	us = find(m.users, m.nusers, usname);
	if (!us && o->user && *o->user) {
		/* asked for by name: a typo must not become a request without
		 * credentials (kubectl: auth info "x" does not exist) */
		struct buf l = { 0 };

		list_names(&l, m.users, m.nusers);
		sbx_err_set(err, 0, "--user \"%s\" not found in %s (users: %s)", usname, where.s,
			    l.s);
		buf_free(&l);
		goto out;
	}
	if (us) {
		if (load_user(c, us->body, dirs[us->doc], rooted_doc[us->doc], err) < 0)
			goto out;
	} else if (usname) {
		c->note = xasprintf("user \"%s\" is not defined in %s: no credentials sent", usname,
				    where.s);
	}
	if (ctx)
		ns = str(ctx->body, "namespace");
	c->ns = xstrdup(o->ns && *o->ns ? o->ns : ns ? ns : "default");
	rc = 0;
out:
	free(m.clusters);
	free(m.contexts);
	free(m.users);
	buf_free(&where);
	return rc;
}

static bool is_file(const char *p)
{
	struct stat st;

	return stat(p, &st) == 0 && S_ISREG(st.st_mode);
}

static char *dir_of(const char *path)
{
	const char *slash = strrchr(path, '/');

	if (!slash)
		return xstrdup(".");
	if (slash == path)
		return xstrdup("/");
	return xstrndup(path, (size_t)(slash - path));
}

/* Parse the given files and resolve; `rooted_doc` for node kubeconfigs. */
static int from_files(char **files, size_t n, bool rooted_doc, const struct sbx_kube_opts *o,
		      struct k8s_config *c, struct sbx_err *err)
{
	json_t **docs = xcalloc(n, sizeof(json_t *));
	char **dirs = xcalloc(n, sizeof(char *));
	bool *rooted_v = xcalloc(n, sizeof(bool));
	size_t ok = 0;
	int rc = -1;

	for (size_t i = 0; i < n; i++) {
		struct buf b = { 0 };
		struct sbx_err e;

		if (read_file(files[i], &b, KUBECONFIG_MAX, &e) < 0) {
			sbx_err_set(err, e.errnum, "kubeconfig %s", e.msg);
			buf_free(&b);
			goto out;
		}
		docs[i] = yaml_to_json(b.s ? b.s : "", b.len, files[i], &e);
		buf_free(&b);
		if (!docs[i]) {
			sbx_err_set(err, 0, "kubeconfig %s", e.msg);
			goto out;
		}
		if (!json_is_object(docs[i])) {
			sbx_err_set(err, 0, "kubeconfig %s: not a mapping", files[i]);
			goto out;
		}
		dirs[i] = dir_of(files[i]);
		rooted_v[i] = rooted_doc;
		ok++;
	}
	rc = k8s_config_from_docs(docs, (const char *const *)files, (const char *const *)dirs,
				  rooted_v, ok, o, c, err);
out:
	for (size_t i = 0; i < n; i++) {
		json_decref(docs[i]);
		free(dirs[i]);
	}
	free(docs);
	free(dirs);
	free(rooted_v);
	return rc;
}

static const char *sa_dir(void)
{
	const char *d = getenv("SREBOX_SERVICEACCOUNT_DIR");

	return d && *d ? d : K8S_SA_DIR;
}

static int in_cluster(const struct sbx_kube_opts *o, struct k8s_config *c, struct sbx_err *err)
{
	const char *host = getenv("KUBERNETES_SERVICE_HOST"), *port = getenv("KUBERNETES_SERVICE_PORT");
	const char *pns = getenv("POD_NAMESPACE");
	char *path;
	struct buf b = { 0 };

	path = xasprintf("%s/token", sa_dir());
	if (read_small(path, &b, "service account token", err) < 0) {
		free(path);
		buf_free(&b);
		return -1;
	}
	c->token = xstrdup(b.s ? str_trim(b.s) : "");
	c->token_source = xasprintf("the service account token %s", path);
	buf_free(&b);
	free(path);
	c->server = strchr(host, ':') ? xasprintf("https://[%s]:%s", host, port)
				      : xasprintf("https://%s:%s", host, port);
	path = xasprintf("%s/ca.crt", sa_dir());
	if (is_file(path))
		c->ca_file = path;
	else
		free(path);
	if (o->ns && *o->ns) {
		c->ns = xstrdup(o->ns);
	} else if (pns && *pns) {
		c->ns = xstrdup(pns);
	} else {
		path = xasprintf("%s/namespace", sa_dir());
		if (read_file(path, &b, 4096, NULL) == 0 && b.s && *str_trim(b.s))
			c->ns = xstrdup(str_trim(b.s));
		else
			c->ns = xstrdup("default");
		buf_free(&b);
		free(path);
	}
	c->source = xstrdup("in-cluster service account");
	c->context = xstrdup("");
	c->cluster_name = xstrdup("");
	c->user_name = xstrdup("");
	return 0;
}

int k8s_config_load(const struct sbx_kube_opts *o, struct k8s_config *c, struct sbx_err *err)
{
	const char *env = getenv("KUBECONFIG"), *home = getenv("HOME");
	const char *host = getenv("KUBERNETES_SERVICE_HOST"), *port = getenv("KUBERNETES_SERVICE_PORT");
	char **files = NULL;
	size_t n = 0, alloc = 0;
	bool explicit = (o->kubeconfig && *o->kubeconfig) || (env && *env);
	struct buf tried = { 0 };
	int rc = -1;

	memset(c, 0, sizeof(*c));
	if (o->kubeconfig && *o->kubeconfig) {
		if (!is_file(o->kubeconfig)) {
			sbx_err_set(err, ENOENT, "--kubeconfig %s: %s", o->kubeconfig,
				    access(o->kubeconfig, F_OK) ? "no such file" : "not a file");
			return -1;
		}
		ALLOC_GROW(files, n + 1, alloc);
		files[n++] = xstrdup(o->kubeconfig);
	} else if (env && *env) {
		char *copy = xstrdup(env), *save = NULL;

		for (char *f = strtok_r(copy, ":", &save); f; f = strtok_r(NULL, ":", &save)) {
			bool dup = false;

			for (size_t i = 0; i < n && !dup; i++)
				dup = !strcmp(files[i], f);
			if (dup || !is_file(f))
				continue;
			ALLOC_GROW(files, n + 1, alloc);
			files[n++] = xstrdup(f);
		}
		free(copy);
		buf_addf(&tried, "no file of KUBECONFIG=%s exists; ", env);
	} else if (home && *home) {
		char *f = xasprintf("%s/.kube/config", home);

		if (is_file(f)) {
			ALLOC_GROW(files, n + 1, alloc);
			files[n++] = f;
		} else {
			buf_addf(&tried, "no %s; ", f);
			free(f);
		}
	}
	if (n) {
		rc = from_files(files, n, false, o, c, err);
		if (rc == 0) {
			struct buf s = { 0 };

			for (size_t i = 0; i < n; i++)
				buf_addf(&s, "%s%s", i ? ":" : "", files[i]);
			c->source = s.s;
		}
		goto out;
	}
	if (host && *host && port && *port) {
		rc = in_cluster(o, c, err);
		goto out;
	}
	buf_adds(&tried, "not in a pod (KUBERNETES_SERVICE_HOST unset)");
	if (!explicit) {
		for (const char *const *p = k8s_node_kubeconfigs; *p; p++) {
			char *f = xstrdup(rooted(*p));

			if (access(f, R_OK) != 0) {
				free(f);
				continue;
			}
			rc = from_files(&f, 1, true, o, c, err);
			if (rc == 0) {
				c->source = xasprintf("%s, this node's own kubeconfig", f);
				c->from_node = true;
			}
			free(f);
			goto out;
		}
		buf_adds(&tried, "; no readable kubeconfig of this node (");
		for (const char *const *p = k8s_node_kubeconfigs; *p; p++)
			buf_addf(&tried, "%s%s", p == k8s_node_kubeconfigs ? "" : ", ", rooted(*p));
		buf_adds(&tried, ")");
	}
	sbx_err_set(err, ENOENT, "no Kubernetes configuration: %s; use --kubeconfig or KUBECONFIG",
		    tried.s);
out:
	if (rc < 0)
		k8s_config_free(c);
	for (size_t i = 0; i < n; i++)
		free(files[i]);
	free(files);
	buf_free(&tried);
	return rc;
}
