// SPDX-License-Identifier: GPL-2.0
/* The command line of one ksmpolicy command, and its JSON answer. */
#include <argp.h>
#include <string.h>

#include "cli.h"
#include "ksmpolicy.h"

struct parse_ctx {
	const struct cmd_syntax *syn;
	char **args;
	int n;
};

/* One command-line parse per process: the command's. */
static struct parse_ctx ctx;

static error_t parse_positional(int key, char *arg, struct argp_state *state)
{
	const struct cmd_syntax *syn = ctx.syn;

	switch (key) {
	case ARGP_KEY_ARGS:
		/* argp has moved the options in front: the rest are ours */
		ctx.args = state->argv + state->next;
		ctx.n = state->argc - state->next;
		state->next = state->argc;
		return 0;
	case ARGP_KEY_END:
		if (ctx.n < syn->min_args)
			argp_error(state, "missing arguments: %s", syn->args);
		if (syn->max_args >= 0 && ctx.n > syn->max_args)
			argp_error(state, "unexpected argument '%s'", ctx.args[syn->max_args]);
		return 0;
	default:
		return ARGP_ERR_UNKNOWN;
	}
}

int cmd_parse(const struct cmd_syntax *syn, int argc, char **argv, char ***args)
{
	/* the command's own options (if any) end the list when there are none */
	const struct argp_child children[] = {
		{ &cli_output_argp, 0, NULL, 0 },
		{ syn->options, 0, NULL, 0 },
		{},
	};
	const struct argp argp = {
		NULL, parse_positional, syn->args, syn->doc, children, NULL, NULL
	};

	ctx = (struct parse_ctx){ .syn = syn };
	cli_parse(&argp, argc, argv);
	if (args)
		*args = ctx.args;
	return ctx.n;
}

int cmd_print_json(json_t *o)
{
	/* sorted keys: ksmpolicy always printed them so, and scripts grep them */
	int err = cli_json_print_flags(o, JSON_SORT_KEYS);

	return err ? cli_err("printing the JSON answer failed: %s", strerror(-err)) : 0;
}
