// SPDX-License-Identifier: GPL-2.0
/*
 * A whole trace file, as ksmdebug replay and report read it: the trace
 * reader, header, snapshot and finding lines, every detector, then the
 * text, JSON and HTML reports.  Oracles: the errors and the text report
 * are shown text (no raw control byte but '\n'), the JSON report dumps,
 * the HTML has no raw '<' but its own tags' (the trace's strings escaped).
 */
#define FUZZ_JANSSON
#include "../fuzz.h"
#include "replay.h"
#include "report.h"

/* Every '<' of the page opens one of report_html.c's own elements. */
static void html_checked(const char *html, size_t len)
{
	static const char *const tags[] = { "<!DOCTYPE", "<html",   "<head", "<meta",  "<title",
					    "<style",	 "<body",   "<h1",   "<h2",    "<h3",
					    "<p",	 "<b>",	    "<code", "<table", "<tr",
					    "<th",	 "<td",	    "<svg",  "<g",     "<line",
					    "<rect",	 "<circle", "<text", "<title", "</" };

	for (const char *p = html; (p = memchr(p, '<', len - (size_t)(p - html))); p++) {
		size_t i;

		for (i = 0; i < sizeof(tags) / sizeof(tags[0]); i++)
			if (!strncmp(p, tags[i], strlen(tags[i])))
				break;
		if (i == sizeof(tags) / sizeof(tags[0])) {
			fprintf(stderr, "raw markup in the HTML: %.60s\n", p);
			abort();
		}
	}
}

static void reports(const struct replay *r)
{
	struct report_opts ro;
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);
	json_t *o;

	report_opts_default(&ro);
	report_text(f, r, &ro);
	fclose(f);
	fuzz_assert_shown(buf, len);
	free(buf);
	o = report_json(r, &ro);
	buf = o ? json_dumps(o, JSON_COMPACT) : NULL;
	if (!buf)
		abort();
	free(buf);
	json_decref(o);
	f = open_memstream(&buf, &len);
	report_html(f, r, &ro);
	fclose(f);
	html_checked(buf, len);
	free(buf);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct det_config cfg;
	char path[64], *errs = NULL;
	size_t elen = 0;
	struct replay r;
	FILE *errf;

	if (!cfg.retry_limit)
		det_config_default(&cfg);
	if (fuzz_file(data, size, path, sizeof(path)))
		return 0;
	errf = open_memstream(&errs, &elen);
	if (!replay_file(path, &cfg, true, 1000, errf, &r))
		reports(&r);
	replay_free(&r);
	fclose(errf);
	fuzz_assert_shown(errs, elen);
	free(errs);
	return 0;
}
