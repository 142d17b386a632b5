/* test-buf.c - the growable buffer. */
#include "config.h"

#include <string.h>

#include "mlp.h"
#include "tap.h"

static void
test_addf_grows(void)
{
	struct mlp_buf	b = MLP_BUF_INIT;
	int		i;

	is_str(b.buf, "", "a new buffer is the empty string");
	for (i = 0; i < 1000; i++)
		mlp_buf_addf(&b, "%d,", i);
	is_int(b.len, strlen(b.buf), "len matches the string");
	ok(strncmp(b.buf, "0,1,2,", 6) == 0, "content starts right");
	ok(strcmp(b.buf + b.len - 4, "999,") == 0, "content ends right");
	mlp_buf_reset(&b);
	is_str(b.buf, "", "reset empties it");
	mlp_buf_release(&b);
}

static void
test_detach(void)
{
	struct mlp_buf	 b = MLP_BUF_INIT;
	char		*s;

	s = mlp_buf_detach(&b);
	is_str(s, "", "detaching an empty buffer gives a string to free");
	free(s);
	mlp_buf_addstr(&b, "abc");
	s = mlp_buf_detach(&b);
	is_str(s, "abc", "detach hands over the content");
	is_str(b.buf, "", "and leaves the buffer empty");
	free(s);
}

int
main(void)
{
	test_addf_grows();
	test_detach();
	return tap_done();
}
