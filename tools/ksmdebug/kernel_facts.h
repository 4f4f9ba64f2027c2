/* SPDX-License-Identifier: GPL-2.0 */
/*
 * What a bug report needs to say about the kernel: uname, and the config
 * options KSM debugging depends on, from /proc/config.gz or
 * /boot/config-$(uname -r), whichever exists.
 */
#ifndef KSM_KERNEL_FACTS_H
#define KSM_KERNEL_FACTS_H

#include <jansson.h>

/*
 * {"release", "version", "machine", "config_source" (path or null),
 *  "config": {"CONFIG_KSM": "y" | "m" | "not set" | null (unknown), ...}}
 * $KSM_CONFIG overrides the config path (tests).
 */
json_t *kernel_facts_json(void);
/* Parse config text (plain) into an object of the options we care about. */
json_t *kernel_config_parse(const char *text);

#endif
