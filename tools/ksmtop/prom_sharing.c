// SPDX-License-Identifier: GPL-2.0
/*
 * The exporter's series of the sharing walker (top_sharing.h): the total of
 * KSM frames shared across cgroups, always (one series), and one series per
 * cgroup pair for the --prom-sharing-pairs biggest pairs only: n cgroups
 * make up to n(n-1)/2 pairs, which no Prometheus should be asked to hold.
 */
#include <stdlib.h>

#include "prom.h"
#include "top_sharing.h"

void prom_write_sharing(const struct prom_out *o, const struct top_model *m, int max_pairs)
{
	const struct sharing_snapshot *ss = m->sharing ? top_sharing_last(m->sharing) : NULL;

	if (!ss)
		return;
	prom_head(o, "ksm_cross_cgroup_shared_frames", PROM_GAUGE,
		  "KSM frames (pages) mapped by processes of two cgroups or more, from the last "
		  "complete walk of the KSM users' page tables");
	prom_sample_u64(o, "ksm_cross_cgroup_shared_frames", NULL, ss->cross_frames);
	if (max_pairs <= 0 || !ss->npairs)
		return;
	prom_head(o, "ksm_cgroup_shared_frames", PROM_GAUGE,
		  "KSM frames mapped by processes of both cgroup a and cgroup b "
		  "(the --prom-sharing-pairs pairs that share the most)");
	for (size_t i = 0; i < ss->npairs && (int)i < max_pairs; i++) {
		const struct sharing_pair *p = &ss->pairs[i];
		struct prom_label l[] = { { "a", ss->cgs[p->a].path },
					  { "b", ss->cgs[p->b].path } };
		char *labels = prom_label_str(l, 2);

		if (!labels)
			return;
		prom_sample_u64(o, "ksm_cgroup_shared_frames", labels, p->frames);
		free(labels);
	}
}
