/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The exporter's HTTP semantics without the sockets: one request in, one
 * response out. libmicrohttpd (prom_http.c) parses the connection and calls
 * prom_site_handle(); a fuzz harness can call it the same way:
 *
 *	struct prom_site *site = prom_site_new("/metrics", 1.0, NULL);
 *	struct prom_request rq = { .method = "GET", .url = "/metrics",
 *				   .accept = "...", .user = NULL, .pass = NULL };
 *	struct prom_response rs;
 *	prom_site_handle(site, &rq, &rs);
 *	...
 *	prom_response_free(&rs);
 *	prom_site_free(site);
 *
 * Routes: the telemetry path (GET, HEAD) in the text format or OpenMetrics
 * by the Accept header; /healthz (200 while samples arrive, 503 when they
 * stopped); "/" a landing page; anything else 404; a method other than GET
 * and HEAD 405. With users configured, every route but /healthz needs one
 * (401 and a Basic challenge otherwise).
 */
#ifndef KSM_PROM_SERVE_H
#define KSM_PROM_SERVE_H

#include <stdbool.h>
#include <stddef.h>

#include "prom_fmt.h"

/* The documented default port: see docs/ksmtop.md, "Port". */
#define PROM_DEFAULT_PORT "10411"

struct web_auth;

struct prom_request {
	const char *method;	/* "GET" */
	const char *url;	/* the path, without the query string */
	const char *accept;	/* the Accept header, NULL if none */
	const char *user, *pass; /* Basic credentials as sent, NULL if none */
};

enum prom_handler {
	PROM_H_METRICS,
	PROM_H_HEALTHZ,
	PROM_H_LANDING,
	PROM_H_OTHER,
	PROM_H_MAX,
};

struct prom_response {
	unsigned int code;
	enum prom_handler handler;
	const char *content_type;
	const char *allow;	/* for 405: the Allow header */
	const char *challenge;	/* for 401: the Basic realm to send */
	char *body;
	size_t len;
	bool body_static;	/* body is a constant: do not free */
};

struct prom_site;

/*
 * A site serving path (e.g. "/metrics"); interval_s is the sampling
 * interval (/healthz allows three missed samples); auth may be NULL (no
 * users), and the site owns it. NULL when out of memory.
 */
struct prom_site *prom_site_new(const char *path, double interval_s, struct web_auth *auth);
void prom_site_free(struct prom_site *s);
/* Publish a sample's expositions, one per format (the site takes them). */
void prom_site_publish(struct prom_site *s, char *text[PROM_FMT_MAX], size_t len[PROM_FMT_MAX]);
/* Answer one request. Always fills rs; returns 0, or -ENOMEM (rs is then a 500). */
int prom_site_handle(struct prom_site *s, const struct prom_request *rq, struct prom_response *rs);
void prom_response_free(struct prom_response *rs);
/* A request finished after secs; counted in the exporter's own metrics. */
void prom_site_observe(struct prom_site *s, enum prom_handler h, double secs);
/* Open connections (the server counts them), for the exporter's own metrics. */
void prom_site_connections(struct prom_site *s, int delta);

/* Which format an Accept header asks for (text when it names none we have). */
enum prom_fmt prom_negotiate(const char *accept);
/*
 * Split [ADDR][:PORT] ("127.0.0.1:10411", ":10411", "[::1]", "localhost"):
 * host gets "" for any address, port the default when none is given.
 * 0 or -EINVAL.
 */
int prom_parse_addr(const char *arg, char *host, size_t hlen, char *port, size_t plen);
/* Is path usable as a telemetry path ("/" and then [A-Za-z0-9._~/-])? */
bool prom_path_valid(const char *path);

#endif
