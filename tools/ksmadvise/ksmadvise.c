// SPDX-License-Identifier: GPL-2.0
/*
 * ksmadvise: what would KSM save here, for whom, and what of it comes from
 * sharing across cgroups, before ksmd spends a second of CPU on it.  Reads
 * the chosen processes' anonymous memory twice, groups equal pages and
 * applies KSM's own rules to them (see predict.c).  No BPF; root.
 */
#include <argp.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>

#include "advise.h"
#include "cli.h"
#include "ksm_sysfs.h"
#include "report.h"
#include "sample.h"
#include "util.h"

static struct env {
	struct adv_target_opts targets;
	struct sample_opts sample;
	const char *assume[4];
	int nassume;
	double max_rate;
	bool rules, proc_mem, no_nice;
	int rows;
} env = { .sample = { .interval_s = 0.5, .cache_pages = 4096 }, .rows = 20 };

static struct adv adv;

static const char doc[] =
	"What would KSM save here, for whom, and at what cost: reads the anonymous\n"
	"memory of the processes ksmd would scan (or every process with --all)\n"
	"twice, and predicts pages_sharing, ksm_zero_pages and each process's and\n"
	"cgroup's merging pages, the saving with everything merged together, per\n"
	"NUMA node and with each cgroup (or --boundary) isolated, and which cgroups\n"
	"would share KSM pages.  ksmd need not run.\n"
	"\n"
	"USAGE: ksmadvise [-j] [-a] [-p PID] [-c CGROUP] [-b GLOB]... [--rules]\n"
	"                 [-m MB/S] [-i SECS]\n"
	"\n"
	"EXAMPLES:\n"
	"    ksmadvise                      # what ksmd would merge now\n"
	"    ksmadvise -a -c /machine.slice # if every VM opted in\n"
	"    ksmadvise -j -m 200            # JSON, reading at most 200 MB/s\n"
	"    ksmadvise -b '/tenants/*'      # the saving kept by isolating tenants\n"
	"    ksmadvise -b '/tenants/*' --rules > rules && ksmpolicy apply rules\n"
	"\n"
	"Exit status: 0 ok, 1 error, 2 usage error.";

enum { OPT_RULES = 1000, OPT_ASSUME, OPT_NO_NICE, OPT_PROC_MEM, OPT_CACHE };

static const struct argp_option opts[] = {
	{ "all", 'a', NULL, 0, "Every process's private anonymous memory, mergeable or not", 0 },
	{ "boundary", 'b', "GLOB", 0,
	  "Isolate the cgroups this glob names (and their subtrees); repeatable", 0 },
	{ "rules", OPT_RULES, NULL, 0,
	  "Print a ksmpolicy rules file isolating each boundary (each cgroup without -b)", 0 },
	{ "max-rate", 'm', "MB/S", 0, "Read at most this many MB per second (default: no limit)",
	  0 },
	{ "interval", 'i', "SECS", 0,
	  "Least time between the two samples of a page (default 0.5): a page that changes "
	  "within it is volatile",
	  0 },
	{ "rows", 'r', "N", 0, "Rows per table in text (default 20, 0: all)", 0 },
	{ "assume", OPT_ASSUME, "KNOB=VALUE", 0,
	  "Predict for another max_page_sharing, use_zero_pages or merge_across_nodes", 0 },
	{ "no-nice", OPT_NO_NICE, NULL, 0,
	  "Keep the CPU and I/O priority (default: nice 19, idle I/O)", 0 },
	{ "proc-mem", OPT_PROC_MEM, NULL, 0, "Read through /proc/PID/mem, not process_vm_readv",
	  0 },
	{ "cache-mb", OPT_CACHE, "MB", 0, "Memory for group representatives (default 16)", 0 },
	{},
};

static error_t parse_arg(int key, char *arg, struct argp_state *state)
{
	uint64_t v;
	double d;

	switch (key) {
	case 'a':
		env.targets.all = true;
		break;
	case 'b':
		if (boundary_add(&adv.bounds, arg))
			argp_error(state,
				   "invalid boundary '%s' (an absolute cgroup glob, at most %d)",
				   arg, BOUNDARY_MAX);
		break;
	case OPT_RULES:
		env.rules = true;
		break;
	case 'm':
		if (!parse_seconds(arg, &env.max_rate))
			argp_error(state, "invalid rate '%s' (MB/s > 0)", arg);
		break;
	case 'i':
		if (!parse_seconds(arg, &d) && strcmp(arg, "0"))
			argp_error(state, "invalid interval '%s' (seconds)", arg);
		env.sample.interval_s = strcmp(arg, "0") ? d : 0;
		break;
	case 'r':
		if (!parse_u64(arg, 0, 1000000, &v))
			argp_error(state, "invalid row count '%s'", arg);
		env.rows = (int)v;
		break;
	case OPT_ASSUME:
		if (env.nassume == 4 || !strchr(arg, '='))
			argp_error(state, "invalid --assume '%s' (KNOB=VALUE, at most 4)", arg);
		env.assume[env.nassume++] = arg;
		break;
	case OPT_NO_NICE:
		env.no_nice = true;
		break;
	case OPT_PROC_MEM:
		env.proc_mem = true;
		break;
	case OPT_CACHE:
		if (!parse_u64(arg, 1, 65536, &v))
			argp_error(state, "invalid cache size '%s' (1 to 65536 MB)", arg);
		env.sample.cache_pages = (unsigned int)(v * 256);
		break;
	case ARGP_KEY_ARG:
		argp_error(state, "unexpected argument '%s'", arg);
		break;
	case ARGP_KEY_END:
		if (env.rules && cli.json)
			argp_error(state, "--rules prints a rules file: it does not go with -j");
		break;
	default:
		return ARGP_ERR_UNKNOWN;
	}
	return 0;
}

/* KSM's knobs now, then --assume; 0 or a usage error. */
static int read_knobs(struct adv_knobs *k)
{
	uint64_t v;

	*k = (struct adv_knobs){ .max_page_sharing = 256, .merge_across_nodes = true };
	if (!ksm_sysfs_present())
		cli_warn("this kernel has no KSM: predicting for its defaults");
	if (!ksm_sysfs_read_u64(NULL, "max_page_sharing", &v))
		k->max_page_sharing = v;
	if (!ksm_sysfs_read_u64(NULL, "use_zero_pages", &v))
		k->use_zero_pages = v;
	if (!ksm_sysfs_read_u64(NULL, "merge_across_nodes", &v))
		k->merge_across_nodes = v;
	for (int i = 0; i < env.nassume; i++) {
		const char *eq = strchr(env.assume[i], '=');
		size_t n = (size_t)(eq - env.assume[i]);
		uint64_t *set = NULL;
		bool b = false, *setb = NULL;

		if (n == 16 && !strncmp(env.assume[i], "max_page_sharing", n))
			set = &k->max_page_sharing;
		else if (n == 14 && !strncmp(env.assume[i], "use_zero_pages", n))
			setb = &k->use_zero_pages;
		else if (n == 18 && !strncmp(env.assume[i], "merge_across_nodes", n))
			setb = &k->merge_across_nodes;
		else
			return cli_usage_err("--assume knows max_page_sharing, use_zero_pages and "
					     "merge_across_nodes, not '%.*s'",
					     (int)n, env.assume[i]);
		if (!parse_u64(eq + 1, set ? 2 : 0, set ? 1 << 30 : 1, &v))
			return cli_usage_err("invalid value in --assume %s", env.assume[i]);
		b = v;
		if (set)
			*set = v;
		else
			*setb = b;
	}
	return 0;
}

static double cpu_seconds(void)
{
	struct rusage ru;

	getrusage(RUSAGE_SELF, &ru);
	return ru.ru_utime.tv_sec + ru.ru_stime.tv_sec +
	       (ru.ru_utime.tv_usec + ru.ru_stime.tv_usec) / 1e6;
}

/* Both samples, timed; 0 or cli_err's status. */
static int sample(void)
{
	struct adv_reader r;
	double cpu0 = cpu_seconds();
	uint64_t t0 = now_ns(CLOCK_MONOTONIC);
	int err;

	env.sample.progress = !cli.quiet;
	reader_init(&r, env.max_rate, env.proc_mem);
	err = sample_first(&adv, &r, &env.sample);
	adv.read_s = (now_ns(CLOCK_MONOTONIC) - t0) / 1e9;
	if (!err)
		err = sample_second(&adv, &r, &env.sample);
	adv.read_s = (now_ns(CLOCK_MONOTONIC) - t0) / 1e9;
	adv.cpu_s = cpu_seconds() - cpu0;
	adv.bytes_read = r.bytes;
	reader_close(&r);
	if (err == -EACCES || err == -EPERM)
		return cli_err("reading /proc/kpageflags: %s (ksmadvise needs root)",
			       strerror(-err));
	return err ? cli_err("sampling: %s", strerror(-err)) : 0;
}

static int output(void)
{
	if (env.rules)
		report_rules(stdout, &adv);
	else if (cli.json)
		return cli_json_print(report_json(&adv)) ? CLI_EXIT_ERROR : CLI_EXIT_OK;
	else
		report_text(stdout, &adv, env.rows);
	return fflush(stdout) ? CLI_EXIT_ERROR : CLI_EXIT_OK;
}

int main(int argc, char **argv)
{
	static const struct argp_child children[] = {
		{ &cli_output_argp, 0, NULL, 0 },
		{ &cli_filter_argp, 0, NULL, 0 },
		{},
	};
	static const struct argp argp = { opts, parse_arg, NULL, doc, children, NULL, NULL };
	char cg[4096];
	int r;

	cli_init("ksmadvise");
	cli_parse(&argp, argc, argv);
	r = cli_resolve_filter(NULL, NULL, cg, sizeof(cg));
	if (!r)
		r = read_knobs(&adv.knobs);
	if (r)
		return r;
	env.targets.pid = cli.pid;
	env.targets.cgroup = cli.cgroup ? cg : NULL;
	if (!env.no_nice && (r = reader_be_polite()))
		cli_warn("could not lower the priority: %s", strerror(-r));
	r = adv_find_targets(&adv, &env.targets);
	if (r) {
		r = cli_err("finding the processes: %s", strerror(-r));
		goto out;
	}
	if (!adv.nprocs)
		cli_info("no process %s: nothing to read",
			 env.targets.all ? "has anonymous memory" : "uses KSM (try --all)");
	r = sample();
	if (!r && (r = adv_predict(&adv)))
		r = cli_err("predicting: %s", strerror(-r));
	if (!r)
		r = output();
out:
	adv_free(&adv);
	return r;
}
