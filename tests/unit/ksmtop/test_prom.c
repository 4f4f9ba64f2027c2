// SPDX-License-Identifier: GPL-2.0
/*
 * Unit tests of ksmtop's exporter without sockets: label escaping of
 * hostile names, content negotiation, addresses, the request handler
 * (routes, methods, basic auth) and --web.config.file's checks. The series
 * of a sample: test_prom_series.c.
 */
#include <crypt.h>
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "../fake_dir.h"
#include "prom.h"
#include "prom_serve.h"
#include "web_config.h"

static void test_escape(void **state)
{
	char buf[128];

	assert_string_equal(prom_escape("a\"b\\c\nd", buf, sizeof(buf)), "a\\\"b\\\\c\\nd");
	/* valid UTF-8 as it is, each invalid byte as \xNN (escaped backslash) */
	assert_string_equal(prom_escape("caf\xc3\xa9", buf, sizeof(buf)), "caf\xc3\xa9");
	assert_string_equal(prom_escape("a\xff" "b", buf, sizeof(buf)), "a\\\\xffb");
	assert_string_equal(prom_escape("\xc3", buf, sizeof(buf)), "\\\\xc3");
	/* an overlong '/' and a surrogate are not UTF-8 either */
	assert_string_equal(prom_escape("\xc0\xaf", buf, sizeof(buf)), "\\\\xc0\\\\xaf");
	assert_string_equal(prom_escape("\xed\xa0\x80", buf, sizeof(buf)),
			    "\\\\xed\\\\xa0\\\\x80");
	/* what a terminal acts on: the text of its shown form (name_esc.h) */
	assert_string_equal(prom_escape("\x1b[2J\tx\x7f", buf, sizeof(buf)),
			    "\\\\x1b[2J\\\\tx\\\\x7f");
	assert_string_equal(prom_escape("\xe2\x80\xae" "e\xc2\x9b", buf, sizeof(buf)),
			    "\\\\u202ee\\\\u009b");
	/* cut to fit, still terminated */
	assert_string_equal(prom_escape("abcdef", buf, 4), "abc");
}

static void test_negotiate(void **state)
{
	/* what Prometheus 2.x sends */
	assert_int_equal(prom_negotiate("application/openmetrics-text;version=1.0.0,"
					"application/openmetrics-text;version=0.0.1;q=0.75,"
					"text/plain;version=0.0.4;q=0.5,*/*;q=0.1"),
			 PROM_FMT_OPENMETRICS);
	assert_int_equal(prom_negotiate(NULL), PROM_FMT_TEXT);
	assert_int_equal(prom_negotiate("*/*"), PROM_FMT_TEXT);
	assert_int_equal(prom_negotiate("text/plain"), PROM_FMT_TEXT);
	assert_int_equal(prom_negotiate("application/openmetrics-text"), PROM_FMT_OPENMETRICS);
	/* a version we do not write is another format */
	assert_int_equal(prom_negotiate("application/openmetrics-text; version=0.0.1"),
			 PROM_FMT_TEXT);
	assert_int_equal(prom_negotiate("text/plain;q=0.9, application/openmetrics-text;q=0.8"),
			 PROM_FMT_TEXT);
	assert_int_equal(prom_negotiate("application/openmetrics-text;q=0"), PROM_FMT_TEXT);
	assert_int_equal(prom_negotiate(",,;;=q,\t"), PROM_FMT_TEXT);
}

static void test_addr(void **state)
{
	char host[64], port[16];

	assert_int_equal(prom_parse_addr("127.0.0.1:9100", host, 64, port, 16), 0);
	assert_string_equal(host, "127.0.0.1");
	assert_string_equal(port, "9100");
	assert_int_equal(prom_parse_addr(":9100", host, 64, port, 16), 0);
	assert_string_equal(host, "");
	assert_int_equal(prom_parse_addr("[::1]:80", host, 64, port, 16), 0);
	assert_string_equal(host, "::1");
	/* no port: the default one */
	assert_int_equal(prom_parse_addr("localhost", host, 64, port, 16), 0);
	assert_string_equal(port, PROM_DEFAULT_PORT);
	assert_int_equal(prom_parse_addr("[::1]", host, 64, port, 16), 0);
	assert_string_equal(port, PROM_DEFAULT_PORT);
	assert_int_equal(prom_parse_addr("::1", host, 64, port, 16), -EINVAL);
	assert_int_equal(prom_parse_addr("a:0", host, 64, port, 16), -EINVAL);
	assert_int_equal(prom_parse_addr("a:", host, 64, port, 16), -EINVAL);
	assert_int_equal(prom_parse_addr("a:70000", host, 64, port, 16), -EINVAL);
	assert_int_equal(prom_parse_addr("a:9x", host, 64, port, 16), -EINVAL);
	assert_int_equal(prom_parse_addr("[::1]x", host, 64, port, 16), -EINVAL);
	assert_true(prom_path_valid("/metrics"));
	assert_false(prom_path_valid("metrics"));
	assert_false(prom_path_valid("/a\"><script>"));
}

static void publish(struct prom_site *site)
{
	char *text[PROM_FMT_MAX] = { strdup("ksm_run 1\n"), strdup("ksm_run 1\n") };
	size_t len[PROM_FMT_MAX] = { 10, 10 };

	prom_site_publish(site, text, len);
}

static unsigned int get(struct prom_site *site, const char *method, const char *url,
			const char *accept, const char *user, const char *pass,
			struct prom_response *rs)
{
	struct prom_request rq = { method, url, accept, user, pass };

	assert_int_equal(prom_site_handle(site, &rq, rs), 0);
	return rs->code;
}

static void test_site(void **state)
{
	struct prom_site *site = prom_site_new("/m", 1, NULL);
	struct prom_response rs;

	assert_non_null(site);
	assert_int_equal(get(site, "GET", "/m", NULL, NULL, NULL, &rs), 503);
	prom_response_free(&rs);
	assert_int_equal(get(site, "GET", "/healthz", NULL, NULL, NULL, &rs), 503);
	prom_response_free(&rs);
	publish(site);
	assert_int_equal(get(site, "GET", "/m", NULL, NULL, NULL, &rs), 200);
	assert_string_equal(rs.content_type, "text/plain; version=0.0.4; charset=utf-8");
	assert_memory_equal(rs.body, "ksm_run 1\n", 10);
	assert_non_null(strstr(rs.body, "ksm_exporter_scrape_duration_seconds_count "));
	assert_null(strstr(rs.body, "# EOF"));
	prom_response_free(&rs);
	assert_int_equal(get(site, "GET", "/m", "application/openmetrics-text", NULL, NULL, &rs),
			 200);
	assert_string_equal(rs.content_type,
			    "application/openmetrics-text; version=1.0.0; charset=utf-8");
	assert_memory_equal(rs.body + rs.len - 6, "# EOF\n", 6);
	assert_non_null(strstr(rs.body, "ksm_exporter_http_requests_total{handler=\"metrics\","
					"code=\"200\"} 1\n"));
	prom_response_free(&rs);
	assert_int_equal(get(site, "GET", "/healthz", NULL, NULL, NULL, &rs), 200);
	prom_response_free(&rs);
	assert_int_equal(get(site, "GET", "/", NULL, NULL, NULL, &rs), 200);
	assert_non_null(strstr(rs.body, "<a href=\"/m\">"));
	prom_response_free(&rs);
	assert_int_equal(get(site, "GET", "/metrics", NULL, NULL, NULL, &rs), 404);
	prom_response_free(&rs);
	assert_int_equal(get(site, "POST", "/m", NULL, NULL, NULL, &rs), 405);
	assert_string_equal(rs.allow, "GET, HEAD");
	prom_response_free(&rs);
	assert_int_equal(get(site, "HEAD", "/m", NULL, NULL, NULL, &rs), 200);
	prom_response_free(&rs);
	prom_site_free(site);
}

/* A bcrypt hash at the lowest cost, made by libcrypt. */
static char *hash_of(const char *pass)
{
	char salt[64];
	struct crypt_data cd = {};

	assert_non_null(crypt_gensalt_rn("$2b$", 4, NULL, 0, salt, sizeof(salt)));
	assert_non_null(crypt_rn(pass, salt, &cd, sizeof(cd)));
	return strdup(cd.output);
}

static void test_auth(void **state)
{
	char *h = hash_of("s3cret");
	const char *names[] = { "prom" }, *hashes[] = { h };
	struct web_auth *a = web_auth_new(names, hashes, 1);
	struct prom_site *site = prom_site_new("/metrics", 1, a);
	struct prom_response rs;

	assert_non_null(site);
	publish(site);
	assert_int_equal(get(site, "GET", "/metrics", NULL, NULL, NULL, &rs), 401);
	assert_string_equal(rs.challenge, "ksmtop");
	prom_response_free(&rs);
	assert_int_equal(get(site, "GET", "/metrics", NULL, "prom", "wrong", &rs), 401);
	prom_response_free(&rs);
	assert_int_equal(get(site, "GET", "/metrics", NULL, "other", "s3cret", &rs), 401);
	prom_response_free(&rs);
	assert_int_equal(get(site, "GET", "/", NULL, "prom", "", &rs), 401);
	prom_response_free(&rs);
	for (int i = 0; i < 2; i++) { /* the second time from the cache */
		assert_int_equal(get(site, "GET", "/metrics", NULL, "prom", "s3cret", &rs), 200);
		prom_response_free(&rs);
	}
	assert_int_equal(get(site, "GET", "/metrics", NULL, "prom", "s3cret ", &rs), 401);
	prom_response_free(&rs);
	/* kubelet probes carry no password */
	assert_int_equal(get(site, "GET", "/healthz", NULL, NULL, NULL, &rs), 200);
	prom_response_free(&rs);
	prom_site_free(site);
	hashes[0] = "$2b$04$short";
	assert_null(web_auth_new(names, hashes, 1));
	free(h);
}

/* The path of a file written in the scratch directory. */
static const char *file(const char *name, const char *text)
{
	static char path[128];

	fake_put(name, text);
	snprintf(path, sizeof(path), "%s/%s", fake_dir, name);
	return path;
}

/* web_config_load(text) fails with a message containing want. */
static void bad(const char *text, const char *want)
{
	struct web_config c;
	char err[512];

	assert_int_equal(web_config_load(file("web.yml", text), &c, err, sizeof(err)), -1);
	if (!strstr(err, want))
		fail_msg("error '%s' does not say '%s'", err, want);
	assert_non_null(strstr(err, "web.yml"));
}

static void test_web_config(void **state)
{
	char *h = hash_of("x"), yml[256], err[512];
	struct web_config c;

	snprintf(yml, sizeof(yml), "basic_auth_users:\n  prom: %s\n", h);
	assert_int_equal(web_config_load(file("web.yml", yml), &c, err, sizeof(err)), 0);
	assert_non_null(c.auth);
	assert_null(c.cert_pem);
	assert_true(web_auth_check(c.auth, "prom", "x"));
	web_config_free(&c);
	assert_int_equal(web_config_load(file("web.yml", ""), &c, err, sizeof(err)), 0);
	web_config_free(&c);
	bad("basic_auth_users:\n  prom: plain\n", "web.yml:2: basic_auth_users.prom: not a bcrypt");
	bad("tls_server_config:\n  cert_file: a.crt\n", "needs both cert_file and key_file");
	bad("tls_server_config:\n  cert_file: a.crt\n  key_file: a.key\n", "cannot read");
	bad("tls_server_config:\n  client_ca_file: ca.crt\n", "not supported by ksmtop");
	bad("tls_server_config:\n  cert_file: a\n  key_file: b\n  min_version: SSL3\n",
	    "min_version must be");
	bad("tls_config:\n  cert_file: a\n", "web.yml:2: unknown key 'tls_config'");
	bad("http_server_config:\n  http2: false\n", "not supported by ksmtop");
	bad("basic_auth_users: [a, b]\n", "must be a mapping");
	bad("a: [b\n", "web.yml:2:");
	bad("- just\n- a list\n", "the top level must be a mapping");
	file("a.crt", "-----BEGIN CERTIFICATE-----\nnot base64\n-----END CERTIFICATE-----\n");
	file("a.key", "-----BEGIN PRIVATE KEY-----\nnot base64\n-----END PRIVATE KEY-----\n");
	bad("tls_server_config:\n  cert_file: a.crt\n  key_file: a.key\n", "cert_file");
	bad("tls_server_config:\n  cert_file: a.crt\n  key_file: a.crt\n",
	    "/a.crt holds no PEM private key");
	assert_int_equal(web_config_load("/nonexistent/web.yml", &c, err, sizeof(err)), -1);
	assert_string_equal(err, "/nonexistent/web.yml: No such file or directory");
	free(h);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_escape),
		cmocka_unit_test(test_negotiate), cmocka_unit_test(test_addr),
		cmocka_unit_test(test_site),	 cmocka_unit_test(test_auth),
		cmocka_unit_test_setup_teardown(test_web_config, fake_sysfs_setup, fake_dir_teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
