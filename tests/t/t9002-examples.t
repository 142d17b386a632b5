#!/bin/sh
# t9002-examples: the examples of contrib/examples run end to end under
# mlp-run, and a training that fails ends its run FAILED.
. "$(dirname "$0")/lib.sh"

ex=$MLP_SRCDIR/contrib/examples
# Copies, so that the runs record no git state of the source tree.
cp -R "$ex/shell" "$ex/iris" . || exit 99

# run_dir ID: the folder of run ID.
run_dir() {
	for _d in mlruns/*/"$1"; do
		[ -d "$_d" ] && echo "$_d" && return 0
	done
	return 1
}

test_expect_success 'shell example: a run with a loss per epoch' '
	mlp-run -q shell -P lr=0.02 -P epochs=50 >out 2>err &&
	mlp-ls -c run_id,status,params.lr,params.epochs >ls &&
	test_line_count ls 1 &&
	id=$(cut -f1 ls) &&
	printf "%s\tFINISHED\t0.02\t50\n" "$id" >want && test_cmp want ls &&
	d=$(run_dir $id) &&
	test_line_count $d/metrics/loss 50 &&
	awk "{ if (\$3 != NR) exit 1 }" $d/metrics/loss &&
	for m in mse slope intercept; do
		test_line_count $d/metrics/$m 1 || return 1
	done &&
	first=$(head -n 1 $d/metrics/loss | cut -d" " -f2) &&
	mse=$(cut -d" " -f2 $d/metrics/mse) &&
	awk -v a=$mse -v b=$first "BEGIN { exit !(a < b / 10) }" &&
	slope=$(cut -d" " -f2 $d/metrics/slope) &&
	awk -v s=$slope "BEGIN { exit !(s > 2.5 && s < 3.5) }"
'
test_expect_success 'shell example: the same parameters, the same numbers' '
	mlp-run -q shell -P lr=0.02 -P epochs=50 &&
	mlp-ls -c run_id >ids && test_line_count ids 2 &&
	for id in $(cat ids); do
		cut -d" " -f2,3 $(run_dir $id)/metrics/loss >$id.loss ||
		return 1
	done &&
	test_cmp $(sed -n 1p ids).loss $(sed -n 2p ids).loss
'
test_expect_success 'shell example: defaults from the MLproject' '
	mlp-run -q -e main shell &&
	mlp-ls -n 1 -c params.lr,params.epochs >out &&
	printf "0.01\t100\n" >want && test_cmp want out
'
test_expect_success 'shell example: divergence fails the run' '
	test_expect_code 1 mlp-run -q --experiment-name bad shell \
	    -P lr=0.2 2>err &&
	grep "diverged" err &&
	mlp-ls -e bad -c status,params.lr >out &&
	printf "FAILED\t0.2\n" >want && test_cmp want out &&
	d=$(run_dir $(mlp-ls -e bad -c run_id)) &&
	test -s $d/metrics/loss && test ! -e $d/metrics/mse
'
test_expect_success 'shell example: a failing mlp-log fails the script' '
	(cd shell && MLFLOW_RUN_ID=00000000000000000000000000000000 \
	    test_expect_code 1 sh train.sh 0.01 5)
'

# The iris example needs a python3 with scikit-learn; Debian's is
# /usr/bin/python3 (python3-sklearn), which a pyenv shim may hide.
if /usr/bin/python3 -c "import sklearn" 2>/dev/null; then
	PATH=/usr/bin:$PATH
elif ! python3 -c "import sklearn" 2>/dev/null; then
	test_skip_all 'no python3 with scikit-learn (Debian: python3-sklearn)'
fi

test_expect_success 'iris example: FINISHED with its metrics and model' '
	mlp-run -q --experiment-name iris iris -P kernel=poly -P C=2 &&
	id=$(mlp-ls -e iris -c run_id) && d=$(run_dir $id) &&
	mlp-ls -e iris -c status,params.kernel,params.C,metrics.val_accuracy \
	    >out &&
	printf "FINISHED\tpoly\t2\t0.9\n" >want && test_cmp want out &&
	for s in training val; do
		for m in accuracy precision recall f1; do
			test_line_count $d/metrics/${s}_$m 1 || return 1
			v=$(cut -d" " -f2 $d/metrics/${s}_$m) &&
			awk -v v=$v "BEGIN { exit !(v > 0.5 && v <= 1) }" ||
			return 1
		done
	done &&
	test -s $d/artifacts/model/model.pkl &&
	python3 -c "import pickle, sys
m = pickle.load(open(sys.argv[1], \"rb\"))
print(m.kernel, m.C)" $d/artifacts/model/model.pkl >out &&
	echo "poly 2.0" >want && test_cmp want out
'
test_expect_success 'iris example: a bad kernel ends the run FAILED' '
	test_expect_code 1 mlp-run -q --experiment-name iris-bad iris \
	    -P kernel=nope 2>err &&
	grep -i "kernel" err &&
	mlp-ls -e iris-bad -c status,params.kernel >out &&
	printf "FAILED\tnope\n" >want && test_cmp want out &&
	d=$(run_dir $(mlp-ls -e iris-bad -c run_id)) &&
	test ! -e $d/metrics/val_accuracy && test ! -e $d/artifacts/model
'
test_expect_success 'iris example: train.py fails when mlp-log fails' '
	(cd iris && MLFLOW_RUN_ID=00000000000000000000000000000000 \
	    test_expect_code 1 python3 train.py 2>err) &&
	grep "mlp-log - failed" iris/err
'
test_expect_success 'iris example: by hand, metric lines for mlp-log -' '
	(cd iris && python3 train.py --kernel linear --param_c 0.1 >out) &&
	test -s iris/model.pkl &&
	test_line_count iris/out 8 &&
	id=$(mlp-log start -e by-hand) &&
	mlp-log -r $id - <iris/out &&
	mlp-ls -e by-hand -c metrics.val_accuracy >out &&
	echo 0.8333333333333334 >want && test_cmp want out
'
test_done
