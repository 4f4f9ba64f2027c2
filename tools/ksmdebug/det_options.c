// SPDX-License-Identifier: GPL-2.0
#include "commands.h"
#include "util.h"

struct det_config det_cfg;

enum { OPT_RACE_WINDOW = 0x2000, OPT_RETRY_LIMIT };

/* After the command's own options, before the common ones (group 50). */
#define DET_GROUP 40

static const struct argp_option det_opts[] = {
	{ NULL, 0, NULL, 0, "Detector options:", DET_GROUP },
	{ "race-window", OPT_RACE_WINDOW, "MS", 0, "migrate -> stale race window (default 1000)",
	  DET_GROUP },
	{ "retry-limit", OPT_RETRY_LIMIT, "N", 0,
	  "Retries on one node that make a storm (default 8)", DET_GROUP },
	{},
};

static error_t det_opt(int key, char *arg, struct argp_state *state)
{
	uint64_t v;

	switch (key) {
	case ARGP_KEY_INIT:
		det_config_default(&det_cfg);
		return 0;
	case OPT_RACE_WINDOW:
		if (!parse_u64(arg, 1, 600000, &v))
			argp_error(state, "invalid race window '%s' (ms)", arg);
		det_cfg.race_window_ns = v * 1000000ULL;
		return 0;
	case OPT_RETRY_LIMIT:
		if (!parse_u64(arg, 2, 1000000, &v))
			argp_error(state, "invalid retry limit '%s'", arg);
		det_cfg.retry_limit = (unsigned int)v;
		return 0;
	default:
		return ARGP_ERR_UNKNOWN;
	}
}

const struct argp det_argp = { det_opts, det_opt, NULL, NULL, NULL, NULL, NULL };
