// SPDX-License-Identifier: GPL-2.0
/*
 * The report as one HTML page: the SVG timeline, a table per finding with
 * its evidence rows highlighted, accounting, snapshots, the kernel's config
 * and the probe sources.  Every string from the trace is escaped.
 */
#include <string.h>

#include "event_fmt.h"
#include "report.h"

static const char style[] =
	"body{font-family:sans-serif;margin:2em;max-width:1100px}"
	"table{border-collapse:collapse;font-size:13px}td,th{border:1px solid #ced4da;"
	"padding:2px 6px;text-align:left}tr.ev{background:#ffe3e3;font-weight:bold}"
	".bug{color:#c92a2a}.warning{color:#e67700}.ok{color:#2b8a3e}"
	"h2{border-bottom:1px solid #dee2e6}";

/* <td>s</td> with s escaped */
static void td(FILE *out, const char *s)
{
	fputs("<td>", out);
	html_escape(out, s);
	fputs("</td>", out);
}

static void html_head(FILE *out, const struct replay *r)
{
	size_t n = r->findings.n;

	fprintf(out,
		"<!DOCTYPE html>\n<html><head><meta charset=\"utf-8\"><title>ksmdebug report"
		"</title>\n<style>%s</style></head><body>\n",
		style);
	fputs("<h1>ksmdebug report</h1>\n<p>Trace <code>", out);
	html_escape(out, r->path);
	fprintf(out, "</code>: %llu events over %.3f s, %llu malformed lines.</p>\n",
		(unsigned long long)r->stats.events, (r->last_ts - r->first_ts) / 1e9,
		(unsigned long long)r->stats.malformed);
	fprintf(out, "<p class=\"%s\"><b>%zu finding%s</b></p>\n", n ? "bug" : "ok", n,
		n == 1 ? "" : "s");
	fputs("<h2>Timeline</h2>\n", out);
	report_svg_timeline(out, r);
}

static void event_row(FILE *out, const struct ksm_event *e, uint64_t ref, bool ev)
{
	char detail[96];

	ksm_event_detail(e, detail, sizeof(detail));
	fprintf(out, "<tr%s><td>%+.3f ms</td>", ev ? " class=\"ev\"" : "",
		((double)e->ts_ns - (double)ref) / 1e6);
	td(out, ksm_event_name(e->kind));
	fprintf(out, "<td>%u</td>", e->pid);
	td(out, e->pid ? e->comm : "");
	fprintf(out, "<td>0x%llx</td><td>0x%llx</td>", e->pfn, e->node);
	td(out, detail);
	fputs("</tr>\n", out);
}

static void html_finding(FILE *out, const struct replay *r, const struct report_opts *o,
			 const struct det_finding *f, size_t n)
{
	size_t a = 0, b = 0;

	fprintf(out, "<h2 id=\"finding-%zu\" class=\"%s\">#%zu %s</h2>\n<p>", n + 1,
		det_severity(f->id), n + 1, det_name(f->id));
	html_escape(out, f->message);
	fputs("</p>\n<table><tr><th>t</th><th>event</th><th>pid</th><th>comm</th>"
	      "<th>pfn</th><th>node</th><th>detail</th></tr>\n",
	      out);
	if (r->nr_events)
		report_context(r, o, f->ts_ns, &a, &b);
	if (a == b) /* no events kept: show the evidence alone */
		for (int e = 0; e < f->nr_evidence; e++)
			event_row(out, &f->evidence[e], f->ts_ns, true);
	for (size_t j = a; j < b; j++)
		event_row(out, &r->events[j], f->ts_ns, report_is_evidence(f, &r->events[j]));
	fputs("</table>\n", out);
}

static void acct_row(FILE *out, const struct acct_sample *s, const struct det_acct *a)
{
	fputs("<tr>", out);
	td(out, s->label);
	fprintf(out, "<td>%u</td>", a->pid);
	td(out, a->comm);
	fprintf(out, "<td>%lld</td><td>%lld</td><td class=\"%s\">%s</td>", (long long)a->events,
		(long long)a->kernel, a->verdict == DET_ACCT_DRIFT ? "bug" : "ok",
		det_acct_verdict_name(a->verdict));
	td(out, a->why);
	fputs("</tr>\n", out);
}

static void html_accounting(FILE *out, const struct replay *r)
{
	fputs("<h2>Accounting</h2>\n<table><tr><th>at</th><th>pid</th><th>comm</th>"
	      "<th>events</th><th>kernel</th><th>verdict</th><th>why</th></tr>\n",
	      out);
	for (size_t i = 0; i < r->nr_acct; i++) {
		const struct acct_sample *s = &r->acct[i];

		if (s->have_sysfs)
			acct_row(out, s, &s->sysfs);
		for (size_t j = 0; j < s->nr_procs; j++)
			acct_row(out, s, &s->procs[j]);
	}
	fputs("</table>\n", out);
}

/* Who shares KSM frames with whom, when the snapshot has it. */
static void html_sharing(FILE *out, const json_t *sh)
{
	const json_t *p;
	size_t i;

	if (!sh)
		return;
	fprintf(out, "<p>KSM frames shared across cgroups: %lld of %lld</p>\n",
		(long long)json_integer_value(json_object_get(sh, "cross_cgroup_frames")),
		(long long)json_integer_value(json_object_get(sh, "ksm_frames")));
	if (!json_array_size(json_object_get(sh, "pairs")))
		return;
	fputs("<table><tr><th>cgroup a</th><th>cgroup b</th><th>frames</th></tr>\n", out);
	json_array_foreach(json_object_get(sh, "pairs"), i, p)
	{
		fputs("<tr>", out);
		td(out, json_string_value(json_object_get(p, "a")));
		td(out, json_string_value(json_object_get(p, "b")));
		fprintf(out, "<td>%lld</td></tr>\n",
			(long long)json_integer_value(json_object_get(p, "frames")));
	}
	fputs("</table>\n", out);
}

static void html_snapshot(FILE *out, const struct snapshot *s)
{
	fputs("<h3>", out);
	html_escape(out, s->label);
	fputs("</h3>\n<table><tr>", out);
	for (int i = 0; i < s->sysfs.n; i++) {
		fputs("<th>", out);
		html_escape(out, s->sysfs.ent[i].name);
		fputs("</th>", out);
	}
	fputs("</tr><tr>", out);
	for (int i = 0; i < s->sysfs.n; i++)
		td(out, s->sysfs.ent[i].text);
	fputs("</tr></table>\n<table><tr><th>pid</th><th>comm</th><th>merging</th>"
	      "<th>rmap items</th><th>zero pages</th><th>profit</th></tr>\n",
	      out);
	for (size_t i = 0; i < s->nr_procs; i++) {
		const struct snap_proc *p = &s->procs[i];

		fprintf(out, "<tr><td>%d</td>", p->pid);
		td(out, p->comm);
		fprintf(out, "<td>%lld</td><td>%lld</td><td>%lld</td><td>%lld</td></tr>\n",
			(long long)p->st.merging_pages, (long long)p->st.rmap_items,
			(long long)p->st.zero_pages, (long long)p->st.profit);
	}
	fputs("</table>\n", out);
	html_sharing(out, s->sharing);
}

static void html_kernel(FILE *out, const struct trace_header *h)
{
	const struct kernel_facts *k = &h->kernel;

	fputs("<h2>Kernel</h2>\n<p>", out);
	html_escape(out, h->have_kernel ? k->release : "unknown (the trace has no header)");
	fputs("</p>\n", out);
	if (!h->have_kernel || !k->have_config)
		return;
	fputs("<table><tr><th>option</th><th>value</th></tr>\n", out);
	for (int i = 0; i < k->nr_config; i++) {
		fputs("<tr>", out);
		td(out, k->config[i].name);
		td(out, k->config[i].value);
		fputs("</tr>\n", out);
	}
	fputs("</table>\n", out);
}

static void html_probes(FILE *out, const struct trace_header *h)
{
	if (!h->have_probes)
		return;
	fputs("<h2>Probe sources</h2>\n<table><tr><th>target</th><th>state</th>"
	      "<th>detail</th></tr>\n",
	      out);
	for (int i = 0; i < h->nr_probes; i++) {
		const struct trace_probe *p = &h->probes[i];

		fputs("<tr>", out);
		td(out, p->target);
		fprintf(out, "<td class=\"%s\">", !strcmp(p->state, "active") ? "ok" : "warning");
		html_escape(out, p->state);
		fputs("</td>", out);
		td(out, p->detail);
		fputs("</tr>\n", out);
	}
	fputs("</table>\n", out);
}

void report_html(FILE *out, const struct replay *r, const struct report_opts *o)
{
	html_head(out, r);
	for (size_t n = 0; n < r->findings.n; n++)
		html_finding(out, r, o, &r->findings.v[n], n);
	html_accounting(out, r);
	fputs("<h2>Snapshots</h2>\n", out);
	for (size_t i = 0; i < r->nr_snaps; i++)
		html_snapshot(out, &r->snaps[i]);
	html_kernel(out, &r->header);
	html_probes(out, &r->header);
	fputs("</body></html>\n", out);
}
