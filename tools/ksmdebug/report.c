// SPDX-License-Identifier: GPL-2.0
/* What the text, JSON and HTML renderings of a report share. */
#include <stdlib.h>
#include <string.h>

#include "name_esc.h"
#include "report.h"

void report_opts_default(struct report_opts *o)
{
	o->context_ns = 2000000000ULL;
	o->context_max = 20;
}

void report_context(const struct replay *r, const struct report_opts *o, uint64_t ts, size_t *first,
		    size_t *last)
{
	size_t lo = 0, hi = r->nr_events, mid;

	while (lo < hi) { /* first event at or after ts (events are in stream order) */
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

bool report_is_evidence(const struct det_finding *f, const struct ksm_event *e)
{
	for (int i = 0; i < f->nr_evidence; i++)
		if (!memcmp(&f->evidence[i], e, sizeof(*e)))
			return true;
	return false;
}

/*
 * Shown by the name rule first (control bytes and invalid UTF-8 escaped,
 * UTF-8 kept: the page says it is UTF-8), then markup escaped.
 */
void html_escape(FILE *out, const char *s)
{
	char *shown = name_escape_dup(s, NAME_ESC_UTF8);

	for (const char *p = shown; p && *p; p++) {
		switch (*p) {
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
		case '\'':
			fputs("&#39;", out);
			break;
		default:
			fputc(*p, out);
		}
	}
	free(shown);
}
