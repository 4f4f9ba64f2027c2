// SPDX-License-Identifier: GPL-2.0
#include <stdlib.h>
#include <string.h>
#include <sys/utsname.h>
#include <unistd.h>

#include <zlib.h>

#include "kernel_facts.h"

/* The options that change what KSM does or what the tools can see. */
static const char *const options[] = {
	"CONFIG_KSM",
	"CONFIG_NUMA",
	"CONFIG_MIGRATION",
	"CONFIG_COMPACTION",
	"CONFIG_SWAP",
	"CONFIG_TRANSPARENT_HUGEPAGE",
	"CONFIG_MEMCG",
	"CONFIG_MEMORY_HOTREMOVE",
	"CONFIG_MEMORY_FAILURE",
	"CONFIG_DEBUG_VM",
	"CONFIG_BPF_SYSCALL",
	"CONFIG_DEBUG_INFO_BTF",
	"CONFIG_FTRACE",
	"CONFIG_FUNCTION_TRACER",
	"CONFIG_KPROBES",
	"CONFIG_KSM_BPF",
	"CONFIG_VM_EVENT_COUNTERS",
};

#define NR_OPTIONS (sizeof(options) / sizeof(options[0]))

_Static_assert(NR_OPTIONS <= KF_MAX_CONFIG, "kernel_facts.config is too small");

static void set_config(struct kernel_facts *k, int i, const char *name, const char *value)
{
	snprintf(k->config[i].name, sizeof(k->config[i].name), "%s", name);
	snprintf(k->config[i].value, sizeof(k->config[i].value), "%s", value);
}

const char *kernel_config_get(const struct kernel_facts *k, const char *name)
{
	for (int i = 0; i < k->nr_config; i++)
		if (!strcmp(k->config[i].name, name))
			return k->config[i].value;
	return NULL;
}

/* "CONFIG_X=value" for an option we list: set it. */
static void config_line(struct kernel_facts *k, const char *line)
{
	const char *eq = strchr(line, '=');

	if (line[0] != 'C' || !eq)
		return;
	for (int i = 0; i < k->nr_config; i++) {
		if (strlen(k->config[i].name) == (size_t)(eq - line) &&
		    !strncmp(k->config[i].name, line, eq - line)) {
			snprintf(k->config[i].value, sizeof(k->config[i].value), "%s", eq + 1);
			return;
		}
	}
}

void kernel_config_parse(struct kernel_facts *k, const char *text)
{
	const char *p = text;

	k->nr_config = NR_OPTIONS;
	for (size_t i = 0; i < NR_OPTIONS; i++)
		set_config(k, i, options[i], "not set");
	while (p && *p) {
		const char *eol = strchr(p, '\n');
		size_t len = eol ? (size_t)(eol - p) : strlen(p);
		char line[256];

		if (len < sizeof(line)) {
			memcpy(line, p, len);
			line[len] = '\0';
			config_line(k, line);
		}
		p = eol ? eol + 1 : NULL;
	}
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

void kernel_facts_read(struct kernel_facts *k)
{
	const char *env = getenv("KSM_CONFIG");
	const char *cands[3] = { 0 };
	char boot[300], *text = NULL;
	struct utsname u;

	memset(k, 0, sizeof(*k));
	uname(&u);
	snprintf(k->release, sizeof(k->release), "%s", u.release);
	snprintf(k->version, sizeof(k->version), "%s", u.version);
	snprintf(k->machine, sizeof(k->machine), "%s", u.machine);
	snprintf(boot, sizeof(boot), "/boot/config-%s", u.release);
	cands[0] = env && *env ? env : "/proc/config.gz";
	cands[1] = env && *env ? NULL : boot;
	for (int i = 0; cands[i] && !text; i++) {
		if (access(cands[i], R_OK))
			continue;
		text = slurp(cands[i]);
		if (text)
			snprintf(k->config_source, sizeof(k->config_source), "%s", cands[i]);
	}
	if (!text)
		return;
	k->have_config = true;
	kernel_config_parse(k, text);
	free(text);
}

static json_t *config_json(const struct kernel_facts *k)
{
	json_t *o = json_object();

	for (int i = 0; i < k->nr_config; i++)
		json_object_set_new(o, k->config[i].name, json_string(k->config[i].value));
	return o;
}

json_t *kernel_facts_json(const struct kernel_facts *k)
{
	json_t *o = json_pack("{s:s, s:s, s:s}", "release", k->release, "version", k->version,
			      "machine", k->machine);

	json_object_set_new(o, "config_source",
			    k->have_config ? json_string(k->config_source) : json_null());
	json_object_set_new(o, "config", k->have_config ? config_json(k) : json_null());
	return o;
}

/* What a trace lacks reads "?", as a report prints it. */
static void copy_string(char *dst, size_t len, const json_t *v)
{
	snprintf(dst, len, "%s", json_is_string(v) ? json_string_value(v) : "?");
}

void kernel_facts_from_json(const json_t *o, struct kernel_facts *k)
{
	const json_t *config = json_object_get(o, "config");
	const char *name;
	json_t *v;

	memset(k, 0, sizeof(*k));
	copy_string(k->release, sizeof(k->release), json_object_get(o, "release"));
	copy_string(k->version, sizeof(k->version), json_object_get(o, "version"));
	copy_string(k->machine, sizeof(k->machine), json_object_get(o, "machine"));
	copy_string(k->config_source, sizeof(k->config_source),
		    json_object_get(o, "config_source"));
	if (!json_is_object(config))
		return;
	k->have_config = true;
	json_object_foreach((json_t *)config, name, v)
	{
		if (k->nr_config == KF_MAX_CONFIG)
			break;
		copy_string(k->config[k->nr_config].value, sizeof(k->config[0].value), v);
		snprintf(k->config[k->nr_config++].name, sizeof(k->config[0].name), "%s", name);
	}
}
