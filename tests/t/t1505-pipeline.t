#!/bin/sh
# t1505-pipeline.t: contrib/examples/pipeline end to end: main chains
# load -> prepare -> train with --reuse; a second main runs no step; a
# change of the raw data re-runs prepare and train only; the steps are
# children of main's run; the final run is reproducible.
. "$(dirname "$0")/lib.sh"
. "$TEST_DIRECTORY/run-lib.sh"

cp -R "$MLP_SRCDIR/contrib/examples/pipeline" proj || exit 99
(cd proj && git init -q -b main && git add -A && git commit -q -m v1) ||
    exit 99
mkdir raw
printf '1.0,0\n2.0,0\n3.0,1\n' >raw/a.csv
printf '4.0,1\n2.8,0\n' >raw/b.csv

# steps ENTRY: how many runs of that entry point the experiment has.
steps() {
	mlp-ls -e pipe -c tags.mlflow.project.entryPoint | grep -c "^$1\$"
}

test_expect_success 'main runs load, prepare and train once' '
	mlp-run --experiment-name pipe -P raw="$TRASH/raw" proj >out 2>err &&
	test "$(steps load)" = 1 && test "$(steps prepare)" = 1 &&
	test "$(steps train)" = 1 && test "$(steps main)" = 1 &&
	main1=$(run_id_of err) && echo "$main1" >main1.id &&
	train=$(sed -n "s/^train: run //p" out) && echo "$train" >train1.id &&
	d=$(find mlruns -maxdepth 2 -name "$train") &&
	test "$(tail -n 1 "$d/metrics/accuracy" | cut -d" " -f2)" = 0.8 &&
	tag_is "$d" mlflow.parentRunId "$main1"
'
test_expect_success 'main again runs no step' '
	mlp-run --experiment-name pipe -P raw="$TRASH/raw" proj >out 2>err &&
	test "$(steps load)" = 1 && test "$(steps prepare)" = 1 &&
	test "$(steps train)" = 1 && test "$(steps main)" = 2 &&
	test "$(sed -n "s/^train: run //p" out)" = "$(cat train1.id)"
'
test_expect_success 'touching the raw data (same content) runs no step' '
	touch raw/a.csv &&
	mlp-run --experiment-name pipe -P raw="$TRASH/raw" proj >out 2>err &&
	test "$(steps prepare)" = 1 && test "$(steps train)" = 1
'
test_expect_success 'changed raw data re-runs prepare and train, not load' '
	printf "2.9,1\n" >>raw/b.csv &&
	mlp-run --experiment-name pipe -P raw="$TRASH/raw" proj >out 2>err &&
	test "$(steps load)" = 1 && test "$(steps prepare)" = 2 &&
	test "$(steps train)" = 2 &&
	sed -n "s/^train: run //p" out >train2.id &&
	! test_cmp train1.id train2.id >/dev/null
'
test_expect_success 'the final run is reproducible' '
	mlp-run --reproduce "$(cat train2.id)" >out 2>err &&
	grep "^metric accuracy  *same" out && grep "^data  *same" out
'
test_done
