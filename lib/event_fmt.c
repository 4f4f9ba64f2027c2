// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "event_fmt.h"

static const char *const event_names[KSM_EV_MAX] = {
	[KSM_EV_START_SCAN] = "start_scan",
	[KSM_EV_STOP_SCAN] = "stop_scan",
	[KSM_EV_ENTER] = "enter",
	[KSM_EV_EXIT] = "exit",
	[KSM_EV_MERGE_ONE_PAGE] = "merge_one_page",
	[KSM_EV_MERGE_WITH_KSM_PAGE] = "merge_with_ksm_page",
	[KSM_EV_REMOVE_KSM_PAGE] = "remove_ksm_page",
	[KSM_EV_REMOVE_RMAP_ITEM] = "remove_rmap_item",
	[KSM_EV_ADVISOR] = "advisor",
	[KSM_EV_STABLE_NODE_INSERT] = "stable_node_insert",
	[KSM_EV_STABLE_NODE_REMOVE] = "stable_node_remove",
	[KSM_EV_GET_FOLIO_STALE] = "get_folio_stale",
	[KSM_EV_GET_FOLIO_RETRY] = "get_folio_retry",
	[KSM_EV_MIGRATE_FOLIO] = "migrate_folio",
	[KSM_EV_SWAPIN_COPY] = "swapin_copy",
	[KSM_EV_REMOVE_ALL_STABLE_NODES_BEGIN] = "remove_all_stable_nodes_begin",
	[KSM_EV_REMOVE_ALL_STABLE_NODES_END] = "remove_all_stable_nodes_end",
	[KSM_EV_POLICY_DECISION] = "policy_decision",
};

static const char *const node_rm_reasons[KSM_NODE_RM_MAX] = {
	"stale", "forced", "unmerge", "merge_across_nodes", "max_page_sharing",
	"hotremove", "chain_prune",
};

static const char *const stale_reasons[KSM_STALE_MAX] = {
	"mapping", "freed", "mapping_after_get", "mapping_after_lock", "unknown",
};

static const char *const copy_reasons[KSM_COPY_MAX] = {
	"none", "anon_vma", "no_stable_node", "unmerge", "unknown",
};

static const char *const copy_results[KSM_COPY_RESULT_MAX] = {
	"same", "new", "not_uptodate", "hwpoison", "nomem",
};

static const char *const source_names[] = { "tracepoint", "tracepoint_patched", "fentry" };

const char *ksm_event_name(unsigned int kind)
{
	return kind < KSM_EV_MAX ? event_names[kind] : NULL;
}

unsigned int ksm_event_by_name(const char *name)
{
	if (!strncmp(name, "ksm_", 4))
		name += 4;
	for (unsigned int k = 1; k < KSM_EV_MAX; k++)
		if (!strcmp(event_names[k], name))
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

const char *ksm_source_name(unsigned int source)
{
	return source < sizeof(source_names) / sizeof(source_names[0]) ? source_names[source] :
									  "unknown";
}

const char *ksm_reason_name(unsigned int kind, unsigned int reason)
{
	switch (kind) {
	case KSM_EV_STABLE_NODE_REMOVE:
	case KSM_EV_REMOVE_ALL_STABLE_NODES_BEGIN:
	case KSM_EV_REMOVE_ALL_STABLE_NODES_END:
		return reason < KSM_NODE_RM_MAX ? node_rm_reasons[reason] : "unknown";
	case KSM_EV_GET_FOLIO_STALE:
		return reason < KSM_STALE_MAX ? stale_reasons[reason] : "unknown";
	case KSM_EV_SWAPIN_COPY:
		return reason < KSM_COPY_MAX ? copy_reasons[reason] : "unknown";
	default:
		return NULL;
	}
}

const char *ksm_result_name(unsigned int kind, unsigned int result)
{
	if (kind != KSM_EV_SWAPIN_COPY)
		return NULL;
	return result < KSM_COPY_RESULT_MAX ? copy_results[result] : "unknown";
}

bool ksm_event_has_err(unsigned int kind)
{
	return kind == KSM_EV_MERGE_ONE_PAGE || kind == KSM_EV_MERGE_WITH_KSM_PAGE ||
	       kind == KSM_EV_REMOVE_ALL_STABLE_NODES_END || kind == KSM_EV_SWAPIN_COPY;
}

/* Does this kind carry a page's pfn (rather than nothing)? */
static bool has_pfn(unsigned int kind)
{
	return kind != KSM_EV_START_SCAN && kind != KSM_EV_STOP_SCAN && kind != KSM_EV_ENTER &&
	       kind != KSM_EV_EXIT && kind != KSM_EV_ADVISOR &&
	       kind != KSM_EV_REMOVE_ALL_STABLE_NODES_BEGIN &&
	       kind != KSM_EV_REMOVE_ALL_STABLE_NODES_END && kind != KSM_EV_POLICY_DECISION;
}

/* What a policy decision means: "deny", "isolate" or "allow". */
const char *ksm_policy_decision_name(__u64 domain, __u64 weight)
{
	if (domain == KSM_POLICY_DOMAIN_NEVER)
		return "deny";
	return domain ? "isolate" : "allow";
}

int ksm_event_detail(const struct ksm_event *e, char *buf, size_t len)
{
	switch (e->kind) {
	case KSM_EV_START_SCAN:
	case KSM_EV_STOP_SCAN:
		return snprintf(buf, len, "seq=%llu rmap=%llu", e->aux[0], e->aux[1]);
	case KSM_EV_MERGE_ONE_PAGE:
		return snprintf(buf, len, "err=%d", e->err);
	case KSM_EV_MERGE_WITH_KSM_PAGE:
		return snprintf(buf, len, "err=%d%s", e->err, e->aux[0] ? "" : " new");
	case KSM_EV_ADVISOR:
		return snprintf(buf, len, "scan=%llums pages=%llu cpu=%llu%%",
				e->aux[0] / 1000000, e->aux[1], e->aux[2]);
	case KSM_EV_STABLE_NODE_INSERT:
		return snprintf(buf, len, "%s", e->aux[0] ? "dup" : "");
	case KSM_EV_STABLE_NODE_REMOVE:
		return snprintf(buf, len, "%s rmap=%llu", ksm_reason_name(e->kind, e->reason),
				e->aux[0]);
	case KSM_EV_GET_FOLIO_STALE:
		return snprintf(buf, len, "%s", ksm_reason_name(e->kind, e->reason));
	case KSM_EV_GET_FOLIO_RETRY:
		return snprintf(buf, len, "->%llx", e->pfn2);
	case KSM_EV_MIGRATE_FOLIO:
		return snprintf(buf, len, "->%llx n%d", e->pfn2, e->nid2);
	case KSM_EV_SWAPIN_COPY:
		return snprintf(buf, len, "%s %s", ksm_reason_name(e->kind, e->reason),
				ksm_result_name(e->kind, e->result));
	case KSM_EV_REMOVE_ALL_STABLE_NODES_BEGIN:
		return snprintf(buf, len, "%s", ksm_reason_name(e->kind, e->reason));
	case KSM_EV_REMOVE_ALL_STABLE_NODES_END:
		return snprintf(buf, len, "rm=%llu busy=%llu err=%d", e->aux[0],
				e->aux[1], e->err);
	case KSM_EV_POLICY_DECISION:
		if (e->aux[0] == KSM_POLICY_DOMAIN_NEVER || !e->aux[0])
			return snprintf(buf, len, "%s w=%llu",
					ksm_policy_decision_name(e->aux[0], e->aux[1]), e->aux[1]);
		return snprintf(buf, len, "isolate:%llu w=%llu", e->aux[0], e->aux[1]);
	default:
		buf[0] = '\0';
		return 0;
	}
}

void ksm_event_print_header(FILE *out, const struct ksm_fmt_opts *o)
{
	if (o->timestamp)
		fprintf(out, "%-8s ", "TIME");
	fprintf(out, "%-19s %7s %-15s %-9s %3s %s\n", "EVENT", "PID", "COMM", "PFN", "NID",
		"DETAIL");
}

void ksm_event_print_text(FILE *out, const struct ksm_event *e, const struct ksm_fmt_opts *o)
{
	char detail[64], pfn[24] = "-", nid[12] = "-", name[20];
	int room = 79 - 58;	/* columns left for the detail after the fixed ones */

	if (o->timestamp) {
		room -= 9;
		time_t t = (time_t)((e->ts_ns + o->boot_offset_ns) / 1000000000ULL);
		struct tm tm;
		char ts[16];

		localtime_r(&t, &tm);
		strftime(ts, sizeof(ts), "%H:%M:%S", &tm);
		fprintf(out, "%-8s ", ts);
	}
	if (has_pfn(e->kind))
		snprintf(pfn, sizeof(pfn), "%llx", e->pfn);
	if (e->nid >= 0)
		snprintf(nid, sizeof(nid), "%d", e->nid);
	/* Long names are cut to keep the line under 80 columns. */
	snprintf(name, sizeof(name), "%s", ksm_event_name(e->kind) ?: "?");
	ksm_event_detail(e, detail, sizeof(detail));
	/* The detail is cut to keep the line under 80 columns; JSON has it all. */
	fprintf(out, "%-19s %7u %-15.15s %-9.9s %3.3s %.*s\n", name, e->pid, e->pid ? e->comm : "-",
		pfn, nid, room, detail);
}

static json_t *hex(__u64 v)
{
	char buf[24];

	snprintf(buf, sizeof(buf), "0x%llx", v);
	return json_string(buf);
}

json_t *ksm_event_to_json(const struct ksm_event *e, const char *cgroup)
{
	json_t *o = json_object();
	const char *r;

	if (!o)
		return NULL;
	json_object_set_new(o, "ts_ns", json_integer((json_int_t)e->ts_ns));
	json_object_set_new(o, "event", json_string(ksm_event_name(e->kind) ?: "unknown"));
	json_object_set_new(o, "source", json_string(ksm_source_name(e->source)));
	json_object_set_new(o, "cpu", json_integer(e->cpu));
	json_object_set_new(o, "pid", json_integer(e->pid));
	json_object_set_new(o, "comm", e->pid ? json_stringn_nocheck(e->comm, strnlen(e->comm,
						sizeof(e->comm))) : json_null());
	json_object_set_new(o, "cgroup_id", json_integer((json_int_t)e->cgroup_id));
	json_object_set_new(o, "cgroup", cgroup ? json_string(cgroup) : json_null());
	json_object_set_new(o, "pfn", has_pfn(e->kind) ? json_integer((json_int_t)e->pfn) :
							 json_null());
	json_object_set_new(o, "nid", e->nid >= 0 ? json_integer(e->nid) : json_null());
	/* A fixed schema: err is null where the tracepoint has none. */
	json_object_set_new(o, "err", ksm_event_has_err(e->kind) ? json_integer(e->err) :
								   json_null());
	if (e->mm)
		json_object_set_new(o, "mm", hex(e->mm));
	if (e->node)
		json_object_set_new(o, "node", hex(e->node));
	r = ksm_reason_name(e->kind, e->reason);
	if (r)
		json_object_set_new(o, "reason", json_string(r));
	r = ksm_result_name(e->kind, e->result);
	if (r)
		json_object_set_new(o, "result", json_string(r));

	switch (e->kind) {
	case KSM_EV_START_SCAN:
	case KSM_EV_STOP_SCAN:
		json_object_set_new(o, "seq", json_integer((json_int_t)e->aux[0]));
		json_object_set_new(o, "rmap_entries", json_integer((json_int_t)e->aux[1]));
		break;
	case KSM_EV_MERGE_WITH_KSM_PAGE:
		json_object_set_new(o, "into_ksm_page", json_boolean(e->aux[0]));
		break;
	case KSM_EV_ADVISOR:
		json_object_set_new(o, "scan_time_ns", json_integer((json_int_t)e->aux[0]));
		json_object_set_new(o, "pages_to_scan", json_integer((json_int_t)e->aux[1]));
		json_object_set_new(o, "cpu_percent", json_integer((json_int_t)e->aux[2]));
		break;
	case KSM_EV_STABLE_NODE_INSERT:
		json_object_set_new(o, "chain", e->aux[0] ? hex(e->aux[0]) : json_null());
		break;
	case KSM_EV_STABLE_NODE_REMOVE:
		json_object_set_new(o, "rmap_items", json_integer((json_int_t)e->aux[0]));
		break;
	case KSM_EV_GET_FOLIO_RETRY:
		json_object_set_new(o, "new_pfn", json_integer((json_int_t)e->pfn2));
		break;
	case KSM_EV_MIGRATE_FOLIO:
	case KSM_EV_SWAPIN_COPY:
		json_object_set_new(o, "new_pfn", json_integer((json_int_t)e->pfn2));
		json_object_set_new(o, "new_nid", e->nid2 >= 0 ? json_integer(e->nid2) :
								 json_null());
		if (e->kind == KSM_EV_SWAPIN_COPY)
			json_object_set_new(o, "src_uptodate",
					    e->aux[0] & KSM_COPY_F_UPTODATE_KNOWN ?
						    json_boolean(e->aux[0] & KSM_COPY_F_UPTODATE) :
						    json_null());
		break;
	case KSM_EV_REMOVE_ALL_STABLE_NODES_END:
		json_object_set_new(o, "removed", json_integer((json_int_t)e->aux[0]));
		json_object_set_new(o, "busy", json_integer((json_int_t)e->aux[1]));
		break;
	case KSM_EV_POLICY_DECISION:
		json_object_set_new(o, "decision",
				    json_string(ksm_policy_decision_name(e->aux[0], e->aux[1])));
		/* never is null: 2^64-1 does not fit a JSON integer */
		json_object_set_new(o, "domain", e->aux[0] == KSM_POLICY_DOMAIN_NEVER ?
					 json_null() : json_integer((json_int_t)e->aux[0]));
		json_object_set_new(o, "weight", json_integer((json_int_t)e->aux[1]));
		json_object_set_new(o, "policy_cgroup_id", json_integer((json_int_t)e->aux[2]));
		break;
	}
	return o;
}

/* ---- reading back ---------------------------------------------------- */

static int name_index(const char *const *names, unsigned int n, const char *s)
{
	for (unsigned int i = 0; i < n; i++)
		if (names[i] && !strcmp(names[i], s))
			return (int)i;
	return -1;
}

static bool get_u64(const json_t *obj, const char *key, __u64 *v)
{
	json_t *j = json_object_get(obj, key);

	if (json_is_integer(j)) {
		*v = (__u64)json_integer_value(j);
		return true;
	}
	if (json_is_string(j)) {
		char *end;

		*v = strtoull(json_string_value(j), &end, 0);
		return *end == '\0';
	}
	return false;
}

static void get_nid(const json_t *obj, const char *key, int32_t *nid)
{
	json_t *j = json_object_get(obj, key);

	*nid = json_is_integer(j) ? (int32_t)json_integer_value(j) : -1;
}

int ksm_event_from_json(const json_t *obj, struct ksm_event *e, char *err, size_t err_len)
{
	const char *name, *s;
	__u64 v;
	int idx;

	memset(e, 0, sizeof(*e));
	if (!json_is_object(obj)) {
		snprintf(err, err_len, "not a JSON object");
		return -EINVAL;
	}
	name = json_string_value(json_object_get(obj, "event"));
	if (!name) {
		snprintf(err, err_len, "missing \"event\"");
		return -EINVAL;
	}
	e->kind = ksm_event_by_name(name);
	if (e->kind == KSM_EV_NONE) {
		snprintf(err, err_len, "unknown event \"%s\"", name);
		return -EINVAL;
	}
	if (!get_u64(obj, "ts_ns", &e->ts_ns)) {
		snprintf(err, err_len, "missing or bad \"ts_ns\"");
		return -EINVAL;
	}
	if (get_u64(obj, "pid", &v))
		e->pid = (uint32_t)v;
	if (get_u64(obj, "cpu", &v))
		e->cpu = (uint32_t)v;
	get_u64(obj, "cgroup_id", &e->cgroup_id);
	get_u64(obj, "pfn", &e->pfn);
	get_u64(obj, "mm", &e->mm);
	get_u64(obj, "node", &e->node);
	get_u64(obj, "new_pfn", &e->pfn2);
	get_nid(obj, "nid", &e->nid);
	get_nid(obj, "new_nid", &e->nid2);
	if (get_u64(obj, "err", &v))
		e->err = (int32_t)v;
	s = json_string_value(json_object_get(obj, "comm"));
	if (s)
		snprintf(e->comm, sizeof(e->comm), "%s", s);
	s = json_string_value(json_object_get(obj, "source"));
	if (s && (idx = name_index(source_names, 3, s)) >= 0)
		e->source = idx;

	s = json_string_value(json_object_get(obj, "reason"));
	if (s) {
		switch (e->kind) {
		case KSM_EV_GET_FOLIO_STALE:
			idx = name_index(stale_reasons, KSM_STALE_MAX, s);
			break;
		case KSM_EV_SWAPIN_COPY:
			idx = name_index(copy_reasons, KSM_COPY_MAX, s);
			break;
		default:
			idx = name_index(node_rm_reasons, KSM_NODE_RM_MAX, s);
		}
		if (idx < 0) {
			snprintf(err, err_len, "unknown reason \"%s\" for %s", s, name);
			return -EINVAL;
		}
		e->reason = idx;
	}
	s = json_string_value(json_object_get(obj, "result"));
	if (s) {
		idx = name_index(copy_results, KSM_COPY_RESULT_MAX, s);
		if (idx < 0) {
			snprintf(err, err_len, "unknown result \"%s\"", s);
			return -EINVAL;
		}
		e->result = idx;
	}
	switch (e->kind) {
	case KSM_EV_START_SCAN:
	case KSM_EV_STOP_SCAN:
		get_u64(obj, "seq", &e->aux[0]);
		get_u64(obj, "rmap_entries", &e->aux[1]);
		break;
	case KSM_EV_MERGE_WITH_KSM_PAGE:
		e->aux[0] = json_is_true(json_object_get(obj, "into_ksm_page"));
		break;
	case KSM_EV_ADVISOR:
		get_u64(obj, "scan_time_ns", &e->aux[0]);
		get_u64(obj, "pages_to_scan", &e->aux[1]);
		get_u64(obj, "cpu_percent", &e->aux[2]);
		break;
	case KSM_EV_STABLE_NODE_INSERT:
		get_u64(obj, "chain", &e->aux[0]);
		break;
	case KSM_EV_STABLE_NODE_REMOVE:
		get_u64(obj, "rmap_items", &e->aux[0]);
		break;
	case KSM_EV_REMOVE_ALL_STABLE_NODES_END:
		get_u64(obj, "removed", &e->aux[0]);
		get_u64(obj, "busy", &e->aux[1]);
		break;
	case KSM_EV_SWAPIN_COPY: {
		/* true, false, or null / absent (the source could not tell) */
		json_t *u = json_object_get(obj, "src_uptodate");

		if (json_is_boolean(u))
			e->aux[0] = KSM_COPY_F_UPTODATE_KNOWN |
				    (json_is_true(u) ? KSM_COPY_F_UPTODATE : 0);
		break;
	}
	case KSM_EV_POLICY_DECISION:
		if (!get_u64(obj, "domain", &e->aux[0]))
			e->aux[0] = KSM_POLICY_DOMAIN_NEVER;
		get_u64(obj, "weight", &e->aux[1]);
		get_u64(obj, "policy_cgroup_id", &e->aux[2]);
		break;
	}
	return 0;
}
