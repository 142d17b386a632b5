#!/bin/sh
# t4000-push-basic.t: mlp-push against a real pure-ftpd on loopback:
# MLflow's layout, identical bytes, which runs, incremental pushes,
# credentials, --dry-run, --relocate and --prune.
. "$(dirname "$0")/lib.sh"
. "$TEST_DIRECTORY/ftp-lib.sh"

test_expect_success 'usage errors exit 2' '
	test_expect_code 2 mlp-push &&
	test_expect_code 2 mlp-push http://x/ 2>err &&
	grep "ftp://" err &&
	test_expect_code 2 mlp-push -j 0 ftp://h/ &&
	test_expect_code 2 mlp-push --retries x ftp://h/ &&
	mlp-push -h >out && grep usage out &&
	mlp-push -V | grep "^mlp-push (mlp) "
'

if ! ftp_have; then
	test_skip_all "$FTP_SKIP"
fi

# A run with artifacts: mkrun EXPERIMENT STATUS -> prints the run id.
mkrun() {
	_r=$(mlp-log start -e "$1") &&
	printf 'hello\n' >hello.txt &&
	: >empty.bin &&
	head -c 70000 /dev/urandom >"with space.bin" &&
	printf '{"a": 1}\n' >config.json &&
	MLFLOW_RUN_ID=$_r mlp-log artifact hello.txt &&
	MLFLOW_RUN_ID=$_r mlp-log artifact empty.bin &&
	MLFLOW_RUN_ID=$_r mlp-log artifact "with space.bin" model/data &&
	MLFLOW_RUN_ID=$_r mlp-log artifact config.json model &&
	if [ "$2" != RUNNING ]; then
		MLFLOW_RUN_ID=$_r mlp-log end --status "$2"
	fi &&
	echo "$_r"
}

# Server state of every file: inode, mtime, size, path.
server_state() {
	(cd "$FTP_HOME" && find . -type f -exec stat -c '%i %Y %s %n' {} + |
	    sort -k4)
}

ftp_start 2>"$TRASH/ftp-start.err"
_started=$?
DEST=$FTP_URL/srv/mlflow
MLP_FTP_PASSWORD=$FTP_PASS
export MLP_FTP_PASSWORD

test_expect_success 'start pure-ftpd and make a store' '
	{ test $_started -eq 0 || { cat ftp-start.err; false; }; } &&
	mkrun Default FINISHED >run-a &&
	mkrun second FAILED >run-c &&
	mkrun second RUNNING >run-b &&
	mkrun third KILLED >run-d &&
	MLFLOW_RUN_ID=$(cat run-d) mlp-log delete &&
	E2=$(cd mlruns && grep -l "name: second" */meta.yaml | cut -d/ -f1) &&
	echo "$E2" >exp-second &&
	test -n "$E2"
'

test_expect_success 'wrong password: exit 1, password not echoed' '
	MLP_FTP_PASSWORD=not-the-pw test_expect_code 1 mlp-push "$DEST" \
	    2>err &&
	cat err &&
	grep -i "login\|denied\|530" err &&
	! grep -F not-the-pw err &&
	test ! -e "$FTP_HOME/srv"
'

test_expect_success 'first push sends finished runs in MLflow layout' '
	mlp-push "$DEST" 2>err &&
	grep "^mlp-push: 2 of 2 runs sent, 8 files (" err &&
	A=$(cat run-a) C=$(cat run-c) E2=$(cat exp-second) &&
	ftp_ls "/srv/mlflow/0/$A/artifacts" >ls-a &&
	printf "%s\n" empty.bin hello.txt model >expect &&
	test_cmp expect ls-a &&
	ftp_ls "/srv/mlflow/0/$A/artifacts/model" >ls-m &&
	printf "%s\n" config.json data >expect &&
	test_cmp expect ls-m &&
	for f in hello.txt empty.bin "model/data/with space.bin" \
	    model/config.json; do
		ftp_get "/srv/mlflow/0/$A/artifacts/$f" got &&
		cmp "mlruns/0/$A/artifacts/$f" got || return 1
	done &&
	ftp_get "/srv/mlflow/$E2/$C/artifacts/model/data/with space.bin" got &&
	cmp "mlruns/$E2/$C/artifacts/model/data/with space.bin" got
'

test_expect_success 'folders without files are made, as MLflow does' '
	R=$(mlp-log start) &&
	mkdir -p "mlruns/0/$R/artifacts/empty" \
	    "mlruns/0/$R/artifacts/outer/inner" &&
	echo x >"mlruns/0/$R/artifacts/outer/inner/x.txt" &&
	mkdir -p "mlruns/0/$R/artifacts/only/sub" &&
	MLFLOW_RUN_ID=$R mlp-log end &&
	mlp-push -n -r "$R" "$DEST" >plan &&
	grep "	empty/	0$" plan && grep "	only/sub/	0$" plan &&
	mlp-push -r "$R" "$DEST" &&
	A=$FTP_HOME/srv/mlflow/0/$R/artifacts &&
	test -d "$A/empty" && test -d "$A/only/sub" && test -d "$A/outer" &&
	test -f "$A/outer/inner/x.txt" &&
	grep -c "^D	" mlruns/0/$R/mlp-push.*.tsv >n &&
	echo 4 >expect && test_cmp expect n &&
	ftp_stop &&
	mlp-push -r "$R" "$DEST" 2>err &&
	test_line_count err 0 &&
	ftp_restart
'

test_expect_success 'no temporary files are left on the server' '
	find "$FTP_HOME" -name "*.mlp-part" >parts &&
	test_line_count parts 0
'

test_expect_success 'RUNNING and deleted runs are left alone' '
	B=$(cat run-b) D=$(cat run-d) &&
	test -z "$(find "$FTP_HOME" -name "$B")" &&
	test -z "$(find "$FTP_HOME" -name "$D")"
'

test_expect_success 'manifest lives in the run folder, root untouched' '
	A=$(cat run-a) &&
	ls mlruns/0/$A/mlp-push.*.tsv >mf &&
	test_line_count mf 1 &&
	grep -c "^F	" $(cat mf) >n && echo 4 >expect && test_cmp expect n &&
	(cd mlruns && ls -A) | grep -v "^[0-9]*$" >root &&
	printf "%s\n" .mlp-push.lock .trash >expect &&
	test_cmp expect root
'

test_expect_success 'a second push sends nothing and says nothing' '
	server_state >before &&
	mlp-push "$DEST" >out 2>err &&
	test_line_count out 0 &&
	test_line_count err 0 &&
	server_state >after &&
	test_cmp before after
'

test_expect_success 'nothing new: no connection at all (server down)' '
	ftp_stop &&
	mlp-push "$DEST" 2>err &&
	test_line_count err 0 &&
	ftp_restart
'

test_expect_success 'a touched file is not sent, a changed one is' '
	A=$(cat run-a) &&
	server_state >before &&
	touch -d "2001-01-01" "mlruns/0/$A/artifacts/hello.txt" &&
	mlp-push -v "$DEST" 2>err &&
	! grep "sent " err &&
	printf "changed\n" >"mlruns/0/$A/artifacts/model/config.json" &&
	mlp-push -v "$DEST" 2>err &&
	grep "sent $A/model/config.json" err &&
	test "$(grep -c "sent " err)" = 1 &&
	ftp_get "/srv/mlflow/0/$A/artifacts/model/config.json" got &&
	cmp "mlruns/0/$A/artifacts/model/config.json" got &&
	server_state >after &&
	grep -v config.json before >b1 && grep -v config.json after >a1 &&
	test_cmp b1 a1 &&
	! test_cmp before after
'

test_expect_success 'credentials never reach the store' '
	! grep -r -F "$FTP_PASS" mlruns &&
	grep -r -F "$FTP_URL" mlruns >uses &&
	test -s uses
'

test_expect_success '--include-running and -r push the others' '
	B=$(cat run-b) D=$(cat run-d) E2=$(cat exp-second) &&
	mlp-push --include-running -e second "$DEST" &&
	ftp_get "/srv/mlflow/$E2/$B/artifacts/hello.txt" got &&
	test -z "$(find "$FTP_HOME" -name "$D")" &&
	echo "$D" | mlp-push -r - "$DEST" &&
	E3=$(cd mlruns && grep -l "name: third" */meta.yaml | cut -d/ -f1) &&
	ftp_get "/srv/mlflow/$E3/$D/artifacts/hello.txt" got
'

test_expect_success '-e takes a name or an id; unknown is exit 1' '
	R=$(mkrun second FINISHED) && E2=$(cat exp-second) &&
	mlp-push -e "$E2" -v "$DEST" 2>err &&
	grep "sent $R/hello.txt" err &&
	test_expect_code 1 mlp-push -e no-such-exp "$DEST" 2>err &&
	grep no-such-exp err
'

test_expect_success '-f selects runs with the mlp-ls filter grammar' '
	R1=$(mkrun filtered FINISHED) && R2=$(mkrun filtered FINISHED) &&
	MLFLOW_RUN_ID=$R1 mlp-log param lr 0.1 &&
	MLFLOW_RUN_ID=$R2 mlp-log param lr 0.2 &&
	mlp-push -f "params.lr = '"'"'0.1'"'"'" -v "$DEST" 2>err &&
	grep "sent $R1/hello.txt" err &&
	! grep "$R2" err &&
	mlp-push -e filtered -f "attributes.status = '"'"'FINISHED'"'"'" \
	    -v "$DEST" 2>err &&
	grep "sent $R2/hello.txt" err &&
	test_expect_code 2 mlp-push -f "params.lr ~ 3" "$DEST" 2>err &&
	grep "bad filter" err
'

test_expect_success '-r with -e: only runs of those experiments' '
	R=$(mkrun second FINISHED) &&
	mlp-push -e Default -r "$R" -v "$DEST" 2>err &&
	! grep "sent " err &&
	mlp-push -e second -r "$R" -v "$DEST" 2>err &&
	grep "sent $R/hello.txt" err
'

test_expect_success 'a damaged experiment: warned, the others pushed, exit 1' '
	R=$(mkrun Default FINISHED) &&
	mkdir -p mlruns/123456789 && echo "{bad" >mlruns/123456789/meta.yaml &&
	test_expect_code 1 mlp-push "$DEST" 2>err &&
	grep 123456789 err &&
	ftp_get "/srv/mlflow/0/$R/artifacts/hello.txt" got &&
	rm -r mlruns/123456789
'

test_expect_success '--dry-run lists what would be sent, sends nothing' '
	R=$(mkrun Default FINISHED) &&
	server_state >before &&
	mlp-push -n "$DEST" >out &&
	printf "%s\t%s\t%s\n" "$R" empty.bin 0 "$R" hello.txt 6 \
	    "$R" model/config.json 9 "$R" "model/data/with space.bin" 70000 \
	    >expect &&
	test_cmp expect out &&
	server_state >after &&
	test_cmp before after &&
	echo "$R" >run-e
'

test_expect_success 'a password in the URL works, with a warning' '
	R=$(cat run-e) &&
	MLP_FTP_PASSWORD= mlp-push \
	    "ftp://$FTP_USER:$FTP_PASS@127.0.0.1:$FTP_PORT/srv/mlflow" 2>err &&
	grep "warning: a password in the destination URL" err &&
	! grep -F "$FTP_PASS" err &&
	ftp_get "/srv/mlflow/0/$R/artifacts/hello.txt" got &&
	! grep -r -F "$FTP_PASS" mlruns
'

test_expect_success 'credentials from ~/.netrc' '
	R=$(mkrun Default FINISHED) &&
	mkdir -p home &&
	printf "machine 127.0.0.1 login %s password %s\n" "$FTP_USER" \
	    "$FTP_PASS" >home/.netrc &&
	HOME=$TRASH/home MLP_FTP_PASSWORD= mlp-push "$DEST" &&
	ftp_get "/srv/mlflow/0/$R/artifacts/hello.txt" got
'

test_expect_success '--relocate points finished runs at the server' '
	A=$(cat run-a) B=$(cat run-b) E2=$(cat exp-second) &&
	mlp-push --relocate --include-running "$DEST" &&
	grep "^artifact_uri: $DEST/0/$A/artifacts$" mlruns/0/$A/meta.yaml &&
	grep "^artifact_uri: file:" mlruns/$E2/$B/meta.yaml &&
	! grep -r -F "$FTP_PASS" mlruns &&
	test -f mlruns/0/$A/artifacts/hello.txt
'

test_expect_success '--prune deletes local copies only once verified' '
	A=$(cat run-a) B=$(cat run-b) E2=$(cat exp-second) &&
	echo late >"mlruns/0/$A/artifacts/late.txt" &&
	mlp-push --prune --include-running "$DEST" &&
	test -z "$(find mlruns/0/$A/artifacts -type f)" &&
	test -d mlruns/0/$A/artifacts &&
	ftp_get "/srv/mlflow/0/$A/artifacts/late.txt" got &&
	echo late >expect && test_cmp expect got &&
	test -f "mlruns/$E2/$B/artifacts/hello.txt"
'

test_expect_success 'a run relocated elsewhere is not relocated again' '
	A=$(cat run-a) &&
	mlp-push --relocate "$FTP_URL/other" 2>err &&
	grep "run $A: not relocated, its artifact_uri already points" err &&
	grep "^artifact_uri: $DEST/0/$A/artifacts$" mlruns/0/$A/meta.yaml
'

test_expect_success '--prune keeps files the server lost' '
	R=$(mkrun Default FINISHED) &&
	mlp-push "$DEST" &&
	rm "$FTP_HOME/srv/mlflow/0/$R/artifacts/hello.txt" &&
	test_expect_code 1 mlp-push --prune "$DEST" 2>err &&
	grep "hello.txt" err &&
	test -f "mlruns/0/$R/artifacts/hello.txt" &&
	grep "^artifact_uri: file:" "mlruns/0/$R/meta.yaml"
'

test_expect_success 'one control connection, one login, for many files' '
	R=$(mlp-log start) &&
	for i in 1 2 3 4 5 6 7 8 9 10 11 12; do
		echo "$i" >f$i.txt &&
		MLFLOW_RUN_ID=$R mlp-log artifact f$i.txt d$((i % 3)) ||
		return 1
	done &&
	MLFLOW_RUN_ID=$R mlp-log end &&
	mlp-push -vv -r "$R" "$DEST" 2>trace &&
	grep -c "^mlp-push: > USER " trace >n &&
	echo 1 >expect && test_cmp expect n &&
	grep -c "^mlp-push: > STOR " trace >n &&
	echo 12 >expect && test_cmp expect n &&
	grep "^mlp-push: > PASS \*\*\*\*$" trace &&
	! grep -F "$FTP_PASS" trace
'

test_expect_success 'a run that fails does not stop the others: exit 1' '
	R1=$(mlp-log start) && R2=$(mlp-log start) &&
	echo ok >ok.txt &&
	MLFLOW_RUN_ID=$R1 mlp-log artifact ok.txt &&
	MLFLOW_RUN_ID=$R2 mlp-log artifact ok.txt &&
	printf x >"mlruns/0/$R1/artifacts/bad
name" &&
	MLFLOW_RUN_ID=$R1 mlp-log end && MLFLOW_RUN_ID=$R2 mlp-log end &&
	test_expect_code 1 mlp-push -r "$R1" -r "$R2" "$DEST" 2>err &&
	grep "line break" err &&
	grep "1 runs failed" err &&
	ftp_get "/srv/mlflow/0/$R1/artifacts/ok.txt" got &&
	ftp_get "/srv/mlflow/0/$R2/artifacts/ok.txt" got &&
	test_cmp ok.txt got
'

test_expect_success 'a progress line on a terminal, none in a pipe' '
	R=$(mkrun Default FINISHED) &&
	script -qec "mlp-push -r $R $DEST" /dev/null >tty.out &&
	tr "\r" "\n" <tty.out >tty.lines &&
	grep "run ${R%"${R#????????}"}  [0-4]/4 files" tty.lines &&
	grep "mlp-push: 1 of 1 runs sent, 4 files" tty.lines &&
	R=$(mkrun Default FINISHED) &&
	mlp-push -r "$R" "$DEST" 2>err &&
	! grep "files  " err
'

test_expect_success '-j 4 sends many files over parallel connections' '
	R=$(mlp-log start) &&
	mkdir many &&
	i=0 && while [ $i -lt 60 ]; do
		echo "file $i" >many/f$i.txt && i=$((i + 1))
	done &&
	for f in many/*; do
		MLFLOW_RUN_ID=$R mlp-log artifact "$f" many || return 1
	done &&
	MLFLOW_RUN_ID=$R mlp-log end &&
	mlp-push -j 4 -r "$R" "$DEST" &&
	ftp_ls "/srv/mlflow/0/$R/artifacts/many" >ls &&
	test_line_count ls 60 &&
	for f in many/*; do
		ftp_get "/srv/mlflow/0/$R/artifacts/$f" got &&
		cmp "$f" got || return 1
	done &&
	find "$FTP_HOME" -name "*.mlp-part" >parts &&
	test_line_count parts 0
'

test_done
