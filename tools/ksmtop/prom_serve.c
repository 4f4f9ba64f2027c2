// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "prom_serve.h"
#include "web_config.h"

/* Buckets of the scrape duration histogram, in seconds. */
static const double buckets[] = { 0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5 };
#define NR_BUCKETS (sizeof(buckets) / sizeof(buckets[0]))
#define NR_CODES 6

static const unsigned int codes[NR_CODES] = { 200, 401, 404, 405, 500, 503 };
static const char *const handler_names[PROM_H_MAX] = { "metrics", "healthz", "landing", "other" };

struct prom_site {
	char *path;
	double interval_s;
	struct web_auth *auth;
	pthread_mutex_t lock; /* the published sample and the statistics */
	char *text[PROM_FMT_MAX];
	size_t len[PROM_FMT_MAX];
	struct timespec published; /* CLOCK_MONOTONIC; 0 before the first sample */
	uint64_t requests[PROM_H_MAX][NR_CODES];
	uint64_t bucket[NR_BUCKETS + 1]; /* scrapes of the telemetry path; last: +Inf */
	double sum;
	atomic_int connections;
};

struct prom_site *prom_site_new(const char *path, double interval_s, struct web_auth *auth)
{
	struct prom_site *s = calloc(1, sizeof(*s));

	if (!s)
		return NULL;
	s->path = strdup(path);
	if (!s->path) {
		free(s);
		return NULL;
	}
	s->interval_s = interval_s;
	s->auth = auth;
	pthread_mutex_init(&s->lock, NULL);
	return s;
}

void prom_site_free(struct prom_site *s)
{
	if (!s)
		return;
	for (int f = 0; f < PROM_FMT_MAX; f++)
		free(s->text[f]);
	web_auth_free(s->auth);
	pthread_mutex_destroy(&s->lock);
	free(s->path);
	free(s);
}

void prom_site_publish(struct prom_site *s, char *text[PROM_FMT_MAX], size_t len[PROM_FMT_MAX])
{
	char *old[PROM_FMT_MAX];

	pthread_mutex_lock(&s->lock);
	for (int f = 0; f < PROM_FMT_MAX; f++) {
		old[f] = s->text[f];
		s->text[f] = text[f];
		s->len[f] = len[f];
	}
	clock_gettime(CLOCK_MONOTONIC, &s->published);
	pthread_mutex_unlock(&s->lock);
	for (int f = 0; f < PROM_FMT_MAX; f++)
		free(old[f]);
}

/* One media range of an Accept header: does it name fmt, and with which q? */
static double range_q(char *range, enum prom_fmt fmt)
{
	const char *want = fmt == PROM_FMT_OPENMETRICS ? "application/openmetrics-text"
						       : "text/plain";
	const char *version = fmt == PROM_FMT_OPENMETRICS ? "1.0.0" : "0.0.4";
	char *save = NULL, *type = strtok_r(range, ";", &save), *p;
	double q = 1;
	bool match;

	if (!type)
		return 0;
	type += strspn(type, " \t");
	type[strcspn(type, " \t")] = '\0';
	match = !strcasecmp(type, want) || !strcmp(type, "*/*") ||
		(fmt == PROM_FMT_TEXT && !strcasecmp(type, "text/*"));
	while (match && (p = strtok_r(NULL, ";", &save))) {
		p += strspn(p, " \t");
		if (!strncasecmp(p, "q=", 2))
			q = strtod(p + 2, NULL);
		/* another version of the format is another format */
		else if (!strncasecmp(p, "version=", 8) && strncmp(p + 8, version, 5))
			match = false;
	}
	return match && q > 0 && q <= 1 ? q : 0;
}

static double accept_q(const char *accept, enum prom_fmt fmt)
{
	char buf[1024], *save = NULL, *range;
	double best = 0;

	snprintf(buf, sizeof(buf), "%s", accept);
	for (range = strtok_r(buf, ",", &save); range; range = strtok_r(NULL, ",", &save)) {
		double q = range_q(range, fmt);

		if (q > best)
			best = q;
	}
	return best;
}

enum prom_fmt prom_negotiate(const char *accept)
{
	/* OpenMetrics only when preferred: the text format is every client's fallback */
	if (accept && accept_q(accept, PROM_FMT_OPENMETRICS) > accept_q(accept, PROM_FMT_TEXT))
		return PROM_FMT_OPENMETRICS;
	return PROM_FMT_TEXT;
}

bool prom_path_valid(const char *path)
{
	return path && path[0] == '/' && strlen(path) < 256 &&
	       strspn(path, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789._~/-") ==
		       strlen(path);
}

static void fixed(struct prom_response *rs, unsigned int code, const char *type, const char *body)
{
	rs->code = code;
	rs->content_type = type;
	rs->body = (char *)body;
	rs->len = strlen(body);
	rs->body_static = true;
}

static double since(const struct timespec *t)
{
	struct timespec now;

	clock_gettime(CLOCK_MONOTONIC, &now);
	return (now.tv_sec - t->tv_sec) + (now.tv_nsec - t->tv_nsec) / 1e9;
}

static int healthz(struct prom_site *s, struct prom_response *rs)
{
	double age, limit = 3 * s->interval_s + 5;

	pthread_mutex_lock(&s->lock);
	age = s->published.tv_sec ? since(&s->published) : -1;
	pthread_mutex_unlock(&s->lock);
	if (age < 0)
		fixed(rs, 503, "text/plain; charset=utf-8", "starting: no sample yet\n");
	else if (age > limit)
		fixed(rs, 503, "text/plain; charset=utf-8", "stale: sampling stopped\n");
	else
		fixed(rs, 200, "text/plain; charset=utf-8", "ok\n");
	return 0;
}

static int landing(struct prom_site *s, struct prom_response *rs)
{
	/* the path is checked by prom_path_valid: nothing in it needs escaping in HTML */
	int n = asprintf(&rs->body,
			 "<!DOCTYPE html>\n<html><head><title>ksmtop exporter</title></head>\n"
			 "<body><h1>ksmtop exporter</h1>\n<p>KSM (Kernel Samepage Merging) "
			 "metrics per cgroup, process and NUMA node.</p>\n<ul>\n"
			 "<li><a href=\"%s\">%s</a>: metrics</li>\n"
			 "<li><a href=\"/healthz\">/healthz</a>: health</li>\n</ul>\n"
			 "</body></html>\n",
			 s->path, s->path);

	if (n < 0) {
		rs->body = NULL;
		return -ENOMEM;
	}
	rs->len = n;
	rs->code = 200;
	rs->content_type = "text/html; charset=utf-8";
	return 0;
}

/* The exporter's own HTTP metrics, current at the time of the scrape. */
static void write_http_stats(struct prom_site *s, const struct prom_out *o)
{
	char lab[64];
	uint64_t cum = 0;

	prom_head(o, "ksm_exporter_http_requests_total", PROM_COUNTER,
		  "HTTP requests the exporter answered, by handler and status code");
	for (int h = 0; h < PROM_H_MAX; h++)
		for (int c = 0; c < NR_CODES; c++) {
			if (!s->requests[h][c] && !(h == PROM_H_METRICS && codes[c] == 200))
				continue;
			snprintf(lab, sizeof(lab), "handler=\"%s\",code=\"%u\"", handler_names[h],
				 codes[c]);
			prom_sample_u64(o, "ksm_exporter_http_requests_total", lab,
					s->requests[h][c]);
		}
	prom_head(o, "ksm_exporter_scrape_duration_seconds", PROM_HISTOGRAM,
		  "Time from a scrape's request to the end of its response");
	for (size_t b = 0; b <= NR_BUCKETS; b++) {
		cum += s->bucket[b];
		if (b < NR_BUCKETS)
			snprintf(lab, sizeof(lab), "le=\"%g\"", buckets[b]);
		else
			snprintf(lab, sizeof(lab), "le=\"+Inf\"");
		prom_sample_u64(o, "ksm_exporter_scrape_duration_seconds_bucket", lab, cum);
	}
	prom_sample_f(o, "ksm_exporter_scrape_duration_seconds_sum", NULL, s->sum);
	prom_sample_u64(o, "ksm_exporter_scrape_duration_seconds_count", NULL, cum);
	prom_head(o, "ksm_exporter_http_connections", PROM_GAUGE,
		  "Open HTTP connections, idle ones included");
	prom_sample_u64(o, "ksm_exporter_http_connections", NULL,
			(uint64_t)atomic_load(&s->connections));
}

static int metrics(struct prom_site *s, const struct prom_request *rq, struct prom_response *rs)
{
	struct prom_out o = { .fmt = prom_negotiate(rq->accept) };

	pthread_mutex_lock(&s->lock);
	if (!s->text[o.fmt]) {
		pthread_mutex_unlock(&s->lock);
		fixed(rs, 503, "text/plain; charset=utf-8", "starting: no sample yet\n");
		return 0;
	}
	o.f = open_memstream(&rs->body, &rs->len);
	if (o.f) {
		fwrite(s->text[o.fmt], 1, s->len[o.fmt], o.f);
		write_http_stats(s, &o);
	}
	pthread_mutex_unlock(&s->lock);
	if (!o.f)
		return -ENOMEM;
	prom_end(&o);
	if (fclose(o.f)) {
		free(rs->body);
		rs->body = NULL;
		return -ENOMEM;
	}
	rs->code = 200;
	rs->content_type = prom_fmt_content_type(o.fmt);
	return 0;
}

static enum prom_handler route(const struct prom_site *s, const char *url)
{
	if (!strcmp(url, s->path))
		return PROM_H_METRICS;
	if (!strcmp(url, "/healthz"))
		return PROM_H_HEALTHZ;
	if (!strcmp(url, "/"))
		return PROM_H_LANDING;
	return PROM_H_OTHER;
}

static void count(struct prom_site *s, const struct prom_response *rs)
{
	pthread_mutex_lock(&s->lock);
	for (int c = 0; c < NR_CODES; c++)
		if (codes[c] == rs->code)
			s->requests[rs->handler][c]++;
	pthread_mutex_unlock(&s->lock);
}

static int dispatch(struct prom_site *s, const struct prom_request *rq, struct prom_response *rs)
{
	if (strcmp(rq->method, "GET") && strcmp(rq->method, "HEAD")) {
		fixed(rs, 405, "text/plain; charset=utf-8", "method not allowed\n");
		rs->allow = "GET, HEAD";
		return 0;
	}
	/* /healthz says only "ok" or why not: it needs no password (kubelet probes) */
	if (rs->handler != PROM_H_HEALTHZ && s->auth &&
	    !web_auth_check(s->auth, rq->user, rq->pass)) {
		fixed(rs, 401, "text/plain; charset=utf-8", "unauthorized\n");
		rs->challenge = "ksmtop";
		return 0;
	}
	switch (rs->handler) {
	case PROM_H_METRICS:
		return metrics(s, rq, rs);
	case PROM_H_HEALTHZ:
		return healthz(s, rs);
	case PROM_H_LANDING:
		return landing(s, rs);
	default:
		fixed(rs, 404, "text/plain; charset=utf-8", "not found\n");
		return 0;
	}
}

int prom_site_handle(struct prom_site *s, const struct prom_request *rq, struct prom_response *rs)
{
	int r;

	memset(rs, 0, sizeof(*rs));
	rs->handler = route(s, rq->url ? rq->url : "");
	r = dispatch(s, rq, rs);
	if (r) {
		prom_response_free(rs);
		rs->handler = route(s, rq->url ? rq->url : "");
		fixed(rs, 500, "text/plain; charset=utf-8", "out of memory\n");
	}
	count(s, rs);
	return r;
}

void prom_response_free(struct prom_response *rs)
{
	if (!rs->body_static)
		free(rs->body);
	memset(rs, 0, sizeof(*rs));
}

void prom_site_observe(struct prom_site *s, enum prom_handler h, double secs)
{
	size_t b = 0;

	if (h != PROM_H_METRICS)
		return;
	while (b < NR_BUCKETS && secs > buckets[b])
		b++;
	pthread_mutex_lock(&s->lock);
	s->bucket[b]++;
	s->sum += secs;
	pthread_mutex_unlock(&s->lock);
}

void prom_site_connections(struct prom_site *s, int delta)
{
	atomic_fetch_add(&s->connections, delta);
}

/* The port of [ADDR]:PORT; the default when there is none. 0 or -EINVAL. */
static int parse_port(const char *p, char *port, size_t plen)
{
	if (!p)
		p = PROM_DEFAULT_PORT;
	if (!*p || strlen(p) >= plen || strspn(p, "0123456789") != strlen(p) || atoi(p) > 65535 ||
	    atoi(p) <= 0)
		return -EINVAL;
	strcpy(port, p);
	return 0;
}

int prom_parse_addr(const char *arg, char *host, size_t hlen, char *port, size_t plen)
{
	const char *colon, *h = arg;
	size_t n;

	if (!arg || !*arg)
		return -EINVAL;
	if (*arg == '[') { /* [v6], [v6]:port */
		const char *end = strchr(arg, ']');

		if (!end || (end[1] && end[1] != ':'))
			return -EINVAL;
		h = arg + 1;
		n = end - h;
		colon = end[1] ? end + 1 : NULL;
	} else {
		colon = strchr(arg, ':');
		/* a bare IPv6 address is ambiguous: it wants brackets */
		if (colon && strchr(colon + 1, ':'))
			return -EINVAL;
		n = colon ? (size_t)(colon - arg) : strlen(arg);
	}
	if (n >= hlen || parse_port(colon ? colon + 1 : NULL, port, plen))
		return -EINVAL;
	memcpy(host, h, n);
	host[n] = '\0';
	return 0;
}
