// SPDX-License-Identifier: GPL-2.0
/*
 * Which memory ksmadvise reads: by default what ksmd would scan now (the
 * VM_MERGEABLE VMAs of every process that opted in to KSM), with --all the
 * private anonymous memory of every process, as if each had opted in
 * (prctl PR_SET_MEMORY_MERGE).  -p and -c narrow it as everywhere else.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "advise.h"
#include "cgroup.h"
#include "ksm_stat.h"
#include "procfs.h"

/* Index of name in the list, added when new; ADV_NONE when out of memory. */
static uint32_t name_index(struct adv_name **list, size_t *n, const char *name)
{
	struct adv_name *l;

	for (size_t i = 0; i < *n; i++)
		if (!strcmp((*list)[i].name, name))
			return (uint32_t)i;
	l = realloc(*list, (*n + 1) * sizeof(*l));
	if (!l)
		return ADV_NONE;
	*list = l;
	memset(&l[*n], 0, sizeof(l[0]));
	l[*n].name = strdup(name);
	return l[*n].name ? (uint32_t)(*n)++ : ADV_NONE;
}

static uint32_t cgroup_index(struct adv *a, const char *path)
{
	struct adv_cgroup *c;
	char dom[4096];

	for (size_t i = 0; i < a->ncgs; i++)
		if (!strcmp(a->cgs[i].path, path))
			return (uint32_t)i;
	c = realloc(a->cgs, (a->ncgs + 1) * sizeof(*c));
	if (!c)
		return ADV_NONE;
	a->cgs = c;
	c = &a->cgs[a->ncgs];
	memset(c, 0, sizeof(*c));
	c->path = strdup(path);
	if (!c->path)
		return ADV_NONE;
	workload_from_cgroup(path, &c->wl);
	/*
	 * Without --boundary every cgroup is its own domain; with it, the
	 * boundary the cgroup lies in, and "" for all that lie in none (they
	 * still merge together, as cgroups without an isolate rule do).
	 */
	if (!a->bounds.n)
		snprintf(dom, sizeof(dom), "%s", path);
	else
		boundary_of(&a->bounds, path, dom, sizeof(dom));
	c->domain = name_index(&a->domains, &a->ndomains, dom);
	c->workload = name_index(&a->workloads, &a->nworkloads,
				 c->wl.kind == WL_NONE ? path : c->wl.name);
	if (c->domain == ADV_NONE || c->workload == ADV_NONE)
		return ADV_NONE;
	return (uint32_t)a->ncgs++;
}

/* Keep the VMAs to read; true when any is left. */
static bool pick_vmas(struct vma_list *l, bool all)
{
	size_t k = 0;

	for (size_t i = 0; i < l->n; i++) {
		unsigned int f = l->v[i].flags;
		bool keep = all ? (f & VMA_KSM_OK) && !(f & VMA_SPECIAL) : (f & VMA_MERGEABLE);

		if (keep)
			l->v[k++] = l->v[i];
	}
	l->n = k;
	return k > 0;
}

/* 1 when the process was added, 0 when it has nothing to read, or -errno. */
static int add_proc(struct adv *a, pid_t pid, const struct adv_target_opts *o)
{
	struct adv_proc p = { .pid = pid };
	char cg[4096];
	struct adv_proc *np;

	if (proc_read_cgroup(pid, cg, sizeof(cg)))
		strcpy(cg, "/"); /* no cgroup v2 line: count it at the root */
	if (!cgroup_in_subtree(cg, o->cgroup))
		return 0;
	if (proc_read_vmas(pid, true, &p.vmas) || !pick_vmas(&p.vmas, o->all)) {
		vma_list_free(&p.vmas);
		return 0;
	}
	if (proc_read_comm(pid, p.comm, sizeof(p.comm)))
		strcpy(p.comm, "?");
	p.cg = cgroup_index(a, cg);
	np = p.cg == ADV_NONE ? NULL : realloc(a->procs, (a->nprocs + 1) * sizeof(*np));
	if (!np) {
		vma_list_free(&p.vmas);
		return -ENOMEM;
	}
	a->procs = np;
	a->procs[a->nprocs++] = p;
	return 1;
}

int adv_find_targets(struct adv *a, const struct adv_target_opts *o)
{
	pid_t *pids, self = getpid();
	size_t n;
	int err;

	if (o->pid)
		return add_proc(a, o->pid, o) < 0 ? -ENOMEM : 0;
	err = proc_list_pids(&pids, &n);
	/* in pid order: close to the order ksmd meets the processes */
	for (size_t i = 0; i < n && !err; i++) {
		struct ksm_proc_stat st;

		if (pids[i] == self ||
		    (!o->all && (ksm_stat_read(pids[i], &st) || !ksm_stat_is_user(&st))))
			continue;
		err = add_proc(a, pids[i], o) < 0 ? -ENOMEM : 0;
	}
	free(pids);
	return err;
}

static void free_names(struct adv_name *l, size_t n)
{
	for (size_t i = 0; i < n; i++)
		free(l[i].name);
	free(l);
}

void adv_free(struct adv *a)
{
	for (size_t i = 0; i < a->nprocs; i++)
		vma_list_free(&a->procs[i].vmas);
	for (size_t i = 0; i < a->ncgs; i++)
		free(a->cgs[i].path);
	free_names(a->domains, a->ndomains);
	free_names(a->workloads, a->nworkloads);
	free(a->procs);
	free(a->cgs);
	free(a->pages);
	free(a->pairs);
	memset(a, 0, sizeof(*a));
}
