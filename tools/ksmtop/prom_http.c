// SPDX-License-Identifier: GPL-2.0
/*
 * The exporter's sockets, with libmicrohttpd. ksmtop opens the listening
 * socket itself so that "address in use" or "bad address" comes back as a
 * precise errno; microhttpd serves it from a small pool of threads, each
 * with its own epoll set, so that idle or slow clients cost a file
 * descriptor each and never a thread. What holds up under misbehaving
 * clients (see docs/ksmtop.md, "Serving"):
 *   - up to PROM_MAX_CONNS connections, PROM_PER_IP from one address;
 *   - a connection idle for PROM_IDLE_S seconds is closed, whatever state
 *     its request is in (headers never finished included);
 *   - request headers beyond PROM_CONN_MEM bytes are refused.
 * The request itself is answered by prom_site_handle() (prom_serve.c).
 */
#include <errno.h>
#include <netdb.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include <microhttpd.h>

#include "prom.h"
#include "prom_serve.h"
#include "web_config.h"

#define PROM_MAX_CONNS 1000u
#define PROM_PER_IP 64u
#define PROM_IDLE_S 5u
#define PROM_CONN_MEM (32u * 1024)
#define PROM_THREADS 4u

struct prom_server {
	struct MHD_Daemon *d;
	int fd;
	struct prom_opts opts;
	struct prom_site *site;
	struct web_config web;
	struct prom_state st;
};

/* Per request: when it started, and which handler answered it. */
struct req_ctx {
	struct timespec start;
	enum prom_handler handler;
};

static enum MHD_Result queue(struct MHD_Connection *c, struct prom_response *rs)
{
	struct MHD_Response *resp;
	enum MHD_Result r;

	resp = MHD_create_response_from_buffer(rs->len, rs->body,
					       rs->body_static ? MHD_RESPMEM_PERSISTENT
							       : MHD_RESPMEM_MUST_FREE);
	if (!resp)
		return MHD_NO;
	rs->body = NULL; /* microhttpd owns it now */
	MHD_add_response_header(resp, MHD_HTTP_HEADER_CONTENT_TYPE, rs->content_type);
	if (rs->allow)
		MHD_add_response_header(resp, MHD_HTTP_HEADER_ALLOW, rs->allow);
	if (rs->challenge)
		r = MHD_queue_basic_auth_fail_response(c, rs->challenge, resp);
	else
		r = MHD_queue_response(c, rs->code, resp);
	MHD_destroy_response(resp);
	return r;
}

static enum MHD_Result handle(void *cls, struct MHD_Connection *c, const char *url,
			      const char *method, const char *version, const char *upload,
			      size_t *upload_size, void **req)
{
	struct prom_server *s = cls;
	struct prom_request rq = { .method = method, .url = url };
	struct prom_response rs;
	struct req_ctx *ctx = *req;
	char *pass = NULL;
	enum MHD_Result r;

	if (!ctx) { /* the headers are in: the clock starts */
		ctx = calloc(1, sizeof(*ctx));
		if (!ctx)
			return MHD_NO;
		clock_gettime(CLOCK_MONOTONIC, &ctx->start);
		*req = ctx;
		return MHD_YES;
	}
	if (*upload_size) { /* a GET has no body: read and drop what comes */
		*upload_size = 0;
		return MHD_YES;
	}
	rq.accept = MHD_lookup_connection_value(c, MHD_HEADER_KIND, MHD_HTTP_HEADER_ACCEPT);
	rq.user = MHD_basic_auth_get_username_password(c, &pass);
	rq.pass = pass;
	prom_site_handle(s->site, &rq, &rs);
	ctx->handler = rs.handler;
	MHD_free((char *)rq.user);
	if (pass) {
		explicit_bzero(pass, strlen(pass));
		MHD_free(pass);
	}
	r = queue(c, &rs);
	prom_response_free(&rs);
	return r;
}

static void completed(void *cls, struct MHD_Connection *c, void **req,
		      enum MHD_RequestTerminationCode why)
{
	struct prom_server *s = cls;
	struct req_ctx *ctx = *req;
	struct timespec now;

	if (!ctx)
		return;
	clock_gettime(CLOCK_MONOTONIC, &now);
	if (why == MHD_REQUEST_TERMINATED_COMPLETED_OK)
		prom_site_observe(s->site, ctx->handler,
				  (now.tv_sec - ctx->start.tv_sec) +
					  (now.tv_nsec - ctx->start.tv_nsec) / 1e9);
	free(ctx);
	*req = NULL;
}

static void connection(void *cls, struct MHD_Connection *c, void **socket_ctx,
		       enum MHD_ConnectionNotificationCode what)
{
	struct prom_server *s = cls;

	prom_site_connections(s->site, what == MHD_CONNECTION_NOTIFY_STARTED ? 1 : -1);
}

/* A connection per descriptor: as many as the soft limit allows, once raised to the hard one. */
static unsigned int conn_limit(void)
{
	struct rlimit rl;

	if (getrlimit(RLIMIT_NOFILE, &rl))
		return 200;
	if (rl.rlim_cur < rl.rlim_max) {
		rl.rlim_cur = rl.rlim_max;
		setrlimit(RLIMIT_NOFILE, &rl);
		getrlimit(RLIMIT_NOFILE, &rl);
	}
	/* leave room for /proc reads, BPF objects, the terminal */
	if (rl.rlim_cur < 264)
		return 200;
	return rl.rlim_cur - 64 < PROM_MAX_CONNS ? (unsigned int)(rl.rlim_cur - 64)
						   : PROM_MAX_CONNS;
}

static int start_daemon(struct prom_server *s, int family, char *err, size_t len)
{
	unsigned int flags = MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_EPOLL;
	struct MHD_OptionItem tls[] = {
		{ MHD_OPTION_HTTPS_MEM_CERT, 0, s->web.cert_pem },
		{ MHD_OPTION_HTTPS_MEM_KEY, 0, s->web.key_pem },
		{ MHD_OPTION_HTTPS_PRIORITIES, 0, (void *)s->web.priorities },
		{ MHD_OPTION_END, 0, NULL },
	};

	if (family == AF_INET6)
		flags |= MHD_USE_IPv6;
	if (s->web.cert_pem) {
		if (MHD_is_feature_supported(MHD_FEATURE_TLS) != MHD_YES) {
			snprintf(err, len, "this libmicrohttpd has no TLS");
			return -1;
		}
		flags |= MHD_USE_TLS;
	}
	s->d = MHD_start_daemon(
		flags, 0, NULL, NULL, handle, s, MHD_OPTION_LISTEN_SOCKET, s->fd,
		MHD_OPTION_THREAD_POOL_SIZE, PROM_THREADS, MHD_OPTION_CONNECTION_LIMIT,
		conn_limit(), MHD_OPTION_PER_IP_CONNECTION_LIMIT, PROM_PER_IP,
		MHD_OPTION_CONNECTION_TIMEOUT, PROM_IDLE_S, MHD_OPTION_CONNECTION_MEMORY_LIMIT,
		(size_t)PROM_CONN_MEM, MHD_OPTION_NOTIFY_COMPLETED, completed, s,
		MHD_OPTION_NOTIFY_CONNECTION, connection, s, MHD_OPTION_ARRAY,
		s->web.cert_pem ? tls : &tls[3], MHD_OPTION_END);
	if (!s->d) {
		snprintf(err, len, "cannot start the HTTP server%s",
			 s->web.cert_pem ? " with TLS (cert_file and key_file checked)" : "");
		return -1;
	}
	return 0;
}

static int open_socket(struct prom_server *s, const char *addr, int *family, char *err, size_t len)
{
	struct addrinfo hints = { .ai_flags = AI_PASSIVE | AI_NUMERICSERV,
				  .ai_socktype = SOCK_STREAM };
	struct addrinfo *ai = NULL;
	char host[256], port[16];
	int one = 1, r;

	if (prom_parse_addr(addr, host, sizeof(host), port, sizeof(port))) {
		snprintf(err, len,
			 "invalid address '%s' (want [ADDR][:PORT], e.g. 127.0.0.1:%s, :%s, "
			 "[::1]:%s)",
			 addr, PROM_DEFAULT_PORT, PROM_DEFAULT_PORT, PROM_DEFAULT_PORT);
		return -1;
	}
	r = getaddrinfo(*host ? host : NULL, port, &hints, &ai);
	if (r) {
		snprintf(err, len, "invalid address '%s': %s", addr, gai_strerror(r));
		return -1;
	}
	*family = ai->ai_family;
	s->fd = socket(ai->ai_family, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (s->fd < 0 || setsockopt(s->fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one)) ||
	    bind(s->fd, ai->ai_addr, ai->ai_addrlen) || listen(s->fd, 1024)) {
		snprintf(err, len, "cannot listen on %s: %s", addr, strerror(errno));
		freeaddrinfo(ai);
		return -1;
	}
	freeaddrinfo(ai);
	return 0;
}

struct prom_server *prom_server_start(const char *addr, const struct prom_opts *o, char *err,
				      size_t len)
{
	struct prom_server *s = calloc(1, sizeof(*s));
	int family = AF_INET;

	if (!s) {
		snprintf(err, len, "out of memory");
		return NULL;
	}
	s->fd = -1;
	s->opts = *o;
	prom_state_init(&s->st);
	if (o->web_config && web_config_load(o->web_config, &s->web, err, len))
		goto fail;
	s->site = prom_site_new(o->telemetry_path, o->interval_s, s->web.auth);
	if (!s->site) {
		snprintf(err, len, "out of memory");
		goto fail;
	}
	s->web.auth = NULL; /* the site owns it */
	if (open_socket(s, addr, &family, err, len) || start_daemon(s, family, err, len))
		goto fail;
	/* statistics are a nicety: without CAP_SYS_ADMIN they stay off, and the metric says so */
	if (o->bpf_stats)
		prom_bpf_stats_enable(&s->st);
	return s;
fail:
	prom_server_stop(s);
	return NULL;
}

static char *render(const struct prom_server *s, const struct top_model *m, enum prom_fmt fmt,
		    size_t *len)
{
	struct prom_out o = { .fmt = fmt };
	char *text = NULL;

	o.f = open_memstream(&text, len);
	if (!o.f)
		return NULL;
	prom_write(&o, m, &s->opts, &s->st);
	if (fclose(o.f)) {
		free(text);
		return NULL;
	}
	return text;
}

void prom_server_update(struct prom_server *s, const struct top_model *m)
{
	char *text[PROM_FMT_MAX];
	size_t len[PROM_FMT_MAX];

	prom_state_update(&s->st, m, s->opts.max_procs);
	prom_bpf_stats_read(&s->st);
	for (int f = 0; f < PROM_FMT_MAX; f++) {
		text[f] = render(s, m, f, &len[f]);
		/* out of memory: scrapes keep getting the previous sample */
		if (!text[f]) {
			while (f--)
				free(text[f]);
			return;
		}
	}
	prom_site_publish(s->site, text, len);
}

void prom_server_stop(struct prom_server *s)
{
	if (!s)
		return;
	if (s->d)
		MHD_stop_daemon(s->d);
	if (s->fd >= 0)
		close(s->fd);
	prom_site_free(s->site);
	web_config_free(&s->web);
	prom_state_free(&s->st);
	free(s);
}
