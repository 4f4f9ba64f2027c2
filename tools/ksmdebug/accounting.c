// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "accounting.h"
#include "array.h"
#include "name_esc.h"

int acct_sample_init(struct acct_sample *s, const char *label, uint64_t ts_ns)
{
	memset(s, 0, sizeof(*s));
	s->ts_ns = ts_ns;
	if (label && !(s->label = strdup(label)))
		return -ENOMEM;
	return 0;
}

void acct_sample_free(struct acct_sample *s)
{
	free(s->label);
	free(s->procs);
	memset(s, 0, sizeof(*s));
}

int acct_sample_add_proc(struct acct_sample *s, const struct det_acct *a)
{
	if (array_reserve(&s->procs, &s->cap_procs, s->nr_procs, sizeof(*s->procs)))
		return -ENOMEM;
	s->procs[s->nr_procs++] = *a;
	return 0;
}

json_t *det_acct_json(const struct det_acct *a)
{
	json_t *o = json_pack("{s:o, s:I, s:I, s:s, s:o}", "pid",
			      a->pid ? json_integer(a->pid) : json_null(), "events",
			      (json_int_t)a->events, "kernel", (json_int_t)a->kernel, "verdict",
			      det_acct_verdict_name(a->verdict), "why", name_json(a->why));

	name_json_setn(o, "comm", a->comm, sizeof(a->comm));

	if (!a->pid) {
		json_object_set_new(o, "events_shared", json_integer(a->events_shared));
		json_object_set_new(o, "kernel_shared", json_integer(a->kernel_shared));
	}
	return o;
}

static json_t *procs_json(const struct acct_sample *s, json_t *a)
{
	for (size_t i = 0; i < s->nr_procs; i++)
		json_array_append_new(a, det_acct_json(&s->procs[i]));
	return a;
}

json_t *acct_sample_rows_json(const struct acct_sample *s)
{
	json_t *a = json_array();

	if (s->have_sysfs)
		json_array_append_new(a, det_acct_json(&s->sysfs));
	return procs_json(s, a);
}

json_t *acct_sample_json(const struct acct_sample *s)
{
	json_t *o = json_pack("{s:s, s:I}", "label", s->label ?: "", "ts_ns", (json_int_t)s->ts_ns);

	if (s->have_sysfs)
		json_object_set_new(o, "sysfs", det_acct_json(&s->sysfs));
	json_object_set_new(o, "procs", procs_json(s, json_array()));
	return o;
}

void acct_print_header(FILE *out, const char *indent)
{
	fprintf(out, "%s%-7s %-15s %8s %8s  %-10s %s\n", indent, "PID", "COMM", "EVENTS", "KERNEL",
		"VERDICT", "WHY");
}

static void print_row(FILE *out, const char *indent, const struct det_acct *a)
{
	char pid[16] = "-", comm[sizeof(a->comm) + 1], shown[NAME_ESC_SIZE(sizeof(a->comm)) + 16];

	if (a->pid)
		snprintf(pid, sizeof(pid), "%u", a->pid);
	snprintf(comm, sizeof(comm), "%.*s", (int)sizeof(a->comm), a->comm);
	fprintf(out, "%s%-7s %s %8lld %8lld  %-10s %s\n", indent, pid,
		name_pad(comm, 15, shown, sizeof(shown)), (long long)a->events,
		(long long)a->kernel, det_acct_verdict_name(a->verdict), a->why);
}

void acct_print_rows(FILE *out, const char *indent, const struct acct_sample *s)
{
	if (s->have_sysfs)
		print_row(out, indent, &s->sysfs);
	for (size_t i = 0; i < s->nr_procs; i++)
		print_row(out, indent, &s->procs[i]);
}
