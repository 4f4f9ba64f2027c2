// SPDX-License-Identifier: GPL-2.0
/* Unit tests for the flight recorder and the trace reader/writer of ksmdebug. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include "event_fmt.h"
#include "flight_recorder.h"
#include "trace_io.h"

static struct ksm_event ev(uint64_t ts, unsigned int kind)
{
	struct ksm_event e = { .ts_ns = ts, .kind = kind, .nid = -1, .nid2 = -1 };

	return e;
}

static void recorder_bounds(void **state)
{
	struct flight_recorder fr;

	assert_int_equal(fr_init(&fr, 3, 0), 0);
	for (uint64_t i = 1; i <= 5; i++) {
		struct ksm_event e = ev(i, KSM_EV_MERGE_ONE_PAGE);

		fr_push(&fr, &e);
	}
	assert_int_equal(fr_len(&fr), 3);
	assert_int_equal(fr.evicted, 2);
	assert_int_equal(fr_at(&fr, 0)->ts_ns, 3);
	assert_int_equal(fr_at(&fr, 2)->ts_ns, 5);
	assert_null(fr_at(&fr, 3));
	fr_free(&fr);

	/* by age: 10 s window against the newest event */
	assert_int_equal(fr_init(&fr, 100, 10000000000ULL), 0);
	for (uint64_t s = 0; s < 30; s += 5) {
		struct ksm_event e = ev(s * 1000000000ULL, KSM_EV_MERGE_ONE_PAGE);

		fr_push(&fr, &e);
	}
	/* newest 25 s: 15, 20, 25 kept */
	assert_int_equal(fr_len(&fr), 3);
	assert_int_equal(fr_at(&fr, 0)->ts_ns, 15000000000ULL);
	fr_expire(&fr, 40000000000ULL);
	assert_int_equal(fr_len(&fr), 0);
	assert_int_equal(fr.seen, 6);
	assert_int_equal(fr.evicted, 6);
	fr_free(&fr);
}

static void uptodate_round_trip(void **state)
{
	struct ksm_event e = ev(5, KSM_EV_SWAPIN_COPY), back;
	char err[128];
	json_t *o;

	e.result = KSM_COPY_NEW;
	e.aux[0] = KSM_COPY_F_UPTODATE_KNOWN;
	o = ksm_event_to_json(&e, NULL);
	assert_true(json_is_false(json_object_get(o, "src_uptodate")));
	assert_int_equal(ksm_event_from_json(o, &back, err, sizeof(err)), 0);
	assert_int_equal(back.aux[0], KSM_COPY_F_UPTODATE_KNOWN);
	json_decref(o);
	/* true both ways (trace event lines are ksmsnoop -j lines) */
	e.aux[0] = KSM_COPY_F_UPTODATE_KNOWN | KSM_COPY_F_UPTODATE;
	o = ksm_event_to_json(&e, NULL);
	assert_true(json_is_true(json_object_get(o, "src_uptodate")));
	assert_int_equal(ksm_event_from_json(o, &back, err, sizeof(err)), 0);
	assert_int_equal(back.aux[0], KSM_COPY_F_UPTODATE_KNOWN | KSM_COPY_F_UPTODATE);
	json_decref(o);
	/* unknown stays unknown: null written, nothing read back */
	e.aux[0] = 0;
	o = ksm_event_to_json(&e, NULL);
	assert_true(json_is_null(json_object_get(o, "src_uptodate")));
	assert_int_equal(ksm_event_from_json(o, &back, err, sizeof(err)), 0);
	assert_int_equal(back.aux[0], 0);
	json_decref(o);
	/* absent (an older writer): unknown */
	o = json_pack("{s:s, s:I, s:s, s:s}", "event", "swapin_copy", "ts_ns", (json_int_t)5,
		      "reason", "anon_vma", "result", "new");
	assert_int_equal(ksm_event_from_json(o, &back, err, sizeof(err)), 0);
	assert_int_equal(back.aux[0], 0);
	json_decref(o);
}

static void finding_round_trip(void **state)
{
	struct det_finding f = { .id = DET_RETRY_STORM, .ts_ns = 77, .node = 0xabc, .pid = 9 },
			   back;
	char err[128];
	json_t *o;

	strcpy(f.message, "storm");
	f.nr_evidence = 2;
	f.evidence[0] = ev(70, KSM_EV_GET_FOLIO_RETRY);
	f.evidence[1] = ev(77, KSM_EV_GET_FOLIO_RETRY);
	o = trace_finding_to_json(&f);
	assert_string_equal(json_string_value(json_object_get(o, "detector")), "retry_storm");
	assert_int_equal(trace_finding_from_json(o, &back, err, sizeof(err)), 0);
	assert_int_equal(back.id, DET_RETRY_STORM);
	assert_int_equal(back.node, 0xabc);
	assert_int_equal(back.pid, 9);
	assert_int_equal(back.nr_evidence, 2);
	assert_int_equal(back.evidence[1].ts_ns, 77);
	assert_string_equal(back.message, "storm");
	json_decref(o);
}

/* A finding whose message and evidence name a hostile process. */
static void hostile_finding(void **state)
{
	struct det_finding f = { .id = DET_ACCOUNTING_PROC, .ts_ns = 77, .pid = 9 }, back;
	char err[128], *text, *buf;
	size_t len;
	FILE *out;
	json_t *o;

	snprintf(f.message, sizeof(f.message), "pid 9 (\x1b[2Jbad\xff\nx): drift");
	f.nr_evidence = 1;
	f.evidence[0] = ev(70, KSM_EV_MERGE_ONE_PAGE);
	f.evidence[0].pid = 9;
	strcpy(f.evidence[0].comm, "\x1b[2Jbad\xff\nx");
	o = trace_finding_to_json(&f);
	assert_non_null(o);
	text = json_dumps(o, JSON_COMPACT);
	assert_non_null(text);
	json_decref(o);
	o = json_loads(text, JSON_REJECT_DUPLICATES, NULL);
	assert_non_null(o);
	assert_int_equal(trace_finding_from_json(o, &back, err, sizeof(err)), 0);
	assert_string_equal(back.evidence[0].comm, f.evidence[0].comm);
	json_decref(o);
	free(text);
	/* text: one line for the finding and one per evidence event, no control byte */
	out = open_memstream(&buf, &len);
	trace_finding_print(out, &f);
	fclose(out);
	for (const char *p = buf; *p; p++)
		if ((unsigned char)*p < 0x20 && *p != '\n')
			fail_msg("raw control byte in %s", buf);
	assert_non_null(strstr(buf, "\\x1b[2Jbad\\xff\\nx"));
	assert_int_equal(strchr(strchr(buf, '\n') + 1, '\n') - buf + 1, (long)strlen(buf));
	free(buf);
}

struct counts {
	int events, headers, snaps;
};

static int c_event(void *ctx, const struct ksm_event *e, const json_t *o)
{
	((struct counts *)ctx)->events++;
	return 0;
}

static int c_header(void *ctx, const json_t *o)
{
	((struct counts *)ctx)->headers++;
	return 0;
}

static int c_snap(void *ctx, const json_t *o)
{
	((struct counts *)ctx)->snaps++;
	return 0;
}

static void reader_keeps_going(void **state)
{
	static const struct trace_reader_ops ops = { c_event, c_header, c_snap, NULL };
	char path[] = "/tmp/test_trace_io.XXXXXX", *buf = NULL;
	size_t len = 0;
	struct trace_stats st;
	struct counts c = { 0 };
	FILE *f, *errf;
	int fd = mkstemp(path);

	assert_true(fd >= 0);
	f = fdopen(fd, "w");
	fputs("{\"type\":\"header\",\"tool\":\"ksmdebug\"}\n"
	      "{\"ts_ns\":1,\"event\":\"start_scan\",\"seq\":1}\n"
	      "\n"
	      "{\"ts_ns\":2,\"event\":\"start_sc\n"
	      "{\"type\":\"snapshot\",\"label\":\"exit\"}\n"
	      "{\"type\":\"from_the_future\"}\n"
	      "{\"event\":\"stop_scan\"}\n"
	      "{\"ts_ns\":3,\"event\":\"stop_scan\"}",
	      f);
	fclose(f);
	errf = open_memstream(&buf, &len);
	assert_int_equal(trace_read(path, &ops, &c, errf, &st), 0);
	fclose(errf);
	assert_int_equal(c.events, 2); /* line 2 and the unterminated but complete line 8 */
	assert_int_equal(c.headers, 1);
	assert_int_equal(c.snaps, 1);
	assert_int_equal(st.malformed, 2);
	assert_int_equal(st.unknown_type, 1);
	assert_non_null(strstr(buf, ":4: malformed JSON"));
	assert_non_null(strstr(buf, ":7: missing \"ts_ns\""));
	free(buf);
	unlink(path);
	assert_int_equal(trace_read("/nonexistent/x", &ops, &c, stderr, &st), -2);
}

/* Read a file made of text (len bytes), or of size zero bytes when text is NULL. */
static char *read_errors(const char *text, size_t len, off_t size, struct trace_stats *st)
{
	static const struct trace_reader_ops ops = { c_event, c_header, c_snap, NULL };
	char path[] = "/tmp/test_trace_io.XXXXXX", *buf = NULL;
	struct counts c = { 0 };
	int fd = mkstemp(path);
	size_t blen = 0;
	FILE *errf;

	assert_true(fd >= 0);
	if (text)
		assert_int_equal(write(fd, text, len), (ssize_t)len);
	else
		assert_int_equal(ftruncate(fd, size), 0);
	close(fd);
	errf = open_memstream(&buf, &blen);
	assert_int_equal(trace_read(path, &ops, &c, errf, st), 0);
	fclose(errf);
	unlink(path);
	/* the path varies: keep what follows it */
	return buf;
}

static void expect_error(const char *text, size_t len, off_t size, const char *want)
{
	struct trace_stats st;
	char *errs = read_errors(text, len, size, &st);

	if (!strstr(errs, want))
		fail_msg("want \"%s\" in \"%s\"", want, errs);
	assert_true(st.malformed > 0);
	for (const char *p = errs; *p; p++)
		if ((unsigned char)*p < 0x20 && *p != '\n')
			fail_msg("raw control byte in \"%s\"", errs);
	free(errs);
}

#define EXPECT(text, want) expect_error(text, sizeof(text) - 1, 0, want)

static void malformed_files(void **state)
{
	char *deep;
	size_t d = 1000000;

	EXPECT("", ":1: empty: no trace lines");
	EXPECT("\n\n\r\n", ":4: empty: no trace lines");
	EXPECT("{\"ts_ns\":1,\"event\":\"stop_scan\",\"pid\":NaN}\n", ":1: malformed JSON: invalid token");
	EXPECT("{\"ts_ns\":1,\"event\":\"stop_scan\",\"ts_ns\":2}\n",
	       ":1: malformed JSON: duplicate object key");
	EXPECT("{\"ts_ns\":1,\"event\":\"stop_scan\",\"pid\":99999999999}\n",
	       ":1: \"pid\" is out of range");
	EXPECT("{\"ts_ns\":1,\"event\":\"stop_scan\",\"pfn\":1e400}\n",
	       ":1: malformed JSON: real number overflow");
	EXPECT("{\"ts_ns\":1,\"event\":\"stop_scan\"}\x00garbage\n", ":1: malformed JSON");
	EXPECT("{\"ts_ns\":1,\"event\":\"stop_scan\",\"comm\":\"\x1b[2J\"}\n",
	       ":1: malformed JSON: control character 0x1b");
	EXPECT("{\"ts_ns\":1,\"event\":\"stop_scan\"}\n{\"ts_ns\":2,\"ev",
	       ":2: truncated line (no newline at end of file)");
	EXPECT("{\"ts_ns\":1,\"event\":\"\\u001b[2J\"}\n", ":1: unknown event \"\\x1b[2J\"");
	/* a million nested brackets: jansson's depth limit, not the stack */
	deep = malloc(2 * d + 1);
	memset(deep, '[', d);
	memset(deep + d, ']', d);
	deep[2 * d] = '\n';
	expect_error(deep, 2 * d + 1, 0, ":1: malformed JSON: maximum parsing depth reached");
	free(deep);
	/* a 100 MB line (a sparse file of zeros, no newline): not read whole */
	expect_error(NULL, 0, 100 << 20, ":1: line longer than 32 MiB: not a trace, stopped");
}

static void too_many_errors(void **state)
{
	struct trace_stats st;
	size_t n = 2000 * 4;
	char *text = malloc(n), *errs;

	for (size_t i = 0; i < n; i += 4)
		memcpy(text + i, "[1]\n", 4);
	errs = read_errors(text, n, 0, &st);
	assert_int_equal(st.malformed, TRACE_MAX_MALFORMED);
	assert_non_null(strstr(errs, ":1000: 1000 malformed lines: not a trace, stopped reading"));
	free(errs);
	free(text);
}

static void refused_paths(void **state)
{
	static const struct trace_reader_ops ops = { NULL, NULL, NULL, NULL };
	char fifo[] = "/tmp/test_trace_io.fifo.XXXXXX";
	struct trace_stats st;
	int fd = mkstemp(fifo);

	assert_true(fd >= 0);
	close(fd);
	unlink(fifo);
	assert_int_equal(mkfifo(fifo, 0600), 0);
	/* no writer: refused at once, not waited on */
	assert_int_equal(trace_read(fifo, &ops, NULL, stderr, &st), -EINVAL);
	assert_string_equal(st.open_err, "not a regular file (a FIFO)");
	unlink(fifo);
	assert_int_equal(trace_read("/tmp", &ops, NULL, stderr, &st), -EISDIR);
	assert_string_equal(st.open_err, "is a directory");
	assert_int_equal(trace_read("/dev/zero", &ops, NULL, stderr, &st), -EINVAL);
	assert_string_equal(st.open_err, "not a regular file (a character device)");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(recorder_bounds),
		cmocka_unit_test(uptodate_round_trip),
		cmocka_unit_test(finding_round_trip),
		cmocka_unit_test(hostile_finding),
		cmocka_unit_test(reader_keeps_going),
		cmocka_unit_test(malformed_files),
		cmocka_unit_test(too_many_errors),
		cmocka_unit_test(refused_paths),
	};

	return cmocka_run_group_tests_name("trace_io", tests, NULL, NULL);
}
