// SPDX-License-Identifier: GPL-2.0
/*
 * ksmtop: the live view of KSM. How much memory KSM saves right now, for
 * which cgroup and process, on which NUMA node, at what ksmd cost: an
 * ncurses view, plain text (-b), JSON (-j), and a Prometheus /metrics
 * exporter (--web.listen-address).
 *
 * The shape: events drain into the model every DRAIN_MS; every interval the
 * sampler reads the kernel's state and makes a sample; the outputs print it.
 */
#include <argp.h>
#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "cli.h"
#include "event_source.h"
#include "ksm_sysfs.h"
#include "model.h"
#include "prom.h"
#include "render_json.h"
#include "render_text.h"
#include "sampler.h"
#include "top_sharing.h"
#include "ui.h"
#include "util.h"

/* Drain the ring buffer this often: one wake-up per tick, not per event. */
#define DRAIN_MS 250

static struct env {
	double interval;
	uint64_t count;
	bool batch, list_probes, list_sort_keys, tree, no_events, no_bpf_iter;
	enum top_sort sort;
	uint64_t rows;
	int cgroup_depth;
	const char *prom_addr, *telemetry_path, *web_config;
	uint64_t prom_procs;
	bool no_bpf_stats;
	int nargs;
} env = {
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
	switch (env.nargs++) {
	case 0:
		if (!parse_seconds(arg, &env.interval) || env.interval < 0.05 ||
		    env.interval > 86400)
			argp_error(state, "invalid interval '%s' (seconds, 0.05 to 86400)", arg);
		break;
	case 1:
		if (!parse_u64(arg, 1, UINT32_MAX, &env.count))
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
		env.batch = true;
		break;
	case 's':
		sort = top_sort_by_name(arg);
		if (sort < 0)
			argp_error(state, "unknown sort key '%s' (one of: %s)", arg,
				   top_sort_names());
		env.sort = sort;
		break;
	case 'r':
		if (!parse_u64(arg, 1, 1000000, &env.rows))
			argp_error(state, "invalid row count '%s' (1 or more)", arg);
		break;
	case OPT_PROM:
		env.prom_addr = arg;
		break;
	case OPT_TELEMETRY_PATH:
		if (!prom_path_valid(arg) || !strcmp(arg, "/") || !strcmp(arg, "/healthz"))
			argp_error(state,
				   "invalid telemetry path '%s' (/ then letters, digits, ._~/-)",
				   arg);
		env.telemetry_path = arg;
		break;
	case OPT_WEB_CONFIG:
		env.web_config = arg;
		break;
	case OPT_NO_BPF_STATS:
		env.no_bpf_stats = true;
		break;
	case OPT_PROM_PROCS:
		if (!parse_u64(arg, 0, 100000, &env.prom_procs))
			argp_error(state, "invalid process series cap '%s'", arg);
		break;
	case OPT_LIST_PROBES:
		env.list_probes = true;
		break;
	case OPT_LIST_SORT_KEYS:
		env.list_sort_keys = true;
		break;
	case OPT_TREE:
		env.tree = true;
		break;
	case OPT_DEPTH:
		if (!parse_u64(arg, 0, 4096, &depth))
			argp_error(state, "invalid cgroup depth '%s' (0 or more)", arg);
		env.cgroup_depth = (int)depth;
		break;
	case OPT_NO_EVENTS:
		env.no_events = true;
		break;
	case OPT_NO_BPF_ITER:
		env.no_bpf_iter = true;
		break;
	case ARGP_KEY_ARG:
		parse_positional(state, arg);
		break;
	case ARGP_KEY_END:
		if (env.batch && cli.json)
			argp_error(state, "-b and -j are exclusive");
		if (!env.prom_addr && (env.web_config || env.prom_procs || env.no_bpf_stats ||
				       strcmp(env.telemetry_path, "/metrics")))
			argp_error(state, "exporter options need --web.listen-address");
		if (env.no_events && env.list_probes)
			argp_error(state, "--no-events and --list-probes are exclusive");
		break;
	default:
		return ARGP_ERR_UNKNOWN;
	}
	return 0;
}

enum output { OUT_NONE, OUT_BATCH, OUT_JSON, OUT_UI };

static struct state {
	enum output out;
	struct top_model m;
	struct top_sampler sampler;
	struct ksm_source src;
	struct prom_server *prom;
	struct top_ui ui;
	struct top_sharing sharing;
} st;

static enum output pick_output(void)
{
	if (cli.json)
		return OUT_JSON;
	if (env.batch)
		return OUT_BATCH;
	if (isatty(STDOUT_FILENO) && isatty(STDIN_FILENO))
		return OUT_UI;
	/* no terminal: an exporter alone prints nothing; else batch */
	return env.prom_addr ? OUT_NONE : OUT_BATCH;
}

static int on_event(void *ctx, const struct ksm_event *e)
{
	top_model_event(&st.m, e);
	return 0;
}

/* Print the sample; 0, or CLI_EXIT_ERROR when stdout failed (said once). */
static int emit(void)
{
	switch (st.out) {
	case OUT_JSON:
		/* rates are good to 6 digits, not jansson's 17 */
		cli_json_print_flags(top_json(&st.m, (int)env.rows), JSON_REAL_PRECISION(6));
		break;
	case OUT_BATCH:
		top_text_print(&st.m, stdout, (int)env.rows, env.tree);
		break;
	case OUT_UI:
		top_ui_draw(&st.ui, &st.m);
		return 0;
	case OUT_NONE:
		return 0;
	}
	return cli_out_check();
}

/* -b, -j: has the reader of stdout gone (a closed pipe) since the last sample? */
static bool output_gone(void)
{
	return (st.out == OUT_BATCH || st.out == OUT_JSON) && cli_out_check();
}

static int sample(void)
{
	uint64_t stats[KSM_STAT_MAX], t0, c0;
	int r;

	/* without an event source (none loaded) both do nothing */
	ksm_source_drain(&st.src);
	ksm_source_stats(&st.src, stats);
	st.m.lost = stats[KSM_STAT_DROPPED];
	t0 = now_ns(CLOCK_MONOTONIC);
	c0 = now_ns(CLOCK_THREAD_CPUTIME_ID); /* user and system time of this thread */
	r = top_sample(&st.sampler, &st.m);
	st.m.g.sample_seconds = (now_ns(CLOCK_MONOTONIC) - t0) / 1e9;
	st.m.g.sample_cpu_seconds = (now_ns(CLOCK_THREAD_CPUTIME_ID) - c0) / 1e9;
	/* a budgeted step of who-shares-with-whom, apart from the sample's own time */
	if (st.m.sharing)
		top_sharing_step(st.m.sharing);
	if (r) {
		top_ui_stop(&st.ui); /* the message must not land on the view */
		return cli_err("reading KSM state: %s", strerror(-r));
	}
	if (st.prom)
		prom_server_update(st.prom, &st.m);
	return 0;
}

/*
 * The event source, where this kernel has one. Only "not root" and "no KSM"
 * stop ksmtop: without events (no BTF, no ksm tracepoints before Linux 6.4,
 * a refused load) it runs on sysfs and /proc alone and says why.
 */
static int probe_events(void)
{
	/* No filter in BPF: the global and per-node rates count every event. */
	struct ksm_source_opts so = { .cb = on_event, .verbose = cli.verbose };
	char err[200];
	int r;

	if (env.no_events) {
		snprintf(st.m.events_off, sizeof(st.m.events_off), "not loaded (--no-events)");
		return 0;
	}
	r = ksm_source_probe(&st.src, &so, err, sizeof(err));
	if (!r)
		return 0;
	if (r == -EPERM || !ksm_sysfs_present() || env.list_probes)
		return cli_err("%s", err);
	snprintf(st.m.events_off, sizeof(st.m.events_off), "%s", err);
	return 0;
}

/* The model with the command line's filter and order; the event source probed. */
static int setup(void)
{
	int r;

	if (top_model_init(&st.m))
		return cli_err("out of memory");
	r = cli_resolve_filter(NULL, NULL, st.m.filter.cgroup, sizeof(st.m.filter.cgroup));
	if (r)
		return r;
	if (!strcmp(st.m.filter.cgroup, "/"))
		st.m.filter.cgroup[0] = '\0';
	st.m.filter.pid = cli.pid;
	st.m.filter.depth = env.cgroup_depth;
	st.m.sort = env.sort;
	st.m.ascending = top_sort_ascending(env.sort);
	st.ui.interval = env.interval;
	st.ui.tree = env.tree;
	top_sampler_init(&st.sampler, &st.m, !env.no_bpf_iter && !env.list_probes);
	return probe_events();
}

/*
 * The one-line summary of missing event sources and where the processes'
 * numbers come from, for stderr and the view.
 */
static void report_sources(void)
{
	char *text = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&text, &len);

	if (!f)
		return;
	if (st.m.events_off[0])
		fprintf(f,
			"sources: no events: %s; KSM state from sysfs and /proc alone, "
			"merges and unmerges from counter deltas",
			st.m.events_off);
	else
		ksm_source_print_summary(&st.src, f);
	if (fclose(f))
		return;
	if (len && text[len - 1] == '\n')
		text[len - 1] = '\0';
	snprintf(st.ui.sources, sizeof(st.ui.sources), "%s; processes from %s%s%s%s", text,
		 st.m.procs_source, st.m.procs_note[0] ? " (" : "", st.m.procs_note,
		 st.m.procs_note[0] ? ")" : "");
	if (st.out != OUT_UI)
		cli_info("%s", st.ui.sources);
	free(text);
}

/* Attach the event source; if the kernel refuses it, go on without. */
static void start_events(void)
{
	char err[200];

	if (st.m.events_off[0])
		return;
	if (ksm_source_start(&st.src, err, sizeof(err))) {
		snprintf(st.m.events_off, sizeof(st.m.events_off), "%s", err);
		ksm_source_close(&st.src);
		return;
	}
	st.m.active_kinds = st.src.active_kinds;
}

/* Serve, attach, take the baseline sample, take over the terminal. */
static int start(void)
{
	struct prom_opts po = { .max_procs = (int)env.prom_procs,
				.interval_s = env.interval,
				.telemetry_path = env.telemetry_path,
				.web_config = env.web_config,
				.bpf_stats = !env.no_bpf_stats,
				.sharing_pairs = (int)top_sharing_opts.prom_pairs };
	char err[256];
	int r;

	if (top_sharing_opts.prom_pairs && !env.prom_addr)
		return cli_usage_err("--prom-sharing-pairs needs --web.listen-address");
	if (top_sharing_opts.budget_ms > 0) {
		/* without it (not root, no kpageflags) the header says why */
		r = top_sharing_start(&st.sharing, top_sharing_opts.budget_ms);
		if (r && st.out != OUT_UI)
			cli_warn("who shares with whom: %s", strerror(-r));
		st.m.sharing = &st.sharing;
	}
	if (env.prom_addr) {
		st.prom = prom_server_start(env.prom_addr, &po, err, sizeof(err));
		if (!st.prom)
			return cli_err("%s", err);
	}
	install_exit_signals();
	start_events();
	report_sources();
	if (env.prom_addr && st.out != OUT_UI)
		cli_info("serving %s on %s%s", env.telemetry_path, env.prom_addr,
			 env.web_config ? " (see --web.config.file)" : "");
	/* A baseline: the first interval's rates need a previous sample. */
	r = sample();
	if (r || st.out != OUT_UI)
		return r;
	if (top_ui_start(&st.ui, err, sizeof(err)))
		return cli_err("%s", err);
	return emit();
}

/* How long to sleep: until the next sample, one drain tick at most. */
static int wait_ms(uint64_t next)
{
	uint64_t now = now_ns(CLOCK_MONOTONIC);

	if (next <= now)
		return 0;
	if ((next - now) / 1000000 < DRAIN_MS)
		return (int)((next - now) / 1000000) + 1;
	return DRAIN_MS;
}

/* Sleep, or read the keys of the view as they come; false when the user quits. */
static bool wait_input(int timeout)
{
	struct pollfd pfd = { .fd = STDIN_FILENO, .events = POLLIN };
	enum top_ui_action a;

	if (st.out != OUT_UI) {
		poll(NULL, 0, timeout);
		return true;
	}
	/* keys, and KEY_RESIZE after SIGWINCH interrupted poll */
	if (poll(&pfd, 1, timeout) == 0)
		return true;
	a = top_ui_keys(&st.ui, &st.m);
	if (a == UI_REFILTER)
		top_model_rebuild(&st.m);
	if (a == UI_REDRAW || a == UI_REFILTER)
		emit();
	return a != UI_QUIT;
}

static int run(void)
{
	uint64_t period = (uint64_t)(env.interval * 1e9), next, now, done = 0;
	int r = start();

	if (r)
		return r;
	next = now_ns(CLOCK_MONOTONIC) + period;
	while (!exiting && wait_input(wait_ms(next))) {
		/* a closed pipe ends -b and -j within a drain tick, idle or not */
		if (output_gone())
			return CLI_EXIT_ERROR;
		ksm_source_drain(&st.src);
		now = now_ns(CLOCK_MONOTONIC);
		if (now < next)
			continue;
		/* fixed cadence; after a stall (suspend, pause) start over from now */
		next += period;
		if (next <= now)
			next = now + period;
		if (st.out == OUT_UI && st.ui.paused)
			continue;
		r = sample();
		if (!r)
			r = emit();
		if (r)
			return r;
		if (env.count && ++done >= env.count)
			break;
	}
	return CLI_EXIT_OK;
}

/* --list-sort-keys: the keys of -s from the model's table (shell completion). */
static int list_sort_keys(void)
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

int main(int argc, char **argv)
{
	static const struct argp_child children[] = {
		{ &cli_output_argp, 0, NULL, 0 },
		{ &cli_filter_argp, 0, NULL, 0 },
		{ &top_sharing_argp, 0, NULL, 0 },
		{},
	};
	static const struct argp argp = { opts, parse_arg, "[interval [count]]", doc, children,
					  NULL, NULL };
	int r;

	cli_init("ksmtop");
	cli_parse(&argp, argc, argv);
	if (env.list_sort_keys)
		return list_sort_keys();
	st.out = pick_output();
	r = setup();
	if (!r)
		r = env.list_probes ? ksm_source_list_probes(&st.src) : run();
	top_ui_stop(&st.ui);
	top_sampler_free(&st.sampler);
	ksm_source_close(&st.src);
	prom_server_stop(st.prom);
	if (st.m.sharing)
		top_sharing_stop(st.m.sharing);
	top_model_free(&st.m);
	return r;
}
