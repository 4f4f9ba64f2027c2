// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "event_kinds.h"

#define F(key, label, type) { #key, #label, type }
#define NOF { NULL, NULL, 0 }
#define KIND_INFO(ID, name_, group_, flags_, reasons_, result_, a0, a1, a2)                      \
	[KSM_EV_##ID] = { #name_, group_, flags_, reasons_, result_, { a0, a1, a2 } },

static const struct ksm_kind_info kinds[KSM_EV_MAX] = { KSM_EVENT_KINDS(KIND_INFO) };

#undef KIND_INFO
#undef NOF
#undef F

/* The names of each reason/result enum, indexed by KSM_RSN_* / KSM_RES_*. */
static const char *const node_rm_reasons[KSM_NODE_RM_MAX] = {
	"stale", "forced", "unmerge", "merge_across_nodes", "max_page_sharing",
	"hotremove", "chain_prune", "orphan", "unknown",
};

static const char *const stale_reasons[KSM_STALE_MAX] = {
	"mapping", "freed", "mapping_after_get", "mapping_after_lock", "unknown",
};

static const char *const copy_reasons[KSM_COPY_MAX] = {
	"none", "anon_vma", "no_stable_node", "unmerge", "unknown",
};

static const char *const copy_results[KSM_COPY_RESULT_MAX] = {
	"same", "new", "not_uptodate", "hwpoison", "nomem", "unknown",
};

/* enum ksm_migrate_reason: the kernel's MR_*, mapped by name (CO-RE) */
static const char *const migrate_reasons[KSM_MR_MAX] = {
	"compaction",	  "memory_failure", "memory_hotplug", "syscall_or_cpuset",
	"mempolicy_mbind", "numa_misplaced", "contig_range",	  "longterm_pin",
	"demotion",	  "damon",	    "unknown",
};

struct name_set {
	const char *const *names;
	unsigned int n;
};

static const struct name_set reason_sets[] = {
	[KSM_RSN_NONE] = { NULL, 0 },
	[KSM_RSN_NODE_RM] = { node_rm_reasons, KSM_NODE_RM_MAX },
	[KSM_RSN_STALE] = { stale_reasons, KSM_STALE_MAX },
	[KSM_RSN_COPY] = { copy_reasons, KSM_COPY_MAX },
	[KSM_RSN_MIGRATE] = { migrate_reasons, KSM_MR_MAX },
};

static const struct name_set result_sets[] = {
	[KSM_RES_NONE] = { NULL, 0 },
	[KSM_RES_COPY] = { copy_results, KSM_COPY_RESULT_MAX },
};

static const char *const source_names[] = { "tracepoint", "tracepoint_patched", "fentry",
						"kprobe" };

#define ARRAY_LEN(a) (sizeof(a) / sizeof((a)[0]))

const struct ksm_kind_info *ksm_kind(unsigned int kind)
{
	return kind > KSM_EV_NONE && kind < KSM_EV_MAX ? &kinds[kind] : NULL;
}

const char *ksm_event_name(unsigned int kind)
{
	const struct ksm_kind_info *k = ksm_kind(kind);

	return k ? k->name : NULL;
}

unsigned int ksm_event_by_name(const char *name)
{
	if (!strncmp(name, "ksm_", 4))
		name += 4;
	for (unsigned int k = 1; k < KSM_EV_MAX; k++)
		if (!strcmp(kinds[k].name, name))
			return k;
	return KSM_EV_NONE;
}

int ksm_event_parse_list(const char *list, uint32_t *mask, const char **bad)
{
	static char copy[512];
	char *save = NULL, *tok;

	*mask = 0;
	snprintf(copy, sizeof(copy), "%s", list);
	for (tok = strtok_r(copy, ",", &save); tok; tok = strtok_r(NULL, ",", &save)) {
		unsigned int k = ksm_event_by_name(tok);

		if (k == KSM_EV_NONE) {
			*bad = tok;
			return -EINVAL;
		}
		*mask |= 1u << k;
	}
	if (!*mask) {
		*bad = list;
		return -EINVAL;
	}
	return 0;
}

bool ksm_event_has_err(unsigned int kind)
{
	const struct ksm_kind_info *k = ksm_kind(kind);

	return k && (k->flags & KSM_EVF_ERR);
}

const char *ksm_source_name(unsigned int source)
{
	return source < ARRAY_LEN(source_names) ? source_names[source] : "unknown";
}

static int index_of(const char *const *names, unsigned int n, const char *s)
{
	for (unsigned int i = 0; i < n; i++)
		if (names[i] && !strcmp(names[i], s))
			return (int)i;
	return -1;
}

int ksm_source_by_name(const char *name)
{
	return index_of(source_names, ARRAY_LEN(source_names), name);
}

static const char *set_name(const struct name_set *set, unsigned int v)
{
	if (!set->names)
		return NULL;
	return v < set->n ? set->names[v] : "unknown";
}

const char *ksm_reason_name(unsigned int kind, unsigned int reason)
{
	const struct ksm_kind_info *k = ksm_kind(kind);

	return k ? set_name(&reason_sets[k->reasons], reason) : NULL;
}

const char *ksm_result_name(unsigned int kind, unsigned int result)
{
	const struct ksm_kind_info *k = ksm_kind(kind);

	return k ? set_name(&result_sets[k->result], result) : NULL;
}

int ksm_reason_by_name(unsigned int kind, const char *name)
{
	const struct ksm_kind_info *k = ksm_kind(kind);
	const struct name_set *set = k ? &reason_sets[k->reasons] : NULL;

	return set && set->names ? index_of(set->names, set->n, name) : -1;
}

int ksm_result_by_name(unsigned int kind, const char *name)
{
	const struct ksm_kind_info *k = ksm_kind(kind);
	const struct name_set *set = k ? &result_sets[k->result] : NULL;

	return set && set->names ? index_of(set->names, set->n, name) : -1;
}

const char *ksm_policy_decision_name(uint64_t domain)
{
	if (domain == KSM_POLICY_DOMAIN_NEVER)
		return "deny";
	return domain ? "isolate" : "allow";
}
