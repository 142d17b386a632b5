#!/bin/sh
# t1503-run-reuse.t: mlp-run --reuse reports a FINISHED run of the same
# step (code fingerprint, entry point, params, data, environment manager;
# the environment itself in t1507) instead of running again;
# --run-id-file gives the id got, new or reused; an mlp-run inside a run
# makes a child run.
. "$(dirname "$0")/lib.sh"
. "$TEST_DIRECTORY/run-lib.sh"

mkdir repo data
cat >repo/MLproject <<'YAML'
name: reuse
entry_points:
  main:
    parameters:
      data: {type: path, default: .}
      k: {type: string, default: a}
    command: "echo ran >>\"$COUNT\" && cat {data}/x.csv >/dev/null"
  fail:
    command: "echo ran >>\"$COUNT\" && false"
  outer:
    command: "mlp-run --reuse --run-id-file \"$INNER\" -P data=\"$DATA\" ."
YAML
printf 'mlruns/\n' >repo/.gitignore
(cd repo && git init -q -b main && git add -A && git commit -q -m v1)
echo 1 >data/x.csv
COUNT=$TRASH/count INNER=$TRASH/inner.id DATA=$TRASH/data
export COUNT INNER DATA
runs() { wc -l <"$COUNT" | tr -d " "; }

test_expect_success 'the first --reuse runs, the second reuses' '
	mlp-run --reuse --run-id-file id1 -P data="$TRASH/data" repo 2>err &&
	test "$(runs)" = 1 && test "$(cat id1)" = "$(run_id_of err)" &&
	mlp-run --reuse --run-id-file id2 -P data="$TRASH/data" repo 2>err &&
	test "$(runs)" = 1 && test_cmp id1 id2 &&
	grep "Reusing run (ID .$(cat id1).)" err &&
	test "$(runs_in | wc -l)" -eq 1
'
test_expect_success 'without --reuse it runs again' '
	mlp-run -P data="$TRASH/data" repo 2>err && test "$(runs)" = 2
'
test_expect_success 'another param value runs again' '
	mlp-run --reuse --run-id-file id3 -P data="$TRASH/data" -P k=b repo \
	    2>err && test "$(runs)" = 3 && ! test_cmp id1 id3 >/dev/null
'
test_expect_success 'changed data runs again' '
	echo 2 >data/x.csv &&
	mlp-run --reuse --run-id-file id4 -P data="$TRASH/data" repo 2>err &&
	test "$(runs)" = 4 &&
	mlp-run --reuse --run-id-file id5 -P data="$TRASH/data" repo 2>err &&
	test "$(runs)" = 4 && test_cmp id4 id5
'
test_expect_success 'changed code (uncommitted) runs again' '
	echo "# note" >>repo/MLproject &&
	mlp-run --reuse --run-id-file id6 -P data="$TRASH/data" repo 2>err &&
	test "$(runs)" = 5 && ! test_cmp id5 id6 >/dev/null
'
test_expect_success 'the same code committed is the same step' '
	git_commit_all repo note &&
	mlp-run --reuse --run-id-file id7 -P data="$TRASH/data" repo 2>err &&
	test "$(runs)" = 5 && test_cmp id6 id7
'
test_expect_success 'a failed run is not reused' '
	test_expect_code 1 mlp-run --reuse -e fail repo 2>err &&
	test "$(runs)" = 6 &&
	test_expect_code 1 mlp-run --reuse -e fail repo 2>err &&
	test "$(runs)" = 7
'
test_expect_success 'an mlp-run inside a run makes a child run' '
	(cd repo && mlp-run -e outer --run-id-file ../outer.id . 2>../err) &&
	inner=$(cat inner.id) && test "$inner" = "$(cat id7)" &&
	(cd repo && echo 3 >../data/x.csv &&
	    mlp-run -e outer --run-id-file ../outer2.id . 2>../err) &&
	inner=$(cat inner.id) && ! test "$inner" = "$(cat id7)" &&
	tag_is "$(run_dir "$inner")" mlflow.parentRunId "$(cat outer2.id)"
'
test_expect_success 'MLFLOW_RUN_ID of no running run makes no parent' '
	MLFLOW_RUN_ID=$(cat id1) mlp-run -P data="$TRASH/data" -P k=z repo \
	    2>err && test ! -e "$(run_dir "$(run_id_of err)")/tags/mlflow.parentRunId"
'
test_done
