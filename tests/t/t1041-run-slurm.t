#!/bin/sh
# t1041-run-slurm.t: mlp-run --backend slurm on a real single-node Slurm
# (started once for all cases by slurm.sh): a sweep is one array job whose
# tasks run their SCHEDULED runs from a snapshot of the code; scancel,
# the time limit, failures and a bad --backend-config.
. "$(dirname "$0")/lib.sh"
. "$TEST_DIRECTORY/run-lib.sh"
. "$TEST_DIRECTORY/slurm.sh"
. "$TEST_DIRECTORY/ftp-lib.sh"

slurm_start

mkdir proj
cat >proj/MLproject <<'YAML'
entry_points:
  main:
    parameters:
      n: int
    command: "sh job.sh {n}"
  wait:
    parameters:
      n: int
    command: "touch $GATE.started.{n}; while [ ! -e $GATE.go ]; do sleep 0.1; done; sh job.sh {n}"
  sleep:
    command: "touch $GATE.slept; sleep 300"
  writes:
    parameters:
      n: int
    command: "test ! -e model.txt && echo {n} >model.txt && echo {n} >>$GATE.writes"
YAML
# The code: a committed version, then an uncommitted change (recorded).
echo 'echo committed n=$1' >proj/job.sh
(cd proj && git init -q && git add -A && git commit -q -m v1)
cat >proj/job.sh <<'SH'
echo "dirty n=$1" >"$GATE.out.$1"
[ "$1" -ne 13 ]
SH
GATE=$TRASH/gate
export GATE

# sweep_dir ID: the folder of a run; kids PARENT: its children by index.
kids() {
	cut -f 2 "$(run_dir "$1")/artifacts/mlp/sweep.tsv" | sed 1d
}

# The time limit takes Slurm a minute: submitted first, looked at last.
test_expect_success 'a run with a time limit of 1 minute is submitted' '
	echo "{\"time\": \"1\"}" >limit.json &&
	mlp-run -q --backend slurm --backend-config limit.json -e sleep \
	    proj >limit.sub &&
	test $(wc -w <limit.sub) -eq 2
'

test_expect_success 'a bad --backend-config: exit 1 naming the key, no run' '
	echo "{\"partition\": \"debug\", \"memory\": \"1G\"}" >bad.json &&
	runs_in >before &&
	test_expect_code 1 mlp-run --backend slurm --backend-config bad.json \
	    --sweep -P n=1,2 proj >out 2>err &&
	grep "bad.json:1:32: key .memory.: unknown key" err &&
	echo "{\"mem\": [1]}" >bad.json &&
	test_expect_code 1 mlp-run --backend slurm --backend-config bad.json \
	    -P n=1 proj 2>err &&
	grep "key .mem.: a string or a number is needed, not a list" err &&
	test_expect_code 1 mlp-run --backend slurm --backend-config no.json \
	    -P n=1 proj 2>err &&
	grep no.json err &&
	test ! -s out &&
	runs_in >after &&
	test_cmp before after
'

test_expect_success 'a 20-run sweep is one array job; all FINISHED' '
	mlp-run -q --backend slurm -j 4 --sweep \
	    -P n=1,2,3,4,5,6,7,8,9,10,11,12,14,15,16,17,18,19,20,21 \
	    proj >sub 2>err &&
	read -r p job <sub &&
	echo "$p" >sweep20 &&
	grep "^#SBATCH --array=0-19%4$" "$(run_dir "$p")/artifacts/mlp/sbatch.sh" &&
	tag_is "$(run_dir "$p")" mlp.slurm.job_id "$job" &&
	slurm_wait_gone "$job" &&
	kids "$p" >ids &&
	test_line_count ids 20 &&
	i=0 &&
	for k in $(cat ids); do
		d=$(run_dir "$k") &&
		test "$(status_of "$d")" = 3 &&
		tag_is "$d" mlflow.parentRunId "$p" &&
		tag_is "$d" mlp.slurm.job_id "$job" &&
		tag_is "$d" mlp.slurm.task_id $i &&
		grep -q "^run_id: $k$" "$d/meta.yaml" &&
		grep -q "^end_time: [0-9]" "$d/meta.yaml" || return 1
		i=$((i + 1))
	done &&
	test "$(status_of "$(run_dir "$p")")" = 3 &&
	tag_is "$(run_dir "$p")" mlp.sweep.finished 20 &&
	mlp-ls -c params.n,status -f "tags.mlflow.parentRunId = '\''$p'\''" \
	    | sort -n >ls &&
	for n in 1 2 3 4 5 6 7 8 9 10 11 12 14 15 16 17 18 19 20 21; do
		printf "%s\tFINISHED\n" $n
	done >want &&
	test_cmp want ls &&
	cat "$GATE".out.* | sort -t= -k2 -n >outs &&
	test_line_count outs 20 &&
	grep -c "^dirty" outs | grep -x 20
'

test_expect_success 'the tasks recorded the commit and the patch submitted' '
	p=$(cat sweep20) &&
	k=$(kids "$p" | head -n 1) &&
	test "$(cat "$(run_dir "$k")/tags/mlflow.source.git.commit")" = \
	    "$(git -C proj rev-parse HEAD)" &&
	tag_is "$(run_dir "$k")" mlp.git.dirty true &&
	grep "^+echo \"dirty n=" "$(run_dir "$k")/artifacts/mlp/git.diff" &&
	test_cmp "$(run_dir "$p")/artifacts/mlp/code.diff" \
	    "$(run_dir "$k")/artifacts/mlp/git.diff"
'

test_expect_success 'the snapshot: a plain tree, whole, no .git, no leftovers' '
	A=$(run_dir "$(cat sweep20)")/artifacts/mlp &&
	test_cmp proj/job.sh "$A/code/job.sh" &&
	test_cmp proj/MLproject "$A/code/MLproject" &&
	find "$A" -name .git >dotgit &&
	test_line_count dotgit 0 &&
	find "$A" -name ".mlp-tmp*" >tmps &&
	test_line_count tmps 0 &&
	grep "^commit	$(git -C proj rev-parse HEAD)$" "$A/code.info" &&
	grep "^dirty	true$" "$A/code.info" &&
	grep "^xxh128	$(cat "$(run_dir "$(kids "$(cat sweep20)" | head -n 1)")/tags/mlp.code.xxh128")$" \
	    "$A/code.info" &&
	grep -- "--snapshot" "$A/sbatch.sh" &&
	grep -F "$A/code" "$A/sbatch.sh"
'

test_expect_success 'a failing task: the others FINISHED, the parent FAILED' '
	test_expect_code 1 mlp-run -q -s mlruns --backend slurm --wait -j 2 \
	    --sweep -P n=12,13,14 proj >sub &&
	read -r p job <sub &&
	kids "$p" >ids &&
	for k in $(cat ids); do status_of "$(run_dir "$k")"; done >got &&
	printf "%s\n" 3 4 3 >want &&
	test_cmp want got &&
	test "$(status_of "$(run_dir "$p")")" = 4 &&
	tag_is "$(run_dir "$p")" mlp.sweep.failed 1
'

test_expect_success 'the code that runs is the code submitted' '
	rm -f "$GATE".* &&
	echo "echo v2 >\"\$GATE.out.\$1\"" >proj/job.sh &&
	mlp-run -q --backend slurm -e wait -P n=1 proj >sub &&
	read -r r job <sub &&
	echo "echo v3 >\"\$GATE.out.\$1\"" >proj/job.sh &&
	git -C proj commit -q -a -m v3 &&
	touch "$GATE.go" &&
	slurm_wait_gone "$job" &&
	test "$(status_of "$(run_dir "$r")")" = 3 &&
	echo v2 >want &&
	test_cmp want "$GATE.out.1" &&
	grep "^+echo v2" "$(run_dir "$r")/artifacts/mlp/git.diff" &&
	test "$(cat "$(run_dir "$r")/tags/mlflow.source.git.commit")" = \
	    "$(git -C proj rev-parse HEAD~1)"
'

test_expect_success 'a task writes into its folder: a copy of its own' '
	mlp-run -q --backend slurm -j 1 -e writes --sweep -P n=1,2,3 proj \
	    >sub &&
	read -r p job <sub &&
	slurm_wait_gone "$job" &&
	kids "$p" >ids &&
	for k in $(cat ids); do
		test "$(status_of "$(run_dir "$k")")" = 3 || return 1
	done &&
	sort "$GATE.writes" >got &&
	printf "%s\n" 1 2 3 >want &&
	test_cmp want got &&
	test ! -e "$(run_dir "$p")/artifacts/mlp/code/model.txt" &&
	test ! -e proj/model.txt &&
	! ls "$XDG_CACHE_HOME"/mlp/snapshots/*/model.txt 2>/dev/null
'

test_expect_success 'a snapshot changed after submission is refused' '
	rm -f "$GATE".* &&
	mlp-run -q --backend slurm -j 1 -e wait --sweep -P n=1,2 proj >sub &&
	read -r p job <sub &&
	i=0 &&
	until [ -e "$GATE.started.1" ]; do
		i=$((i + 1)) && [ $i -lt 1200 ] && sleep 0.1 || return 1
	done &&
	echo "# changed" >>"$(run_dir "$p")/artifacts/mlp/code/job.sh" &&
	touch "$GATE.go" &&
	slurm_wait_gone "$job" &&
	kids "$p" >ids &&
	for k in $(cat ids); do status_of "$(run_dir "$k")"; done >got &&
	printf "%s\n" 3 4 >want &&
	test_cmp want got &&
	grep "was changed" "$(run_dir "$(sed -n 2p ids)")/tags/mlp.error" &&
	test ! -e "$GATE.started.2" &&
	test "$(status_of "$(run_dir "$p")")" = 4
'

test_expect_success 'a git URL: the tasks run the commit submitted' '
	rm -rf "$GATE".* url.git work &&
	git clone -q --bare proj url.git &&
	old=$(git -C url.git rev-parse HEAD) &&
	mlp-run -q --backend slurm -j 1 -e wait --sweep -P n=1,2 \
	    "file://$TRASH/url.git" >sub &&
	read -r p job <sub &&
	i=0 &&
	until [ -e "$GATE.started.1" ]; do
		i=$((i + 1)) && [ $i -lt 1200 ] && sleep 0.1 || return 1
	done &&
	git clone -q url.git work &&
	echo "echo v9 >\"\$GATE.out.\$1\"" >work/job.sh &&
	git -C work commit -q -a -m v9 &&
	git -C work push -q origin HEAD &&
	mlp-run -q -P n=7 "file://$TRASH/url.git" &&
	echo v9 >want &&
	test_cmp want "$GATE.out.7" &&
	touch "$GATE.go" &&
	slurm_wait_gone "$job" &&
	echo v3 >want &&
	test_cmp want "$GATE.out.1" &&
	test_cmp want "$GATE.out.2" &&
	for k in $(kids "$p"); do
		d=$(run_dir "$k") &&
		test "$(status_of "$d")" = 3 &&
		tag_is "$d" mlflow.source.git.commit "$old" &&
		tag_is "$d" mlflow.source.name "file://$TRASH/url.git" &&
		tag_is "$d" mlp.git.dirty false || return 1
	done &&
	find "$(run_dir "$p")/artifacts" -name .git >dotgit &&
	test_line_count dotgit 0
'

test_expect_success 'mlp-run -v REF: the task runs that commit, snapshotted' '
	mlp-run -q --backend slurm --wait -v HEAD~1 -P n=4 proj >sub &&
	read -r r job <sub &&
	d=$(run_dir "$r") &&
	test "$(status_of "$d")" = 3 &&
	tag_is "$d" mlflow.source.git.commit "$(git -C proj rev-parse HEAD~1)" &&
	grep "^committed n=4$" "$d/artifacts/mlp/slurm.out" &&
	test -f "$d/artifacts/mlp/code/job.sh" &&
	test ! -e "$d/artifacts/mlp/code/.git"
'

test_expect_success 'scancel of one task: that run KILLED, the others not' '
	rm -f "$GATE".* &&
	mlp-run -q --backend slurm -j 2 -e wait --sweep -P n=1,2 proj >sub &&
	read -r p job <sub &&
	i=0 &&
	until [ -e "$GATE.started.1" ] && [ -e "$GATE.started.2" ]; do
		i=$((i + 1)) && [ $i -lt 1200 ] && sleep 0.1 || return 1
	done &&
	scancel "${job}_1" &&
	slurm_wait_gone "${job}_1" &&
	touch "$GATE.go" &&
	slurm_wait_gone "$job" &&
	kids "$p" >ids &&
	for k in $(cat ids); do status_of "$(run_dir "$k")"; done >got &&
	printf "%s\n" 3 5 >want &&
	test_cmp want got &&
	test "$(status_of "$(run_dir "$p")")" = 4 &&
	tag_is "$(run_dir "$p")" mlp.sweep.killed 1
'

test_expect_success 'scancel of the job: running and pending runs KILLED' '
	rm -f "$GATE".* &&
	{ mlp-run -q --backend slurm --wait -j 1 -e wait --sweep \
	    -P n=1,2,3 proj >sub 2>err & } &&
	pid=$! &&
	i=0 &&
	until [ -e "$GATE.started.1" ]; do
		i=$((i + 1)) && [ $i -lt 1200 ] && sleep 0.1 || return 1
	done &&
	read -r p job <sub &&
	scancel "$job" &&
	{ wait $pid; echo $? >rc; } &&
	test "$(cat rc)" = 1 &&
	kids "$p" >ids &&
	for k in $(cat ids); do status_of "$(run_dir "$k")"; done >got &&
	printf "%s\n" 5 5 5 >want &&
	test_cmp want got &&
	grep "ended before it ran" "$(run_dir "$(sed -n 3p ids)")/tags/mlp.error" &&
	test "$(status_of "$(run_dir "$p")")" = 4 &&
	tag_is "$(run_dir "$p")" mlp.sweep.killed 3
'

test_expect_success 'sbatch refuses: the runs FAILED with its reason, exit 1' '
	echo "{\"partition\": \"nosuch\"}" >p.json &&
	test_expect_code 1 mlp-run -q --backend slurm --backend-config p.json \
	    --sweep -P n=1,2 proj >out 2>err &&
	grep -i "sbatch.*partition" err &&
	test ! -s out &&
	for d in $(runs_in); do
		! grep -qi "partition" "$(run_dir "$d")/tags/mlp.error" \
		    2>/dev/null || status_of "$(run_dir "$d")"
	done >got &&
	printf "%s\n" 4 4 4 >want &&
	test_cmp want got
'

test_expect_success 'mlp-log fsck finds the runs whose task vanished' '
	rm -f "$GATE".* &&
	mlp-run -q --backend slurm -j 1 -e wait --sweep -P n=1,2,3 proj >sub &&
	read -r p job <sub &&
	i=0 &&
	until [ -e "$GATE.started.1" ]; do
		i=$((i + 1)) && [ $i -lt 1200 ] && sleep 0.1 || return 1
	done &&
	kids "$p" >ids &&
	k=$(head -n 1 ids) &&
	kill -KILL "$(cat "$(run_dir "$k")/tags/mlp.runner.pid")" &&
	scancel "$job" &&
	slurm_wait_gone "$job" &&
	test "$(status_of "$(run_dir "$k")")" = 1 &&
	mkdir -p count &&
	for c in squeue sacct; do
		printf "#!/bin/sh\necho \"\$*\" >>%s/%s.calls\nexec %s \"\$@\"\n" \
		    "$TRASH" $c "$(command -v $c)" >count/$c &&
		chmod +x count/$c || return 1
	done &&
	rm -f squeue.calls sacct.calls &&
	PATH=$TRASH/count:$PATH test_expect_code 1 mlp-log fsck >fsck &&
	grep "^dead-run	$k	RUNNING, Slurm task ${job}_0 is gone" fsck &&
	grep "^dead-run	.*Slurm task ${job}_1 ended before it ran" fsck &&
	grep "^dead-run	.*Slurm task ${job}_2 ended before it ran" fsck &&
	grep -c "$job" squeue.calls >n &&
	echo 1 >want &&
	test_cmp want n &&
	test "$(grep -c "$job" sacct.calls)" -le 1 &&
	test "$(status_of "$(run_dir "$k")")" = 1 &&
	test_expect_code 1 mlp-log fsck --repair >fsck &&
	for k in $(cat ids); do status_of "$(run_dir "$k")"; done >got &&
	printf "%s\n" 4 5 5 >want &&
	test_cmp want got &&
	grep "is gone" "$(run_dir "$(head -n 1 ids)")/tags/mlp.error" &&
	test "$(status_of "$(run_dir "$p")")" = 4 &&
	tag_is "$(run_dir "$p")" mlp.sweep.failed 1 &&
	tag_is "$(run_dir "$p")" mlp.sweep.killed 2 &&
	mlp-log fsck
'

test_expect_success 'the time limit: the run FAILED, mlp.error says why' '
	read -r r job <limit.sub &&
	slurm_wait_gone "$job" &&
	test "$(status_of "$(run_dir "$r")")" = 4 &&
	grep "reached its time limit" "$(run_dir "$r")/tags/mlp.error"
'

if ftp_have && ftp_start 2>"$TRASH/ftp-start.err"; then
	test_set_prereq FTP
fi

test_expect_success FTP 'mlp-push of a sweep parent sends its snapshot, no .git' '
	p=$(cat sweep20) &&
	MLP_FTP_PASSWORD=$FTP_PASS mlp-push -r "$p" "$FTP_URL/srv" &&
	A=$FTP_HOME/srv/0/$p/artifacts/mlp &&
	test_cmp "$(run_dir "$p")/artifacts/mlp/code/job.sh" "$A/code/job.sh" &&
	test -f "$A/code.info" &&
	find "$FTP_HOME" -name ".git*" >dotgit &&
	test_line_count dotgit 0
'

test_done
