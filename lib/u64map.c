// SPDX-License-Identifier: GPL-2.0
#include <stdlib.h>
#include <string.h>

#include "u64map.h"

static size_t slot(uint64_t key, size_t nb)
{
	/* Kernel addresses and pfns share low bits: mix before masking. */
	key ^= key >> 33;
	key *= 0xff51afd7ed558ccdULL;
	key ^= key >> 33;
	return key & (nb - 1);
}

void u64map_init(struct u64map *m, size_t val_size)
{
	memset(m, 0, sizeof(*m));
	m->val_size = val_size;
}

void u64map_free(struct u64map *m)
{
	for (size_t i = 0; i < m->nb; i++) {
		struct u64map_ent *e = m->b[i], *n;

		for (; e; e = n) {
			n = e->next;
			free(e);
		}
	}
	free(m->b);
	m->b = NULL;
	m->nb = m->len = 0;
}

void *u64map_get(const struct u64map *m, uint64_t key)
{
	if (!m->nb)
		return NULL;
	for (struct u64map_ent *e = m->b[slot(key, m->nb)]; e; e = e->next)
		if (e->key == key)
			return u64map_val(e);
	return NULL;
}

static int grow(struct u64map *m)
{
	size_t nb = m->nb ? m->nb * 2 : 64;
	struct u64map_ent **b = calloc(nb, sizeof(*b));

	if (!b)
		return -1;
	for (size_t i = 0; i < m->nb; i++) {
		struct u64map_ent *e = m->b[i], *n;

		for (; e; e = n) {
			size_t s = slot(e->key, nb);

			n = e->next;
			e->next = b[s];
			b[s] = e;
		}
	}
	free(m->b);
	m->b = b;
	m->nb = nb;
	return 0;
}

void *u64map_get_or_add(struct u64map *m, uint64_t key, int *created)
{
	void *v = u64map_get(m, key);
	struct u64map_ent *e;
	size_t s;

	if (created)
		*created = 0;
	if (v)
		return v;
	if (m->len >= m->nb && grow(m))
		return NULL;
	e = calloc(1, sizeof(*e) + m->val_size);
	if (!e)
		return NULL;
	e->key = key;
	s = slot(key, m->nb);
	e->next = m->b[s];
	m->b[s] = e;
	m->len++;
	if (created)
		*created = 1;
	return u64map_val(e);
}

void u64map_del(struct u64map *m, uint64_t key)
{
	struct u64map_ent **pp;

	if (!m->nb)
		return;
	for (pp = &m->b[slot(key, m->nb)]; *pp; pp = &(*pp)->next) {
		if ((*pp)->key == key) {
			struct u64map_ent *e = *pp;

			*pp = e->next;
			free(e);
			m->len--;
			return;
		}
	}
}

struct u64map_ent *u64map_next(const struct u64map *m, struct u64map_ent *e, size_t *bucket)
{
	if (e && e->next)
		return e->next;
	for (size_t i = e ? *bucket + 1 : 0; i < m->nb; i++) {
		if (m->b[i]) {
			*bucket = i;
			return m->b[i];
		}
	}
	return NULL;
}
