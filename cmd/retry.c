/* srebox retry: the SRE guide's retry_with_backoff done right.  Runs a
 * command until it succeeds, with exponential backoff and jitter from
 * lib/base/retry.c (the one drain uses), an overall deadline, retrying
 * only the exit codes or signals asked for; stdin, stdout and stderr are
 * the command's; signals sent to retry reach the command's process group;
 * the exit status is the last attempt's (124 when the deadline killed it,
 * as timeout(1)).  Every attempt is logged on stderr with its delay. */
#include "applet.h"
#include "retry.h"

#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static unsigned o_attempts = 5;
static double o_delay = 1, o_max_delay = 60, o_factor = 2, o_timeout, o_attempt_timeout;
static double o_kill_after = 10;
static const char *o_jitter = "band", *o_on_exit, *o_on_signal;
static bool o_quiet;

static const struct sbx_opt retry_opts[] = {
	{ 'n', "attempts", OPT_UINT, &o_attempts, "N",
	  "run the command at most N times in all (default 5; 0: until --timeout)", NULL, NULL },
	{ 'd', "delay", OPT_SECONDS, &o_delay, "SECONDS",
	  "backoff after the first failure (default 1; 500ms, 2s, 1m)", NULL, NULL },
	{ 'm', "max-delay", OPT_SECONDS, &o_max_delay, "SECONDS",
	  "no delay longer than this (default 60; 0: no cap)", NULL, NULL },
	{ 'x', "multiplier", OPT_DOUBLE, &o_factor, "FACTOR",
	  "backoff growth per failure (default 2; 1: a fixed delay)", NULL, NULL },
	{ 'j', "jitter", OPT_CHOICE, &o_jitter, "MODE",
	  "band: backoff x 0.5-1.5 (the guide's, default); full: 0-1 x; equal: 0.5-1 x; none",
	  "band full equal none", NULL },
	{ 't', "timeout", OPT_SECONDS, &o_timeout, "SECONDS",
	  "give up after SECONDS in all: no attempt starts later, and a running one is stopped "
	  "(exit 124)", NULL, NULL },
	{ 0, "attempt-timeout", OPT_SECONDS, &o_attempt_timeout, "SECONDS",
	  "stop an attempt that runs longer (a failure, status 124, retried)", NULL, NULL },
	{ 'k', "kill-after", OPT_SECONDS, &o_kill_after, "SECONDS",
	  "SIGKILL a command still running this long after SIGTERM (default 10)", NULL, NULL },
	{ 0, "on-exit", OPT_STRING, &o_on_exit, "CODES",
	  "retry only these exit codes: 1,75,100-110 (default: any but 0)", NULL, NULL },
	{ 0, "on-signal", OPT_STRING, &o_on_signal, "SIGNALS",
	  "retry only deaths by these signals: KILL,SEGV,9 (default: any)", NULL, NULL },
	{ 'q', "quiet", OPT_FLAG, &o_quiet, NULL, "log only the giving up, not each attempt", NULL,
	  NULL },
	OPT_END,
};

/* Which statuses are retried: a bitmap of exit codes and of signals. */
struct retry_on {
	bool exits_given, signals_given;
	bool exit_code[256];
	bool sig[NSIG];
};

static int parse_codes(const char *s, struct retry_on *on)
{
	char *dup = xstrdup(s), *save = NULL;
	int n = 0;

	for (char *t = strtok_r(dup, ",", &save); t; t = strtok_r(NULL, ",", &save), n++) {
		char *dash = strchr(t, '-');
		uint64_t a, b;

		if (dash)
			*dash = '\0';
		if (!parse_u64(str_trim(t), &a) || (dash && !parse_u64(str_trim(dash + 1), &b)) ||
		    a > 255 || (dash && (b > 255 || b < a))) {
			warnx_("--on-exit %s: '%s%s%s' is not an exit code 0-255 or a range of them", s,
			       t, dash ? "-" : "", dash ? dash + 1 : "");
			free(dup);
			return -1;
		}
		for (uint64_t c = a; c <= (dash ? b : a); c++)
			on->exit_code[c] = true;
	}
	free(dup);
	if (!n) {
		warnx_("--on-exit '%s': give exit codes, e.g. 1,75", s);
		return -1;
	}
	on->exits_given = true;
	return 0;
}

static int signal_number(const char *s)
{
	uint64_t v;

	if (parse_u64(s, &v))
		return v > 0 && v < NSIG ? (int)v : -1;
	if (!strncasecmp(s, "SIG", 3))
		s += 3;
	for (int i = 1; i < NSIG; i++) {
		const char *name = sigabbrev_np(i);

		if (name && !strcasecmp(name, s))
			return i;
	}
	return -1;
}

static int parse_signals(const char *s, struct retry_on *on)
{
	char *dup = xstrdup(s), *save = NULL;
	int n = 0;

	for (char *t = strtok_r(dup, ",", &save); t; t = strtok_r(NULL, ",", &save), n++) {
		int sig = signal_number(str_trim(t));

		if (sig < 0) {
			warnx_("--on-signal %s: '%s' is not a signal (a name such as KILL, or a number)",
			       s, t);
			free(dup);
			return -1;
		}
		on->sig[sig] = true;
	}
	free(dup);
	if (!n) {
		warnx_("--on-signal '%s': give signals, e.g. KILL,SEGV", s);
		return -1;
	}
	on->signals_given = true;
	return 0;
}

/* A failed attempt's status is retried: by its exit code or its signal.
 * With only --on-exit given, no death by signal is retried, and the other
 * way round; with neither, every failure is. */
static bool retryable(const struct retry_on *on, int status)
{
	if (!on->exits_given && !on->signals_given)
		return true;
	if (WIFEXITED(status))
		return on->exits_given && on->exit_code[WEXITSTATUS(status)];
	if (WIFSIGNALED(status))
		return on->signals_given && on->sig[WTERMSIG(status)];
	return false;
}

static int shell_status(int status)
{
	if (WIFEXITED(status))
		return WEXITSTATUS(status);
	if (WIFSIGNALED(status))
		return 128 + WTERMSIG(status);
	return 1;
}

static void describe(char *out, size_t n, int status, bool timed_out)
{
	if (timed_out)
		snprintf(out, n, "timed out");
	else if (WIFEXITED(status))
		snprintf(out, n, "exit %d", WEXITSTATUS(status));
	else if (WIFSIGNALED(status))
		snprintf(out, n, "killed by SIG%s%s", sigabbrev_np(WTERMSIG(status)) ?
			 sigabbrev_np(WTERMSIG(status)) : "?",
			 WCOREDUMP(status) ? " (core dumped)" : "");
	else
		snprintf(out, n, "status %d", status);
}

/* The signals retry waits for instead of handling them; the ones sent to
 * retry are passed on to the command. */
static const int fwd_signals[] = { SIGINT, SIGTERM, SIGHUP, SIGQUIT, SIGUSR1, SIGUSR2, SIGWINCH,
				   SIGCONT };

static bool ends_retrying(int sig)
{
	return sig == SIGINT || sig == SIGTERM || sig == SIGHUP || sig == SIGQUIT;
}

static void fmt_secs(char *out, size_t n, double s)
{
	if (s < 10)
		snprintf(out, n, "%.3fs", s);
	else
		snprintf(out, n, "%.1fs", s);
}

struct child {
	pid_t pid;
	int status;
	int exec_errno;		/* the command could not be run */
	bool timed_out;		/* stopped at the deadline */
	int got;		/* a signal that ends retrying, passed on */
};

/* Run one attempt until it ends; the deadline (absolute, monotonic, 0:
 * none) stops it with SIGTERM, then SIGKILL after --kill-after. */
static void run_child(char **argv, const sigset_t *mask, const sigset_t *old, double deadline,
		      struct child *c)
{
	int pfd[2];
	double kill_at = 0;
	bool termed = false, killed = false;

	memset(c, 0, sizeof(*c));
	if (pipe2(pfd, O_CLOEXEC) < 0)
		die(3, "pipe: %s", strerror(errno));
	fflush(NULL);
	c->pid = fork();
	if (c->pid < 0)
		die(3, "fork: %s", strerror(errno));
	if (c->pid == 0) {
		int e;

		setpgid(0, 0);
		signal(SIGPIPE, SIG_DFL);
		for (size_t i = 0; i < ARRAY_SIZE(fwd_signals); i++)
			signal(fwd_signals[i], SIG_DFL);
		sigprocmask(SIG_SETMASK, old, NULL);
		close(pfd[0]);
		execvp(argv[0], argv);
		e = errno;
		if (write(pfd[1], &e, sizeof(e)) < 0)
			_exit(127);
		_exit(e == ENOENT ? 127 : 126);
	}
	setpgid(c->pid, c->pid);	/* both sides: no race with a signal */
	close(pfd[1]);
	if (read(pfd[0], &c->exec_errno, sizeof(c->exec_errno)) != sizeof(c->exec_errno))
		c->exec_errno = 0;
	close(pfd[0]);
	for (;;) {
		siginfo_t si;
		struct timespec ts;
		double now = now_monotonic(), until = 0;
		int sig;
		pid_t w = waitpid(c->pid, &c->status, WNOHANG);

		if (w == c->pid)
			return;
		if (deadline > 0 && !termed && now >= deadline) {
			c->timed_out = true;
			termed = true;
			kill(-c->pid, SIGTERM);
			kill(-c->pid, SIGCONT);
			kill_at = now + o_kill_after;
		}
		if (kill_at > 0 && !killed && now >= kill_at) {
			kill(-c->pid, SIGKILL);
			killed = true;
		}
		if (deadline > 0 && !termed)
			until = deadline;
		if (kill_at > 0 && !killed)
			until = kill_at;
		if (until > 0) {
			double d = until - now;

			if (d < 0)
				d = 0;
			ts.tv_sec = (time_t)d;
			ts.tv_nsec = (long)((d - (double)ts.tv_sec) * 1e9);
		}
		sig = sigtimedwait(mask, &si, until > 0 ? &ts : NULL);
		if (sig < 0 || sig == SIGCHLD)
			continue;
		/* passed on to the whole group: the command's children too */
		kill(-c->pid, sig);
		if (ends_retrying(sig)) {
			if (!c->got)
				c->got = sig;
			if (!termed) {
				termed = true;
				kill_at = now_monotonic() + o_kill_after;
			}
		}
	}
}

/* Sleep between attempts; a signal that ends retrying ends it (returned). */
static int nap(double seconds, const sigset_t *mask)
{
	double until = now_monotonic() + seconds;

	for (;;) {
		double d = until - now_monotonic();
		struct timespec ts;
		siginfo_t si;
		int sig;

		if (d <= 0)
			return 0;
		ts.tv_sec = (time_t)d;
		ts.tv_nsec = (long)((d - (double)ts.tv_sec) * 1e9);
		sig = sigtimedwait(mask, &si, &ts);
		if (sig > 0 && ends_retrying(sig))
			return sig;
	}
}

static int retry_run(struct sbx_ctx *ctx)
{
	struct retry_policy pol = { 0 };
	struct retry_on on = { 0 };
	struct retry r = { 0 };
	sigset_t mask, old;
	double start, deadline = 0;
	unsigned attempt = 0;
	char **argv = ctx->args;

	if (!ctx->nargs) {
		warnx_("no command: srebox retry [OPTIONS] -- COMMAND [ARG...]");
		return 3;
	}
	if (o_on_exit && parse_codes(o_on_exit, &on) < 0)
		return 3;
	if (o_on_signal && parse_signals(o_on_signal, &on) < 0)
		return 3;
	if (!(o_factor >= 1) || !isfinite(o_factor) || o_factor > 1000) {
		warnx_("--multiplier %g: give a factor from 1 to 1000", o_factor);
		return 3;
	}
	if (o_delay <= 0) {
		warnx_("--delay: give a delay above 0");
		return 3;
	}
	if (!o_attempts && !o_timeout) {
		warnx_("--attempts 0 retries until --timeout, which is not given: srebox never waits "
		       "forever");
		return 3;
	}
	pol.initial = o_delay;
	pol.factor = o_factor;
	pol.max_delay = o_max_delay;
	pol.max_attempts = o_attempts;
	pol.deadline = o_timeout;
	if (!retry_jitter_parse(o_jitter, &pol.mode))
		return 3;

	sigemptyset(&mask);
	sigaddset(&mask, SIGCHLD);
	for (size_t i = 0; i < ARRAY_SIZE(fwd_signals); i++)
		sigaddset(&mask, fwd_signals[i]);
	sigprocmask(SIG_BLOCK, &mask, &old);
	/* the dispatcher's handlers are for applets that sample; here the
	 * signals are waited for */
	sigdelset(&old, SIGCHLD);
	for (size_t i = 0; i < ARRAY_SIZE(fwd_signals); i++)
		sigdelset(&old, fwd_signals[i]);

	start = now_monotonic();
	if (o_timeout > 0)
		deadline = start + o_timeout;
	retry_init(&r, &pol, start);
	for (;;) {
		struct child c;
		double t0 = now_monotonic(), d, limit = deadline;
		char what[96], took[32], next[32];
		int sig;

		attempt++;
		if (o_attempt_timeout > 0 && (!limit || t0 + o_attempt_timeout < limit))
			limit = t0 + o_attempt_timeout;
		run_child(argv, &mask, &old, limit, &c);
		fmt_secs(took, sizeof(took), now_monotonic() - t0);
		if (c.exec_errno) {
			warnx_("cannot run '%s': %s", argv[0], strerror(c.exec_errno));
			return c.exec_errno == ENOENT ? 127 : 126;
		}
		describe(what, sizeof(what), c.status, c.timed_out);
		if (c.got) {
			warnx_("attempt %u: got SIG%s, passed on to the command (%s after %s); not "
			       "retrying", attempt, sigabbrev_np(c.got), what, took);
			return 128 + c.got;
		}
		if (!c.timed_out && WIFEXITED(c.status) && WEXITSTATUS(c.status) == 0) {
			if (attempt > 1 && !o_quiet)
				warnx_("attempt %u succeeded after %s", attempt, took);
			return 0;
		}
		if (c.timed_out && deadline > 0 && limit >= deadline) {
			warnx_("attempt %u %s: --timeout %gs reached; giving up (exit 124)", attempt, what,
			       o_timeout);
			return 124;
		}
		if (!c.timed_out && !retryable(&on, c.status)) {
			warnx_("attempt %u failed: %s after %s, which --on-%s does not retry; giving up "
			       "(exit %d)", attempt, what, took,
			       WIFEXITED(c.status) ? "exit" : "signal", shell_status(c.status));
			return shell_status(c.status);
		}
		if (!retry_next(&r, now_monotonic(), &d)) {
			warnx_("attempt %u%s%u failed: %s after %s; giving up (exit %d)", attempt,
			       o_attempts ? "/" : "", o_attempts ? o_attempts : 0, what, took,
			       c.timed_out ? 124 : shell_status(c.status));
			return c.timed_out ? 124 : shell_status(c.status);
		}
		if (deadline > 0 && now_monotonic() + d >= deadline) {
			warnx_("attempt %u failed: %s after %s; the next would start after --timeout "
			       "%gs: giving up (exit %d)", attempt, what, took, o_timeout,
			       c.timed_out ? 124 : shell_status(c.status));
			return c.timed_out ? 124 : shell_status(c.status);
		}
		if (!o_quiet) {
			double lo, hi;
			char slo[32], shi[32];

			retry_bounds(&pol, attempt, &lo, &hi);
			fmt_secs(next, sizeof(next), d);
			fmt_secs(slo, sizeof(slo), lo);
			fmt_secs(shi, sizeof(shi), hi);
			if (o_attempts)
				warnx_("attempt %u/%u failed: %s after %s; next in %s (backoff %g s, "
				       "jitter %s: %s-%s)", attempt, o_attempts, what, took, next,
				       retry_backoff(&pol, attempt), o_jitter, slo, shi);
			else
				warnx_("attempt %u failed: %s after %s; next in %s (backoff %g s, "
				       "jitter %s: %s-%s)", attempt, what, took, next,
				       retry_backoff(&pol, attempt), o_jitter, slo, shi);
		}
		if ((sig = nap(d, &mask))) {
			warnx_("got SIG%s while waiting to retry; giving up (exit %d)",
			       sigabbrev_np(sig), 128 + sig);
			return 128 + sig;
		}
	}
}

const struct sbx_applet applet_retry = {
	.name = "retry",
	.examples =
		"# wait for the API server to come back after a restart\n"
		"srebox retry -n 10 -t 120 -- kubectl get --raw /readyz\n"
		"# retry a flaky download on curl's transient errors only\n"
		"srebox retry --on-exit 6,7,28,56 -- curl -fsSO https://example.org/x\n",
	.summary = "run a command until it succeeds, with exponential backoff, jitter and a deadline",
	.usage = "[OPTIONS] -- COMMAND [ARG...]",
	.description =
		"Runs COMMAND; while it fails, waits and runs it again, at most --attempts times\n"
		"in all.  The waits grow from --delay by --multiplier up to --max-delay, each\n"
		"drawn by --jitter so that clients that failed together do not retry together.\n"
		"Each attempt is logged on stderr with its status and the next delay.  Signals\n"
		"sent to retry (INT, TERM, HUP, QUIT, USR1, USR2, WINCH, CONT) are passed on to\n"
		"the command's process group; INT, TERM, HUP and QUIT also end the retrying.\n"
		"Exit status: the last attempt's (128+N for a death by signal N), 124 when\n"
		"--timeout stopped it, 126/127 when COMMAND cannot be run, 3 on bad options.",
	.flags = AP_COMMAND,
	.opts = retry_opts,
	.args_complete = "commands",
	.run = retry_run,
};
