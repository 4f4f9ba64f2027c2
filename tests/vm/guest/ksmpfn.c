// SPDX-License-Identifier: GPL-2.0
/*
 * ksmpfn - the KSM pages a process maps, from /proc/PID/pagemap and
 * /proc/kpageflags (root).
 *
 *   ksmpfn PID NPAGES
 *
 * Finds the anonymous mapping of exactly NPAGES pages in /proc/PID/maps (the
 * ksmwork area) and prints, one per line and sorted, the distinct page frames
 * of its pages that have KPF_KSM set; the last line is "# ksm=K pages=P".
 *
 *   ksmpfn -c FILE
 *
 * The torture's invariants in one process (a fork and exec per step is what
 * the guest pays most for under TCG).  FILE has one process a line, "NAME
 * PID NPAGES DOMAIN"; prints "merging=S", S the sum of their
 * ksm_merging_pages (/proc/PID/ksm_stat), then one word per violation:
 * "A(never)-maps-K-ksm-frames" for a process of the never domain that maps
 * KSM frames, "A(D)/B(E)-share-K-frames" for two processes of different
 * domains (or of the never domain) that map the same K KSM frames.
 */
#include "guest.h"
#include <fcntl.h>
#include <stdint.h>

#define KPF_KSM		21
#define MAX_PROCS	32

static long psz;

static int cmp(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return x < y ? -1 : x > y;
}

/*
 * The distinct KSM frames of PID's mapping of NPAGES pages, sorted, in
 * *PFNS (malloc'ed); their number, or -1 if there is no such mapping.
 * *KSM: the number of its pages that are KSM pages.
 */
static long ksm_frames(const char *pid, unsigned long npages, uint64_t **pfns, size_t *ksm)
{
	unsigned long start = 0;
	char path[64], line[512];
	uint64_t *ents, *out;
	size_t n = 0, d = 0;
	FILE *f;
	int pm, kf;

	snprintf(path, sizeof(path), "/proc/%s/maps", pid);
	f = fopen(path, "r");
	if (!f)
		die(path);
	while (fgets(line, sizeof(line), f)) {
		unsigned long s, e;

		if (sscanf(line, "%lx-%lx", &s, &e) == 2 && (e - s) / psz == npages) {
			start = s;
			break;
		}
	}
	fclose(f);
	if (!start)
		return -1;
	snprintf(path, sizeof(path), "/proc/%s/pagemap", pid);
	pm = open(path, O_RDONLY);
	kf = open("/proc/kpageflags", O_RDONLY);
	if (pm < 0 || kf < 0)
		die("open pagemap/kpageflags");
	ents = calloc(npages, sizeof(*ents));
	out = calloc(npages + 1, sizeof(*out));
	if (!ents || !out)
		die("calloc");
	if (pread(pm, ents, npages * 8, (start / psz) * 8) != (ssize_t)(npages * 8))
		die("pagemap");
	*ksm = 0;
	for (unsigned long i = 0; i < npages; i++) {
		uint64_t pfn = ents[i] & ((1ULL << 55) - 1), flags;

		if (!(ents[i] >> 63))
			continue;	/* not present */
		if (pread(kf, &flags, 8, pfn * 8) != 8)
			die("kpageflags");
		if (flags & (1ULL << KPF_KSM)) {
			out[n++] = pfn;
			(*ksm)++;
		}
	}
	close(pm);
	close(kf);
	free(ents);
	qsort(out, n, sizeof(*out), cmp);
	for (size_t i = 0; i < n; i++)
		if (!i || out[i] != out[i - 1])
			out[d++] = out[i];
	*pfns = out;
	return d;
}

static long merging_pages(const char *pid)
{
	char path[64], line[128];
	long v = 0;
	FILE *f;

	snprintf(path, sizeof(path), "/proc/%s/ksm_stat", pid);
	f = fopen(path, "r");
	if (!f)
		return 0;	/* exited since */
	while (fgets(line, sizeof(line), f))
		if (sscanf(line, "ksm_merging_pages %ld", &v) == 1)
			break;
	fclose(f);
	return v;
}

static size_t common(const uint64_t *a, long na, const uint64_t *b, long nb)
{
	size_t c = 0;
	long i = 0, j = 0;

	while (i < na && j < nb) {
		if (a[i] == b[j])
			c++, i++, j++;
		else if (a[i] < b[j])
			i++;
		else
			j++;
	}
	return c;
}

static int check(const char *file)
{
	struct { char name[32], pid[16], dom[64]; uint64_t *pfns; long n; } p[MAX_PROCS];
	int np = 0;
	long sum = 0;
	char line[256];
	unsigned long npages;
	size_t ksm;
	FILE *f = fopen(file, "r");

	if (!f)
		die(file);
	while (np < MAX_PROCS && fgets(line, sizeof(line), f)) {
		if (sscanf(line, "%31s %15s %lu %63s", p[np].name, p[np].pid, &npages,
			   p[np].dom) != 4)
			continue;
		p[np].n = ksm_frames(p[np].pid, npages, &p[np].pfns, &ksm);
		if (p[np].n < 0)
			continue;	/* exited since */
		sum += merging_pages(p[np].pid);
		np++;
	}
	fclose(f);
	printf("merging=%ld", sum);
	for (int i = 0; i < np; i++) {
		if (!strcmp(p[i].dom, "never") && p[i].n)
			printf(" %s(never)-maps-%ld-ksm-frames", p[i].name, p[i].n);
		for (int j = i + 1; j < np; j++) {
			size_t c;

			/* one domain may share, but for the never domain */
			if (!strcmp(p[i].dom, p[j].dom) && strcmp(p[i].dom, "never"))
				continue;
			c = common(p[i].pfns, p[i].n, p[j].pfns, p[j].n);
			if (c)
				printf(" %s(%s)/%s(%s)-share-%zu-frames", p[i].name, p[i].dom,
				       p[j].name, p[j].dom, c);
		}
	}
	printf("\n");
	return 0;
}

int main(int argc, char **argv)
{
	uint64_t *pfns;
	size_t ksm;
	long n;

	psz = sysconf(_SC_PAGESIZE);
	if (argc == 3 && !strcmp(argv[1], "-c"))
		return check(argv[2]);
	if (argc != 3)
		return fprintf(stderr, "usage: ksmpfn PID NPAGES | ksmpfn -c FILE\n"), 2;
	n = ksm_frames(argv[1], strtoul(argv[2], NULL, 0), &pfns, &ksm);
	if (n < 0)
		return fprintf(stderr, "ksmpfn: no mapping of %s pages\n", argv[2]), 1;
	for (long i = 0; i < n; i++)
		printf("%llx\n", (unsigned long long)pfns[i]);
	printf("# ksm=%zu pages=%s\n", ksm, argv[2]);
	return 0;
}
