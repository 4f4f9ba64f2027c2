// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <locale.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cgroup.h"
#include "cli.h"
#include "name_esc.h"
#include "procfs.h"
#include "util.h"

#ifndef KSM_BPF_VERSION
#define KSM_BPF_VERSION "unknown"
#endif

struct cli_opts cli;

const char *argp_program_version;
static char version[64];

enum { OPT_PRETTY = 0x1000 };

/* Every command lists the shared options together, after its own. */
#define CLI_GROUP 50

static const struct argp_option output_opts[] = {
	{ NULL, 0, NULL, 0, "Common options:", CLI_GROUP },
	{ "json", 'j', NULL, 0, "JSON output", CLI_GROUP },
	{ "pretty", OPT_PRETTY, NULL, 0, "Indented JSON (implies -j)", CLI_GROUP },
	{ "verbose", 'v', NULL, 0, "libbpf and loader messages on stderr", CLI_GROUP },
	{ "quiet", 'q', NULL, 0, "No start-up, progress or summary lines on stderr", CLI_GROUP },
	{ NULL, 'h', NULL, OPTION_HIDDEN, "Show this help", CLI_GROUP },
	{},
};

static error_t output_opt(int key, char *arg, struct argp_state *state)
{
	switch (key) {
	case 'j':
		cli.json = true;
		return 0;
	case OPT_PRETTY:
		cli.json = cli.pretty = true;
		return 0;
	case 'v':
		cli.verbose = true;
		return 0;
	case 'q':
		cli.quiet = true;
		return 0;
	case 'h':
		argp_state_help(state, stdout, ARGP_HELP_STD_HELP);
		return 0;
	default:
		return ARGP_ERR_UNKNOWN;
	}
}

const struct argp cli_output_argp = { output_opts, output_opt, NULL, NULL, NULL, NULL, NULL };

static const struct argp_option filter_opts[] = {
	{ "pid", 'p', "PID", 0, "Only this process", CLI_GROUP },
	{ "cgroup", 'c', "CGROUP", 0, "Only this cgroup v2 subtree (a path)", CLI_GROUP },
	{},
};

static error_t filter_opt(int key, char *arg, struct argp_state *state)
{
	uint64_t v;

	switch (key) {
	case 'p':
		if (!parse_u64(arg, 1, INT32_MAX, &v))
			argp_error(state, "invalid PID '%s'", arg);
		cli.pid = (pid_t)v;
		return 0;
	case 'c':
		if (!*arg)
			argp_error(state, "empty cgroup path");
		cli.cgroup = arg;
		return 0;
	default:
		return ARGP_ERR_UNKNOWN;
	}
}

const struct argp cli_filter_argp = { filter_opts, filter_opt, NULL, NULL, NULL, NULL, NULL };

static const struct argp_option duration_opts[] = {
	{ "duration", 'd', "SECS", 0, "Stop after SECS seconds", CLI_GROUP },
	{},
};

static error_t duration_opt(int key, char *arg, struct argp_state *state)
{
	if (key != 'd')
		return ARGP_ERR_UNKNOWN;
	if (!parse_seconds(arg, &cli.duration))
		argp_error(state, "invalid duration '%s' (seconds > 0)", arg);
	return 0;
}

const struct argp cli_duration_argp = { duration_opts, duration_opt, NULL, NULL, NULL, NULL,
					NULL };

/* errno of the first failure of stdout, 0 while it works */
static int out_err;

static int out_failed(int err)
{
	if (!out_err) {
		out_err = err;
		fprintf(stderr, "%s: standard output: %s\n", cli.prog, strerror(err));
	}
	return CLI_EXIT_ERROR;
}

int cli_out_check(void)
{
	struct pollfd p = { .fd = STDOUT_FILENO, .events = 0 };
	int last = errno; /* a failed write's, if the caller checks right after it */

	if (out_err)
		return CLI_EXIT_ERROR;
	/* events 0: only a gone reader (POLLERR on a pipe), a hangup or a closed fd */
	if (poll(&p, 1, 0) == 1 && (p.revents & (POLLERR | POLLHUP | POLLNVAL)))
		return out_failed(p.revents & POLLNVAL ? EBADF : EPIPE);
	if (ferror(stdout)) {
		/* retrying what is still buffered says why again; else the last errno */
		clearerr(stdout);
		errno = 0;
		fflush(stdout);
		return out_failed(errno ? errno : last ? last : EIO);
	}
	errno = 0;
	return fflush(stdout) == EOF ? out_failed(errno ? errno : EIO) : 0;
}

/* At exit: output that did not all reach stdout is an error, whatever main returned. */
static void check_stdout_at_exit(void)
{
	if (cli_out_check())
		_exit(CLI_EXIT_ERROR);
}

void cli_init(const char *prog)
{
	cli.prog = prog;
	/* names show as UTF-8 only where the terminal's locale is UTF-8 (name_esc.h) */
	setlocale(LC_CTYPE, "");
	snprintf(version, sizeof(version), "%s (ksm-bpf) %s", prog, KSM_BPF_VERSION);
	argp_program_version = version;
	argp_err_exit_status = CLI_EXIT_USAGE;
	/* a closed pipe is a write error every command handles (cli_out_check) */
	signal(SIGPIPE, SIG_IGN);
	atexit(check_stdout_at_exit);
}

int cli_parse(const struct argp *argp, int argc, char **argv)
{
	/* getopt names the program after argv[0] as typed: use our name */
	argv[0] = (char *)cli.prog;
	/* argp exits by itself on a usage error, with argp_err_exit_status */
	return argp_parse(argp, argc, argv, 0, NULL, NULL) ? CLI_EXIT_USAGE : 0;
}

/*
 * "PROG: PREFIXmessage\n" on stderr.  A message can quote names and file
 * contents: it is shown by the name rule (lib/name_esc.h), one line always.
 */
static void vsay(const char *prefix, const char *fmt, va_list ap)
{
	char msg[2048], shown[NAME_ESC_SIZE(sizeof(msg))];

	vsnprintf(msg, sizeof(msg), fmt, ap);
	fprintf(stderr, "%s: %s%s\n", cli.prog, prefix,
		name_escape(msg, shown, sizeof(shown)));
}

static void vreport(const char *fmt, va_list ap)
{
	char msg[2048];

	if (cli.json) {
		vsnprintf(msg, sizeof(msg), fmt, ap);
		/* name_json: a message built from untrusted bytes still makes valid JSON */
		cli_json_print(json_pack("{s:o}", "error", name_json(msg)));
	} else {
		fflush(stdout);
		vsay("", fmt, ap);
	}
}

int cli_err(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vreport(fmt, ap);
	va_end(ap);
	return CLI_EXIT_ERROR;
}

int cli_usage_err(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vreport(fmt, ap);
	va_end(ap);
	if (!cli.json)
		fprintf(stderr, "Try '%s --help' for more information.\n", cli.prog);
	return CLI_EXIT_USAGE;
}

void cli_line_err(FILE *out, const char *file, unsigned long long line, const char *fmt, ...)
{
	char msg[2048];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	name_fputs(file, out);
	fprintf(out, ":%llu: ", line);
	name_fputs(msg, out);
	fputc('\n', out);
}

void cli_info(const char *fmt, ...)
{
	va_list ap;

	if (cli.quiet)
		return;
	va_start(ap, fmt);
	vsay("", fmt, ap);
	va_end(ap);
}

void cli_warn(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsay("warning: ", fmt, ap);
	va_end(ap);
}

int cli_json_print(json_t *o)
{
	return cli_json_print_flags(o, 0);
}

int cli_json_print_flags(json_t *o, size_t flags)
{
	int r;

	if (!o)
		return -ENOMEM;
	r = json_dumpf(o, stdout, flags | (cli.pretty ? JSON_INDENT(2) : JSON_COMPACT));
	json_decref(o);
	if (r || fputc('\n', stdout) == EOF || fflush(stdout))
		return errno ? -errno : -EIO;
	return 0;
}

int cli_resolve_filter(uint64_t *cgroup_id, int *cgroup_level, char *path, size_t path_len)
{
	uint64_t id;
	int level, r;

	if (cli.pid && !pid_exists(cli.pid))
		return cli_err("no such process: %d", cli.pid);
	if (!cli.cgroup)
		return 0;
	r = cgroup_resolve(cli.cgroup, &id, &level, path, path_len);
	if (r)
		return cli_err("no such cgroup v2 directory: %s (%s)", cli.cgroup,
			       r == -EINVAL ? "not on a cgroup2 mount" : strerror(-r));
	if (cgroup_id)
		*cgroup_id = id;
	if (cgroup_level)
		*cgroup_level = level;
	return 0;
}

/* ---- subcommands ------------------------------------------------------- */

struct dispatch {
	const char *doc;
	const struct cli_cmd *cmds;
	size_t n;
	int cmd_index; /* argv index of the command word, 0 if none */
};

/* "Commands:" and one line each, as a malloc'd string (argp frees help text). */
static char *commands_text(const struct dispatch *d)
{
	char *text = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&text, &len);

	if (!f)
		return NULL;
	fprintf(f, "Commands:\n");
	for (size_t i = 0; i < d->n; i++)
		fprintf(f, "  %-9s %s\n", d->cmds[i].name, d->cmds[i].summary);
	fprintf(f, "\n'%s COMMAND --help' shows the options of a command.", cli.prog);
	fclose(f);
	return text;
}

static void list_commands(FILE *out, const struct dispatch *d)
{
	char *text = commands_text(d);

	fprintf(out, "Usage: %s [-j] [--pretty] [-v] [-q] COMMAND [OPTIONS] [ARGS]\n\n%s\n\n%s\n",
		cli.prog, d->doc, text ? text : "");
	free(text);
}

/* --help: the command list after the options */
static char *global_help(int key, const char *text, void *input)
{
	if (key == ARGP_KEY_HELP_POST_DOC)
		return commands_text(input);
	return (char *)text;
}

static error_t global_opt(int key, char *arg, struct argp_state *state)
{
	struct dispatch *d = state->input;

	switch (key) {
	case 'h':
		list_commands(stdout, d);
		exit(CLI_EXIT_OK);
	case ARGP_KEY_ARG:
		/* the command: stop here, it parses the rest itself */
		d->cmd_index = state->next - 1;
		state->next = state->argc;
		return 0;
	case ARGP_KEY_NO_ARGS:
		list_commands(stderr, d);
		exit(CLI_EXIT_USAGE);
	default:
		return output_opt(key, arg, state);
	}
}

int cli_dispatch(const char *doc, const struct cli_cmd *cmds, size_t n, int argc, char **argv)
{
	struct dispatch d = { doc, cmds, n, 0 };
	const struct argp argp = { output_opts, global_opt, "COMMAND [ARGS...]", doc, NULL,
				   global_help, NULL };
	static char prog[64];
	const char *name;

	argv[0] = (char *)cli.prog;
	if (argp_parse(&argp, argc, argv, ARGP_IN_ORDER, NULL, &d))
		return CLI_EXIT_USAGE;
	name = argv[d.cmd_index];
	for (size_t i = 0; i < n; i++) {
		if (strcmp(name, cmds[i].name))
			continue;
		/* messages and argp name the command: "ksmdebug replay: ..." */
		snprintf(prog, sizeof(prog), "%s %s", cli.prog, name);
		cli.prog = prog;
		argv[d.cmd_index] = prog;
		return cmds[i].run(argc - d.cmd_index, argv + d.cmd_index);
	}
	cli_err("unknown command '%s'", name);
	list_commands(stderr, &d);
	return CLI_EXIT_USAGE;
}
