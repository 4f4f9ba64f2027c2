// SPDX-License-Identifier: GPL-2.0
#include <stdlib.h>
#include <string.h>

#include "event_fmt.h"
#include "report.h"
#include "trace_io.h"

void report_opts_default(struct report_opts *o)
{
	o->context_ns = 2000000000ULL;
	o->context_max = 20;
}

/* [first, last) indexes of the events around ts: within context_ns, capped per side. */
static void context(const struct replay *r, const struct report_opts *o, uint64_t ts,
		    size_t *first, size_t *last)
{
	size_t lo = 0, hi = r->nr_events, mid;

	while (lo < hi) {	/* first event at or after ts (events are in stream order) */
		mid = (lo + hi) / 2;
		if (r->events[mid].ts_ns < ts)
			lo = mid + 1;
		else
			hi = mid;
	}
	*first = lo;
	while (*first > 0 && lo - *first < (size_t)o->context_max &&
	       ts - r->events[*first - 1].ts_ns <= o->context_ns)
		(*first)--;
	*last = lo;
	while (*last < r->nr_events && *last - lo < (size_t)o->context_max + 1 &&
	       r->events[*last].ts_ns - ts <= o->context_ns)
		(*last)++;
}

static bool is_evidence(const struct det_finding *f, const struct ksm_event *e)
{
	for (int i = 0; i < f->nr_evidence; i++)
		if (!memcmp(&f->evidence[i], e, sizeof(*e)))
			return true;
	return false;
}

static const char *str(const json_t *o, const char *k)
{
	return json_string_value(json_object_get(o, k)) ?: "?";
}

/* ---- text ---------------------------------------------------------------- */

static void text_accounting(FILE *out, const json_t *acct)
{
	json_t *s = json_object_get(acct, "sysfs"), *p;
	size_t i;

	fprintf(out, "  at %s:\n", str(acct, "label"));
	if (s)
		fprintf(out, "    %-7s %-15s %8lld %8lld  %-10s %s\n", "-", "sysfs",
			json_integer_value(json_object_get(s, "events")),
			json_integer_value(json_object_get(s, "kernel")), str(s, "verdict"),
			str(s, "why"));
	json_array_foreach(json_object_get(acct, "procs"), i, p)
		fprintf(out, "    %-7lld %-15s %8lld %8lld  %-10s %s\n",
			json_integer_value(json_object_get(p, "pid")), str(p, "comm"),
			json_integer_value(json_object_get(p, "events")),
			json_integer_value(json_object_get(p, "kernel")), str(p, "verdict"),
			str(p, "why"));
}

void report_text(FILE *out, const struct replay *r, const struct report_opts *o)
{
	struct ksm_fmt_opts fo = { 0 };
	json_t *k = json_object_get(r->header, "kernel"), *v, *last_snap;
	const char *key;
	size_t i;

	fprintf(out, "ksmdebug report: %s\n\n", r->path);
	fprintf(out, "Kernel: %s\n", k ? str(k, "release") : "unknown (trace has no header)");
	if (k && json_object_get(k, "config") && !json_is_null(json_object_get(k, "config"))) {
		fprintf(out, "Config (%s):", str(k, "config_source"));
		json_object_foreach(json_object_get(k, "config"), key, v)
			fprintf(out, " %s=%s", key + 7, json_string_value(v));
		fputc('\n', out);
	} else if (k) {
		fprintf(out, "Config: not available (no /proc/config.gz or /boot/config-*)\n");
	}
	if (json_object_get(r->header, "probes")) {
		fprintf(out, "Probe sources:");
		json_array_foreach(json_object_get(r->header, "probes"), i, v)
			if (!strcmp(str(v, "state"), "active"))
				fprintf(out, " %s", str(v, "target"));
		fputc('\n', out);
	}
	fprintf(out, "Events: %llu in %.3f s (%llu lines, %llu malformed)\n",
		(unsigned long long)r->stats.events, (r->last_ts - r->first_ts) / 1e9,
		(unsigned long long)r->stats.lines, (unsigned long long)r->stats.malformed);
	for (unsigned int kind = 1; kind < KSM_EV_MAX; kind++)
		if (r->per_kind[kind])
			fprintf(out, "  %-30s %llu\n", ksm_event_name(kind),
				(unsigned long long)r->per_kind[kind]);

	fprintf(out, "\nFindings: %zu\n", r->nr_findings);
	for (size_t n = 0; n < r->nr_findings; n++) {
		const struct det_finding *f = &r->findings[n];
		size_t a, b;

		fputc('\n', out);
		trace_finding_print(out, f);
		if (!r->nr_events)
			continue;
		context(r, o, f->ts_ns, &a, &b);
		fprintf(out, "  timeline (%zu events around it, * = evidence):\n", b - a);
		for (size_t j = a; j < b; j++) {
			const struct ksm_event *e = &r->events[j];

			fprintf(out, "  %c %+9.3f ms ", is_evidence(f, e) ? '*' : ' ',
				((double)e->ts_ns - (double)f->ts_ns) / 1e6);
			ksm_event_print_text(out, e, &fo);
		}
	}
	if (json_array_size(r->recorded))
		fprintf(out, "\nThe recorder reported %zu findings live.\n",
			json_array_size(r->recorded));

	fprintf(out, "\nAccounting (events vs kernel):\n");
	fprintf(out, "    %-7s %-15s %8s %8s  %-10s %s\n", "PID", "COMM", "EVENTS", "KERNEL",
		"VERDICT", "WHY");
	json_array_foreach(r->accounting, i, v)
		text_accounting(out, v);

	last_snap = json_array_get(r->snapshots, json_array_size(r->snapshots) - 1);
	if (last_snap) {
		json_t *fs = json_object_get(last_snap, "sysfs"), *p;

		fprintf(out, "\nLast snapshot (%s):\n  sysfs:", str(last_snap, "label"));
		json_object_foreach(fs, key, v) {
			if (json_is_integer(v))
				fprintf(out, " %s=%lld", key, json_integer_value(v));
			else
				fprintf(out, " %s=%s", key, json_string_value(v));
		}
		fputc('\n', out);
		json_array_foreach(json_object_get(last_snap, "procs"), i, p)
			fprintf(out, "  pid %lld %s: merging %lld rmap_items %lld profit %lld\n",
				json_integer_value(json_object_get(p, "pid")), str(p, "comm"),
				json_integer_value(json_object_get(p, "ksm_merging_pages")),
				json_integer_value(json_object_get(p, "ksm_rmap_items")),
				json_integer_value(json_object_get(p, "ksm_process_profit")));
	}
}

/* ---- JSON ---------------------------------------------------------------- */

json_t *report_json(const struct replay *r, const struct report_opts *o)
{
	json_t *out = json_object(), *fa = json_array(), *kinds = json_object();

	for (unsigned int kind = 1; kind < KSM_EV_MAX; kind++)
		if (r->per_kind[kind])
			json_object_set_new(kinds, ksm_event_name(kind),
					    json_integer((json_int_t)r->per_kind[kind]));
	for (size_t n = 0; n < r->nr_findings; n++) {
		const struct det_finding *f = &r->findings[n];
		json_t *fj = trace_finding_to_json(f), *tl = json_array();
		size_t a = 0, b = 0;

		if (r->nr_events)
			context(r, o, f->ts_ns, &a, &b);
		for (size_t j = a; j < b; j++) {
			json_t *e = ksm_event_to_json(&r->events[j], NULL);

			json_object_set_new(e, "evidence",
					    json_boolean(is_evidence(f, &r->events[j])));
			json_array_append_new(tl, e);
		}
		json_object_del(fj, "type");
		json_object_set_new(fj, "timeline", tl);
		json_array_append_new(fa, fj);
	}
	json_object_set_new(out, "trace", json_string(r->path));
	json_object_set_new(out, "kernel", json_incref(json_object_get(r->header, "kernel")) ?:
						    json_null());
	json_object_set_new(out, "probes", json_incref(json_object_get(r->header, "probes")) ?:
						    json_null());
	json_object_set_new(out, "recorder", json_incref(json_object_get(r->header, "trace")) ?:
						      json_null());
	json_object_set_new(out, "lines", json_integer((json_int_t)r->stats.lines));
	json_object_set_new(out, "malformed", json_integer((json_int_t)r->stats.malformed));
	json_object_set_new(out, "events", json_integer((json_int_t)r->stats.events));
	json_object_set_new(out, "events_per_kind", kinds);
	json_object_set_new(out, "first_ts_ns", json_integer((json_int_t)r->first_ts));
	json_object_set_new(out, "last_ts_ns", json_integer((json_int_t)r->last_ts));
	json_object_set_new(out, "findings", fa);
	json_object_set_new(out, "recorded_findings", json_incref(r->recorded));
	json_object_set_new(out, "accounting", json_incref(r->accounting));
	json_object_set_new(out, "snapshots", json_incref(r->snapshots));
	return out;
}

/* ---- HTML + SVG ------------------------------------------------------------ */

static void esc(FILE *out, const char *s)
{
	for (; s && *s; s++) {
		switch (*s) {
		case '<':
			fputs("&lt;", out);
			break;
		case '>':
			fputs("&gt;", out);
			break;
		case '&':
			fputs("&amp;", out);
			break;
		case '"':
			fputs("&quot;", out);
			break;
		default:
			fputc(*s, out);
		}
	}
}

static const char *kind_color(unsigned int kind)
{
	switch (kind) {
	case KSM_EV_MERGE_WITH_KSM_PAGE:
	case KSM_EV_MERGE_ONE_PAGE:
		return "#2b8a3e";
	case KSM_EV_REMOVE_RMAP_ITEM:
	case KSM_EV_REMOVE_KSM_PAGE:
	case KSM_EV_STABLE_NODE_REMOVE:
		return "#e67700";
	case KSM_EV_GET_FOLIO_STALE:
	case KSM_EV_GET_FOLIO_RETRY:
	case KSM_EV_MIGRATE_FOLIO:
		return "#1971c2";
	case KSM_EV_SWAPIN_COPY:
		return "#9c36b5";
	default:
		return "#868e96";
	}
}

#define SVG_W 1000
#define SVG_LEFT 200
#define LANE_H 22
#define BUCKETS 400

/*
 * One lane per event kind present; each lane is a histogram over time (so a
 * million merges stay a readable band), evidence events drawn on top as
 * dots, and each finding as a red line with its number.
 */
static void svg_timeline(FILE *out, const struct replay *r)
{
	unsigned int lanes[KSM_EV_MAX], nl = 0;
	uint64_t t0 = r->first_ts, span = r->last_ts > r->first_ts ? r->last_ts - r->first_ts : 1;
	static uint32_t hist[KSM_EV_MAX][BUCKETS];
	int height, plot_w = SVG_W - SVG_LEFT - 30;

	memset(hist, 0, sizeof(hist));
	for (unsigned int k = 1; k < KSM_EV_MAX; k++)
		if (r->per_kind[k])
			lanes[nl++] = k;
	for (size_t i = 0; i < r->nr_events; i++) {
		const struct ksm_event *e = &r->events[i];
		size_t b = (size_t)((double)(e->ts_ns - t0) / span * (BUCKETS - 1));

		if (e->kind < KSM_EV_MAX && b < BUCKETS)
			hist[e->kind][b]++;
	}
	height = (int)nl * LANE_H + 50;
	fprintf(out, "<svg id=\"timeline\" xmlns=\"http://www.w3.org/2000/svg\" width=\"%d\" "
		"height=\"%d\" font-family=\"sans-serif\" font-size=\"12\">\n", SVG_W, height);
	for (unsigned int l = 0; l < nl; l++) {
		unsigned int k = lanes[l];
		uint32_t max = 1;
		int y = 20 + (int)l * LANE_H;

		for (int b = 0; b < BUCKETS; b++)
			if (hist[k][b] > max)
				max = hist[k][b];
		fprintf(out, "<text x=\"4\" y=\"%d\">%s (%llu)</text>\n", y + 15, ksm_event_name(k),
			(unsigned long long)r->per_kind[k]);
		fprintf(out, "<line x1=\"%d\" y1=\"%d\" x2=\"%d\" y2=\"%d\" stroke=\"#dee2e6\"/>\n",
			SVG_LEFT, y + LANE_H - 2, SVG_W - 10, y + LANE_H - 2);
		for (int b = 0; b < BUCKETS; b++) {
			double h;

			if (!hist[k][b])
				continue;
			h = 2 + (LANE_H - 6) * (double)hist[k][b] / max;
			fprintf(out, "<rect x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" height=\"%.1f\" "
				"fill=\"%s\"><title>%s: %u</title></rect>\n",
				SVG_LEFT + (double)b * plot_w / BUCKETS, y + LANE_H - 2 - h,
				(double)plot_w / BUCKETS + 0.5, h, kind_color(k), ksm_event_name(k),
				hist[k][b]);
		}
	}
	for (size_t n = 0; n < r->nr_findings; n++) {
		const struct det_finding *f = &r->findings[n];
		double x = SVG_LEFT + (double)(f->ts_ns - t0) / span * plot_w;

		fprintf(out, "<line class=\"finding\" x1=\"%.1f\" y1=\"12\" x2=\"%.1f\" y2=\"%d\" "
			"stroke=\"#e03131\" stroke-width=\"2\"><title>", x, x, height - 28);
		esc(out, det_name(f->id));
		fprintf(out, "</title></line>\n<text x=\"%.1f\" y=\"10\" fill=\"#e03131\">#%zu"
			"</text>\n", x + 2, n + 1);
		for (int i = 0; i < f->nr_evidence; i++) {
			const struct ksm_event *e = &f->evidence[i];
			double ex = SVG_LEFT + ((double)e->ts_ns - t0) / span * plot_w;

			for (unsigned int l = 0; l < nl; l++)
				if (lanes[l] == e->kind)
					fprintf(out, "<circle class=\"evidence\" cx=\"%.1f\" "
						"cy=\"%d\" r=\"5\" fill=\"#e03131\" "
						"stroke=\"white\"><title>%s</title></circle>\n",
						ex, 20 + (int)l * LANE_H + 11,
						ksm_event_name(e->kind));
		}
	}
	fprintf(out, "<text x=\"%d\" y=\"%d\">0 s</text><text x=\"%d\" y=\"%d\" "
		"text-anchor=\"end\">%.3f s</text>\n</svg>\n", SVG_LEFT, height - 8, SVG_W - 10,
		height - 8, span / 1e9);
}

static void html_event_row(FILE *out, const struct ksm_event *e, uint64_t ref, bool ev)
{
	char detail[96];

	ksm_event_detail(e, detail, sizeof(detail));
	fprintf(out, "<tr%s><td>%+.3f ms</td><td>", ev ? " class=\"ev\"" : "",
		((double)e->ts_ns - (double)ref) / 1e6);
	esc(out, ksm_event_name(e->kind));
	fprintf(out, "</td><td>%u</td><td>", e->pid);
	if (e->pid)
		esc(out, e->comm);
	fprintf(out, "</td><td>0x%llx</td><td>0x%llx</td><td>", e->pfn, e->node);
	esc(out, detail);
	fputs("</td></tr>\n", out);
}

void report_html(FILE *out, const struct replay *r, const struct report_opts *o)
{
	json_t *k = json_object_get(r->header, "kernel"), *v, *p, *acct;
	const char *key;
	size_t i, j;

	fputs("<!DOCTYPE html>\n<html><head><meta charset=\"utf-8\"><title>ksmdebug report"
	      "</title>\n<style>body{font-family:sans-serif;margin:2em;max-width:1100px}"
	      "table{border-collapse:collapse;font-size:13px}td,th{border:1px solid #ced4da;"
	      "padding:2px 6px;text-align:left}tr.ev{background:#ffe3e3;font-weight:bold}"
	      ".bug{color:#c92a2a}.warning{color:#e67700}.ok{color:#2b8a3e}"
	      "h2{border-bottom:1px solid #dee2e6}</style></head><body>\n", out);
	fputs("<h1>ksmdebug report</h1>\n<p>Trace <code>", out);
	esc(out, r->path);
	fprintf(out, "</code>: %llu events over %.3f s, %llu malformed lines.</p>\n",
		(unsigned long long)r->stats.events, (r->last_ts - r->first_ts) / 1e9,
		(unsigned long long)r->stats.malformed);
	fprintf(out, "<p class=\"%s\"><b>%zu finding%s</b></p>\n", r->nr_findings ? "bug" : "ok",
		r->nr_findings, r->nr_findings == 1 ? "" : "s");
	fputs("<h2>Timeline</h2>\n", out);
	svg_timeline(out, r);

	for (size_t n = 0; n < r->nr_findings; n++) {
		const struct det_finding *f = &r->findings[n];
		size_t a = 0, b = 0;

		fprintf(out, "<h2 id=\"finding-%zu\" class=\"%s\">#%zu %s</h2>\n<p>", n + 1,
			det_severity(f->id), n + 1, det_name(f->id));
		esc(out, f->message);
		fputs("</p>\n<table><tr><th>t</th><th>event</th><th>pid</th><th>comm</th>"
		      "<th>pfn</th><th>node</th><th>detail</th></tr>\n", out);
		if (r->nr_events)
			context(r, o, f->ts_ns, &a, &b);
		if (a == b)	/* no events kept: show the evidence alone */
			for (int e = 0; e < f->nr_evidence; e++)
				html_event_row(out, &f->evidence[e], f->ts_ns, true);
		for (j = a; j < b; j++)
			html_event_row(out, &r->events[j], f->ts_ns,
				       is_evidence(f, &r->events[j]));
		fputs("</table>\n", out);
	}

	fputs("<h2>Accounting</h2>\n<table><tr><th>at</th><th>pid</th><th>comm</th>"
	      "<th>events</th><th>kernel</th><th>verdict</th><th>why</th></tr>\n", out);
	json_array_foreach(r->accounting, i, acct) {
		json_t *rows = json_array();

		if (json_object_get(acct, "sysfs"))
			json_array_append(rows, json_object_get(acct, "sysfs"));
		json_array_extend(rows, json_object_get(acct, "procs"));
		json_array_foreach(rows, j, p) {
			fputs("<tr><td>", out);
			esc(out, str(acct, "label"));
			fprintf(out, "</td><td>%lld</td><td>",
				json_integer_value(json_object_get(p, "pid")));
			esc(out, str(p, "comm"));
			fprintf(out, "</td><td>%lld</td><td>%lld</td><td class=\"%s\">%s</td><td>",
				json_integer_value(json_object_get(p, "events")),
				json_integer_value(json_object_get(p, "kernel")),
				!strcmp(str(p, "verdict"), "drift") ? "bug" : "ok",
				str(p, "verdict"));
			esc(out, str(p, "why"));
			fputs("</td></tr>\n", out);
		}
		json_decref(rows);
	}
	fputs("</table>\n", out);

	fputs("<h2>Snapshots</h2>\n", out);
	json_array_foreach(r->snapshots, i, v) {
		json_t *fs = json_object_get(v, "sysfs"), *x;

		fputs("<h3>", out);
		esc(out, str(v, "label"));
		fputs("</h3>\n<table><tr>", out);
		json_object_foreach(fs, key, x) {
			fputs("<th>", out);
			esc(out, key);
			fputs("</th>", out);
		}
		fputs("</tr><tr>", out);
		json_object_foreach(fs, key, x) {
			if (json_is_integer(x))
				fprintf(out, "<td>%lld</td>", json_integer_value(x));
			else {
				fputs("<td>", out);
				esc(out, json_string_value(x));
				fputs("</td>", out);
			}
		}
		fputs("</tr></table>\n<table><tr><th>pid</th><th>comm</th><th>merging</th>"
		      "<th>rmap items</th><th>zero pages</th><th>profit</th></tr>\n", out);
		json_array_foreach(json_object_get(v, "procs"), j, p) {
			fprintf(out, "<tr><td>%lld</td><td>",
				json_integer_value(json_object_get(p, "pid")));
			esc(out, str(p, "comm"));
			fprintf(out, "</td><td>%lld</td><td>%lld</td><td>%lld</td><td>%lld</td>"
				"</tr>\n",
				json_integer_value(json_object_get(p, "ksm_merging_pages")),
				json_integer_value(json_object_get(p, "ksm_rmap_items")),
				json_integer_value(json_object_get(p, "ksm_zero_pages")),
				json_integer_value(json_object_get(p, "ksm_process_profit")));
		}
		fputs("</table>\n", out);
	}

	fputs("<h2>Kernel</h2>\n<p>", out);
	esc(out, k ? str(k, "release") : "unknown (the trace has no header)");
	fputs("</p>\n", out);
	if (k && json_is_object(json_object_get(k, "config"))) {
		fputs("<table><tr><th>option</th><th>value</th></tr>\n", out);
		json_object_foreach(json_object_get(k, "config"), key, v) {
			fputs("<tr><td>", out);
			esc(out, key);
			fputs("</td><td>", out);
			esc(out, json_string_value(v));
			fputs("</td></tr>\n", out);
		}
		fputs("</table>\n", out);
	}
	if (json_object_get(r->header, "probes")) {
		fputs("<h2>Probe sources</h2>\n<table><tr><th>target</th><th>state</th>"
		      "<th>detail</th></tr>\n", out);
		json_array_foreach(json_object_get(r->header, "probes"), i, v) {
			fputs("<tr><td>", out);
			esc(out, str(v, "target"));
			fprintf(out, "</td><td class=\"%s\">", !strcmp(str(v, "state"), "active") ?
								     "ok" : "warning");
			esc(out, str(v, "state"));
			fputs("</td><td>", out);
			esc(out, str(v, "detail"));
			fputs("</td></tr>\n", out);
		}
		fputs("</table>\n", out);
	}
	fputs("</body></html>\n", out);
}
