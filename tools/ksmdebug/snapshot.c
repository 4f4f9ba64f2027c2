// SPDX-License-Identifier: GPL-2.0
#include <ctype.h>
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "procfs.h"
#include "snapshot.h"

json_t *snap_sysfs_json(const struct ksm_sysfs *fs)
{
	json_t *o = json_object();

	for (int i = 0; i < fs->n; i++)
		json_object_set_new(o, fs->ent[i].name,
				    fs->ent[i].numeric ? json_integer(fs->ent[i].value) :
							 json_string(fs->ent[i].text));
	return o;
}

json_t *snap_proc_json(int pid, const char *comm, const struct ksm_proc_stat *st, bool stable)
{
	return json_pack("{s:i, s:s, s:I, s:I, s:I, s:I, s:b, s:b, s:b}", "pid", pid, "comm",
			 comm ?: "", "ksm_rmap_items", (json_int_t)st->rmap_items,
			 "ksm_merging_pages", (json_int_t)st->merging_pages, "ksm_zero_pages",
			 (json_int_t)st->zero_pages, "ksm_process_profit", (json_int_t)st->profit,
			 "ksm_mergeable", st->mergeable, "ksm_merge_any", st->merge_any, "stable",
			 stable);
}

int snap_ksm_pids(int *pids, int max)
{
	DIR *d = opendir(proc_dir());
	struct dirent *de;
	int n = 0;

	if (!d)
		return 0;
	while ((de = readdir(d)) && n < max) {
		struct ksm_proc_stat st;
		int pid;

		if (!isdigit((unsigned char)de->d_name[0]))
			continue;
		pid = atoi(de->d_name);
		if (ksm_stat_read(pid, &st))
			continue;
		if (ksm_stat_is_user(&st))
			pids[n++] = pid;
	}
	closedir(d);
	return n;
}

json_t *snap_numa_json(const struct ksm_sysfs *fs, int nr_nodes, const int64_t *per_nid,
		       int per_nid_len)
{
	json_t *o = json_object(), *a;
	int64_t shared;

	json_object_set_new(o, "nodes", nr_nodes > 0 ? json_integer(nr_nodes) : json_null());
	if (per_nid) {
		a = json_array();
		for (int i = 0; i < per_nid_len; i++)
			json_array_append_new(a, json_integer(per_nid[i]));
		json_object_set_new(o, "stable_nodes_per_node", a);
		json_object_set_new(o, "stable_nodes_source",
				    json_string("stable_node_insert/remove events seen by this "
						"trace (kernel-patch/)"));
	} else {
		json_object_set_new(o, "stable_nodes_per_node", json_null());
		json_object_set_new(o, "stable_nodes_source",
				    json_string("not exposed: the kernel has no per-node count; "
						"the kernel-patch/ tracepoints carry the node"));
	}
	if (nr_nodes == 1 && ksm_sysfs_get(fs, "pages_shared", &shared)) {
		a = json_array();
		json_array_append_new(a, json_integer(shared));
		json_object_set_new(o, "pages_shared_per_node", a);
		json_object_set_new(o, "pages_shared_source",
				    json_string("derived: one NUMA node holds every page"));
	} else {
		json_object_set_new(o, "pages_shared_per_node", json_null());
		json_object_set_new(o, "pages_shared_source",
				    json_string("not derivable from sysfs with more than one node"));
	}
	return o;
}

bool snap_sysfs_get(const json_t *snap, const char *name, int64_t *v)
{
	json_t *j = json_object_get(json_object_get(snap, "sysfs"), name);

	if (!json_is_integer(j))
		return false;
	*v = json_integer_value(j);
	return true;
}

bool snap_stable(const json_t *snap)
{
	json_t *j = json_object_get(snap, "stable");

	/* Absent means a writer that did not check: trust it. */
	return !j || json_is_true(j);
}
