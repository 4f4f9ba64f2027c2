// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "pagemap.h"
#include "procfs.h"
#include "util.h"

#define PAGE_SHIFT_4K 12

unsigned int vma_parse_vmflags(const char *text)
{
	/* vma_ksm_compatible(): any of these and KSM ignores the VMA */
	static const char *const bad[] = { "sh", "ms", "pf", "io", "de", "ht", "mm" };
	unsigned int flags = VMA_KSM_OK;
	const char *p = text;

	while (*p) {
		size_t n;

		p += strspn(p, " \t\n");
		n = strcspn(p, " \t\n");
		if (n == 2 && !strncmp(p, "mg", 2))
			flags |= VMA_MERGEABLE;
		for (size_t i = 0; n == 2 && i < sizeof(bad) / sizeof(bad[0]); i++)
			if (!strncmp(p, bad[i], 2))
				flags &= ~VMA_KSM_OK;
		p += n;
	}
	return flags;
}

static int vma_push(struct vma_list *l, const struct vma *v)
{
	if (array_grow((void **)&l->v, &l->cap, l->n + 1, sizeof(*l->v)))
		return -ENOMEM;
	l->v[l->n++] = *v;
	return 0;
}

/* A maps/smaps header line: "start-end perms offset dev inode [path]". */
static bool parse_header(const char *line, struct vma *v)
{
	unsigned long long s, e;
	char perms[8];
	int path_at = 0;

	if (sscanf(line, "%llx-%llx %7s %*x %*x:%*x %*u %n", &s, &e, perms, &path_at) < 3 ||
	    !path_at || strlen(perms) != 4)
		return false;
	v->start = s;
	v->end = e;
	v->flags = perms[3] == 'p' ? VMA_PRIVATE : 0;
	/* kernel-provided special mappings hold no process data */
	if (line[path_at] == '[' && strncmp(line + path_at, "[heap]", 6) &&
	    strncmp(line + path_at, "[stack]", 7) && strncmp(line + path_at, "[anon:", 6))
		v->flags |= VMA_SPECIAL;
	return true;
}

int proc_read_vmas(pid_t pid, bool smaps, struct vma_list *l)
{
	char path[128], *line = NULL;
	size_t cap = 0;
	struct vma cur, next;
	bool have = false;
	int err = 0;
	FILE *f;

	l->n = 0;
	proc_path(path, sizeof(path), pid, smaps ? "smaps" : "maps");
	f = fopen(path, "re");
	if (!f)
		return -errno;
	while (!err && getline(&line, &cap, f) > 0) {
		if (smaps && !strncmp(line, "VmFlags:", 8)) {
			if (have && (cur.flags & VMA_PRIVATE))
				cur.flags |= vma_parse_vmflags(line + 8);
			continue;
		}
		if (!parse_header(line, &next))
			continue;
		/* the previous VMA is complete once the next header comes */
		if (have)
			err = vma_push(l, &cur);
		cur = next;
		have = true;
	}
	if (!err && have)
		err = vma_push(l, &cur);
	/* a process that exits while we read leaves a short or empty file */
	if (!err && ferror(f))
		err = -EIO;
	free(line);
	fclose(f);
	return err;
}

void vma_list_free(struct vma_list *l)
{
	free(l->v);
	memset(l, 0, sizeof(*l));
}

int pagemap_open(pid_t pid)
{
	char path[128];
	int fd;

	proc_path(path, sizeof(path), pid, "pagemap");
	fd = open(path, O_RDONLY | O_CLOEXEC);
	return fd < 0 ? -errno : fd;
}

ssize_t pagemap_read(int fd, uint64_t vaddr, uint64_t *ent, size_t n)
{
	off_t off = (off_t)((vaddr >> PAGE_SHIFT_4K) * sizeof(uint64_t));
	ssize_t r = pread(fd, ent, n * sizeof(uint64_t), off);

	if (r < 0)
		return -errno;
	return r / (ssize_t)sizeof(uint64_t);
}

static int open_proc_file(const char *name)
{
	char path[256];
	int fd;

	snprintf(path, sizeof(path), "%s/%s", proc_dir(), name);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	return fd < 0 ? -errno : fd;
}

int kpage_open(struct kpage_reader *k, bool cgroup)
{
	memset(k, 0, sizeof(*k));
	k->cgroup_fd = -1;
	k->flags_fd = open_proc_file("kpageflags");
	if (k->flags_fd < 0)
		return k->flags_fd;
	if (!cgroup)
		return 0;
	k->cgroup_fd = open_proc_file("kpagecgroup");
	/* a kernel without CONFIG_MEMCG has no kpagecgroup: ids stay 0 */
	if (k->cgroup_fd < 0 && k->cgroup_fd != -ENOENT) {
		int err = k->cgroup_fd;

		kpage_close(k);
		return err;
	}
	return 0;
}

void kpage_close(struct kpage_reader *k)
{
	if (k->flags_fd >= 0)
		close(k->flags_fd);
	if (k->cgroup_fd >= 0)
		close(k->cgroup_fd);
	k->flags_fd = k->cgroup_fd = -1;
}

static int read_u64_at(int fd, uint64_t idx, uint64_t *v)
{
	ssize_t r = pread(fd, v, sizeof(*v), (off_t)(idx * sizeof(*v)));

	if (r == sizeof(*v))
		return 0;
	return r < 0 ? -errno : -ENXIO;
}

int kpage_flags(struct kpage_reader *k, uint64_t pfn, uint64_t *flags)
{
	struct kpage_slot *s = &k->cache[pfn % (sizeof(k->cache) / sizeof(k->cache[0]))];
	int err;

	if (s->pfn == pfn + 1) {
		k->hits++;
		*flags = s->flags;
		return 0;
	}
	k->reads++;
	err = read_u64_at(k->flags_fd, pfn, flags);
	if (!err) {
		s->pfn = pfn + 1;
		s->flags = *flags;
	}
	return err;
}

int kpage_cgroup(struct kpage_reader *k, uint64_t pfn, uint64_t *ino)
{
	*ino = 0;
	if (k->cgroup_fd < 0)
		return 0;
	return read_u64_at(k->cgroup_fd, pfn, ino);
}
