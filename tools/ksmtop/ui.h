/* SPDX-License-Identifier: GPL-2.0 */
/*
 * ksmtop's interactive view (ncurses): draws a top_model sample (ui.c) and
 * turns keys into sort, filter (of the model), view, tree, cursor and pause
 * changes (ui_keys.c). Redraws go through ncurses' screen diff (erase +
 * refresh, never clear) so nothing flickers.  The cgroup view is a flat
 * list or, like htop's tree, the hierarchy with subtrees that fold.
 */
#ifndef KSM_TOP_UI_H
#define KSM_TOP_UI_H

#include <stdbool.h>
#include <stddef.h>

#include "model.h"
#include "render_text.h"

#define TOP_UI_MIN_COLS 60
#define TOP_UI_MIN_LINES 12

enum top_view { VIEW_PROCS = 0, VIEW_CGROUPS, VIEW_NODES, VIEW_SHARING, VIEW_MAX };

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
	bool tree;	  /* the cgroup view as a tree */
	int cursor;	  /* the selected row, among those listed */
	int scroll;	  /* the first row on the screen */
	char **collapsed; /* cgroups whose subtree the tree hides, by path */
	int ncollapsed;
	char prompt; /* 'c' cgroup filter, 'p' pid filter, 0 none */
	char input[256];
	char msg[160];		    /* one-shot message on the status line */
	char sources[TOP_LINE_LEN]; /* which event sources are missing */
	double interval;
};

/* Take over the terminal; fails (terminal restored) if it is too small. */
int top_ui_start(struct top_ui *u, char *err, size_t len);
/* Give the terminal back and free the view's state. */
void top_ui_stop(struct top_ui *u);
/* Read every pending key (poll stdin for them); returns the strongest action. */
enum top_ui_action top_ui_keys(struct top_ui *u, struct top_model *m);
void top_ui_draw(struct top_ui *u, const struct top_model *m);

/*
 * The rows the current view lists, in order, into a new array (free it):
 * indices into m->rows or m->cgrows, or, in the tree, positions in m->tree
 * with folded subtrees left out.  Returns how many; -1 on ENOMEM.
 */
int top_ui_list(const struct top_ui *u, const struct top_model *m, int **list);
bool top_ui_folded(const struct top_ui *u, const char *path);
void top_ui_unfold_all(struct top_ui *u);
/* Does the cgroup at position pos of m->tree have children? */
bool top_tree_has_children(const struct top_model *m, int pos);

#endif
