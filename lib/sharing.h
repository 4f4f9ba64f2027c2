/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Who shares with whom: the KSM frames that processes map right now, and
 * which cgroups (and so which workloads and tenants) share each one.
 *
 * For every KSM user (or the processes -p/-c chose), the walker reads the
 * private VMAs from /proc/PID/maps and their frames from /proc/PID/pagemap;
 * a present anonymous page that is not mapped exclusively is looked up in
 * /proc/kpageflags, and kept when the frame is a KSM page (KPF_KSM).  At
 * the end of a pass the mappings are sorted by frame: each frame gets its
 * mappers, its charged memory cgroup (/proc/kpagecgroup), and each pair of
 * cgroups that map the same frame is counted.  Root only.
 *
 * Cost: one pagemap entry per page of the walked VMAs, one kpageflags read
 * per KSM mapping (cached), one kpagecgroup read per KSM frame.  A live
 * caller bounds each step with a time budget and gets a complete snapshot
 * every few steps; a snapshot caller takes one step without a budget.
 */
#ifndef KSM_SHARING_H
#define KSM_SHARING_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <sys/types.h>

#include <jansson.h>

#include "boundary.h"
#include "pagemap.h"
#include "workload.h"

struct sharing_opts {
	pid_t pid;	    /* only this process; 0: every KSM user */
	const char *cgroup; /* only processes in this subtree ("/a/b"); NULL: all */
};

struct sharing_proc {
	pid_t pid;
	uint32_t cg; /* index in cgs */
	char comm[16];
	uint64_t ksm_mappings; /* its pages that map a shared KSM frame */
};

struct sharing_cg {
	char *path;
	uint64_t id; /* cgroup v2 id (0 if it went away) */
	struct workload wl;
	uint32_t nprocs;
	uint64_t ksm_mappings; /* pages of its processes mapping a shared KSM frame */
	uint64_t frames;       /* distinct such frames */
	uint64_t cross_frames; /* of those, mapped from another cgroup too */
};

/* One mapping of a KSM frame; a snapshot's maps are sorted by (pfn, cg). */
struct sharing_map {
	uint64_t pfn;
	uint64_t vaddr;
	uint32_t proc, cg;
};

struct sharing_frame {
	uint64_t pfn;
	uint64_t memcg; /* cgroup id the frame is charged to (kpagecgroup), 0 if unknown;
			 * JSON names it when it is one of the snapshot's cgroups */
	uint32_t first; /* its mappings: maps[first .. first + nmaps) */
	uint32_t nmaps;
	uint32_t ncgs; /* distinct cgroups among them */
};

/* Two cgroups (a < b, indexes in cgs) and the KSM frames both map. */
struct sharing_pair {
	uint32_t a, b;
	uint64_t frames;
};

struct sharing_snapshot {
	struct sharing_proc *procs;
	struct sharing_cg *cgs;
	struct sharing_map *maps;
	struct sharing_frame *frames;
	struct sharing_pair *pairs; /* most frames first */
	size_t nprocs, ncgs, nmaps, nframes, npairs;
	uint64_t cross_frames; /* frames mapped from two or more cgroups */
	uint64_t pages_walked; /* pagemap entries read */
	uint64_t walk_ns;      /* time spent walking, over every step of the pass */
	uint32_t steps;	       /* steps the pass took */
};

struct sharing_walker {
	struct sharing_opts opts;
	struct kpage_reader kp;
	/* the pass in progress */
	pid_t *pids;
	size_t npids, next, pids_cap;
	struct vma_list vmas;
	size_t vma;
	uint64_t addr;
	int pm_fd;
	uint32_t proc; /* index of the current process in cur.procs */
	uint64_t *ent; /* pagemap buffer */
	struct sharing_snapshot cur;
	size_t maps_cap, procs_cap, cgs_cap;
	/* the last complete pass */
	struct sharing_snapshot last;
	bool have_last;
};

/* 0, or -errno (-EACCES, -EPERM: not root; -ENOENT: no kpageflags). */
int sharing_walker_init(struct sharing_walker *w, const struct sharing_opts *o);
/*
 * Walk for at most budget_ns (0: until the pass completes).  Returns 1 when
 * a pass completed (w->last holds it), 0 when the pass goes on at the next
 * step, or -errno.
 */
int sharing_walker_step(struct sharing_walker *w, uint64_t budget_ns);
void sharing_walker_free(struct sharing_walker *w);

/* One complete pass into *s (free it with sharing_snapshot_free). */
int sharing_walk(const struct sharing_opts *o, struct sharing_snapshot *s);
void sharing_snapshot_free(struct sharing_snapshot *s);

/*
 * The frame -> mappers model, from mappings in any order: sorts them and
 * fills frames, per-cgroup counts and pairs.  memcg_of (may be NULL) gives
 * each frame's charged cgroup.  0 or -ENOMEM.  Exposed for unit tests.
 */
int sharing_build(struct sharing_snapshot *s, int (*memcg_of)(void *, uint64_t, uint64_t *),
		  void *ctx);

/*
 * Counting pairs (of cgroups, of boundaries): sharing_pairs_push appends a
 * key (a << 32 | b) for every pair of the n sorted distinct values v to a
 * growing array; sharing_pairs_count turns the keys into pairs with their
 * counts (in .frames), most first, and frees the keys.  0 or -ENOMEM.
 */
int sharing_pairs_push(uint64_t **keys, size_t *nk, size_t *cap, const uint32_t *v, size_t n);
int sharing_pairs_count(uint64_t *keys, size_t n, struct sharing_pair **out, size_t *nout);

/* ---- reading a snapshot (sharing_out.c) ---------------------------- */

/* Cross-boundary sharing: two boundaries (or a boundary and the outside). */
struct sharing_crossing {
	char a[256], b[256]; /* boundary paths, "" for outside every boundary */
	uint64_t frames;
};

/*
 * The frames whose mappers lie in two or more different boundaries (a
 * cgroup in no boundary counts as "outside", which is one more side).
 * Fills up to max crossings, most frames first; returns how many exist,
 * or -ENOMEM.  *frames gets the number of crossing frames.
 */
int sharing_crossings(const struct sharing_snapshot *s, const struct boundaries *b,
		      struct sharing_crossing *out, int max, uint64_t *frames);

enum {
	SHARING_JSON_FRAMES = 1 << 0, /* every cross-cgroup frame with its mappers */
};

json_t *sharing_to_json(const struct sharing_snapshot *s, unsigned int flags);
/* The ranked pairs, at most max_rows lines (0: all), names escaped. */
void sharing_print_text(FILE *f, const struct sharing_snapshot *s, int max_rows);

#endif
