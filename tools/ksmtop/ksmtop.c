// SPDX-License-Identifier: GPL-2.0
/*
 * ksmtop: the live view of KSM. How much memory KSM saves right now, for
 * which cgroup and process, on which NUMA node, at what ksmd cost: an
 * ncurses view, plain text (-b), JSON (-j), and a Prometheus /metrics
 * endpoint (--prometheus).
 */
#include <argp.h>
#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "cgroup.h"
#include "event_source.h"
#include "procfs.h"
#include "prom.h"
#include "model.h"
#include "ui.h"
#include "util.h"

/* Drain the ring buffer this often: one wake-up per tick, not per event. */
#define DRAIN_MS 250

static struct env {
	double interval;
	uint64_t count;
	bool batch, json, verbose, list_probes;
	int pid;
	const char *cgroup;
	int sort;
	bool sort_given;
	uint64_t rows;
	const char *prom_addr;
	uint64_t prom_procs;
	int nargs;
} env = { .interval = 1.0, .sort = TOP_SORT_MERGING };

const char *argp_program_version = "ksmtop 0.1";
const char *argp_program_bug_address = "<ksm-bpf@example.org>";
static const char doc[] =
	"Live view of KSM: memory saved per NUMA node, cgroup and process, ksmd cost,\n"
	"merge and unmerge rates.\n"
	"\n"
	"USAGE: ksmtop [-b | -j] [-p PID] [-c CGROUP] [-s SORT] [-r ROWS]\n"
	"              [--prometheus ADDR:PORT] [interval [count]]\n"
	"\n"
	"EXAMPLES:\n"
	"    ksmtop                       # interactive view, 1 s refresh (h for keys)\n"
	"    ksmtop 5                     # refresh every 5 s\n"
	"    ksmtop -b 1 10               # 10 plain-text samples, one per second\n"
	"    ksmtop -j 2 3                # 3 JSON documents (one per line), every 2 s\n"
	"    ksmtop -c /vms -s profit     # the /vms cgroup subtree, biggest profit first\n"
	"    ksmtop --prometheus :9100    # /metrics for Prometheus (and the view on a tty)\n"
	"    ksmtop --list-probes         # which event sources work on this kernel\n"
	"\n"
	"SORT is one of: pid, comm, cgroup, merging, rmap, zero, profit, merges,\n"
	"unmerges, mode.";

enum { OPT_PROM = 1000, OPT_PROM_PROCS, OPT_LIST_PROBES };

static const struct argp_option opts[] = {
	{ "batch", 'b', NULL, 0, "Plain text per interval, like top -b", 0 },
	{ "json", 'j', NULL, 0, "One JSON document per interval (one per line)", 0 },
	{ "pid", 'p', "PID", 0, "Only this process", 0 },
	{ "cgroup", 'c', "CGROUP", 0, "Only this cgroup v2 subtree (path)", 0 },
	{ "sort", 's', "SORT", 0, "Sort column (default merging)", 0 },
	{ "rows", 'r', "ROWS", 0, "At most ROWS processes and cgroups per sample", 0 },
	{ "prometheus", OPT_PROM, "ADDR:PORT", 0, "Serve /metrics on ADDR:PORT", 0 },
	{ "prom-processes", OPT_PROM_PROCS, "N", 0,
	  "Per-process series for the N biggest KSM users (default 0: none)", 0 },
	{ "list-probes", OPT_LIST_PROBES, NULL, 0, "List event sources and exit", 0 },
	{ "verbose", 'v', NULL, 0, "libbpf debug output", 0 },
	{ NULL, 'h', NULL, OPTION_HIDDEN, "Show this help", 0 },
	{},
};

static error_t parse_arg(int key, char *arg, struct argp_state *state)
{
	uint64_t v;

	switch (key) {
	case 'b':
		env.batch = true;
		break;
	case 'j':
		env.json = true;
		break;
	case 'p':
		if (!parse_u64(arg, 1, INT32_MAX, &v))
			argp_error(state, "invalid PID '%s'", arg);
		env.pid = (int)v;
		break;
	case 'c':
		env.cgroup = arg;
		break;
	case 's':
		env.sort = top_sort_by_name(arg);
		if (env.sort < 0)
			argp_error(state, "unknown sort key '%s' (one of: %s)", arg,
				   top_sort_names());
		env.sort_given = true;
		break;
	case 'r':
		if (!parse_u64(arg, 1, 1000000, &env.rows))
			argp_error(state, "invalid row count '%s' (1 or more)", arg);
		break;
	case OPT_PROM:
		env.prom_addr = arg;
		break;
	case OPT_PROM_PROCS:
		if (!parse_u64(arg, 0, 100000, &env.prom_procs))
			argp_error(state, "invalid process series cap '%s'", arg);
		break;
	case OPT_LIST_PROBES:
		env.list_probes = true;
		break;
	case 'v':
		env.verbose = true;
		break;
	case 'h':
		argp_state_help(state, stderr, ARGP_HELP_STD_HELP);
		break;
	case ARGP_KEY_ARG:
		if (env.nargs == 0) {
			if (!parse_seconds(arg, &env.interval) || env.interval < 0.05 ||
			    env.interval > 86400)
				argp_error(state, "invalid interval '%s' (seconds, 0.05 to 86400)",
					   arg);
		} else if (env.nargs == 1) {
			if (!parse_u64(arg, 1, UINT32_MAX, &env.count))
				argp_error(state, "invalid count '%s' (1 or more)", arg);
		} else {
			argp_error(state, "unexpected argument '%s'", arg);
		}
		env.nargs++;
		break;
	case ARGP_KEY_END:
		if (env.batch && env.json)
			argp_error(state, "-b and -j are exclusive");
		break;
	default:
		return ARGP_ERR_UNKNOWN;
	}
	return 0;
}

enum output { OUT_NONE, OUT_BATCH, OUT_JSON, OUT_UI };

static struct state {
	struct top_model m;
	struct ksm_source src;
	struct prom_server *prom;
	struct top_ui ui;
} st;

static int on_event(void *ctx, const struct ksm_event *e)
{
	top_model_event(&st.m, e);
	return 0;
}

static void publish_metrics(void)
{
	struct prom_opts po = { .max_procs = (int)env.prom_procs };
	char *text = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&text, &len);

	if (!f)
		return;
	prom_write(f, &st.m, &po);
	fclose(f);
	prom_server_publish(st.prom, text, len);
	free(text);
}

static void emit(enum output out)
{
	if (out == OUT_JSON) {
		json_t *doc = top_model_json(&st.m, (int)env.rows);

		json_dumpf(doc, stdout, JSON_COMPACT | JSON_REAL_PRECISION(6));
		fputc('\n', stdout);
		json_decref(doc);
		fflush(stdout);
	} else if (out == OUT_BATCH) {
		top_model_print(&st.m, stdout, (int)env.rows);
		fflush(stdout);
	} else if (out == OUT_UI) {
		top_ui_draw(&st.ui, &st.m);
	}
}

static int sample(void)
{
	uint64_t stats[KSM_STAT_MAX];
	int r;

	ksm_source_drain(&st.src);
	ksm_source_stats(&st.src, stats);
	st.m.lost = stats[KSM_STAT_DROPPED];
	r = top_model_sample(&st.m);
	if (r)
		return r;
	top_model_sort(&st.m, st.ui.sort, st.ui.ascending);
	if (st.prom)
		publish_metrics();
	return 0;
}

static uint64_t ms_to_ns(double ms)
{
	return (uint64_t)(ms * 1e6);
}

int main(int argc, char **argv)
{
	static const struct argp argp = { opts, parse_arg, "[interval [count]]", doc, NULL,
					  NULL, NULL };
	enum output out;
	struct ksm_source_opts so = { .cb = on_event };
	uint64_t next, done = 0;
	char err[512];
	int r, ret = 1;

	if (argp_parse(&argp, argc, argv, 0, NULL, NULL))
		return 1;
	if (env.json)
		out = OUT_JSON;
	else if (env.batch)
		out = OUT_BATCH;
	else if (isatty(STDOUT_FILENO) && isatty(STDIN_FILENO))
		out = OUT_UI;
	else
		/* no terminal: an exporter alone prints nothing; else batch */
		out = env.prom_addr ? OUT_NONE : OUT_BATCH;

	if (env.pid && !pid_exists(env.pid)) {
		fprintf(stderr, "ksmtop: no such process: %d\n", env.pid);
		return 1;
	}
	if (top_model_init(&st.m)) {
		fprintf(stderr, "ksmtop: out of memory\n");
		return 1;
	}
	st.m.filter.pid = env.pid;
	if (env.cgroup) {
		uint64_t id;
		int level;

		r = cgroup_resolve(env.cgroup, &id, &level, st.m.filter.cgroup,
				   sizeof(st.m.filter.cgroup));
		if (r) {
			fprintf(stderr, "ksmtop: no such cgroup v2 directory: %s (%s)\n",
				env.cgroup, r == -EINVAL ? "not on a cgroup2 mount" : strerror(-r));
			goto out;
		}
		if (!strcmp(st.m.filter.cgroup, "/"))
			st.m.filter.cgroup[0] = '\0';
	}
	st.ui.sort = env.sort;
	st.ui.ascending = top_sort_ascending(env.sort);
	st.ui.interval = env.interval;

	/* No filter in BPF: the global and per-node rates count every event. */
	so.verbose = env.verbose;
	r = ksm_source_probe(&st.src, &so, err, sizeof(err));
	if (r) {
		fprintf(stderr, "ksmtop: %s\n", err);
		goto out;
	}
	if (env.list_probes) {
		ksm_source_print_probes(&st.src, stdout);
		ret = 0;
		goto out;
	}
	if (env.prom_addr) {
		st.prom = prom_server_start(env.prom_addr, err, sizeof(err));
		if (!st.prom) {
			fprintf(stderr, "ksmtop: %s\n", err);
			goto out;
		}
	}
	install_exit_signals();
	r = ksm_source_start(&st.src, err, sizeof(err));
	if (r) {
		fprintf(stderr, "ksmtop: %s\n", err);
		goto out;
	}
	st.m.active_kinds = st.src.active_kinds;
	{
		/* the one-line summary of missing sources, for stderr and the view */
		char *text = NULL;
		size_t len = 0;
		FILE *f = open_memstream(&text, &len);

		if (f) {
			ksm_source_print_summary(&st.src, f);
			fclose(f);
			if (len && text[len - 1] == '\n')
				text[len - 1] = '\0';
			snprintf(st.ui.sources, sizeof(st.ui.sources), "%s", text);
			if (out != OUT_UI)
				fprintf(stderr, "ksmtop: %s\n", text);
			free(text);
		}
	}
	if (env.prom_addr && out != OUT_UI)
		fprintf(stderr, "ksmtop: serving /metrics on %s\n", env.prom_addr);

	/* A baseline: the first interval's rates need a previous sample. */
	r = sample();
	if (r) {
		fprintf(stderr, "ksmtop: reading KSM state: %s\n", strerror(-r));
		goto out;
	}
	if (out == OUT_UI) {
		r = top_ui_start(&st.ui, err, sizeof(err));
		if (r) {
			fprintf(stderr, "ksmtop: %s\n", err);
			goto out;
		}
		emit(out);
	}

	next = now_ns(CLOCK_MONOTONIC) + ms_to_ns(env.interval * 1000);
	while (!exiting) {
		uint64_t now = now_ns(CLOCK_MONOTONIC);
		int timeout = DRAIN_MS;
		struct pollfd pfd = { .fd = top_ui_fd(), .events = POLLIN };
		bool due;

		if (next > now && (next - now) / 1000000 < (uint64_t)timeout)
			timeout = (int)((next - now) / 1000000) + 1;
		if (next <= now)
			timeout = 0;
		if (out == OUT_UI) {
			r = poll(&pfd, 1, timeout);
			/* keys, and KEY_RESIZE after SIGWINCH interrupted poll */
			if (r != 0) {
				enum top_ui_action a = top_ui_keys(&st.ui, &st.m);

				if (a == UI_QUIT)
					break;
				if (a == UI_REFILTER) {
					top_model_rebuild(&st.m);
					top_model_sort(&st.m, st.ui.sort, st.ui.ascending);
				}
				if (a != UI_NONE)
					emit(out);
			}
		} else {
			poll(NULL, 0, timeout);
		}
		ksm_source_drain(&st.src);
		now = now_ns(CLOCK_MONOTONIC);
		due = now >= next;
		if (!due)
			continue;
		/* fixed cadence; after a stall (suspend, pause) start over from now */
		next += ms_to_ns(env.interval * 1000);
		if (next <= now)
			next = now + ms_to_ns(env.interval * 1000);
		if (out == OUT_UI && st.ui.paused)
			continue;
		r = sample();
		if (r) {
			top_ui_stop(&st.ui);
			fprintf(stderr, "ksmtop: reading KSM state: %s\n", strerror(-r));
			goto out;
		}
		emit(out);
		if (env.count && ++done >= env.count)
			break;
	}
	ret = 0;
out:
	top_ui_stop(&st.ui);
	ksm_source_close(&st.src);
	prom_server_stop(st.prom);
	top_model_free(&st.m);
	return ret;
}
