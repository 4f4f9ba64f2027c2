/* SPDX-License-Identifier: GPL-2.0 */
/*
 * ksmtop's interactive view (ncurses): draws a top_model sample and turns
 * keys into sort, filter (of the model), view and pause changes. Redraws go through
 * ncurses' screen diff (erase + refresh, never clear) so nothing flickers.
 */
#ifndef KSM_TOP_UI_H
#define KSM_TOP_UI_H

#include <stdbool.h>
#include <stddef.h>

#include "model.h"
#include "render_text.h"

#define TOP_UI_MIN_COLS 60
#define TOP_UI_MIN_LINES 12

enum top_view { VIEW_PROCS = 0, VIEW_CGROUPS, VIEW_NODES, VIEW_MAX };

enum top_ui_action {
	UI_NONE = 0,
	UI_REDRAW,   /* the view changed: redraw */
	UI_REFILTER, /* the filter changed: rebuild rows, sort, redraw */
	UI_QUIT,
};

struct top_ui {
	bool on;
	enum top_view view;
	bool paused;
	bool help;
	int scroll;
	char prompt; /* 'c' cgroup filter, 'p' pid filter, 0 none */
	char input[256];
	char msg[160];		    /* one-shot message on the status line */
	char sources[TOP_LINE_LEN]; /* which event sources are missing */
	double interval;
};

/* Take over the terminal; fails (terminal restored) if it is too small. */
int top_ui_start(struct top_ui *u, char *err, size_t len);
void top_ui_stop(struct top_ui *u);
/* Read every pending key (poll stdin for them); returns the strongest action. */
enum top_ui_action top_ui_keys(struct top_ui *u, struct top_model *m);
void top_ui_draw(struct top_ui *u, const struct top_model *m);

#endif
