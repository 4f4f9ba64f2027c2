// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "cgroup.h"
#include "ksm_stat.h"
#include "procfs.h"
#include "sharing.h"
#include "util.h"

#define PM_CHUNK 4096 /* pagemap entries per read: 16 MiB of address space */

/* The processes this pass walks: the one asked for, or every KSM user. */
static int list_pids(struct sharing_walker *w)
{
	pid_t *all;
	size_t n;
	int err;

	w->npids = w->next = 0;
	if (w->opts.pid) {
		if (array_grow((void **)&w->pids, &w->pids_cap, 1, sizeof(pid_t)))
			return -ENOMEM;
		w->pids[w->npids++] = w->opts.pid;
		return 0;
	}
	err = proc_list_pids(&all, &n);
	if (err)
		return err;
	for (size_t i = 0; i < n; i++) {
		struct ksm_proc_stat st;

		if (ksm_stat_read(all[i], &st) || !ksm_stat_is_user(&st))
			continue;
		if (array_grow((void **)&w->pids, &w->pids_cap, w->npids + 1, sizeof(pid_t))) {
			free(all);
			return -ENOMEM;
		}
		w->pids[w->npids++] = all[i];
	}
	free(all);
	return 0;
}

static int cg_index(struct sharing_walker *w, const char *path, uint32_t *idx)
{
	struct sharing_snapshot *s = &w->cur;
	int level;

	for (size_t i = s->ncgs; i-- > 0;) {
		if (!strcmp(s->cgs[i].path, path)) {
			*idx = (uint32_t)i;
			return 0;
		}
	}
	if (array_grow((void **)&s->cgs, &w->cgs_cap, s->ncgs + 1, sizeof(*s->cgs)))
		return -ENOMEM;
	memset(&s->cgs[s->ncgs], 0, sizeof(s->cgs[0]));
	s->cgs[s->ncgs].path = strdup(path);
	if (!s->cgs[s->ncgs].path)
		return -ENOMEM;
	workload_from_cgroup(path, &s->cgs[s->ncgs].wl);
	if (cgroup_resolve(path, &s->cgs[s->ncgs].id, &level, NULL, 0))
		s->cgs[s->ncgs].id = 0;
	*idx = (uint32_t)s->ncgs++;
	return 0;
}

/*
 * Start on the next process: its cgroup (skipping it when -c excludes it),
 * comm, VMAs and pagemap.  1 when it is ready to walk, 0 to skip it.
 */
static int open_proc(struct sharing_walker *w, pid_t pid)
{
	struct sharing_snapshot *s = &w->cur;
	struct sharing_proc *p;
	char cg[4096];
	uint32_t idx;

	if (proc_read_cgroup(pid, cg, sizeof(cg)))
		return 0; /* gone, or no cgroup v2: nothing to attribute */
	if (w->opts.cgroup && !cgroup_in_subtree(cg, w->opts.cgroup))
		return 0;
	/*
	 * smaps, not maps: its VmFlags say which VMAs ksmd may merge in, and a
	 * KSM page lives only there (MADV_UNMERGEABLE and PR_SET_MEMORY_MERGE 0
	 * unmerge before they clear the flag).  Reading pagemap for the other
	 * VMAs would find nothing, and one huge sparse mapping (a 16 TiB ASan
	 * shadow, an mmap(MAP_NORESERVE) any user can make) would cost minutes.
	 */
	if (proc_read_vmas(pid, true, &w->vmas))
		return 0;
	w->pm_fd = pagemap_open(pid);
	if (w->pm_fd < 0)
		return w->pm_fd == -ENOENT || w->pm_fd == -ESRCH ? 0 : w->pm_fd;
	if (cg_index(w, cg, &idx) ||
	    array_grow((void **)&s->procs, &w->procs_cap, s->nprocs + 1, sizeof(*s->procs)))
		return -ENOMEM;
	p = &s->procs[s->nprocs];
	memset(p, 0, sizeof(*p));
	p->pid = pid;
	p->cg = idx;
	if (proc_read_comm(pid, p->comm, sizeof(p->comm)))
		strcpy(p->comm, "?");
	s->cgs[idx].nprocs++;
	w->proc = (uint32_t)s->nprocs++;
	w->vma = 0;
	w->addr = w->vmas.n ? w->vmas.v[0].start : 0;
	return 1;
}

static void close_proc(struct sharing_walker *w)
{
	if (w->pm_fd >= 0)
		close(w->pm_fd);
	w->pm_fd = -1;
}

/* Keep the entries that map a KSM frame shared with another mapping. */
static int scan_entries(struct sharing_walker *w, uint64_t vaddr, ssize_t n)
{
	struct sharing_snapshot *s = &w->cur;

	for (ssize_t i = 0; i < n; i++) {
		uint64_t e = w->ent[i], pfn = e & PM_PFN_MASK, kf;

		/* a frame mapped once cannot be shared: skip it unread */
		if (!(e & PM_PRESENT) || (e & (PM_FILE | PM_EXCLUSIVE)) || !pfn)
			continue;
		if (kpage_flags(&w->kp, pfn, &kf) || !(kf & (1ULL << KPF_KSM)) ||
		    (kf & (1ULL << KPF_ZERO_PAGE)))
			continue;
		if (array_grow((void **)&s->maps, &w->maps_cap, s->nmaps + 1, sizeof(*s->maps)))
			return -ENOMEM;
		s->maps[s->nmaps++] = (struct sharing_map){
			.pfn = pfn,
			.vaddr = vaddr + ((uint64_t)i << 12),
			.proc = w->proc,
			.cg = s->procs[w->proc].cg,
		};
	}
	return 0;
}

/* Walk the current process from where the last step stopped; 1 when done. */
static int walk_proc(struct sharing_walker *w, uint64_t deadline)
{
	while (w->vma < w->vmas.n) {
		const struct vma *v = &w->vmas.v[w->vma];
		uint64_t left = (v->end - w->addr) >> 12;
		ssize_t n;
		int err;

		if (!(v->flags & VMA_MERGEABLE) || (v->flags & VMA_SPECIAL) || !left) {
			if (++w->vma < w->vmas.n)
				w->addr = w->vmas.v[w->vma].start;
			continue;
		}
		n = pagemap_read(w->pm_fd, w->addr, w->ent, left < PM_CHUNK ? left : PM_CHUNK);
		if (n <= 0)
			return 1; /* the process exited under us: keep what was read */
		err = scan_entries(w, w->addr, n);
		if (err)
			return err;
		w->cur.pages_walked += (uint64_t)n;
		w->addr += (uint64_t)n << 12;
		if (deadline && now_ns(CLOCK_MONOTONIC) >= deadline)
			return 0;
	}
	return 1;
}

static int memcg_of(void *ctx, uint64_t pfn, uint64_t *id)
{
	return kpage_cgroup(ctx, pfn, id);
}

static void reset_pass(struct sharing_walker *w)
{
	struct sharing_snapshot *s = &w->cur;

	for (size_t i = 0; i < s->ncgs; i++)
		free(s->cgs[i].path);
	s->ncgs = s->nprocs = s->nmaps = 0;
	free(s->frames);
	free(s->pairs);
	s->frames = NULL;
	s->pairs = NULL;
	s->nframes = s->npairs = 0;
	s->cross_frames = s->pages_walked = s->walk_ns = 0;
	s->steps = 0;
}

/* The pass is complete: build the model and hand it over to w->last. */
static int finish_pass(struct sharing_walker *w)
{
	struct sharing_snapshot *s = &w->cur;
	int err = sharing_build(s, memcg_of, &w->kp);

	if (err)
		return err;
	sharing_snapshot_free(&w->last);
	w->last = *s;
	w->have_last = true;
	memset(s, 0, sizeof(*s));
	w->maps_cap = w->procs_cap = w->cgs_cap = 0;
	w->npids = w->next = 0;
	return 1;
}

int sharing_walker_step(struct sharing_walker *w, uint64_t budget_ns)
{
	uint64_t start = now_ns(CLOCK_MONOTONIC);
	uint64_t deadline = budget_ns ? start + budget_ns : 0;
	int r = 0;

	if (!w->npids && !w->cur.nprocs && w->pm_fd < 0) {
		reset_pass(w);
		r = list_pids(w);
		if (r)
			return r;
	}
	w->cur.steps++;
	while (r >= 0) {
		if (w->pm_fd < 0) {
			if (w->next >= w->npids)
				break;
			r = open_proc(w, w->pids[w->next++]);
			if (r <= 0)
				continue;
		}
		r = walk_proc(w, deadline);
		if (r == 1)
			close_proc(w);
		if (r == 0)
			break;
	}
	w->cur.walk_ns += now_ns(CLOCK_MONOTONIC) - start;
	if (r < 0)
		return r;
	if (w->pm_fd >= 0 || w->next < w->npids)
		return 0;
	return finish_pass(w);
}

int sharing_walker_init(struct sharing_walker *w, const struct sharing_opts *o)
{
	int err;

	memset(w, 0, sizeof(*w));
	w->opts = *o;
	w->pm_fd = -1;
	w->ent = malloc(PM_CHUNK * sizeof(*w->ent));
	if (!w->ent)
		return -ENOMEM;
	err = kpage_open(&w->kp, true);
	if (err) {
		free(w->ent);
		w->ent = NULL;
	}
	return err;
}

void sharing_walker_free(struct sharing_walker *w)
{
	close_proc(w);
	reset_pass(w);
	sharing_snapshot_free(&w->cur);
	sharing_snapshot_free(&w->last);
	vma_list_free(&w->vmas);
	kpage_close(&w->kp);
	free(w->pids);
	free(w->ent);
	memset(w, 0, sizeof(*w));
	w->pm_fd = -1;
}

int sharing_walk(const struct sharing_opts *o, struct sharing_snapshot *s)
{
	struct sharing_walker w;
	int r = sharing_walker_init(&w, o);

	memset(s, 0, sizeof(*s));
	if (r)
		return r;
	r = sharing_walker_step(&w, 0);
	if (r == 1) {
		*s = w.last;
		memset(&w.last, 0, sizeof(w.last));
		r = 0;
	}
	sharing_walker_free(&w);
	return r;
}

void sharing_snapshot_free(struct sharing_snapshot *s)
{
	for (size_t i = 0; i < s->ncgs; i++)
		free(s->cgs[i].path);
	free(s->cgs);
	free(s->procs);
	free(s->maps);
	free(s->frames);
	free(s->pairs);
	memset(s, 0, sizeof(*s));
}
