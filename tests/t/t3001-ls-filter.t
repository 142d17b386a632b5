#!/bin/sh
# t3001-ls-filter.t: every operator, quoting form, alias and error of
# mlp-ls -f, -o, -e and --view, on a store built by hand.
. "$(dirname "$0")/lib.sh"
. "$MLP_SRCDIR/tests/t/ls-lib.sh"

mkexp 1 alpha
mkexp 2 beta
mkexp 3 gone deleted
mkrun 1 r1 svm.rbf 1000 3 2000
mkrun 1 r2 svmXrbf 2000 4 3000
mkrun 2 r3 'f(x)' 3000 1
mkrun 2 r4 plain 4000 5 5000
mkrun 1 r5 old 500 3 600 deleted
mkrun 3 r6 trashy 600 3 700 deleted
# acc of r1: the latest point is the greatest step (0.9), not the last line.
metric r1 acc '1 0.5 0' '2 0.9 2' '3 0.7 1'
metric r2 acc '1 0.6 0'
metric r3 acc '1 nan 0'
metric r4 train/loss '1 0.25 0'
metric r5 acc '1 0.99 0'
metric r6 acc '1 0.1 0'
param r1 kernel rbf
param r1 'my param' x
param r2 kernel linear
param r3 kernel "it''s"
param r4 kernel poly
tag r1 team vision
tag r1 mlflow.user alice
tag r2 team Vision
tag r4 'my tag' 'a b'

# check 'FILTER' ID...: mlp-ls -f FILTER prints exactly these ids
check() {
	_f=$1
	shift
	want "$@" && ids -f "$_f" >got && test_cmp want got
}

test_expect_success 'no filter: active runs, start time descending' '
	want r4 r3 r2 r1 && ids >got && test_cmp want got
'
test_expect_success 'metric =: the latest value is the greatest step' '
	check "metrics.acc = 0.9" r1 && check "metrics.acc = 0.7"
'
test_expect_success 'metric != matches NaN, never a missing metric' '
	check "metrics.acc != 0.9" r3 r2
'
test_expect_success 'metric < <= > >= (NaN never compares)' '
	check "metrics.acc < 0.9" r2 &&
	check "metrics.acc <= 0.9" r2 r1 &&
	check "metrics.acc > 0.6" r1 &&
	check "metrics.acc >= 0.6" r2 r1 &&
	check "metrics.acc>=0.6" r2 r1 &&
	check "metrics.acc > -1e3" r2 r1
'
test_expect_success 'param = != LIKE' '
	check "params.kernel = '\''rbf'\''" r1 &&
	check "params.kernel != '\''rbf'\''" r4 r3 r2 &&
	check "params.kernel LIKE '\''r%'\''" r1 &&
	check "params.kernel LIKE '\''%i%'\''" r3 r2 &&
	check "params.kernel like '\''_bf'\''" r1 &&
	check "params.kernel Like '\''rb'\''"
'
test_expect_success 'tag LIKE is case-sensitive, ILIKE is not' '
	check "tags.team LIKE '\''vision'\''" r1 &&
	check "tags.team ILIKE '\''VISION'\''" r2 r1 &&
	check "tags.team ilike '\''v%'\''" r2 r1
'
test_expect_success "'it''s' is taken verbatim (no escape processing)" '
	check "params.kernel = '\''it'\'''\''s'\''" r3 &&
	check "params.kernel = \"it'\'''\''s\"" r3 &&
	test_expect_code 2 mlp-ls -f "params.kernel = '\''it'\''s'\''" 2>err &&
	grep "column 21 ('\''s'\'')" err
'
test_expect_success 'keys in backticks and double quotes' '
	check "params.\`my param\` = '\''x'\''" r1 &&
	check "params.\"my param\" = \"x\"" r1 &&
	check "tags.\`my tag\` = '\''a b'\''" r4 &&
	check "metrics.\`train/loss\` < 1" r4 &&
	check "metrics.\"train/loss\" < 1" r4 &&
	check "\`params\`.kernel = '\''poly'\''" r4
'
test_expect_success 'any file name is a key; none leaves the run folder' '
	param r2 "odd=key+(1)" v &&
	check "params.\`odd=key+(1)\` = '\''v'\''" r2 &&
	check "params.\`../meta.yaml\` LIKE '\''%'\''" &&
	check "tags.\`/etc/passwd\` LIKE '\''%'\''" &&
	check "params.\`./kernel\` LIKE '\''%'\''" &&
	mlp-ls --history ../meta.yaml >got && test_line_count got 0 &&
	rm "$(rundir r2)/params/odd=key+(1)"
'
test_expect_success 'a dotted key is split at the first dot only' '
	check "tags.mlflow.user = '\''alice'\''" r1 &&
	check "tags.\`mlflow.user\` = '\''alice'\''" r1
'
test_expect_success 'entity aliases' '
	for e in metric metrics; do check "$e.acc = 0.9" r1 || return 1; done &&
	for e in param params parameter parameters; do
		check "$e.kernel = '\''poly'\''" r4 || return 1; done &&
	for e in tag tags; do check "$e.team = '\''Vision'\''" r2 || return 1; done &&
	for e in attribute attributes attr run; do
		check "$e.status = '\''KILLED'\''" r4 || return 1; done
'
test_expect_success 'LIKE: only % and _ are wildcards; . and ( are literal' '
	check "attributes.run_name LIKE '\''svm.rbf'\''" r1 &&
	check "attributes.run_name LIKE '\''svm_rbf'\''" r2 r1 &&
	check "run_name LIKE '\''f(%'\''" r3 &&
	check "run_name = '\''f(x)'\''" r3 &&
	check "run_name LIKE '\''%.%'\''" r1
'
test_expect_success 'IN and NOT IN on run_id, any case' '
	check "run_id IN ('\''r1'\'', '\''r3'\'')" r3 r1 &&
	check "run_id in ('\''r1'\'','\''r3'\'')" r3 r1 &&
	check "attributes.run_id NOT IN ('\''r1'\'', '\''r3'\'')" r4 r2 &&
	check "run_id not in ('\''r1'\'')" r4 r3 r2
'
test_expect_success 'numeric attributes start_time, end_time and aliases' '
	check "start_time > 2000" r4 r3 &&
	check "created >= 2000" r4 r3 r2 &&
	check "attributes.Created < 2000" r1 &&
	check "end_time = 3000" r2 &&
	check "end_time != 3000" r4 r1
'
test_expect_success 'status by name' '
	check "status = '\''FAILED'\''" r2 &&
	check "attributes.status != '\''FINISHED'\''" r4 r3 r2 &&
	check "status = '\''failed'\''" &&
	check "status ILIKE '\''failed'\''" r2
'
test_expect_success '`run name` and other string attributes' '
	check "\`run name\` = '\''plain'\''" r4 &&
	check "\"Run Name\" = '\''plain'\''" r4 &&
	check "attributes.\`Run name\` LIKE '\''svm%'\''" r2 r1 &&
	check "user_id = '\''tester'\''" r4 r3 r2 r1 &&
	check "artifact_uri LIKE '\''%/r2/artifacts'\''" r2
'
test_expect_success 'AND joins clauses, in any case' '
	check "metrics.acc > 0 AND params.kernel = '\''rbf'\''" r1 &&
	check "metrics.acc > 0 and params.kernel != '\''rbf'\'' And status = '\''FAILED'\''" r2
'
test_expect_success '-f twice is AND' '
	want r2 && ids -f "metrics.acc > 0" -f "status = '\''FAILED'\''" >got &&
	test_cmp want got
'
test_expect_success 'order by metric: values, then NaN, then missing' '
	want r2 r1 r3 r4 && ids -o "metrics.acc ASC" >got && test_cmp want got &&
	want r1 r2 r3 r4 && ids -o "metrics.acc DESC" >got && test_cmp want got &&
	want r2 r1 r3 r4 && ids -o metrics.acc >got && test_cmp want got
'
test_expect_success 'order by param, attribute; several keys; ties keep the default order' '
	want r1 r4 r2 r3 && ids -o "params.kernel DESC" >got && test_cmp want got &&
	want r3 r4 r1 r2 && ids -o "run_name" >got && test_cmp want got &&
	want r2 r1 r4 r3 && ids -o "status" -o "end_time DESC" >got && test_cmp want got &&
	want r2 r1 r4 r3 && ids -o "status,end_time DESC" >got && test_cmp want got &&
	want r2 r1 r4 r3 && ids -o "tags.team ASC" >got && test_cmp want got &&
	want r1 r2 r3 r4 && ids -o "created asc" >got && test_cmp want got
'
test_expect_success '--view deleted and all (runs of deleted experiments too)' '
	want r6 r5 && ids --view deleted >got && test_cmp want got &&
	want r4 r3 r2 r1 r6 r5 && ids --view all >got && test_cmp want got &&
	want r5 && ids --view all -f "metrics.acc > 0.95 AND run_id != '\''x'\''" >got &&
	test_cmp want got &&
	want r5 r1 && ids --view all -o "metrics.acc DESC" -n 2 >got &&
	test_cmp want got
'
test_expect_success '-e by name or id, repeatable' '
	want r2 r1 && ids -e alpha >got && test_cmp want got &&
	want r4 r3 && ids -e 2 >got && test_cmp want got &&
	want r4 r3 r2 r1 && ids -e alpha --experiment beta -e 1 >got && test_cmp want got &&
	want r6 && ids -e gone --view deleted >got && test_cmp want got
'
test_expect_success 'unknown experiment is an error naming it' '
	test_expect_code 1 mlp-ls -e nosuch 2>err &&
	grep "nosuch" err
'

# bad_filter 'FILTER' 'message part': exit 2 and the message on stderr
bad_filter() {
	test_expect_code 2 mlp-ls -f "$1" >out 2>err &&
	test_line_count out 0 &&
	grep -F -- "$2" err
}
test_expect_success 'a bad filter names the column and the token' '
	bad_filter "metrics.acc > 0.5 OR params.a = '\''b'\''" \
	    "mlp-ls: bad filter at column 19 ('\''OR'\''): only AND is supported"
'
test_expect_success 'every kind of filter error is a usage error' '
	bad_filter "metrics.acc > '\''x'\''" "needs a number" &&
	bad_filter "params.kernel = rbf" "needs a quoted string" &&
	bad_filter "foo.bar = '\''x'\''" "unknown entity '\''foo'\''" &&
	bad_filter "acc > 1" "unknown attribute '\''acc'\''" &&
	bad_filter "metrics.acc LIKE '\''x'\''" "compares with =, !=, <" &&
	bad_filter "params.a > '\''x'\''" "compares with =, !=, LIKE or ILIKE" &&
	bad_filter "tags.a IN ('\''x'\'')" "only on run_id" &&
	bad_filter "run_id IN ()" "expected a quoted run id" &&
	bad_filter "params.a = '\''x" "unterminated quote" &&
	bad_filter "(metrics.a > 1)" "only conditions joined by AND" &&
	bad_filter "metrics.a > 1 AND" "end of text" &&
	bad_filter "start_time > 1.5" "needs an integer" &&
	bad_filter "run_id NOT LIKE '\''x'\''" "expected IN after NOT"
'
test_expect_success 'backticks quote keys, never values (as in MLflow)' '
	bad_filter "params.kernel = \`rbf\`" \
	    "bad filter at column 17 ('\''\`rbf\`'\''): a value is quoted with" &&
	bad_filter "attributes.status = \`FINISHED\`" "backticks quote keys" &&
	bad_filter "tags.team = \`vision\`" "backticks quote keys" &&
	bad_filter "run_name LIKE \`svm%\`" "backticks quote keys" &&
	bad_filter "run_id IN (\`r1\`)" "expected a quoted run id" &&
	check "params.kernel = '\''rbf'\''" r1
'
test_expect_success 'an order with a trailing blank is refused (as in MLflow)' '
	test_expect_code 2 mlp-ls -o "params.kernel " 2>err &&
	grep "bad order at column 14" err &&
	test_expect_code 2 mlp-ls -o "metrics.acc DESC " 2>err &&
	test_expect_code 2 mlp-ls -o "params.kernel ,run_name" 2>err &&
	want r1 r4 r2 r3 && ids -o "params.kernel  DESC,run_name" >got &&
	test_cmp want got
'
test_expect_success 'bad orders and columns are usage errors too' '
	test_expect_code 2 mlp-ls -o "metrics.acc UP" 2>err &&
	grep "bad order at column 13 ('\''UP'\'')" err &&
	test_expect_code 2 mlp-ls -o "lifecycle_stage" 2>err &&
	grep "unknown attribute" err &&
	test_expect_code 2 mlp-ls -c "run_id,nope" 2>err &&
	grep "nope" err
'
test_done
