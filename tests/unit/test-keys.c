/*
 * test-keys.c - the UTF-8 validator behind every key, value and name
 * that enters the store: a table of good and bad byte sequences.
 */
#include "config.h"

#include <stdio.h>
#include <string.h>

#include "mlp.h"
#include "tap.h"

static const struct {
	const char	*s;
	size_t		 bad;	/* offset of the first bad byte; -1: valid */
	const char	*why;
} cases[] = {
	{ "", (size_t)-1, "empty" },
	{ "plain ascii/key.1", (size_t)-1, "ASCII" },
	{ "\x7f", (size_t)-1, "DEL is ASCII" },
	{ "\xc2\x80", (size_t)-1, "U+0080, the first 2-byte form" },
	{ "h\xc3\xa9llo", (size_t)-1, "U+00E9" },
	{ "\xdf\xbf", (size_t)-1, "U+07FF, the last 2-byte form" },
	{ "\xe0\xa0\x80", (size_t)-1, "U+0800, the first 3-byte form" },
	{ "\xe2\x82\xac", (size_t)-1, "U+20AC euro" },
	{ "\xed\x9f\xbf", (size_t)-1, "U+D7FF, just below the surrogates" },
	{ "\xee\x80\x80", (size_t)-1, "U+E000, just above them" },
	{ "\xef\xbf\xbf", (size_t)-1, "U+FFFF" },
	{ "\xf0\x90\x80\x80", (size_t)-1, "U+10000, the first 4-byte form" },
	{ "\xf0\x9d\x84\x9e", (size_t)-1, "U+1D11E" },
	{ "\xf4\x8f\xbf\xbf", (size_t)-1, "U+10FFFF, the last code point" },
	{ "k\xff", 1, "0xff is never UTF-8" },
	{ "\xfe", 0, "0xfe is never UTF-8" },
	{ "a\x80", 1, "a lone continuation byte" },
	{ "\xc0\x80", 0, "overlong NUL (0xc0)" },
	{ "\xc1\xbf", 0, "overlong 2-byte (0xc1)" },
	{ "\xe0\x80\xaf", 0, "overlong 3-byte '/'" },
	{ "\xe0\x9f\xbf", 0, "overlong 3-byte U+07FF" },
	{ "\xf0\x8f\xbf\xbf", 0, "overlong 4-byte U+FFFF" },
	{ "ok\xed\xa0\x80x", 2, "U+D800, a high surrogate" },
	{ "\xed\xbf\xbf", 0, "U+DFFF, a low surrogate" },
	{ "\xed\xa0\xbd\xed\xb8\x80", 0, "a CESU-8 surrogate pair" },
	{ "\xf4\x90\x80\x80", 0, "U+110000, past the last code point" },
	{ "\xf5\x80\x80\x80", 0, "0xf5 leads past U+10FFFF" },
	{ "\xf8\x88\x80\x80\x80", 0, "a 5-byte form" },
	{ "ab\xc3", 2, "cut 2-byte sequence at the end" },
	{ "\xe2\x82", 0, "cut 3-byte sequence at the end" },
	{ "\xe2\x82x", 0, "3-byte sequence cut by ASCII" },
	{ "\xf0\x9d\x84", 0, "cut 4-byte sequence at the end" },
	{ "\xc3\xc3\xa9", 0, "a lead byte followed by a lead byte" },
};

int
main(void)
{
	size_t	i, n, want, got;
	char	buf[16];

	for (i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		n = strlen(cases[i].s);
		want = cases[i].bad == (size_t)-1 ? n : cases[i].bad;
		got = mlp_utf8_valid(cases[i].s, n);
		is_int(got, want, "%s: %s", cases[i].bad == (size_t)-1 ?
		    "good" : "bad", cases[i].why);
		is_int(mlp_utf8_check(cases[i].s, n, "test"),
		    cases[i].bad == (size_t)-1 ? MLP_OK : MLP_EINVAL,
		    "mlp_utf8_check agrees: %s", cases[i].why);
	}
	/* Only len bytes count: a NUL inside is ASCII, the rest unseen. */
	memcpy(buf, "a\0\xff", 3);
	is_int(mlp_utf8_valid(buf, 2), 2, "a NUL byte is valid UTF-8");
	is_int(mlp_utf8_valid(buf, 3), 2, "the byte after it is seen");

	is_int(mlp_utf8_check("k\xff", 2, "param key"), MLP_EINVAL,
	    "check refuses");
	is_str(mlp_error_last(), "invalid param key 'k\\xff': not valid "
	    "UTF-8 (at byte 2)", "the message escapes the bad byte, names "
	    "the offset");
	is_int(mlp_key_check("k\xff", "param"), MLP_EINVAL,
	    "a key with a bad byte is refused");
	is_str(mlp_error_last(), "invalid param key 'k\\xff': not valid "
	    "UTF-8 (at byte 2)", "naming the key");
	is_int(mlp_key_check("l\xc3\xa9on/\xe2\x82\xac", "metric"), MLP_OK,
	    "a key of letters of other scripts is fine");
	is_int(mlp_key_check("a\xed\xa0\x80", "tag"), MLP_EINVAL,
	    "a key with a surrogate is refused");

	return tap_done();
}
