// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "procfs.h"
#include "numa.h"

int numa_map_parse(struct numa_map *m, const char *text)
{
	const char *line = text;
	int nid = -1, max_nid = -1;
	uint64_t start = 0;
	bool have_start = false;

	memset(m, 0, sizeof(*m));
	while (line && *line) {
		unsigned long long v;
		int n;
		char zname[32];

		if (sscanf(line, "Node %d, zone %31s", &n, zname) == 2) {
			nid = n;
			have_start = false;
		} else if (sscanf(line, " start_pfn: %llu", &v) == 1) {
			start = v;
			have_start = true;
		} else if (sscanf(line, " spanned %llu", &v) == 1 && nid >= 0) {
			/* spanned precedes start_pfn in the file: keep it for later */
			if (m->nr < NUMA_MAX_ZONES) {
				m->zone[m->nr].end = v; /* length for now */
				m->zone[m->nr].nid = nid;
				m->zone[m->nr].start = UINT64_MAX;
			}
		}
		if (have_start && nid >= 0 && m->nr < NUMA_MAX_ZONES &&
		    m->zone[m->nr].start == UINT64_MAX && m->zone[m->nr].nid == nid) {
			m->zone[m->nr].start = start;
			m->zone[m->nr].end += start;
			if (m->zone[m->nr].end > start)
				m->nr++;
			if (nid > max_nid)
				max_nid = nid;
			have_start = false;
		}
		line = strchr(line, '\n');
		if (line)
			line++;
	}
	m->nr_nodes = max_nid + 1;
	return m->nr ? 0 : -EINVAL;
}

int numa_map_load(struct numa_map *m)
{
	char path[256];
	char *buf = NULL;
	size_t cap = 0;
	ssize_t n;
	FILE *f;
	int err;

	snprintf(path, sizeof(path), "%s/zoneinfo", proc_dir());
	f = fopen(path, "re");
	if (!f)
		return -errno;
	n = getdelim(&buf, &cap, '\0', f);
	fclose(f);
	if (n <= 0) {
		free(buf);
		return -EIO;
	}
	err = numa_map_parse(m, buf);
	free(buf);
	return err;
}

int numa_pfn_to_nid(const struct numa_map *m, uint64_t pfn)
{
	for (int i = 0; i < m->nr; i++)
		if (pfn >= m->zone[i].start && pfn < m->zone[i].end)
			return m->zone[i].nid;
	return -1;
}

void numa_fill_event(const struct numa_map *m, struct ksm_event *e)
{
	/* scan events carry counters in pfn's place, never a frame */
	if (e->nid < 0 && e->pfn && e->kind != KSM_EV_START_SCAN && e->kind != KSM_EV_STOP_SCAN)
		e->nid = numa_pfn_to_nid(m, e->pfn);
	if (e->nid2 < 0 && e->pfn2)
		e->nid2 = numa_pfn_to_nid(m, e->pfn2);
}
