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
#include <sys/stat.h>
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
	const char *cgroup;
	bool prctl;
	double seconds;
} env = { .pages = 4096, .contents = 1, .seed = 1 };

const char *argp_program_version = "ksmload 0.1";
static const char doc[] =
	"A KSM workload with known answers.\n"
	"\n"
	"Maps PAGES duplicate pages (CONTENTS distinct contents, the same in every\n"
	"process with the same SEED) and UNIQUE pages that never merge, marks them\n"
	"mergeable, prints 'ready PID' and waits for SIGINT/SIGTERM or --time.\n"
	"\n"
	"EXAMPLES:\n"
	"    ksmload -n 4096              # 4096 identical pages: 4095 saved\n"
	"    ksmload -n 2000 -k 10 -u 500 # 10 contents, 500 unique pages\n"
	"    ksmload -c /demo/a -w 200    # in cgroup /demo/a, 200 COW breaks/s\n";

static const struct argp_option opts[] = {
	{ "pages", 'n', "N", 0, "Duplicate pages (default 4096)", 0 },
	{ "unique", 'u', "N", 0, "Unique pages that never merge (default 0)", 0 },
	{ "contents", 'k', "N", 0, "Distinct contents among the duplicates (default 1)", 0 },
	{ "seed", 's', "N", 0, "Content seed: same seed, same pages (default 1)", 0 },
	{ "churn", 'w', "N", 0, "Break and restore N merged pages per second", 0 },
	{ "cgroup", 'c', "PATH", 0, "Join this cgroup v2 (created if missing) first", 0 },
	{ "prctl", 'P', NULL, 0, "Use prctl(PR_SET_MEMORY_MERGE), not madvise", 0 },
	{ "time", 't', "SECS", 0, "Exit after SECS seconds", 0 },
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
	case 'c':
		env.cgroup = arg;
		break;
	case 'P':
		env.prctl = true;
		break;
	case 't':
		if (!parse_seconds(arg, &env.seconds))
			argp_error(state, "invalid time '%s'", arg);
		break;
	case ARGP_KEY_ARG:
		argp_error(state, "unexpected argument '%s'", arg);
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

int main(int argc, char **argv)
{
	static const struct argp argp = { opts, parse_arg, NULL, doc, NULL, NULL, NULL };
	size_t psz = (size_t)sysconf(_SC_PAGESIZE);
	uint64_t total, next = 0, start, deadline = 0;
	unsigned char *mem;

	if (argp_parse(&argp, argc, argv, 0, NULL, NULL))
		return 1;
	if (env.cgroup && join_cgroup(env.cgroup))
		return 1;
	total = env.pages + env.unique;
	if (!total) {
		fprintf(stderr, "ksmload: nothing to map (-n 0 -u 0)\n");
		return 1;
	}
	if (env.prctl && prctl(PR_SET_MEMORY_MERGE, 1, 0, 0, 0)) {
		fprintf(stderr, "ksmload: prctl(PR_SET_MEMORY_MERGE): %s\n", strerror(errno));
		return 1;
	}
	mem = mmap(NULL, total * psz, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (mem == MAP_FAILED) {
		fprintf(stderr, "ksmload: mmap %llu pages: %s\n", (unsigned long long)total,
			strerror(errno));
		return 1;
	}
	/* KSM merges only small pages it can see: keep THP out of the way. */
	madvise(mem, total * psz, MADV_NOHUGEPAGE);
	for (uint64_t i = 0; i < env.pages; i++)
		fill(mem + i * psz, psz, env.seed, i % env.contents);
	for (uint64_t i = 0; i < env.unique; i++)
		fill(mem + (env.pages + i) * psz, psz, getpid() * 1000003ULL + env.seed,
		     (1ULL << 40) + i);
	if (!env.prctl && madvise(mem, total * psz, MADV_MERGEABLE)) {
		fprintf(stderr, "ksmload: madvise(MADV_MERGEABLE): %s\n", strerror(errno));
		return 1;
	}
	install_exit_signals();
	printf("ready %d\n", getpid());
	fflush(stdout);

	start = now_ns(CLOCK_MONOTONIC);
	if (env.seconds > 0)
		deadline = start + (uint64_t)(env.seconds * 1e9);
	while (!exiting && (!deadline || now_ns(CLOCK_MONOTONIC) < deadline)) {
		if (!env.churn || !env.pages) {
			usleep(50000);
			continue;
		}
		/*
		 * Break a page (the write COWs it out of its KSM page) and restore
		 * its content at once: ksmd finds it changed, unmerges the rmap
		 * item and merges it again a scan later.
		 */
		for (uint64_t n = 0; n < env.churn / 20 + 1; n++) {
			/* volatile: both writes must reach memory to break the page */
			volatile unsigned char *p = mem + (next % env.pages) * psz;

			p[0] ^= 0xff;
			p[0] ^= 0xff;
			next++;
		}
		usleep(50000);
	}
	munmap(mem, total * psz);
	return 0;
}
