// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>

#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "cgroup.h"
#include "cli.h"
#include "ksmpolicy.h"
#include "name_esc.h"
#include "object.h"
#include "policy_pin.h"
#include "procfs.h"
#include "rules_cmd.h"
#include "util.h"

int rule_put(const struct pinned *p, uint64_t id, const struct ksm_policy_rule *r)
{
	if (r->action == KSM_POLICY_NONE && !(r->flags & KSM_POLICY_RULE_WEIGHT)) {
		if (bpf_map_delete_elem(p->rules_fd, &id) && errno != ENOENT)
			return -errno;
		bpf_map_delete_elem(p->stats_fd, &id);
		return 0;
	}
	return bpf_map_update_elem(p->rules_fd, &id, r, BPF_ANY) ? -errno : 0;
}

/* A cgroup named on the command line: its id and its path ("/a/b"). */
static int resolve_cgroup(const char *arg, uint64_t *id, char *rel, size_t rel_len)
{
	int level, err = cgroup_resolve(arg, id, &level, rel, rel_len);

	if (err == -ENOENT)
		return cli_err("no such cgroup: %s", arg);
	if (err == -ENOTDIR || err == -EINVAL)
		return cli_err("not a cgroup v2 directory: %s", arg);
	if (err)
		return cli_err("%s: %s", arg, strerror(-err));
	return 0;
}

/* A rule's action and weight in JSON: null where it sets none. */
static json_t *action_json(const struct ksm_policy_rule *r)
{
	return r->action != KSM_POLICY_NONE ? json_string(policy_action_name(r->action))
					    : json_null();
}

static json_t *weight_json(const struct ksm_policy_rule *r)
{
	return r->flags & KSM_POLICY_RULE_WEIGHT ? json_integer(r->weight) : json_null();
}

/* ---- set, unset ---------------------------------------------------------- */

/*
 * o with "cgroup" (and "cgroup_bytes" when the path is not UTF-8: the JSON
 * rule of name_esc.h); NULL when o is NULL or out of memory.
 */
static json_t *with_cgroup(json_t *o, const char *path)
{
	if (o && name_json_set(o, "cgroup", path)) {
		json_decref(o);
		return NULL;
	}
	return o;
}

static const char set_doc[] =
	"Set the rule of CGROUP (a path below the cgroup v2 mount, or under it): one action "
	"(allow, deny, isolate) and/or weight N (0-1000).  Merges into an existing rule: "
	"'set /a weight 4' keeps /a's action.  Loads the built-in policy if none is loaded.";
static const struct cmd_syntax set_syntax = { "CGROUP allow|deny|isolate|weight N...", set_doc, 2,
					      -1, NULL };

int cmd_set(int argc, char **argv)
{
	struct ksm_policy_rule words = {}, r = {};
	char rel[4096], err[256], s[64];
	struct pinned p;
	uint64_t id;
	char **args;
	int n, rc;

	n = cmd_parse(&set_syntax, argc, argv, &args);
	if (policy_parse_words(n - 1, args + 1, &words, err, sizeof(err)))
		return cli_usage_err("%s", err);
	rc = pin_prepare(true);
	if (!rc)
		rc = resolve_cgroup(args[0], &id, rel, sizeof(rel));
	if (!rc)
		rc = builtin_open(&p, true);
	if (rc)
		return rc;
	/* the words change only what they say */
	bpf_map_lookup_elem(p.rules_fd, &id, &r);
	policy_rule_merge(&r, &words);
	rc = rule_put(&p, id, &r);
	pinned_close(&p);
	if (rc)
		return cli_err("setting the rule of %s failed: %s", rel, strerror(-rc));
	if (cli.json)
		return cmd_print_json(with_cgroup(json_pack("{s:o,s:I,s:o}", "action",
							    action_json(&r), "cgroup_id",
							    (json_int_t)id, "weight", weight_json(&r)),
						  rel));
	policy_rule_str(&r, s, sizeof(s));
	if (!cli.quiet) {
		name_fputs(rel, stdout);
		printf(": %s\n", s);
	}
	return 0;
}

static const char unset_doc[] =
	"Remove the rule of CGROUP, or one part of it.  id:ID names the rule of a removed "
	"cgroup, as list shows it.";
static const struct cmd_syntax unset_syntax = { "CGROUP|id:ID [action|weight]", unset_doc, 1, 2,
						NULL };

int cmd_unset(int argc, char **argv)
{
	struct ksm_policy_rule r = {};
	const char *part;
	char rel[4096];
	struct pinned p;
	uint64_t id;
	char **args;
	bool by_id;
	int rc;

	part = cmd_parse(&unset_syntax, argc, argv, &args) == 2 ? args[1] : NULL;
	if (part && strcmp(part, "action") && strcmp(part, "weight"))
		return cli_usage_err("'%s': say 'action' or 'weight' (or nothing for the whole "
				     "rule)",
				     part);
	/* a removed cgroup's rule is unset by its id: list shows it */
	by_id = !strncmp(args[0], "id:", 3);
	if (by_id && !parse_u64(args[0] + 3, 1, UINT64_MAX, &id))
		return cli_usage_err("bad cgroup id '%s'", args[0] + 3);
	snprintf(rel, sizeof(rel), "%s", args[0]);
	rc = pin_prepare(true);
	if (!rc && !by_id)
		rc = resolve_cgroup(args[0], &id, rel, sizeof(rel));
	if (!rc)
		rc = builtin_open(&p, false);
	if (rc == -ENOENT)
		return cli_err("no policy is loaded: nothing to unset");
	if (rc)
		return rc;
	if (bpf_map_lookup_elem(p.rules_fd, &id, &r)) {
		pinned_close(&p);
		return cli_err("%s has no rule", rel);
	}
	if (!part)
		memset(&r, 0, sizeof(r));
	else if (!strcmp(part, "action"))
		r.action = KSM_POLICY_NONE;
	else
		r.flags &= ~KSM_POLICY_RULE_WEIGHT, r.weight = 0;
	rc = rule_put(&p, id, &r);
	pinned_close(&p);
	if (rc)
		return cli_err("unsetting the rule of %s failed: %s", rel, strerror(-rc));
	if (cli.json)
		return cmd_print_json(with_cgroup(json_pack("{s:I,s:b}", "cgroup_id",
							    (json_int_t)id, "removed", !part),
						  rel));
	if (!cli.quiet) {
		name_fputs(rel, stdout);
		printf(": rule %s\n", part ? "updated" : "removed");
	}
	return 0;
}

/* ---- list ------------------------------------------------------------------ */

static void stats_sum(int fd, uint64_t id, struct ksm_policy_stats *sum)
{
	int ncpu = libbpf_num_possible_cpus();
	struct ksm_policy_stats v[ncpu > 0 ? ncpu : 1];

	memset(sum, 0, sizeof(*sum));
	if (fd < 0 || ncpu <= 0 || bpf_map_lookup_elem(fd, &id, v))
		return;
	for (int i = 0; i < ncpu; i++) {
		sum->action_hits += v[i].action_hits;
		sum->weight_hits += v[i].weight_hits;
	}
}

static int rule_list_add(struct rule_list *l, const struct rule_row *row)
{
	struct rule_row *v = realloc(l->v, (l->n + 1) * sizeof(*v));

	if (!v)
		return -ENOMEM;
	l->v = v;
	l->v[l->n++] = *row;
	return 0;
}

/* Every rule of the pinned built-in policy, with its cgroup and counters. */
static int rule_list_read(const struct pinned *p, struct rule_list *l)
{
	struct cgroup_cache cc;
	uint64_t key, next, *kp = NULL;
	int err = 0;

	cgroup_cache_init(&cc);
	while (!err && !bpf_map_get_next_key(p->rules_fd, kp, &next)) {
		struct rule_row row = { .cgroup_id = next };
		const char *path;

		key = next;
		kp = &key;
		/* a rule deleted since get_next_key: nothing to show */
		if (bpf_map_lookup_elem(p->rules_fd, &key, &row.rule))
			continue;
		stats_sum(p->stats_fd, key, &row.hits);
		path = cgroup_cache_path(&cc, key);
		/* copied: the cache may rescan, and free its paths, at the next miss */
		row.cgroup = path ? strdup(path) : NULL;
		err = (path && !row.cgroup) ? -ENOMEM : rule_list_add(l, &row);
	}
	cgroup_cache_free(&cc);
	return err;
}

void rule_list_free(struct rule_list *l)
{
	for (size_t i = 0; i < l->n; i++)
		free(l->v[i].cgroup);
	free(l->v);
	memset(l, 0, sizeof(*l));
}

json_t *rule_list_json(const struct rule_list *l)
{
	json_t *arr = json_array();

	for (size_t i = 0; arr && i < l->n; i++) {
		const struct rule_row *r = &l->v[i];

		if (json_array_append_new(
			    arr, with_cgroup(json_pack("{s:o,s:I,s:I,s:b,s:o,s:I}", "action",
						       action_json(&r->rule), "action_hits",
						       (json_int_t)r->hits.action_hits, "cgroup_id",
						       (json_int_t)r->cgroup_id, "exists",
						       r->cgroup != NULL, "weight",
						       weight_json(&r->rule), "weight_hits",
						       (json_int_t)r->hits.weight_hits),
					     r->cgroup))) {
			json_decref(arr);
			return NULL;
		}
	}
	return arr;
}

void rule_list_print(FILE *out, const struct rule_list *l)
{
	if (!l->n) {
		fprintf(out, l->loaded ? "no rules\n" : "no policy loaded\n");
		return;
	}
	fprintf(out, "%-32s %-14s %12s %12s\n", "CGROUP", "RULE", "ACTION_HITS", "WEIGHT_HITS");
	for (size_t i = 0; i < l->n; i++) {
		const struct rule_row *r = &l->v[i];
		char s[64], id[64], cg[NAME_ESC_SIZE(PATH_MAX) + 32];

		policy_rule_str(&r->rule, s, sizeof(s));
		snprintf(id, sizeof(id), "id:%llu (removed)", (unsigned long long)r->cgroup_id);
		/* the path by the name rule, never cut: a long one widens its row */
		name_pad(r->cgroup ? r->cgroup : id, 32, cg, sizeof(cg));
		fprintf(out, "%s %-14s %12llu %12llu\n", cg, s,
			(unsigned long long)r->hits.action_hits,
			(unsigned long long)r->hits.weight_hits);
	}
}

static const char list_doc[] =
	"The rules, with the cgroup path (or id:N (removed) for a cgroup that no longer "
	"exists) and per rule the decisions it made: ACTION_HITS (mm-rounds whose action came "
	"from it) and WEIGHT_HITS.";
static const struct cmd_syntax list_syntax = { "", list_doc, 0, 0, NULL };

int cmd_list(int argc, char **argv)
{
	struct rule_list l = {};
	struct pinned p;
	int rc;

	cmd_parse(&list_syntax, argc, argv, NULL);
	rc = pin_prepare(false);
	if (!rc)
		rc = builtin_open(&p, false);
	if (rc > 0)
		return rc;
	l.loaded = rc == 0;
	if (l.loaded) {
		rc = rule_list_read(&p, &l);
		pinned_close(&p);
		if (rc) {
			rule_list_free(&l);
			return cli_err("reading the rules: %s", strerror(-rc));
		}
	}
	if (cli.json)
		rc = cmd_print_json(rule_list_json(&l));
	else if (!cli.quiet || l.n)
		rule_list_print(stdout, &l);
	rule_list_free(&l);
	return rc;
}

/* ---- explain ----------------------------------------------------------------- */

json_t *explanation_json(const struct explanation *e)
{
	const struct policy_resolution *res = &e->res;
	json_t *o = json_pack("{s:s,s:I,s:o,s:o*,s:b,s:I}", "action",
			      policy_action_name(res->action), "cgroup_id",
			      (json_int_t)e->cgroup_id, "domain",
			      res->domain == KSM_POLICY_DOMAIN_NEVER
				      ? json_null()
				      : json_integer((json_int_t)res->domain),
			      "pid", e->pid ? json_integer(e->pid) : NULL, "policy_loaded",
			      e->policy_loaded, "weight", (json_int_t)res->weight);

	/* paths by the JSON rule of name_esc.h ("KEY_bytes" when not UTF-8) */
	if (o && (name_json_set(o, "action_rule", e->action_rule[0] ? e->action_rule : NULL) ||
		  name_json_set(o, "weight_rule", e->weight_rule[0] ? e->weight_rule : NULL))) {
		json_decref(o);
		return NULL;
	}
	return with_cgroup(o, e->cgroup);
}

/* " (rule on /a, inherited)", or the default's note when no rule sets it */
static void print_origin(FILE *out, const char *rule, const char *cgroup, const char *dflt)
{
	if (rule[0]) {
		fputs(" (rule on ", out);
		name_fputs(rule, out);
		fprintf(out, "%s)", strcmp(rule, cgroup) ? ", inherited" : "");
	} else {
		fprintf(out, " (%s)", dflt);
	}
}

void explanation_print(FILE *out, const struct explanation *e)
{
	const struct policy_resolution *res = &e->res;
	/* paths are anyone's names: shown by the rule of name_esc.h */
	char *cg = name_escape_dup(e->cgroup, 0), *rule = name_escape_dup(e->action_rule, 0);

	if (!cg || !rule)
		goto out;
	if (e->pid)
		fprintf(out, "process %d is in %s\n", e->pid, cg);
	if (!e->policy_loaded)
		fprintf(out, "no policy is loaded: KSM merges and scans %s as usual\n", cg);
	fprintf(out, "%s: %s", cg, policy_action_name(res->action));
	print_origin(out, e->action_rule, e->cgroup, "default: no rule sets an action");
	if (res->action == KSM_POLICY_DENY)
		fprintf(out, ": its pages are never merged\n");
	else if (res->action == KSM_POLICY_ISOLATE)
		fprintf(out, ": its pages merge only within %s (domain %llu)\n", rule,
			(unsigned long long)res->domain);
	else
		fprintf(out, ": its pages merge with any allowed page (domain 0)\n");
	fprintf(out, "%s: weight %u", cg, res->weight);
	print_origin(out, e->weight_rule, e->cgroup, "default");
	/* series v2: weights are relative to the highest one in force */
	if (res->weight)
		fprintf(out, ": scanned in %u of every N rounds, N the highest weight in force\n",
			res->weight);
	else
		fprintf(out, ": not scanned (its merged pages stay merged)\n");
out:
	free(cg);
	free(rule);
}

/* A PID or a cgroup: the cgroup to explain.  0, or the exit status. */
static int explain_target(const char *arg, struct explanation *e)
{
	uint64_t v;

	if (arg[0] == '/' || !parse_u64(arg, 1, INT32_MAX, &v))
		return resolve_cgroup(arg, &e->cgroup_id, e->cgroup, sizeof(e->cgroup));
	e->pid = (int)v;
	if (!pid_exists(e->pid))
		return cli_err("no such process: %d", e->pid);
	e->cgroup_id = cgroup_id_of_pid(e->pid, e->cgroup, sizeof(e->cgroup));
	if (!e->cgroup_id)
		return cli_err("cannot find the cgroup v2 of process %d", e->pid);
	return 0;
}

static const char explain_doc[] =
	"Which rule applies to a process or a cgroup, and why, walking the cgroup tree as "
	"the BPF program does: the action and the rule it comes from (inherited or not), the "
	"merge domain, the weight and its rule.";
static const struct cmd_syntax explain_syntax = { "PID|CGROUP", explain_doc, 1, 1, NULL };

int cmd_explain(int argc, char **argv)
{
	struct explanation e = {};
	struct pinned p;
	char **args;
	int rc;

	cmd_parse(&explain_syntax, argc, argv, &args);
	rc = pin_prepare(false);
	if (!rc)
		rc = explain_target(args[0], &e);
	if (!rc)
		rc = builtin_open(&p, false);
	if (rc > 0)
		return rc;
	e.policy_loaded = rc == 0;
	/* the same walk as the BPF program: nearest rule first */
	rc = policy_resolve_path(e.policy_loaded ? p.rules_fd : -1, e.cgroup, &e.res, e.action_rule,
				 sizeof(e.action_rule), e.weight_rule, sizeof(e.weight_rule));
	if (e.policy_loaded)
		pinned_close(&p);
	if (rc)
		return cli_err("%s: %s", e.cgroup, strerror(-rc));
	if (cli.json)
		return cmd_print_json(explanation_json(&e));
	explanation_print(stdout, &e);
	return 0;
}
