// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "event_fmt.h"
#include "infile.h"
#include "name_esc.h"
#include "trace_io.h"

static json_t *hex(uint64_t v)
{
	char buf[24];

	snprintf(buf, sizeof(buf), "0x%llx", (unsigned long long)v);
	return json_string(buf);
}

json_t *trace_finding_to_json(const struct det_finding *f)
{
	json_t *ev = json_array();

	for (int i = 0; i < f->nr_evidence; i++)
		json_array_append_new(ev, ksm_event_to_json(&f->evidence[i], NULL));
	/* the message quotes names: name_json keeps the line JSON whatever they hold */
	return json_pack("{s:s, s:s, s:s, s:I, s:o, s:o, s:o, s:o}", "type", "finding", "detector",
			 det_name(f->id), "severity", det_severity(f->id), "ts_ns",
			 (json_int_t)f->ts_ns, "node", f->node ? hex(f->node) : json_null(), "pid",
			 f->pid ? json_integer(f->pid) : json_null(), "message",
			 name_jsonn(f->message, sizeof(f->message)), "evidence", ev);
}

int trace_finding_from_json(const json_t *o, struct det_finding *f, char *err, size_t len)
{
	const char *name = json_string_value(json_object_get(o, "detector"));
	json_t *ev = json_object_get(o, "evidence"), *v;
	size_t i;
	int id;

	memset(f, 0, sizeof(*f));
	for (id = 0; id < DET_MAX && (!name || strcmp(det_name(id), name)); id++)
		;
	if (id == DET_MAX) {
		snprintf(err, len, "finding with unknown detector \"%s\"", name ?: "(none)");
		return -EINVAL;
	}
	f->id = id;
	v = json_object_get(o, "ts_ns");
	f->ts_ns = json_is_integer(v) ? (uint64_t)json_integer_value(v) : 0;
	v = json_object_get(o, "pid");
	f->pid = json_is_integer(v) ? (uint32_t)json_integer_value(v) : 0;
	v = json_object_get(o, "node");
	if (json_is_string(v))
		f->node = strtoull(json_string_value(v), NULL, 0);
	snprintf(f->message, sizeof(f->message), "%s",
		 json_string_value(json_object_get(o, "message")) ?: "");
	json_array_foreach(ev, i, v)
	{
		if (f->nr_evidence == DET_MAX_EVIDENCE)
			break;
		if (ksm_event_from_json(v, &f->evidence[f->nr_evidence], err, len))
			return -EINVAL;
		f->nr_evidence++;
	}
	return 0;
}

void trace_finding_print(FILE *out, const struct det_finding *f)
{
	struct ksm_fmt_opts fo = { 0 };
	char msg[NAME_ESC_SIZE(sizeof(f->message))];

	/* the message quotes names: shown by the name rule, one line */
	name_escapen(msg, sizeof(msg), f->message, sizeof(f->message), 0);
	fprintf(out, "FINDING %s [%s] at %llu.%06llu: %s\n", det_name(f->id), det_severity(f->id),
		(unsigned long long)(f->ts_ns / 1000000000ULL),
		(unsigned long long)(f->ts_ns % 1000000000ULL / 1000), msg);
	for (int i = 0; i < f->nr_evidence; i++) {
		const struct ksm_event *e = &f->evidence[i];

		fprintf(out, "    %llu.%06llu node=0x%llx ",
			(unsigned long long)(e->ts_ns / 1000000000ULL),
			(unsigned long long)(e->ts_ns % 1000000000ULL / 1000),
			(unsigned long long)e->node);
		ksm_event_print_text(out, e, &fo);
	}
}

json_t *det_counts_json(const struct detectors *d)
{
	json_t *o = json_object();

	for (int id = 0; id < DET_MAX; id++)
		json_object_set_new(o, det_name(id), json_integer((json_int_t)det_count(d, id)));
	return o;
}

void det_unjudged_print(FILE *out, const struct detectors *d)
{
	if (det_migration_unjudged(d))
		fprintf(out, "%llu migration entries left at a batch end not judged (events lost, "
			"or a large folio split onto the zero page)\n",
			(unsigned long long)det_migration_unjudged(d));
}

/* ---- the header line ------------------------------------------------------ */

json_t *trace_header_json(const char *reason, uint64_t ts_ns, const struct kernel_facts *k,
			  json_t *probes, const struct trace_window *w)
{
	json_t *o = json_pack("{s:s, s:s, s:i, s:s, s:I}", "type", "header", "tool", "ksmdebug",
			      "format", TRACE_FORMAT, "reason", reason, "ts_ns", (json_int_t)ts_ns);

	json_object_set_new(o, "kernel", kernel_facts_json(k));
	json_object_set_new(o, "probes", probes);
	json_object_set_new(o, "trace",
			    json_pack("{s:I, s:I, s:I, s:I, s:I, s:f}", "seen", (json_int_t)w->seen,
				      "held", (json_int_t)w->held, "evicted",
				      (json_int_t)w->evicted, "dropped", (json_int_t)w->dropped,
				      "max_events", (json_int_t)w->max_events, "max_age_s",
				      w->max_age_s));
	return o;
}

static void string_field(char *dst, size_t len, const json_t *o, const char *key)
{
	snprintf(dst, len, "%s", json_string_value(json_object_get(o, key)) ?: "?");
}

static void probes_from_json(const json_t *a, struct trace_header *h)
{
	size_t i;
	json_t *v;

	h->have_probes = json_is_array(a);
	json_array_foreach(a, i, v)
	{
		struct trace_probe *p = &h->probes[h->nr_probes];

		if (h->nr_probes == TRACE_MAX_PROBES)
			break;
		string_field(p->target, sizeof(p->target), v, "target");
		string_field(p->state, sizeof(p->state), v, "state");
		string_field(p->detail, sizeof(p->detail), v, "detail");
		h->nr_probes++;
	}
}

void trace_header_from_json(const json_t *o, struct trace_header *h)
{
	const json_t *k = json_object_get(o, "kernel"), *w = json_object_get(o, "trace");
	json_int_t v;

	memset(h, 0, sizeof(*h));
	h->have_kernel = k != NULL;
	if (k)
		kernel_facts_from_json(k, &h->kernel);
	probes_from_json(json_object_get(o, "probes"), h);
	/* negative or absent: nothing lost */
	v = json_integer_value(json_object_get(w, "evicted"));
	h->window.evicted = v > 0 ? v : 0;
	v = json_integer_value(json_object_get(w, "dropped"));
	h->window.dropped = v > 0 ? v : 0;
}

/* ---- reading ------------------------------------------------------------- */

static int one_line(const char *path, uint64_t lineno, const char *line, size_t len,
		    const struct trace_reader_ops *ops, void *ctx, FILE *errf,
		    struct trace_stats *st)
{
	json_error_t jerr;
	/* jansson: duplicate keys, NaN, nesting deeper than 2048, NUL bytes are errors */
	json_t *o = json_loadb(line, len, JSON_REJECT_DUPLICATES, &jerr);
	const char *type;
	char err[160];
	int r = 0;

	if (!o) {
		cli_line_err(errf, path, lineno, "malformed JSON: %s", jerr.text);
		st->malformed++;
		return 0;
	}
	if (!json_is_object(o)) {
		cli_line_err(errf, path, lineno, "not a JSON object");
		st->malformed++;
		goto out;
	}
	type = json_string_value(json_object_get(o, "type"));
	if (type && !json_object_get(o, "event")) {
		if (!strcmp(type, "header"))
			r = ops->header ? ops->header(ctx, o) : 0;
		else if (!strcmp(type, "snapshot"))
			r = ops->snapshot ? ops->snapshot(ctx, o) : 0;
		else if (!strcmp(type, "finding"))
			r = ops->finding ? ops->finding(ctx, o) : 0;
		else
			st->unknown_type++; /* a newer writer: not an error */
		goto out;
	}
	{
		struct ksm_event e;

		if (ksm_event_from_json(o, &e, err, sizeof(err))) {
			cli_line_err(errf, path, lineno, "%s", err);
			st->malformed++;
			goto out;
		}
		st->events++;
		r = ops->event ? ops->event(ctx, &e, o) : 0;
	}
out:
	json_decref(o);
	return r;
}

/*
 * The last line has no newline: the writer may have died mid-line.  True
 * (said, counted) when what is there is not JSON; a whole object is read.
 */
static bool torn_line(const char *path, uint64_t lineno, const char *line, size_t len,
		      FILE *errf, struct trace_stats *st)
{
	json_error_t jerr;
	json_t *o = json_loadb(line, len, 0, &jerr);

	if (o) {
		json_decref(o);
		return false;
	}
	cli_line_err(errf, path, lineno, "truncated line (no newline at end of file): %s",
		     jerr.text);
	st->malformed++;
	return true;
}

/* The file's lines; returns when it ends, a callback stops, or it is not a trace. */
static void read_lines(FILE *f, const char *path, const struct trace_reader_ops *ops, void *ctx,
		       FILE *errf, struct trace_stats *st)
{
	char *line = NULL;
	size_t cap = 0;
	uint64_t lineno = 0;
	ssize_t n;
	bool torn;

	while ((n = infile_line(f, &line, &cap, TRACE_MAX_LINE, &torn)) != -1) {
		lineno++;
		if (n < 0) {
			cli_line_err(errf, path, lineno, "%s: not a trace, stopped reading",
				     n == -E2BIG ? "line longer than 32 MiB" : strerror((int)-n));
			st->malformed++;
			break;
		}
		while (n > 0 && line[n - 1] == '\r')
			line[--n] = '\0';
		if (!n)
			continue;
		st->lines++;
		if (torn && torn_line(path, lineno, line, (size_t)n, errf, st))
			break; /* the last line anyway */
		if (one_line(path, lineno, line, (size_t)n, ops, ctx, errf, st))
			break;
		if (st->malformed >= TRACE_MAX_MALFORMED) {
			cli_line_err(errf, path, lineno,
				     "%d malformed lines: not a trace, stopped reading",
				     TRACE_MAX_MALFORMED);
			break;
		}
	}
	if (ferror(f)) {
		cli_line_err(errf, path, lineno + 1, "read error: %s", strerror(errno));
		st->malformed++;
	} else if (!st->lines && n == -1) {
		cli_line_err(errf, path, lineno + 1, "empty: no trace lines");
		st->malformed++;
	}
	free(line);
}

int trace_read(const char *path, const struct trace_reader_ops *ops, void *ctx, FILE *errf,
	       struct trace_stats *st)
{
	int err = 0;
	FILE *f;

	memset(st, 0, sizeof(*st));
	f = infile_open(path, 0, st->open_err, sizeof(st->open_err), &err);
	if (!f)
		return err;
	read_lines(f, path, ops, ctx, errf, st);
	infile_close(f);
	return 0;
}
