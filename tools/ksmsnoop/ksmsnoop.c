// SPDX-License-Identifier: GPL-2.0
/*
 * ksmsnoop: every KSM event as it happens, attributed to the process and
 * cgroup that own the page, as text or JSON lines.
 */
#include <argp.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "cgroup.h"
#include "event_fmt.h"
#include "event_source.h"
#include "numa.h"
#include "util.h"

static struct env {
	pid_t pid;
	const char *cgroup;
	uint32_t event_mask;
	bool json;
	bool failed_only;
	bool timestamp;
	bool verbose;
	bool list_probes;
	bool fallback;
	bool quiet;
	double duration;
} env;

static struct state {
	struct cgroup_cache cg;
	struct numa_map numa;
	bool have_numa;
	struct ksm_fmt_opts fmt;
	uint64_t printed;
} st;

const char *argp_program_version = "ksmsnoop 0.1";
const char *argp_program_bug_address = "<ksm-bpf@example.org>";
static const char doc[] =
	"Trace KSM events: merges, unmerges, scans, and (with kernel-patch/ or\n"
	"fentry) stable-node lifecycle, migration and swap-in copies.\n"
	"\n"
	"USAGE: ksmsnoop [-j] [-T] [-p PID] [-c CGROUP] [-e EVENT,...] [-x] [-d SECS]\n"
	"\n"
	"EXAMPLES:\n"
	"    ksmsnoop                   # every KSM event, one line each\n"
	"    ksmsnoop -j                # JSON lines\n"
	"    ksmsnoop -p 1234           # events for pages of process 1234\n"
	"    ksmsnoop -c /vms/tenant-a  # events for a cgroup v2 subtree\n"
	"    ksmsnoop -e merge_with_ksm_page,remove_rmap_item\n"
	"    ksmsnoop -x                # failed merges only\n"
	"    ksmsnoop --list-probes     # which event sources work here, and why not\n";

enum { OPT_LIST_PROBES = 1000, OPT_FALLBACK };

static const struct argp_option opts[] = {
	{ "json", 'j', NULL, 0, "JSON lines output", 0 },
	{ "pid", 'p', "PID", 0, "Only events for pages owned by this process", 0 },
	{ "cgroup", 'c', "CGROUP", 0, "Only events of this cgroup v2 subtree (path)", 0 },
	{ "events", 'e', "EVENT,...", 0, "Only these events (names as printed)", 0 },
	{ "failed", 'x', NULL, 0, "Only failed merges (err != 0)", 0 },
	{ "timestamp", 'T', NULL, 0, "Print a wall-clock time column", 0 },
	{ "duration", 'd', "SECS", 0, "Stop after SECS seconds", 0 },
	{ "quiet", 'q', NULL, 0, "No start-up or summary lines on stderr", 0 },
	{ "verbose", 'v', NULL, 0, "libbpf debug output", 0 },
	{ "list-probes", OPT_LIST_PROBES, NULL, 0, "List event sources and exit", 0 },
	{ "fallback", OPT_FALLBACK, NULL, 0,
	  "Use fentry/fexit fallbacks even where patched tracepoints exist", 0 },
	{ NULL, 'h', NULL, OPTION_HIDDEN, "Show this help", 0 },
	{},
};

static error_t parse_arg(int key, char *arg, struct argp_state *state)
{
	const char *bad;
	uint64_t v;

	switch (key) {
	case 'j':
		env.json = true;
		break;
	case 'p':
		if (!parse_u64(arg, 1, INT32_MAX, &v))
			argp_error(state, "invalid PID '%s'", arg);
		env.pid = (pid_t)v;
		break;
	case 'c':
		env.cgroup = arg;
		break;
	case 'e':
		if (ksm_event_parse_list(arg, &env.event_mask, &bad))
			argp_error(state, "unknown event '%s' (see --list-probes for names)", bad);
		break;
	case 'x':
		env.failed_only = true;
		break;
	case 'T':
		env.timestamp = true;
		break;
	case 'd':
		if (!parse_seconds(arg, &env.duration))
			argp_error(state, "invalid duration '%s' (seconds > 0)", arg);
		break;
	case 'q':
		env.quiet = true;
		break;
	case 'v':
		env.verbose = true;
		break;
	case OPT_LIST_PROBES:
		env.list_probes = true;
		break;
	case OPT_FALLBACK:
		env.fallback = true;
		break;
	case 'h':
		argp_state_help(state, stderr, ARGP_HELP_STD_HELP);
		break;
	case ARGP_KEY_ARG:
		argp_error(state, "unexpected argument '%s'", arg);
		break;
	default:
		return ARGP_ERR_UNKNOWN;
	}
	return 0;
}

static int on_event(void *ctx, const struct ksm_event *ev)
{
	struct ksm_event e = *ev;

	if (env.failed_only && (!ksm_event_has_err(e.kind) || !e.err))
		return 0;
	/* Stock tracepoints carry no node: map the pfn through zoneinfo. */
	if (st.have_numa) {
		if (e.nid < 0 && e.pfn && e.kind != KSM_EV_START_SCAN && e.kind != KSM_EV_STOP_SCAN)
			e.nid = numa_pfn_to_nid(&st.numa, e.pfn);
		if (e.nid2 < 0 && e.pfn2)
			e.nid2 = numa_pfn_to_nid(&st.numa, e.pfn2);
	}
	if (env.json) {
		json_t *o = ksm_event_to_json(&e, cgroup_cache_path(&st.cg, e.cgroup_id));

		if (o) {
			json_dumpf(o, stdout, JSON_COMPACT);
			fputc('\n', stdout);
			json_decref(o);
		}
	} else {
		ksm_event_print_text(stdout, &e, &st.fmt);
	}
	st.printed++;
	return 0;
}

static int list_probes(struct ksm_source *src)
{
	if (env.json) {
		json_t *o = json_pack("{s:o}", "probes", ksm_source_probes_json(src));

		json_dumpf(o, stdout, JSON_COMPACT);
		fputc('\n', stdout);
		json_decref(o);
	} else {
		ksm_source_print_probes(src, stdout);
	}
	return 0;
}

int main(int argc, char **argv)
{
	static const struct argp argp = { opts, parse_arg, NULL, doc, NULL, NULL, NULL };
	struct ksm_source_opts so = { 0 };
	struct ksm_source src;
	uint64_t stats[KSM_STAT_MAX], deadline = 0, start_ns;
	char err[256];
	int r, ret = 1;

	r = argp_parse(&argp, argc, argv, 0, NULL, NULL);
	if (r)
		return 1;
	start_ns = now_ns(CLOCK_MONOTONIC);

	if (env.failed_only && !env.event_mask)
		env.event_mask = (1u << KSM_EV_MERGE_ONE_PAGE) | (1u << KSM_EV_MERGE_WITH_KSM_PAGE);
	so.pid = env.pid;
	so.event_mask = env.event_mask;
	so.fallback = env.fallback;
	so.verbose = env.verbose;
	so.cb = on_event;

	if (env.pid && !pid_exists(env.pid)) {
		fprintf(stderr, "ksmsnoop: no such process: %d\n", env.pid);
		return 1;
	}
	if (env.cgroup) {
		r = cgroup_resolve(env.cgroup, &so.cgroup_id, &so.cgroup_level, NULL, 0);
		if (r) {
			fprintf(stderr, "ksmsnoop: no such cgroup v2 directory: %s (%s)\n",
				env.cgroup, r == -EINVAL ? "not on a cgroup2 mount" : strerror(-r));
			return 1;
		}
	}

	r = ksm_source_probe(&src, &so, err, sizeof(err));
	if (r) {
		fprintf(stderr, "ksmsnoop: %s\n", err);
		return 1;
	}
	if (env.list_probes) {
		/* Loading is the only true test of what the kernel accepts. */
		r = ksm_source_start(&src, err, sizeof(err));
		list_probes(&src);
		ksm_source_close(&src);
		if (r)
			fprintf(stderr, "ksmsnoop: %s\n", err);
		return r ? 1 : 0;
	}

	cgroup_cache_init(&st.cg);
	st.have_numa = numa_map_load(&st.numa) == 0;
	st.fmt.timestamp = env.timestamp;
	st.fmt.boot_offset_ns = monotonic_to_realtime_offset();
	install_exit_signals();

	r = ksm_source_start(&src, err, sizeof(err));
	if (r) {
		fprintf(stderr, "ksmsnoop: %s\n", err);
		goto out;
	}
	if (!env.quiet) {
		fprintf(stderr, "ksmsnoop: ");
		ksm_source_print_summary(&src, stderr);
		if (env.verbose)
			fprintf(stderr, "ksmsnoop: ready after %.1f ms\n",
				(now_ns(CLOCK_MONOTONIC) - start_ns) / 1e6);
		fprintf(stderr, "ksmsnoop: tracing, Ctrl-C to end\n");
	}
	if (!env.json)
		ksm_event_print_header(stdout, &st.fmt);
	fflush(stdout);

	if (env.duration > 0)
		deadline = now_ns(CLOCK_MONOTONIC) + (uint64_t)(env.duration * 1e9);
	while (!exiting) {
		int timeout = 100;

		if (deadline) {
			uint64_t now = now_ns(CLOCK_MONOTONIC);

			if (now >= deadline)
				break;
			if ((deadline - now) / 1000000 < (uint64_t)timeout)
				timeout = (int)((deadline - now) / 1000000) + 1;
		}
		r = ksm_source_poll(&src, timeout);
		if (r < 0 && r != -EINTR) {
			fprintf(stderr, "ksmsnoop: polling the ring buffer: %s\n", strerror(-r));
			goto out;
		}
		fflush(stdout);
	}
	/* Whatever is still in the ring buffer was traced: print it too. */
	ksm_source_drain(&src);
	fflush(stdout);
	ret = 0;
	ksm_source_stats(&src, stats);
	if (stats[KSM_STAT_DROPPED])
		fprintf(stderr, "ksmsnoop: WARNING: %llu events lost (ring buffer full: "
			"the reader fell behind; -e or -p narrows the stream)\n",
			(unsigned long long)stats[KSM_STAT_DROPPED]);
	if (!env.quiet)
		fprintf(stderr, "ksmsnoop: %llu events, %llu lost\n",
			(unsigned long long)st.printed,
			(unsigned long long)stats[KSM_STAT_DROPPED]);
out:
	ksm_source_close(&src);
	cgroup_cache_free(&st.cg);
	return ret;
}
