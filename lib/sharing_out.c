// SPDX-License-Identifier: GPL-2.0
/* A sharing snapshot as JSON and as text, from the same structs. */
#include <limits.h>
#include <stdio.h>
#include <string.h>

#include "name_esc.h"
#include "sharing.h"
#include "util.h"

#define PAGE_BYTES 4096ULL

static json_t *frame_json(const struct sharing_snapshot *s, const struct sharing_frame *f,
			  const char *memcg_path)
{
	json_t *cgs = json_array(), *pids = json_array();

	for (uint32_t i = f->first; i < f->first + f->nmaps; i++) {
		const struct sharing_map *m = &s->maps[i];

		/* sorted by (cgroup, process): each appears once */
		if (i == f->first || m->cg != s->maps[i - 1].cg)
			json_array_append_new(cgs, name_json(s->cgs[m->cg].path));
		if (i == f->first || m->proc != s->maps[i - 1].proc)
			json_array_append_new(pids, json_integer(s->procs[m->proc].pid));
	}
	return json_pack("{s:I, s:I, s:o, s:I, s:o, s:o}", "pfn", (json_int_t)f->pfn, "memcg_id",
			 (json_int_t)f->memcg, "charged_to",
			 memcg_path ? name_json(memcg_path) : json_null(), "mappings",
			 (json_int_t)f->nmaps, "cgroups", cgs, "pids", pids);
}

static json_t *cgroups_json(const struct sharing_snapshot *s)
{
	json_t *a = json_array();

	for (size_t i = 0; i < s->ncgs; i++) {
		const struct sharing_cg *c = &s->cgs[i];

		json_array_append_new(a, json_pack("{s:o, s:o, s:i, s:I, s:I, s:I}", "cgroup",
						   name_json(c->path), "workload",
						   workload_to_json(&c->wl), "processes", c->nprocs,
						   "ksm_mappings", (json_int_t)c->ksm_mappings,
						   "ksm_frames", (json_int_t)c->frames,
						   "cross_frames", (json_int_t)c->cross_frames));
	}
	return a;
}

static json_t *pairs_json(const struct sharing_snapshot *s)
{
	json_t *a = json_array();

	for (size_t i = 0; i < s->npairs; i++) {
		const struct sharing_pair *p = &s->pairs[i];

		json_array_append_new(
			a, json_pack("{s:o, s:o, s:I, s:I}", "a", name_json(s->cgs[p->a].path), "b",
				     name_json(s->cgs[p->b].path), "frames", (json_int_t)p->frames,
				     "bytes", (json_int_t)(p->frames * PAGE_BYTES)));
	}
	return a;
}

/* The charged cgroup's path when it is one of the snapshot's cgroups. */
static const char *memcg_path(const struct sharing_snapshot *s, const struct sharing_frame *f)
{
	for (size_t i = 0; f->memcg && i < s->ncgs; i++)
		if (s->cgs[i].id == f->memcg)
			return s->cgs[i].path;
	return NULL;
}

json_t *sharing_to_json(const struct sharing_snapshot *s, unsigned int flags)
{
	json_t *o = json_pack("{s:I, s:I, s:I, s:I, s:I, s:f, s:i}", "ksm_frames",
			      (json_int_t)s->nframes, "ksm_mappings", (json_int_t)s->nmaps,
			      "cross_cgroup_frames", (json_int_t)s->cross_frames,
			      "cross_cgroup_bytes", (json_int_t)(s->cross_frames * PAGE_BYTES),
			      "pages_walked", (json_int_t)s->pages_walked, "walk_ms",
			      s->walk_ns / 1e6, "steps", (int)s->steps);

	if (!o)
		return NULL;
	json_object_set_new(o, "pairs", pairs_json(s));
	json_object_set_new(o, "cgroups", cgroups_json(s));
	if (flags & SHARING_JSON_FRAMES) {
		json_t *fr = json_array();

		for (size_t i = 0; i < s->nframes; i++)
			if (s->frames[i].ncgs >= 2)
				json_array_append_new(fr, frame_json(s, &s->frames[i],
								     memcg_path(s, &s->frames[i])));
		json_object_set_new(o, "frames", fr);
	}
	return o;
}

void sharing_print_text(FILE *f, const struct sharing_snapshot *s, int max_rows)
{
	/* never cut: a longer name widens its row (name_esc.h) */
	char a[NAME_ESC_SIZE(PATH_MAX) + 32], b[NAME_ESC_SIZE(PATH_MAX) + 32], bytes[32];

	fmt_bytes(s->cross_frames * PAGE_BYTES, bytes, sizeof(bytes));
	fprintf(f, "KSM frames shared across cgroups: %llu (%s) of %llu shared KSM frames\n",
		(unsigned long long)s->cross_frames, bytes, (unsigned long long)s->nframes);
	if (!s->npairs)
		return;
	fprintf(f, "%-28s %-28s %10s %10s\n", "CGROUP A", "CGROUP B", "FRAMES", "BYTES");
	for (size_t i = 0; i < s->npairs && (!max_rows || (int)i < max_rows); i++) {
		const struct sharing_pair *p = &s->pairs[i];

		fmt_bytes(p->frames * PAGE_BYTES, bytes, sizeof(bytes));
		fprintf(f, "%s %s %10llu %10s\n", name_pad(s->cgs[p->a].path, 28, a, sizeof(a)),
			name_pad(s->cgs[p->b].path, 28, b, sizeof(b)),
			(unsigned long long)p->frames, bytes);
	}
}
