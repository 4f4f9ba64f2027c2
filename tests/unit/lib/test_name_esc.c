// SPDX-License-Identifier: GPL-2.0
/*
 * Unit tests for lib/name_esc.c: the shown form of hostile names (escape
 * sequences, newlines, quotes, markup, invalid UTF-8, overlong forms,
 * surrogates, bidi controls, 15-byte comms) in a UTF-8 and in a C locale,
 * column widths, and the JSON rule read back byte for byte.
 */
#include <errno.h>
#include <locale.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "name_esc.h"

static int utf8_locale(void **state)
{
	return setlocale(LC_CTYPE, "C.UTF-8") ? 0 : -1;
}

static int c_locale(void **state)
{
	return setlocale(LC_CTYPE, "C") ? 0 : -1;
}

/* The shown form of s, in a buffer of the documented size. */
static const char *esc(const char *s)
{
	static char buf[NAME_ESC_SIZE(64)];

	return name_escape(s, buf, sizeof(buf));
}

static void controls(void **state)
{
	assert_string_equal(esc("plain/ascii-1.2_x"), "plain/ascii-1.2_x");
	assert_string_equal(esc("\x1b[2J\x1b]0;pwned\a"), "\\x1b[2J\\x1b]0;pwned\\x07");
	assert_string_equal(esc("two\nlines\r\tx"), "two\\nlines\\r\\tx");
	assert_string_equal(esc("\x7f\x01"), "\\x7f\\x01");
	/* the backslash is escaped too, so "\x1b" typed by a user stays distinct */
	assert_string_equal(esc("a\\x1b"), "a\\\\x1b");
	/* quotes and markup are not control bytes: HTML and JSON escape them */
	assert_string_equal(esc("\"q\" 'q' <b>&amp;"), "\"q\" 'q' <b>&amp;");
	assert_string_equal(esc(NULL), "");
}

static void invalid_utf8(void **state)
{
	assert_string_equal(esc("bad\xff\xfeutf"), "bad\\xff\\xfeutf");
	/* overlong '/' in 2, 3 and 4 bytes; an overlong NUL */
	assert_string_equal(esc("\xc0\xaf"), "\\xc0\\xaf");
	assert_string_equal(esc("\xe0\x80\xaf"), "\\xe0\\x80\\xaf");
	assert_string_equal(esc("\xf0\x80\x80\xaf"), "\\xf0\\x80\\x80\\xaf");
	assert_string_equal(esc("\xc0\x80"), "\\xc0\\x80");
	/* UTF-16 surrogates, above U+10FFFF, a lone continuation byte */
	assert_string_equal(esc("\xed\xa0\x80\xed\xbf\xbf"), "\\xed\\xa0\\x80\\xed\\xbf\\xbf");
	assert_string_equal(esc("\xf4\x90\x80\x80"), "\\xf4\\x90\\x80\\x80");
	assert_string_equal(esc("\x80x"), "\\x80x");
	/* a sequence cut by the end of the name, or by the next character */
	assert_string_equal(esc("ok\xe2\x82"), "ok\\xe2\\x82");
	assert_string_equal(esc("\xe2\x82x"), "\\xe2\\x82x");
}

static void unicode_in_utf8_locale(void **state)
{
	char buf[NAME_ESC_COMM];

	assert_string_equal(esc("caf\xc3\xa9 \xe4\xb8\x80 \xf0\x9f\x90\xb3"),
			    "caf\xc3\xa9 \xe4\xb8\x80 \xf0\x9f\x90\xb3");
	/* C1 CSI, RLO and an isolate, line separator: escaped as code points */
	assert_string_equal(esc("\xc2\x9b"
				"1m"),
			    "\\u009b1m");
	assert_string_equal(esc("a\xe2\x80\xae"
				"b\xe2\x81\xa6\xe2\x80\xa8"),
			    "a\\u202eb\\u2066\\u2028");
	/* a 15-byte comm of the worst bytes, in the documented room */
	assert_int_equal(name_escapen(buf, sizeof(buf),
				      "\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff"
				      "\xff\xff\xff\xff\xff",
				      15, 0),
			 60);
	assert_int_equal(strlen(buf), 60);
}

static void c_locale_escapes_non_ascii(void **state)
{
	assert_string_equal(esc("caf\xc3\xa9"), "caf\\xc3\\xa9");
	assert_string_equal(esc("\xc2\x9b"), "\\xc2\\x9b");
	/* HTML says UTF-8 itself: the flag keeps valid characters */
	{
		char *s = name_escape_dup("caf\xc3\xa9\x1b\xff", NAME_ESC_UTF8);

		assert_string_equal(s, "caf\xc3\xa9\\x1b\\xff");
		free(s);
	}
}

static void bounds(void **state)
{
	char buf[9];
	const char comm16[16] = "0123456789abcdef"; /* no NUL at all */

	/* cut at a unit boundary, never inside an escape; the return says so */
	assert_int_equal(name_escapen(buf, sizeof(buf), "\x01\x02\x03", 3, 0), 12);
	assert_string_equal(buf, "\\x01\\x02");
	assert_int_equal(name_escapen(buf, sizeof(buf), comm16, sizeof(comm16), 0), 16);
	assert_string_equal(buf, "01234567");
	assert_int_equal(name_escapen(NULL, 0, "a\nb", 3, 0), 4);
	/* a NUL ends the name */
	assert_int_equal(name_escapen(buf, sizeof(buf), "ab\0cd", 5, 0), 2);
}

static void widths(void **state)
{
	char buf[NAME_ESC_SIZE(16) + 16];

	assert_int_equal(name_width("abc"), 3);
	assert_int_equal(name_width("caf\xc3\xa9"), 4);
	assert_int_equal(name_width("\xe4\xb8\x80\xe4\xb8\x80"), 4); /* CJK: 2 columns each */
	assert_int_equal(name_width("e\xcc\x81"), 1);		     /* a combining accent */
	/* padded by what is shown: an escape counts its 4 characters */
	assert_string_equal(name_pad("a\x1b", 8, buf, sizeof(buf)), "a\\x1b   ");
	assert_string_equal(name_pad("caf\xc3\xa9", 6, buf, sizeof(buf)), "caf\xc3\xa9  ");
	assert_string_equal(name_pad("\xe4\xb8\x80", 4, buf, sizeof(buf)), "\xe4\xb8\x80  ");
	/* never cut to the column */
	assert_string_equal(name_pad("\n\n\n", 4, buf, sizeof(buf)), "\\n\\n\\n");
}

/* Write {"comm": name} by the rule, dump, parse, read back. */
static void round_trip(const char *name, size_t n, char *out, size_t out_len)
{
	char err[128] = "", *text;
	json_error_t jerr;
	json_t *o = json_object();

	assert_int_equal(name_json_setn(o, "comm", name, n), 0);
	text = json_dumps(o, JSON_COMPACT);
	assert_non_null(text);
	json_decref(o);
	o = json_loads(text, JSON_REJECT_DUPLICATES, &jerr);
	assert_non_null(o);
	assert_true(json_is_string(json_object_get(o, "comm")));
	assert_int_equal(name_from_json(o, "comm", out, out_len, err, sizeof(err)), 0);
	json_decref(o);
	free(text);
}

static void json_keeps_every_byte(void **state)
{
	char name[2] = "", back[16];

	for (int b = 1; b < 256; b++) {
		name[0] = (char)b;
		round_trip(name, 1, back, sizeof(back));
		assert_int_equal((unsigned char)back[0], b);
		assert_int_equal(back[1], '\0');
	}
	round_trip("bad\xff\xfeutf\x1b\n\"<", 15, back, sizeof(back));
	assert_string_equal(back, "bad\xff\xfeutf\x1b\n\"<");
}

static void json_forms(void **state)
{
	json_t *o = json_object();
	char *s;

	name_json_set(o, "comm", "ok\x1b\n");
	name_json_set(o, "cgroup", "/a/bad\xff");
	name_json_set(o, "none", NULL);
	s = json_dumps(o, JSON_COMPACT | JSON_SORT_KEYS);
	assert_string_equal(s, "{\"cgroup\":\"/a/bad\\\\xff\",\"cgroup_bytes\":[47,97,47,98,97,"
			       "100,255],\"comm\":\"ok\\u001B\\n\",\"none\":null}");
	free(s);
	json_decref(o);
	o = name_json("ok\xe2\x82\xac\xff\n");
	s = json_dumps(o, JSON_ENCODE_ANY);
	assert_string_equal(s, "\"ok\xe2\x82\xac\\\\xff\\n\"");
	free(s);
	json_decref(o);
	assert_true(json_is_null(o = name_json(NULL)));
	json_decref(o);
}

/* name_from_json on a hand-written object: rc and the message. */
static int from(const char *text, char *buf, size_t len, char *err)
{
	json_t *o = json_loads(text, 0, NULL);
	int r;

	assert_non_null(o);
	r = name_from_json(o, "comm", buf, len, err, 128);
	json_decref(o);
	return r;
}

static void json_reader_rejects(void **state)
{
	char buf[16], err[128];

	assert_int_equal(from("{}", buf, sizeof(buf), err), -ENOENT);
	assert_int_equal(from("{\"comm\":null}", buf, sizeof(buf), err), -ENOENT);
	assert_int_equal(from("{\"comm\":7}", buf, sizeof(buf), err), -EINVAL);
	assert_string_equal(err, "\"comm\" is not a string");
	assert_int_equal(from("{\"comm\":\"0123456789abcdef\"}", buf, sizeof(buf), err),
			 -ENAMETOOLONG);
	assert_string_equal(err, "\"comm\" longer than 15 bytes");
	assert_int_equal(from("{\"comm_bytes\":[97,0]}", buf, sizeof(buf), err), -EINVAL);
	assert_string_equal(err, "\"comm_bytes\"[1] is not a byte from 1 to 255");
	assert_int_equal(from("{\"comm_bytes\":[256]}", buf, sizeof(buf), err), -EINVAL);
	assert_int_equal(from("{\"comm_bytes\":[-1]}", buf, sizeof(buf), err), -EINVAL);
	assert_int_equal(from("{\"comm_bytes\":[97.0]}", buf, sizeof(buf), err), -EINVAL);
	assert_int_equal(from("{\"comm_bytes\":\"abc\"}", buf, sizeof(buf), err), -EINVAL);
	assert_int_equal(from("{\"comm_bytes\":[1,2,3,4,5,6,7,8,9,10,11,12,13,14,15,16]}", buf,
			      sizeof(buf), err),
			 -ENAMETOOLONG);
	/* the bytes win over the display form */
	assert_int_equal(
		from("{\"comm\":\"x\\\\xff\",\"comm_bytes\":[120,255]}", buf, sizeof(buf), err), 0);
	assert_string_equal(buf, "x\xff");
}

int main(void)
{
	const struct CMUnitTest utf8[] = {
		cmocka_unit_test(controls),
		cmocka_unit_test(invalid_utf8),
		cmocka_unit_test(unicode_in_utf8_locale),
		cmocka_unit_test(bounds),
		cmocka_unit_test(widths),
		cmocka_unit_test(json_keeps_every_byte),
		cmocka_unit_test(json_forms),
		cmocka_unit_test(json_reader_rejects),
	};
	const struct CMUnitTest c[] = {
		cmocka_unit_test(controls),
		cmocka_unit_test(invalid_utf8),
		cmocka_unit_test(c_locale_escapes_non_ascii),
		cmocka_unit_test(json_keeps_every_byte),
	};

	return cmocka_run_group_tests_name("name_esc in C.UTF-8", utf8, utf8_locale, NULL) |
	       cmocka_run_group_tests_name("name_esc in C", c, c_locale, NULL);
}
