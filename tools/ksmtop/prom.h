/* SPDX-License-Identifier: GPL-2.0 */
/*
 * ksmtop's exporter: the Prometheus text exposition (format 0.0.4) of a
 * sample (prom.c), and a /metrics endpoint served by libmicrohttpd from its
 * own thread (prom_http.c).  It only reads the model.
 */
#ifndef KSM_PROM_H
#define KSM_PROM_H

#include <stddef.h>
#include <stdio.h>

#include "model.h"

struct prom_opts {
	int max_procs; /* per-process series for the top N by merging pages; 0 = none */
};

/* Write the exposition of m's current sample to out. */
void prom_write(FILE *out, const struct top_model *m, const struct prom_opts *o);
/* Escape a label value (backslash, double quote, newline) into buf. */
const char *prom_escape(const char *in, char *buf, size_t len);

struct prom_server;

/*
 * Listen on ADDR:PORT ("127.0.0.1:9100", ":9100", "[::1]:9100") and serve
 * /metrics. Returns NULL with a message in err (bad address, port in use).
 */
struct prom_server *prom_server_start(const char *addr, const struct prom_opts *o, char *err,
				      size_t len);
/* Render m's sample: what /metrics returns from now on (a scrape reads nothing). */
void prom_server_update(struct prom_server *s, const struct top_model *m);
void prom_server_stop(struct prom_server *s);
/* Split ADDR:PORT; 0 or -EINVAL. host gets "" for any address. */
int prom_parse_addr(const char *arg, char *host, size_t hlen, char *port, size_t plen);

#endif
