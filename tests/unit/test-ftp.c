/* test-ftp.c - destination URLs, temporary names, push manifests. */
#include "config.h"

#include <sys/stat.h>

#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "mlp.h"
#include "tap.h"

static void
test_url_full(void)
{
	struct mlp_ftp_url	u;
	char			*pub;

	is_int(mlp_ftp_url_parse(&u, "ftp://alice:p%40ss:w@rd@ftp.example"
	    ".com:2121/srv/mlflow/"), MLP_OK, "full URL parses");
	is_str(u.user, "alice", "user is raw");
	is_str(u.password, "p@ss:w@rd", "password is percent-decoded, the "
	    "last @ ends it");
	is_str(u.host, "ftp.example.com", "host");
	is_int(u.port, 2121, "port");
	is_str(u.path, "/srv/mlflow", "trailing slash dropped");
	is_int(u.tls, 0, "ftp:// is plain");
	pub = mlp_ftp_url_public(&u);
	is_str(pub, "ftp://alice@ftp.example.com:2121/srv/mlflow",
	    "public form has no password");
	ok(strstr(pub, "rd") == NULL, "no part of the password");
	free(pub);
	mlp_ftp_url_release(&u);
}

static void
test_url_short(void)
{
	struct mlp_ftp_url	u;
	char			*pub;

	is_int(mlp_ftp_url_parse(&u, "ftps://host"), MLP_OK, "host only");
	ok(u.user == NULL && u.password == NULL, "no credentials");
	is_int(u.port, 21, "default port 21");
	is_str(u.path, "", "empty path is the root");
	is_int(u.tls, 1, "ftps:// asks for TLS");
	pub = mlp_ftp_url_public(&u);
	is_str(pub, "ftps://host", "public form");
	free(pub);
	mlp_ftp_url_release(&u);

	is_int(mlp_ftp_url_parse(&u, "ftp://bob@[::1]:99/a%20b"), MLP_OK,
	    "IPv6 literal");
	is_str(u.host, "::1", "brackets dropped");
	is_int(u.port, 99, "port after ]");
	is_str(u.path, "/a%20b", "path is raw, as MLflow takes it");
	pub = mlp_ftp_url_public(&u);
	is_str(pub, "ftp://bob@[::1]:99/a%20b", "brackets back");
	free(pub);
	mlp_ftp_url_release(&u);
}

static void
test_url_bad(void)
{
	struct mlp_ftp_url	u;

	is_int(mlp_ftp_url_parse(&u, "http://x/"), MLP_EINVAL, "http refused");
	is_int(mlp_ftp_url_parse(&u, "ftp:///x"), MLP_EINVAL, "no host");
	is_int(mlp_ftp_url_parse(&u, "ftp://u:sekrit@h:0/"), MLP_EINVAL,
	    "port 0");
	ok(strstr(mlp_error_last(), "sekrit") == NULL,
	    "error does not quote the password");
	is_int(mlp_ftp_url_parse(&u, "ftp://u:sekrit@h:21x/"), MLP_EINVAL,
	    "port with junk");
	ok(strstr(mlp_error_last(), "sekrit") == NULL,
	    "error does not quote the password");
	is_int(mlp_ftp_url_parse(&u, "ftp://h/x?y=1"), MLP_EINVAL, "query");
	is_int(mlp_ftp_url_parse(&u, "ftp://[::1/x"), MLP_EINVAL,
	    "unclosed bracket");
}

static void
test_temp_name(void)
{
	char	*t, longname[300];

	t = mlp_ftp_temp_name("/a/b/model.pkl");
	is_str(t, "/a/b/.model.pkl.mlp-part", "temp beside the file, hidden");
	free(t);
	memset(longname, 'x', sizeof longname);
	memcpy(longname, "/d/", 3);
	longname[sizeof longname - 1] = '\0';
	t = mlp_ftp_temp_name(longname);
	ok(strncmp(t, "/d/.", 4) == 0 && strlen(t) < 60,
	    "long names get a hashed temp name (%s)", t);
	free(t);
}

int
main(void)
{
	test_url_full();
	test_url_short();
	test_url_bad();
	test_temp_name();
	return tap_done();
}
