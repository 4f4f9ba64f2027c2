/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The two exposition formats a scrape can ask for, written by one set of
 * helpers: the Prometheus text format 0.0.4 and OpenMetrics 1.0.0.  They
 * differ in few places, all of them here: a counter family is named without
 * its "_total" in OpenMetrics' HELP and TYPE lines (the samples keep it), an
 * info family is TYPE "info" (a gauge named "*_info" in the text format),
 * and OpenMetrics ends with "# EOF".
 *
 * Label values are anyone's choice (cgroup names, comm): backslash, double
 * quote and newline are escaped as both formats require, and each byte that
 * is not part of valid UTF-8 is written as the four characters \xNN (the
 * same as the JSON output), because one invalid byte would make Prometheus
 * reject the whole scrape.
 */
#ifndef KSM_PROM_FMT_H
#define KSM_PROM_FMT_H

#include <stdint.h>
#include <stdio.h>

enum prom_fmt {
	PROM_FMT_TEXT,	      /* text/plain; version=0.0.4 */
	PROM_FMT_OPENMETRICS, /* application/openmetrics-text; version=1.0.0 */
	PROM_FMT_MAX,
};

enum prom_type {
	PROM_GAUGE,
	PROM_COUNTER, /* the sample name ends in _total */
	PROM_INFO,    /* the sample name ends in _info, the value is 1 */
	PROM_HISTOGRAM,
};

/* Where an exposition goes, and in which format. */
struct prom_out {
	FILE *f;
	enum prom_fmt fmt;
};

struct prom_label {
	const char *key; /* a valid label name: ours, never from outside */
	const char *val; /* any bytes */
};

/* The Content-Type of a format. */
const char *prom_fmt_content_type(enum prom_fmt fmt);

/*
 * HELP and TYPE of a family. name is the name of its samples (with _total
 * for a counter, _info for an info metric); help is our own text.
 */
void prom_head(const struct prom_out *o, const char *name, enum prom_type t, const char *help);
/* A label value, escaped for both formats (see above). */
void prom_put_value(FILE *f, const char *s);
/*
 * k1="v1",k2="v2" for n labels into a new string (free it), for series that
 * share labels across families; NULL when out of memory.
 */
char *prom_label_str(const struct prom_label *l, int n);
/* name{labels} value: labels from prom_label_str, or NULL/"" for none. */
void prom_sample_u64(const struct prom_out *o, const char *name, const char *labels, uint64_t v);
void prom_sample_i64(const struct prom_out *o, const char *name, const char *labels, int64_t v);
void prom_sample_f(const struct prom_out *o, const char *name, const char *labels, double v);
/* The end of an exposition: "# EOF" in OpenMetrics, nothing in text. */
void prom_end(const struct prom_out *o);

/* The escaped value into buf (cut to fit, always terminated): for tests and messages. */
const char *prom_escape(const char *in, char *buf, size_t len);

#endif
