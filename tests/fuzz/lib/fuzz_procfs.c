// SPDX-License-Identifier: GPL-2.0
/*
 * The /proc and sysfs readers fed crafted content: ksm_stat_parse
 * (/proc/PID/ksm_stat), numa_map_parse (/proc/zoneinfo), proc_cgroup_parse
 * (/proc/PID/cgroup, whose paths are anyone's names) and ksm_sysfs_add
 * (a /sys/kernel/mm/ksm file per line).  Oracles: no crash, zones kept are
 * non-empty ranges of a known node, a cgroup path fits and starts with '/'.
 */
#include "../fuzz.h"
#include "ksm_stat.h"
#include "ksm_sysfs.h"
#include "numa.h"
#include "procfs.h"

static void numa(const char *text)
{
	struct numa_map m;

	if (numa_map_parse(&m, text))
		return;
	for (int i = 0; i < m.nr; i++)
		if (m.zone[i].start >= m.zone[i].end || m.zone[i].nid < 0 ||
		    m.zone[i].nid >= m.nr_nodes)
			abort();
	numa_pfn_to_nid(&m, 0);
	numa_pfn_to_nid(&m, UINT64_MAX);
	numa_pfn_to_nid(&m, m.zone[0].start);
}

static void cgroup(const uint8_t *data, size_t size)
{
	char small[16], big[4096];

	if (!proc_cgroup_parse((const char *)data, size, small, sizeof(small)) &&
	    (small[0] != '/' || strlen(small) >= sizeof(small)))
		abort();
	if (!proc_cgroup_parse((const char *)data, size, big, sizeof(big)) && big[0] != '/')
		abort();
}

/* "name value" per line, as the files of /sys/kernel/mm/ksm would be read */
static void sysfs(char *text)
{
	struct ksm_sysfs s = { 0 };
	char *save = NULL;
	int64_t v;

	for (char *l = strtok_r(text, "\n", &save); l; l = strtok_r(NULL, "\n", &save)) {
		char *sp = strchr(l, ' ');

		if (sp)
			*sp++ = '\0';
		ksm_sysfs_add(&s, l, sp ? sp : "");
	}
	/* every file kept is found by its name (the first of a repeated one) */
	for (int i = 0; i < s.n; i++)
		if (!ksm_sysfs_text(&s, s.ent[i].name) || (ksm_sysfs_get(&s, s.ent[i].name, &v) &&
							   !strcmp(s.ent[i].name, s.ent[0].name) &&
							   s.ent[0].numeric && v != s.ent[0].value))
			abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *text = malloc(size + 1);
	struct ksm_proc_stat st;

	if (!text)
		return 0;
	memcpy(text, data, size);
	text[size] = '\0';
	ksm_stat_parse(text, &st);
	numa(text);
	cgroup(data, size);
	sysfs(text);
	free(text);
	return 0;
}
