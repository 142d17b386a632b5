/* test-md5.c - MD5 against RFC 1321's test suite and MLflow's ids. */
#include "config.h"

#include <string.h>

#include "mlp.h"
#include "tap.h"

static void
check(const char *in, const char *want)
{
	char	out[33];

	mlp_md5_hex(out, in, strlen(in));
	is_str(out, want, "md5(\"%.20s\")", in);
}

int
main(void)
{
	char	big[1000], out[33];

	/* RFC 1321, appendix A.5 */
	check("", "d41d8cd98f00b204e9800998ecf8427e");
	check("a", "0cc175b9c0f1b6a831c399e269772661");
	check("abc", "900150983cd24fb0d6963f7d28e17f72");
	check("message digest", "f96b697d7cb7938d525a2f31aaf161d0");
	check("abcdefghijklmnopqrstuvwxyz", "c3fcd3d76192e4007dfb496cca67e13b");
	check("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789",
	    "d174ab98d277d9f5a5611c2c9f419d9f");
	check("1234567890123456789012345678901234567890123456789012345678901234"
	    "5678901234567890", "57edf4a22be3c955ac49da2e2107b67a");
	/* Lengths around the padding boundary (55, 56, 64 bytes). */
	check("aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa",
	    "ef1772b6dff9a122358552954ad0df65");
	check("aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa",
	    "3b0c8ac703f828b04c6c197006d17218");
	check("aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa",
	    "014842d480b571495a4a0363793f7367");
	/* A dataset id: md5 of its name "iris" and digest "abc123". */
	check("irisabc123", "65889691a86609276f6fa92515985e9b");
	memset(big, 'x', sizeof big);
	mlp_md5_hex(out, big, sizeof big);
	is_str(out, "398533d48111e9f664b1f64cb10c4b63", "1000 x");
	return tap_done();
}
