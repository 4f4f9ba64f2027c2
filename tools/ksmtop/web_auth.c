// SPDX-License-Identifier: GPL-2.0
/*
 * Basic authentication against bcrypt hashes (libcrypt's crypt_rn, which
 * knows $2a$, $2b$ and $2y$), with comparisons that take the same time
 * whatever the bytes, and a small cache of recent successes keyed by a
 * SHA-256 (GnuTLS) of the pair, never by the password itself.
 */
#include <crypt.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include <gnutls/crypto.h>
#include <gnutls/gnutls.h>

#include "web_config.h"

#define CACHE_SLOTS 8
#define DIGEST_LEN 32

struct web_user {
	char *name, *hash;
};

struct web_auth {
	struct web_user *user;
	int n;
	pthread_mutex_t lock;
	unsigned char cache[CACHE_SLOTS][DIGEST_LEN];
	bool cached[CACHE_SLOTS];
	unsigned int next;
};

/*
 * Run for an unknown user, so that it costs what a known one does: a bcrypt
 * hash at cost 10 (of a random password nobody knows).
 */
static const char dummy_hash[] = "$2b$10$wmlTA5Iv8IijMiFQzBt7DenYwjUnaIFFO7jlv.7w3PvW436qOZA2a";

/* Equal bytes, in a time that depends on the lengths only. */
static bool same(const char *a, size_t alen, const char *b, size_t blen)
{
	unsigned char d = alen != blen;

	for (size_t i = 0; i < alen; i++)
		d |= (unsigned char)a[i] ^ (unsigned char)b[i % (blen ? blen : 1)];
	return !d && blen;
}

static bool is_bcrypt(const char *h)
{
	return strlen(h) == 60 && h[0] == '$' && h[1] == '2' && strchr("aby", h[2]) &&
	       h[3] == '$';
}

struct web_auth *web_auth_new(const char *const *names, const char *const *hashes, int n)
{
	struct web_auth *a = calloc(1, sizeof(*a));

	if (!a)
		return NULL;
	pthread_mutex_init(&a->lock, NULL);
	a->user = calloc(n ? n : 1, sizeof(*a->user));
	if (!a->user)
		goto fail;
	for (; a->n < n; a->n++) {
		if (!is_bcrypt(hashes[a->n]))
			goto fail;
		a->user[a->n].name = strdup(names[a->n]);
		a->user[a->n].hash = strdup(hashes[a->n]);
		if (!a->user[a->n].name || !a->user[a->n].hash) {
			a->n++;
			goto fail;
		}
	}
	return a;
fail:
	web_auth_free(a);
	return NULL;
}

void web_auth_free(struct web_auth *a)
{
	if (!a)
		return;
	for (int i = 0; i < a->n; i++) {
		free(a->user[i].name);
		if (a->user[i].hash)
			explicit_bzero(a->user[i].hash, strlen(a->user[i].hash));
		free(a->user[i].hash);
	}
	free(a->user);
	pthread_mutex_destroy(&a->lock);
	explicit_bzero(a->cache, sizeof(a->cache));
	free(a);
}

/* SHA-256 of user NUL pass: the cache key. */
static int digest(const char *user, const char *pass, unsigned char out[DIGEST_LEN])
{
	size_t ul = strlen(user), pl = strlen(pass);
	char *buf = malloc(ul + pl + 1);
	int r;

	if (!buf)
		return -1;
	memcpy(buf, user, ul + 1);
	memcpy(buf + ul + 1, pass, pl);
	r = gnutls_hash_fast(GNUTLS_DIG_SHA256, buf, ul + pl + 1, out);
	explicit_bzero(buf, ul + pl + 1);
	free(buf);
	return r;
}

static bool cache_has(struct web_auth *a, const unsigned char key[DIGEST_LEN])
{
	bool hit = false;

	pthread_mutex_lock(&a->lock);
	for (int i = 0; i < CACHE_SLOTS; i++)
		hit |= a->cached[i] &&
		       same((const char *)a->cache[i], DIGEST_LEN, (const char *)key, DIGEST_LEN);
	pthread_mutex_unlock(&a->lock);
	return hit;
}

static void cache_put(struct web_auth *a, const unsigned char key[DIGEST_LEN])
{
	pthread_mutex_lock(&a->lock);
	memcpy(a->cache[a->next], key, DIGEST_LEN);
	a->cached[a->next] = true;
	a->next = (a->next + 1) % CACHE_SLOTS;
	pthread_mutex_unlock(&a->lock);
}

/* bcrypt of pass with the hash's salt and cost equals the hash. */
static bool bcrypt_ok(const char *pass, const char *hash)
{
	struct crypt_data *cd = calloc(1, sizeof(*cd));
	const char *out;
	bool ok;

	if (!cd)
		return false;
	out = crypt_rn(pass, hash, cd, sizeof(*cd));
	ok = out && same(out, strlen(out), hash, strlen(hash));
	explicit_bzero(cd, sizeof(*cd));
	free(cd);
	return ok;
}

bool web_auth_check(struct web_auth *a, const char *user, const char *pass)
{
	unsigned char key[DIGEST_LEN];
	const char *hash = dummy_hash;
	bool known = false, ok;

	if (!user || !pass)
		return false;
	/* every name is compared: which one matched shows in no timing */
	for (int i = 0; i < a->n; i++) {
		bool m = same(user, strlen(user), a->user[i].name, strlen(a->user[i].name));

		if (m) {
			hash = a->user[i].hash;
			known = true;
		}
	}
	if (digest(user, pass, key))
		return false;
	if (known && cache_has(a, key))
		return true;
	ok = bcrypt_ok(pass, hash) && known;
	if (ok)
		cache_put(a, key);
	explicit_bzero(key, sizeof(key));
	return ok;
}
