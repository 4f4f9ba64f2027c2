/* SPDX-License-Identifier: GPL-2.0 */
/*
 * What a bug report needs to say about the kernel: uname, and the config
 * options KSM debugging depends on, from /proc/config.gz or
 * /boot/config-$(uname -r), whichever exists.
 */
#ifndef KSM_KERNEL_FACTS_H
#define KSM_KERNEL_FACTS_H

#include <stdbool.h>

#include <jansson.h>

#define KF_MAX_CONFIG 32

struct kernel_facts {
	char release[65], version[65], machine[65]; /* uname */
	bool have_config;			    /* a config file was found and read */
	char config_source[256];		    /* its path */
	int nr_config;
	struct {
		char name[48];	/* "CONFIG_KSM" */
		char value[32]; /* "y", "m", "not set", ... */
	} config[KF_MAX_CONFIG];
};

/* uname and the config file; $KSM_CONFIG overrides the config path (tests). */
void kernel_facts_read(struct kernel_facts *k);
/* Fill k->config from config text: every option we care about, "not set" if absent. */
void kernel_config_parse(struct kernel_facts *k, const char *text);
/* A config value, NULL if the option is not listed. */
const char *kernel_config_get(const struct kernel_facts *k, const char *name);

/*
 * {"release", "version", "machine", "config_source" (path or null),
 *  "config": {"CONFIG_KSM": "y" | "m" | "not set", ...} or null}
 */
json_t *kernel_facts_json(const struct kernel_facts *k);
/* The inverse, for a trace's header: a missing or non-string value reads "?". */
void kernel_facts_from_json(const json_t *o, struct kernel_facts *k);

#endif
