// SPDX-License-Identifier: GPL-2.0
/*
 * Unit tests for the rows of the kernel series v2's events in
 * include/ksm_event_kinds.h, through lib/event_fmt.c: chain collapse and
 * free, the move to migrate_nodes, merge domain moves and frees; and the
 * reason values this ABI added for them.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "event_fmt.h"

/* Values are appended, never renumbered: user space of another build reads them. */
_Static_assert(KSM_NODE_RM_CHAIN_PRUNE == 6, "KSM_NODE_RM_CHAIN_PRUNE was renumbered");
_Static_assert(KSM_NODE_RM_ORPHAN == 7, "KSM_NODE_RM_ORPHAN was renumbered");
_Static_assert(KSM_NODE_RM_UNKNOWN == 8, "KSM_NODE_RM_UNKNOWN was renumbered");
_Static_assert(KSM_COPY_RESULT_UNKNOWN == 5, "KSM_COPY_RESULT_UNKNOWN was renumbered");

static struct ksm_event ev(unsigned int kind)
{
	return (struct ksm_event){ .kind = kind, .ts_ns = 1, .source = KSM_SRC_TP_PATCHED,
				   .cpu = 1, .nid = -1, .nid2 = -1 };
}

static char *detail_of(const struct ksm_event *e)
{
	static char buf[64];

	ksm_event_detail(e, buf, sizeof(buf));
	return buf;
}

/* to_json, then back: the object for the caller's checks (decref it). */
static json_t *round_trip(const struct ksm_event *e, struct ksm_event *back)
{
	json_t *o = ksm_event_to_json(e, NULL);
	char *text = json_dumps(o, JSON_COMPACT);
	json_t *parsed = json_loads(text, JSON_REJECT_DUPLICATES, NULL);
	char err[128] = "";

	assert_non_null(parsed);
	if (ksm_event_from_json(parsed, back, err, sizeof(err)))
		fail_msg("%s does not read back: %s", text, err);
	free(text);
	json_decref(o);
	return parsed;
}

static const char *str(json_t *o, const char *key)
{
	return json_string_value(json_object_get(o, key));
}

static json_int_t num(json_t *o, const char *key)
{
	json_t *j = json_object_get(o, key);

	if (!json_is_integer(j))
		fail_msg("\"%s\" is not an integer", key);
	return json_integer_value(j);
}

static void names_and_mask(void **state)
{
	const char *bad = NULL;
	uint32_t mask;

	assert_int_equal(ksm_event_parse_list("stable_node_chain_collapse,ksm_stable_node_chain_free,"
					      "stable_node_migrate_list,mm_domain,domain_free",
					      &mask, &bad),
			 0);
	assert_int_equal(mask, KSM_EV_BIT(STABLE_NODE_CHAIN_COLLAPSE) |
				       KSM_EV_BIT(STABLE_NODE_CHAIN_FREE) |
				       KSM_EV_BIT(STABLE_NODE_MIGRATE_LIST) | KSM_EV_BIT(MM_DOMAIN) |
				       KSM_EV_BIT(DOMAIN_FREE));
	/* every kind has a bit of the 32-bit masks */
	assert_true(KSM_EV_MAX <= 32);
	assert_int_equal(__builtin_popcount(mask), 5);
	assert_int_equal(ksm_kind(KSM_EV_MM_DOMAIN)->group, KSM_GRP_POLICY);
	assert_int_equal(ksm_kind(KSM_EV_POLICY_DECISION)->group, KSM_GRP_POLICY);
	assert_int_equal(ksm_kind(KSM_EV_DOMAIN_FREE)->group, KSM_GRP_POLICY);
	assert_int_equal(ksm_kind(KSM_EV_STABLE_NODE_CHAIN_FREE)->group, KSM_GRP_PATCHED);
	assert_int_equal(ksm_kind(KSM_EV_STABLE_NODE_MIGRATE_LIST)->group, KSM_GRP_PATCHED);
}

static void reasons(void **state)
{
	assert_string_equal(ksm_reason_name(KSM_EV_STABLE_NODE_REMOVE, KSM_NODE_RM_ORPHAN),
			    "orphan");
	assert_string_equal(ksm_reason_name(KSM_EV_STABLE_NODE_REMOVE, KSM_NODE_RM_CHAIN_PRUNE),
			    "chain_prune");
	assert_string_equal(ksm_reason_name(KSM_EV_REMOVE_ALL_STABLE_NODES_END,
					    KSM_NODE_RM_UNKNOWN),
			    "unknown");
	assert_int_equal(ksm_reason_by_name(KSM_EV_STABLE_NODE_REMOVE, "orphan"),
			 KSM_NODE_RM_ORPHAN);
	assert_string_equal(ksm_result_name(KSM_EV_SWAPIN_COPY, KSM_COPY_RESULT_UNKNOWN),
			    "unknown");
	assert_int_equal(ksm_result_by_name(KSM_EV_SWAPIN_COPY, "unknown"),
			 KSM_COPY_RESULT_UNKNOWN);
	/* the new kinds carry no reason */
	assert_null(ksm_reason_name(KSM_EV_MM_DOMAIN, 0));
	assert_null(ksm_reason_name(KSM_EV_STABLE_NODE_CHAIN_COLLAPSE, 0));
}

/* collapse: the dup is the node that stays, with its kpfn; the chain goes. */
static void chain_collapse(void **state)
{
	struct ksm_event e = ev(KSM_EV_STABLE_NODE_CHAIN_COLLAPSE), back;
	json_t *o;

	e.node = 0xffff888100002000ULL;
	e.pfn = 0x1234;
	e.aux[0] = 0xffff888100003000ULL;
	assert_string_equal(detail_of(&e), "chain");
	o = round_trip(&e, &back);
	assert_string_equal(str(o, "event"), "stable_node_chain_collapse");
	assert_string_equal(str(o, "node"), "0xffff888100002000");
	assert_string_equal(str(o, "chain"), "0xffff888100003000");
	assert_int_equal(num(o, "pfn"), 0x1234);
	assert_true(json_is_null(json_object_get(o, "err")));
	assert_true(back.node == e.node && back.pfn == e.pfn && back.aux[0] == e.aux[0]);
	json_decref(o);
}

/* free: only the chain, no node, no page. */
static void chain_free(void **state)
{
	struct ksm_event e = ev(KSM_EV_STABLE_NODE_CHAIN_FREE), back;
	json_t *o;

	e.aux[0] = 0xffff888100003000ULL;
	o = round_trip(&e, &back);
	assert_string_equal(str(o, "chain"), "0xffff888100003000");
	assert_null(json_object_get(o, "node"));
	assert_true(json_is_null(json_object_get(o, "pfn")));
	assert_true(back.aux[0] == e.aux[0]);
	json_decref(o);
}

/* the tree a node leaves (nid) and where its page is now (page_nid) */
static void migrate_list(void **state)
{
	struct ksm_event e = ev(KSM_EV_STABLE_NODE_MIGRATE_LIST), back;
	json_t *o;

	e.node = 0xffff888100002000ULL;
	e.pfn = 0x41000;
	e.nid = 0;
	e.aux[0] = 1;
	assert_string_equal(detail_of(&e), "page_nid=1");
	o = round_trip(&e, &back);
	assert_int_equal(num(o, "nid"), 0);
	assert_int_equal(num(o, "page_nid"), 1);
	assert_int_equal(num(o, "pfn"), 0x41000);
	assert_string_equal(str(o, "node"), "0xffff888100002000");
	assert_int_equal(back.nid, 0);
	assert_int_equal(back.aux[0], 1);
	json_decref(o);
}

/* domain ids: 0 the default, never as null, ids past 2^63 as strings */
static void mm_domain(void **state)
{
	static const struct {
		__u64 from, to;
		int err;
		const char *detail;
	} cases[] = {
		{ 0, 4711, 0, "from=0 to=4711" },
		{ 4711, KSM_POLICY_DOMAIN_NEVER, 0, "from=4711 to=never" },
		{ KSM_POLICY_DOMAIN_NEVER, 0, -EBUSY, "err=-16 from=never to=0" },
		{ 0, 0x8000000000000001ULL, 0, "from=0 to=9223372036854775809" },
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct ksm_event e = ev(KSM_EV_MM_DOMAIN), back;
		json_t *o, *to;

		e.mm = 0xffff888100005000ULL;
		e.pid = 42;
		strcpy(e.comm, "ksmload");
		e.aux[0] = cases[i].from;
		e.aux[1] = cases[i].to;
		e.err = cases[i].err;
		assert_string_equal(detail_of(&e), cases[i].detail);
		o = round_trip(&e, &back);
		to = json_object_get(o, "to");
		if (cases[i].to == KSM_POLICY_DOMAIN_NEVER)
			assert_true(json_is_null(to));
		else if (cases[i].to > INT64_MAX)
			assert_string_equal(json_string_value(to), "9223372036854775809");
		else
			assert_int_equal(json_integer_value(to), cases[i].to);
		/* no "decision": that is policy_decision's */
		assert_null(json_object_get(o, "decision"));
		assert_int_equal(num(o, "err"), cases[i].err);
		assert_string_equal(str(o, "mm"), "0xffff888100005000");
		assert_true(back.aux[0] == cases[i].from && back.aux[1] == cases[i].to);
		assert_int_equal(back.err, cases[i].err);
		json_decref(o);
	}
}

static void domain_free(void **state)
{
	struct ksm_event e = ev(KSM_EV_DOMAIN_FREE), back;
	json_t *o;

	e.aux[0] = 4711;
	e.aux[1] = 3;
	assert_string_equal(detail_of(&e), "domain=4711 rm=3");
	o = round_trip(&e, &back);
	assert_int_equal(num(o, "domain"), 4711);
	assert_int_equal(num(o, "removed"), 3);
	assert_null(json_object_get(o, "decision"));
	assert_true(back.aux[0] == 4711 && back.aux[1] == 3);
	json_decref(o);
}

/* policy_decision, now in the POLICY group, keeps its fields; a huge domain reads back. */
static void policy_decision_huge_domain(void **state)
{
	struct ksm_event e = ev(KSM_EV_POLICY_DECISION), back;
	json_t *o;

	e.aux[0] = UINT64_MAX - 1;
	e.aux[1] = 2;
	o = round_trip(&e, &back);
	assert_string_equal(str(o, "decision"), "isolate");
	assert_string_equal(str(o, "domain"), "18446744073709551614");
	assert_true(back.aux[0] == UINT64_MAX - 1);
	json_decref(o);
}

/* Readers of hand-written traces: a domain that is not a number is an error. */
static void domain_errors(void **state)
{
	static const char *const lines[] = {
		"{\"event\":\"mm_domain\",\"ts_ns\":1,\"to\":-1}",
		"{\"event\":\"mm_domain\",\"ts_ns\":1,\"from\":\"never\"}",
		"{\"event\":\"domain_free\",\"ts_ns\":1,\"domain\":1.5}",
	};

	for (size_t i = 0; i < sizeof(lines) / sizeof(lines[0]); i++) {
		json_t *o = json_loads(lines[i], 0, NULL);
		struct ksm_event e;
		char err[128] = "";

		assert_non_null(o);
		if (ksm_event_from_json(o, &e, err, sizeof(err)) != -EINVAL)
			fail_msg("%s read without an error", lines[i]);
		json_decref(o);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(names_and_mask), cmocka_unit_test(reasons),
		cmocka_unit_test(chain_collapse), cmocka_unit_test(chain_free),
		cmocka_unit_test(migrate_list),	  cmocka_unit_test(mm_domain),
		cmocka_unit_test(domain_free),	  cmocka_unit_test(policy_decision_huge_domain),
		cmocka_unit_test(domain_errors),
	};

	return cmocka_run_group_tests_name("event_series", tests, NULL, NULL);
}
