#!/bin/sh
# t4003-push-lying-server.t: mlp-push against a server that misbehaves
# (tests/t/fakeftp.py): one that cuts uploads short with 452, one that
# also lies with SIZE about its copy, one that says 452 during and after
# a transfer, one that goes silent, one with a 10 MB banner.  Nothing is
# taken as sent that the server did not take whole, --prune deletes
# nothing then, the server's own reply is in the message, and a silent
# server ends the push in about twice --timeout (or --max-time).
. "$(dirname "$0")/lib.sh"
. "$TEST_DIRECTORY/ftp-lib.sh"

if ! fake_have; then
	test_skip_all "$FAKE_SKIP"
fi

MLP_FTP_PASSWORD=not-checked
export MLP_FTP_PASSWORD

# Checksums of every local artifact (and the manifests' F lines).
local_state() {
	find mlruns -path "*/artifacts/*" -type f -exec cksum {} + | sort
}

# sent_lines: F lines of every manifest (files recorded as sent).
sent_lines() {
	cat mlruns/*/*/mlp-push.*.tsv 2>/dev/null | grep "^F" || :
}

test_expect_success 'a store: a run with a 2 MB and a small artifact' '
	R=$(mlp-log start) &&
	head -c 2000000 /dev/urandom >big.bin &&
	echo small >small.txt &&
	MLFLOW_RUN_ID=$R mlp-log artifact big.bin &&
	MLFLOW_RUN_ID=$R mlp-log artifact small.txt &&
	MLFLOW_RUN_ID=$R mlp-log end &&
	echo "$R" >run
'
R=$(cat "$TRASH/run" 2>/dev/null)

# lying MODE: a push with --prune against the fake server in MODE must
# fail, quote the 452, record nothing as sent and delete nothing.
lying() {
	fake_start "$1" &&
	local_state >before &&
	test_expect_code 1 mlp-push --prune --retries 2 --retry-delay 10 \
	    "$FAKE_URL/srv" 2>err &&
	cat err &&
	grep "cannot push .big.bin.*452 " err &&
	sent_lines >sent &&
	test_line_count sent 0 &&
	local_state >after &&
	test_cmp before after &&
	test ! -e "$FAKE_HOME/srv/0/$R/artifacts/big.bin" &&
	grep "^artifact_uri: file:" "mlruns/0/$R/meta.yaml"
}

test_expect_success 'a server that cuts uploads with 452: nothing sent' '
	lying cut &&
	grep "452 Insufficient storage space" err
'

test_expect_success 'the summary counts no run as sent' '
	grep "^mlp-push: 0 of 1 runs sent, 0 files" err &&
	grep "1 runs failed (2 files)" err
'

test_expect_success 'a cut upload and a lying SIZE: no rename, no prune' '
	lying liesize &&
	grep "SIZE" "$FAKE_LOG" &&
	! grep "^RNTO .*/big.bin$" "$FAKE_LOG"
'

test_expect_success '452 during and after a transfer: not taken as sent' '
	lying late452 &&
	grep "452 Disk quota exceeded" err &&
	! grep "^RNTO .*/big.bin$" "$FAKE_LOG"
'

test_expect_success 'a failed TLS login records no upload in the manifest' '
	fake_start normal &&
	ls mlruns/0/$R/mlp-push.*.tsv >before &&
	test_expect_code 1 mlp-push --ssl "$FAKE_URL/srv" 2>err &&
	cat err &&
	grep "500 no TLS here" err &&
	ls mlruns/0/$R/mlp-push.*.tsv >after &&
	test_cmp before after &&
	! grep "^STOR\|^APPE" "$FAKE_LOG"
'

test_expect_success 'a server that behaves: sent whole, then pruned' '
	fake_start normal &&
	mlp-push "$FAKE_URL/srv" &&
	cmp big.bin "$FAKE_HOME/srv/0/$R/artifacts/big.bin" &&
	cmp small.txt "$FAKE_HOME/srv/0/$R/artifacts/small.txt" &&
	mlp-push --prune "$FAKE_URL/srv" &&
	test ! -e "mlruns/0/$R/artifacts/big.bin"
'

# Two more runs for the silent server: four files to give up on.
test_expect_success 'two runs for the silent server' '
	for i in 1 2; do
		S=$(mlp-log start) &&
		MLFLOW_RUN_ID=$S mlp-log artifact small.txt &&
		MLFLOW_RUN_ID=$S mlp-log artifact small.txt again &&
		MLFLOW_RUN_ID=$S mlp-log end || return 1
	done
'

# No timing assertion: "timeout 20" is five times the bound (2 x 2 s),
# and the old behaviour (files x tries x --timeout, here 32 s) exceeds
# it.  The push must end by itself, and fail.
test_expect_success 'a server silent after EPSV ends the push (--timeout)' '
	fake_start silent &&
	test_expect_code 1 timeout 20 mlp-push --timeout 2 --retry-delay 10 \
	    "$FAKE_URL/srv" 2>err &&
	cat err &&
	grep "the server stopped answering" err &&
	sent_lines >sent &&
	grep -c small.txt sent >n && echo 1 >expect && test_cmp expect n
'

test_expect_success '--max-time ends a push held by a silent server' '
	fake_start silent &&
	test_expect_code 1 timeout 20 mlp-push --timeout 60 --max-time 2 \
	    "$FAKE_URL/srv" 2>err &&
	cat err &&
	grep -- "--max-time (2 s)" err
'

test_expect_success '--max-time is a number of seconds' '
	test_expect_code 2 mlp-push --max-time 0 ftp://h/ 2>err &&
	grep "max" err &&
	test_expect_code 2 mlp-push --max-time x ftp://h/
'

test_expect_success 'a 10 MB banner: refused, the push ends, exit 1' '
	fake_start banner &&
	sent_lines >before &&
	test_expect_code 1 timeout 60 mlp-push --retries 1 --retry-delay 10 \
	    "$FAKE_URL/srv" 2>err &&
	cat err &&
	grep -i "response" err &&
	sent_lines >after &&
	test_cmp before after
'

test_done
