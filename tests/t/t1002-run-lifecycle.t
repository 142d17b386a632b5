#!/bin/sh
# t1002-run-lifecycle.t: no run is left RUNNING; signals reach the job.
. "$(dirname "$0")/lib.sh"
. "$TEST_DIRECTORY/run-lib.sh"

mkdir proj
cat >proj/MLproject <<'YAML'
entry_points:
  main:
    command: "sh job.sh"
  trap:
    command: "trap 'echo got TERM >trapped; exit 0' TERM; sh job.sh & wait"
  selfkill:
    command: "kill -TERM $$"
YAML
cat >proj/job.sh <<'SH'
echo $$ >shell.pid
sh -c 'echo $$ >sleep.pid.tmp && mv sleep.pid.tmp sleep.pid && exec sleep 300'
SH

# start_bg [ARGS]: start mlp-run in the background ($_pid) and wait
# until its job runs.
start_bg() {
	rm -f proj/sleep.pid proj/shell.pid
	mlp-run "$@" proj 2>err &
	_pid=$!
	_i=0
	while [ ! -s proj/sleep.pid ] && [ $_i -lt 500 ]; do
		sleep 0.02
		_i=$((_i + 1))
	done
	[ -s proj/sleep.pid ] || { kill -KILL "$_pid"; return 1; }
}

# signal_run SIGNAL [ARGS]: start_bg, send SIGNAL to mlp-run, leave its
# exit status in ./rc.
signal_run() {
	_sig=$1
	shift
	start_bg "$@" || return 1
	kill -"$_sig" "$_pid"
	wait "$_pid"
	echo $? >rc
}

# gone PID: the process no longer exists (zombies are reaped by init).
gone() {
	_i=0
	while kill -0 "$1" 2>/dev/null && [ $_i -lt 250 ]; do
		sleep 0.02
		_i=$((_i + 1))
	done
	! kill -0 "$1" 2>/dev/null
}

for sig in TERM INT HUP; do
	case $sig in TERM) n=15 ;; INT) n=2 ;; HUP) n=1 ;; esac
	test_expect_success "SIG$sig is forwarded to the job; the run is KILLED" "
		signal_run $sig &&
		test \"\$(cat rc)\" -eq $((128 + n)) &&
		d=\$(run_dir \"\$(run_id_of err)\") &&
		test \"\$(status_of \"\$d\")\" = 5 &&
		grep 'end_time: [0-9]' \"\$d/meta.yaml\" &&
		gone \"\$(cat proj/sleep.pid)\" && gone \"\$(cat proj/shell.pid)\" &&
		grep 'interrupted, cancelling run' err
	"
done

test_expect_success 'a job that handles the signal exits 0, still KILLED' '
	signal_run TERM -e trap &&
	test "$(cat rc)" -eq 0 && test "$(cat proj/trapped)" = "got TERM" &&
	test "$(status_of "$(run_dir "$(run_id_of err)")")" = 5
'
test_expect_success 'a job killed by a signal gives 128+N and FAILED' '
	test_expect_code 143 mlp-run -e selfkill proj 2>err &&
	test "$(status_of "$(run_dir "$(run_id_of err)")")" = 4
'
test_expect_success 'the run is RUNNING while the job runs' '
	start_bg &&
	d=$(run_dir "$(run_id_of err)") &&
	st=$(status_of "$d") && tag_is "$d" mlp.pid "$_pid" &&
	kill -TERM "$_pid" && wait "$_pid"; test "$st" = 1
'
test_expect_success 'an environment that cannot be built: FAILED, mlp.error' '
	mkdir envfail &&
	printf "python: \"2.1\"\ndependencies: []\n" >envfail/python_env.yaml &&
	printf "entry_points:\n  main:\n    command: \"true\"\n" >envfail/MLproject &&
	test_expect_code 1 mlp-run --env-manager virtualenv envfail 2>err &&
	d=$(run_dir "$(runs_in | while read -r r; do
		grep -q "python 2.1" "$MLFLOW_TRACKING_URI/0/$r/tags/mlp.error" \
		    2>/dev/null && echo "$r"; done)") &&
	test "$(status_of "$d")" = 4 && grep "python 2.1" err &&
	tag_is "$d" mlflow.source.type PROJECT &&
	tag_is "$d" mlflow.source.name "$TRASH/envfail"
'
test_expect_success 'a command that is not found is 127 and FAILED' '
	printf "entry_points:\n  main:\n    command: no-such-command-xyz\n" \
	    >envfail/MLproject && rm envfail/python_env.yaml &&
	test_expect_code 127 mlp-run envfail 2>err &&
	test "$(status_of "$(run_dir "$(run_id_of err)")")" = 4
'
if command -v script >/dev/null 2>&1; then
test_expect_success 'on a terminal the job is the foreground, then not' '
	mkdir tty &&
	printf "entry_points:\n  main:\n    command: \"%s\"\n  ctrlc:\n    command: \"%s\"\n" \
	    "ps -o pgid=,tpgid= -p \$\$ >fg.txt" "sleep 1 & kill -INT 0; wait" \
	    >tty/MLproject &&
	script -qec "mlp-run -q tty; ps -o pgid=,tpgid= -p \$\$ >after.txt" \
	    /dev/null >/dev/null &&
	read -r pg tpg <tty/fg.txt && test "$pg" = "$tpg" &&
	read -r pg tpg <after.txt && test "$pg" = "$tpg"
'
test_expect_success 'Ctrl-C on the terminal reaches the job: KILLED, 130' '
	script -qec "mlp-run -e ctrlc tty 2>err; echo \$? >rc" /dev/null \
	    >/dev/null;
	test "$(cat rc)" -eq 130 &&
	test "$(status_of "$(run_dir "$(run_id_of err)")")" = 5
'
else
test_skip 'on a terminal the job is the foreground' 'no script(1)'
fi
test_expect_success 'a shell that cannot be executed: 127, FAILED, mlp.error' '
	mkdir badbash && printf "#!/nonexistent/interpreter\n" >badbash/bash &&
	chmod +x badbash/bash &&
	PATH=$TRASH/badbash:$PATH test_expect_code 127 mlp-run envfail 2>err &&
	grep "cannot run .*badbash/bash" err &&
	d=$(run_dir "$(run_id_of err)") && test "$(status_of "$d")" = 4 &&
	grep "cannot run" "$d/tags/mlp.error"
'
test_expect_success 'every run has ended' '
	for r in $(runs_in); do
		st=$(status_of "$(run_dir "$r")") &&
		test "$st" != 1 || { echo "$r is RUNNING"; exit 1; }
	done
'
test_done
