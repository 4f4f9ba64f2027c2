// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <libgen.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <gnutls/gnutls.h>
#include <yaml.h>

#include "web_config.h"

#define MAX_PEM (1 << 20)
#define MAX_USERS 256

/* Where a problem is: the file and the node's line. */
struct where {
	const char *file;
	char *err;
	size_t len;
	yaml_document_t *doc;
};

static int fail(const struct where *w, const yaml_node_t *n, const char *fmt, ...)
{
	char msg[256];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	if (n)
		snprintf(w->err, w->len, "%s:%zu: %s", w->file, n->start_mark.line + 1, msg);
	else
		snprintf(w->err, w->len, "%s: %s", w->file, msg);
	return -1;
}

static const char *scalar(const yaml_node_t *n)
{
	return n && n->type == YAML_SCALAR_NODE ? (const char *)n->data.scalar.value : NULL;
}

/* Keys of exporter-toolkit's format that ksmtop does not implement. */
static bool toolkit_key(const char *k)
{
	static const char *const keys[] = { "client_auth_type", "client_ca_file", "cipher_suites",
					    "curve_preferences", "max_version",
					    "prefer_server_cipher_suites", "client_allowed_sans",
					    "cert", "key", "client_ca" };

	for (size_t i = 0; i < sizeof(keys) / sizeof(keys[0]); i++)
		if (!strcmp(k, keys[i]))
			return true;
	return false;
}

/* A path from the file, relative to the config file's folder as exporter-toolkit does. */
static char *resolve(const char *config, const char *path)
{
	char *dir, *copy, *out = NULL;

	if (path[0] == '/')
		return strdup(path);
	copy = strdup(config);
	if (!copy)
		return NULL;
	dir = dirname(copy);
	if (asprintf(&out, "%s/%s", dir, path) < 0)
		out = NULL;
	free(copy);
	return out;
}

static int read_pem(const struct where *w, const yaml_node_t *n, const char *path, char **out)
{
	FILE *f = fopen(path, "re");
	size_t got;

	if (!f)
		return fail(w, n, "cannot read %s: %s", path, strerror(errno));
	*out = malloc(MAX_PEM + 1);
	if (!*out) {
		fclose(f);
		return fail(w, n, "out of memory");
	}
	got = fread(*out, 1, MAX_PEM + 1, f);
	fclose(f);
	if (got == 0 || got > MAX_PEM)
		return fail(w, n, "%s is %s", path, got ? "over 1 MiB" : "empty");
	(*out)[got] = '\0';
	return 0;
}

static int tls_version(const struct where *w, const yaml_node_t *v, struct web_config *c)
{
	static const struct {
		const char *name, *prio;
	} vers[] = {
		{ "TLS10", "NORMAL:-VERS-ALL:+VERS-TLS1.3:+VERS-TLS1.2:+VERS-TLS1.1:+VERS-TLS1.0" },
		{ "TLS11", "NORMAL:-VERS-ALL:+VERS-TLS1.3:+VERS-TLS1.2:+VERS-TLS1.1" },
		{ "TLS12", "NORMAL:-VERS-ALL:+VERS-TLS1.3:+VERS-TLS1.2" },
		{ "TLS13", "NORMAL:-VERS-ALL:+VERS-TLS1.3" },
	};
	const char *s = scalar(v);

	for (size_t i = 0; s && i < sizeof(vers) / sizeof(vers[0]); i++)
		if (!strcmp(s, vers[i].name)) {
			c->priorities = vers[i].prio;
			return 0;
		}
	return fail(w, v, "min_version must be TLS10, TLS11, TLS12 or TLS13");
}

static int tls_file(const struct where *w, const yaml_node_t *v, const char *key, char **path)
{
	const char *s = scalar(v);

	if (!s || !*s)
		return fail(w, v, "%s must be a file name", key);
	if (*path)
		return fail(w, v, "%s given twice", key);
	*path = resolve(w->file, s);
	return *path ? 0 : fail(w, v, "out of memory");
}

static int tls_section(const struct where *w, const yaml_node_t *m, struct web_config *c)
{
	yaml_node_pair_t *p;

	if (m->type != YAML_MAPPING_NODE)
		return fail(w, m, "tls_server_config must be a mapping");
	for (p = m->data.mapping.pairs.start; p < m->data.mapping.pairs.top; p++) {
		const char *k = scalar(yaml_document_get_node(w->doc, p->key));
		yaml_node_t *v = yaml_document_get_node(w->doc, p->value);
		int r;

		if (!k)
			return fail(w, v, "tls_server_config: keys must be names");
		if (!strcmp(k, "cert_file"))
			r = tls_file(w, v, k, &c->cert_file);
		else if (!strcmp(k, "key_file"))
			r = tls_file(w, v, k, &c->key_file);
		else if (!strcmp(k, "min_version"))
			r = tls_version(w, v, c);
		else if (toolkit_key(k))
			r = fail(w, v, "tls_server_config.%s is not supported by ksmtop", k);
		else
			r = fail(w, v, "unknown key tls_server_config.%s", k);
		if (r)
			return r;
	}
	if (!c->cert_file || !c->key_file)
		return fail(w, m, "tls_server_config needs both cert_file and key_file");
	return 0;
}

static int users_section(const struct where *w, const yaml_node_t *m, struct web_config *c)
{
	const char *names[MAX_USERS], *hashes[MAX_USERS];
	int n = 0;

	if (m->type != YAML_MAPPING_NODE)
		return fail(w, m, "basic_auth_users must be a mapping of user: bcrypt hash");
	for (yaml_node_pair_t *p = m->data.mapping.pairs.start; p < m->data.mapping.pairs.top;
	     p++) {
		yaml_node_t *kn = yaml_document_get_node(w->doc, p->key);
		const char *k = scalar(kn), *v = scalar(yaml_document_get_node(w->doc, p->value));

		if (!k || !*k || strchr(k, ':'))
			return fail(w, kn, "basic_auth_users: a user name must be a word without ':'");
		if (!v || strlen(v) != 60 || strncmp(v, "$2", 2) || !strchr("aby", v[2]) ||
		    v[3] != '$')
			return fail(w, kn, "basic_auth_users.%s: not a bcrypt hash ($2a$, $2b$ or "
					   "$2y$, 60 characters)", k);
		for (int i = 0; i < n; i++)
			if (!strcmp(names[i], k))
				return fail(w, kn, "basic_auth_users.%s given twice", k);
		if (n == MAX_USERS)
			return fail(w, kn, "basic_auth_users: more than %d users", MAX_USERS);
		names[n] = k;
		hashes[n++] = v;
	}
	c->auth = n ? web_auth_new(names, hashes, n) : NULL;
	return n && !c->auth ? fail(w, m, "out of memory") : 0;
}

static int top_level(const struct where *w, const yaml_node_t *root, struct web_config *c)
{
	bool tls = false, users = false;

	if (!root) /* an empty file: no TLS, no users */
		return 0;
	if (root->type != YAML_MAPPING_NODE)
		return fail(w, root, "the top level must be a mapping");
	for (yaml_node_pair_t *p = root->data.mapping.pairs.start; p < root->data.mapping.pairs.top;
	     p++) {
		const char *k = scalar(yaml_document_get_node(w->doc, p->key));
		yaml_node_t *v = yaml_document_get_node(w->doc, p->value);
		int r;

		bool *seen = !k ? NULL : !strcmp(k, "tls_server_config") ? &tls
				   : !strcmp(k, "basic_auth_users") ? &users : NULL;

		if (seen && *seen)
			r = fail(w, v, "%s given twice", k);
		else if (seen == &tls)
			r = tls_section(w, v, c);
		else if (seen == &users)
			r = users_section(w, v, c);
		else if (k && !strcmp(k, "http_server_config"))
			r = fail(w, v, "http_server_config is not supported by ksmtop");
		else
			r = fail(w, v, "unknown key '%s'", k ? k : "?");
		if (r)
			return r;
		if (seen)
			*seen = true;
	}
	return 0;
}

/* The certificate and the key are PEM, and belong together: GnuTLS says so now, not later. */
static int check_tls(const struct where *w, struct web_config *c)
{
	gnutls_certificate_credentials_t cred;
	gnutls_datum_t cert, key;
	int r;

	if (read_pem(w, NULL, c->cert_file, &c->cert_pem) ||
	    read_pem(w, NULL, c->key_file, &c->key_pem))
		return -1;
	/* the usual mix-ups, said plainly before GnuTLS says something general */
	if (!strstr(c->cert_pem, "-----BEGIN CERTIFICATE-----"))
		return fail(w, NULL, "cert_file %s holds no PEM certificate", c->cert_file);
	if (!strstr(c->key_pem, "PRIVATE KEY-----"))
		return fail(w, NULL, "key_file %s holds no PEM private key", c->key_file);
	if (gnutls_certificate_allocate_credentials(&cred))
		return fail(w, NULL, "out of memory");
	cert = (gnutls_datum_t){ (unsigned char *)c->cert_pem, strlen(c->cert_pem) };
	key = (gnutls_datum_t){ (unsigned char *)c->key_pem, strlen(c->key_pem) };
	r = gnutls_certificate_set_x509_key_mem(cred, &cert, &key, GNUTLS_X509_FMT_PEM);
	gnutls_certificate_free_credentials(cred);
	if (r < 0)
		return fail(w, NULL, "cert_file %s and key_file %s: %s", c->cert_file, c->key_file,
			    gnutls_strerror(r));
	return 0;
}

int web_config_load(const char *file, struct web_config *c, char *err, size_t len)
{
	yaml_parser_t parser;
	yaml_document_t doc;
	struct where w = { file, err, len, &doc };
	FILE *f = fopen(file, "re");
	int r;

	memset(c, 0, sizeof(*c));
	c->priorities = "NORMAL:-VERS-ALL:+VERS-TLS1.3:+VERS-TLS1.2";
	if (!f)
		return fail(&w, NULL, "%s", strerror(errno));
	yaml_parser_initialize(&parser);
	yaml_parser_set_input_file(&parser, f);
	if (!yaml_parser_load(&parser, &doc)) {
		snprintf(err, len, "%s:%zu: %s", file, parser.problem_mark.line + 1,
			 parser.problem ? parser.problem : "not YAML");
		yaml_parser_delete(&parser);
		fclose(f);
		return -1;
	}
	r = top_level(&w, yaml_document_get_root_node(&doc), c);
	yaml_document_delete(&doc);
	yaml_parser_delete(&parser);
	fclose(f);
	if (!r && c->cert_file)
		r = check_tls(&w, c);
	if (r)
		web_config_free(c);
	return r;
}

void web_config_free(struct web_config *c)
{
	if (c->key_pem)
		explicit_bzero(c->key_pem, strlen(c->key_pem));
	free(c->cert_pem);
	free(c->key_pem);
	free(c->cert_file);
	free(c->key_file);
	web_auth_free(c->auth);
	memset(c, 0, sizeof(*c));
}
