#!/bin/sh
# t1010-run-crash.t: mlp-run killed with SIGKILL at random moments takes
# its child along and leaves a run that mlp-log fsck finds and repairs;
# renames and deletes during a run survive its end; a full disk at the
# end is an error.
. "$(dirname "$0")/lib.sh"
. "$TEST_DIRECTORY/run-lib.sh"

TRIES=${MLP_STRESS_TRIES:-50}

mkdir proj
cat >proj/MLproject <<'YAML'
entry_points:
  main:
    command: "echo $$ >child.pid.tmp && mv child.pid.tmp child.pid && exec sleep 4171"
  wait:
    command: "echo $$ >child.pid.tmp && mv child.pid.tmp child.pid && while [ ! -e go ]; do sleep 0.05; done"
  fill:
    command: "dd if=/dev/zero of=$FILL_DIR/fill bs=4096 2>/dev/null; exit 0"
YAML

# gone PID: the process no longer runs (waits up to 5 s for it to die);
# a zombie counts as gone: init here may reap it only much later.
gone() {
	_i=0
	while [ $_i -lt 250 ]; do
		_s=$(ps -o stat= -p "$1") || return 0
		case $_s in Z*) return 0 ;; esac
		sleep 0.02
		_i=$((_i + 1))
	done
	return 1
}

# wait_file FILE: until it exists (10 s at most).
wait_file() {
	_i=0
	while [ ! -s "$1" ] && [ $_i -lt 500 ]; do
		sleep 0.02
		_i=$((_i + 1))
	done
	[ -s "$1" ]
}

# A random delay of 0-150 ms for try $1.
delay() {
	awk -v s="$1" -v p=$$ 'BEGIN { srand(s * 7919 + p); printf "%.3f\n", rand() * 0.15 }'
}

test_expect_success "kill -9 of mlp-run at random moments ($TRIES tries)" '
	i=0 &&
	while [ $i -lt $TRIES ]; do
		S=$TRASH/s$i
		rm -f proj/child.pid proj/child.pid.tmp
		mlp-run -q -s "$S" proj 2>"err$i" &
		pid=$!
		# Half the tries once the job runs, half anywhere.
		if [ $((i % 2)) -eq 0 ]; then
			wait_file proj/child.pid || { echo "no job"; exit 1; }
		fi
		sleep "$(delay $i)"
		kill -KILL $pid
		wait $pid
		if [ -s proj/child.pid ]; then
			c=$(cat proj/child.pid)
			gone "$c" || { echo "try $i: child $c survived"
				kill -KILL "$c"; exit 1; }
			r=$(MLFLOW_TRACKING_URI=$S runs_in) &&
			d=$S/0/$r && test "$(status_of "$d")" = 1 &&
			tag_is "$d" mlp.runner.pid "$pid" &&
			tag_is "$d" mlp.runner.host "$(hostname)" &&
			test -s "$d/tags/mlp.runner.start" || exit 1
			mlp-log -s "$S" fsck >"fsck$i"
			test $? = 1 || { echo "try $i: fsck found nothing"; exit 1; }
			grep "^dead-run	$r	" "fsck$i" || exit 1
		fi
		if [ ! -d "$S" ]; then i=$((i + 1)); continue; fi
		# Killed between meta.yaml and the runner tags: no runner to
		# check, so fsck is told (see mlp-store(5)).
		dead=
		for r in $(MLFLOW_TRACKING_URI=$S runs_in); do
			test -e "$S/0/$r/tags/mlp.runner.pid" || dead="$dead $r"
		done
		# Whatever the moment: repaired, then clean.
		MLP_LOCK_STALE=0 mlp-log -s "$S" fsck --repair $dead >"repair$i"
		test $? -le 1 || exit 1
		MLP_LOCK_STALE=0 mlp-log -s "$S" fsck >"again$i" ||
			{ echo "try $i: second fsck"; cat "again$i"; exit 1; }
		for r in $(MLFLOW_TRACKING_URI=$S runs_in); do
			st=$(status_of "$S/0/$r")
			test "$st" != 1 || { echo "try $i: $r RUNNING"; exit 1; }
			if [ -s proj/child.pid ]; then
				test "$st" = 4 &&
				grep "is gone" "$S/0/$r/tags/mlp.error" || exit 1
			else
				test "$st" = 4 || exit 1
			fi
		done
		i=$((i + 1))
	done
'

test_expect_success 'no job of a killed mlp-run is left running' '
	for p in $(pgrep -f "sleep 4171"); do gone "$p" || exit 1; done
'

test_expect_success 'a run renamed and deleted while it runs stays so' '
	rm -f proj/child.pid proj/go &&
	{ mlp-run -e wait proj 2>err & } &&
	wait_file proj/child.pid &&
	id=$(run_id_of err) && d=$(run_dir "$id") &&
	mlp-log -r "$id" tag mlflow.runName renamed-meanwhile &&
	mlp-log -r "$id" delete &&
	touch proj/go && wait &&
	test "$(status_of "$d")" = 3 &&
	grep -x "run_name: renamed-meanwhile" "$d/meta.yaml" &&
	grep -x "lifecycle_stage: deleted" "$d/meta.yaml" &&
	tag_is "$d" mlflow.runName renamed-meanwhile
'

mkdir full
if mount -t tmpfs -o size=256k tmpfs full 2>/dev/null; then
	test_at_exit "umount '$TRASH/full'"
	test_expect_success 'a full disk at the end: exit 1, the run RUNNING' '
		FILL_DIR=$TRASH/full && export FILL_DIR &&
		test_expect_code 1 mlp-run -s full/mlruns -e fill proj 2>err &&
		grep "cannot record the end of run" err &&
		! grep "succeeded" err &&
		d=$(echo full/mlruns/0/*/meta.yaml) && d=${d%/meta.yaml} &&
		test "$(status_of "$d")" = 1 &&
		rm full/fill &&
		test_expect_code 1 mlp-log -s full/mlruns fsck >out &&
		grep "^dead-run" out &&
		mlp-log -s full/mlruns fsck --repair >/dev/null;
		test "$(status_of "$d")" = 4 && mlp-log -s full/mlruns fsck
	'
else
	test_skip 'a full disk at the end: exit 1' 'cannot mount a tmpfs'
fi
test_done
