// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "replay.h"
#include "snapshot.h"

json_t *det_acct_json(const struct det_acct *a)
{
	json_t *o = json_pack("{s:o, s:s, s:I, s:I, s:s, s:s}", "pid",
			      a->pid ? json_integer(a->pid) : json_null(), "comm", a->comm,
			      "events", (json_int_t)a->events, "kernel", (json_int_t)a->kernel,
			      "verdict", det_acct_verdict_name(a->verdict), "why", a->why);

	if (!a->pid) {
		json_object_set_new(o, "events_shared", json_integer(a->events_shared));
		json_object_set_new(o, "kernel_shared", json_integer(a->kernel_shared));
	}
	return o;
}

static void on_finding(void *ctx, const struct det_finding *f)
{
	struct replay *r = ctx;

	if (r->nr_findings == r->cap_findings) {
		size_t cap = r->cap_findings ? r->cap_findings * 2 : 16;
		struct det_finding *n = realloc(r->findings, cap * sizeof(*n));

		if (!n)
			return;
		r->findings = n;
		r->cap_findings = cap;
	}
	r->findings[r->nr_findings++] = *f;
}

struct ctx {
	struct replay *r;
	bool keep;
	size_t max;
	bool seen_event;
};

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
	if (c->keep) {
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
		else
			r->events_truncated = true;
	}
	det_feed(r->det, e);
	return 0;
}

static int on_header(void *p, const json_t *o)
{
	struct ctx *c = p;
	json_t *t = json_object_get(o, "trace");
	json_int_t evicted = json_integer_value(json_object_get(t, "evicted"));
	json_int_t dropped = json_integer_value(json_object_get(t, "dropped"));

	if (c->r->header)
		return 0;
	c->r->header = json_deep_copy(o);
	if (evicted > 0)
		det_mark_incomplete(c->r->det, "the recorder's window dropped the trace's start");
	else if (dropped > 0)
		det_mark_incomplete(c->r->det, "events were lost (ring buffer full)");
	return 0;
}

static int on_snapshot(void *p, const json_t *o)
{
	struct ctx *c = p;
	struct replay *r = c->r;
	const char *label = json_string_value(json_object_get(o, "label")) ?: "";
	json_int_t ts = json_integer_value(json_object_get(o, "ts_ns"));
	int64_t shared, sharing;
	bool have = snap_sysfs_get(o, "pages_shared", &shared) &&
		    snap_sysfs_get(o, "pages_sharing", &sharing);
	json_t *acct, *procs, *pr;
	struct det_acct a;
	size_t i;

	json_array_append(r->snapshots, (json_t *)o);
	if (!strcmp(label, "start") && !c->seen_event) {
		if (have)
			det_baseline(r->det, shared, sharing);
		return 0;
	}
	acct = json_object();
	json_object_set_new(acct, "label", json_string(label));
	json_object_set_new(acct, "ts_ns", json_integer(ts));
	if (have) {
		det_check_sysfs(r->det, ts, shared, sharing, snap_stable(o), &a);
		json_object_set_new(acct, "sysfs", det_acct_json(&a));
	}
	procs = json_array();
	json_array_foreach(json_object_get(o, "procs"), i, pr) {
		json_t *m = json_object_get(pr, "ksm_merging_pages");
		json_t *pid = json_object_get(pr, "pid");

		if (!json_is_integer(m) || !json_is_integer(pid))
			continue;
		det_check_proc(r->det, ts, (uint32_t)json_integer_value(pid),
			       json_integer_value(m), snap_stable(pr), &a);
		if (!a.comm[0])
			snprintf(a.comm, sizeof(a.comm), "%s",
				 json_string_value(json_object_get(pr, "comm")) ?: "");
		json_array_append_new(procs, det_acct_json(&a));
	}
	json_object_set_new(acct, "procs", procs);
	json_array_append_new(r->accounting, acct);
	return 0;
}

static int on_recorded(void *p, const json_t *o)
{
	struct ctx *c = p;

	json_array_append(c->r->recorded, (json_t *)o);
	return 0;
}

int replay_file(const char *path, const struct det_config *cfg, bool keep_events,
		size_t max_events, FILE *errf, struct replay *r)
{
	static const struct trace_reader_ops ops = {
		.event = on_event,
		.header = on_header,
		.snapshot = on_snapshot,
		.finding = on_recorded,
	};
	struct ctx c = { .r = r, .keep = keep_events, .max = max_events };

	memset(r, 0, sizeof(*r));
	r->path = path;
	r->snapshots = json_array();
	r->recorded = json_array();
	r->accounting = json_array();
	r->det = det_new(cfg, on_finding, r);
	if (!r->det)
		return -ENOMEM;
	return trace_read(path, &ops, &c, errf, &r->stats);
}

void replay_free(struct replay *r)
{
	json_decref(r->header);
	json_decref(r->snapshots);
	json_decref(r->recorded);
	json_decref(r->accounting);
	free(r->findings);
	free(r->events);
	det_free(r->det);
	memset(r, 0, sizeof(*r));
}
