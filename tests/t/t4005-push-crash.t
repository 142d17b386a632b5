#!/bin/sh
# t4005-push-crash.t: kill -9 of mlp-push --prune at random moments,
# ${MLP_STRESS_TRIES:-50} times, against a real pure-ftpd, with new runs
# coming in meanwhile.  Afterwards a normal push completes, every file on
# the server is byte for byte the file that was logged, and every local
# file that --prune deleted is on the server, byte for byte.
. "$(dirname "$0")/lib.sh"
. "$TEST_DIRECTORY/ftp-lib.sh"

if ! ftp_have; then
	test_skip_all "$FTP_SKIP"
fi

ftp_start 2>"$TRASH/ftp-start.err"
_started=$?
DEST=$FTP_URL/srv
MLP_FTP_PASSWORD=$FTP_PASS
export MLP_FTP_PASSWORD
TRIES=${MLP_STRESS_TRIES:-50}

# newrun N: a finished run with a few files (one of 1.1 MB now and
# then, to be resumed); a copy of each goes to ref/<run>/.
newrun() {
	_r=$(mlp-log start) || return 1
	mkdir -p "ref/$_r/sub" || return 1
	head -c $((($1 * 997) % 20000)) /dev/urandom >"ref/$_r/a.bin" &&
	echo "run $1" >"ref/$_r/sub/b.txt" &&
	printf '' >"ref/$_r/empty" || return 1
	if [ $(($1 % 4)) -eq 0 ]; then
		head -c 1100000 /dev/urandom >"ref/$_r/big.bin" || return 1
	fi
	MLFLOW_RUN_ID=$_r mlp-log artifact "ref/$_r/a.bin" &&
	MLFLOW_RUN_ID=$_r mlp-log artifact "ref/$_r/empty" &&
	MLFLOW_RUN_ID=$_r mlp-log artifact "ref/$_r/sub/b.txt" sub || return 1
	if [ -f "ref/$_r/big.bin" ]; then
		MLFLOW_RUN_ID=$_r mlp-log artifact "ref/$_r/big.bin" ||
		    return 1
	fi
	MLFLOW_RUN_ID=$_r mlp-log end
}

test_expect_success 'a store with runs and a server' '
	{ test $_started -eq 0 || { cat ftp-start.err; false; }; } &&
	for i in 1 2 3 4; do newrun $i || return 1; done
'

test_expect_success "kill -9 of mlp-push --prune, $TRIES times" '
	i=0 &&
	while [ $i -lt "$TRIES" ]; do
		i=$((i + 1)) &&
		newrun $((i + 4)) || return 1
		d=$(awk -v s="$i$$" "BEGIN { srand(s); \
		    printf \"%.3f\", rand() * 0.25 }") &&
		{ mlp-push --prune --retry-delay 10 "$DEST" 2>/dev/null & } &&
		pid=$! &&
		sleep "$d" &&
		kill -KILL $pid 2>/dev/null
		wait $pid 2>/dev/null
		:
	done
'

test_expect_success 'afterwards a normal push completes' '
	mlp-push "$DEST" 2>err &&
	cat err &&
	mlp-push "$DEST" 2>err &&
	test_line_count err 0
'

test_expect_success 'every file on the server is the file logged' '
	(cd "$FTP_HOME/srv/0" && find . -type f ! -name "*.mlp-part") |
	    sed "s|^\./||" >server &&
	test -s server &&
	while read -r f; do
		r=${f%%/*} && rel=${f#*/artifacts/} &&
		cmp "ref/$r/$rel" "$FTP_HOME/srv/0/$f" || return 1
	done <server
'

test_expect_success 'every file logged is on the server or still local' '
	for r in ref/*; do
		r=${r#ref/} &&
		(cd "ref/$r" && find . -type f | sed "s|^\./||") >files &&
		while read -r rel; do
			s=$FTP_HOME/srv/0/$r/artifacts/$rel &&
			l=mlruns/0/$r/artifacts/$rel &&
			if [ -f "$l" ]; then
				cmp "ref/$r/$rel" "$l" || return 1
			else
				# pruned: then the server has it, whole
				cmp "ref/$r/$rel" "$s" || return 1
			fi &&
			cmp "ref/$r/$rel" "$s" || return 1
		done <files || return 1
	done
'

test_expect_success 'a last --prune leaves no local copy, all on the server' '
	mlp-push --prune "$DEST" &&
	find mlruns -path "*/artifacts/*" -type f >left &&
	test_line_count left 0 &&
	for r in ref/*; do
		r=${r#ref/} &&
		(cd "ref/$r" && find . -type f | sed "s|^\./||") >files &&
		while read -r rel; do
			cmp "ref/$r/$rel" "$FTP_HOME/srv/0/$r/artifacts/$rel" ||
			    return 1
		done <files || return 1
	done
'

test_done
