// SPDX-License-Identifier: GPL-2.0
#include <search.h>
#include <stdlib.h>
#include <string.h>

#include "prom_acc.h"

struct acc_ent {
	int pid;
	uint32_t gen;
	struct prom_count total;
};

static int cmp_ent(const void *pa, const void *pb)
{
	const struct acc_ent *a = pa, *b = pb;

	return (a->pid > b->pid) - (a->pid < b->pid);
}

void prom_acc_begin(struct prom_acc *a)
{
	a->gen++;
}

struct prom_count prom_acc_add(struct prom_acc *a, int pid, const struct prom_count *delta)
{
	struct acc_ent probe = { .pid = pid }, *e, **slot;

	slot = tfind(&probe, &a->root, cmp_ent);
	e = slot ? *slot : calloc(1, sizeof(*e));
	if (!e)
		return *delta;
	if (!slot) {
		e->pid = pid;
		if (!tsearch(e, &a->root, cmp_ent)) {
			free(e);
			return *delta;
		}
		a->n++;
	}
	/* a second row with the same pid in one sample adds to the same total */
	e->gen = a->gen;
	e->total.merges += delta->merges;
	e->total.unmerges += delta->unmerges;
	return e->total;
}

/* The entries a sample did not see; a tree cannot lose nodes while it is walked. */
struct stale {
	struct acc_ent **ent;
	unsigned int n, cap;
	uint32_t gen;
};

static void collect(const void *node, VISIT v, void *arg)
{
	struct acc_ent *e = *(struct acc_ent *const *)node;
	struct stale *st = arg;

	if ((v != postorder && v != leaf) || e->gen == st->gen || st->n == st->cap)
		return;
	st->ent[st->n++] = e;
}

void prom_acc_prune(struct prom_acc *a)
{
	struct stale st = { .cap = a->n, .gen = a->gen };

	if (!a->n)
		return;
	st.ent = calloc(a->n, sizeof(*st.ent));
	if (!st.ent)
		return; /* kept until a later sample has memory for it */
	twalk_r(a->root, collect, &st);
	for (unsigned int i = 0; i < st.n; i++) {
		tdelete(st.ent[i], &a->root, cmp_ent);
		free(st.ent[i]);
		a->n--;
	}
	free(st.ent);
}

void prom_acc_free(struct prom_acc *a)
{
	tdestroy(a->root, free);
	memset(a, 0, sizeof(*a));
}
