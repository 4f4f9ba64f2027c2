// SPDX-License-Identifier: GPL-2.0
/*
 * The frame -> mappers model of a sharing snapshot, and the boundary check
 * on it.  Pure functions over the mappings the walker collected, so that
 * unit tests can feed them mappings of their own.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sharing.h"

static int cmp_map(const void *a, const void *b)
{
	const struct sharing_map *x = a, *y = b;

	if (x->pfn != y->pfn)
		return x->pfn < y->pfn ? -1 : 1;
	if (x->cg != y->cg)
		return x->cg < y->cg ? -1 : 1;
	return x->proc < y->proc ? -1 : x->proc > y->proc;
}

static int cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return x < y ? -1 : x > y;
}

static int cmp_pair(const void *a, const void *b)
{
	const struct sharing_pair *x = a, *y = b;

	if (x->frames != y->frames)
		return x->frames > y->frames ? -1 : 1;
	if (x->a != y->a)
		return x->a < y->a ? -1 : 1;
	return x->b < y->b ? -1 : x->b > y->b;
}

int sharing_pairs_count(uint64_t *keys, size_t n, struct sharing_pair **out, size_t *nout)
{
	struct sharing_pair *p = NULL;
	size_t np = 0;

	if (n) /* qsort(NULL, 0) is undefined (UBSan) */
		qsort(keys, n, sizeof(*keys), cmp_u64);
	for (size_t i = 0; i < n; i++)
		np += !i || keys[i] != keys[i - 1];
	if (np && !(p = calloc(np, sizeof(*p)))) {
		free(keys);
		return -ENOMEM;
	}
	np = 0;
	for (size_t i = 0; i < n; i++) {
		if (!i || keys[i] != keys[i - 1]) {
			p[np].a = (uint32_t)(keys[i] >> 32);
			p[np++].b = (uint32_t)keys[i];
		}
		p[np - 1].frames++;
	}
	free(keys);
	if (np)
		qsort(p, np, sizeof(*p), cmp_pair);
	*out = p;
	*nout = np;
	return 0;
}

int sharing_pairs_push(uint64_t **keys, size_t *nk, size_t *cap, const uint32_t *v, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		for (size_t j = i + 1; j < n; j++) {
			if (*nk == *cap) {
				size_t c = *cap ? *cap * 2 : 256;
				uint64_t *k = realloc(*keys, c * sizeof(*k));

				if (!k)
					return -ENOMEM;
				*keys = k;
				*cap = c;
			}
			(*keys)[(*nk)++] = (uint64_t)v[i] << 32 | v[j];
		}
	}
	return 0;
}

/* One frame: its mappings are maps[f->first ..]; count it everywhere. */
static void count_frame(struct sharing_snapshot *s, struct sharing_frame *f, uint32_t *cgs)
{
	f->ncgs = 0;
	for (uint32_t i = f->first; i < f->first + f->nmaps; i++) {
		const struct sharing_map *m = &s->maps[i];

		s->procs[m->proc].ksm_mappings++;
		s->cgs[m->cg].ksm_mappings++;
		if (i == f->first || m->cg != s->maps[i - 1].cg) {
			cgs[f->ncgs++] = m->cg;
			s->cgs[m->cg].frames++;
		}
	}
	if (f->ncgs < 2)
		return;
	s->cross_frames++;
	for (uint32_t i = 0; i < f->ncgs; i++)
		s->cgs[cgs[i]].cross_frames++;
}

int sharing_build(struct sharing_snapshot *s, int (*memcg_of)(void *, uint64_t, uint64_t *),
		  void *ctx)
{
	uint64_t *keys = NULL;
	size_t nk = 0, cap = 0, nf = 0;
	uint32_t *cgs;
	int err = 0;

	qsort(s->maps, s->nmaps, sizeof(*s->maps), cmp_map);
	for (size_t i = 0; i < s->nmaps; i++)
		nf += !i || s->maps[i].pfn != s->maps[i - 1].pfn;
	s->frames = calloc(nf ? nf : 1, sizeof(*s->frames));
	cgs = calloc(s->ncgs ? s->ncgs : 1, sizeof(*cgs));
	if (!s->frames || !cgs) {
		free(cgs);
		return -ENOMEM;
	}
	for (size_t i = 0; i < s->ncgs; i++)
		s->cgs[i].ksm_mappings = s->cgs[i].frames = s->cgs[i].cross_frames = 0;
	for (size_t i = 0; i < s->nprocs; i++)
		s->procs[i].ksm_mappings = 0;
	s->nframes = s->cross_frames = 0;
	for (size_t i = 0; i < s->nmaps; i++) {
		struct sharing_frame *f;

		if (i && s->maps[i].pfn == s->maps[i - 1].pfn) {
			s->frames[s->nframes - 1].nmaps++;
			continue;
		}
		f = &s->frames[s->nframes++];
		*f = (struct sharing_frame){ .pfn = s->maps[i].pfn,
					     .first = (uint32_t)i,
					     .nmaps = 1 };
		if (memcg_of)
			memcg_of(ctx, f->pfn, &f->memcg);
	}
	for (size_t i = 0; i < s->nframes && !err; i++) {
		count_frame(s, &s->frames[i], cgs);
		if (s->frames[i].ncgs >= 2)
			err = sharing_pairs_push(&keys, &nk, &cap, cgs, s->frames[i].ncgs);
	}
	free(cgs);
	if (err) {
		free(keys);
		return err;
	}
	return sharing_pairs_count(keys, nk, &s->pairs, &s->npairs);
}

static int cmp_crossing(const void *a, const void *b)
{
	const struct sharing_crossing *x = a, *y = b;

	if (x->frames != y->frames)
		return x->frames > y->frames ? -1 : 1;
	return strcmp(x->a, y->a) ? strcmp(x->a, y->a) : strcmp(x->b, y->b);
}

/* Each cgroup's boundary as an index into names (0 is "outside"). */
static int map_domains(const struct sharing_snapshot *s, const struct boundaries *b, uint32_t *dom,
		       char (*names)[256], uint32_t *ndom)
{
	*ndom = 1;
	names[0][0] = '\0';
	for (size_t i = 0; i < s->ncgs; i++) {
		char bd[256];
		uint32_t d = 0;

		if (boundary_of(b, s->cgs[i].path, bd, sizeof(bd))) {
			for (d = 1; d < *ndom && strcmp(names[d], bd); d++)
				;
			if (d == *ndom)
				memcpy(names[(*ndom)++], bd, sizeof(bd));
		}
		dom[i] = d;
	}
	return 0;
}

int sharing_crossings(const struct sharing_snapshot *s, const struct boundaries *b,
		      struct sharing_crossing *out, int max, uint64_t *frames)
{
	uint32_t *dom = calloc(s->ncgs + 1, sizeof(*dom)), *seen = calloc(s->ncgs + 1, 4), ndom;
	char(*names)[256] = calloc(s->ncgs + 1, 256);
	struct sharing_pair *pairs = NULL;
	uint64_t *keys = NULL;
	size_t nk = 0, cap = 0, np = 0;
	int err = -ENOMEM;

	*frames = 0;
	if (!dom || !seen || !names)
		goto out;
	map_domains(s, b, dom, names, &ndom);
	for (size_t f = 0; f < s->nframes; f++) {
		const struct sharing_frame *fr = &s->frames[f];
		size_t n = 0;

		/* the distinct boundaries among the frame's mappers, sorted */
		for (uint32_t i = fr->first; i < fr->first + fr->nmaps; i++) {
			uint32_t d = dom[s->maps[i].cg], k = (uint32_t)n;

			while (k > 0 && seen[k - 1] > d)
				k--;
			if (k > 0 && seen[k - 1] == d)
				continue;
			memmove(&seen[k + 1], &seen[k], (n - k) * sizeof(*seen));
			seen[k] = d;
			n++;
		}
		if (n < 2)
			continue;
		(*frames)++;
		if (sharing_pairs_push(&keys, &nk, &cap, seen, n))
			goto out;
	}
	err = sharing_pairs_count(keys, nk, &pairs, &np); /* frees keys */
	keys = NULL;
	if (err)
		goto out;
	for (size_t i = 0; i < np && (int)i < max; i++) {
		snprintf(out[i].a, sizeof(out[i].a), "%s", names[pairs[i].a]);
		snprintf(out[i].b, sizeof(out[i].b), "%s", names[pairs[i].b]);
		out[i].frames = pairs[i].frames;
	}
	qsort(out, np < (size_t)max ? np : (size_t)max, sizeof(*out), cmp_crossing);
	err = (int)np;
out:
	free(keys);
	free(pairs);
	free(dom);
	free(seen);
	free(names);
	return err;
}
