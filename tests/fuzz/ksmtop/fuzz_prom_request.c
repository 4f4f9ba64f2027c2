// SPDX-License-Identifier: GPL-2.0
/*
 * The exporter's request handling without sockets (prom_site_handle, the
 * function libmicrohttpd calls): method, path, Accept header and Basic
 * credentials, one per line of the input (a missing line: not sent), on a
 * site with one user.  Oracles: an answer always, from the documented set
 * of codes, a body of its length, and the exposition only to the right
 * path, method and credentials.
 */
#include <stdbool.h>

#include "../fuzz.h"
#include "prom_serve.h"
#include "web_config.h"

/* "secret" at bcrypt cost 4: the check is real, and cheap enough to fuzz */
#define HASH "$2b$04$abcdefghijklmnopqrstuu2r9OfJnfCsdneAXAGHnS4UpFFP8WIrW"
#define BODY "ksm_run 1\n"

/* A site with one user ("prom", "secret"), or with none. */
static struct prom_site *site(bool users)
{
	static const char *const names[] = { "prom" }, *const hashes[] = { HASH };
	static struct prom_site *s[2];
	char *text[PROM_FMT_MAX];
	size_t len[PROM_FMT_MAX];

	if (s[users])
		return s[users];
	s[users] = prom_site_new("/metrics", 1.0, users ? web_auth_new(names, hashes, 1) : NULL);
	if (!s[users])
		abort();
	for (int i = 0; i < PROM_FMT_MAX; i++) {
		text[i] = strdup(BODY);
		len[i] = strlen(BODY);
	}
	prom_site_publish(s[users], text, len);
	return s[users];
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *text = malloc(size + 1), *field[5] = { 0 }, *save = NULL, *l;
	/* a first byte '!' asks for the site with a user: bcrypt is slow to fuzz */
	bool users = size && data[0] == '!';
	struct prom_response rs;
	struct prom_request rq;
	int n = 0;

	if (!text)
		return 0;
	memcpy(text, data + users, size - users);
	text[size - users] = '\0';
	for (l = strtok_r(text, "\n", &save); l && n < 5; l = strtok_r(NULL, "\n", &save))
		field[n++] = l;
	rq = (struct prom_request){ field[0] ? field[0] : "GET", field[1] ? field[1] : "/",
				    field[2], field[3], field[4] };
	prom_site_handle(site(users), &rq, &rs);
	if ((rs.code != 200 && rs.code != 401 && rs.code != 404 && rs.code != 405 &&
	     rs.code != 500 && rs.code != 503))
		abort();
	if (rs.len && (!rs.body || strnlen(rs.body, rs.len) < rs.len))
		abort();
	/* the exposition: only GET/HEAD of the path, with the user's password */
	if (rs.code == 200 && rs.handler == PROM_H_METRICS &&
	    (strcmp(rq.url, "/metrics") || (users && (!rq.user || strcmp(rq.user, "prom") ||
						      !rq.pass || strcmp(rq.pass, "secret")))))
		abort();
	prom_response_free(&rs);
	free(text);
	return 0;
}
