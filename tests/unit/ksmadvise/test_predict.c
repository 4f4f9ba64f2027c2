// SPDX-License-Identifier: GPL-2.0
/*
 * ksmadvise's model of KSM on pages made here: max_page_sharing chains
 * (and the lone page a full chain leaves), the zero page with and without
 * use_zero_pages, volatile pages, each scope (together, per node, per
 * cgroup, per boundary), the cross-cgroup pairs, and the outputs: JSON,
 * and a rules file that ksmpolicy's own parser reads back.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "advise.h"
#include "policy_rules.h"
#include "report.h"

static struct adv a;

/* A cgroup in its own domain (or in the boundary given), one process in it. */
static uint32_t add_proc(const char *cg, const char *domain)
{
	uint32_t c = (uint32_t)a.ncgs, d = (uint32_t)a.ndomains;

	a.cgs = realloc(a.cgs, (a.ncgs + 1) * sizeof(*a.cgs));
	memset(&a.cgs[c], 0, sizeof(a.cgs[0]));
	a.cgs[c].path = strdup(cg);
	workload_from_cgroup(cg, &a.cgs[c].wl);
	for (uint32_t i = 0; i < a.ndomains; i++)
		if (!strcmp(a.domains[i].name, domain ? domain : cg))
			d = i;
	if (d == a.ndomains) {
		a.domains = realloc(a.domains, (a.ndomains + 1) * sizeof(*a.domains));
		memset(&a.domains[d], 0, sizeof(a.domains[0]));
		a.domains[a.ndomains++].name = strdup(domain ? domain : cg);
	}
	a.cgs[c].domain = d;
	a.workloads = realloc(a.workloads, (a.nworkloads + 1) * sizeof(*a.workloads));
	memset(&a.workloads[a.nworkloads], 0, sizeof(a.workloads[0]));
	a.workloads[a.nworkloads].name = strdup(cg);
	a.cgs[c].workload = (uint32_t)a.nworkloads++;
	a.ncgs++;
	a.procs = realloc(a.procs, (a.nprocs + 1) * sizeof(*a.procs));
	memset(&a.procs[a.nprocs], 0, sizeof(a.procs[0]));
	a.procs[a.nprocs].pid = 1000 + (pid_t)a.nprocs;
	a.procs[a.nprocs].cg = c;
	return (uint32_t)a.nprocs++;
}

/* n pages of content group g in process p (group ADV_NONE: volatile). */
static void add_pages(uint32_t p, uint32_t g, uint64_t n, uint16_t flags, int16_t nid)
{
	a.pages = realloc(a.pages, (a.npages + n) * sizeof(*a.pages));
	for (uint64_t i = 0; i < n; i++)
		a.pages[a.npages++] = (struct adv_page){
			.vpage = 16 + i, .proc = p, .group = g, .nid = nid, .flags = flags
		};
	if (g != ADV_NONE && g + 1 > a.ngroups)
		a.ngroups = g + 1;
}

static int setup(void **state)
{
	memset(&a, 0, sizeof(a));
	a.knobs = (struct adv_knobs){ .max_page_sharing = 256, .merge_across_nodes = true };
	a.nr_nodes = 2;
	return 0;
}

static int teardown(void **state)
{
	adv_free(&a);
	return 0;
}

static void chains(void **state)
{
	uint32_t p = add_proc("/a", NULL);

	add_pages(p, 0, 257, 0, 0); /* one full dup and a lone page */
	add_pages(p, 1, 258, 0, 0); /* two dups: 256 + 2 */
	add_pages(p, 2, 512, 0, 0); /* two full dups */
	add_pages(p, 3, 1, 0, 0);   /* unique */
	add_pages(p, 4, 2, 0, 0);   /* the smallest merge */
	assert_int_equal(adv_predict(&a), 0);
	assert_int_equal(a.config.ksm_pages, 1 + 2 + 2 + 0 + 1);
	assert_int_equal(a.config.merging, 256 + 258 + 512 + 2);
	assert_int_equal(a.config.sharing, 255 + 256 + 510 + 1);
	assert_int_equal(a.config.leftover, 1);
	assert_int_equal(a.config.saving, a.config.sharing);
	assert_int_equal(a.procs[p].c.merging, a.config.merging);
	/* the lone page is the last ksmd meets */
	assert_false(a.pages[256].flags & PG_MERGED);
	assert_true(a.pages[255].flags & PG_MERGED);
	/* another max_page_sharing: one dup for 257 */
	adv_free(&a);
	setup(state);
	a.knobs.max_page_sharing = 1000;
	p = add_proc("/a", NULL);
	add_pages(p, 0, 257, 0, 0);
	assert_int_equal(adv_predict(&a), 0);
	assert_int_equal(a.config.ksm_pages, 1);
	assert_int_equal(a.config.sharing, 256);
}

static void zero_pages(void **state)
{
	uint32_t p = add_proc("/a", NULL), q = add_proc("/b", NULL);

	add_pages(p, 0, 3, PG_ZERO, 0);
	add_pages(q, 0, 1, PG_ZERO, 0);
	add_pages(q, 1, 1, PG_ZERO, 0); /* a lone zero page in its own group */
	a.knobs.use_zero_pages = true;
	assert_int_equal(adv_predict(&a), 0);
	/* every zero page goes to the zero page, even alone; no KSM page */
	assert_int_equal(a.config.zero, 5);
	assert_int_equal(a.config.ksm_pages, 0);
	assert_int_equal(a.config.sharing, 0);
	assert_int_equal(a.config.saving, 5);
	assert_int_equal(a.procs[q].c.zero, 2);
	assert_int_equal(a.procs[q].c.merging, 0);
	/* the zero page is everyone's: no cross-cgroup pair, no cross saving */
	assert_int_equal(a.npairs, 0);
	assert_int_equal(a.per_cgroup.saving, 5);
}

static void zero_pages_off(void **state)
{
	uint32_t p = add_proc("/a", NULL), q = add_proc("/b", NULL);

	add_pages(p, 0, 3, PG_ZERO, 0);
	add_pages(q, 0, 1, PG_ZERO, 0);
	assert_int_equal(adv_predict(&a), 0);
	assert_int_equal(a.config.zero, 0);
	assert_int_equal(a.config.ksm_pages, 1);
	assert_int_equal(a.config.sharing, 3);
	assert_int_equal(a.procs[q].c.merging, 1);
	assert_int_equal(a.procs[q].c.isolated, 0);
	assert_int_equal(a.procs[q].c.needs_sharing, 1);
	assert_int_equal(a.npairs, 1);
	assert_int_equal(a.pairs[0].frames, 1);
}

static void scopes_and_pairs(void **state)
{
	uint32_t p = add_proc("/t/a", "/t/a"), q = add_proc("/t/b", "/t/b");
	uint32_t r = add_proc("/t/c", "/t/b");

	a.bounds.n = 1; /* as if -b was given: the domains above count */
	add_pages(p, 0, 3, 0, 0);
	add_pages(q, 0, 1, 0, 1);
	add_pages(r, 0, 1, 0, 1);
	add_pages(q, 1, 2, 0, 0);
	add_pages(r, 1, 2, 0, 1);
	add_pages(q, ADV_NONE, 4, PG_VOLATILE, 0);
	assert_int_equal(adv_predict(&a), 0);
	/* together: group 0 five mappings, group 1 four */
	assert_int_equal(a.global.ksm_pages, 2);
	assert_int_equal(a.global.saving, 4 + 3);
	/* per node: group 0 is 3 on node 0 + 2 on node 1; group 1 is 2 + 2 */
	assert_int_equal(a.per_node.ksm_pages, 4);
	assert_int_equal(a.per_node.saving, 2 + 1 + 1 + 1);
	/* per cgroup: group 0 merges only in /t/a; group 1 in /t/b and /t/c */
	assert_int_equal(a.per_cgroup.ksm_pages, 3);
	assert_int_equal(a.per_cgroup.saving, 2 + 1 + 1);
	assert_int_equal(a.cgs[1].saving_isolated, 1);
	/* per boundary: /t/b holds /t/b and /t/c */
	assert_int_equal(a.per_domain.saving, 2 + 1 + 3);
	assert_int_equal(a.domains[1].saving_isolated, 1 + 3);
	assert_int_equal(a.procs[q].c.volatile_, 4);
	assert_int_equal(a.procs[q].c.pages, 4 + 1 + 2);
	assert_int_equal(a.procs[q].c.needs_sharing, 1);
	assert_int_equal(a.cross_contents, 2);
	/* pairs: (a,b) and (a,c) share group 0, (b,c) groups 0 and 1 */
	assert_int_equal(a.npairs, 3);
	assert_int_equal(a.pairs[0].a, 1);
	assert_int_equal(a.pairs[0].b, 2);
	assert_int_equal(a.pairs[0].frames, 2);
	/* the pro-rata shares add up to the saving */
	assert_true(a.procs[p].c.saving + a.procs[q].c.saving + a.procs[r].c.saving > 6.999);
}

static void across_nodes_off(void **state)
{
	uint32_t p = add_proc("/a", NULL);

	a.knobs.merge_across_nodes = false;
	add_pages(p, 0, 1, 0, 0);
	add_pages(p, 0, 1, 0, 1);
	assert_int_equal(adv_predict(&a), 0);
	assert_int_equal(a.config.ksm_pages, 0);
	assert_int_equal(a.procs[p].c.merging, 0);
	assert_int_equal(a.global.ksm_pages, 1);
}

static void rules_parse_back(void **state)
{
	uint32_t p = add_proc("/tenants/a", NULL);
	struct policy_file pf;
	char *out = NULL;
	size_t len = 0;
	FILE *f;

	add_proc("/tenants/b b", NULL);
	add_proc("/", NULL);
	add_proc("/tenants/\x1b[31m", NULL);
	add_pages(p, 0, 2, 0, 0);
	assert_int_equal(adv_predict(&a), 0);
	f = open_memstream(&out, &len);
	report_rules(f, &a);
	fclose(f);
	assert_non_null(strstr(out, "\n/tenants/a isolate\n"));
	assert_non_null(strstr(out, "# cannot be written in a rules file: /tenants/b b\n"));
	assert_non_null(strstr(out, "# cannot be written in a rules file: /tenants/\\x1b[31m\n"));
	assert_null(strstr(out, "\x1b"));
	f = fmemopen(out, len, "r");
	assert_int_equal(policy_file_parse(f, "rules", &pf), 0);
	assert_int_equal(pf.n, 1);
	assert_string_equal(pf.v[0].cgroup, "/tenants/a");
	assert_int_equal(pf.v[0].rule.action, KSM_POLICY_ISOLATE);
	policy_file_free(&pf);
	fclose(f);
	free(out);
}

static void json_report(void **state)
{
	uint32_t p = add_proc("/a\xff", NULL);
	json_t *j, *back;
	json_error_t e;
	char *s;

	add_pages(p, 0, 3, 0, 0);
	assert_int_equal(adv_predict(&a), 0);
	j = report_json(&a);
	s = json_dumps(j, JSON_COMPACT);
	assert_non_null(s);
	/* what was printed parses back, invalid UTF-8 escaped */
	back = json_loads(s, 0, &e);
	assert_non_null(back);
	assert_int_equal(json_integer_value(json_object_get(json_object_get(back, "prediction"),
							    "pages_sharing")),
			 2);
	assert_non_null(strstr(s, "\"cgroup\":\"/a\\\\xff\""));
	free(s);
	json_decref(back);
	json_decref(j);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(chains, setup, teardown),
		cmocka_unit_test_setup_teardown(zero_pages, setup, teardown),
		cmocka_unit_test_setup_teardown(zero_pages_off, setup, teardown),
		cmocka_unit_test_setup_teardown(scopes_and_pairs, setup, teardown),
		cmocka_unit_test_setup_teardown(across_nodes_off, setup, teardown),
		cmocka_unit_test_setup_teardown(rules_parse_back, setup, teardown),
		cmocka_unit_test_setup_teardown(json_report, setup, teardown),
	};

	return cmocka_run_group_tests_name("ksmadvise", tests, NULL, NULL);
}
