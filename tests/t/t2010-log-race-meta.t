#!/bin/sh
# t2010-log-race-meta.t: concurrent rewrites of a run's meta.yaml lose
# nothing; stale locks are recovered, live ones waited on.
. "$(dirname "$0")/lib.sh"

TRIES=${MLP_STRESS_TRIES:-50}

# meta_is RUN KEY VALUE: the line "KEY: VALUE" is in the run's meta.yaml.
meta_is() {
	_f=$(echo "$MLFLOW_TRACKING_URI"/*/"$1"/meta.yaml)
	grep -qx "$2: $3" "$_f" ||
		{ echo "$_f: want '$2: $3'" >&2; cat "$_f" >&2; return 1; }
}

# dead_pid: a pid that no process has now.
dead_pid() {
	sh -c 'echo $$' >"$TRASH/.dead" && wait
	_p=$(cat "$TRASH/.dead")
	while kill -0 "$_p" 2>/dev/null; do _p=$((_p + 1)); done
	echo "$_p"
}

test_expect_success 'end and rename at the same moment: both stay' '
	i=0 &&
	while [ $i -lt $TRIES ]; do
		id=$(mlp-log start -n before) || exit 1
		mlp-log -r "$id" end 2>>errs & p1=$!
		mlp-log -r "$id" tag mlflow.runName "after$i" 2>>errs & p2=$!
		wait $p1 || { echo "end failed"; cat errs; exit 1; }
		wait $p2 || { echo "rename failed"; cat errs; exit 1; }
		meta_is "$id" status 3 && meta_is "$id" run_name "after$i" &&
		test "$(cat "$MLFLOW_TRACKING_URI/0/$id/tags/mlflow.runName")" = \
		    "after$i" || exit 1
		i=$((i + 1))
	done
'

test_expect_success 'end, rename and delete at once: all three stay' '
	i=0 &&
	while [ $i -lt $TRIES ]; do
		id=$(mlp-log start -n before) || exit 1
		mlp-log -r "$id" end --status KILLED & p1=$!
		mlp-log -r "$id" tag mlflow.runName "x$i" 2>err & p2=$!
		mlp-log -r "$id" delete & p3=$!
		wait $p1 && wait $p3 || exit 1
		# A run deleted before the rename opened it cannot be renamed.
		if wait $p2; then name=x$i; else
			grep "must be in the .active. state" err || exit 1
			name=before
		fi
		meta_is "$id" status 5 && meta_is "$id" run_name "$name" &&
		meta_is "$id" lifecycle_stage deleted || exit 1
		i=$((i + 1))
	done
'

test_expect_success 'no lock and no temporary file is left behind' '
	test -z "$(find mlruns -name ".mlp-lock" -o -name ".mlp-tmp.*")"
'

test_expect_success 'a lock of a dead process on this host is broken' '
	id=$(mlp-log start) && d=mlruns/0/$id &&
	printf "host=%s\npid=%s\n" "$(hostname)" "$(dead_pid)" >"$d/.mlp-lock" &&
	MLP_LOCK_STALE=3600 MLP_LOCK_WAIT=0 mlp-log -r "$id" end &&
	meta_is "$id" status 3 && test ! -e "$d/.mlp-lock"
'

test_expect_success 'a live process with a reused pid is not the owner' '
	id=$(mlp-log start) && d=mlruns/0/$id &&
	printf "host=%s\npid=%s\nstart=1\n" "$(hostname)" $$ >"$d/.mlp-lock" &&
	MLP_LOCK_STALE=3600 MLP_LOCK_WAIT=0 mlp-log -r "$id" end &&
	meta_is "$id" status 3 && test ! -e "$d/.mlp-lock"
'

test_expect_success 'a lock of a live process on this host is waited on' '
	id=$(mlp-log start) && d=mlruns/0/$id || exit 1
	sleep 300 &
	holder=$!
	start=$(cut -d" " -f22 /proc/$holder/stat 2>/dev/null || :) &&
	printf "host=%s\npid=%s\nstart=%s\n" "$(hostname)" $holder "$start" \
	    >"$d/.mlp-lock" &&
	MLP_LOCK_STALE=0 MLP_LOCK_WAIT=0 test_expect_code 1 \
	    mlp-log -r "$id" end 2>err;
	kill $holder; wait $holder;
	grep "is locked (held by pid $holder on $(hostname))" err &&
	meta_is "$id" status 1 && test -e "$d/.mlp-lock"
'

test_expect_success 'a lock from another host is kept while young' '
	id=$(mlp-log start) && d=mlruns/0/$id &&
	printf "host=elsewhere.invalid\npid=1\n" >"$d/.mlp-lock" &&
	MLP_LOCK_STALE=3600 MLP_LOCK_WAIT=0 test_expect_code 1 \
	    mlp-log -r "$id" tag mlflow.runName new 2>err &&
	grep "held by pid 1 on elsewhere.invalid" err &&
	meta_is "$id" status 1 && test -e "$d/.mlp-lock" &&
	test ! -e "$d/tags/mlflow.runName.new"
'

test_expect_success 'it is broken once older than MLP_LOCK_STALE' '
	id=$(mlp-log start) && d=mlruns/0/$id &&
	printf "host=elsewhere.invalid\npid=1\n" >"$d/.mlp-lock" &&
	touch -d "@$(($(date +%s) - 100))" "$d/.mlp-lock" &&
	MLP_LOCK_STALE=60 MLP_LOCK_WAIT=0 mlp-log -r "$id" end &&
	meta_is "$id" status 3 && test ! -e "$d/.mlp-lock"
'

test_expect_success 'a waiter breaks a young foreign lock when it ages' '
	id=$(mlp-log start) && d=mlruns/0/$id &&
	printf "host=elsewhere.invalid\npid=1\n" >"$d/.mlp-lock" &&
	t0=$(stat -c %Y "$d/.mlp-lock") &&
	MLP_LOCK_STALE=2 MLP_LOCK_WAIT=60 mlp-log -r "$id" end &&
	meta_is "$id" status 3 && test ! -e "$d/.mlp-lock" &&
	test "$(stat -c %Y "$d/meta.yaml")" -ge $((t0 + 2))
'

test_expect_success 'no temporary file is left behind by breaking' '
	test -z "$(find mlruns -name ".mlp-tmp.*")"
'
test_done
