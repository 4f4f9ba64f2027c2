// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "ksm_iter.h"
#include "ksm_iter.skel.h"
#include "ksm_sysfs.h"
#include "task_iter.h"

int task_iter_open(struct task_iter *it, char *err, size_t len)
{
	int r;

	memset(it, 0, sizeof(*it));
	it->page_size = sysconf(_SC_PAGESIZE);
	/* ksm_process_profit came with general_profit and the prctl (6.4) */
	it->profit = !ksm_sysfs_read_one(NULL, "general_profit", (char[32]){}, 32);
	it->skel = ksm_iter_bpf__open_and_load();
	if (!it->skel) {
		r = -errno;
		snprintf(err, len, "cannot load the task iterator: %s", strerror(errno));
		return r;
	}
	it->link = bpf_program__attach_iter(it->skel->progs.ksm_task, NULL);
	if (!it->link) {
		r = -errno;
		snprintf(err, len, "cannot attach the task iterator: %s", strerror(errno));
		task_iter_close(it);
		return r;
	}
	if (cgroup_cache_init(&it->cgroups))
		snprintf(err, len, "no cgroup v2 mount: cgroups unknown");
	return 0;
}

void task_iter_close(struct task_iter *it)
{
	bpf_link__destroy(it->link);
	ksm_iter_bpf__destroy(it->skel);
	cgroup_cache_free(&it->cgroups);
	free(it->buf);
	memset(it, 0, sizeof(*it));
}

/* Read the iterator to its end into it->buf; the length, or -errno. */
static ssize_t read_all(struct task_iter *it)
{
	size_t n = 0;
	int fd = bpf_iter_create(bpf_link__fd(it->link));

	if (fd < 0)
		return -errno;
	for (;;) {
		ssize_t got;

		if (it->cap - n < 65536) {
			char *b = realloc(it->buf, it->cap * 2 + 65536);

			if (!b) {
				close(fd);
				return -ENOMEM;
			}
			it->buf = b;
			it->cap = it->cap * 2 + 65536;
		}
		got = read(fd, it->buf + n, it->cap - n);
		if (got < 0 && errno == EINTR)
			continue;
		if (got < 0) {
			got = -errno;
			close(fd);
			return got;
		}
		if (!got)
			break;
		n += (size_t)got;
	}
	close(fd);
	return (ssize_t)n;
}

/* A record as ksm_stat would show it, with what this kernel lets us know. */
static void rec_stat(const struct task_iter *it, const struct ksm_iter_hdr *h,
		     const struct ksm_iter_rec *r, struct ksm_proc_stat *st)
{
	memset(st, 0, sizeof(*st));
	st->merging_pages = r->merging_pages;
	st->rmap_items = r->rmap_items;
	st->zero_pages = r->zero_pages;
	st->has_merging_pages = h->have & KSM_ITER_HAVE_MERGING;
	st->has_zero_pages = h->have & KSM_ITER_HAVE_ZERO;
	st->mergeable = r->mm_flags & (1ULL << KSM_MMF_VM_MERGEABLE);
	st->has_mergeable = true;
	/* MMF_VM_MERGE_ANY exists with the prctl, which came with the profit */
	st->merge_any = it->profit && (r->mm_flags & (1ULL << KSM_MMF_VM_MERGE_ANY));
	st->has_merge_any = it->profit;
	/* what fs/proc/base.c prints: zero pages count since they exist (6.6) */
	st->has_profit = it->profit && h->rmap_item_size;
	if (st->has_profit)
		st->profit = (r->merging_pages + r->zero_pages) * it->page_size -
			     r->rmap_items * (int64_t)h->rmap_item_size;
}

/* comm and cgroup; the path is looked up only when the cgroup id changed. */
static void rec_names(struct task_iter *it, struct proc_ent *e, const struct ksm_iter_rec *r)
{
	const char *path;

	memcpy(e->comm, r->comm, sizeof(e->comm));
	e->comm[sizeof(e->comm) - 1] = '\0';
	if (e->cgroup && e->cgroup_id == r->cgroup_id)
		return;
	/* a cgroup made since the last look: the cache walks the tree again */
	path = cgroup_cache_path(&it->cgroups, r->cgroup_id);
	proc_ent_set_cgroup(e, path);
	e->cgroup_id = path ? r->cgroup_id : 0;
}

int task_iter_scan(struct task_iter *it, struct proc_table *t)
{
	const struct ksm_iter_hdr *h;
	ssize_t n = read_all(it);

	if (n < 0)
		return (int)n;
	h = (const struct ksm_iter_hdr *)it->buf;
	if ((size_t)n < sizeof(*h) || h->type != KSM_ITER_HDR ||
	    h->rec_size != sizeof(struct ksm_iter_rec) || (n - sizeof(*h)) % h->rec_size)
		return -EPROTO;
	proc_table_begin(t);
	for (size_t off = sizeof(*h); off < (size_t)n; off += h->rec_size) {
		const struct ksm_iter_rec *r = (const void *)(it->buf + off);
		struct ksm_proc_stat st;
		struct proc_ent *e;

		if (r->type != KSM_ITER_TASK)
			continue;
		rec_stat(it, h, r, &st);
		e = proc_table_put(t, (int)r->tgid, &st);
		if (e)
			rec_names(it, e, r);
	}
	t->nr_read = 1; /* one read for all */
	proc_table_end(t);
	return 0;
}
