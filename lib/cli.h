/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The one command-line convention of every ksm-bpf command.
 *
 * Options that mean the same in every tool are parsed here, as argp children
 * a command picks by group:
 *   cli_output_argp    -j/--json, --pretty, -v/--verbose, -q/--quiet, -h
 *   cli_filter_argp    -p/--pid PID, -c/--cgroup CGROUP
 *   cli_duration_argp  -d/--duration SECS
 * -V/--version comes from argp (argp_program_version, set by cli_init).
 * A letter means one thing in every tool; a command never reuses these
 * letters for something else.
 *
 * Exit status, the same everywhere (every man page says so):
 *   0 success, 1 run-time error, 2 usage error, 3 findings (ksmdebug).
 *
 * Errors go through cli_err(): "PROG: message" on stderr, or, under -j, one
 * {"error": "message"} object on stdout (the bpftool convention), so that a
 * JSON consumer always reads JSON.
 */
#ifndef KSM_CLI_H
#define KSM_CLI_H

#include <argp.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <sys/types.h>

#include <jansson.h>

enum cli_exit {
	CLI_EXIT_OK = 0,
	CLI_EXIT_ERROR = 1,
	CLI_EXIT_USAGE = 2,
	CLI_EXIT_FINDINGS = 3,
};

/* What the shared options set; one per process. */
struct cli_opts {
	const char *prog;   /* "ksmsnoop", "ksmdebug record": prefix of messages */
	bool json;	    /* -j */
	bool pretty;	    /* --pretty: indented JSON, implies -j */
	bool verbose;	    /* -v: libbpf and loader messages */
	bool quiet;	    /* -q: no start-up, progress or summary lines on stderr */
	pid_t pid;	    /* -p: only this process, 0 = all */
	const char *cgroup; /* -c: only this cgroup v2 subtree, NULL = all */
	double duration;    /* -d: stop after this many seconds, 0 = never */
};

extern struct cli_opts cli;

extern const struct argp cli_output_argp;
extern const struct argp cli_filter_argp;
extern const struct argp cli_duration_argp;

/*
 * Name the program for messages and --version, and make argp's usage errors
 * exit with CLI_EXIT_USAGE.  Call first in main().
 */
void cli_init(const char *prog);
/*
 * argp_parse() with the convention applied; a usage error exits the process
 * with CLI_EXIT_USAGE (as argp_error does), so the return is always 0.
 */
int cli_parse(const struct argp *argp, int argc, char **argv);

/*
 * Check -p and -c against the system: the process exists, the cgroup is a
 * cgroup v2 directory.  Fills the cgroup's id, level and canonical path
 * ("/a/b") when -c was given (any output pointer may be NULL).  Returns 0,
 * or reports the problem with cli_err() and returns CLI_EXIT_ERROR.
 */
int cli_resolve_filter(uint64_t *cgroup_id, int *cgroup_level, char *path, size_t path_len);

/* "PROG: message" on stderr, or {"error": "message"} under -j. Returns 1. */
int cli_err(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* A usage error found after parsing: message and hint, returns 2. */
int cli_usage_err(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/*
 * "FILE:LINE: message" on out (stderr, or a test's stream), for a bad line
 * of an input file.  The file name and the message (which may quote the
 * line) are shown by the name rule of name_esc.h: one line, no raw control
 * byte.
 */
void cli_line_err(FILE *out, const char *file, unsigned long long line, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));
/* "PROG: message" on stderr unless -q; never on stdout. */
void cli_info(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* "PROG: warning: message" on stderr, even under -q. */
void cli_warn(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/*
 * Output that goes away.  SIGPIPE is ignored (install_exit_signals), so a
 * closed pipe is a write error (EPIPE) like a full disk (ENOSPC): the
 * command notices, stops through its one cleanup path (its BPF programs
 * detached) and exits 1 after saying "PROG: standard output: why" once.
 *
 * cli_out_check() flushes stdout and returns 0 while it can be written;
 * CLI_EXIT_ERROR after a write error, or as soon as the reader of its pipe
 * or socket has gone (poll, without waiting), even when nothing was
 * written since: `ksmsnoop | head -1` ends on an idle system too.  Loops
 * call it once per tick.  cli_init() also checks stdout at exit, so a
 * one-shot command whose output failed exits 1, not 0.
 */
int cli_out_check(void);

/*
 * Print a JSON value as one line (indented under --pretty) on stdout and
 * free it.  Returns 0, or -errno when stdout cannot be written.
 */
int cli_json_print(json_t *o);
/* The same with extra jansson flags, e.g. JSON_REAL_PRECISION(6) for rates. */
int cli_json_print_flags(json_t *o, size_t flags);

/* Subcommands (ksmdebug, ksmpolicy): the bpftool shape. */
struct cli_cmd {
	const char *name;
	int (*run)(int argc, char **argv); /* argv[0] is "PROG NAME" */
	const char *summary;
};

/*
 * PROG [-j] [--pretty] [-v] [-q] COMMAND [ARGS]: the shared output options
 * may come before the command (and after it, in the command's own parser).
 * Runs the command and returns its exit status.
 */
int cli_dispatch(const char *doc, const struct cli_cmd *cmds, size_t n, int argc, char **argv);

#endif
