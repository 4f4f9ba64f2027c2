// SPDX-License-Identifier: GPL-2.0
/*
 * /metrics over HTTP with libmicrohttpd. ksmtop opens the listening socket
 * itself so that "address in use" or "bad address" comes back as a precise
 * errno; microhttpd then serves it from its own thread, handing out the
 * last exposition the main loop published.
 */
#include <errno.h>
#include <netdb.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include <microhttpd.h>

#include "prom.h"

struct prom_server {
	struct MHD_Daemon *d;
	int fd;
	pthread_mutex_t lock;
	struct prom_opts opts;
	char *text; /* the exposition of the last sample, under lock */
	size_t len;
};

static enum MHD_Result handle(void *cls, struct MHD_Connection *c, const char *url,
			      const char *method, const char *version, const char *upload,
			      size_t *upload_size, void **req)
{
	static const char index[] = "ksmtop: metrics at /metrics\n";
	struct prom_server *s = cls;
	struct MHD_Response *resp;
	enum MHD_Result r;
	unsigned int code = MHD_HTTP_OK;
	char *body = NULL;
	size_t len = 0;

	if (strcmp(method, "GET") && strcmp(method, "HEAD"))
		return MHD_NO;
	if (!strcmp(url, "/metrics")) {
		pthread_mutex_lock(&s->lock);
		if (s->text) {
			body = malloc(s->len);
			if (body) {
				memcpy(body, s->text, s->len);
				len = s->len;
			}
		}
		pthread_mutex_unlock(&s->lock);
		if (!body && s->text)
			return MHD_NO;
		resp = MHD_create_response_from_buffer(len, body, MHD_RESPMEM_MUST_FREE);
		MHD_add_response_header(resp, "Content-Type",
					"text/plain; version=0.0.4; "
					"charset=utf-8");
	} else {
		code = strcmp(url, "/") ? MHD_HTTP_NOT_FOUND : MHD_HTTP_OK;
		resp = MHD_create_response_from_buffer(code == MHD_HTTP_OK ? sizeof(index) - 1 : 10,
						       code == MHD_HTTP_OK ? (void *)index
									   : (void *)"not found\n",
						       MHD_RESPMEM_PERSISTENT);
		MHD_add_response_header(resp, "Content-Type", "text/plain");
	}
	if (!resp)
		return MHD_NO;
	r = MHD_queue_response(c, code, resp);
	MHD_destroy_response(resp);
	return r;
}

struct prom_server *prom_server_start(const char *addr, const struct prom_opts *o, char *err,
				      size_t len)
{
	struct addrinfo hints = { .ai_flags = AI_PASSIVE | AI_NUMERICSERV,
				  .ai_socktype = SOCK_STREAM };
	struct addrinfo *ai = NULL;
	struct prom_server *s;
	char host[256], port[16];
	int one = 1, r;

	if (prom_parse_addr(addr, host, sizeof(host), port, sizeof(port))) {
		snprintf(err, len,
			 "invalid address '%s' (want ADDR:PORT, e.g. 127.0.0.1:9100 "
			 "or :9100)",
			 addr);
		return NULL;
	}
	r = getaddrinfo(*host ? host : NULL, port, &hints, &ai);
	if (r) {
		snprintf(err, len, "invalid address '%s': %s", addr, gai_strerror(r));
		return NULL;
	}
	s = calloc(1, sizeof(*s));
	if (!s) {
		freeaddrinfo(ai);
		snprintf(err, len, "out of memory");
		return NULL;
	}
	s->opts = *o;
	pthread_mutex_init(&s->lock, NULL);
	s->fd = socket(ai->ai_family, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (s->fd < 0 || setsockopt(s->fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one)) ||
	    bind(s->fd, ai->ai_addr, ai->ai_addrlen) || listen(s->fd, 32)) {
		snprintf(err, len, "cannot listen on %s: %s", addr, strerror(errno));
		goto fail;
	}
	s->d = MHD_start_daemon(MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_POLL |
					(ai->ai_family == AF_INET6 ? MHD_USE_IPv6 : 0),
				0, NULL, NULL, handle, s, MHD_OPTION_LISTEN_SOCKET, s->fd,
				MHD_OPTION_CONNECTION_LIMIT, 16u, MHD_OPTION_CONNECTION_TIMEOUT,
				10u, MHD_OPTION_END);
	if (!s->d) {
		snprintf(err, len, "cannot start the HTTP server on %s", addr);
		goto fail;
	}
	freeaddrinfo(ai);
	return s;
fail:
	freeaddrinfo(ai);
	if (s->fd >= 0)
		close(s->fd);
	pthread_mutex_destroy(&s->lock);
	free(s);
	return NULL;
}

void prom_server_update(struct prom_server *s, const struct top_model *m)
{
	char *text = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&text, &len);

	/* out of memory: /metrics keeps serving the previous sample */
	if (!f)
		return;
	prom_write(f, m, &s->opts);
	if (fclose(f)) {
		free(text);
		return;
	}
	pthread_mutex_lock(&s->lock);
	free(s->text);
	s->text = text;
	s->len = len;
	pthread_mutex_unlock(&s->lock);
}

void prom_server_stop(struct prom_server *s)
{
	if (!s)
		return;
	MHD_stop_daemon(s->d);
	close(s->fd);
	pthread_mutex_destroy(&s->lock);
	free(s->text);
	free(s);
}
