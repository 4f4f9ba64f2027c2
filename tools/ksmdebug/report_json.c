// SPDX-License-Identifier: GPL-2.0
#include "event_fmt.h"
#include "name_esc.h"
#include "report.h"

/* A finding without its "type", with the events around it, evidence marked. */
static json_t *finding_json(const struct replay *r, const struct report_opts *o,
			    const struct det_finding *f)
{
	json_t *fj = trace_finding_to_json(f), *tl = json_array();
	size_t a = 0, b = 0;

	if (r->nr_events)
		report_context(r, o, f->ts_ns, &a, &b);
	for (size_t j = a; j < b; j++) {
		json_t *e = ksm_event_to_json(&r->events[j], NULL);

		json_object_set_new(e, "evidence",
				    json_boolean(report_is_evidence(f, &r->events[j])));
		json_array_append_new(tl, e);
	}
	json_object_del(fj, "type");
	json_object_set_new(fj, "timeline", tl);
	return fj;
}

/* What the trace's header recorded under key, as it was (null without one). */
static json_t *recorded(const struct replay *r, const char *key)
{
	return json_incref(json_object_get(r->header_json, key)) ?: json_null();
}

json_t *report_json(const struct replay *r, const struct report_opts *o)
{
	json_t *out = json_object(), *fa = json_array(), *kinds = json_object(),
	       *acct = json_array();

	for (unsigned int kind = 1; kind < KSM_EV_MAX; kind++)
		if (r->per_kind[kind])
			json_object_set_new(kinds, ksm_event_name(kind),
					    json_integer((json_int_t)r->per_kind[kind]));
	for (size_t n = 0; n < r->findings.n; n++)
		json_array_append_new(fa, finding_json(r, o, &r->findings.v[n]));
	for (size_t i = 0; i < r->nr_acct; i++)
		json_array_append_new(acct, acct_sample_json(&r->acct[i]));
	name_json_set(out, "trace", r->path);
	json_object_set_new(out, "kernel", recorded(r, "kernel"));
	json_object_set_new(out, "probes", recorded(r, "probes"));
	json_object_set_new(out, "recorder", recorded(r, "trace"));
	json_object_set_new(out, "lines", json_integer((json_int_t)r->stats.lines));
	json_object_set_new(out, "malformed", json_integer((json_int_t)r->stats.malformed));
	json_object_set_new(out, "events", json_integer((json_int_t)r->stats.events));
	json_object_set_new(out, "events_per_kind", kinds);
	json_object_set_new(out, "first_ts_ns", json_integer((json_int_t)r->first_ts));
	json_object_set_new(out, "last_ts_ns", json_integer((json_int_t)r->last_ts));
	json_object_set_new(out, "findings", fa);
	json_object_set_new(out, "recorded_findings", json_incref(r->recorded));
	json_object_set_new(out, "accounting", acct);
	json_object_set_new(out, "snapshots", json_incref(r->snapshots_json));
	return out;
}
