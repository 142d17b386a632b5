#!/bin/sh
# t1504-ls-compare.t: mlp-ls --compare shows runs side by side: params,
# latest metrics, code, data, environment and tags; only the rows that
# differ unless --all; table, tsv and json.
. "$(dirname "$0")/lib.sh"
. "$TEST_DIRECTORY/run-lib.sh"

mkdir repo data
cat >repo/MLproject <<'YAML'
name: cmp
entry_points:
  main:
    parameters:
      data: {type: path, default: .}
      k: {type: string, default: a}
    command: "mlp-log metric m $(cat {data}/x.csv) && mlp-log metric same 1"
YAML
printf 'mlruns/\n' >repo/.gitignore
(cd repo && git init -q -b main && git add -A && git commit -q -m v1)
echo 1 >data/x.csv

test_expect_success 'setup: two runs differing in a param and a metric' '
	mlp-run --experiment-name c -P data="$TRASH/data" repo 2>err &&
	run_id_of err >a.id &&
	echo 2 >data/x.csv && echo "# dirty" >>repo/MLproject &&
	mlp-run --experiment-name c -P data="$TRASH/data" -P k=b repo 2>err &&
	run_id_of err >b.id
'
test_expect_success 'the differing rows only, as a table by default' '
	mlp-ls --compare "$(cat a.id)" "$(cat b.id)" >out &&
	head -n 1 out | grep "^key  *$(cat a.id)  *$(cat b.id)" &&
	grep "^params.k  *a  *b *$" out &&
	grep "^metrics.m  *1.0  *2.0 *$" out &&
	grep "^code.dirty  *false  *true *$" out &&
	grep "^code.diff_size  *[0-9]" out &&
	grep "^code.fingerprint " out && grep "^data.fingerprint " out &&
	grep "^data.$TRASH/data/x.csv " out &&
	! grep "^metrics.same" out && ! grep "^code.commit" out &&
	! grep "^tags.mlp.runner" out && ! grep "^env\\." out
'
test_expect_success '--all shows the rows that are the same too' '
	mlp-ls --compare --all "$(cat a.id)" "$(cat b.id)" >out &&
	grep "^metrics.same  *1.0  *1.0" out &&
	grep "^code.commit  *$(git -C repo rev-parse HEAD)" out &&
	grep "^env.env_manager  *local  *local" out &&
	grep "^run.experiment_id " out
'
test_expect_success '--format tsv and json' '
	mlp-ls --compare -F tsv "$(cat a.id)" "$(cat b.id)" >out.tsv &&
	printf "params.k\ta\tb\n" >want && grep "^params.k	" out.tsv >got &&
	test_cmp want got &&
	mlp-ls --compare -F json "$(cat a.id)" "$(cat b.id)" >out.json &&
	python3 -c "
import json, sys
a, b = open(\"a.id\").read().strip(), open(\"b.id\").read().strip()
rows = [json.loads(l) for l in open(\"out.json\") if l.strip()] \
    if not open(\"out.json\").read().lstrip().startswith(\"[\") \
    else json.load(open(\"out.json\"))
m = [r for r in rows if r[\"key\"] == \"metrics.m\"][0]
assert m[a] == \"1.0\" and m[b] == \"2.0\", m
"
'
test_expect_success 'ids from mlp-ls on standard input' '
	mlp-ls -e c | mlp-ls --compare - >out &&
	grep "^params.k " out
'
test_expect_success 'a missing value is empty, and differs' '
	d=$(find "$MLFLOW_TRACKING_URI" -maxdepth 2 -name "$(cat a.id)") &&
	printf 1 >"$d/params/only_a" &&
	mlp-ls --compare -F tsv "$(cat a.id)" "$(cat b.id)" >out &&
	grep "^params.only_a	1	$" out
'
test_expect_success 'one run, or an unknown one, is an error' '
	test_expect_code 2 mlp-ls --compare "$(cat a.id)" 2>err &&
	test_expect_code 1 mlp-ls --compare "$(cat a.id)" \
	    0123456789abcdef0123456789abcdef 2>err &&
	grep 0123456789abcdef0123456789abcdef err &&
	test_expect_code 2 mlp-ls --all 2>err
'
test_done
