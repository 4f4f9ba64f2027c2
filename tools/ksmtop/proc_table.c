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
	t->cap = 1024;
	t->tab = calloc(t->cap, sizeof(*t->tab));
	return t->tab ? 0 : -ENOMEM;
}

void proc_table_free(struct proc_table *t)
{
	for (unsigned int i = 0; i < t->cap; i++)
		free(t->tab[i].cgroup);
	free(t->tab);
	memset(t, 0, sizeof(*t));
}

static unsigned int slot_of(const struct proc_table *t, int pid)
{
	unsigned int i = ((unsigned int)pid * 2654435761u) & (t->cap - 1);

	while (t->tab[i].pid && t->tab[i].pid != pid)
		i = (i + 1) & (t->cap - 1);
	return i;
}

struct proc_ent *proc_table_find(struct proc_table *t, int pid)
{
	unsigned int i;

	if (pid <= 0 || !t->cap)
		return NULL;
	i = slot_of(t, pid);
	return t->tab[i].pid ? &t->tab[i] : NULL;
}

static int grow(struct proc_table *t)
{
	struct proc_ent *old = t->tab;
	unsigned int ocap = t->cap;

	t->tab = calloc(ocap * 2, sizeof(*t->tab));
	if (!t->tab) {
		t->tab = old;
		return -ENOMEM;
	}
	t->cap = ocap * 2;
	for (unsigned int j = 0; j < ocap; j++)
		if (old[j].pid)
			t->tab[slot_of(t, old[j].pid)] = old[j];
	free(old);
	return 0;
}

struct proc_ent *proc_table_get(struct proc_table *t, int pid)
{
	struct proc_ent *e;
	unsigned int i;

	if (pid <= 0)
		return NULL;
	e = proc_table_find(t, pid);
	if (e)
		return e;
	if ((t->len + 1) * 2 > t->cap && grow(t))
		return NULL;
	i = slot_of(t, pid);
	e = &t->tab[i];
	memset(e, 0, sizeof(*e));
	e->pid = pid;
	e->ksm = true; /* unknown yet: read it on the next scan */
	e->gen = t->gen;
	t->len++;
	return e;
}

/* Linear probing: re-insert the run after a deleted slot. */
static void del_slot(struct proc_table *t, unsigned int i)
{
	unsigned int j = i;

	free(t->tab[i].cgroup);
	memset(&t->tab[i], 0, sizeof(t->tab[i]));
	t->len--;
	for (;;) {
		struct proc_ent tmp;

		j = (j + 1) & (t->cap - 1);
		if (!t->tab[j].pid)
			break;
		tmp = t->tab[j];
		memset(&t->tab[j], 0, sizeof(t->tab[j]));
		t->tab[slot_of(t, tmp.pid)] = tmp;
	}
}

struct proc_ent *proc_table_next(struct proc_table *t, unsigned int *i)
{
	while (*i < t->cap) {
		struct proc_ent *e = &t->tab[(*i)++];

		if (e->pid)
			return e;
	}
	return NULL;
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
		e->prev = e->st;
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
	/* Drop what exited (deleting shifts entries: restart from the slot). */
	for (unsigned int i = 0; i < t->cap;) {
		if (t->tab[i].pid && t->tab[i].gen != t->gen)
			del_slot(t, i);
		else
			i++;
	}
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
