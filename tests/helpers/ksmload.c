// SPDX-License-Identifier: GPL-2.0
/*
 * ksmload: a KSM workload with known answers, for the demo, the tests and
 * the bench. It maps N pages with a chosen number of distinct contents plus
 * unique pages, asks for merging, and can keep breaking and restoring pages
 * so that ksmd always has work (COW breaks and re-merges).
 */
#include <argp.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <signal.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "cgroup.h"
#include "util.h"

#ifndef PR_SET_MEMORY_MERGE
#define PR_SET_MEMORY_MERGE 67
#endif

static struct env {
	uint64_t pages;
	uint64_t unique;
	uint64_t contents;
	uint64_t seed;
	uint64_t churn;
	uint64_t zero;
	uint64_t rewrite;
	const char *cgroup;
	bool prctl;
	const char *name; /* -N: the comm to take (prctl(PR_SET_NAME)) */
	double seconds;
	uint64_t procs;	  /* -F: this many processes, each with the pages */
	uint64_t cgroups; /* -G: spread them over this many cgroups under -c */
} env = { .pages = 4096, .contents = 1, .seed = 1 };

const char *argp_program_version = "ksmload 0.1";
static const char doc[] =
	"A KSM workload with known answers.\n"
	"\n"
	"Maps PAGES duplicate pages (CONTENTS distinct contents, the same in every\n"
	"process with the same SEED), UNIQUE pages that never merge, ZERO pages\n"
	"written with zeros and REWRITE pages that change every few milliseconds\n"
	"(volatile: identical to each other at any instant, never merged), marks\n"
	"them mergeable, prints 'ready PID' and waits for SIGINT/SIGTERM or --time.\n"
	"\n"
	"EXAMPLES:\n"
	"    ksmload -n 4096              # 4096 identical pages: 4095 saved\n"
	"    ksmload -n 2000 -k 10 -u 500 # 10 contents, 500 unique pages\n"
	"    ksmload -c /demo/a -w 200    # in cgroup /demo/a, 200 COW breaks/s\n"
	"    ksmload -n 100 -z 50 -r 20   # 50 zero pages, 20 volatile pages\n"
	"    ksmload -F 1000 -n 2 -c /many -G 10  # 1000 processes of 2 pages, in\n"
	"                                 # /many/g0 .. /many/g9\n";

static const struct argp_option opts[] = {
	{ "pages", 'n', "N", 0, "Duplicate pages (default 4096)", 0 },
	{ "unique", 'u', "N", 0, "Unique pages that never merge (default 0)", 0 },
	{ "contents", 'k', "N", 0, "Distinct contents among the duplicates (default 1)", 0 },
	{ "seed", 's', "N", 0, "Content seed: same seed, same pages (default 1)", 0 },
	{ "churn", 'w', "N", 0, "Break and restore N merged pages per second", 0 },
	{ "zero", 'z', "N", 0, "Pages written with zeros (default 0)", 0 },
	{ "rewrite", 'r', "N", 0, "Volatile pages, rewritten every 5 ms (default 0)", 0 },
	{ "cgroup", 'c', "PATH", 0, "Join this cgroup v2 (created if missing) first", 0 },
	{ "prctl", 'P', NULL, 0, "Use prctl(PR_SET_MEMORY_MERGE), not madvise", 0 },
	{ "time", 't', "SECS", 0, "Exit after SECS seconds", 0 },
	{ "procs", 'F', "N", 0,
	  "Fork N processes that each map the pages and sleep (no churn, no rewrites); "
	  "'ready' once all are",
	  0 },
	{ "cgroups", 'G', "N", 0, "With -F and -c: process i joins CGROUP/g(i mod N)", 0 },
	{ "name", 'N', "COMM", 0, "Rename itself (prctl(PR_SET_NAME), 15 bytes): any bytes", 0 },
	{},
};

static error_t parse_arg(int key, char *arg, struct argp_state *state)
{
	switch (key) {
	case 'n':
		if (!parse_u64(arg, 0, 1 << 24, &env.pages))
			argp_error(state, "invalid page count '%s'", arg);
		break;
	case 'u':
		if (!parse_u64(arg, 0, 1 << 24, &env.unique))
			argp_error(state, "invalid unique page count '%s'", arg);
		break;
	case 'k':
		if (!parse_u64(arg, 1, 1 << 24, &env.contents))
			argp_error(state, "invalid content count '%s'", arg);
		break;
	case 's':
		if (!parse_u64(arg, 0, UINT32_MAX, &env.seed))
			argp_error(state, "invalid seed '%s'", arg);
		break;
	case 'w':
		if (!parse_u64(arg, 0, 1000000, &env.churn))
			argp_error(state, "invalid churn rate '%s'", arg);
		break;
	case 'z':
		if (!parse_u64(arg, 0, 1 << 24, &env.zero))
			argp_error(state, "invalid zero page count '%s'", arg);
		break;
	case 'r':
		if (!parse_u64(arg, 0, 1 << 16, &env.rewrite))
			argp_error(state, "invalid rewrite page count '%s'", arg);
		break;
	case 'c':
		env.cgroup = arg;
		break;
	case 'P':
		env.prctl = true;
		break;
	case 'F':
		if (!parse_u64(arg, 1, 100000, &env.procs))
			argp_error(state, "invalid process count '%s' (1 to 100000)", arg);
		break;
	case 'G':
		if (!parse_u64(arg, 1, 100000, &env.cgroups))
			argp_error(state, "invalid cgroup count '%s' (1 to 100000)", arg);
		break;
	case 'N':
		env.name = arg;
		break;
	case 't':
		if (!parse_seconds(arg, &env.seconds))
			argp_error(state, "invalid time '%s'", arg);
		break;
	case ARGP_KEY_ARG:
		argp_error(state, "unexpected argument '%s'", arg);
		break;
	case ARGP_KEY_END:
		if (env.procs && (env.churn || env.rewrite))
			argp_error(state, "-F processes sleep: no -w or -r with it");
		if (env.cgroups && (!env.procs || !env.cgroup))
			argp_error(state, "-G needs -F and -c");
		break;
	default:
		return ARGP_ERR_UNKNOWN;
	}
	return 0;
}

static int join_cgroup(const char *path)
{
	const char *root = cgroup_root();
	char dir[4096], file[4200], pid[32];
	int fd, n;

	if (!root) {
		fprintf(stderr, "ksmload: no cgroup v2 mount\n");
		return -1;
	}
	snprintf(dir, sizeof(dir), "%s/%s", root, path[0] == '/' ? path + 1 : path);
	/* mkdir -p */
	for (char *p = dir + strlen(root) + 1; (p = strchr(p, '/')); p++) {
		*p = '\0';
		mkdir(dir, 0755);
		*p = '/';
	}
	if (mkdir(dir, 0755) && errno != EEXIST) {
		fprintf(stderr, "ksmload: mkdir %s: %s\n", dir, strerror(errno));
		return -1;
	}
	snprintf(file, sizeof(file), "%s/cgroup.procs", dir);
	fd = open(file, O_WRONLY | O_CLOEXEC);
	n = snprintf(pid, sizeof(pid), "%d", getpid());
	if (fd < 0 || write(fd, pid, n) != n) {
		fprintf(stderr, "ksmload: joining %s: %s\n", dir, strerror(errno));
		if (fd >= 0)
			close(fd);
		return -1;
	}
	close(fd);
	return 0;
}

/* Deterministic page fill: a xorshift stream from (seed, content id). */
static void fill(unsigned char *page, size_t size, uint64_t a, uint64_t b)
{
	uint64_t x = a * 0x9E3779B97F4A7C15ULL ^ (b + 0x632BE59BD9B4E019ULL);
	uint64_t *w = (uint64_t *)page;

	if (!x)
		x = 1;
	for (size_t i = 0; i < size / sizeof(*w); i++) {
		x ^= x << 13;
		x ^= x >> 7;
		x ^= x << 17;
		w[i] = x;
	}
}

/*
 * Break a page (the write COWs it out of its KSM page) and restore its
 * content at once: ksmd finds it changed, unmerges the rmap item and
 * merges it again a scan later.
 */
static void churn(unsigned char *mem, size_t psz, uint64_t n, uint64_t *next)
{
	for (uint64_t k = 0; k < n; k++) {
		/* volatile: both writes must reach memory to break the page */
		volatile unsigned char *p = mem + (*next % env.pages) * psz;

		p[0] ^= 0xff;
		p[0] ^= 0xff;
		(*next)++;
	}
}

/*
 * Until SIGINT/SIGTERM or --time: churn, and rewrite the volatile pages
 * every 5 ms, faster than ksmd rescans them, so that their checksum
 * always changed since its last look and they never enter the unstable
 * tree.
 */
static void run(unsigned char *mem, size_t psz)
{
	unsigned char *vol = mem + (env.pages + env.unique + env.zero) * psz;
	uint64_t deadline = 0, next = 0, tick = 0;
	unsigned int period_us = env.rewrite ? 5000 : 50000;

	if (env.seconds > 0)
		deadline = now_ns(CLOCK_MONOTONIC) + (uint64_t)(env.seconds * 1e9);
	while (!exiting && (!deadline || now_ns(CLOCK_MONOTONIC) < deadline)) {
		for (uint64_t i = 0; i < env.rewrite; i++)
			fill(vol + i * psz, psz, env.seed + (1ULL << 33), tick);
		/* the churn rate counts per 50 ms */
		if (env.churn && env.pages && tick % (50000 / period_us) == 0)
			churn(mem, psz, env.churn / 20 + 1, &next);
		tick++;
		usleep(period_us);
	}
}

static unsigned char *map_and_fill(size_t psz, uint64_t total)
{
	unsigned char *mem;

	mem = mmap(NULL, total * psz, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (mem == MAP_FAILED) {
		fprintf(stderr, "ksmload: mmap %llu pages: %s\n", (unsigned long long)total,
			strerror(errno));
		return NULL;
	}
	/* KSM merges only small pages it can see: keep THP out of the way. */
	madvise(mem, total * psz, MADV_NOHUGEPAGE);
	for (uint64_t i = 0; i < env.pages; i++)
		fill(mem + i * psz, psz, env.seed, i % env.contents);
	for (uint64_t i = 0; i < env.unique; i++)
		fill(mem + (env.pages + i) * psz, psz, getpid() * 1000003ULL + env.seed,
		     (1ULL << 40) + i);
	/* written, not only read: a read fault would map the shared zero page */
	memset(mem + (env.pages + env.unique) * psz, 0, env.zero * psz);
	if (!env.prctl && madvise(mem, total * psz, MADV_MERGEABLE)) {
		fprintf(stderr, "ksmload: madvise(MADV_MERGEABLE): %s\n", strerror(errno));
		return NULL;
	}
	return mem;
}

/*
 * A process of -F: into its cgroup, map the pages, tell the parent, sleep
 * until a signal ends it (the default actions: nothing else runs here).
 */
static void child(uint64_t i, int ready, size_t psz, uint64_t total)
{
	char cg[4096];

	/* an orphan would outlive a killed parent by thousands */
	if (prctl(PR_SET_PDEATHSIG, SIGTERM) || getppid() == 1)
		_exit(1);
	if (env.cgroup) {
		snprintf(cg, sizeof(cg), "%s", env.cgroup);
		if (env.cgroups)
			snprintf(cg, sizeof(cg), "%s/g%llu", env.cgroup,
				 (unsigned long long)(i % env.cgroups));
		if (join_cgroup(cg))
			_exit(1);
	}
	if (env.prctl && prctl(PR_SET_MEMORY_MERGE, 1, 0, 0, 0))
		_exit(1);
	if (!map_and_fill(psz, total) || write(ready, "r", 1) != 1)
		_exit(1);
	close(ready);
	for (;;)
		pause();
}

/* -F: fork the processes, wait until each has mapped its pages; 0 or -1. */
static int fork_procs(pid_t *kids, size_t psz, uint64_t total)
{
	uint64_t n = 0;
	int ready[2];
	char c;

	if (pipe(ready)) {
		fprintf(stderr, "ksmload: pipe: %s\n", strerror(errno));
		return -1;
	}
	for (uint64_t i = 0; i < env.procs; i++) {
		kids[i] = fork();
		if (kids[i] == 0) {
			close(ready[0]);
			child(i, ready[1], psz, total);
		}
		if (kids[i] < 0) {
			fprintf(stderr, "ksmload: fork %llu: %s\n", (unsigned long long)i,
				strerror(errno));
			break;
		}
	}
	close(ready[1]);
	/* one byte per child that made it; EOF once every child wrote or died */
	while (read(ready[0], &c, 1) == 1)
		n++;
	close(ready[0]);
	if (n == env.procs)
		return 0;
	fprintf(stderr, "ksmload: %llu of %llu processes started\n", (unsigned long long)n,
		(unsigned long long)env.procs);
	return -1;
}

static void reap(pid_t *kids)
{
	for (uint64_t i = 0; i < env.procs; i++)
		if (kids[i] > 0)
			kill(kids[i], SIGTERM);
	for (uint64_t i = 0; i < env.procs; i++)
		if (kids[i] > 0)
			waitpid(kids[i], NULL, 0);
}

/* -F: the parent maps nothing; it prints ready, waits, and takes its processes along. */
static int run_procs(size_t psz, uint64_t total)
{
	pid_t *kids = calloc(env.procs, sizeof(*kids));
	uint64_t deadline = 0;
	int r;

	if (!kids)
		return 1;
	r = fork_procs(kids, psz, total);
	install_exit_signals();
	if (!r) {
		printf("ready %d\n", getpid());
		fflush(stdout);
		if (env.seconds > 0)
			deadline = now_ns(CLOCK_MONOTONIC) + (uint64_t)(env.seconds * 1e9);
		while (!exiting && (!deadline || now_ns(CLOCK_MONOTONIC) < deadline))
			usleep(100000);
	}
	reap(kids);
	free(kids);
	return r ? 1 : 0;
}

int main(int argc, char **argv)
{
	static const struct argp argp = { opts, parse_arg, NULL, doc, NULL, NULL, NULL };
	size_t psz = (size_t)sysconf(_SC_PAGESIZE);
	uint64_t total;
	unsigned char *mem;

	if (argp_parse(&argp, argc, argv, 0, NULL, NULL))
		return 1;
	total = env.pages + env.unique + env.zero + env.rewrite;
	if (!total) {
		fprintf(stderr, "ksmload: nothing to map (-n 0 -u 0 -z 0 -r 0)\n");
		return 1;
	}
	/*
	 * Any process can name itself anything (the tools' hostile-name tests).
	 * Named before madvise, so every KSM event of this mm carries the name.
	 */
	if (env.name && prctl(PR_SET_NAME, env.name, 0, 0, 0)) {
		fprintf(stderr, "ksmload: prctl(PR_SET_NAME): %s\n", strerror(errno));
		return 1;
	}
	if (env.procs)
		return run_procs(psz, total);
	if (env.cgroup && join_cgroup(env.cgroup))
		return 1;
	if (env.prctl && prctl(PR_SET_MEMORY_MERGE, 1, 0, 0, 0)) {
		fprintf(stderr, "ksmload: prctl(PR_SET_MEMORY_MERGE): %s\n", strerror(errno));
		return 1;
	}
	mem = map_and_fill(psz, total);
	if (!mem)
		return 1;
	install_exit_signals();
	printf("ready %d\n", getpid());
	fflush(stdout);
	run(mem, psz);
	munmap(mem, total * psz);
	return 0;
}
