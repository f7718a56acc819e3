#include "k8s_exec.h"

#include "base64.h"
#include "k8s_obj.h"
#include "root.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#define EXEC_OUT_MAX (1u << 20)

void k8s_cred_free(struct k8s_cred *cr)
{
	if (cr->token)
		memset(cr->token, 0, strlen(cr->token));
	free(cr->token);
	buf_free(&cr->cert_pem);
	buf_free(&cr->key_pem);
	memset(cr, 0, sizeof(*cr));
}

/* KUBERNETES_EXEC_INFO as client-go builds it (exec.go l.413-433). */
static char *exec_info(const struct k8s_config *c, bool interactive)
{
	json_t *o = json_object(), *spec = json_object();
	char *s;

	json_object_set_new(o, "kind", json_string("ExecCredential"));
	json_object_set_new(o, "apiVersion", json_string(c->exec->api_version));
	if (c->exec->provide_cluster_info) {
		json_t *cl = json_object();
		struct buf ca = { 0 }, b64 = { 0 };

		json_object_set_new(cl, "server", json_string(c->server));
		if (c->tls_server_name)
			json_object_set_new(cl, "tls-server-name", json_string(c->tls_server_name));
		if (c->insecure)
			json_object_set_new(cl, "insecure-skip-tls-verify", json_true());
		if (c->ca_pem.len)
			base64_encode(c->ca_pem.s, c->ca_pem.len, &b64);
		else if (c->ca_file && read_file(c->ca_file, &ca, 1u << 20, NULL) == 0)
			base64_encode(ca.s ? ca.s : "", ca.len, &b64);
		if (b64.len)
			json_object_set_new(cl, "certificate-authority-data", json_string(b64.s));
		if (c->proxy_url)
			json_object_set_new(cl, "proxy-url", json_string(c->proxy_url));
		json_object_set_new(cl, "config", json_null());
		json_object_set_new(spec, "cluster", cl);
		buf_free(&ca);
		buf_free(&b64);
	}
	json_object_set_new(spec, "interactive", json_boolean(interactive));
	json_object_set_new(o, "spec", spec);
	s = json_dumps(o, JSON_COMPACT | JSON_PRESERVE_ORDER);
	json_decref(o);
	return s;
}

static const char *plugin_name(const struct k8s_config *c)
{
	return c->exec->argv[0];
}

static int parse_cred(const struct k8s_config *c, const char *out, size_t n,
		      struct k8s_cred *cr, struct sbx_err *err)
{
	json_error_t je;
	json_t *j = json_loadb(out, n, 0, &je), *st;
	const char *tok = NULL, *cert, *key = NULL, *exp;
	int rc = -1;

	if (!j) {
		sbx_err_set(err, 0, "exec plugin %s: its output is not JSON (%s)", plugin_name(c),
			    je.text);
		return -1;
	}
	if (strcmp(k8s_str(j, "kind", ""), "ExecCredential") ||
	    strcmp(k8s_str(j, "apiVersion", ""), c->exec->api_version)) {
		sbx_err_set(err, 0, "exec plugin %s: answered kind %s apiVersion %s, not an "
			    "ExecCredential of %s", plugin_name(c), k8s_str(j, "kind", "(none)"),
			    k8s_str(j, "apiVersion", "(none)"), c->exec->api_version);
		goto out;
	}
	st = json_object_get(j, "status");
	tok = k8s_str(st, "token", NULL);
	cert = k8s_str(st, "clientCertificateData", NULL);
	key = k8s_str(st, "clientKeyData", NULL);
	exp = k8s_str(st, "expirationTimestamp", NULL);
	if ((!tok || !*tok) && !(cert && *cert && key && *key)) {
		sbx_err_set(err, 0, "exec plugin %s: the ExecCredential has neither a token nor a "
			    "client certificate and key", plugin_name(c));
		goto out;
	}
	if ((cert && *cert) != (key && *key)) {
		sbx_err_set(err, 0, "exec plugin %s: a client certificate needs its key",
			    plugin_name(c));
		goto out;
	}
	if (exp && !k8s_time_parse(exp, &cr->expiry)) {
		sbx_err_set(err, 0, "exec plugin %s: bad expirationTimestamp", plugin_name(c));
		goto out;
	}
	if (tok && *tok)
		cr->token = xstrdup(tok);
	if (cert && *cert) {
		buf_adds(&cr->cert_pem, cert);
		buf_adds(&cr->key_pem, key);
	}
	rc = 0;
out:
	/* the token is in the tree: wipe it before it goes back to malloc */
	if (tok)
		memset((char *)tok, 0, strlen(tok));
	if (key)
		memset((char *)key, 0, strlen(key));
	json_decref(j);
	return rc;
}

/* End the plugin's run: its process group (what it left behind, when it
 * has a group of its own) is killed, and the plugin reaped if it has not
 * been.  SIGKILL cannot be caught: waitpid() returns. */
static void kill_plugin(pid_t pid, bool interactive, bool exited)
{
	if (!interactive)
		kill(-pid, SIGKILL);
	if (!exited) {
		kill(pid, SIGKILL);
		while (waitpid(pid, NULL, 0) < 0 && errno == EINTR)
			;
	}
}

int k8s_exec_run(const struct k8s_config *c, double timeout, struct k8s_cred *cr,
		 struct sbx_err *err)
{
	const struct k8s_exec *e = c->exec;
	bool tty = isatty(0);
	bool interactive = strcmp(e->interactive, "Never") && tty;
	char *info;
	int pfd[2], status = 0;
	pid_t pid;
	struct buf out = { 0 };
	double deadline;
	bool timed_out = false, exited = false, eof = false, lingered = false;
	double eof_at = 0;

	memset(cr, 0, sizeof(*cr));
	if (!strcmp(e->interactive, "Always") && !tty) {
		sbx_err_set(err, 0, "exec plugin %s needs a terminal (interactiveMode Always)",
			    plugin_name(c));
		return -1;
	}
	/* Someone may be typing a password: give them time. */
	if (interactive && timeout < 300)
		timeout = 300;
	info = exec_info(c, interactive);
	if (pipe2(pfd, O_CLOEXEC) < 0) {
		sbx_err_set(err, errno, "exec plugin: pipe: %s", strerror(errno));
		free(info);
		return -1;
	}
	fflush(NULL);
	pid = fork();
	if (pid < 0) {
		sbx_err_set(err, errno, "exec plugin: fork: %s", strerror(errno));
		close(pfd[0]);
		close(pfd[1]);
		free(info);
		return -1;
	}
	if (pid == 0) {
		/* its own process group, so that a child it leaves behind is
		 * killed with it; not when a person may have to type into it,
		 * since only the terminal's foreground group may read it */
		if (!interactive)
			setpgid(0, 0);
		dup2(pfd[1], 1);
		if (!interactive) {
			int nul = open("/dev/null", O_RDONLY);

			if (nul >= 0)
				dup2(nul, 0);
		}
		for (char **p = e->env; p && *p; p++)
			putenv(*p);
		setenv("KUBERNETES_EXEC_INFO", info, 1);
		signal(SIGPIPE, SIG_DFL);
		execvp(e->argv[0], e->argv);
		fprintf(stderr, "srebox: exec plugin %s: %s\n", e->argv[0], strerror(errno));
		_exit(errno == ENOENT ? 127 : 126);
	}
	if (!interactive)
		setpgid(pid, pid);	/* both sides, whichever runs first */
	close(pfd[1]);
	free(info);
	deadline = now_monotonic() + timeout;
	/* Read until the plugin has exited and its output is drained, or the
	 * deadline.  Neither end of file alone (a plugin that closes stdout and
	 * lingers) nor its exit alone (a child of it still holds stdout) may
	 * keep srebox waiting. */
	for (;;) {
		struct pollfd p = { pfd[0], POLLIN, 0 };
		double left = deadline - now_monotonic();
		char chunk[4096];
		ssize_t r;
		int ms;

		if (!exited) {
			pid_t w = waitpid(pid, &status, WNOHANG);

			if (w == pid || (w < 0 && errno == ECHILD))
				exited = true;
		}
		if (exited && eof)
			break;
		if (left <= 0) {
			timed_out = !exited;
			break;
		}
		/* after its exit, only what is already in the pipe */
		ms = exited ? 0 : (left < 0.05 ? (int)(left * 1000) + 1 : 50);
		if (eof) {
			/* it closed stdout: its answer is complete; half a second
			 * for it to exit, then it is ended and the answer used */
			if (!eof_at)
				eof_at = now_monotonic();
			if (now_monotonic() - eof_at > 0.5) {
				lingered = true;
				break;
			}
			poll(NULL, 0, ms);
			continue;
		}
		if (poll(&p, 1, ms) < 0) {
			if (errno == EINTR)
				continue;
			break;
		}
		if (!p.revents) {
			if (exited)
				break;
			continue;
		}
		r = read(pfd[0], chunk, sizeof(chunk));
		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0) {
			eof = true;
			continue;
		}
		if (out.len + (size_t)r > EXEC_OUT_MAX) {
			kill_plugin(pid, interactive, exited);
			close(pfd[0]);
			buf_free(&out);
			sbx_err_set(err, EFBIG, "exec plugin %s: output over 1 MiB", plugin_name(c));
			return -1;
		}
		buf_add(&out, chunk, (size_t)r);
	}
	close(pfd[0]);
	kill_plugin(pid, interactive, exited);
	if (timed_out) {
		sbx_err_set(err, ETIMEDOUT, "exec plugin %s gave no credential within %gs",
			    plugin_name(c), timeout);
		buf_free(&out);
		return -1;
	}
	if (!lingered && (!WIFEXITED(status) || WEXITSTATUS(status) != 0)) {
		if (WIFEXITED(status) && WEXITSTATUS(status) == 127)
			sbx_err_set(err, ENOENT, "exec plugin %s not found%s%s", plugin_name(c),
				    e->install_hint ? ": " : "", e->install_hint ? e->install_hint : "");
		else if (WIFEXITED(status))
			sbx_err_set(err, 0, "exec plugin %s failed with exit status %d",
				    plugin_name(c), WEXITSTATUS(status));
		else
			sbx_err_set(err, 0, "exec plugin %s killed by signal %d", plugin_name(c),
				    WTERMSIG(status));
		buf_free(&out);
		return -1;
	}
	status = parse_cred(c, out.s ? out.s : "", out.len, cr, err);
	if (out.s)
		memset(out.s, 0, out.len);
	buf_free(&out);
	return status;
}
