#!/bin/sh
# t8000-pipelines: the tools together, as mlp(7) and the README use them:
# a shell loop logging runs, mlp-ls selecting them, run ids passed on
# through pipes, mlp-run's runs ranked by mlp-ls, and a selection pushed
# to a real FTP server.
. "$(dirname "$0")/lib.sh"

test_expect_success 'a shell loop logs a sweep; mlp-ls ranks it' '
	for lr in 0.1 0.01 0.001; do
		id=$(mlp-log start -e sweep -n "lr-$lr") &&
		mlp-log -r $id param lr $lr &&
		awk -v lr=$lr "BEGIN { for (s = 0; s < 5; s++)
			printf \"metric loss %.6g %d\n\", 1 / (1 + lr * 100 * s), s }" |
		mlp-log -r $id - &&
		mlp-log -r $id end || return 1
	done &&
	mlp-ls -e sweep -o "metrics.loss ASC" -c params.lr,metrics.loss >out &&
	printf "0.1\t0.0243902\n0.01\t0.2\n0.001\t0.714286\n" >want &&
	test_cmp want out
'
test_expect_success 'run ids flow from mlp-ls into mlp-ls and mlp-log' '
	mlp-ls -e sweep -f "metrics.loss < 0.5" -c run_id >ids &&
	test_line_count ids 2 &&
	mlp-ls -c params.lr - <ids | sort >out &&
	printf "0.01\n0.1\n" >want && test_cmp want out &&
	xargs -I{} mlp-log -r {} tag keep yes <ids &&
	mlp-ls -e sweep -f "tags.keep = '\''yes'\''" -c run_id | sort >out &&
	sort ids >want && test_cmp want out
'
test_expect_success 'a failed step ends its run FAILED, found by mlp-ls' '
	MLFLOW_RUN_ID=$(mlp-log start -e sweep -n broken) &&
	export MLFLOW_RUN_ID &&
	if sh -c "echo metric loss 1 0; exit 3" >lines; then
		s=FINISHED
	else
		s=FAILED
	fi &&
	mlp-log - <lines && mlp-log end --status $s &&
	mlp-ls -e sweep -f "attributes.status = '\''FAILED'\''" \
	    -c run_name >out &&
	echo broken >want && test_cmp want out
'
test_expect_success 'mlp-run runs a shell pipeline; mlp-ls reads its history' '
	mkdir proj &&
	cat >proj/MLproject <<-\EOF &&
	name: loop
	entry_points:
	  main:
	    parameters:
	      n: {type: int, default: 4}
	    command: "i=0; while [ $i -lt {n} ]; do echo metric m $i $i; i=$((i + 1)); done | mlp-log -"
	EOF
	mlp-run -q --experiment-name loop proj -P n=6 &&
	mlp-ls -e loop --history m >out &&
	test_line_count out 6 &&
	cut -f2,4 out | sort -n >got &&
	printf "%s\n" "0	0.0" "1	1.0" "2	2.0" "3	3.0" "4	4.0" "5	5.0" >want &&
	test_cmp want got
'

test_expect_success 'the README recipe reproduces a dirty run' '
	git init -q repo &&
	cp "$MLP_SRCDIR"/contrib/examples/shell/* repo/ &&
	mkdir data && seq 1 50 >data/points.txt &&
	(cd repo && git add . &&
	    git -c user.name=t -c user.email=t@t commit -q -m one) &&
	echo "# an edit not committed" >>repo/train.sh &&
	printf "new\n" >repo/untracked.txt &&
	(cd repo && mlp-run -q --experiment-name repro . -P lr=0.02 \
	    -i "$TRASH/data") &&
	id=$(mlp-ls -e repro -c run_id) &&
	mlp-ls -c tags.mlp.git.dirty,params.lr $id >out &&
	printf "true\t0.02\n" >want && test_cmp want out &&
	d=$(ls -d "$MLFLOW_TRACKING_URI"/*/$id) &&
	git clone -q repo repro &&
	(cd repro && git checkout -q "$(cat $d/tags/mlflow.source.git.commit)" &&
	    git apply "$d/artifacts/mlp/git.diff") &&
	diff -r -x .git repo repro &&
	(cd repro && mlp-run -q --experiment-name repro . -P lr=0.02 \
	    -i "$TRASH/data") &&
	new=$(mlp-ls -e repro -n 1 -c run_id) && test "$new" != "$id" &&
	mlp-ls -c tags.mlp.inputs.xxh128 $id $new | uniq >out &&
	test_line_count out 1 &&
	cut -f1,2,4 $d/artifacts/mlp/inputs.tsv >old.tsv &&
	cut -f1,2,4 "$MLFLOW_TRACKING_URI"/*/$new/artifacts/mlp/inputs.tsv |
	    diff old.tsv - &&
	cut -d" " -f2 "$d/metrics/mse" >a &&
	cut -d" " -f2 "$MLFLOW_TRACKING_URI"/*/$new/metrics/mse >b &&
	test_cmp a b
'
test_expect_success 'changed data shows in the fingerprints' '
	echo 51 >>data/points.txt &&
	(cd repro && mlp-run -q --experiment-name repro . -i "$TRASH/data") &&
	new=$(mlp-ls -e repro -n 1 -c run_id) &&
	test "$(mlp-ls -e repro -c tags.mlp.inputs.xxh128 | sort -u |
	    wc -l)" -eq 2 &&
	id=$(mlp-ls -e repro -o "start_time ASC" -n 1 -c run_id) &&
	d=$(ls -d "$MLFLOW_TRACKING_URI"/*/$id) &&
	cut -f1,2,4 $d/artifacts/mlp/inputs.tsv >old.tsv &&
	! cut -f1,2,4 "$MLFLOW_TRACKING_URI"/*/$new/artifacts/mlp/inputs.tsv |
	    diff old.tsv - >diff &&
	grep "points.txt" diff
'

if /usr/bin/python3 -c "import sklearn" 2>/dev/null; then
	PATH=/usr/bin:$PATH
	have_sklearn=yes
elif python3 -c "import sklearn" 2>/dev/null; then
	have_sklearn=yes
else
	have_sklearn=
fi
if [ -n "$have_sklearn" ]; then
	test_expect_success 'the README flow: three iris runs ranked by mlp-ls' '
		cp -R "$MLP_SRCDIR/contrib/examples/iris" . &&
		mlp-run -q iris --experiment-name iris -P kernel=rbf -P C=10 &&
		mlp-run -q iris --experiment-name iris -P kernel=poly -P C=2 &&
		mlp-run -q iris --experiment-name iris -P kernel=linear \
		    -P C=0.1 &&
		mlp-ls -e iris -c params.kernel,params.C,metrics.val_accuracy \
		    -o "metrics.val_accuracy DESC" >out &&
		printf "%s\t%s\t%s\n" poly 2 0.9 linear 0.1 0.8333333333333334 \
		    rbf 10 0.8 >want &&
		test_cmp want out &&
		mlp-ls -e iris -o "metrics.val_accuracy DESC" -n 1 \
		    -c run_id >best &&
		mlp-ls -c tags.mlflow.project.entryPoint,params.kernel - \
		    <best >out &&
		printf "main\tpoly\n" >want && test_cmp want out
	'
else
	test_skip 'the README flow: three iris runs ranked by mlp-ls' \
	    'no python3 with scikit-learn (Debian: python3-sklearn)'
fi

. "$TEST_DIRECTORY/ftp-lib.sh"
if ! ftp_have; then
	test_skip_all "$FTP_SKIP"
fi
test_expect_success 'mlp-ls selects, mlp-push sends' '
	for n in 1 2 3; do
		id=$(mlp-log start -e ship) &&
		echo "model $n" >m.txt &&
		mlp-log -r $id artifact m.txt model &&
		mlp-log -r $id metric acc 0.$n &&
		mlp-log -r $id end || return 1
	done &&
	ftp_start &&
	mlp-ls -e ship -f "metrics.acc >= 0.2" -c run_id >ids &&
	test_line_count ids 2 &&
	MLP_FTP_PASSWORD=$FTP_PASS mlp-push -q -r - "$FTP_URL/srv" <ids &&
	exp=$(mlp-ls -x | awk -F "\t" "\$2 == \"ship\" { print \$1 }") &&
	ftp_ls "/srv/$exp" >got &&
	sort ids >want && test_cmp want got &&
	for id in $(cat ids); do
		ftp_get "/srv/$exp/$id/artifacts/model/m.txt" m.got &&
		test_cmp mlruns/$exp/$id/artifacts/model/m.txt m.got ||
		return 1
	done
'
test_done
