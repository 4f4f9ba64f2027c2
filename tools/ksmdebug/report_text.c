// SPDX-License-Identifier: GPL-2.0
#include <string.h>

#include "event_fmt.h"
#include "name_esc.h"
#include "report.h"

static void text_kernel(FILE *out, const struct replay *r)
{
	const struct trace_header *h = &r->header;
	const struct kernel_facts *k = &h->kernel;

	if (!h->have_kernel) {
		fprintf(out, "Kernel: unknown (trace has no header)\n");
		return;
	}
	fputs("Kernel: ", out);
	name_fputs(k->release, out);
	fputc('\n', out);
	if (!k->have_config) {
		fprintf(out, "Config: not available (no /proc/config.gz or /boot/config-*)\n");
		return;
	}
	fputs("Config (", out);
	name_fputs(k->config_source, out);
	fputs("):", out);
	for (int i = 0; i < k->nr_config; i++) {
		const char *name = k->config[i].name;

		if (!strncmp(name, "CONFIG_", 7))
			name += 7;
		fputc(' ', out);
		name_fputs(name, out);
		fputc('=', out);
		name_fputs(k->config[i].value, out);
	}
	fputc('\n', out);
}

static void text_trace(FILE *out, const struct replay *r)
{
	const struct trace_header *h = &r->header;

	if (h->have_probes) {
		fprintf(out, "Probe sources:");
		for (int i = 0; i < h->nr_probes; i++)
			if (!strcmp(h->probes[i].state, "active")) {
				fputc(' ', out);
				name_fputs(h->probes[i].target, out);
			}
		fputc('\n', out);
	}
	fprintf(out, "Events: %llu in %.3f s (%llu lines, %llu malformed)\n",
		(unsigned long long)r->stats.events, (r->last_ts - r->first_ts) / 1e9,
		(unsigned long long)r->stats.lines, (unsigned long long)r->stats.malformed);
	for (unsigned int kind = 1; kind < KSM_EV_MAX; kind++)
		if (r->per_kind[kind])
			fprintf(out, "  %-30s %llu\n", ksm_event_name(kind),
				(unsigned long long)r->per_kind[kind]);
}

/* A finding, then the events around it with its evidence marked. */
static void text_finding(FILE *out, const struct replay *r, const struct report_opts *o,
			 const struct det_finding *f)
{
	struct ksm_fmt_opts fo = { 0 };
	size_t a, b;

	fputc('\n', out);
	trace_finding_print(out, f);
	if (!r->nr_events)
		return;
	report_context(r, o, f->ts_ns, &a, &b);
	fprintf(out, "  timeline (%zu events around it, * = evidence):\n", b - a);
	for (size_t j = a; j < b; j++) {
		const struct ksm_event *e = &r->events[j];

		fprintf(out, "  %c %+9.3f ms ", report_is_evidence(f, e) ? '*' : ' ',
			((double)e->ts_ns - (double)f->ts_ns) / 1e6);
		ksm_event_print_text(out, e, &fo);
	}
}

static void text_accounting(FILE *out, const struct replay *r)
{
	fprintf(out, "\nAccounting (events vs kernel):\n");
	acct_print_header(out, "    ");
	for (size_t i = 0; i < r->nr_acct; i++) {
		fputs("  at ", out);
		name_fputs(r->acct[i].label, out);
		fputs(":\n", out);
		acct_print_rows(out, "    ", &r->acct[i]);
	}
}

static void text_last_snapshot(FILE *out, const struct replay *r)
{
	const struct snapshot *s;
	char comm[NAME_ESC_COMM];

	if (!r->nr_snaps)
		return;
	s = &r->snaps[r->nr_snaps - 1];
	fputs("\nLast snapshot (", out);
	name_fputs(s->label, out);
	fputs("):\n  sysfs:", out);
	for (int i = 0; i < s->sysfs.n; i++) {
		fputc(' ', out);
		name_fputs(s->sysfs.ent[i].name, out);
		fputc('=', out);
		name_fputs(s->sysfs.ent[i].text, out);
	}
	fputc('\n', out);
	for (size_t i = 0; i < s->nr_procs; i++) {
		const struct snap_proc *p = &s->procs[i];

		name_escapen(comm, sizeof(comm), p->comm, sizeof(p->comm), 0);
		fprintf(out, "  pid %d %s: merging %lld rmap_items %lld profit %lld\n", p->pid,
			comm, (long long)p->st.merging_pages, (long long)p->st.rmap_items,
			(long long)p->st.profit);
	}
	snapshot_print_sharing(out, s, "  ");
}

void report_text(FILE *out, const struct replay *r, const struct report_opts *o)
{
	fputs("ksmdebug report: ", out);
	name_fputs(r->path, out);
	fputs("\n\n", out);
	text_kernel(out, r);
	text_trace(out, r);
	fprintf(out, "\nFindings: %zu\n", r->findings.n);
	for (size_t n = 0; n < r->findings.n; n++)
		text_finding(out, r, o, &r->findings.v[n]);
	if (json_array_size(r->recorded))
		fprintf(out, "\nThe recorder reported %zu findings live.\n",
			json_array_size(r->recorded));
	text_accounting(out, r);
	text_last_snapshot(out, r);
}
