// SPDX-License-Identifier: GPL-2.0
/*
 * ksmpolicy: per-cgroup KSM policy through the ksm_bpf_ops struct_ops of
 * kernel-patch/ (0007-0009).  Rules live in BPF maps pinned under
 * /sys/fs/bpf/ksm-bpf, next to the policy's link: the policy outlives the
 * command, and any later ksmpolicy sees and edits it.
 *
 * One module per job: pin.c (bpffs, the lock, the pins, attaching),
 * object.c (loading the built-in or a user's policy, load and unload),
 * rules_cmd.c (set, unset, list, explain), status.c, apply.c, cmd.c (a
 * command's command line).  The rule syntax and its resolution are in
 * lib/policy_rules.c: ksmtop and ksmadvise share them.  This file holds the
 * command table.
 */
#include <stdarg.h>
#include <stdio.h>

#include <bpf/libbpf.h>

#include "cli.h"
#include "ksmpolicy.h"

/* lines under 79 columns: argp rewraps longer ones in --help */
static const char doc[] =
	"Per-cgroup KSM policy through ksm_bpf_ops (kernel-patch/).  A rule applies\n"
	"to the cgroup's whole subtree: the nearest rule sets the action, the\n"
	"nearest one the weight.  Without ksm_bpf_ops every command says so.\n"
	"\n"
	"EXAMPLES:\n"
	"    ksmpolicy set /tenants/a isolate     # shares no page with others\n"
	"    ksmpolicy set /batch deny            # never merge /batch\n"
	"    ksmpolicy set /vms weight 4          # /vms scanned 4x as often as weight 1\n"
	"    ksmpolicy explain 1234               # what applies to process 1234\n"
	"    ksmpolicy -j list                    # the rules and their hits\n"
	"    ksmpolicy apply /etc/ksm-bpf/rules   # at boot\n"
	"    ksmpolicy load build/examples/isolate_top.bpf.o\n"
	"\n"
	"Exit status: 0 ok, 1 error, 2 usage error.";

static const struct cli_cmd cmds[] = {
	{ "set", cmd_set, "CGROUP RULE...          set a cgroup's rule" },
	{ "unset", cmd_unset, "CGROUP [action|weight]  remove a rule (or a part)" },
	{ "list", cmd_list, "                        the rules, with their hits" },
	{ "status", cmd_status, "                        kernel, policy, counters" },
	{ "explain", cmd_explain, "PID|CGROUP              which rule applies, why" },
	{ "apply", cmd_apply, "[--replace] FILE        rules from a file (boot)" },
	{ "load", cmd_load, "[OBJ.bpf.o]             a ksm_bpf_ops object, or the built-in" },
	{ "unload", cmd_unload, "                        detach and unpin the policy" },
};

static int libbpf_print(enum libbpf_print_level level, const char *fmt, va_list ap)
{
	if (level == LIBBPF_DEBUG && !cli.verbose)
		return 0;
	/* the verifier log of a rejected program is a warning: keep it */
	return vfprintf(stderr, fmt, ap);
}

int main(int argc, char **argv)
{
	cli_init("ksmpolicy");
	libbpf_set_print(libbpf_print);
	return cli_dispatch(doc, cmds, sizeof(cmds) / sizeof(cmds[0]), argc, argv);
}
