// SPDX-License-Identifier: GPL-2.0
#include <stdlib.h>
#include <string.h>
#include <sys/utsname.h>
#include <unistd.h>

#include <zlib.h>

#include "kernel_facts.h"

/* The options that change what KSM does or what the tools can see. */
static const char *const options[] = {
	"CONFIG_KSM", "CONFIG_NUMA", "CONFIG_MIGRATION", "CONFIG_COMPACTION", "CONFIG_SWAP",
	"CONFIG_TRANSPARENT_HUGEPAGE", "CONFIG_MEMCG", "CONFIG_MEMORY_HOTREMOVE",
	"CONFIG_MEMORY_FAILURE", "CONFIG_DEBUG_VM", "CONFIG_BPF_SYSCALL", "CONFIG_DEBUG_INFO_BTF",
	"CONFIG_FTRACE", "CONFIG_FUNCTION_TRACER", "CONFIG_KPROBES", "CONFIG_KSM_BPF",
	"CONFIG_VM_EVENT_COUNTERS",
};

#define NR_OPTIONS (sizeof(options) / sizeof(options[0]))

json_t *kernel_config_parse(const char *text)
{
	json_t *o = json_object();
	const char *p = text;

	for (size_t i = 0; i < NR_OPTIONS; i++)
		json_object_set_new(o, options[i], json_string("not set"));
	while (p && *p) {
		const char *eol = strchr(p, '\n'), *eq;
		size_t len = eol ? (size_t)(eol - p) : strlen(p);
		char line[256];

		if (len < sizeof(line)) {
			memcpy(line, p, len);
			line[len] = '\0';
			eq = strchr(line, '=');
			if (line[0] == 'C' && eq) {
				line[eq - line] = '\0';
				if (json_object_get(o, line))
					json_object_set_new(o, line, json_string(eq + 1));
			}
		}
		p = eol ? eol + 1 : NULL;
	}
	return o;
}

/* Whole file through zlib (gzopen reads plain files too). */
static char *slurp(const char *path)
{
	gzFile gz = gzopen(path, "rb");
	size_t len = 0, cap = 1 << 16;
	char *buf;
	int n;

	if (!gz)
		return NULL;
	buf = malloc(cap + 1);
	while (buf && (n = gzread(gz, buf + len, (unsigned int)(cap - len))) > 0) {
		len += n;
		if (len == cap) {
			char *nb = realloc(buf, cap * 2 + 1);

			if (!nb) {
				free(buf);
				buf = NULL;
				break;
			}
			buf = nb;
			cap *= 2;
		}
	}
	gzclose(gz);
	if (buf)
		buf[len] = '\0';
	return buf;
}

json_t *kernel_facts_json(void)
{
	struct utsname u;
	char boot[300], *text = NULL;
	const char *src = getenv("KSM_CONFIG"), *cands[3];
	json_t *o;

	uname(&u);
	snprintf(boot, sizeof(boot), "/boot/config-%s", u.release);
	cands[0] = src && *src ? src : "/proc/config.gz";
	cands[1] = src && *src ? NULL : boot;
	cands[2] = NULL;
	src = NULL;
	for (int i = 0; cands[i]; i++) {
		if (access(cands[i], R_OK))
			continue;
		text = slurp(cands[i]);
		if (text) {
			src = cands[i];
			break;
		}
	}
	o = json_pack("{s:s, s:s, s:s}", "release", u.release, "version", u.version, "machine",
		      u.machine);
	json_object_set_new(o, "config_source", src ? json_string(src) : json_null());
	json_object_set_new(o, "config", text ? kernel_config_parse(text) : json_null());
	free(text);
	return o;
}
