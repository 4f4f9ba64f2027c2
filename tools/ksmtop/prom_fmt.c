// SPDX-License-Identifier: GPL-2.0
#include <inttypes.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "name_esc.h"
#include "prom_fmt.h"

const char *prom_fmt_content_type(enum prom_fmt fmt)
{
	if (fmt == PROM_FMT_OPENMETRICS)
		return "application/openmetrics-text; version=1.0.0; charset=utf-8";
	return "text/plain; version=0.0.4; charset=utf-8";
}

static const char *type_name(const struct prom_out *o, enum prom_type t)
{
	switch (t) {
	case PROM_COUNTER:
		return "counter";
	case PROM_INFO:
		return o->fmt == PROM_FMT_OPENMETRICS ? "info" : "gauge";
	case PROM_HISTOGRAM:
		return "histogram";
	default:
		return "gauge";
	}
}

void prom_head(const struct prom_out *o, const char *name, enum prom_type t, const char *help)
{
	size_t n = strlen(name);

	/* OpenMetrics names the family; its samples add _total or _info */
	if (o->fmt == PROM_FMT_OPENMETRICS) {
		if (t == PROM_COUNTER && n > 6 && !strcmp(name + n - 6, "_total"))
			n -= 6;
		else if (t == PROM_INFO && n > 5 && !strcmp(name + n - 5, "_info"))
			n -= 5;
	}
	fprintf(o->f, "# HELP %.*s %s\n# TYPE %.*s %s\n", (int)n, name, help, (int)n, name,
		type_name(o, t));
}

/* Length of the valid UTF-8 character at s, 0 if the bytes there are not UTF-8. */
static int utf8_len(const char *s)
{
	if (!(*s & 0x80))
		return 1;
	/* a cut sequence is not valid: the shortest valid prefix is the character */
	for (int n = 2; n <= 4; n++)
		if (name_is_utf8(s, n))
			return n;
	return 0;
}

/*
 * A character a terminal acts on (a control byte, DEL, a C1 control, a bidi
 * override): written as name_esc.h's shown form of it (\x1b, \t, \u202e),
 * its backslash escaped, so `curl /metrics` cannot clear or retitle the
 * reader's terminal.  Returns false for a character shown as it is.
 */
static bool put_shown(FILE *f, const char *s, int n)
{
	char shown[8];

	if (name_escapen(shown, sizeof(shown), s, n, NAME_ESC_UTF8) == (size_t)n &&
	    !memcmp(shown, s, n))
		return false;
	fprintf(f, "\\\\%s", shown + 1);
	return true;
}

/* One character of a label value: its escape, the character, or \xNN; the bytes used. */
static int put_char(FILE *f, const char *s)
{
	int n = utf8_len(s);

	switch (n ? *s : 0) {
	case '\\':
		fputs("\\\\", f);
		return 1;
	case '"':
		fputs("\\\"", f);
		return 1;
	case '\n':
		fputs("\\n", f);
		return 1;
	case 0: /* not UTF-8: the byte's value, readable and unambiguous per byte */
		fprintf(f, "\\\\x%02x", (unsigned char)*s);
		return 1;
	default:
		if (!put_shown(f, s, n))
			fwrite(s, 1, n, f);
		return n;
	}
}

void prom_put_value(FILE *f, const char *s)
{
	while (s && *s)
		s += put_char(f, s);
}

char *prom_label_str(const struct prom_label *l, int n)
{
	char *text = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&text, &len);

	if (!f)
		return NULL;
	for (int i = 0; i < n; i++) {
		fprintf(f, "%s%s=\"", i ? "," : "", l[i].key);
		prom_put_value(f, l[i].val);
		fputc('"', f);
	}
	if (fclose(f)) {
		free(text);
		return NULL;
	}
	return text;
}

static void sample_name(const struct prom_out *o, const char *name, const char *labels)
{
	if (labels && *labels)
		fprintf(o->f, "%s{%s} ", name, labels);
	else
		fprintf(o->f, "%s ", name);
}

void prom_sample_u64(const struct prom_out *o, const char *name, const char *labels, uint64_t v)
{
	sample_name(o, name, labels);
	fprintf(o->f, "%" PRIu64 "\n", v);
}

void prom_sample_i64(const struct prom_out *o, const char *name, const char *labels, int64_t v)
{
	sample_name(o, name, labels);
	fprintf(o->f, "%" PRId64 "\n", v);
}

void prom_sample_f(const struct prom_out *o, const char *name, const char *labels, double v)
{
	sample_name(o, name, labels);
	/* both formats spell these the Go way, not C's "nan" and "inf" */
	if (isnan(v))
		fputs("NaN\n", o->f);
	else if (isinf(v))
		fputs(v > 0 ? "+Inf\n" : "-Inf\n", o->f);
	else
		fprintf(o->f, "%.12g\n", v);
}

void prom_end(const struct prom_out *o)
{
	if (o->fmt == PROM_FMT_OPENMETRICS)
		fputs("# EOF\n", o->f);
}

const char *prom_escape(const char *in, char *buf, size_t len)
{
	FILE *f = fmemopen(buf, len, "w");

	if (!len)
		return buf;
	buf[0] = '\0';
	if (!f)
		return buf;
	/* fmemopen keeps a NUL after what fits; a cut value stays terminated */
	setvbuf(f, NULL, _IONBF, 0);
	prom_put_value(f, in);
	fclose(f);
	buf[len - 1] = '\0';
	return buf;
}
