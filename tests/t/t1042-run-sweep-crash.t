#!/bin/sh
# t1042-run-sweep-crash.t: mlp-run --backend slurm killed with SIGKILL at
# random moments of its submission (runs, snapshot of the code, batch
# script, sbatch) on a real single-node Slurm: a snapshot is whole or
# absent, and no task runs a half one (a task from a submission that
# died refuses to run, its run ends FAILED saying why).
. "$(dirname "$0")/lib.sh"
. "$TEST_DIRECTORY/run-lib.sh"
. "$TEST_DIRECTORY/slurm.sh"

slurm_start

TRIES=${MLP_STRESS_TRIES:-50}

# 500 files, one uncommitted change: the snapshot takes a while to copy.
# check.sh says whether the tree it runs in is whole.
mkdir proj proj/data
cat >proj/MLproject <<'YAML'
entry_points:
  main:
    parameters:
      n: int
    command: "sh check.sh {n}"
YAML
i=0
while [ $i -lt 500 ]; do
	i=$((i + 1))
	echo "$i" >proj/data/f$i
done
echo 'echo committed >"$OUT.$MLFLOW_RUN_ID"' >proj/check.sh
(cd proj && git init -q) && git_commit_all proj v1
cat >proj/check.sh <<'SH'
if [ "$(ls data | wc -l)" -eq 500 ] && [ "$(cat data/f500)" = 500 ]; then
	echo whole >"$OUT.$MLFLOW_RUN_ID"
else
	echo half >"$OUT.$MLFLOW_RUN_ID"
	exit 1
fi
SH
OUT=$TRASH/out
export OUT

test_expect_success "SIGKILL at random moments of $TRIES submissions" '
	i=0 &&
	while [ $i -lt "$TRIES" ]; do
		i=$((i + 1))
		mlp-run -q --backend slurm --sweep -P n=1 proj \
		    >"sub.$i" 2>/dev/null &
		pid=$!
		sleep "$(awk -v s="$i" "BEGIN { srand(s); \
		    printf \"%.3f\", rand() * 1.0 }")"
		kill -KILL $pid 2>/dev/null
		wait $pid || :
	done &&
	i=0 &&
	while [ -n "$(squeue -h -o %i 2>/dev/null)" ]; do
		i=$((i + 1)) && [ $i -lt 1800 ] && sleep 0.1 || return 1
	done
'

# parents: the sweeps' parent runs.
parents() {
	for _r in $(runs_in); do
		[ -f "$(run_dir "$_r")/tags/mlp.sweep" ] && echo "$_r"
	done
	return 0
}

test_expect_success 'every snapshot in place is whole, no task ran half' '
	parents >ps &&
	test "$(wc -l <ps)" -le "$TRIES" &&
	whole=0 none=0 ran=0 &&
	for p in $(cat ps); do
		A=$(run_dir "$p")/artifacts/mlp &&
		if [ -d "$A/code" ]; then
			whole=$((whole + 1)) &&
			test "$(ls "$A/code/data" | wc -l)" -eq 500 &&
			test_cmp proj/check.sh "$A/code/check.sh" || return 1
		else
			none=$((none + 1))
		fi
		[ -f "$A/sweep.tsv" ] || continue
		for k in $(cut -f 2 "$A/sweep.tsv" | sed 1d); do
			d=$(run_dir "$k") &&
			case $(status_of "$d") in
			2)	# SCHEDULED: never submitted; run it by hand
				if [ -d "$A/code" ]; then
					mlp-run -q --run-id "$k" \
					    --snapshot "$A/code" || return 1
				else
					test_expect_code 1 mlp-run -q \
					    --run-id "$k" --snapshot "$A/code" \
					    2>err &&
					grep "no code snapshot" err &&
					test "$(status_of "$d")" = 4 &&
					grep "no code snapshot" "$d/tags/mlp.error" &&
					continue
				fi ;;
			*)	ran=$((ran + 1)) ;;
			esac
			test "$(status_of "$d")" = 3 &&
			echo whole >want &&
			test_cmp want "$OUT.$k" || return 1
		done
	done &&
	tmps=$(find mlruns -name ".mlp-tmp.code.*" | wc -l) &&
	echo "$whole snapshots whole, $none absent ($tmps left half under" \
	    ".mlp-tmp.code.*), $ran tasks ran by Slurm" >"$TRASH/tally"
'
[ -f tally ] && echo "# $(cat tally)"

test_expect_success 'no half snapshot left anywhere but under .mlp-tmp.*' '
	find mlruns -path "*/artifacts/mlp/*" -name check.sh >found &&
	grep -v "/artifacts/mlp/code/check.sh$" found |
	    grep -v "/artifacts/mlp/\.mlp-tmp\.code\.[^/]*/check.sh$" >other ||
	    : &&
	test_line_count other 0 &&
	find mlruns -name .git >dotgit &&
	test_line_count dotgit 0
'

test_expect_success 'mlp-log fsck --repair removes the half ones' '
	MLP_LOCK_STALE=0 &&
	export MLP_LOCK_STALE &&
	test_expect_code 1 mlp-log fsck --repair >fsck &&
	find mlruns -name ".mlp-tmp.code.*" >left &&
	test_line_count left 0 &&
	mlp-log fsck
'

test_done
