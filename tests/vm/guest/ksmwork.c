// SPDX-License-Identifier: GPL-2.0
/*
 * ksmwork - a KSM workload driven by line commands on stdin.
 *
 *   ksmwork [-n PAGES] [-c CONTENTS] [-s SEED] [-b NODE]
 *
 * Maps PAGES anonymous pages, fills page i with pattern (SEED, i % CONTENTS),
 * marks them MADV_MERGEABLE and prints "ready pid=PID".  Then, one reply line
 * per command:
 *
 *   migrate NODE   move_pages(MPOL_MF_MOVE_ALL) every page to NODE
 *                  -> "migrated ret=R on_node=K other=O errors=E"
 *   where          -> "where node0=A node1=B other=C" (move_pages query)
 *   touch          read every page back and check its content
 *                  -> "touched pages=P bad=B"
 *   pin N          vmsplice pages 0..N-1 into a pipe nobody reads: the pipe
 *                  holds a reference on each page (their KSM folios outlive
 *                  an unmerge) -> "pinned pages=N" or "pinned ret=-ERRNO"
 *   unpin          read the pipe empty and close it -> "unpinned bytes=B"
 *   cow K          write every K-th page again with its own content: a
 *                  merged page is COW-broken (and merged again later)
 *                  -> "cowed pages=P"
 *   fork           fork a child that maps the same pages and waits (it
 *                  dies with its parent) -> "forked pid=PID"
 *   unfork         kill and reap the children -> "unforked n=N"
 *   quit           exit 0
 *
 * -b NODE binds the allocation to NODE (set_mempolicy MPOL_BIND) so that the
 * pages start on a known node.  Raw syscalls only: no libnuma in the guest.
 */
#include "guest.h"

#include <signal.h>
#include <sys/prctl.h>
#include <sys/wait.h>

#define MPOL_BIND		2
#define MPOL_MF_MOVE_ALL	(1 << 2)

static unsigned long npages = 1024, ncontents = 8, seed = 1;
static char *area;
static long psz;
static int pin_pipe[2] = { -1, -1 };
static pid_t children[64];
static int nchildren;

static void do_pin(unsigned long n)
{
	unsigned long i;

	if (n > npages || n > 16 || pipe(pin_pipe)) {
		printf("pinned ret=-%d\n", n > npages || n > 16 ? EINVAL : errno);
		return;
	}
	for (i = 0; i < n; i++) {
		struct iovec iov = { .iov_base = area + i * psz, .iov_len = psz };

		if (vmsplice(pin_pipe[1], &iov, 1, 0) != psz) {
			printf("pinned ret=-%d\n", errno);
			return;
		}
	}
	printf("pinned pages=%lu\n", n);
}

static void do_unpin(void)
{
	char buf[4096];
	long total = 0;
	ssize_t r;

	if (pin_pipe[0] < 0) {
		printf("unpinned bytes=0\n");
		return;
	}
	close(pin_pipe[1]);
	while ((r = read(pin_pipe[0], buf, sizeof(buf))) > 0)
		total += r;
	close(pin_pipe[0]);
	pin_pipe[0] = pin_pipe[1] = -1;
	printf("unpinned bytes=%ld\n", total);
}

static void fill(char *p, unsigned long i)
{
	unsigned long c = i % ncontents;

	for (long off = 0; off < psz; off += sizeof(unsigned long))
		*(unsigned long *)(p + off) = seed * 1000003UL + c * 7919UL + off;
}

static int check(const char *p, unsigned long i)
{
	unsigned long c = i % ncontents;

	for (long off = 0; off < psz; off += sizeof(unsigned long))
		if (*(const unsigned long *)(p + off) != seed * 1000003UL + c * 7919UL + off)
			return 1;
	return 0;
}

static void do_move(int node, int query)
{
	void **pages = calloc(npages, sizeof(*pages));
	int *nodes = calloc(npages, sizeof(*nodes));
	int *status = calloc(npages, sizeof(*status));
	unsigned long on = 0, n0 = 0, n1 = 0, other = 0, errs = 0;
	long ret;

	if (!pages || !nodes || !status)
		die("calloc");
	for (unsigned long i = 0; i < npages; i++) {
		pages[i] = area + i * psz;
		nodes[i] = node;
	}
	ret = syscall(SYS_move_pages, 0, npages, pages, query ? NULL : nodes, status,
		      query ? 0 : MPOL_MF_MOVE_ALL);
	if (ret < 0)
		printf("%s ret=-%d\n", query ? "where" : "migrated", errno);
	if (ret >= 0 || query) {
		if (query)
			ret = syscall(SYS_move_pages, 0, npages, pages, NULL, status, 0);
		for (unsigned long i = 0; i < npages; i++) {
			if (status[i] < 0)
				errs++;
			else if (status[i] == node)
				on++;
			else
				other++;
			if (status[i] == 0)
				n0++;
			else if (status[i] == 1)
				n1++;
		}
		if (query)
			printf("where node0=%lu node1=%lu other=%lu\n", n0, n1,
			       npages - n0 - n1);
		else
			printf("migrated ret=%ld on_node=%lu other=%lu errors=%lu\n", ret, on,
			       other, errs);
	}
	free(pages);
	free(nodes);
	free(status);
}

int main(int argc, char **argv)
{
	char line[128];
	int opt, bind = -1;

	while ((opt = getopt(argc, argv, "n:c:s:b:")) != -1) {
		switch (opt) {
		case 'n': npages = strtoul(optarg, NULL, 0); break;
		case 'c': ncontents = strtoul(optarg, NULL, 0); break;
		case 's': seed = strtoul(optarg, NULL, 0); break;
		case 'b': bind = atoi(optarg); break;
		default:
			fprintf(stderr, "usage: ksmwork [-n PAGES] [-c CONTENTS] [-s SEED] [-b NODE]\n");
			return 2;
		}
	}
	if (!npages || !ncontents)
		die("bad arguments");
	setvbuf(stdout, NULL, _IOLBF, 0);
	psz = sysconf(_SC_PAGESIZE);
	if (bind >= 0) {
		unsigned long mask = 1UL << bind;

		if (syscall(SYS_set_mempolicy, MPOL_BIND, &mask, sizeof(mask) * 8))
			die("set_mempolicy");
	}
	area = mmap(NULL, npages * psz, PROT_READ | PROT_WRITE,
		    MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (area == MAP_FAILED)
		die("mmap");
	for (unsigned long i = 0; i < npages; i++)
		fill(area + i * psz, i);
	if (madvise(area, npages * psz, MADV_MERGEABLE))
		die("madvise(MADV_MERGEABLE)");
	printf("ready pid=%d\n", getpid());

	while (fgets(line, sizeof(line), stdin)) {
		unsigned long n;
		int node;

		if (sscanf(line, "migrate %d", &node) == 1) {
			do_move(node, 0);
		} else if (!strncmp(line, "where", 5)) {
			do_move(-1, 1);
		} else if (!strncmp(line, "touch", 5)) {
			unsigned long bad = 0;

			for (unsigned long i = 0; i < npages; i++)
				bad += check(area + i * psz, i);
			printf("touched pages=%lu bad=%lu\n", npages, bad);
		} else if (sscanf(line, "pin %lu", &n) == 1) {
			do_pin(n);
		} else if (!strncmp(line, "unpin", 5)) {
			do_unpin();
		} else if (sscanf(line, "cow %lu", &n) == 1 && n) {
			unsigned long c = 0;

			for (unsigned long i = 0; i < npages; i += n, c++)
				fill(area + i * psz, i);
			printf("cowed pages=%lu\n", c);
		} else if (!strncmp(line, "fork", 4)) {
			pid_t pid = nchildren < 64 ? fork() : -1;

			if (pid == 0) {
				prctl(PR_SET_PDEATHSIG, SIGKILL);
				for (;;)
					pause();
			}
			if (pid > 0)
				children[nchildren++] = pid;
			printf("forked pid=%d\n", (int)pid);
		} else if (!strncmp(line, "unfork", 6)) {
			int k = nchildren;

			while (nchildren) {
				kill(children[--nchildren], SIGKILL);
				waitpid(children[nchildren], NULL, 0);
			}
			printf("unforked n=%d\n", k);
		} else if (!strncmp(line, "quit", 4)) {
			break;
		} else {
			printf("error unknown command\n");
		}
	}
	return 0;
}
