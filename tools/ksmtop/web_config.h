/* SPDX-License-Identifier: GPL-2.0 */
/*
 * --web.config.file: TLS and basic authentication for the exporter, in the
 * YAML format of Prometheus' exporter-toolkit, so that one file serves
 * ksmtop and the Go exporters next to it:
 *
 *	tls_server_config:
 *	  cert_file: server.crt       # PEM; relative paths are relative
 *	  key_file: server.key        # to the config file's folder
 *	  min_version: TLS12          # TLS12 (default) or TLS13
 *	basic_auth_users:
 *	  prometheus: $2y$10$...      # bcrypt hashes (htpasswd -nBC 10)
 *
 * The YAML is parsed by libyaml, the passwords checked by libcrypt's
 * bcrypt, the certificate and key checked by GnuTLS before the server
 * starts. A key this file does not know, or one of exporter-toolkit's that
 * ksmtop does not implement (client certificates, cipher suites, HTTP
 * headers), is an error: a setting never silently does nothing.
 */
#ifndef KSM_WEB_CONFIG_H
#define KSM_WEB_CONFIG_H

#include <stdbool.h>
#include <stddef.h>

struct web_auth;

struct web_config {
	char *cert_pem, *key_pem; /* file contents; NULL without TLS */
	char *cert_file, *key_file; /* resolved paths, for messages */
	const char *priorities;	    /* GnuTLS priority string for min_version */
	struct web_auth *auth;	    /* NULL without users */
};

/*
 * Read and check FILE. Returns 0, or -1 with "FILE: what is wrong" (or
 * "FILE:LINE: ...") in err.
 */
int web_config_load(const char *file, struct web_config *c, char *err, size_t len);
void web_config_free(struct web_config *c);

/*
 * Is (user, pass) one of the users? Both may be NULL (no credentials: no).
 * The password is checked against its bcrypt hash in constant time; an
 * unknown user costs a bcrypt all the same; a pair that passed recently is
 * remembered by its SHA-256, so that a scrape every few seconds does not
 * pay a bcrypt each time. Safe from several threads.
 */
bool web_auth_check(struct web_auth *a, const char *user, const char *pass);
void web_auth_free(struct web_auth *a);
/* Users from NAME:HASH pairs (for tests); NULL when out of memory or a hash is no bcrypt. */
struct web_auth *web_auth_new(const char *const *names, const char *const *hashes, int n);

#endif
