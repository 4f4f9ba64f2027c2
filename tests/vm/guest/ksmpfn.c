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
 */
#include "guest.h"
#include <fcntl.h>
#include <stdint.h>

#define KPF_KSM 21

static int cmp(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return x < y ? -1 : x > y;
}

int main(int argc, char **argv)
{
	unsigned long start = 0, end, npages;
	char path[64], line[512];
	uint64_t *pfns;
	size_t n = 0, ksm = 0;
	long psz = sysconf(_SC_PAGESIZE);
	FILE *f;
	int pm, kf;

	if (argc != 3)
		return fprintf(stderr, "usage: ksmpfn PID NPAGES\n"), 2;
	npages = strtoul(argv[2], NULL, 0);
	snprintf(path, sizeof(path), "/proc/%s/maps", argv[1]);
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
		return fprintf(stderr, "ksmpfn: no mapping of %lu pages\n", npages), 1;
	end = start + npages * psz;
	snprintf(path, sizeof(path), "/proc/%s/pagemap", argv[1]);
	pm = open(path, O_RDONLY);
	kf = open("/proc/kpageflags", O_RDONLY);
	if (pm < 0 || kf < 0)
		die("open pagemap/kpageflags");
	pfns = calloc(npages, sizeof(*pfns));
	for (unsigned long a = start; a < end; a += psz) {
		uint64_t ent, flags;

		if (pread(pm, &ent, 8, (a / psz) * 8) != 8)
			die("pagemap");
		if (!(ent >> 63))
			continue;	/* not present */
		ent &= (1ULL << 55) - 1;
		if (pread(kf, &flags, 8, ent * 8) != 8)
			die("kpageflags");
		if (flags & (1ULL << KPF_KSM)) {
			pfns[n++] = ent;
			ksm++;
		}
	}
	qsort(pfns, n, sizeof(*pfns), cmp);
	for (size_t i = 0; i < n; i++)
		if (!i || pfns[i] != pfns[i - 1])
			printf("%llx\n", (unsigned long long)pfns[i]);
	printf("# ksm=%zu pages=%lu\n", ksm, npages);
	return 0;
}
