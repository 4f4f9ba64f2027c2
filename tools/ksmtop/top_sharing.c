// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <string.h>

#include "name_esc.h"
#include "top_sharing.h"
#include "util.h"

#define FIRST_BUDGET_NS 1000000000ULL

struct top_sharing_opts top_sharing_opts = { .budget_ms = 20 };

enum { OPT_BUDGET = 2000, OPT_PROM_PAIRS };

static const struct argp_option sharing_opts[] = {
	{ NULL, 0, NULL, 0, "Who shares KSM frames with whom:", 2 },
	{ "sharing-budget", OPT_BUDGET, "MS", 0,
	  "Time the sharing walker may take per sample (default 20; 0: no walker)", 2 },
	{ "prom-sharing-pairs", OPT_PROM_PAIRS, "N", 0,
	  "Exporter: ksm_cgroup_shared_frames for the N cgroup pairs sharing most (default 0)", 2 },
	{},
};

static error_t sharing_opt(int key, char *arg, struct argp_state *state)
{
	uint64_t v;

	switch (key) {
	case OPT_BUDGET:
		if (!parse_u64(arg, 0, 60000, &v))
			argp_error(state, "invalid sharing budget '%s' (0 to 60000 ms)", arg);
		top_sharing_opts.budget_ms = (double)v;
		return 0;
	case OPT_PROM_PAIRS:
		if (!parse_u64(arg, 0, 100000, &v))
			argp_error(state, "invalid sharing pair cap '%s'", arg);
		top_sharing_opts.prom_pairs = v;
		return 0;
	default:
		return ARGP_ERR_UNKNOWN;
	}
}

const struct argp top_sharing_argp = { sharing_opts, sharing_opt, NULL, NULL, NULL, NULL, NULL };

int top_sharing_start(struct top_sharing *s, double budget_ms)
{
	struct sharing_opts o = { 0 };
	int err;

	memset(s, 0, sizeof(*s));
	s->budget_ns = (uint64_t)(budget_ms * 1e6);
	err = sharing_walker_init(&s->w, &o);
	if (err)
		s->err = err;
	return err;
}

void top_sharing_stop(struct top_sharing *s)
{
	if (!s->err)
		sharing_walker_free(&s->w);
	s->err = -ESRCH;
}

void top_sharing_step(struct top_sharing *s)
{
	int r;

	if (s->err)
		return;
	/* the first step may take a second, so that the first sample shows a pass */
	r = sharing_walker_step(&s->w, s->passes || s->steps ? s->budget_ns : FIRST_BUDGET_NS);
	s->steps++;
	if (r == 1)
		s->passes++;
	if (r < 0) {
		sharing_walker_free(&s->w);
		s->err = r;
	}
}

const struct sharing_snapshot *top_sharing_last(const struct top_sharing *s)
{
	return !s->err && s->w.have_last ? &s->w.last : NULL;
}

void top_sharing_summary(const struct top_sharing *s, char *buf, size_t len)
{
	const struct sharing_snapshot *ss = top_sharing_last(s);
	char b[32];

	if (s->err) {
		snprintf(buf, len, "sharing: unavailable (%s)", strerror(-s->err));
		return;
	}
	if (!ss) {
		snprintf(buf, len, "sharing: first pass over the KSM users in progress");
		return;
	}
	snprintf(buf, len,
		 "sharing: %llu KSM frames (%s) shared across cgroups, %zu cgroup pair%s, of %zu "
		 "KSM frames  (walk %.0f ms in %u step%s)",
		 (unsigned long long)ss->cross_frames, fmt_bytes(ss->cross_frames * 4096, b, 32),
		 ss->npairs, ss->npairs == 1 ? "" : "s", ss->nframes, ss->walk_ns / 1e6, ss->steps,
		 ss->steps == 1 ? "" : "s");
}

const char *top_sharing_titles(void)
{
	return "CGROUP A                       CGROUP B                         FRAMES      BYTES";
}

void top_sharing_row(const struct sharing_snapshot *ss, size_t i, char *buf, size_t len)
{
	const struct sharing_pair *p = &ss->pairs[i];
	char a[NAME_ESC_SIZE(256) + 32], b[NAME_ESC_SIZE(256) + 32], bytes[32];

	snprintf(buf, len, "%s %s %8llu %10s", name_pad(ss->cgs[p->a].path, 30, a, sizeof(a)),
		 name_pad(ss->cgs[p->b].path, 30, b, sizeof(b)), (unsigned long long)p->frames,
		 fmt_bytes(p->frames * 4096, bytes, sizeof(bytes)));
}

void top_sharing_print(FILE *out, const struct top_sharing *s, int rows)
{
	const struct sharing_snapshot *ss = top_sharing_last(s);
	char line[1024];

	if (!ss || !ss->npairs)
		return;
	fprintf(out, "\n%s\n", top_sharing_titles());
	for (size_t i = 0; i < ss->npairs && (!rows || (int)i < rows); i++) {
		top_sharing_row(ss, i, line, sizeof(line));
		fprintf(out, "%s\n", line);
	}
}

json_t *top_sharing_json(const struct top_sharing *s)
{
	const struct sharing_snapshot *ss = top_sharing_last(s);
	json_t *o = ss ? sharing_to_json(ss, 0) : json_object();

	if (!o)
		return NULL;
	json_object_set_new(o, "passes", json_integer((json_int_t)s->passes));
	json_object_set_new(o, "budget_ms", json_real(s->budget_ns / 1e6));
	json_object_set_new(o, "error", s->err ? json_string(strerror(-s->err)) : json_null());
	return o;
}
