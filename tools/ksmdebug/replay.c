// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "array.h"
#include "replay.h"

struct ctx {
	struct replay *r;
	bool keep;
	size_t max;
	bool seen_event;
	int err; /* what stopped the reading */
};

static void on_finding(void *ctx, const struct det_finding *f)
{
	struct replay *r = ctx;

	/* out of memory: the finding is still counted (det_count) */
	det_findings_add(&r->findings, f);
}

/* Keep e for the report's timelines, up to c->max events. */
static void keep_event(struct ctx *c, const struct ksm_event *e)
{
	struct replay *r = c->r;

	if (r->nr_events == r->cap_events && r->nr_events < c->max) {
		size_t cap = r->cap_events ? r->cap_events * 2 : 1024;
		struct ksm_event *n;

		if (cap > c->max)
			cap = c->max;
		n = realloc(r->events, cap * sizeof(*n));
		if (n) {
			r->events = n;
			r->cap_events = cap;
		}
	}
	if (r->nr_events < r->cap_events)
		r->events[r->nr_events++] = *e;
}

static int on_event(void *p, const struct ksm_event *e, const json_t *o)
{
	struct ctx *c = p;
	struct replay *r = c->r;

	c->seen_event = true;
	if (!r->first_ts || e->ts_ns < r->first_ts)
		r->first_ts = e->ts_ns;
	if (e->ts_ns > r->last_ts)
		r->last_ts = e->ts_ns;
	if (e->kind < KSM_EV_MAX)
		r->per_kind[e->kind]++;
	if (c->keep)
		keep_event(c, e);
	det_feed(r->det, e);
	return 0;
}

static int on_header(void *p, const json_t *o)
{
	struct ctx *c = p;
	struct replay *r = c->r;

	if (r->have_header)
		return 0;
	r->have_header = true;
	r->header_json = json_deep_copy(o);
	trace_header_from_json(o, &r->header);
	if (r->header.window.evicted)
		det_mark_incomplete(r->det, "the recorder's window dropped the trace's start");
	else if (r->header.window.dropped)
		det_mark_incomplete(r->det, "events were lost (ring buffer full)");
	return 0;
}

/* Judge a snapshot's counters against the events before it. */
static int judge(struct replay *r, const struct snapshot *s)
{
	struct acct_sample *a;
	int64_t shared, sharing;

	if (array_reserve(&r->acct, &r->cap_acct, r->nr_acct, sizeof(*r->acct)) ||
	    acct_sample_init(&r->acct[r->nr_acct], s->label, s->ts_ns))
		return -ENOMEM;
	a = &r->acct[r->nr_acct++];
	if (ksm_sysfs_get(&s->sysfs, "pages_shared", &shared) &&
	    ksm_sysfs_get(&s->sysfs, "pages_sharing", &sharing)) {
		det_check_sysfs(r->det, s->ts_ns, shared, sharing, s->stable, &a->sysfs);
		a->have_sysfs = true;
	}
	for (size_t i = 0; i < s->nr_procs; i++) {
		const struct snap_proc *p = &s->procs[i];
		struct det_acct pa;

		det_check_proc(r->det, s->ts_ns, (uint32_t)p->pid, p->st.merging_pages, p->stable,
			       &pa);
		/* a process the events never named: its comm from the snapshot */
		if (!pa.comm[0])
			memcpy(pa.comm, p->comm, sizeof(pa.comm));
		if (acct_sample_add_proc(a, &pa))
			return -ENOMEM;
	}
	return 0;
}

static int on_snapshot(void *p, const json_t *o)
{
	struct ctx *c = p;
	struct replay *r = c->r;
	struct snapshot *s;
	int64_t shared, sharing;

	json_array_append(r->snapshots_json, (json_t *)o);
	if (array_reserve(&r->snaps, &r->cap_snaps, r->nr_snaps, sizeof(*r->snaps)) ||
	    snapshot_from_json(o, &r->snaps[r->nr_snaps]))
		return c->err = -ENOMEM;
	s = &r->snaps[r->nr_snaps++];
	/* the state when tracing began: the baseline, not a sample to judge */
	if (!strcmp(s->label, "start") && !c->seen_event) {
		if (ksm_sysfs_get(&s->sysfs, "pages_shared", &shared) &&
		    ksm_sysfs_get(&s->sysfs, "pages_sharing", &sharing))
			det_baseline(r->det, shared, sharing);
		return 0;
	}
	c->err = judge(r, s);
	return c->err;
}

static int on_recorded(void *p, const json_t *o)
{
	struct ctx *c = p;

	json_array_append(c->r->recorded, (json_t *)o);
	return 0;
}

int replay_file(const char *path, const struct det_config *cfg, bool keep_events, size_t max_events,
		FILE *errf, struct replay *r)
{
	static const struct trace_reader_ops ops = {
		.event = on_event,
		.header = on_header,
		.snapshot = on_snapshot,
		.finding = on_recorded,
	};
	struct ctx c = { .r = r, .keep = keep_events, .max = max_events };
	int err;

	memset(r, 0, sizeof(*r));
	r->path = path;
	r->snapshots_json = json_array();
	r->recorded = json_array();
	r->det = det_new(cfg, on_finding, r);
	if (!r->det)
		return -ENOMEM;
	err = trace_read(path, &ops, &c, errf, &r->stats);
	return err ? err : c.err;
}

void replay_free(struct replay *r)
{
	json_decref(r->header_json);
	json_decref(r->snapshots_json);
	json_decref(r->recorded);
	for (size_t i = 0; i < r->nr_snaps; i++)
		snapshot_free(&r->snaps[i]);
	free(r->snaps);
	for (size_t i = 0; i < r->nr_acct; i++)
		acct_sample_free(&r->acct[i]);
	free(r->acct);
	det_findings_free(&r->findings);
	free(r->events);
	det_free(r->det);
	memset(r, 0, sizeof(*r));
}
