#!/bin/sh
# t2012-log-crash-end.t: mlp-log end, a rename (tag mlflow.runName) and
# delete killed with SIGKILL at random moments leave the run's meta.yaml
# whole (the old or the new one), and the lock a killed writer held
# never blocks the next writer: it is found stale and broken.
. "$(dirname "$0")/lib.sh"

TRIES=${MLP_STRESS_TRIES:-50}
# A lock that is not recovered makes the next command fail in seconds,
# not hang for the default two minutes.
MLP_LOCK_WAIT=10
export MLP_LOCK_WAIT

# kill_at TRY CMD...: start CMD, SIGKILL it after a random delay of up to
# 5 ms (about the time the whole command takes here).
kill_at() {
	_d=$(awk -v s="$1" 'BEGIN { srand(s); printf "%.4f", rand() * 0.005 }')
	shift
	"$@" >/dev/null 2>&1 &
	_p=$!
	sleep "$_d"
	kill -9 "$_p" 2>/dev/null
	wait "$_p" 2>/dev/null
	[ $? -ne 137 ] || echo x >>"$TRASH/killed"
	return 0
}

# status ID: the run's status as mlp-ls reads it; fails on any warning.
status() {
	mlp-ls --view all -c status "$1" >st.out 2>st.err &&
	test ! -s st.err && cat st.out
}

test_expect_success "kill -9 of end, rename and delete, $TRIES tries each" '
	i=0 &&
	while [ $i -lt "$TRIES" ]; do
		i=$((i + 1)) &&
		id=$(mlp-log start -n "first-$i") &&
		export MLFLOW_RUN_ID="$id" &&
		kill_at "$i" mlp-log end &&
		{ ! test -e "$(find mlruns -path "*/$id" -type d)/.mlp-lock" ||
		    echo x >>locks-left; } &&
		s=$(status "$id") &&
		case $s in RUNNING|FINISHED) ;; *) echo "try $i: status $s"; cat st.err; false ;; esac &&
		kill_at "$((i + 1000))" mlp-log tag mlflow.runName "second-$i" &&
		status "$id" >/dev/null &&
		kill_at "$((i + 2000))" mlp-log delete &&
		status "$id" >/dev/null &&
		mlp-log restore 2>/dev/null; mlp-log tag mlflow.runName "third-$i" &&
		mlp-log end --status KILLED &&
		test "$(status "$id")" = KILLED &&
		m=$(find mlruns -path "*/$id/meta.yaml") &&
		grep -qx "run_name: third-$i" "$m" &&
		grep -qx "lifecycle_stage: active" "$m" &&
		test "$(cat "${m%/meta.yaml}/tags/mlflow.runName")" = "third-$i" ||
		{ echo "try $i failed"; false; } || return 1
	done
'

echo "# commands killed before they ended: $(wc -l 2>/dev/null <"$TRASH/killed" || echo 0)"
echo "# kills that left the lock of end behind: $(wc -l 2>/dev/null <"$TRASH/locks-left" || echo 0)"

test_expect_success 'only temporaries of killed writers are left; fsck removes them' '
	find mlruns -name ".mlp-lock" >locks &&
	test_line_count locks 0 &&
	{ mlp-log fsck >fsck.out 2>&1 || :; } &&
	! grep -v "^stale-temp	\|^stale-lock	" fsck.out &&
	mlp-log fsck --repair >/dev/null 2>&1; mlp-log fsck
'

test_done
