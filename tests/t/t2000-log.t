#!/bin/sh
# t2000-log: every mlp-log command and its errors, in a temporary store.
. "$(dirname "$0")/lib.sh"

test_expect_success 'start prints a uuid4 run id; the run is RUNNING' '
	mlp-log start -n first >id &&
	grep -Eq "^[0-9a-f]{12}4[0-9a-f]{3}[89ab][0-9a-f]{15}$" id &&
	run=mlruns/0/$(cat id) &&
	grep -q "^status: 1$" $run/meta.yaml &&
	grep -q "^end_time: null$" $run/meta.yaml &&
	grep -q "^run_name: first$" $run/meta.yaml &&
	grep -q "^run_uuid: $(cat id)$" $run/meta.yaml &&
	test "$(cat $run/tags/mlflow.runName)" = first &&
	test -d $run/params && test -d $run/metrics && test -d $run/artifacts
'
test_expect_success 'without a name a name is generated' '
	id=$(mlp-log start) &&
	grep -Eq "^run_name: [a-z]+-[a-z]+-[0-9]+$" mlruns/0/$id/meta.yaml
'
test_expect_success 'start -e creates the experiment; -t sets tags' '
	id=$(mlp-log start -e iris -t team=ml -t "note=a b") &&
	exp=$(grep -l "^name: iris$" mlruns/*/meta.yaml) &&
	dir=$(dirname $exp) &&
	test "$(cat $dir/$id/tags/team)" = ml &&
	test "$(cat $dir/$id/tags/note)" = "a b" &&
	id2=$(mlp-log start -e iris) &&
	test -d $dir/$id2 &&
	test "$(grep -l "^name: iris$" mlruns/*/meta.yaml | wc -l)" -eq 1
'
test_expect_success 'the experiment comes from MLFLOW_EXPERIMENT_NAME/ID' '
	id=$(MLFLOW_EXPERIMENT_NAME=envexp mlp-log start) &&
	exp=$(dirname $(grep -l "^name: envexp$" mlruns/*/meta.yaml)) &&
	test -d $exp/$id &&
	id2=$(MLFLOW_EXPERIMENT_ID=$(basename $exp) mlp-log start) &&
	test -d $exp/$id2 &&
	MLFLOW_EXPERIMENT_ID=424242 test_expect_code 1 mlp-log start 2>err &&
	grep -q "424242" err
'
test_expect_success 'no run given: a clear error that says how' '
	test_expect_code 2 mlp-log param a b 2>err &&
	grep -q "MLFLOW_RUN_ID" err && grep -q -- "-r" err
'
test_expect_success 'param, tag and metric into MLFLOW_RUN_ID' '
	MLFLOW_RUN_ID=$(mlp-log start) && export MLFLOW_RUN_ID &&
	mlp-log param C 2 &&
	mlp-log param "train/split" 0.8 &&
	mlp-log tag stage dev &&
	mlp-log tag stage prod &&
	mlp-log metric --timestamp 1000 loss 0.5 &&
	mlp-log metric --timestamp 1001 loss 0.25 3 &&
	mlp-log metric --timestamp 1002 loss -1e-7 -2 &&
	run=mlruns/0/$MLFLOW_RUN_ID &&
	printf 2 >want && test_cmp want $run/params/C &&
	printf 0.8 >want && test_cmp want $run/params/train/split &&
	printf prod >want && test_cmp want $run/tags/stage &&
	printf "1000 0.5 0\n1001 0.25 3\n1002 -1e-07 -2\n" >want &&
	test_cmp want $run/metrics/loss
'
test_expect_success 'metric values are written as Python repr' '
	id=$(mlp-log start) &&
	for v in 1 1.50 0.1 1e5 1E-5 100000000000000000 inf -Infinity NaN \
	    0.30000000000000004 -0; do
		mlp-log -r $id metric --timestamp 7 m $v || return 1
	done &&
	printf "%s\n" "7 1.0 0" "7 1.5 0" "7 0.1 0" "7 100000.0 0" \
	    "7 1e-05 0" "7 1e+17 0" "7 inf 0" "7 -inf 0" "7 nan 0" \
	    "7 0.30000000000000004 0" "7 -0.0 0" >want &&
	test_cmp want mlruns/0/$id/metrics/m
'
test_expect_success 'a changed param is refused in MLflow words' '
	id=$(mlp-log start) &&
	mlp-log -r $id param a 1 &&
	mlp-log -r $id param a 1 &&
	test_expect_code 1 mlp-log -r $id param a 2 2>err &&
	grep -q "Changing param values is not allowed" err &&
	printf 1 >want && test_cmp want mlruns/0/$id/params/a
'
test_expect_success 'bad keys and values are errors naming them' '
	id=$(mlp-log start) &&
	test_expect_code 1 mlp-log -r $id param "bad!" 1 2>err &&
	grep -q "bad!" err &&
	test_expect_code 1 mlp-log -r $id metric "../up" 1 2>err &&
	grep -q "\.\./up" err &&
	test_expect_code 2 mlp-log -r $id metric loss abc 2>err &&
	grep -q "abc" err &&
	test_expect_code 2 mlp-log -r $id metric loss 1 1.5 2>err &&
	grep -q "1.5" err &&
	test_expect_code 2 mlp-log -r $id metric --timestamp x loss 1 2>err &&
	test_expect_code 1 mlp-log -r $id param big \
		"$(head -c 6001 /dev/zero | tr "\0" x)" 2>err &&
	grep -q "6000" err &&
	test ! -e mlruns/0/$id/params/big &&
	test ! -e mlruns/0/$id/metrics/loss
'
test_expect_success 'an unknown run id is an error naming it' '
	test_expect_code 1 mlp-log -r 0123456789abcdef0123456789abcdef \
		param a 1 2>err &&
	grep -q "0123456789abcdef0123456789abcdef" err
'
test_expect_success 'artifact copies files, optionally into a folder' '
	id=$(mlp-log start) &&
	printf "model" >model.txt &&
	mlp-log -r $id artifact model.txt &&
	mlp-log -r $id artifact model.txt models/best &&
	test_cmp model.txt mlruns/0/$id/artifacts/model.txt &&
	test_cmp model.txt mlruns/0/$id/artifacts/models/best/model.txt &&
	test_expect_code 1 mlp-log -r $id artifact missing.txt 2>err &&
	grep -q "missing.txt" err
'
test_expect_success 'end records status and end time' '
	id=$(mlp-log start) &&
	mlp-log -r $id end &&
	grep -q "^status: 3$" mlruns/0/$id/meta.yaml &&
	grep -Eq "^end_time: [0-9]{13}$" mlruns/0/$id/meta.yaml &&
	id2=$(mlp-log start) &&
	mlp-log -r $id2 end --status failed &&
	grep -q "^status: 4$" mlruns/0/$id2/meta.yaml &&
	mlp-log -r $id2 end --status KILLED &&
	grep -q "^status: 5$" mlruns/0/$id2/meta.yaml &&
	test_expect_code 2 mlp-log -r $id2 end --status RUNNING
'
test_expect_success 'delete and restore are logical' '
	id=$(mlp-log start) &&
	mlp-log -r $id delete &&
	grep -q "^lifecycle_stage: deleted$" mlruns/0/$id/meta.yaml &&
	grep -Eq "^deleted_time: [0-9]{13}$" mlruns/0/$id/meta.yaml &&
	test_expect_code 1 mlp-log -r $id metric x 1 2>err &&
	grep -q "active" err &&
	mlp-log -r $id restore &&
	grep -q "^lifecycle_stage: active$" mlruns/0/$id/meta.yaml &&
	! grep -q deleted_time mlruns/0/$id/meta.yaml
'
test_expect_success 'the mlflow.runName tag and run_name stay in sync' '
	id=$(mlp-log start -n a) &&
	mlp-log -r $id tag mlflow.runName b &&
	grep -q "^run_name: b$" mlruns/0/$id/meta.yaml
'
test_expect_success 'no temporary or empty files are left in the store' '
	test -z "$(find mlruns -name ".mlp-tmp.*")" &&
	test -z "$(find mlruns -name meta.yaml -empty)" &&
	test -z "$(find mlruns/*/*/metrics -type f -empty)"
'
test_done
