#!/bin/sh
# t1501-run-reproduce.t: mlp-run --reproduce RUN_ID rebuilds a run from
# its record alone (commit, diff, params, inputs) in a real git
# repository, runs it again, and compares; exit 0 same, 1 differs, 3
# cannot be reproduced (with the reason named).
. "$(dirname "$0")/lib.sh"
. "$TEST_DIRECTORY/run-lib.sh"

mkdir repo data
cat >repo/MLproject <<'YAML'
name: repro
entry_points:
  main:
    parameters:
      data: {type: path, default: .}
      scale: {type: float, default: 1}
    command: "sh train.sh {data} {scale}"
  random:
    command: "mlp-log metric r $(od -An -N2 -tu2 /dev/urandom | tr -d ' ')"
YAML
# The metric depends on the code (weight.txt), the data and a param.
cat >repo/train.sh <<'EOF2'
set -e
n=$(cat "$1"/*.csv | wc -l)
w=$(cat weight.txt)
extra=0
[ -f extra.txt ] && extra=$(cat extra.txt)
mlp-log metric score "$(( (n * w + extra) * ${2%.*} ))"
mlp-log metric rows "$n"
EOF2
echo 10 >repo/weight.txt
printf 'mlruns/\n' >repo/.gitignore
(cd repo && git init -q -b main && git add -A && git commit -q -m v1)
printf 'a\nb\nc\n' >data/one.csv
printf 'd\n' >data/two.csv

# run_of ERRFILE: the id of the run mlp-run made.
run_of() { run_id_of "$1"; }
metric_of() { # DIR KEY: the latest value
	tail -n 1 "$1/metrics/$2" | cut -d" " -f2
}

test_expect_success 'a clean run is reproduced: same metrics, exit 0' '
	mlp-run -P data="$TRASH/data" -P scale=2 repo 2>err &&
	id=$(run_of err) && echo "$id" >clean.id &&
	test "$(metric_of "$(run_dir "$id")" score)" = 80.0 &&
	mlp-run --reproduce "$id" >out 2>err &&
	grep "^code  *same" out && grep "^data  *same" out &&
	grep "^metric score  *same  *80.0  *80.0" out &&
	grep "^run  *same  *FINISHED  *FINISHED (exit 0)" out &&
	new=$(run_of err) && test "$new" != "$id" &&
	tag_is "$(run_dir "$new")" mlp.reproduces "$id" &&
	param_is "$(run_dir "$new")" scale 2 &&
	test "$(metric_of "$(run_dir "$new")" score)" = 80.0
'
test_expect_success 'a dirty run (edit and untracked file) is reproduced' '
	echo 20 >repo/weight.txt && echo 5 >repo/extra.txt &&
	head -c 3000 /dev/urandom >repo/blob.bin && ln -s weight.txt repo/w &&
	mlp-run -P data="$TRASH/data" repo 2>err && id=$(run_of err) &&
	echo "$id" >dirty.id &&
	test "$(metric_of "$(run_dir "$id")" score)" = 85.0 &&
	git -C repo checkout -q weight.txt && rm repo/extra.txt repo/blob.bin \
	    repo/w &&
	mlp-run --reproduce "$id" >out 2>err &&
	grep "^code  *same" out &&
	grep "^metric score  *same  *85.0  *85.0" out &&
	new=$(run_of err) && tag_is "$(run_dir "$new")" mlp.git.dirty true &&
	test_cmp "$(run_dir "$id")/artifacts/mlp/git.diff" \
	    "$(run_dir "$new")/artifacts/mlp/git.diff"
'
test_expect_success 'code committed after the run: the original code runs' '
	echo 99 >repo/weight.txt && git_commit_all repo v2 &&
	mlp-run --reproduce "$(cat clean.id)" >out 2>err &&
	grep "^metric score  *same  *80.0  *80.0" out
'
test_expect_success 'a changed data file: refused, exit 3, the file named' '
	echo e >>data/two.csv &&
	test_expect_code 3 mlp-run --reproduce "$(cat clean.id)" >out 2>err &&
	grep "changed: $TRASH/data/two.csv" err &&
	grep "allow-data-drift" err && ! grep "Running command" err
'
test_expect_success 'new and missing files are named too' '
	echo f >data/three.csv && mv data/one.csv data/one.old &&
	test_expect_code 3 mlp-run --reproduce "$(cat clean.id)" 2>err &&
	grep "new: $TRASH/data/three.csv" err &&
	grep "missing: $TRASH/data/one.csv" err &&
	mv data/one.old data/one.csv && rm data/three.csv
'
test_expect_success '--allow-data-drift runs; the metric differs: exit 1' '
	test_expect_code 1 mlp-run --reproduce "$(cat clean.id)" \
	    --allow-data-drift >out 2>err &&
	grep "^data  *differs" out &&
	grep "^metric score  *differs  *80.0  *100.0" out &&
	grep "^metric rows  *differs  *4.0  *5.0" out
'
test_expect_success '--atol and --rtol accept small differences' '
	test_expect_code 1 mlp-run --reproduce "$(cat clean.id)" \
	    --allow-data-drift --atol 1 --rtol 0.25 >out 2>err &&
	grep "^metric score  *same" out && grep "^metric rows  *same" out &&
	test_expect_code 1 mlp-run --reproduce "$(cat clean.id)" \
	    --allow-data-drift --atol 1 --rtol 0.1 >out 2>err &&
	grep "^metric score  *differs" out && grep "^metric rows  *same" out &&
	printf "d\n" >data/two.csv
'
test_expect_success 'a random metric: reported as differing, exit 1' '
	mlp-run -e random repo 2>err && id=$(run_of err) &&
	test_expect_code 1 mlp-run --reproduce "$id" >out 2>err2 &&
	grep "^metric r  *differs" out
'
test_expect_success 'a truncated diff cannot be reproduced: exit 3' '
	echo 30 >repo/weight.txt &&
	mlp-run --max-diff-size 10 -P data="$TRASH/data" repo 2>err &&
	id=$(run_of err) && git -C repo checkout -q weight.txt &&
	test_expect_code 3 mlp-run --reproduce "$id" 2>err &&
	grep "truncated" err && ! grep "Running command" err
'
test_expect_success 'a project outside git cannot be reproduced: exit 3' '
	mkdir plain && cp repo/MLproject repo/train.sh repo/weight.txt plain/ &&
	mlp-run -P data="$TRASH/data" plain 2>err && id=$(run_of err) &&
	test_expect_code 3 mlp-run --reproduce "$id" 2>err &&
	grep "no commit recorded" err
'
test_expect_success 'a tree that is not the fingerprinted one: exit 3' '
	d=$(run_dir "$(cat dirty.id)") && cp "$d/tags/mlp.code.xxh128" fp.save &&
	printf 00000000000000000000000000000000 >"$d/tags/mlp.code.xxh128" &&
	test_expect_code 3 mlp-run --reproduce "$(cat dirty.id)" 2>err &&
	grep "the tree rebuilt from commit .* has fingerprint" err &&
	! grep "Running command" err && cp fp.save "$d/tags/mlp.code.xxh128"
'
test_expect_success 'a diff that does not apply: exit 3' '
	d=$(run_dir "$(cat dirty.id)") &&
	cp "$d/artifacts/mlp/git.diff" diff.save &&
	sed "s/^-10$/-11/" diff.save >"$d/artifacts/mlp/git.diff" &&
	! test_cmp diff.save "$d/artifacts/mlp/git.diff" >/dev/null &&
	test_expect_code 3 mlp-run --reproduce "$(cat dirty.id)" 2>err &&
	grep "does not apply" err &&
	cp diff.save "$d/artifacts/mlp/git.diff"
'
test_expect_success 'a dirty run whose diff is gone: exit 3' '
	d=$(run_dir "$(cat dirty.id)") &&
	mv "$d/artifacts/mlp/git.diff" diff.save &&
	test_expect_code 3 mlp-run --reproduce "$(cat dirty.id)" 2>err &&
	grep "uncommitted changes are not recorded" err &&
	mv diff.save "$d/artifacts/mlp/git.diff" &&
	mlp-run --reproduce "$(cat dirty.id)" >out 2>err
'
test_expect_success 'runs of a bare repository (path and file:// URL)' '
	git clone -q --bare repo bare.git &&
	mlp-run -P data="$TRASH/data" "$TRASH/bare.git" 2>err &&
	a=$(run_of err) &&
	mlp-run -P data="$TRASH/data" "file://$TRASH/bare.git" 2>err &&
	b=$(run_of err) &&
	mlp-run --reproduce "$a" >out 2>err && grep "^code  *same" out &&
	mlp-run --reproduce "$b" >out 2>err && grep "^code  *same" out &&
	mv bare.git bare.moved &&
	test_expect_code 3 mlp-run --reproduce "$a" 2>err &&
	grep "repository .$TRASH/bare.git. is gone" err &&
	test_expect_code 3 mlp-run --reproduce "$b" 2>err &&
	grep "repository .$TRASH/bare.git. is gone" err
'
test_expect_success 'the repository moved away: exit 3, the reason' '
	mv repo repo.moved &&
	test_expect_code 3 mlp-run --reproduce "$(cat clean.id)" 2>err &&
	grep "repository .$TRASH/repo. is gone" err &&
	mv repo.moved repo
'
test_expect_success 'what the run recorded cannot be overridden: exit 2' '
	test_expect_code 2 mlp-run --reproduce "$(cat clean.id)" -P scale=3 \
	    2>err && grep "from the run" err &&
	test_expect_code 2 mlp-run --reproduce "$(cat clean.id)" -e random \
	    2>err &&
	test_expect_code 2 mlp-run --reproduce "$(cat clean.id)" repo 2>err
'
test_expect_success 'an unknown run id: exit 1' '
	test_expect_code 1 mlp-run --reproduce 0123456789abcdef0123456789abcdef \
	    2>err && grep 0123456789abcdef err
'
test_done
