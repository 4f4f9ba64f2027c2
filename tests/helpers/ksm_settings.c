// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "ksm_settings.h"
#include "ksm_sysfs.h"

/* The writable knobs, in the order they are restored (run last). */
static const char *const knobs[] = {
	"sleep_millisecs", "pages_to_scan", "max_page_sharing", "stable_node_chains_prune_millisecs",
	"use_zero_pages", "smart_scan", "advisor_mode", "advisor_max_cpu",
	"advisor_min_pages_to_scan", "advisor_max_pages_to_scan", "advisor_target_scan_time",
	"merge_across_nodes", "run",
};

#define NR_KNOBS (int)(sizeof(knobs) / sizeof(knobs[0]))

int ksm_settings_save(struct ksm_settings *s)
{
	char buf[40];

	memset(s, 0, sizeof(*s));
	for (int i = 0; i < NR_KNOBS && s->n < KSM_SETTINGS_MAX; i++) {
		if (ksm_sysfs_read_one(NULL, knobs[i], buf, sizeof(buf)))
			continue;
		/* advisor_mode reads "[none] scan-time": keep the selected word */
		if (buf[0] == '[' || strchr(buf, '[')) {
			char *l = strchr(buf, '['), *r = strchr(buf, ']');

			if (l && r && r > l) {
				*r = '\0';
				memmove(buf, l + 1, strlen(l + 1) + 1);
			}
		}
		snprintf(s->knob[s->n].name, sizeof(s->knob[0].name), "%s", knobs[i]);
		snprintf(s->knob[s->n].value, sizeof(s->knob[0].value), "%s", buf);
		s->n++;
	}
	return s->n ? 0 : -ENOENT;
}

static const char *saved(const struct ksm_settings *s, const char *name)
{
	for (int i = 0; i < s->n; i++)
		if (!strcmp(s->knob[i].name, name))
			return s->knob[i].value;
	return NULL;
}

int ksm_settings_restore(const struct ksm_settings *s)
{
	const char *man = saved(s, "merge_across_nodes");
	char cur[40];
	int first_err = 0;

	/* The kernel refuses a merge_across_nodes switch while pages are shared. */
	if (man && !ksm_sysfs_read_one(NULL, "merge_across_nodes", cur, sizeof(cur)) &&
	    strcmp(cur, man))
		ksm_sysfs_write(NULL, "run", "2");

	for (int i = 0; i < s->n; i++) {
		int err;

		if (!ksm_sysfs_read_one(NULL, s->knob[i].name, cur, sizeof(cur)) &&
		    !strcmp(cur, s->knob[i].value))
			continue;
		err = ksm_sysfs_write(NULL, s->knob[i].name, s->knob[i].value);
		if (err && !first_err)
			first_err = err;
	}
	return first_err;
}

int ksm_settings_write_file(const struct ksm_settings *s, const char *path)
{
	FILE *f = fopen(path, "we");

	if (!f)
		return -errno;
	for (int i = 0; i < s->n; i++)
		fprintf(f, "%s %s\n", s->knob[i].name, s->knob[i].value);
	return fclose(f) ? -errno : 0;
}

int ksm_settings_read_file(struct ksm_settings *s, const char *path, int *bad_line)
{
	char line[128];
	int lineno = 0;
	FILE *f = fopen(path, "re");

	memset(s, 0, sizeof(*s));
	if (!f)
		return -errno;
	while (fgets(line, sizeof(line), f)) {
		int end = 0;

		lineno++;
		if (line[0] == '\n' || line[0] == '#')
			continue;
		/* exactly "name value" */
		if (s->n >= KSM_SETTINGS_MAX ||
		    sscanf(line, "%39s %39s %n", s->knob[s->n].name, s->knob[s->n].value,
			   &end) != 2 || line[end]) {
			*bad_line = lineno;
			fclose(f);
			return -EINVAL;
		}
		s->n++;
	}
	fclose(f);
	return 0;
}
