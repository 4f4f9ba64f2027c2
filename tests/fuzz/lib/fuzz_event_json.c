// SPDX-License-Identifier: GPL-2.0
/*
 * ksm_event_from_json (the ksmdebug and trace reader of event lines) on any
 * JSON.  Oracles: what it accepts, ksm_event_to_json writes and it reads
 * back to a fixed point (a second round changes nothing), the comm comes
 * back byte for byte, and the text line holds no raw control byte.
 */
#include <jansson.h>

#define FUZZ_JANSSON
#include "../fuzz.h"
#include "event_fmt.h"

static void round_trip(const struct ksm_event *in, struct ksm_event *out)
{
	json_t *o = ksm_event_to_json(in, NULL), *back;
	char err[256], *text;

	text = o ? json_dumps(o, JSON_COMPACT) : NULL;
	if (!text)
		abort();
	back = json_loads(text, JSON_REJECT_DUPLICATES, NULL);
	if (!back || ksm_event_from_json(back, out, err, sizeof(err))) {
		fprintf(stderr, "written, not read back (%s): %s\n", err, text);
		abort();
	}
	json_decref(back);
	json_decref(o);
	free(text);
}

static void text_line(const struct ksm_event *e)
{
	struct ksm_fmt_opts fo = { .timestamp = true };
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	ksm_event_print_text(f, e, &fo);
	fclose(f);
	fuzz_assert_shown(buf, len);
	free(buf);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	json_t *o = json_loadb((const char *)data, size, JSON_REJECT_DUPLICATES, NULL);
	struct ksm_event e, once, twice;
	char err[256];

	if (!o)
		return 0;
	if (!ksm_event_from_json(o, &e, err, sizeof(err))) {
		round_trip(&e, &once);
		round_trip(&once, &twice);
		if (memcmp(&once, &twice, sizeof(once)) ||
		    (e.pid && strncmp(e.comm, once.comm, sizeof(e.comm))))
			abort();
		text_line(&e);
	}
	json_decref(o);
	return 0;
}
