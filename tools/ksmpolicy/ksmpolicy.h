/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The commands of ksmpolicy, for the command table in ksmpolicy.c, and the
 * one way they read their command line.  Each command parses its own
 * arguments first (a usage error exits 2 on any kernel), then asks pin.c for
 * the kernel and the pins (pin_prepare), then does its work.
 */
#ifndef KSMPOLICY_H
#define KSMPOLICY_H

#include <argp.h>

#include <jansson.h>

/* rules_cmd.c */
int cmd_set(int argc, char **argv);
int cmd_unset(int argc, char **argv);
int cmd_list(int argc, char **argv);
int cmd_explain(int argc, char **argv);
/* status.c */
int cmd_status(int argc, char **argv);
/* apply.c */
int cmd_apply(int argc, char **argv);
/* object.c */
int cmd_load(int argc, char **argv);
int cmd_unload(int argc, char **argv);

/* cmd.c: the command line a command accepts. */
struct cmd_syntax {
	const char *args;	    /* the positional arguments, for the usage line */
	const char *doc;	    /* what the command does, for --help */
	int min_args, max_args;	    /* how many positional arguments; max -1: any */
	const struct argp *options; /* the command's own options, or NULL */
};

/*
 * Parse a command's command line (argv[0] is "ksmpolicy CMD"): its own
 * options, the shared output options (-j, --pretty, -q, -v: after the
 * command too) and its positional arguments, which *args points to (in
 * argv).  A usage error exits with status 2.  Returns how many positional
 * arguments there are.
 */
int cmd_parse(const struct cmd_syntax *syn, int argc, char **argv, char ***args);

/*
 * Print a command's JSON answer with its keys sorted (and free it).  Returns
 * 0, or 1 after reporting that it could not be made (NULL) or written.
 */
int cmd_print_json(json_t *o);

#endif
