// SPDX-License-Identifier: GPL-2.0
/* ksmtop's command line (argp): the options, their checks, --list-sort-keys. */
#include <argp.h>
#include <stdio.h>
#include <string.h>

#include "cli.h"
#include "model.h"
#include "options.h"
#include "prom.h"
#include "top_sharing.h"
#include "util.h"

struct top_options top_opt = {
	.interval = 1.0, .sort = TOP_SORT_MERGING, .telemetry_path = "/metrics", .cgroup_depth = -1
};

static const char doc[] =
	"Live view of KSM: memory saved per NUMA node, cgroup and process, ksmd cost,\n"
	"merge and unmerge rates.\n"
	"\n"
	"USAGE: ksmtop [-b | -j] [-p PID] [-c CGROUP] [-s SORT] [-r ROWS] [--tree]\n"
	"              [--cgroup-depth N] [--no-events] [--no-bpf-iter]\n"
	"              [--web.listen-address [ADDR][:PORT] [--web.config.file FILE]\n"
	"               [--web.telemetry-path PATH] [--prom-processes N]] [interval [count]]\n"
	"\n"
	"EXAMPLES:\n"
	"    ksmtop                       # interactive view, 1 s refresh (h for keys)\n"
	"    ksmtop 5                     # refresh every 5 s\n"
	"    ksmtop -b 1 10               # 10 plain-text samples, one per second\n"
	"    ksmtop -j 2 3                # 3 JSON documents (one per line), every 2 s\n"
	"    ksmtop -c /vms -s profit     # the /vms subtree, biggest profit first\n"
	"    ksmtop -b --tree 1 1         # the cgroups as a tree, subtree totals\n"
	"    ksmtop -j --cgroup-depth 2   # cgroup rows two levels deep at most\n"
	"    ksmtop --web.listen-address=:10411   # exporter (and the view on a terminal)\n"
	"    ksmtop --list-probes         # which event sources work on this kernel\n"
	"\n"
	"SORT is one of: pid, comm, cgroup, merging, rmap, zero, profit, merges,\n"
	"unmerges, mode.\n"
	"\n"
	"Exit status: 0 ok, 1 error, 2 usage error.";

enum {
	OPT_PROM = 1000,
	OPT_PROM_PROCS,
	OPT_LIST_PROBES,
	OPT_TELEMETRY_PATH,
	OPT_WEB_CONFIG,
	OPT_NO_BPF_STATS,
	OPT_TREE,
	OPT_DEPTH,
	OPT_NO_EVENTS,
	OPT_LIST_SORT_KEYS,
	OPT_NO_BPF_ITER,
};

static const struct argp_option opts[] = {
	{ "batch", 'b', NULL, 0, "Plain text per interval, like top -b", 0 },
	{ "sort", 's', "SORT", 0, "Sort column (default merging)", 0 },
	{ "rows", 'r', "ROWS", 0, "At most ROWS processes and cgroups per sample", 0 },
	{ "tree", OPT_TREE, NULL, 0, "Cgroups as a tree (batch text; the view starts so)", 0 },
	{ "cgroup-depth", OPT_DEPTH, "N", 0,
	  "Cgroup rows at most N levels below the root (/ is 0); each still sums its subtree", 0 },
	{ "no-events", OPT_NO_EVENTS, NULL, 0,
	  "Load no BPF event source: KSM state from sysfs and /proc alone", 0 },
	{ "no-bpf-iter", OPT_NO_BPF_ITER, NULL, 0,
	  "Read each KSM user's /proc/PID/ksm_stat, not the BPF task iterator", 0 },
	{ "list-probes", OPT_LIST_PROBES, NULL, 0, "List event sources and exit", 0 },
	{ "list-sort-keys", OPT_LIST_SORT_KEYS, NULL, 0, "List the sort keys of -s and exit", 0 },
	{ NULL, 0, NULL, 0, "Prometheus exporter:", 1 },
	{ "web.listen-address", OPT_PROM, "[ADDR][:PORT]", 0,
	  "Serve metrics on ADDR:PORT (port " PROM_DEFAULT_PORT " if none)", 1 },
	{ "prometheus", OPT_PROM, NULL, OPTION_ALIAS, NULL, 1 },
	{ "web.telemetry-path", OPT_TELEMETRY_PATH, "PATH", 0, "Path of the metrics (/metrics)",
	  1 },
	{ "web.config.file", OPT_WEB_CONFIG, "FILE", 0,
	  "TLS and basic-auth users, in exporter-toolkit's YAML format", 1 },
	{ "prom-processes", OPT_PROM_PROCS, "N", 0,
	  "Per-process series for the N biggest KSM users (default 0: none)", 1 },
	{ "no-bpf-stats", OPT_NO_BPF_STATS, NULL, 0,
	  "Leave the kernel's BPF run-time statistics off", 1 },
	{},
};

/* [interval [count]] */
static void parse_positional(struct argp_state *state, const char *arg)
{
	switch (top_opt.nargs++) {
	case 0:
		if (!parse_seconds(arg, &top_opt.interval) || top_opt.interval < 0.05 ||
		    top_opt.interval > 86400)
			argp_error(state, "invalid interval '%s' (seconds, 0.05 to 86400)", arg);
		break;
	case 1:
		if (!parse_u64(arg, 1, UINT32_MAX, &top_opt.count))
			argp_error(state, "invalid count '%s' (1 or more)", arg);
		break;
	default:
		argp_error(state, "unexpected argument '%s'", arg);
	}
}

static error_t parse_arg(int key, char *arg, struct argp_state *state)
{
	uint64_t depth;
	int sort;

	switch (key) {
	case 'b':
		top_opt.batch = true;
		break;
	case 's':
		sort = top_sort_by_name(arg);
		if (sort < 0)
			argp_error(state, "unknown sort key '%s' (one of: %s)", arg,
				   top_sort_names());
		top_opt.sort = sort;
		break;
	case 'r':
		if (!parse_u64(arg, 1, 1000000, &top_opt.rows))
			argp_error(state, "invalid row count '%s' (1 or more)", arg);
		break;
	case OPT_PROM:
		top_opt.prom_addr = arg;
		break;
	case OPT_TELEMETRY_PATH:
		if (!prom_path_valid(arg) || !strcmp(arg, "/") || !strcmp(arg, "/healthz"))
			argp_error(state,
				   "invalid telemetry path '%s' (/ then letters, digits, ._~/-)",
				   arg);
		top_opt.telemetry_path = arg;
		break;
	case OPT_WEB_CONFIG:
		top_opt.web_config = arg;
		break;
	case OPT_NO_BPF_STATS:
		top_opt.no_bpf_stats = true;
		break;
	case OPT_PROM_PROCS:
		if (!parse_u64(arg, 0, 100000, &top_opt.prom_procs))
			argp_error(state, "invalid process series cap '%s'", arg);
		break;
	case OPT_LIST_PROBES:
		top_opt.list_probes = true;
		break;
	case OPT_LIST_SORT_KEYS:
		top_opt.list_sort_keys = true;
		break;
	case OPT_TREE:
		top_opt.tree = true;
		break;
	case OPT_DEPTH:
		if (!parse_u64(arg, 0, 4096, &depth))
			argp_error(state, "invalid cgroup depth '%s' (0 or more)", arg);
		top_opt.cgroup_depth = (int)depth;
		break;
	case OPT_NO_EVENTS:
		top_opt.no_events = true;
		break;
	case OPT_NO_BPF_ITER:
		top_opt.no_bpf_iter = true;
		break;
	case ARGP_KEY_ARG:
		parse_positional(state, arg);
		break;
	case ARGP_KEY_END:
		if (top_opt.batch && cli.json)
			argp_error(state, "-b and -j are exclusive");
		if (!top_opt.prom_addr && (top_opt.web_config || top_opt.prom_procs || top_opt.no_bpf_stats ||
				       strcmp(top_opt.telemetry_path, "/metrics")))
			argp_error(state, "exporter options need --web.listen-address");
		if (top_opt.no_events && top_opt.list_probes)
			argp_error(state, "--no-events and --list-probes are exclusive");
		break;
	default:
		return ARGP_ERR_UNKNOWN;
	}
	return 0;
}

void top_options_parse(int argc, char **argv)
{
	static const struct argp_child children[] = {
		{ &cli_output_argp, 0, NULL, 0 },
		{ &cli_filter_argp, 0, NULL, 0 },
		{ &top_sharing_argp, 0, NULL, 0 },
		{},
	};
	static const struct argp argp = { opts, parse_arg, "[interval [count]]", doc, children,
					  NULL, NULL };

	cli_parse(&argp, argc, argv);
}

/* --list-sort-keys: the keys of -s from the model's table (shell completion). */
int top_list_sort_keys(void)
{
	json_t *keys = cli.json ? json_array() : NULL;

	for (int s = 0; s < TOP_SORT_MAX; s++) {
		if (keys)
			json_array_append_new(keys, json_string(top_sort_name(s)));
		else
			puts(top_sort_name(s));
	}
	if (keys)
		return cli_json_print(json_pack("{s:o}", "sort_keys", keys)) ? CLI_EXIT_ERROR : 0;
	return fflush(stdout) ? CLI_EXIT_ERROR : CLI_EXIT_OK;
}

