// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <xxhash.h>

#include "numa.h"
#include "progress.h"
#include "groups.h"
#include "sample.h"
#include "util.h"

#define PM_BATCH 1024 /* pagemap entries per read */

static const unsigned char zero_page[ADV_PAGE];

/* Pages of one process waiting to be read, with their frames' nodes. */
struct batch {
	uint64_t vpage[READ_BATCH];
	int16_t nid[READ_BATCH];
	size_t n;
};

struct first_ctx {
	struct adv *a;
	struct adv_reader *r;
	struct kpage_reader kp;
	struct numa_map numa;
	bool have_numa;
	unsigned char *buf;
	struct progress prog;
	uint64_t zero_hash;
};

static int push_page(struct adv *a, const struct adv_page *p)
{
	if (array_grow((void **)&a->pages, &a->pages_cap, a->npages + 1, sizeof(*a->pages)))
		return -ENOMEM;
	a->pages[a->npages++] = *p;
	return 0;
}

static int flush_first(struct first_ctx *c, uint32_t proc, struct batch *b)
{
	bool ok[READ_BATCH];
	size_t got;
	int err = 0;

	if (!b->n)
		return 0;
	got = reader_read(c->r, c->a->procs[proc].pid, b->vpage, b->n, c->buf, ok);
	for (size_t i = 0; i < b->n && !err; i++) {
		const unsigned char *pg = c->buf + i * ADV_PAGE;
		struct adv_page p = {
			.vpage = b->vpage[i], .proc = proc, .group = ADV_NONE, .nid = b->nid[i]
		};

		if (!ok[i])
			continue; /* gone before we could read it: not a candidate */
		p.hash = XXH3_64bits(pg, ADV_PAGE);
		if (p.hash == c->zero_hash && !memcmp(pg, zero_page, ADV_PAGE))
			p.flags |= PG_ZERO;
		err = push_page(c->a, &p);
	}
	progress_add(&c->prog, 0, got * ADV_PAGE);
	b->n = 0;
	return err;
}

/* Which pagemap entries are candidates: present, anonymous, not the zero page. */
static int scan_entries(struct first_ctx *c, uint32_t proc, uint64_t vpage, const uint64_t *ent,
			ssize_t n, struct batch *b)
{
	int err = 0;

	for (ssize_t i = 0; i < n && !err; i++) {
		uint64_t e = ent[i], pfn = e & PM_PFN_MASK, kf = 0;

		if (!(e & PM_PRESENT)) {
			c->a->swapped_pages += !!(e & PM_SWAP);
			continue;
		}
		if (e & PM_FILE)
			continue;
		/* the zero page is never exclusive: only shared frames are looked up */
		if (!(e & PM_EXCLUSIVE) && !kpage_flags(&c->kp, pfn, &kf) &&
		    (kf & (1ULL << KPF_ZERO_PAGE))) {
			c->a->zero_pfn_pages++;
			continue;
		}
		b->vpage[b->n] = vpage + (uint64_t)i;
		b->nid[b->n++] = c->have_numa ? (int16_t)numa_pfn_to_nid(&c->numa, pfn) : -1;
		if (b->n == READ_BATCH)
			err = flush_first(c, proc, b);
	}
	return err;
}

static int first_proc(struct first_ctx *c, uint32_t proc, uint64_t *ent)
{
	struct adv_proc *p = &c->a->procs[proc];
	struct batch b = { .n = 0 };
	int fd = pagemap_open(p->pid), err = 0;

	if (fd < 0)
		return 0; /* exited since it was chosen */
	for (size_t v = 0; v < p->vmas.n && !err; v++) {
		for (uint64_t va = p->vmas.v[v].start; va < p->vmas.v[v].end && !err;) {
			uint64_t left = (p->vmas.v[v].end - va) >> 12;
			ssize_t n = pagemap_read(fd, va, ent, left < PM_BATCH ? left : PM_BATCH);

			if (n <= 0)
				break;
			err = scan_entries(c, proc, va >> 12, ent, n, &b);
			progress_add(&c->prog, (uint64_t)n, 0);
			va += (uint64_t)n << 12;
		}
	}
	if (!err)
		err = flush_first(c, proc, &b);
	close(fd);
	return err;
}

int sample_first(struct adv *a, struct adv_reader *r, const struct sample_opts *o)
{
	struct first_ctx c = { .a = a, .r = r };
	uint64_t *ent = malloc(PM_BATCH * sizeof(*ent)), total = 0;
	int err;

	c.buf = malloc(READ_BATCH * ADV_PAGE);
	err = ent && c.buf ? kpage_open(&c.kp, false) : -ENOMEM;
	if (err)
		goto out;
	c.have_numa = numa_map_load(&c.numa) == 0;
	a->nr_nodes = c.have_numa ? c.numa.nr_nodes : 1;
	c.zero_hash = XXH3_64bits(zero_page, ADV_PAGE);
	for (size_t i = 0; i < a->nprocs; i++)
		for (size_t v = 0; v < a->procs[i].vmas.n; v++)
			total += (a->procs[i].vmas.v[v].end - a->procs[i].vmas.v[v].start) >> 12;
	progress_start(&c.prog, o->progress, "sample 1", total);
	for (size_t i = 0; i < a->nprocs && !err; i++)
		err = first_proc(&c, (uint32_t)i, ent);
	progress_end(&c.prog);
	kpage_close(&c.kp);
out:
	free(ent);
	free(c.buf);
	return err;
}

/* Read one batch again; stable pages join their content groups. */
static int flush_second(struct adv *a, struct adv_reader *r, struct group_tab *t,
			const uint32_t *idx, size_t n, unsigned char *buf, struct progress *prog)
{
	uint64_t vpages[READ_BATCH] = { 0 };
	bool ok[READ_BATCH];
	size_t got;
	int err = 0;

	for (size_t i = 0; i < n; i++)
		vpages[i] = a->pages[idx[i]].vpage;
	got = reader_read(r, a->procs[a->pages[idx[0]].proc].pid, vpages, n, buf, ok);
	for (size_t i = 0; i < n && !err; i++) {
		struct adv_page *p = &a->pages[idx[i]];
		const unsigned char *pg = buf + i * ADV_PAGE;

		if (!ok[i] || XXH3_64bits(pg, ADV_PAGE) != p->hash) {
			p->flags |= PG_VOLATILE;
			continue;
		}
		err = groups_add(t, a, r, idx[i], pg);
	}
	progress_add(prog, n, got * ADV_PAGE);
	return err;
}

/*
 * Flag the pages whose first-sample hash another page shares.  Only those
 * (and zero pages, which merge alone with use_zero_pages) need the second
 * sample: a page with a hash of its own stays unmerged whether it holds
 * still (it has no partner) or changes (it is volatile).  On most hosts
 * most pages are unique, and this halves the reading.
 */
static int mark_duplicates(struct adv *a)
{
	uint64_t slots = 1024, mask;
	uint32_t *slot;

	while (slots < 2 * (uint64_t)a->npages)
		slots *= 2;
	mask = slots - 1;
	slot = malloc(slots * sizeof(*slot));
	if (!slot)
		return -ENOMEM;
	memset(slot, 0xff, slots * sizeof(*slot));
	for (size_t i = 0; i < a->npages; i++) {
		struct adv_page *p = &a->pages[i];
		uint64_t k = p->hash & mask;

		while (slot[k] != ADV_NONE && a->pages[slot[k]].hash != p->hash)
			k = (k + 1) & mask;
		if (slot[k] == ADV_NONE) {
			slot[k] = (uint32_t)i;
			continue;
		}
		p->flags |= PG_DUP;
		a->pages[slot[k]].flags |= PG_DUP;
	}
	free(slot);
	return 0;
}

static void wait_until(uint64_t t)
{
	uint64_t now = now_ns(CLOCK_MONOTONIC);

	if (t > now) {
		struct timespec ts = { (time_t)((t - now) / 1000000000ULL),
				       (long)((t - now) % 1000000000ULL) };

		nanosleep(&ts, NULL);
	}
}

int sample_second(struct adv *a, struct adv_reader *r, const struct sample_opts *o)
{
	unsigned char *buf = malloc(READ_BATCH * ADV_PAGE);
	uint64_t start = now_ns(CLOCK_MONOTONIC);
	uint32_t idx[READ_BATCH];
	struct progress prog;
	struct group_tab t;
	size_t n = 0;
	int err;

	err = buf ? mark_duplicates(a) : -ENOMEM;
	if (!err)
		err = groups_init(&t, a->npages, o->cache_pages);
	if (err) {
		free(buf);
		return err;
	}
	/* the first sample started at start - read_s: keep the pages apart */
	wait_until(start - (uint64_t)(a->read_s * 1e9) + (uint64_t)(o->interval_s * 1e9));
	a->sample_gap_s = (now_ns(CLOCK_MONOTONIC) - start) / 1e9 + a->read_s;
	progress_start(&prog, o->progress, "sample 2", a->npages);
	for (size_t i = 0; i < a->npages && !err; i++) {
		if (!(a->pages[i].flags & (PG_DUP | PG_ZERO))) {
			progress_add(&prog, 1, 0);
			continue;
		}
		a->pages_reread++;
		/* a batch holds pages of one process */
		if (n && (n == READ_BATCH || a->pages[i].proc != a->pages[idx[0]].proc)) {
			err = flush_second(a, r, &t, idx, n, buf, &prog);
			n = 0;
		}
		idx[n++] = (uint32_t)i;
	}
	if (!err && n)
		err = flush_second(a, r, &t, idx, n, buf, &prog);
	progress_end(&prog);
	a->ngroups = t.n;
	groups_free(&t);
	free(buf);
	return err;
}
