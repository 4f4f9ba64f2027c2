// SPDX-License-Identifier: GPL-2.0
/*
 * ksmdebug audit: which cgroups share KSM frames right now, and whether any
 * frame crosses a security boundary the user names (--boundary GLOB).  KSM
 * merging across tenants is what the published KSM side channels need; with
 * ksmpolicy isolate rules on a patched kernel, a clean audit is the proof
 * that isolation holds.  Exit 3 when a frame crosses a boundary, 0 when
 * none does (or no boundary was named).
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "boundary.h"
#include "cli.h"
#include "commands.h"
#include "name_esc.h"
#include "sharing.h"
#include "util.h"

#define MAX_CROSSINGS 1024

static struct {
	struct boundaries b;
	bool frames;
} aud;

enum { OPT_FRAMES = 1000 };

static const struct argp_option audit_opts[] = {
	{ "boundary", 'b', "GLOB", 0,
	  "A security boundary: the cgroups the glob names, with their subtrees; repeatable", 0 },
	{ "frames", OPT_FRAMES, NULL, 0, "List every frame mapped from two cgroups or more", 0 },
	{},
};

static error_t audit_opt(int key, char *arg, struct argp_state *state)
{
	switch (key) {
	case 'b':
		if (boundary_add(&aud.b, arg))
			argp_error(state,
				   "invalid boundary '%s' (an absolute cgroup glob, at most %d)",
				   arg, BOUNDARY_MAX);
		return 0;
	case OPT_FRAMES:
		aud.frames = true;
		return 0;
	case ARGP_KEY_ARG:
		argp_error(state, "unexpected argument '%s'", arg);
		return 0;
	default:
		return ARGP_ERR_UNKNOWN;
	}
}

static const char *side(const char *b)
{
	return b[0] ? b : "(outside)";
}

/* The boundaries' own frames, in text: pfn, cgroups, pids. */
static void print_frames(const struct sharing_snapshot *s)
{
	char esc[NAME_ESC_SIZE(4096)];

	printf("\n%-12s %-9s %s\n", "PFN", "MAPPINGS", "CGROUPS (PIDS)");
	for (size_t i = 0; i < s->nframes; i++) {
		const struct sharing_frame *f = &s->frames[i];

		if (f->ncgs < 2)
			continue;
		printf("%#-12llx %-9u", (unsigned long long)f->pfn, f->nmaps);
		for (uint32_t k = f->first; k < f->first + f->nmaps; k++) {
			const struct sharing_map *m = &s->maps[k];

			if (k == f->first || m->cg != s->maps[k - 1].cg)
				printf(" %s", name_escape(s->cgs[m->cg].path, esc, sizeof(esc)));
			if (k == f->first || m->proc != s->maps[k - 1].proc)
				printf(" (%d)", s->procs[m->proc].pid);
		}
		printf("\n");
	}
}

static void print_text(const struct sharing_snapshot *s, const struct sharing_crossing *c, int n,
		       uint64_t frames)
{
	char a[NAME_ESC_SIZE(256) + 32], b[NAME_ESC_SIZE(256) + 32], bytes[32];

	sharing_print_text(stdout, s, 0);
	if (aud.frames)
		print_frames(s);
	if (!aud.b.n)
		return;
	printf("\nboundaries:");
	for (int i = 0; i < aud.b.n; i++)
		printf(" %s", name_escape(aud.b.glob[i], a, sizeof(a)));
	if (!n) {
		printf("\nno KSM frame crosses them\n");
		return;
	}
	printf("\n%llu KSM frames cross them:\n%-30s     %-30s %8s %10s\n",
	       (unsigned long long)frames, "BOUNDARY A", "BOUNDARY B", "FRAMES", "BYTES");
	for (int i = 0; i < n && i < MAX_CROSSINGS; i++)
		printf("%s <-> %s %8llu %10s\n", name_pad(side(c[i].a), 30, a, sizeof(a)),
		       name_pad(side(c[i].b), 30, b, sizeof(b)), (unsigned long long)c[i].frames,
		       fmt_bytes(c[i].frames * 4096, bytes, sizeof(bytes)));
}

static json_t *audit_json(const struct sharing_snapshot *s, const struct sharing_crossing *c, int n,
			  uint64_t frames)
{
	json_t *o, *bounds = json_array(), *cross = json_array();

	for (int i = 0; i < aud.b.n; i++)
		json_array_append_new(bounds, name_json(aud.b.glob[i]));
	for (int i = 0; i < n && i < MAX_CROSSINGS; i++)
		json_array_append_new(cross, json_pack("{s:o, s:o, s:I}", "a", name_json(c[i].a),
						       "b", name_json(c[i].b), "frames",
						       (json_int_t)c[i].frames));
	o = json_pack("{s:o, s:o, s:o, s:I, s:b}", "sharing",
		      sharing_to_json(s, aud.frames ? SHARING_JSON_FRAMES : 0), "boundaries",
		      bounds, "crossings", cross, "crossing_frames", (json_int_t)frames, "isolated",
		      aud.b.n && !n);
	return o;
}

int cmd_audit(int argc, char **argv)
{
	static const struct argp_child children[] = {
		{ &cli_output_argp, 0, NULL, 0 },
		{ &cli_filter_argp, 0, NULL, 0 },
		{},
	};
	static const struct argp argp = {
		audit_opts,
		audit_opt,
		NULL,
		"Which cgroups share KSM frames now, and whether any frame crosses a boundary.\n"
		"\vExit status: 0 no frame crosses a named boundary, 1 error, 2 usage error,\n"
		"3 a frame crosses a boundary.",
		children,
		NULL,
		NULL,
	};
	static struct sharing_crossing cross[MAX_CROSSINGS];
	struct sharing_opts so = { 0 };
	struct sharing_snapshot s;
	char cg[4096];
	uint64_t frames = 0;
	int r, n;

	cli_parse(&argp, argc, argv);
	r = cli_resolve_filter(NULL, NULL, cg, sizeof(cg));
	if (r)
		return r;
	so.pid = cli.pid;
	so.cgroup = cli.cgroup ? cg : NULL;
	r = sharing_walk(&so, &s);
	if (r)
		return cli_err("reading /proc/kpageflags and pagemaps: %s%s", strerror(-r),
			       r == -EACCES || r == -EPERM ? " (ksmdebug audit needs root)" : "");
	n = sharing_crossings(&s, &aud.b, cross, MAX_CROSSINGS, &frames);
	if (n < 0) {
		sharing_snapshot_free(&s);
		return cli_err("out of memory");
	}
	if (cli.json)
		r = cli_json_print(audit_json(&s, cross, n, frames)) ? CLI_EXIT_ERROR : 0;
	else
		print_text(&s, cross, n, frames);
	sharing_snapshot_free(&s);
	if (r)
		return r;
	return aud.b.n && n > 0 ? CLI_EXIT_FINDINGS : CLI_EXIT_OK;
}
