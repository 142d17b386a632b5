#!/bin/sh
# t1502-run-check.t: mlp-run --check audits runs without running them:
# one line per run, "ok", "drifted" or "cannot" with the reason; ids as
# operands or on standard input from mlp-ls.
. "$(dirname "$0")/lib.sh"
. "$TEST_DIRECTORY/run-lib.sh"

mkdir repo data
cat >repo/MLproject <<'YAML'
name: check
entry_points:
  main:
    parameters:
      data: {type: path, default: .}
    command: "cat {data}/x.csv >/dev/null"
YAML
printf 'mlruns/\n' >repo/.gitignore
(cd repo && git init -q -b main && git add -A && git commit -q -m v1)
echo 1 >data/x.csv
mkdir other && cp repo/MLproject other/

test_expect_success 'setup: an ok run, a drifted one, a lost one' '
	mlp-run --experiment-name audit -P data="$TRASH/data" repo 2>err &&
	run_id_of err >ok.id &&
	mkdir data2 && echo 2 >data2/x.csv &&
	mlp-run --experiment-name audit -P data="$TRASH/data2" repo 2>err &&
	run_id_of err >drift.id && echo 3 >data2/x.csv &&
	git clone -q repo repo2 &&
	mlp-run --experiment-name audit -P data="$TRASH/data" repo2 2>err &&
	run_id_of err >lost.id && rm -rf repo2
'
test_expect_success '--check with ids: one line each, exit 3 for the worst' '
	test_expect_code 3 mlp-run --check "$(cat ok.id)" "$(cat drift.id)" \
	    "$(cat lost.id)" >out &&
	test_line_count out 3 &&
	grep "^$(cat ok.id)	ok	code: same; data: same" out &&
	grep "^$(cat drift.id)	drifted	.*data: differs 1 changed" out &&
	grep "^$(cat lost.id)	cannot	code: the repository .$TRASH/repo2. is gone" out
'
test_expect_success '--check - reads the ids from mlp-ls' '
	mlp-ls -e audit | test_expect_code 3 mlp-run --check - >out &&
	test_line_count out 3
'
test_expect_success 'all ok: exit 0; a drift only: exit 1' '
	mlp-run --check "$(cat ok.id)" >out && grep "	ok	" out &&
	test_expect_code 1 mlp-run --check "$(cat ok.id)" "$(cat drift.id)" \
	    >out
'
test_expect_success '--check runs nothing' '
	find "$MLFLOW_TRACKING_URI" -name meta.yaml | sort >before &&
	test_expect_code 3 mlp-run --check "$(cat ok.id)" "$(cat lost.id)" \
	    >out &&
	find "$MLFLOW_TRACKING_URI" -name meta.yaml | sort >after &&
	test_cmp before after
'
test_expect_success '--check without ids is a usage error' '
	test_expect_code 2 mlp-run --check 2>err && grep "which runs" err
'
test_done
