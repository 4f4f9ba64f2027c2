/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Save the KSM knobs, change them, put them back: what every test, the demo
 * and the bench do, so that a machine is left as it was found.
 */
#ifndef KSM_SETTINGS_H
#define KSM_SETTINGS_H

#include <stdbool.h>

#define KSM_SETTINGS_MAX 16

struct ksm_settings {
	int n;
	struct {
		char name[40];
		char value[40];
	} knob[KSM_SETTINGS_MAX];
};

/* Record every writable knob that this kernel has; 0 or -errno. */
int ksm_settings_save(struct ksm_settings *s);
/*
 * Write them back. run goes last, and merge_across_nodes only when pages
 * are unshared (the kernel refuses otherwise). Returns 0 or the first -errno.
 */
int ksm_settings_restore(const struct ksm_settings *s);
/* Save to / load from a file (for shell tests): "name value" lines. */
int ksm_settings_write_file(const struct ksm_settings *s, const char *path);
int ksm_settings_read_file(struct ksm_settings *s, const char *path, int *bad_line);

#endif
