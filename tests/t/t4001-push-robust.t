#!/bin/sh
# t4001-push-robust.t: mlp-push when things go wrong: the server dies
# mid-upload (the next push sends it again and leaves no partial file), two
# pushes at once (one yields or waits, nothing is sent twice), and the
# password stays out of the process list.
. "$(dirname "$0")/lib.sh"
. "$TEST_DIRECTORY/ftp-lib.sh"

if ! ftp_have; then
	test_skip_all "$FTP_SKIP"
fi

# A throttled server (-T: KB/s per user) makes uploads slow enough to
# interrupt.
ftp_start -T 1000 2>"$TRASH/ftp-start.err"
_started=$?
DEST=$FTP_URL/srv
MLP_FTP_PASSWORD=$FTP_PASS
export MLP_FTP_PASSWORD

# wait_for COMMAND...: poll up to 30 s until COMMAND succeeds.
wait_for() {
	_i=0
	until "$@"; do
		_i=$((_i + 1))
		[ $_i -lt 300 ] || { echo "timed out: $*" >&2; return 1; }
		sleep 0.1
	done
}

# bigger_than FILE BYTES
bigger_than() {
	_s=$(stat -c %s "$1" 2>/dev/null) && [ "$_s" -gt "$2" ]
}

test_expect_success 'a run with a big artifact' '
	{ test $_started -eq 0 || { cat ftp-start.err; false; }; } &&
	R=$(mlp-log start) &&
	head -c 6000000 /dev/urandom >big.bin &&
	echo small >small.txt &&
	MLFLOW_RUN_ID=$R mlp-log artifact big.bin &&
	MLFLOW_RUN_ID=$R mlp-log artifact small.txt &&
	MLFLOW_RUN_ID=$R mlp-log end &&
	echo "$R" >run
'
R=$(cat "$TRASH/run" 2>/dev/null)
PART=$FTP_HOME/srv/0/$R/artifacts/.big.bin.mlp-part

test_expect_success 'the password is in no process list during a push' '
	mlp-push --retries 0 "$DEST" 2>err &
	pid=$! &&
	wait_for bigger_than "$PART" 100000 &&
	ps -eo args >ps.out &&
	cat /proc/$pid/cmdline >cmdline &&
	! grep -F "$FTP_PASS" ps.out &&
	! grep -F "$FTP_PASS" cmdline &&
	grep mlp-push ps.out &&
	kill $pid && { wait $pid || :; }
'

test_expect_success 'a password typed into the URL is hidden from ps' '
	MLP_FTP_PASSWORD= mlp-push --retries 0 \
	    "ftp://$FTP_USER:$FTP_PASS@127.0.0.1:$FTP_PORT/srv" 2>err &
	pid=$! &&
	wait_for grep -q "warning: a password" err &&
	tr "\0" " " </proc/$pid/cmdline >cmdline &&
	kill $pid && { wait $pid || :; } &&
	cat cmdline &&
	grep "127.0.0.1:$FTP_PORT/srv" cmdline &&
	! grep -F "$FTP_PASS" cmdline
'

test_expect_success 'kill the server mid-upload: the push fails, exit 1' '
	rm -f "$PART" &&
	mlp-push -v --retries 1 --retry-delay 100 "$DEST" >out 2>err4 &
	pid=$! &&
	wait_for bigger_than "$PART" 1000000 &&
	ftp_stop &&
	stat -c "partial at the kill: %s bytes" "$PART" &&
	{ test_expect_code 1 wait $pid || { cat err4; false; }; } &&
	grep "cannot push .big.bin" err4 &&
	test -f "$PART" &&
	test ! -e "$FTP_HOME/srv/0/$R/artifacts/big.bin" &&
	stat -c %s "$PART" >partsize
'

test_expect_success 'the next push starts over, leaves nothing partial' '
	ftp_restart &&
	mlp-push -vv "$DEST" 2>trace &&
	grep "STOR .*\.big\.bin\.mlp-part" trace &&
	! grep "APPE" trace &&
	ftp_get "/srv/0/$R/artifacts/big.bin" got &&
	cmp big.bin got &&
	ftp_get "/srv/0/$R/artifacts/small.txt" got &&
	cmp small.txt got &&
	find "$FTP_HOME" -name "*.mlp-part" >parts &&
	test_line_count parts 0 &&
	(cd "$FTP_HOME/srv/0/$R/artifacts" && ls -A) >files &&
	printf "%s\n" big.bin small.txt >expect &&
	test_cmp expect files
'

test_expect_success 'the manifest has one line per file, with the hash' '
	grep -v "^#" mlruns/0/$R/mlp-push.*.tsv >mf &&
	test_line_count mf 2 &&
	grep "^F	6000000	" mf
'

if command -v xxhsum >/dev/null 2>&1; then
	test_expect_success 'the hash of the file covers all of it' '
		h=$(xxhsum -H2 big.bin | cut -d" " -f1) &&
		grep "^F	6000000	[0-9]*	$h	big.bin$" mf
	'
else
	test_skip 'the hash of the file covers all of it' \
	    "xxhsum is not installed (Debian package xxhash)"
fi

test_expect_success 'the server lost a partial: the push starts over' '
	R2=$(mlp-log start) &&
	head -c 3000000 /dev/urandom >big2.bin &&
	MLFLOW_RUN_ID=$R2 mlp-log artifact big2.bin &&
	MLFLOW_RUN_ID=$R2 mlp-log end &&
	ftp_stop && ftp_restart -T 1000 &&
	P2=$FTP_HOME/srv/0/$R2/artifacts/.big2.bin.mlp-part &&
	{ mlp-push --retries 0 "$DEST" 2>err & } &&
	pid=$! &&
	wait_for bigger_than "$P2" 100000 &&
	ftp_stop &&
	{ wait $pid || :; } &&
	rm -f "$P2" &&
	ftp_restart &&
	mlp-push "$DEST" &&
	ftp_get "/srv/0/$R2/artifacts/big2.bin" got &&
	cmp big2.bin got
'

test_expect_success 'two pushes at once: the second yields, exit 0' '
	ftp_stop && ftp_restart -T 1000 &&
	R3=$(mlp-log start) &&
	head -c 4000000 /dev/urandom >big3.bin &&
	MLFLOW_RUN_ID=$R3 mlp-log artifact big3.bin &&
	MLFLOW_RUN_ID=$R3 mlp-log end &&
	echo "$R3" >run3 &&
	P3=$FTP_HOME/srv/0/$R3/artifacts/.big3.bin.mlp-part &&
	{ mlp-push -v "$DEST" 2>err1 & } &&
	pid=$! &&
	wait_for bigger_than "$P3" 100000 &&
	mlp-push -v "$DEST" 2>err2 &&
	grep "another mlp-push (pid $pid) is running" err2 &&
	! grep "sent " err2 &&
	{ mlp-push -v --wait "$DEST" 2>err3 & } &&
	pid3=$! &&
	wait $pid &&
	wait $pid3 &&
	grep "sent $R3/big3.bin" err1 &&
	! grep "sent " err3 &&
	ftp_get "/srv/0/$R3/artifacts/big3.bin" got &&
	cmp big3.bin got &&
	grep -c "^F" mlruns/0/$R3/mlp-push.*.tsv >n &&
	echo 1 >expect && test_cmp expect n
'

test_expect_success 'the lock is a plain file at the root, freed on exit' '
	test -f mlruns/.mlp-push.lock &&
	mlp-push "$DEST" 2>err &&
	test_line_count err 0
'

test_expect_success 'server gone for good: exit 1 after the retries' '
	ftp_stop &&
	R4=$(mlp-log start) && echo x >x.txt &&
	MLFLOW_RUN_ID=$R4 mlp-log artifact x.txt &&
	MLFLOW_RUN_ID=$R4 mlp-log end &&
	test_expect_code 1 mlp-push --retries 2 --retry-delay 10 -v \
	    "$DEST" 2>err &&
	grep "trying again (2 of 2)" err &&
	grep "x.txt" err
'

test_done
