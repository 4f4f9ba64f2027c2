// SPDX-License-Identifier: GPL-2.0
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "proc_table.h"
#include "procfs.h"

/* Non-users are looked at again this often, in case an event was missed. */
#define RECHECK_NS (10ULL * 1000000000ULL)

int proc_table_init(struct proc_table *t)
{
	memset(t, 0, sizeof(*t));
	t->nslots = 1024;
	t->slot = calloc(t->nslots, sizeof(*t->slot));
	return t->slot ? 0 : -ENOMEM;
}

void proc_table_free(struct proc_table *t)
{
	for (unsigned int i = 0; i < t->len; i++)
		free(t->ent[i].cgroup);
	free(t->ent);
	free(t->slot);
	memset(t, 0, sizeof(*t));
}

static unsigned int home_of(const struct proc_table *t, int pid)
{
	return ((unsigned int)pid * 2654435761u) & (t->nslots - 1);
}

/* The slot that holds pid, or the free slot where it would go. */
static unsigned int slot_of(const struct proc_table *t, int pid)
{
	unsigned int i = home_of(t, pid);

	while (t->slot[i] && t->ent[t->slot[i] - 1].pid != pid)
		i = (i + 1) & (t->nslots - 1);
	return i;
}

struct proc_ent *proc_table_find(struct proc_table *t, int pid)
{
	unsigned int i;

	if (pid <= 0 || !t->nslots)
		return NULL;
	i = slot_of(t, pid);
	return t->slot[i] ? &t->ent[t->slot[i] - 1] : NULL;
}

/* Twice the slots, every entry indexed again. */
static int rehash(struct proc_table *t)
{
	uint32_t *slot = calloc(t->nslots * 2, sizeof(*slot));

	if (!slot)
		return -ENOMEM;
	free(t->slot);
	t->slot = slot;
	t->nslots *= 2;
	for (unsigned int k = 0; k < t->len; k++)
		t->slot[slot_of(t, t->ent[k].pid)] = k + 1;
	return 0;
}

static int room(struct proc_table *t)
{
	if ((t->len + 1) * 2 > t->nslots && rehash(t))
		return -ENOMEM;
	if (t->len == t->ent_cap) {
		unsigned int cap = t->ent_cap ? t->ent_cap * 2 : 256;
		struct proc_ent *e = reallocarray(t->ent, cap, sizeof(*e));

		if (!e)
			return -ENOMEM;
		t->ent = e;
		t->ent_cap = cap;
	}
	return 0;
}

struct proc_ent *proc_table_get(struct proc_table *t, int pid)
{
	struct proc_ent *e;

	if (pid <= 0)
		return NULL;
	e = proc_table_find(t, pid);
	if (e || room(t))
		return e;
	e = &t->ent[t->len];
	memset(e, 0, sizeof(*e));
	e->pid = pid;
	e->ksm = true; /* unknown yet: read it on the next scan */
	e->gen = t->gen;
	t->slot[slot_of(t, pid)] = ++t->len;
	return e;
}

/*
 * Drop entry k: free its slot (linear probing: the run after it moves up
 * where it may), and move the last entry into its place.
 */
static void drop(struct proc_table *t, unsigned int k)
{
	unsigned int i = slot_of(t, t->ent[k].pid), j = i;

	t->slot[i] = 0;
	for (;;) {
		unsigned int h;

		j = (j + 1) & (t->nslots - 1);
		if (!t->slot[j])
			break;
		h = home_of(t, t->ent[t->slot[j] - 1].pid);
		/* j's entry may fill the hole at i unless its home lies in (i, j] */
		if (i <= j ? (i < h && h <= j) : (i < h || h <= j))
			continue;
		t->slot[i] = t->slot[j];
		t->slot[j] = 0;
		i = j;
	}
	free(t->ent[k].cgroup);
	if (k != --t->len) {
		t->ent[k] = t->ent[t->len];
		t->slot[slot_of(t, t->ent[k].pid)] = k + 1;
	}
}

struct proc_ent *proc_table_next(struct proc_table *t, unsigned int *i)
{
	return *i < t->len ? &t->ent[(*i)++] : NULL;
}

void proc_ent_set_cgroup(struct proc_ent *e, const char *path)
{
	if (path ? e->cgroup && !strcmp(path, e->cgroup) : !e->cgroup)
		return;
	free(e->cgroup);
	e->cgroup = path ? strdup(path) : NULL;
	e->cg = NULL;
}

void proc_table_begin(struct proc_table *t)
{
	t->gen++;
	t->nr_read = 0;
}

struct proc_ent *proc_table_put(struct proc_table *t, int pid, const struct ksm_proc_stat *st)
{
	struct proc_ent *e = proc_table_get(t, pid);

	if (!e)
		return NULL;
	e->gen = t->gen;
	if (e->valid) {
		e->prev_merging = e->st.merging_pages;
		e->have_prev = true;
	}
	e->st = *st;
	e->valid = true;
	e->ksm = true;
	e->hinted = false;
	return e;
}

void proc_table_end(struct proc_table *t)
{
	/* Drop what exited; from the end, so that the entry moved in was seen */
	for (unsigned int k = t->len; k-- > 0;)
		if (t->ent[k].gen != t->gen)
			drop(t, k);
}

static void read_one(struct proc_table *t, struct proc_ent *e, uint64_t now)
{
	struct ksm_proc_stat st;
	char cg[4096];

	t->nr_read++;
	if (ksm_stat_read(e->pid, &st) || !ksm_stat_is_user(&st)) {
		/* gone, a kernel thread without an mm, or no KSM user (yet) */
		e->valid = false;
		e->ksm = false;
		/* stagger rechecks by pid so they do not all land on one sample */
		e->next_check = now + RECHECK_NS + (uint64_t)(e->pid % 997) * 1000000ULL;
		return;
	}
	proc_table_put(t, e->pid, &st);
	if (!e->comm[0] && proc_read_comm(e->pid, e->comm, sizeof(e->comm)))
		snprintf(e->comm, sizeof(e->comm), "?");
	/* A process can move between cgroups: read it each time (one small file). */
	proc_ent_set_cgroup(e, proc_read_cgroup(e->pid, cg, sizeof(cg)) ? NULL : cg);
}

int proc_table_scan(struct proc_table *t, uint64_t now)
{
	struct dirent *de;
	DIR *d;

	d = opendir(proc_dir());
	if (!d)
		return -errno;
	proc_table_begin(t);
	while ((de = readdir(d))) {
		struct proc_ent *e;
		char *end;
		long pid;

		if (de->d_name[0] < '1' || de->d_name[0] > '9')
			continue;
		pid = strtol(de->d_name, &end, 10);
		if (*end || pid <= 0 || pid > INT32_MAX)
			continue;
		e = proc_table_get(t, (int)pid);
		if (!e)
			continue;
		e->gen = t->gen;
		if (e->ksm || e->hinted || now >= e->next_check)
			read_one(t, e, now);
		e->hinted = false;
	}
	closedir(d);
	proc_table_end(t);
	return 0;
}
