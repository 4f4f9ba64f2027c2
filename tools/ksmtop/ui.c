// SPDX-License-Identifier: GPL-2.0
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <ncurses.h>

#include "name_esc.h"
#include "top_sharing.h"
#include "ui.h"

static SCREEN *screen;

int top_ui_start(struct top_ui *u, char *err, size_t len)
{
	/* newterm, unlike initscr, returns NULL instead of exiting on a bad TERM */
	screen = newterm(NULL, stdout, stdin);
	if (!screen) {
		snprintf(err, len, "cannot initialise the terminal (TERM=%s)",
			 getenv("TERM") ?: "");
		return -ENOTTY;
	}
	if (COLS < TOP_UI_MIN_COLS || LINES < TOP_UI_MIN_LINES) {
		int c = COLS, l = LINES;

		endwin();
		delscreen(screen);
		screen = NULL;
		snprintf(err, len, "terminal too small: %dx%d, need at least %dx%d (or use -b)", c,
			 l, TOP_UI_MIN_COLS, TOP_UI_MIN_LINES);
		return -ERANGE;
	}
	cbreak(); /* not raw: Ctrl-C stays SIGINT, handled like SIGTERM */
	noecho();
	nodelay(stdscr, TRUE);
	keypad(stdscr, TRUE);
	curs_set(0);
	u->on = true;
	return 0;
}

void top_ui_stop(struct top_ui *u)
{
	if (!u->on)
		return;
	curs_set(1);
	endwin();
	delscreen(screen);
	screen = NULL;
	u->on = false;
	top_ui_unfold_all(u);
}

static const char *view_name(enum top_view v)
{
	static const char *const names[VIEW_MAX] = { "processes", "cgroups", "nodes", "sharing" };

	return v < VIEW_MAX ? names[v] : "?";
}

static void put(int y, const char *s, int attr)
{
	if (y >= LINES)
		return;
	attron(attr);
	mvaddnstr(y, 0, s, COLS);
	attroff(attr);
}

static void draw_help(void)
{
	static const char *const lines[] = {
		"ksmtop keys",
		"",
		"  q            quit",
		"  h ?          this help (any key leaves it)",
		"  space        pause / resume sampling",
		"  tab v        next view: processes, cgroups, nodes, sharing (1 2 3 4 pick one)",
		"  s > <        next / previous sort column;  r  reverse the order",
		"  P M R Z F    sort by pid, merging, rmap, zero pages, profit",
		"  G U C N      sort by merges/s, unmerges/s, cgroup, comm",
		"  t            cgroups as a tree (subtree totals), again: a flat list",
		"  + - enter    unfold / fold / toggle the cgroup under the cursor;  * unfold all",
		"  c /          filter by cgroup subtree (empty: all)",
		"  p            filter by pid (empty: all)",
		"  x            clear the filters",
		"  up down pgup pgdn home end   move the cursor",
		"",
		"MERGING ksm_merging_pages, RMAP ksm_rmap_items, ZERO ksm_zero_pages,",
		"PROFIT ksm_process_profit (bytes), MRG/s pages merged per second,",
		"UNM/s pages that stopped merging per second (COW breaks, rmap removals),",
		"MODE mergeable (madvise) / merge_any (prctl). Cgroups: PROCS, MERGING and",
		"the rest sum the whole subtree, SELF is the cgroup's own processes' merging.",
		"- : this kernel cannot tell;  ~ : derived from counter deltas, not events.",
		"Sharing (4): cgroup pairs whose processes map the same KSM frames, most first",
		"(the last complete walk of the KSM users' pagemaps; --sharing-budget).",
	};

	for (size_t i = 0; i < sizeof(lines) / sizeof(lines[0]); i++)
		put((int)i, lines[i], i ? 0 : A_BOLD);
}

/* Bold the sorted column's title inside the header line. */
static void header_line(int y, const char *hdr, enum top_sort sort, bool proc)
{
	static const char *const title[TOP_SORT_MAX] = {
		[TOP_SORT_PID] = "PID",	       [TOP_SORT_COMM] = "COMM",
		[TOP_SORT_CGROUP] = "CGROUP",  [TOP_SORT_MERGING] = "MERGING",
		[TOP_SORT_RMAP] = "RMAP",      [TOP_SORT_ZERO] = "ZERO",
		[TOP_SORT_PROFIT] = "PROFIT",  [TOP_SORT_MERGES] = "MRG/s",
		[TOP_SORT_UNMERGES] = "UNM/s", [TOP_SORT_MODE] = "MODE",
	};
	const char *t, *at;

	put(y, hdr, A_REVERSE);
	if (sort >= TOP_SORT_MAX) /* the nodes view has no sort */
		return;
	t = title[sort];
	if (!proc && sort == TOP_SORT_PID)
		t = "PROCS";
	if (!proc && sort == TOP_SORT_COMM)
		t = "CGROUP";
	at = strstr(hdr, t);
	if (at && at - hdr < COLS) {
		attron(A_REVERSE | A_BOLD | A_UNDERLINE);
		mvaddnstr(y, (int)(at - hdr), t, COLS - (int)(at - hdr));
		attroff(A_REVERSE | A_BOLD | A_UNDERLINE);
	}
}

static void draw_nodes(int y, int avail, int scroll, const struct top_model *m)
{
	char buf[TOP_LINE_LEN];

	header_line(y++, top_text_node_titles(), TOP_SORT_MAX, false);
	for (int k = scroll; k < m->nr_nodes && avail-- > 0; k++) {
		top_text_node(m, k, buf, sizeof(buf));
		put(y++, buf, 0);
	}
	if (m->nr_nodes > 1 && avail > 0)
		put(y, "~ per-node KSM pages counted from events since start", A_DIM);
}

/* Keep the cursor on a row and on the screen. */
static void place_cursor(struct top_ui *u, int n, int avail)
{
	if (u->cursor > n - 1)
		u->cursor = n > 0 ? n - 1 : 0;
	if (u->scroll > u->cursor)
		u->scroll = u->cursor;
	if (avail > 0 && u->cursor >= u->scroll + avail)
		u->scroll = u->cursor - avail + 1;
}

/* A cgroup row of the tree: rules, a fold mark where it has children, its name. */
static void tree_row(struct top_ui *u, const struct top_model *m, int pos, struct top_tree_walk *w,
		     char *buf, size_t len)
{
	const struct top_row *r = &m->cgrows[m->tree[pos]];
	char pre[TOP_LINE_LEN / 2];
	size_t o;

	top_text_tree_prefix(w, r, pre, sizeof(pre));
	o = strlen(pre);
	if (top_tree_has_children(m, pos))
		snprintf(pre + o, sizeof(pre) - o, "%s",
			 top_ui_folded(u, r->cgroup) ? "[+] " : "[-] ");
	top_text_row(r, false, pre, buf, len);
}

static void draw_rows(int y, int avail, struct top_ui *u, const struct top_model *m)
{
	bool proc = u->view == VIEW_PROCS, tree = !proc && u->tree;
	struct top_tree_walk w = {};
	char buf[TOP_LINE_LEN];
	int *list, n = top_ui_list(u, m, &list);

	if (n < 0)
		return;
	place_cursor(u, n, avail);
	header_line(y++, top_text_row_titles(proc), m->sort, proc);
	/* the tree's rules carry from row to row: walk the rows above the screen too */
	for (int k = tree ? 0 : u->scroll; k < n && k < u->scroll + avail; k++) {
		if (tree)
			tree_row(u, m, list[k], &w, buf, sizeof(buf));
		else
			top_text_row(proc ? &m->rows[list[k]] : &m->cgrows[list[k]], proc, NULL,
				     buf, sizeof(buf));
		if (k >= u->scroll)
			put(y++, buf, k == u->cursor ? A_REVERSE : 0);
	}
	if (!n)
		put(y,
		    m->filter.pid || m->filter.cgroup[0] ? "(no KSM user matches the filter)"
							 : "(no process uses KSM)",
		    A_DIM);
	free(list);
}

/* The sharing view: the cgroup pairs of the walker's last pass, most frames first. */
static void draw_sharing(int y, int avail, struct top_ui *u, const struct top_model *m)
{
	const struct sharing_snapshot *ss = m->sharing ? top_sharing_last(m->sharing) : NULL;
	int n = ss ? (int)ss->npairs : 0;
	char buf[TOP_LINE_LEN];

	place_cursor(u, n, avail);
	header_line(y++, top_sharing_titles(), TOP_SORT_MAX, false);
	for (int k = u->scroll; k < n && k < u->scroll + avail; k++) {
		top_sharing_row(ss, (size_t)k, buf, sizeof(buf));
		put(y++, buf, k == u->cursor ? A_REVERSE : 0);
	}
	if (n)
		return;
	if (!m->sharing)
		put(y, "(the sharing walker is off: --sharing-budget 0)", A_DIM);
	else if (!ss)
		put(y, "(no complete walk yet: see the sharing line above)", A_DIM);
	else
		put(y, "(no KSM frame is shared across cgroups)", A_DIM);
}

/* The bottom line: the prompt being typed, or the view's state and a message. */
static void draw_status(struct top_ui *u, const struct top_model *m)
{
	char buf[TOP_LINE_LEN], pid[16] = "*", cg[256];

	if (u->prompt) {
		snprintf(buf, sizeof(buf), "%s: %s",
			 u->prompt == 'p' ? "pid (empty: all)" : "cgroup subtree (empty: all)",
			 u->input);
		put(LINES - 1, buf, A_BOLD);
		return;
	}
	if (m->filter.pid)
		snprintf(pid, sizeof(pid), "%d", m->filter.pid);
	snprintf(buf, sizeof(buf),
		 "%.100s  view %s%s  sort %s %s  filter cgroup=%.200s pid=%s%s  %.3gs  h help  q "
		 "quit",
		 u->msg, view_name(u->view), u->view == VIEW_CGROUPS && u->tree ? " (tree)" : "",
		 top_sort_name(m->sort), m->ascending ? "asc" : "desc",
		 m->filter.cgroup[0] ? name_escape(m->filter.cgroup, cg, sizeof(cg)) : "*", pid,
		 u->paused ? "  [PAUSED]" : "", u->interval);
	/* without a message the line starts at "view" */
	put(LINES - 1, buf + (u->msg[0] ? 0 : 2), A_REVERSE);
	u->msg[0] = '\0';
}

void top_ui_draw(struct top_ui *u, const struct top_model *m)
{
	char line[TOP_HEADER_LINES][TOP_LINE_LEN];
	int y = 0, n, avail;

	erase();
	if (COLS < TOP_UI_MIN_COLS || LINES < TOP_UI_MIN_LINES) {
		snprintf(line[0], TOP_LINE_LEN, "terminal too small (%dx%d < %dx%d)", COLS, LINES,
			 TOP_UI_MIN_COLS, TOP_UI_MIN_LINES);
		mvaddnstr(0, 0, line[0], COLS);
		refresh();
		return;
	}
	if (u->help) {
		draw_help();
		refresh();
		return;
	}
	n = top_text_header(m, line, TOP_HEADER_LINES);
	for (int i = 0; i < n; i++)
		put(y++, line[i], i ? 0 : A_BOLD);
	if (u->sources[0])
		put(y++, u->sources, A_DIM);
	y++;
	avail = LINES - y - 2; /* header row + status line */
	if (u->view == VIEW_NODES) {
		place_cursor(u, m->nr_nodes, 1);
		draw_nodes(y, avail, u->cursor, m);
	} else if (u->view == VIEW_SHARING)
		draw_sharing(y, avail, u, m);
	else
		draw_rows(y, avail, u, m);
	draw_status(u, m);
	refresh();
}
