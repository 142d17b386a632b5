#!/bin/sh
# t4002-push-tls.t: mlp-push over explicit TLS (AUTH TLS) to a
# pure-ftpd that refuses clear-text sessions.
. "$(dirname "$0")/lib.sh"
. "$TEST_DIRECTORY/ftp-lib.sh"

if ! ftp_have; then
	test_skip_all "$FTP_SKIP"
fi

# A self-signed certificate for 127.0.0.1; pure-ftpd wants key and
# certificate in one file.
mkdir -p "$FTP_DIR"
openssl req -x509 -newkey rsa:2048 -nodes -keyout "$FTP_DIR/key.pem" \
    -out "$TRASH/cert.pem" -days 2 -subj /CN=127.0.0.1 \
    -addext subjectAltName=IP:127.0.0.1 >/dev/null 2>&1 &&
    cat "$FTP_DIR/key.pem" "$TRASH/cert.pem" >"$FTP_DIR/both.pem" &&
    chmod 600 "$FTP_DIR/both.pem"
# -Y 2: TLS required for the control and data connections.
ftp_start -Y 2 -2 "$FTP_DIR/both.pem" 2>"$TRASH/ftp-start.err"
_started=$?
MLP_FTP_PASSWORD=$FTP_PASS
export MLP_FTP_PASSWORD

test_expect_success 'a TLS-only server and a run' '
	{ test $_started -eq 0 || { cat ftp-start.err; false; }; } &&
	R=$(mlp-log start) &&
	head -c 200000 /dev/urandom >data.bin &&
	MLFLOW_RUN_ID=$R mlp-log artifact data.bin &&
	MLFLOW_RUN_ID=$R mlp-log end &&
	echo "$R" >run
'
R=$(cat "$TRASH/run" 2>/dev/null)
HOSTPORT=127.0.0.1:$FTP_PORT

test_expect_success 'clear text is refused: exit 1' '
	test_expect_code 1 mlp-push --retries 0 "$FTP_URL/p" 2>err &&
	grep "use --ssl" err &&
	test ! -e "$FTP_HOME/p"
'

test_expect_success 'an unknown certificate is refused: exit 1' '
	test_expect_code 1 mlp-push --retries 0 --ssl "$FTP_URL/p" 2>err &&
	grep -i certificate err &&
	test ! -e "$FTP_HOME/p"
'

test_expect_success 'ftps:// with --cacert sends over TLS' '
	mlp-push -vv --cacert cert.pem "ftps://$FTP_USER@$HOSTPORT/p" \
	    2>trace &&
	grep "> AUTH TLS" trace &&
	grep "> PROT P" trace &&
	! grep -F "$FTP_PASS" trace &&
	cmp data.bin "$FTP_HOME/p/0/$R/artifacts/data.bin"
'

test_expect_success '--ssl on ftp:// and -k work too' '
	mlp-push --ssl --cacert cert.pem "$FTP_URL/q" &&
	cmp data.bin "$FTP_HOME/q/0/$R/artifacts/data.bin" &&
	mlp-push --ssl -k "$FTP_URL/r" &&
	cmp data.bin "$FTP_HOME/r/0/$R/artifacts/data.bin"
'

test_expect_success '--relocate keeps the ftps:// scheme' '
	mlp-push --relocate --cacert cert.pem "ftps://$FTP_USER@$HOSTPORT/p" &&
	grep "^artifact_uri: ftps://$FTP_USER@$HOSTPORT/p/0/$R/artifacts$" \
	    mlruns/0/$R/meta.yaml
'

test_done
