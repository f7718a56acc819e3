/* bash, zsh and fish completions, generated from the registry and option
 * tables (`srebox --completions SHELL`), so they cannot drift from the code.
 * The committed files in completions/ are this output; a test diffs them. */
#include "applet.h"
#include "k8s.h"

#include <stdio.h>
#include <string.h>

static size_t all_opts(const struct sbx_applet *a, const struct sbx_opt **out, size_t max)
{
	/* Menus want shorter words than --help for these two. */
	static const struct sbx_opt help[] = {
		{ 'h', "help", OPT_FLAG, NULL, NULL, "show help", NULL, NULL },
		{ 'V', "version", OPT_FLAG, NULL, NULL, "show the version", NULL, NULL },
		OPT_END,
	};
	const struct sbx_opt *tabs[8];
	size_t nt = opt_tables(a, tabs), n = 0;

	tabs[nt - 1] = help;	/* opt_tables ends with -h/-V */
	for (size_t i = 0; i < nt; i++)
		for (const struct sbx_opt *o = tabs[i]; o->longopt && n < max; o++)
			if (opt_offered(a, o))
				out[n++] = o;
	return n;
}

/* First clause of the help text: completion menus are narrow.  Longer
 * than MENU_TEXT, it ends at a word, with an ellipsis. */
#define MENU_TEXT 60
static void short_help(char *out, size_t n, const char *help)
{
	size_t l = strcspn(help, ";(");
	bool cut = false;

	while (l && help[l - 1] == ' ')
		l--;
	if (l > MENU_TEXT) {
		l = MENU_TEXT;
		while (l && help[l] != ' ')
			l--;
		while (l && (help[l - 1] == ' ' || help[l - 1] == ','))
			l--;
		cut = true;
	}
	if (l + 4 >= n)
		l = n - 5;
	memcpy(out, help, l);
	strcpy(out + l, cut ? "\u2026" : "");
}

/* What each -o format gives, for the menus that show one per value. */
static const char *format_help(const struct sbx_applet *a, const char *fmt, size_t len)
{
	static const struct {
		const char *name, *help;
	} h[] = {
		{ "table", "aligned columns for people" },
		{ "wide", "the table with its wide columns" },
		{ "json", "one JSON object per report, for jq" },
		{ "prom", "Prometheus text exposition" },
		{ "check", "a monitoring-plugins line and exit status" },
		{ "name", "what needs attention: check ids, one a line" },
	};

	if (len == 4 && !strncmp(fmt, "name", 4) && !(a->flags & AP_PROBE))
		return "object names, one a line, for xargs";
	for (size_t i = 0; i < ARRAY_SIZE(h); i++)
		if (strlen(h[i].name) == len && !strncmp(h[i].name, fmt, len))
			return h[i].help;
	return "";
}

static bool is_output(const struct sbx_opt *o)
{
	return o == &sbx_common_output_opts[0];
}

static bool is_threshold(const struct sbx_opt *o)
{
	return o == &sbx_common_check_opts[0] || o == &sbx_common_check_opts[1];
}

/* The values an option completes to, space separated: -o's are the
 * applet's formats, -w/-c's its check ids with a value ("load="). */
static void choices(struct buf *b, const struct sbx_applet *a, const struct sbx_opt *o)
{
	buf_reset(b);
	if (is_output(o)) {
		buf_adds(b, applet_formats(a));
		return;
	}
	if (is_threshold(o)) {
		for (const enum sbx_check_id *c = a->checks; c && *c != CHK_N; c++)
			if (check_has_value(*c))
				buf_addf(b, "%s%s=", b->len ? " " : "", sbx_checks[*c].id);
		return;
	}
	buf_adds(b, o->complete ? o->complete : "");
}

static bool is_choice(const struct sbx_opt *o)
{
	return o->type == OPT_CHOICE || is_threshold(o);
}

static void bash_value(FILE *f, const struct sbx_applet *a, const struct sbx_opt *o)
{
	struct buf b = { 0 };

	choices(&b, a, o);
	if (o->complete && str_starts(o->complete, "k8s:"))
		fprintf(f, "COMPREPLY=($(compgen -W \"$(_srebox_cluster %s %s)\" -- \"$cur\"))",
			o->complete + 4, a->name);
	else if (is_threshold(o))	/* the range follows the '=' */
		fprintf(f, "compopt -o nospace 2>/dev/null; COMPREPLY=($(compgen -W '%s' -- \"$cur\"))",
			b.s ? b.s : "");
	else if (is_choice(o))
		fprintf(f, "COMPREPLY=($(compgen -W '%s' -- \"$cur\"))", b.s ? b.s : "");
	else if (o->complete && !strcmp(o->complete, "dirs"))
		fputs("COMPREPLY=($(compgen -d -- \"$cur\"))", f);
	else if (o->complete && !strcmp(o->complete, "files"))
		fputs("COMPREPLY=($(compgen -f -- \"$cur\"))", f);
	else if (o->complete && str_starts(o->complete, "cmd:"))
		fprintf(f, "COMPREPLY=($(compgen -W \"$(srebox %s 2>/dev/null)\" -- \"$cur\"))",
			o->complete + 4);
	else
		fputs("COMPREPLY=()", f);
	buf_free(&b);
}

static void bash_positional(FILE *f, const char *c, const char *applet)
{
	if (!c)
		fputs("COMPREPLY=()", f);
	else if (str_starts(c, "k8s:"))
		fprintf(f, "COMPREPLY=($(compgen -W \"$(_srebox_cluster %s %s)\" -- \"$cur\"))",
			c + 4, applet);
	else if (!strcmp(c, "dirs"))
		fputs("COMPREPLY=($(compgen -d -- \"$cur\"))", f);
	else if (!strcmp(c, "files"))
		fputs("COMPREPLY=($(compgen -f -- \"$cur\"))", f);
	else if (!strcmp(c, "commands"))
		fputs("COMPREPLY=($(compgen -c -- \"$cur\"))", f);
	else if (str_starts(c, "cmd:"))
		fprintf(f, "COMPREPLY=($(compgen -W \"$(srebox %s 2>/dev/null)\" -- \"$cur\"))", c + 4);
	else
		fprintf(f, "COMPREPLY=($(compgen -W '%s' -- \"$cur\"))", c);
}

static void gen_bash(FILE *f, const struct sbx_applet *const *ap, size_t n)
{
	fputs("# bash completion for srebox                               -*- shell-script -*-\n"
	      "# Generated by `srebox --completions bash` from the option tables: do not edit.\n\n"
	      "# Names from the cluster that the kubectl options already typed choose\n"
	      "# (--kubeconfig, --context, -n ...): srebox --complete WHAT APPLET WORDS...\n"
	      "_srebox_cluster()\n{\n"
	      "\tlocal start=1\n"
	      "\t[[ ${COMP_WORDS[0]##*/} == srebox ]] && start=2\n"
	      "\tsrebox --complete \"$1\" \"$2\" \"${COMP_WORDS[@]:start:COMP_CWORD-start}\" 2>/dev/null\n"
	      "}\n\n",
	      f);
	for (size_t i = 0; i < n; i++) {
		const struct sbx_opt *opts[128];
		size_t no = all_opts(ap[i], opts, ARRAY_SIZE(opts));
		bool any = false;

		fprintf(f, "_srebox_%s()\n{\n\tcase $prev in\n", ap[i]->name);
		for (size_t j = 0; j < no; j++) {
			if (opts[j]->type == OPT_FLAG)
				continue;
			fputs("\t", f);
			if (opts[j]->shortopt)
				fprintf(f, "-%c|", opts[j]->shortopt);
			fprintf(f, "--%s)\n\t\t", opts[j]->longopt);
			bash_value(f, ap[i], opts[j]);
			fputs("\n\t\treturn ;;\n", f);
		}
		fputs("\tesac\n\tif [[ $cur == -* ]]; then\n\t\tCOMPREPLY=($(compgen -W '", f);
		for (size_t j = 0; j < no; j++) {
			fprintf(f, "%s--%s", any ? " " : "", opts[j]->longopt);
			any = true;
		}
		fputs("' -- \"$cur\"))\n\t\treturn\n\tfi\n\t", f);
		bash_positional(f, ap[i]->args_complete, ap[i]->name);
		fputs("\n}\n\n", f);
	}
	fputs("_srebox()\n{\n"
	      "\tlocal cur=${COMP_WORDS[COMP_CWORD]} prev=${COMP_WORDS[COMP_CWORD-1]}\n"
	      "\tlocal cmd=${COMP_WORDS[0]##*/} applet\n"
	      "\tif [[ $cur == --*=* ]]; then\n"
	      "\t\tprev=${cur%%=*}\n\t\tcur=${cur#*=}\n\tfi\n"
	      "\tcase $cmd in\n"
	      "\tsrebox)\n"
	      "\t\tif ((COMP_CWORD == 1)); then\n"
	      "\t\t\tCOMPREPLY=($(compgen -W '",
	      f);
	for (size_t i = 0; i < n; i++)
		fprintf(f, "%s ", ap[i]->name);
	fputs("--list --install --completions --help --version' -- \"$cur\"))\n"
	      "\t\t\treturn\n\t\tfi\n"
	      "\t\tapplet=${COMP_WORDS[1]} ;;\n"
	      "\tsrebox-*) applet=${cmd#srebox-} ;;\n"
	      "\t*) applet=$cmd ;;\n"
	      "\tesac\n"
	      "\tcase $applet in\n\t",
	      f);
	for (size_t i = 0; i < n; i++)
		fprintf(f, "%s%s", i ? "|" : "", ap[i]->name);
	fputs(")\n\t\t_srebox_$applet ;;\n"
	      "\t--completions)\n\t\tCOMPREPLY=($(compgen -W 'bash zsh fish' -- \"$cur\")) ;;\n"
	      "\t--install)\n\t\tCOMPREPLY=($(compgen -d -- \"$cur\")) ;;\n"
	      "\tesac\n}\n\ncomplete -F _srebox srebox",
	      f);
	for (size_t i = 0; i < n; i++)
		fprintf(f, " srebox-%s", ap[i]->name);
	fputc('\n', f);
}

static void zsh_escape(FILE *f, const char *s)
{
	for (; *s; s++) {
		if (strchr("[]:\\", *s))
			fputc('\\', f);
		if (*s == '\'')
			fputs("'\\''", f);
		else
			fputc(*s, f);
	}
}

static void zsh_action(FILE *f, const char *c, const char *applet)
{
	if (c && str_starts(c, "k8s:"))
		fprintf(f, "{compadd -- ${(f)\"$(srebox --complete %s %s "
			"\"${(@)words[2,CURRENT-1]}\" 2>/dev/null)\"}}", c + 4, applet);
	else if (!c)
		fputs(" ", f);
	else if (!strcmp(c, "dirs"))
		fputs("_files -/", f);
	else if (!strcmp(c, "files"))
		fputs("_files", f);
	else if (!strcmp(c, "commands"))
		fputs("_command_names -e", f);
	else if (str_starts(c, "cmd:"))
		fprintf(f, "{compadd -- ${(f)\"$(srebox %s 2>/dev/null)\"}}", c + 4);
	else
		fprintf(f, "(%s)", c);
}

/* -o: the applet's formats; -w/-c: its check ids, no space after their
 * '=' (the range follows); other choices as they are. */
static void zsh_values(FILE *f, const struct sbx_applet *a, const struct sbx_opt *o)
{
	struct buf b = { 0 };

	choices(&b, a, o);
	if (is_output(o))
		fprintf(f, "(%s)", b.s ? b.s : "");
	else if (is_threshold(o))
		fprintf(f, "{compadd -S \"\" -- %s}", b.s ? b.s : "");
	else
		zsh_action(f, o->complete, a->name);
	buf_free(&b);
}

static void gen_zsh(FILE *f, const struct sbx_applet *const *ap, size_t n)
{
	fputs("#compdef srebox", f);
	for (size_t i = 0; i < n; i++)
		fprintf(f, " srebox-%s", ap[i]->name);
	fputs("\n# zsh completion for srebox.\n"
	      "# Generated by `srebox --completions zsh` from the option tables: do not edit.\n\n",
	      f);
	for (size_t i = 0; i < n; i++) {
		const struct sbx_opt *opts[128];
		size_t no = all_opts(ap[i], opts, ARRAY_SIZE(opts));

		fprintf(f, "_srebox_%s()\n{\n\t_arguments -s -S", ap[i]->name);
		for (size_t j = 0; j < no; j++) {
			const struct sbx_opt *o = opts[j];
			bool arg = o->type != OPT_FLAG;
			bool rep = o->type == OPT_LIST || o->type == OPT_CALL;
			char h[80];

			short_help(h, sizeof(h), opt_text(ap[i], o));
			fputs(" \\\n\t\t", f);
			if (o->shortopt) {
				if (rep)
					fputs("'*'", f);
				else
					fprintf(f, "'(-%c --%s)'", o->shortopt, o->longopt);
				fprintf(f, "{-%c%s,--%s%s}'[", o->shortopt, arg ? "+" : "", o->longopt,
					arg ? "=" : "");
			} else {
				fprintf(f, "'%s--%s%s[", rep ? "*" : "", o->longopt, arg ? "=" : "");
			}
			zsh_escape(f, h);
			fputs("]", f);
			if (arg) {
				fputc(':', f);
				zsh_escape(f, o->arg ? o->arg : "ARG");
				fputc(':', f);
				zsh_values(f, ap[i], o);
			}
			fputs("'", f);
		}
		if (ap[i]->args_complete) {
			fputs(" \\\n\t\t'*:argument:", f);
			zsh_action(f, ap[i]->args_complete, ap[i]->name);
			fputs("'", f);
		}
		fputs("\n}\n\n", f);
	}
	fputs("_srebox()\n{\n\tlocal -a applets\n\tapplets=(\n", f);
	for (size_t i = 0; i < n; i++) {
		fprintf(f, "\t\t'%s:", ap[i]->name);
		zsh_escape(f, ap[i]->summary);
		fputs("'\n", f);
	}
	fputs("\t)\n\tcase $service in\n"
	      "\tsrebox-*)\n\t\t_srebox_${service#srebox-} ;;\n"
	      "\t*)\n"
	      "\t\tif ((CURRENT == 2)); then\n"
	      "\t\t\t_describe -t applets 'srebox applet' applets\n"
	      "\t\t\tcompadd -- --list --install --completions --help --version\n"
	      "\t\telif (($+functions[_srebox_$words[2]])); then\n"
	      "\t\t\tlocal applet=$words[2]\n"
	      "\t\t\tshift words\n\t\t\t((CURRENT--))\n"
	      "\t\t\t_srebox_$applet\n"
	      "\t\tfi ;;\n\tesac\n}\n\n_srebox \"$@\"\n",
	      f);
}

static void fish_escape(FILE *f, const char *s)
{
	for (; *s; s++) {
		if (*s == '\'' || *s == '\\')
			fputc('\\', f);
		fputc(*s, f);
	}
}

/* The fish command substitution of srebox --complete: the tokens after
 * the applet (the third on from `srebox APPLET`, the second from a link). */
static void fish_cluster(FILE *f, const char *what, const char *cmd, const char *applet)
{
	fprintf(f, "'(srebox --complete %s %s (commandline -opc)[%d..-1] 2>/dev/null)'", what,
		applet, strcmp(cmd, "srebox") ? 2 : 3);
}

static void fish_head(FILE *f, const char *cmd, const char *cond, const struct sbx_opt *o)
{
	fprintf(f, "complete -c %s", cmd);
	if (cond)
		fprintf(f, " -n '%s'", cond);
	if (o->shortopt)
		fprintf(f, " -s %c", o->shortopt);
	fprintf(f, " -l %s", o->longopt);
}

/* fish shows one description per value: a line per value, -o's formats
 * and -w/-c's checks each with their own. */
static void fish_values(FILE *f, const struct sbx_applet *a, const char *cmd, const char *cond,
			const struct sbx_opt *o)
{
	struct buf b = { 0 };
	char h[80];

	choices(&b, a, o);
	for (const char *p = b.s; p && *p;) {
		size_t l = strcspn(p, " ");
		const char *d = opt_text(a, o);

		if (is_output(o))
			d = format_help(a, p, l);
		else if (is_threshold(o)) {
			char id[48];

			snprintf(id, sizeof(id), "%.*s", (int)(l ? l - 1 : 0), p);
			d = sbx_checks[check_find(id)].what;
		}
		short_help(h, sizeof(h), d);
		fish_head(f, cmd, cond, o);
		fprintf(f, " -x -a '%.*s' -d '", (int)l, p);
		fish_escape(f, h);
		fputs("'\n", f);
		p += l;
		p += strspn(p, " ");
	}
	buf_free(&b);
}

static void fish_opt(FILE *f, const struct sbx_applet *a, const char *cmd, const char *cond,
		     const struct sbx_opt *o)
{
	char h[80];

	if (is_choice(o))
		fish_values(f, a, cmd, cond, o);
	short_help(h, sizeof(h), opt_text(a, o));
	fish_head(f, cmd, cond, o);
	if (o->type != OPT_FLAG) {
		if (o->complete && str_starts(o->complete, "k8s:")) {
			fputs(" -x -a ", f);
			fish_cluster(f, o->complete + 4, cmd, a->name);
		} else if (is_choice(o))
			fputs(" -x", f);
		else if (o->complete && !strcmp(o->complete, "dirs"))
			fputs(" -x -a '(__fish_complete_directories)'", f);
		else if (o->complete && !strcmp(o->complete, "files"))
			fputs(" -r -F", f);
		else if (o->complete && str_starts(o->complete, "cmd:"))
			fprintf(f, " -x -a '(srebox %s 2>/dev/null)'", o->complete + 4);
		else
			fputs(" -x", f);
	}
	fputs(" -d '", f);
	fish_escape(f, h);
	fputs("'\n", f);
}

static void fish_args(FILE *f, const char *cmd, const char *cond, const char *c,
		      const char *applet)
{
	if (!c)
		return;
	fprintf(f, "complete -c %s", cmd);
	if (cond)
		fprintf(f, " -n '%s'", cond);
	if (str_starts(c, "k8s:")) {
		fputs(" -a ", f);
		fish_cluster(f, c + 4, cmd, applet);
		fputc('\n', f);
	} else if (!strcmp(c, "files"))
		fputs(" -F\n", f);
	else if (!strcmp(c, "dirs"))
		fputs(" -a '(__fish_complete_directories)'\n", f);
	else if (!strcmp(c, "commands"))
		fputs(" -a '(__fish_complete_command)'\n", f);
	else if (str_starts(c, "cmd:"))
		fprintf(f, " -a '(srebox %s 2>/dev/null)'\n", c + 4);
	else
		fprintf(f, " -a '%s'\n", c);
}

static void gen_fish(FILE *f, const struct sbx_applet *const *ap, size_t n)
{
	fputs("# fish completion for srebox.\n"
	      "# Generated by `srebox --completions fish` from the option tables: do not edit.\n\n"
	      "complete -c srebox -f\n"
	      "complete -c srebox -n __fish_use_subcommand -l list -d 'list the applets'\n"
	      "complete -c srebox -n __fish_use_subcommand -l install -x -a "
	      "'(__fish_complete_directories)' -d 'make srebox-APPLET links in DIR'\n"
	      "complete -c srebox -n __fish_use_subcommand -l completions -x -a 'bash zsh fish' "
	      "-d 'print shell completions'\n"
	      "complete -c srebox -n __fish_use_subcommand -l help -d 'show help'\n"
	      "complete -c srebox -n __fish_use_subcommand -l version -d 'show the version'\n",
	      f);
	for (size_t i = 0; i < n; i++) {
		fprintf(f, "complete -c srebox -n __fish_use_subcommand -a %s -d '", ap[i]->name);
		fish_escape(f, ap[i]->summary);
		fputs("'\n", f);
	}
	for (size_t i = 0; i < n; i++) {
		const struct sbx_opt *opts[128];
		size_t no = all_opts(ap[i], opts, ARRAY_SIZE(opts));
		char cond[96], link[64];

		snprintf(cond, sizeof(cond), "__fish_seen_subcommand_from %s", ap[i]->name);
		snprintf(link, sizeof(link), "srebox-%s", ap[i]->name);
		fprintf(f, "\n# %s\ncomplete -c %s -f\n", ap[i]->name, link);
		for (size_t j = 0; j < no; j++) {
			fish_opt(f, ap[i], "srebox", cond, opts[j]);
			fish_opt(f, ap[i], link, NULL, opts[j]);
		}
		fish_args(f, "srebox", cond, ap[i]->args_complete, ap[i]->name);
		fish_args(f, link, NULL, ap[i]->args_complete, ap[i]->name);
	}
}

void completions_print(FILE *f, const char *shell, const struct sbx_applet *const *ap, size_t n)
{
	if (!strcmp(shell, "bash"))
		gen_bash(f, ap, n);
	else if (!strcmp(shell, "zsh"))
		gen_zsh(f, ap, n);
	else if (!strcmp(shell, "fish"))
		gen_fish(f, ap, n);
}

/* --- what the cluster knows: srebox --complete WHAT APPLET WORDS... ------
 *
 * The shells call this hidden entry with the words typed so far after the
 * applet, so that --kubeconfig, --context, --cluster, --user and -n on the
 * command line choose the cluster, as kubectl's own completion does.  Each
 * list asks for as little as the names need (Table rows without objects)
 * within a short deadline, and prints one name a line; any failure prints
 * nothing: a menu is no place for an error. */

#define COMPLETE_TIMEOUT 2.0

struct typed {
	struct sbx_kube_opts kube;
	const char *first_arg;	/* the applet's first positional word (a node) */
};

static const struct sbx_opt *find_opt(const struct sbx_opt *const *opts, size_t n, const char *w,
				      size_t len, bool is_long)
{
	for (size_t i = 0; i < n; i++)
		if (is_long ? strlen(opts[i]->longopt) == len && !strncmp(opts[i]->longopt, w, len)
			    : opts[i]->shortopt == *w)
			return opts[i];
	return NULL;
}

static void typed_set(struct typed *t, const struct sbx_opt *o, const char *v)
{
	if (!o || !v)
		return;
	if (!strcmp(o->longopt, "kubeconfig"))
		t->kube.kubeconfig = v;
	else if (!strcmp(o->longopt, "context"))
		t->kube.context = v;
	else if (!strcmp(o->longopt, "cluster"))
		t->kube.cluster = v;
	else if (!strcmp(o->longopt, "user"))
		t->kube.user = v;
	else if (!strcmp(o->longopt, "namespace"))
		t->kube.ns = v;
}

/* The words as the applet's options read them; bash splits --opt=value
 * into "--opt" "=" "value". */
static void typed_read(struct typed *t, const struct sbx_applet *a, int n, char **w)
{
	const struct sbx_opt *opts[128];
	size_t no = all_opts(a, opts, ARRAY_SIZE(opts));

	for (int i = 0; i < n; i++) {
		const char *s = w[i];
		const struct sbx_opt *o = NULL;
		const char *v = NULL;

		if (!strcmp(s, "--")) {
			if (i + 1 < n && !t->first_arg)
				t->first_arg = w[i + 1];
			break;
		}
		if (s[0] == '-' && s[1] == '-') {
			const char *eq = strchr(s + 2, '=');

			o = find_opt(opts, no, s + 2, eq ? (size_t)(eq - s - 2) : strlen(s + 2), true);
			if (eq)
				v = eq + 1;
		} else if (s[0] == '-' && s[1]) {
			o = find_opt(opts, no, s + 1, 1, false);
			if (o && s[2])
				v = s + 2;
		} else {
			if (!t->first_arg)
				t->first_arg = s;
			continue;
		}
		if (!o || o->type == OPT_FLAG || v)
			goto set;
		if (i + 2 < n && !strcmp(w[i + 1], "="))
			i++;
		if (i + 1 < n)
			v = w[++i];
set:
		typed_set(t, o, v);
	}
}

/* A name per row: a Table's first cell, or a plain list's metadata.name. */
enum { CN_CELL, CN_NAME };
static const char *const name_paths[] = {
	[CN_CELL] = "=rows.*.cells.*",
	[CN_NAME] = "=items.*.metadata.name",
	"columnDefinitions",
	"rows.*.object",
	"items.*.spec",
	"items.*.status",
	NULL,
};

static void on_name(void *arg, unsigned path, const struct jproj *p, const char *s, size_t n,
		    char type)
{
	struct buf v = { 0 };

	(void)arg;
	if (type != 's' || (path == CN_CELL && jproj_index(p, 4) != 0))
		return;
	if (jproj_unescape(s, n, &v) && v.len && !strchr(v.s, '\n'))
		printf("%s\n", v.s);
	buf_free(&v);
}

static void names_of(struct k8s *k, const char *path, const char *query)
{
	struct k8s_list l;
	struct sbx_err err;
	json_t *unused;

	k8s_list_init(&l, k, path, query, K8S_TABLE, name_paths);
	k8s_list_capture(&l, on_name, NULL);
	while (k8s_list_next(&l, &unused, &err) > 0)
		;
	k8s_list_free(&l);
}

int completions_cluster(const char *what, const struct sbx_applet *a, int n, char **words)
{
	struct typed t = { .kube.request_timeout = COMPLETE_TIMEOUT };
	struct sbx_err err;
	struct k8s *k;

	if (a)
		typed_read(&t, a, n, words);
	if (!strcmp(what, "contexts")) {
		struct k8s_config c;

		t.kube.contexts_only = true;
		if (k8s_config_load(&t.kube, &c, &err) < 0)
			return 1;
		if (c.contexts)	/* NULL in a pod: no kubeconfig, no contexts */
			fputs(c.contexts, stdout);
		k8s_config_free(&c);
		return 0;
	}
	if (strcmp(what, "nodes") && strcmp(what, "namespaces") && strcmp(what, "pods"))
		return 3;
	k = k8s_open(&t.kube, &err);
	if (!k)
		return 1;
	if (!strcmp(what, "nodes")) {
		names_of(k, "/api/v1/nodes", NULL);
	} else if (!strcmp(what, "namespaces")) {
		names_of(k, "/api/v1/namespaces", NULL);
	} else if (t.first_arg && a && !strcmp(a->name, "node")) {
		/* node NODE --logs POD: the pods on that node, in every namespace */
		struct buf q = { 0 }, sel = { 0 };

		buf_addf(&sel, "spec.nodeName=%s", t.first_arg);
		k8s_query_add(&q, "fieldSelector", sel.s);
		names_of(k, "/api/v1/pods", q.s);
		buf_free(&q);
		buf_free(&sel);
	} else {
		struct buf p = { 0 };

		buf_adds(&p, "/api/v1");
		if (t.kube.ns && *t.kube.ns) {
			buf_adds(&p, "/namespaces");
			k8s_path_add(&p, t.kube.ns);
		}
		buf_adds(&p, "/pods");
		names_of(k, p.s, NULL);
		buf_free(&p);
	}
	k8s_close(k);
	return 0;
}
