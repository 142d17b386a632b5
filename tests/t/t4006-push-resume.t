#!/bin/sh
# t4006-push-resume.t: an upload cut short is never finished on the
# server's word.  A temporary copy left on the server by an earlier,
# killed or failed push is not resumed: the next push deletes it and
# sends the file from byte 0, whatever SIZE says and whoever changed the
# copy (tests/t/fakeftp.py, and a real pure-ftpd).  Within one push a
# retry resumes only a copy that this push wrote, and renames it only if
# the server then has exactly the file's size.  Each time the file on the
# server is the local file, byte for byte.
. "$(dirname "$0")/lib.sh"
. "$TEST_DIRECTORY/ftp-lib.sh"

if ! fake_have; then
	test_skip_all "$FAKE_SKIP"
fi

MLP_FTP_PASSWORD=not-checked
export MLP_FTP_PASSWORD

# newrun: a finished run whose one artifact is a fresh 2 MB big.bin;
# sets R.
newrun() {
	R=$(mlp-log start) &&
	head -c 2000000 /dev/urandom >big.bin &&
	MLFLOW_RUN_ID=$R mlp-log artifact big.bin &&
	MLFLOW_RUN_ID=$R mlp-log end
}

# interrupted: push run R to a server that cuts the upload, so that its
# manifest records an upload begun (a P line) and the server keeps a
# partial copy; then stop that server.  Sets PORT (the next server must
# listen there: the manifest belongs to the destination).
interrupted() {
	fake_start cut &&
	PORT=$FAKE_PORT &&
	test_expect_code 1 mlp-push -r "$R" --retries 0 "$FAKE_URL/srv" 2>err &&
	grep "452 " err &&
	grep "^P	2000000	" mlruns/0/"$R"/mlp-push.*.tsv &&
	fake_stop
}

# part FILE: FILE is now the server's temporary copy of big.bin.
part() {
	mkdir -p "$FAKE_HOME/srv/0/$R/artifacts" &&
	cp "$1" "$FAKE_HOME/srv/0/$R/artifacts/.big.bin.mlp-part"
}

# hash_of FILE: its XXH3-128, or a pattern for any without xxhsum.
hash_of() {
	if command -v xxhsum >/dev/null 2>&1; then
		xxhsum -H2 "$1" | cut -d" " -f1
	else
		echo "[0-9a-f]*"
	fi
}

# whole: the push ended with big.bin on the server byte for byte, no
# temporary copy left, and its manifest line says sent, with the hash
# of all of the file.
whole() {
	cmp big.bin "$FAKE_HOME/srv/0/$R/artifacts/big.bin" &&
	test ! -e "$FAKE_HOME/srv/0/$R/artifacts/.big.bin.mlp-part" &&
	h=$(hash_of big.bin) &&
	grep "^F	2000000	[0-9]*	$h	big.bin$" mlruns/0/"$R"/mlp-push.*.tsv
}

# not_sent: big.bin is neither on the server nor recorded as sent.
not_sent() {
	test ! -e "$FAKE_HOME/srv/0/$R/artifacts/big.bin" &&
	! grep "^F" mlruns/0/"$R"/mlp-push.*.tsv
}

test_expect_success 'a copy someone changed is not resumed' '
	newrun && interrupted &&
	fake_start normal --port "$PORT" &&
	head -c 100000 /dev/urandom >junk &&
	part junk &&
	mlp-push -r "$R" "$FAKE_URL/srv" 2>err &&
	cat err &&
	whole &&
	! grep "^APPE" "$FAKE_LOG" &&
	grep "^STOR .*/\.big\.bin\.mlp-part$" "$FAKE_LOG" &&
	# the earlier copy was deleted before the new upload
	grep -n "^DELE .*/\.big\.bin\.mlp-part$" "$FAKE_LOG" >dele &&
	grep -n "^STOR .*/\.big\.bin\.mlp-part$" "$FAKE_LOG" >stor &&
	test "$(cut -d: -f1 dele)" -lt "$(cut -d: -f1 stor)"
'

test_expect_success 'SIZE smaller than the copy: nothing taken on its word' '
	fake_stop &&
	newrun && interrupted &&
	fake_start sizeonly --lie-size 50000 --port "$PORT" &&
	head -c 100000 big.bin >prefix &&
	part prefix &&
	test_expect_code 1 mlp-push -r "$R" --retries 1 --retry-delay 10 \
	    "$FAKE_URL/srv" 2>err &&
	cat err &&
	grep "cannot push .big.bin.*reports 50000 bytes for its copy" err &&
	not_sent &&
	! grep "^APPE" "$FAKE_LOG"
'

test_expect_success 'SIZE larger than the copy: nothing taken on its word' '
	fake_stop &&
	newrun && interrupted &&
	fake_start sizeonly --lie-size 1500000 --port "$PORT" &&
	head -c 100000 big.bin >prefix &&
	part prefix &&
	test_expect_code 1 mlp-push -r "$R" --retries 1 --retry-delay 10 \
	    "$FAKE_URL/srv" 2>err &&
	cat err &&
	grep "cannot push .big.bin.*reports 1500000 bytes for its copy" err &&
	not_sent &&
	! grep "^APPE" "$FAKE_LOG"
'

test_expect_success 'SIZE larger than the file: nothing taken on its word' '
	fake_stop &&
	newrun && interrupted &&
	fake_start sizeonly --lie-size 3000000 --port "$PORT" &&
	head -c 100000 big.bin >prefix &&
	part prefix &&
	test_expect_code 1 mlp-push -r "$R" --retries 1 --retry-delay 10 \
	    "$FAKE_URL/srv" 2>err &&
	cat err &&
	grep "cannot push .big.bin.*reports 3000000 bytes for its copy" err &&
	not_sent &&
	! grep "^APPE" "$FAKE_LOG"
'

test_expect_success 'a retry never resumes a copy this push did not write' '
	fake_stop &&
	newrun &&
	fake_start busy1 &&
	head -c 100000 /dev/urandom >junk &&
	part junk &&
	mlp-push -r "$R" --retries 2 --retry-delay 10 "$FAKE_URL/srv" 2>err &&
	cat err &&
	grep -c "^STOR" "$FAKE_LOG" >n && echo 2 >expect && test_cmp expect n &&
	whole &&
	! grep "^APPE" "$FAKE_LOG"
'

test_expect_success 'a retry resumes the copy this push wrote' '
	fake_stop &&
	newrun &&
	fake_start cut1 &&
	mlp-push -r "$R" -vv --retries 2 --retry-delay 10 "$FAKE_URL/srv" 2>err &&
	grep "^APPE" "$FAKE_LOG" &&
	grep "^SIZE .*/\.big\.bin\.mlp-part$" "$FAKE_LOG" &&
	! grep "starting over" err &&
	whole
'

test_expect_success 'a resumed copy of the wrong size is not renamed' '
	fake_stop &&
	newrun &&
	fake_start stale &&
	mlp-push -r "$R" -vv --retries 2 --retry-delay 10 "$FAKE_URL/srv" 2>err &&
	grep "^APPE" "$FAKE_LOG" &&
	grep "starting over" err &&
	whole
'

test_expect_success 'a server that keeps part of an upload but says 226' '
	fake_stop &&
	newrun &&
	head -c 300000 /dev/urandom >mid.bin &&
	R2=$(mlp-log start) &&
	MLFLOW_RUN_ID=$R2 mlp-log artifact mid.bin &&
	MLFLOW_RUN_ID=$R2 mlp-log end &&
	fake_start trunc226 &&
	test_expect_code 1 mlp-push -r "$R" -r "$R2" --retries 1 \
	    --retry-delay 10 "$FAKE_URL/srv" 2>err &&
	cat err &&
	grep "cannot push .big.bin.*reports 100000 bytes .* 2000000 sent" err &&
	grep "cannot push .mid.bin.*reports 100000 bytes .* 300000 sent" err &&
	! grep -h "^F" mlruns/0/"$R"/mlp-push.*.tsv mlruns/0/"$R2"/mlp-push.*.tsv &&
	test ! -e "$FAKE_HOME/srv/0/$R/artifacts/big.bin" &&
	test ! -e "$FAKE_HOME/srv/0/$R2/artifacts/mid.bin"
'

test_expect_success 'a server without SIZE: sent on 226 and the bytes' '
	fake_stop &&
	newrun &&
	fake_start nosize &&
	mlp-push -r "$R" "$FAKE_URL/srv" 2>err &&
	grep "^SIZE" "$FAKE_LOG" &&
	whole
'

test_expect_success 'a file the server lost after it was sent is sent again' '
	fake_stop &&
	newrun &&
	fake_start normal &&
	mlp-push -r "$R" "$FAKE_URL/srv" &&
	whole &&
	S=$FAKE_HOME/srv/0/$R/artifacts/big.bin &&
	head -c 1000 big.bin >"$S" &&
	test_expect_code 1 mlp-push -r "$R" --prune "$FAKE_URL/srv" 2>err &&
	cat err &&
	grep "big.bin.* has 1000 bytes on the server, not 2000000" err &&
	test -f "mlruns/0/$R/artifacts/big.bin" &&
	mlp-push -r "$R" "$FAKE_URL/srv" &&
	whole &&
	rm "$S" &&
	test_expect_code 1 mlp-push -r "$R" --prune "$FAKE_URL/srv" 2>err &&
	grep "big.bin.* is not on the server; the next push sends it" err &&
	mlp-push -r "$R" "$FAKE_URL/srv" &&
	whole &&
	mlp-push -r "$R" --prune "$FAKE_URL/srv" &&
	test ! -e "mlruns/0/$R/artifacts/big.bin" &&
	cmp big.bin "$S"
'

test_expect_success 'a server without SIZE: --prune refuses, nothing resent' '
	fake_stop &&
	newrun &&
	fake_start nosize &&
	mlp-push -r "$R" "$FAKE_URL/srv" &&
	test_expect_code 1 mlp-push -r "$R" --prune "$FAKE_URL/srv" 2>err &&
	grep "cannot verify .big.bin.*does not answer SIZE" err &&
	test -f "mlruns/0/$R/artifacts/big.bin" &&
	mlp-push -r "$R" "$FAKE_URL/srv" &&
	grep -c "^STOR" "$FAKE_LOG" >n && echo 1 >expect && test_cmp expect n &&
	whole
'

# The same against a real pure-ftpd: a push killed mid-upload, then a
# second push.
# A throttled server (-T: KB/s per user): slow enough to kill.
if ftp_have && ftp_start -T 1000 2>"$TRASH/ftp-start.err"; then
	test_set_prereq FTPD
fi

# bigger_than FILE BYTES
bigger_than() {
	_s=$(stat -c %s "$1" 2>/dev/null) && [ "$_s" -gt "$2" ]
}

# wait_for COMMAND...: poll up to 30 s until COMMAND succeeds.
wait_for() {
	_i=0
	until "$@"; do
		_i=$((_i + 1))
		[ $_i -lt 300 ] || { echo "timed out: $*" >&2; return 1; }
		sleep 0.1
	done
}

# killed: push a new 6 MB run R and kill -9 the push mid-upload, once
# the server holds more than 1.5 MB of it; sets PART (and the password
# of pure-ftpd for the pushes after it).
killed() {
	MLP_FTP_PASSWORD=$FTP_PASS && export MLP_FTP_PASSWORD &&
	R=$(mlp-log start) &&
	head -c 6000000 /dev/urandom >big6.bin &&
	MLFLOW_RUN_ID=$R mlp-log artifact big6.bin &&
	MLFLOW_RUN_ID=$R mlp-log end &&
	PART=$FTP_HOME/srv/0/$R/artifacts/.big6.bin.mlp-part &&
	{ mlp-push -r "$R" "$FTP_URL/srv" 2>err & } &&
	pid=$! &&
	wait_for bigger_than "$PART" 1500000 &&
	kill -KILL "$pid" && { wait "$pid" || :; } &&
	grep "^P	6000000	" mlruns/0/"$R"/mlp-push.*.tsv
}

test_expect_success FTPD 'pure-ftpd: a push killed, then the next one' '
	killed &&
	mlp-push -r "$R" -vv "$FTP_URL/srv" 2>trace &&
	! grep "APPE" trace &&
	ftp_get "/srv/0/$R/artifacts/big6.bin" got &&
	cmp big6.bin got &&
	test ! -e "$PART" &&
	grep "^F	6000000	[0-9]*	[0-9a-f]*	big6.bin$" \
	    mlruns/0/"$R"/mlp-push.*.tsv
'

test_expect_success FTPD 'pure-ftpd: the killed push left a changed copy' '
	killed &&
	printf "not what was sent" |
	    dd of="$PART" bs=1 seek=1000 conv=notrunc 2>/dev/null &&
	mlp-push -r "$R" "$FTP_URL/srv" &&
	ftp_get "/srv/0/$R/artifacts/big6.bin" got &&
	cmp big6.bin got &&
	test ! -e "$PART"
'

# A full disk on the server's side: pure-ftpd answers a multi-line 451,
# whose first line is quoted; the retry connects afresh and gets it again
# (it does not fail on the connection the failed try left).
test_expect_success FTPD 'pure-ftpd on a full disk: nothing sent, nothing pruned' '
	MLP_FTP_PASSWORD=$FTP_PASS && export MLP_FTP_PASSWORD &&
	R=$(mlp-log start) &&
	head -c 2000000 /dev/urandom >big.bin &&
	MLFLOW_RUN_ID=$R mlp-log artifact big.bin &&
	MLFLOW_RUN_ID=$R mlp-log end &&
	mkdir -p "$FTP_HOME/full" &&
	mount -t tmpfs -o size=256k tmpfs "$FTP_HOME/full" &&
	test_when_finished "umount \"$FTP_HOME/full\"" &&
	test_expect_code 1 mlp-push -r "$R" --prune --retries 1 \
	    --retry-delay 10 "$FTP_URL/full" 2>err &&
	cat err &&
	grep "cannot push .big.bin.*the server said \"451-Error during write" err &&
	! grep "^F" mlruns/0/"$R"/mlp-push.*.tsv &&
	test ! -e "$FTP_HOME/full/0/$R/artifacts/big.bin" &&
	cmp big.bin "mlruns/0/$R/artifacts/big.bin"
'

test_done
