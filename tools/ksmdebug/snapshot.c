// SPDX-License-Identifier: GPL-2.0
#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "array.h"
#include "name_esc.h"
#include "procfs.h"
#include "sharing.h"
#include "snapshot.h"

int snapshot_init(struct snapshot *s, const char *label, uint64_t ts_ns)
{
	memset(s, 0, sizeof(*s));
	s->label = strdup(label);
	s->ts_ns = ts_ns;
	return s->label ? 0 : -ENOMEM;
}

void snapshot_free(struct snapshot *s)
{
	free(s->label);
	free(s->procs);
	json_decref(s->sharing);
	memset(s, 0, sizeof(*s));
}

int snapshot_add_sharing(struct snapshot *s)
{
	struct sharing_opts o = { 0 };
	struct sharing_snapshot ss;
	int r = sharing_walk(&o, &ss);

	if (r)
		return r;
	json_decref(s->sharing);
	/* pairs and per-cgroup counts; the frame list is the audit's to give */
	s->sharing = sharing_to_json(&ss, 0);
	sharing_snapshot_free(&ss);
	return s->sharing ? 0 : -ENOMEM;
}

int snapshot_add_proc(struct snapshot *s, int pid, const char *comm, const struct ksm_proc_stat *st,
		      bool stable)
{
	struct snap_proc *p;

	if (array_reserve(&s->procs, &s->cap_procs, s->nr_procs, sizeof(*s->procs)))
		return -ENOMEM;
	p = &s->procs[s->nr_procs++];
	p->pid = pid;
	snprintf(p->comm, sizeof(p->comm), "%s", comm ?: "");
	p->st = *st;
	p->stable = stable;
	return 0;
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

bool snapshot_shared_on_one_node(const struct snapshot *s, int64_t *shared)
{
	return s->nodes == 1 && ksm_sysfs_get(&s->sysfs, "pages_shared", shared);
}

const char *snapshot_stable_nodes_source(const struct snapshot *s)
{
	return s->nr_stable_per_node
		       ? "stable_node_insert/remove events seen by this trace (kernel-patch/)"
		       : "not exposed: the kernel has no per-node count; the kernel-patch/ "
			 "tracepoints carry the node";
}

const char *snapshot_shared_source(const struct snapshot *s)
{
	int64_t shared;

	return snapshot_shared_on_one_node(s, &shared)
		       ? "derived: one NUMA node holds every page"
		       : "not derivable from sysfs with more than one node";
}

/* ---- JSON ------------------------------------------------------------------ */

/* {"pages_shared": 12, "run": 1, ...}: numbers as numbers, the rest as text. */
static json_t *sysfs_json(const struct ksm_sysfs *fs)
{
	json_t *o = json_object();

	for (int i = 0; i < fs->n; i++)
		json_object_set_new(o, fs->ent[i].name,
				    fs->ent[i].numeric ? json_integer(fs->ent[i].value)
						       : name_json(fs->ent[i].text));
	return o;
}

static json_t *proc_json(const struct snap_proc *p)
{
	json_t *o = json_pack("{s:i, s:I, s:I, s:I, s:I, s:b, s:b, s:b}", "pid", p->pid,
			      "ksm_rmap_items", (json_int_t)p->st.rmap_items, "ksm_merging_pages",
			      (json_int_t)p->st.merging_pages, "ksm_zero_pages",
			      (json_int_t)p->st.zero_pages, "ksm_process_profit",
			      (json_int_t)p->st.profit, "ksm_mergeable", p->st.mergeable,
			      "ksm_merge_any", p->st.merge_any, "stable", p->stable);

	/* "comm_bytes" too when the name is not UTF-8 (name_esc.h) */
	name_json_setn(o, "comm", p->comm, sizeof(p->comm));
	return o;
}

static json_t *numa_json(const struct snapshot *s)
{
	json_t *o = json_object(), *a = json_null();
	int64_t shared;

	json_object_set_new(o, "nodes", s->nodes > 0 ? json_integer(s->nodes) : json_null());
	if (s->nr_stable_per_node) {
		a = json_array();
		for (int i = 0; i < s->nr_stable_per_node; i++)
			json_array_append_new(a, json_integer(s->stable_per_node[i]));
	}
	json_object_set_new(o, "stable_nodes_per_node", a);
	json_object_set_new(o, "stable_nodes_source", json_string(snapshot_stable_nodes_source(s)));
	a = json_null();
	if (snapshot_shared_on_one_node(s, &shared))
		a = json_pack("[I]", (json_int_t)shared);
	json_object_set_new(o, "pages_shared_per_node", a);
	json_object_set_new(o, "pages_shared_source", json_string(snapshot_shared_source(s)));
	return o;
}

json_t *snapshot_json(const struct snapshot *s)
{
	json_t *o = json_pack("{s:s, s:o, s:I, s:b}", "type", "snapshot", "label",
			      name_json(s->label), "ts_ns", (json_int_t)s->ts_ns, "stable", s->stable);
	json_t *procs = json_array();

	for (size_t i = 0; i < s->nr_procs; i++)
		json_array_append_new(procs, proc_json(&s->procs[i]));
	json_object_set_new(o, "sysfs", sysfs_json(&s->sysfs));
	json_object_set_new(o, "numa", numa_json(s));
	json_object_set_new(o, "procs", procs);
	if (s->sharing)
		json_object_set(o, "sharing", s->sharing);
	return o;
}

void snapshot_print_sharing(FILE *out, const struct snapshot *s, const char *indent)
{
	const json_t *pairs = json_object_get(s->sharing, "pairs"), *p;
	size_t i;

	if (!s->sharing)
		return;
	fprintf(out, "%sKSM frames shared across cgroups: %lld of %lld KSM frames\n", indent,
		(long long)json_integer_value(json_object_get(s->sharing, "cross_cgroup_frames")),
		(long long)json_integer_value(json_object_get(s->sharing, "ksm_frames")));
	json_array_foreach(pairs, i, p)
	{
		fprintf(out, "%s  ", indent);
		name_fputs(json_string_value(json_object_get(p, "a")), out);
		fputs(" <-> ", out);
		name_fputs(json_string_value(json_object_get(p, "b")), out);
		fprintf(out, ": %lld frames\n",
			(long long)json_integer_value(json_object_get(p, "frames")));
	}
}

/* ---- reading back ------------------------------------------------------------ */

static void sysfs_from_json(const json_t *o, struct ksm_sysfs *fs)
{
	const char *name;
	json_t *v;

	memset(fs, 0, sizeof(*fs));
	json_object_foreach((json_t *)o, name, v)
	{
		typeof(fs->ent[0]) *ent;

		if (fs->n == KSM_SYSFS_MAX)
			break;
		ent = &fs->ent[fs->n];
		if (json_is_integer(v)) {
			ent->numeric = true;
			ent->value = json_integer_value(v);
			snprintf(ent->text, sizeof(ent->text), "%lld", (long long)ent->value);
		} else if (json_is_string(v)) {
			snprintf(ent->text, sizeof(ent->text), "%s", json_string_value(v));
		} else {
			continue;
		}
		snprintf(ent->name, sizeof(ent->name), "%s", name);
		fs->n++;
	}
}

static int64_t int_field(const json_t *o, const char *key)
{
	return json_integer_value(json_object_get(o, key));
}

/* Absent means a writer that did not check: trust it. */
static bool stable_field(const json_t *o)
{
	const json_t *v = json_object_get(o, "stable");

	return !v || json_is_true(v);
}

static int proc_from_json(const json_t *o, struct snapshot *s)
{
	struct ksm_proc_stat st = { 0 };
	char comm[sizeof(s->procs->comm)], err[128];

	if (!json_is_integer(json_object_get(o, "pid")) ||
	    !json_is_integer(json_object_get(o, "ksm_merging_pages")))
		return 0;
	st.merging_pages = int_field(o, "ksm_merging_pages");
	st.rmap_items = int_field(o, "ksm_rmap_items");
	st.zero_pages = int_field(o, "ksm_zero_pages");
	st.profit = int_field(o, "ksm_process_profit");
	st.mergeable = json_is_true(json_object_get(o, "ksm_mergeable"));
	st.merge_any = json_is_true(json_object_get(o, "ksm_merge_any"));
	/* a comm the reader cannot take is unknown, not a reason to drop the row */
	if (name_from_json(o, "comm", comm, sizeof(comm), err, sizeof(err)))
		comm[0] = '\0';
	return snapshot_add_proc(s, (int)int_field(o, "pid"), comm, &st, stable_field(o));
}

int snapshot_from_json(const json_t *o, struct snapshot *s)
{
	const char *label = json_string_value(json_object_get(o, "label"));
	size_t i;
	json_t *p;

	if (snapshot_init(s, label ?: "", (uint64_t)int_field(o, "ts_ns")))
		return -ENOMEM;
	s->stable = stable_field(o);
	sysfs_from_json(json_object_get(o, "sysfs"), &s->sysfs);
	json_array_foreach(json_object_get(o, "procs"), i, p)
	{
		if (proc_from_json(p, s)) {
			snapshot_free(s);
			return -ENOMEM;
		}
	}
	p = json_object_get(o, "sharing");
	if (json_is_object(p))
		s->sharing = json_incref(p);
	return 0;
}
