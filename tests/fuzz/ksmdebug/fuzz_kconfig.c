// SPDX-License-Identifier: GPL-2.0
/*
 * The kernel config parser of ksmdebug (kernel_config_parse, fed
 * /proc/config.gz or /boot/config-*).  Oracles: every option it lists stays
 * set, names and values NUL-terminated within their fields.
 */
#include "../fuzz.h"
#include "kernel_facts.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *text = malloc(size + 1);
	struct kernel_facts k = { 0 };

	if (!text)
		return 0;
	memcpy(text, data, size);
	text[size] = '\0';
	kernel_config_parse(&k, text);
	if (k.nr_config <= 0 || k.nr_config > KF_MAX_CONFIG)
		abort();
	for (int i = 0; i < k.nr_config; i++)
		if (strnlen(k.config[i].name, sizeof(k.config[i].name)) ==
			    sizeof(k.config[i].name) ||
		    strnlen(k.config[i].value, sizeof(k.config[i].value)) ==
			    sizeof(k.config[i].value) ||
		    !kernel_config_get(&k, k.config[i].name))
			abort();
	free(text);
	return 0;
}
