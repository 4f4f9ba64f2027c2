// SPDX-License-Identifier: GPL-2.0
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "ksm_sysfs.h"
#include "util.h"

const char *ksm_sysfs_dir(void)
{
	const char *d = getenv("KSM_SYSFS_DIR");

	return d && *d ? d : KSM_SYSFS_DIR;
}

int ksm_sysfs_read_one(const char *dir, const char *name, char *buf, size_t len)
{
	char path[512];
	ssize_t n;

	snprintf(path, sizeof(path), "%s/%s", dir ? dir : ksm_sysfs_dir(), name);
	n = read_small_file(path, buf, len);
	if (n < 0)
		return (int)n;
	while (n > 0 && (buf[n - 1] == '\n' || buf[n - 1] == ' '))
		buf[--n] = '\0';
	return 0;
}

int ksm_sysfs_read_u64(const char *dir, const char *name, uint64_t *val)
{
	char buf[64], *end;
	int err = ksm_sysfs_read_one(dir, name, buf, sizeof(buf));

	if (err)
		return err;
	errno = 0;
	*val = strtoull(buf, &end, 10);
	if (errno || end == buf || *end)
		return -EINVAL;
	return 0;
}

int ksm_sysfs_write(const char *dir, const char *name, const char *val)
{
	char path[512];
	size_t len = strlen(val);
	ssize_t n;
	int fd, err = 0;

	snprintf(path, sizeof(path), "%s/%s", dir ? dir : ksm_sysfs_dir(), name);
	fd = open(path, O_WRONLY | O_TRUNC | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	n = write(fd, val, len);
	if (n < 0)
		err = -errno;
	else if ((size_t)n != len)
		err = -EIO;
	close(fd);
	return err;
}

int ksm_sysfs_add(struct ksm_sysfs *s, const char *name, const char *text)
{
	typeof(s->ent[0]) *e = &s->ent[s->n];
	char *end;

	if (s->n >= KSM_SYSFS_MAX || strlen(name) >= sizeof(e->name))
		return -E2BIG;
	snprintf(e->name, sizeof(e->name), "%s", name);
	snprintf(e->text, sizeof(e->text), "%s", text);
	errno = 0;
	e->value = strtoll(e->text, &end, 10);
	e->numeric = !errno && end != e->text && !*end;
	if (!e->numeric)
		e->value = 0;
	s->n++;
	return 0;
}

static int cmp_ent(const void *a, const void *b)
{
	return strcmp((const char *)a, (const char *)b);
}

int ksm_sysfs_read(const char *dir, struct ksm_sysfs *s)
{
	struct dirent *de;
	DIR *d;

	if (!dir)
		dir = ksm_sysfs_dir();
	memset(s, 0, sizeof(*s));
	d = opendir(dir);
	if (!d)
		return -errno;
	while ((de = readdir(d)) && s->n < KSM_SYSFS_MAX) {
		char text[sizeof(s->ent[0].text)];

		/* write-only or unreadable files are skipped, not fatal */
		if (de->d_name[0] == '.' || ksm_sysfs_read_one(dir, de->d_name, text, sizeof(text)))
			continue;
		ksm_sysfs_add(s, de->d_name, text);
	}
	closedir(d);
	qsort(s->ent, s->n, sizeof(s->ent[0]), cmp_ent);
	return 0;
}

static int find(const struct ksm_sysfs *s, const char *name)
{
	for (int i = 0; i < s->n; i++)
		if (!strcmp(s->ent[i].name, name))
			return i;
	return -1;
}

bool ksm_sysfs_get(const struct ksm_sysfs *s, const char *name, int64_t *val)
{
	int i = find(s, name);

	if (i < 0 || !s->ent[i].numeric)
		return false;
	*val = s->ent[i].value;
	return true;
}

const char *ksm_sysfs_text(const struct ksm_sysfs *s, const char *name)
{
	int i = find(s, name);

	return i < 0 ? NULL : s->ent[i].text;
}

bool ksm_sysfs_present(void)
{
	char buf[16];

	return ksm_sysfs_read_one(NULL, "run", buf, sizeof(buf)) == 0;
}
