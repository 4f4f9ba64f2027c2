// SPDX-License-Identifier: GPL-2.0
/* ksmdebug snapshot: the KSM state now, as text or as a trace's snapshot line. */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "cli.h"
#include "name_esc.h"
#include "commands.h"
#include "kernel_facts.h"
#include "numa.h"
#include "procfs.h"
#include "snapshot.h"
#include "util.h"

#define MAX_PIDS 4096

static error_t snap_opt(int key, char *arg, struct argp_state *state)
{
	if (key != ARGP_KEY_ARG)
		return ARGP_ERR_UNKNOWN;
	argp_error(state, "unexpected argument '%s'", arg);
	return 0;
}

/* sysfs, the NUMA node count and every KSM user's ksm_stat; 0 or CLI_EXIT_ERROR. */
static int read_state(struct snapshot *s)
{
	static int pids[MAX_PIDS];
	struct numa_map numa;
	int err, n;

	if (snapshot_init(s, "snapshot", 0))
		return cli_err("out of memory");
	s->stable = true; /* one reading: nothing to compare it with */
	err = ksm_sysfs_read(NULL, &s->sysfs);
	if (err)
		return cli_err("%s: %s%s", ksm_sysfs_dir(), strerror(-err),
			       err == -ENOENT ? " (CONFIG_KSM is not set)" : "");
	s->nodes = numa_map_load(&numa) ? 0 : numa.nr_nodes;
	n = snap_ksm_pids(pids, MAX_PIDS);
	for (int i = 0; i < n; i++) {
		struct ksm_proc_stat st;
		char comm[KSM_COMM_LEN] = "";

		if (ksm_stat_read(pids[i], &st))
			continue;
		proc_read_comm(pids[i], comm, sizeof(comm));
		if (snapshot_add_proc(s, pids[i], comm, &st, true))
			return cli_err("out of memory");
	}
	s->ts_ns = now_ns(CLOCK_MONOTONIC);
	err = snapshot_add_sharing(s);
	if (err)
		cli_warn("who shares KSM frames with whom: %s (pagemap, /proc/kpageflags)",
			 strerror(-err));
	return 0;
}

static void print_kernel(const struct kernel_facts *k)
{
	printf("kernel %s", k->release);
	if (k->have_config)
		printf(", CONFIG_KSM=%s (%s)\n", kernel_config_get(k, "CONFIG_KSM"),
		       k->config_source);
	else
		printf(", config not available\n");
}

static void print_state(const struct snapshot *s)
{
	int64_t shared;

	printf("\n/sys/kernel/mm/ksm:\n");
	for (int i = 0; i < s->sysfs.n; i++) {
		if (s->sysfs.ent[i].numeric)
			printf("  %-36s %lld\n", s->sysfs.ent[i].name,
			       (long long)s->sysfs.ent[i].value);
		else
			printf("  %-36s %s\n", s->sysfs.ent[i].name, s->sysfs.ent[i].text);
	}
	printf("\nNUMA: %d node%s\n", s->nodes, s->nodes == 1 ? "" : "s");
	printf("  stable nodes per node: %s\n", snapshot_stable_nodes_source(s));
	if (snapshot_shared_on_one_node(s, &shared))
		printf("  pages_shared on node 0: %lld (%s)\n", (long long)shared,
		       snapshot_shared_source(s));
	else
		printf("  pages_shared per node: %s\n", snapshot_shared_source(s));
	printf("\n%-7s %-15s %10s %10s %10s %12s\n", "PID", "COMM", "MERGING", "RMAP_ITEMS", "ZERO",
	       "PROFIT");
	for (size_t i = 0; i < s->nr_procs; i++) {
		const struct snap_proc *p = &s->procs[i];
		char comm[NAME_ESC_COMM + 16];

		printf("%-7d %s %10lld %10lld %10lld %12lld\n", p->pid,
		       name_pad(p->comm, 15, comm, sizeof(comm)),
		       (long long)p->st.merging_pages, (long long)p->st.rmap_items,
		       (long long)p->st.zero_pages, (long long)p->st.profit);
	}
	if (s->sharing) {
		printf("\nWho shares with whom:\n");
		snapshot_print_sharing(stdout, s, "  ");
	}
}

int cmd_snapshot(int argc, char **argv)
{
	static const struct argp_child children[] = {
		{ &cli_output_argp, 0, NULL, 0 },
		{},
	};
	static const char doc[] =
		"Current KSM state: sysfs counters, per-process ksm_stat, the NUMA picture\n"
		"(what the kernel exposes per node, and what it does not), which cgroups\n"
		"share KSM frames (ksmdebug audit for the frames), kernel facts.\n";
	static const struct argp argp = { NULL, snap_opt, NULL, doc, children, NULL, NULL };
	struct kernel_facts k;
	struct snapshot s;
	int r;

	cli_parse(&argp, argc, argv);
	r = read_state(&s);
	if (!r) {
		kernel_facts_read(&k);
		if (cli.json) {
			json_t *o = snapshot_json(&s);

			json_object_set_new(o, "kernel", kernel_facts_json(&k));
			r = cli_json_print(o) ? CLI_EXIT_ERROR : CLI_EXIT_OK;
		} else {
			print_kernel(&k);
			print_state(&s);
		}
	}
	snapshot_free(&s);
	return r;
}
