/* SPDX-License-Identifier: GPL-2.0 */
/* Reader and writer for the knobs and counters in /sys/kernel/mm/ksm. */
#ifndef KSM_SYSFS_H
#define KSM_SYSFS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define KSM_SYSFS_DIR "/sys/kernel/mm/ksm"
#define KSM_SYSFS_MAX 32

/* Every file the directory holds, as read at one moment. */
struct ksm_sysfs {
	int n;
	struct {
		char name[40];
		char text[40];		/* raw value, trimmed */
		int64_t value;		/* numeric value, or 0 if not a number */
		bool numeric;
	} ent[KSM_SYSFS_MAX];
};

/* Is KSM built in (the directory exists and has "run")? */
bool ksm_sysfs_present(void);
/* dir NULL means KSM_SYSFS_DIR (or $KSM_SYSFS_DIR, for tests). */
const char *ksm_sysfs_dir(void);
/* Read every regular file; 0 or -errno (-ENOENT: no KSM in this kernel). */
int ksm_sysfs_read(const char *dir, struct ksm_sysfs *s);
/*
 * One file's text (trimmed) into s, a number when it is one; -E2BIG when s
 * is full or the name too long.  ksm_sysfs_read does it for every file.
 */
int ksm_sysfs_add(struct ksm_sysfs *s, const char *name, const char *text);
/* Look a value up by file name; false if the kernel lacks it. */
bool ksm_sysfs_get(const struct ksm_sysfs *s, const char *name, int64_t *val);
const char *ksm_sysfs_text(const struct ksm_sysfs *s, const char *name);
/* Read or write one knob; 0 or -errno. */
int ksm_sysfs_read_one(const char *dir, const char *name, char *buf, size_t len);
int ksm_sysfs_read_u64(const char *dir, const char *name, uint64_t *val);
int ksm_sysfs_write(const char *dir, const char *name, const char *val);

#endif
