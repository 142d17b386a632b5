#!/bin/sh
# t1040-run-sweep.t: sweeps run here: the grid and --sweep-file, every
# value checked before any run exists, a parent and SCHEDULED children,
# -j N at a time, a failing child, a signal.
. "$(dirname "$0")/lib.sh"
. "$TEST_DIRECTORY/run-lib.sh"

mkdir proj
cat >proj/MLproject <<'YAML'
entry_points:
  main:
    parameters:
      C: float
      kernel: {type: string, default: rbf}
    command: "echo C={C} kernel={kernel} >>out; test {kernel} != bad"
  meet:
    parameters:
      n: int
    command: "sh meet.sh {n}"
  slow:
    parameters:
      n: int
    command: "touch started.{n}; sleep 300"
YAML
# meet.sh N: wait (at most 30 s, or $MEET_TRIES times 20 ms) until two
# runs are here at once.
cat >proj/meet.sh <<'SH'
touch "here.$1"
i=0
while [ "$(ls here.* | wc -l)" -lt 2 ]; do
	i=$((i + 1))
	[ $i -gt "${MEET_TRIES:-1500}" ] && exit 1
	sleep 0.02
done
SH

# children PARENT: the runs whose mlflow.parentRunId is PARENT.
children() {
	for _d in $(runs_in); do
		[ "$(cat "$(run_dir "$_d")/tags/mlflow.parentRunId" 2>/dev/null)" \
		    = "$1" ] && echo "$_d"
	done
	return 0
}

test_expect_success 'a grid of 3 x 2 runs, all FINISHED under one parent' '
	mlp-run --sweep -P C=0.1,1,10 -P "kernel=rbf,po\\,ly" proj >id 2>err &&
	test $(wc -l <id) -eq 1 &&
	p=$(cat id) &&
	test -d "$(run_dir "$p")" &&
	tag_is "$(run_dir "$p")" mlp.sweep 6 &&
	test "$(status_of "$(run_dir "$p")")" = 3 &&
	tag_is "$(run_dir "$p")" mlp.sweep.finished 6 &&
	tag_is "$(run_dir "$p")" mlp.sweep.failed 0 &&
	children "$p" >kids &&
	test $(wc -l <kids) -eq 6 &&
	for k in $(cat kids); do
		test "$(status_of "$(run_dir "$k")")" = 3 || return 1
		printf "%s %s\n" "$(cat "$(run_dir "$k")/params/C")" \
		    "$(cat "$(run_dir "$k")/params/kernel")"
	done | sort >got &&
	printf "%s\n" "0.1 po,ly" "0.1 rbf" "1 po,ly" "1 rbf" "10 po,ly" \
	    "10 rbf" >want &&
	test_cmp want got &&
	sort proj/out >out.sorted &&
	printf "C=%s kernel=%s\n" 0.1 po,ly 0.1 rbf 1 po,ly 1 rbf 10 po,ly \
	    10 rbf >want &&
	test_cmp want out.sorted
'

test_expect_success 'mlp-ls follows a sweep by its parent id' '
	mlp-ls -c run_id -f "tags.mlflow.parentRunId = '\''$(cat id)'\''" \
	    | sort >ls &&
	sort kids >kids.sorted &&
	test_cmp kids.sorted ls
'

test_expect_success 'a bad value anywhere: exit 1 before any run exists' '
	runs_in | sort >before &&
	test_expect_code 1 mlp-run --sweep -P C=0.1,x,3 proj >out 2>err &&
	grep "run 2 of the sweep (C=x" err &&
	grep "not a float" err &&
	test ! -s out &&
	runs_in | sort >after &&
	test_cmp before after
'

test_expect_success 'a failing child: the others run, the parent FAILED' '
	printf "C\tkernel\n1\tbad\n2\trbf\n3\tpoly\n" >p.tsv &&
	test_expect_code 1 mlp-run -q --sweep-file p.tsv proj >id 2>err &&
	p=$(cat id) &&
	test "$(status_of "$(run_dir "$p")")" = 4 &&
	tag_is "$(run_dir "$p")" mlp.sweep.finished 2 &&
	tag_is "$(run_dir "$p")" mlp.sweep.failed 1 &&
	children "$p" >kids &&
	test $(wc -l <kids) -eq 3 &&
	for k in $(cat kids); do
		echo "$(cat "$(run_dir "$k")/params/kernel") $(status_of \
		    "$(run_dir "$k")")"
	done | sort >got &&
	printf "%s\n" "bad 4" "poly 3" "rbf 3" >want &&
	test_cmp want got
'

test_expect_success 'a bad --sweep-file names the file and line' '
	runs_in | sort >before &&
	printf "C\tkernel\n1\trbf\n2\n" >bad.tsv &&
	test_expect_code 1 mlp-run --sweep-file bad.tsv proj 2>err &&
	grep "bad.tsv:3: 1 fields, the header has 2" err &&
	: >empty.tsv &&
	test_expect_code 1 mlp-run --sweep-file empty.tsv proj 2>err &&
	grep "empty.tsv: empty" err &&
	printf "C\tC\n1\t2\n" >twice.tsv &&
	test_expect_code 1 mlp-run --sweep-file twice.tsv proj 2>err &&
	grep "twice.tsv: parameter .C. is given twice" err &&
	test_expect_code 1 mlp-run --sweep-file nosuch.tsv proj 2>err &&
	grep nosuch.tsv err &&
	runs_in | sort >after &&
	test_cmp before after
'

test_expect_success '-j 2 runs two at a time' '
	rm -f proj/here.* &&
	mlp-run -q -j 2 -e meet --sweep -P n=1,2 proj >id &&
	test "$(status_of "$(run_dir "$(cat id)")")" = 3
'

test_expect_success 'without -j, one at a time (meet.sh cannot meet)' '
	rm -f proj/here.* &&
	test_expect_code 1 env MEET_TRIES=50 mlp-run -q -e meet --sweep \
	    -P n=1,2 proj >id &&
	test "$(status_of "$(run_dir "$(cat id)")")" = 4
'

test_expect_success 'SIGTERM: running and waiting runs KILLED, the parent too' '
	rm -f proj/started.* &&
	{ mlp-run -q -j 2 -e slow --sweep -P n=1,2,3,4 proj >id 2>err & } &&
	pid=$! &&
	i=0 &&
	while [ "$(ls proj/started.* 2>/dev/null | wc -l)" -lt 2 ] &&
	    [ $i -lt 1500 ]; do sleep 0.02; i=$((i + 1)); done &&
	kill -TERM $pid &&
	{ wait $pid; echo $? >rc; } &&
	test "$(cat rc)" = 143 &&
	p=$(cat id) &&
	children "$p" >kids &&
	test $(wc -l <kids) -eq 4 &&
	for k in $(cat kids); do
		test "$(status_of "$(run_dir "$k")")" = 5 || return 1
	done &&
	tag_is "$(run_dir "$p")" mlp.sweep.killed 4 &&
	test "$(status_of "$(run_dir "$p")")" = 4 &&
	test $(ls proj/started.* | wc -l) -eq 2
'

test_expect_success '--run-id refuses a run that is not SCHEDULED' '
	k=$(head -n 1 kids) &&
	test_expect_code 1 mlp-run --run-id "$k" -e slow proj 2>err &&
	grep "not SCHEDULED" err
'

test_expect_success 'a task that cannot start ends FAILED, not SCHEDULED' '
	mkdir -p fakebin &&
	printf "#!/bin/sh\necho 4242\n" >fakebin/sbatch &&
	chmod +x fakebin/sbatch &&
	PATH=$TRASH/fakebin:$PATH mlp-run -q --backend slurm -P C=1 proj >sub &&
	read -r r job <sub &&
	test "$job" = 4242 &&
	grep -x "status: 2" "$(run_dir "$r")/meta.yaml" &&
	snap=$(run_dir "$r")/artifacts/mlp/code &&
	test -d "$snap" &&
	test_expect_code 1 env XDG_CACHE_HOME=/proc/self/no mlp-run -e main \
	    --run-id "$r" --snapshot "$snap" 2>err &&
	grep -x "status: 4" "$(run_dir "$r")/meta.yaml" &&
	grep "cannot create" err &&
	grep "cannot create" "$(run_dir "$r")/tags/mlp.error"
'

test_expect_success 'usage errors exit 2' '
	test_expect_code 2 mlp-run -j 0 --sweep -P C=1 proj &&
	test_expect_code 2 mlp-run --wait proj &&
	test_expect_code 2 mlp-run --backend-config x.json proj &&
	test_expect_code 2 mlp-run --backend nosuch proj &&
	test_expect_code 2 mlp-run --sweep --run-id abc proj
'

test_done
