// SPDX-License-Identifier: GPL-2.0
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <ncurses.h>

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
}

static const char *view_name(enum top_view v)
{
	return v == VIEW_PROCS ? "processes" : v == VIEW_CGROUPS ? "cgroups" : "nodes";
}

static enum top_ui_action apply_prompt(struct top_ui *u, struct top_model *m)
{
	char *in = u->input;

	while (isspace((unsigned char)*in))
		in++;
	if (u->prompt == 'p') {
		char *end;
		long pid = strtol(in, &end, 10);

		if (!*in) {
			m->filter.pid = 0;
		} else if (*end || pid <= 0 || pid > INT32_MAX) {
			snprintf(u->msg, sizeof(u->msg), "invalid pid '%.100s'", in);
			return UI_REDRAW;
		} else {
			m->filter.pid = (int)pid;
		}
	} else {
		/* a subtree below the cgroup2 root: "a/b" and "/a/b/" mean "/a/b" */
		char buf[sizeof(m->filter.cgroup)];
		size_t n;

		snprintf(buf, sizeof(buf), "%s%s", *in == '/' ? "" : "/", in);
		n = strlen(buf);
		while (n > 1 && buf[n - 1] == '/')
			buf[--n] = '\0';
		snprintf(m->filter.cgroup, sizeof(m->filter.cgroup), "%s",
			 strcmp(buf, "/") ? buf : "");
	}
	u->scroll = 0;
	return UI_REFILTER;
}

static enum top_ui_action prompt_key(struct top_ui *u, struct top_model *m, int ch)
{
	size_t n = strlen(u->input);

	if (ch == '\n' || ch == '\r' || ch == KEY_ENTER) {
		enum top_ui_action a = apply_prompt(u, m);

		u->prompt = 0;
		return a;
	}
	if (ch == 27) { /* Esc */
		u->prompt = 0;
		return UI_REDRAW;
	}
	if (ch == KEY_BACKSPACE || ch == 127 || ch == 8) {
		if (n)
			u->input[n - 1] = '\0';
	} else if (isprint(ch) && n + 1 < sizeof(u->input)) {
		u->input[n] = (char)ch;
		u->input[n + 1] = '\0';
	}
	return UI_REDRAW;
}

/* One letter per sort key, in enum top_sort order. */
static const char sort_keys[TOP_SORT_MAX + 1] = "PNCMRZFGU";

static enum top_ui_action set_sort(struct top_model *m, int key)
{
	m->sort = key;
	m->ascending = top_sort_ascending(key);
	return UI_REFILTER;
}

/* The keys below return UI_NONE for a key that is not theirs. */
static enum top_ui_action sort_key(struct top_model *m, int ch)
{
	const char *letter = ch > 0 && ch < 256 ? strchr(sort_keys, ch) : NULL;

	switch (ch) {
	case 's':
	case '>':
		return set_sort(m, (m->sort + 1) % TOP_SORT_MAX);
	case '<':
		return set_sort(m, (m->sort + TOP_SORT_MAX - 1) % TOP_SORT_MAX);
	case 'r':
		m->ascending = !m->ascending;
		return UI_REFILTER;
	default:
		return letter ? set_sort(m, letter - sort_keys) : UI_NONE;
	}
}

static enum top_ui_action view_key(struct top_ui *u, int ch)
{
	switch (ch) {
	case '\t':
	case 'v':
		u->view = (u->view + 1) % VIEW_MAX;
		break;
	case '1':
	case '2':
	case '3':
		u->view = ch - '1';
		break;
	default:
		return UI_NONE;
	}
	u->scroll = 0;
	return UI_REDRAW;
}

static enum top_ui_action scroll_key(struct top_ui *u, int ch)
{
	switch (ch) {
	case KEY_DOWN:
		u->scroll++;
		break;
	case KEY_UP:
		if (u->scroll)
			u->scroll--;
		break;
	case KEY_NPAGE:
		u->scroll += LINES / 2;
		break;
	case KEY_PPAGE:
		u->scroll = u->scroll > LINES / 2 ? u->scroll - LINES / 2 : 0;
		break;
	case KEY_HOME:
		u->scroll = 0;
		break;
	default:
		return UI_NONE;
	}
	return UI_REDRAW;
}

static enum top_ui_action filter_key(struct top_ui *u, struct top_model *m, int ch)
{
	switch (ch) {
	case 'c':
	case '/':
	case 'p':
		u->prompt = ch == 'p' ? 'p' : 'c';
		u->input[0] = '\0';
		return UI_REDRAW;
	case 'x':
		m->filter.pid = 0;
		m->filter.cgroup[0] = '\0';
		return UI_REFILTER;
	default:
		return UI_NONE;
	}
}

static enum top_ui_action key(struct top_ui *u, struct top_model *m, int ch)
{
	enum top_ui_action a;

	if (u->prompt)
		return prompt_key(u, m, ch);
	if (u->help && ch != KEY_RESIZE && ch != 'q' && ch != 'Q') {
		u->help = false; /* any key leaves the help screen */
		return UI_REDRAW;
	}
	switch (ch) {
	case 'q':
	case 'Q':
		return UI_QUIT;
	case 'h':
	case '?':
		u->help = true;
		return UI_REDRAW;
	case ' ':
		u->paused = !u->paused;
		return UI_REDRAW;
	case KEY_RESIZE:
		return UI_REDRAW;
	}
	a = sort_key(m, ch);
	if (a == UI_NONE)
		a = view_key(u, ch);
	if (a == UI_NONE)
		a = scroll_key(u, ch);
	if (a == UI_NONE)
		a = filter_key(u, m, ch);
	if (a != UI_NONE)
		return a;
	if (ch >= 0 && ch < 256 && isprint(ch))
		snprintf(u->msg, sizeof(u->msg), "unknown key '%c' (h for help)", ch);
	return UI_REDRAW;
}

enum top_ui_action top_ui_keys(struct top_ui *u, struct top_model *m)
{
	enum top_ui_action best = UI_NONE, a;
	int ch;

	while ((ch = getch()) != ERR) {
		a = key(u, m, ch);
		if (a > best)
			best = a;
		if (a == UI_QUIT)
			break;
	}
	return best;
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
		"  tab v        next view: processes, cgroups, nodes (1 2 3 pick one)",
		"  s > <        next / previous sort column;  r  reverse the order",
		"  P M R Z F    sort by pid, merging, rmap, zero pages, profit",
		"  G U C N      sort by merges/s, unmerges/s, cgroup, comm",
		"  c /          filter by cgroup subtree (empty: all)",
		"  p            filter by pid (empty: all)",
		"  x            clear the filters",
		"  up down pgup pgdn home   scroll",
		"",
		"MERGING ksm_merging_pages, RMAP ksm_rmap_items, ZERO ksm_zero_pages,",
		"PROFIT ksm_process_profit (bytes), MRG/s pages merged per second,",
		"UNM/s pages that stopped merging per second (COW breaks, rmap removals),",
		"MODE mergeable (madvise) / merge_any (prctl).",
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

static void draw_rows(int y, int avail, struct top_ui *u, const struct top_model *m)
{
	bool proc = u->view == VIEW_PROCS;
	const struct top_row *rows = proc ? m->rows : m->cgrows;
	int total = proc ? m->nrows : m->ncgrows;
	char buf[TOP_LINE_LEN];

	if (u->scroll > total - 1)
		u->scroll = total > 0 ? total - 1 : 0;
	header_line(y++, top_text_row_titles(proc), m->sort, proc);
	for (int k = u->scroll; k < total && avail-- > 0; k++) {
		top_text_row(&rows[k], proc, buf, sizeof(buf));
		put(y++, buf, 0);
	}
	if (!total)
		put(y,
		    m->filter.pid || m->filter.cgroup[0] ? "(no KSM user matches the filter)"
							 : "(no process uses KSM)",
		    A_DIM);
}

/* The bottom line: the prompt being typed, or the view's state and a message. */
static void draw_status(struct top_ui *u, const struct top_model *m)
{
	char buf[TOP_LINE_LEN], pid[16] = "*";

	if (u->prompt) {
		snprintf(buf, sizeof(buf), "%s: %s",
			 u->prompt == 'p' ? "pid (empty: all)" : "cgroup subtree (empty: all)",
			 u->input);
		put(LINES - 1, buf, A_BOLD);
		return;
	}
	if (m->filter.pid)
		snprintf(pid, sizeof(pid), "%d", m->filter.pid);
	snprintf(
		buf, sizeof(buf),
		"%.100s  view %s  sort %s %s  filter cgroup=%.200s pid=%s%s  %.3gs  h help  q quit",
		u->msg, view_name(u->view), top_sort_name(m->sort), m->ascending ? "asc" : "desc",
		m->filter.cgroup[0] ? m->filter.cgroup : "*", pid, u->paused ? "  [PAUSED]" : "",
		u->interval);
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
	if (u->view == VIEW_NODES)
		draw_nodes(y, avail, u->scroll, m);
	else
		draw_rows(y, avail, u, m);
	draw_status(u, m);
	refresh();
}
