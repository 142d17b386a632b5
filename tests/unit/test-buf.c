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
test_max_is_enforced(void)
{
	struct mlp_buf	b = MLP_BUF_INIT;

	b.max = 8;
	is_int(mlp_buf_add(&b, "1234567", 7), MLP_OK, "7 bytes fit in 8");
	is_int(mlp_buf_add(&b, "8", 1), MLP_EBADDATA, "8th byte is refused");
	ok(strstr(mlp_error_last(), "larger than 8") != NULL,
	    "error message names the limit");
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
	test_max_is_enforced();
	test_detach();
	return tap_done();
}
