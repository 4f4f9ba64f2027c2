// SPDX-License-Identifier: GPL-2.0
/*
 * The report's SVG timeline: one lane per event kind present, each lane a
 * histogram over time (so a million merges stay a readable band), evidence
 * events drawn on top as dots, and each finding as a red line with its
 * number.
 */
#include <string.h>

#include "event_fmt.h"
#include "report.h"

#define SVG_W 1000
#define SVG_LEFT 200
#define LANE_H 22
#define BUCKETS 400
#define PLOT_W (SVG_W - SVG_LEFT - 30)

struct timeline {
	unsigned int lane[KSM_EV_MAX]; /* the kinds present, in kind order */
	unsigned int nr_lanes;
	uint64_t t0, span;
	uint32_t hist[KSM_EV_MAX][BUCKETS];
};

static const char *kind_color(unsigned int kind)
{
	switch (kind) {
	case KSM_EV_MERGE_WITH_KSM_PAGE:
	case KSM_EV_MERGE_ONE_PAGE:
		return "#2b8a3e";
	case KSM_EV_REMOVE_RMAP_ITEM:
	case KSM_EV_REMOVE_KSM_PAGE:
	case KSM_EV_STABLE_NODE_REMOVE:
		return "#e67700";
	case KSM_EV_GET_FOLIO_STALE:
	case KSM_EV_GET_FOLIO_RETRY:
	case KSM_EV_MIGRATE_FOLIO:
		return "#1971c2";
	case KSM_EV_SWAPIN_COPY:
		return "#9c36b5";
	default:
		return "#868e96";
	}
}

static double x_of(const struct timeline *t, uint64_t ts)
{
	return SVG_LEFT + ((double)ts - t->t0) / t->span * PLOT_W;
}

static void build(struct timeline *t, const struct replay *r)
{
	memset(t, 0, sizeof(*t));
	t->t0 = r->first_ts;
	t->span = r->last_ts > r->first_ts ? r->last_ts - r->first_ts : 1;
	for (unsigned int k = 1; k < KSM_EV_MAX; k++)
		if (r->per_kind[k])
			t->lane[t->nr_lanes++] = k;
	for (size_t i = 0; i < r->nr_events; i++) {
		const struct ksm_event *e = &r->events[i];
		size_t b;

		/* a trace's timestamps are data: out of order ones fall outside */
		if (e->ts_ns < t->t0 || e->ts_ns - t->t0 > t->span || e->kind >= KSM_EV_MAX)
			continue;
		b = (size_t)((double)(e->ts_ns - t->t0) / t->span * (BUCKETS - 1));
		if (b < BUCKETS)
			t->hist[e->kind][b]++;
	}
}

static void draw_lane(FILE *out, const struct timeline *t, const struct replay *r, unsigned int l)
{
	unsigned int k = t->lane[l];
	const uint32_t *hist = t->hist[k];
	int y = 20 + (int)l * LANE_H;
	uint32_t max = 1;

	for (int b = 0; b < BUCKETS; b++)
		if (hist[b] > max)
			max = hist[b];
	fprintf(out, "<text x=\"4\" y=\"%d\">%s (%llu)</text>\n", y + 15, ksm_event_name(k),
		(unsigned long long)r->per_kind[k]);
	fprintf(out, "<line x1=\"%d\" y1=\"%d\" x2=\"%d\" y2=\"%d\" stroke=\"#dee2e6\"/>\n",
		SVG_LEFT, y + LANE_H - 2, SVG_W - 10, y + LANE_H - 2);
	for (int b = 0; b < BUCKETS; b++) {
		double h;

		if (!hist[b])
			continue;
		h = 2 + (LANE_H - 6) * (double)hist[b] / max;
		fprintf(out,
			"<rect x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" height=\"%.1f\" "
			"fill=\"%s\"><title>%s: %u</title></rect>\n",
			SVG_LEFT + (double)b * PLOT_W / BUCKETS, y + LANE_H - 2 - h,
			(double)PLOT_W / BUCKETS + 0.5, h, kind_color(k), ksm_event_name(k),
			hist[b]);
	}
}

/* Finding n: a numbered red line, its evidence as dots on their lanes. */
static void draw_finding(FILE *out, const struct timeline *t, const struct det_finding *f, size_t n,
			 int height)
{
	double x = SVG_LEFT + (double)(f->ts_ns - t->t0) / t->span * PLOT_W;

	fprintf(out,
		"<line class=\"finding\" x1=\"%.1f\" y1=\"12\" x2=\"%.1f\" y2=\"%d\" "
		"stroke=\"#e03131\" stroke-width=\"2\"><title>",
		x, x, height - 28);
	html_escape(out, det_name(f->id));
	fprintf(out, "</title></line>\n<text x=\"%.1f\" y=\"10\" fill=\"#e03131\">#%zu</text>\n",
		x + 2, n + 1);
	for (int i = 0; i < f->nr_evidence; i++) {
		const struct ksm_event *e = &f->evidence[i];

		for (unsigned int l = 0; l < t->nr_lanes; l++)
			if (t->lane[l] == e->kind)
				fprintf(out,
					"<circle class=\"evidence\" cx=\"%.1f\" cy=\"%d\" r=\"5\" "
					"fill=\"#e03131\" stroke=\"white\"><title>%s</title>"
					"</circle>\n",
					x_of(t, e->ts_ns), 20 + (int)l * LANE_H + 11,
					ksm_event_name(e->kind));
	}
}

void report_svg_timeline(FILE *out, const struct replay *r)
{
	struct timeline t;
	int height;

	build(&t, r);
	height = (int)t.nr_lanes * LANE_H + 50;
	fprintf(out,
		"<svg id=\"timeline\" xmlns=\"http://www.w3.org/2000/svg\" width=\"%d\" "
		"height=\"%d\" font-family=\"sans-serif\" font-size=\"12\">\n",
		SVG_W, height);
	for (unsigned int l = 0; l < t.nr_lanes; l++)
		draw_lane(out, &t, r, l);
	for (size_t n = 0; n < r->findings.n; n++)
		draw_finding(out, &t, &r->findings.v[n], n, height);
	fprintf(out,
		"<text x=\"%d\" y=\"%d\">0 s</text><text x=\"%d\" y=\"%d\" "
		"text-anchor=\"end\">%.3f s</text>\n</svg>\n",
		SVG_LEFT, height - 8, SVG_W - 10, height - 8, t.span / 1e9);
}
