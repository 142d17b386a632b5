#!/bin/sh
# t3007-ls-datasets.t: dataset filters (datasets.name, .digest, .context
# with = != LIKE ILIKE IN NOT IN, MLflow's any-input semantics), the
# datasets columns, the refusals, and lazy reading of inputs/.
. "$(dirname "$0")/lib.sh"
. "$MLP_SRCDIR/tests/t/ls-lib.sh"

md5() {
	printf '%s' "$1" | md5sum | cut -d" " -f1
}

# dataset EXP NAME DIGEST: the experiment's datasets/<id>/meta.yaml
dataset() {
	_d=mlruns/$1/datasets/$(md5 "$2$3")
	mkdir -p "$_d"
	cat >"$_d/meta.yaml" <<-EOM
	digest: $3
	name: $2
	profile: '{"num_rows": 150}'
	schema: null
	source: '{"uri": "/data/$2.csv"}'
	source_type: local
	EOM
}

# input RUN SOURCE_ID TYPE [CONTEXT]: the run's inputs/<id>/meta.yaml
input() {
	_d=$(rundir "$1")/inputs/$(md5 "$2$1")
	mkdir -p "$_d"
	if [ $# -ge 4 ]; then
		_t="tags:
  mlflow.data.context: $4"
	else
		_t="tags: {}"
	fi
	cat >"$_d/meta.yaml" <<-EOM
	destination_id: $2
	destination_type: RUN
	source_id: $2
	source_type: $3
	$_t
	EOM
}

# dsinput RUN EXP NAME DIGEST [CONTEXT]: a dataset and its input
dsinput() {
	_dr=$1 _de=$2 _dn=$3 _dg=$4
	shift 4
	dataset "$_de" "$_dn" "$_dg"
	input "$_dr" "$(md5 "$_dn$_dg")" DATASET "$@"
}

mkexp 1 alpha
mkexp 2 beta
mkrun 1 r1 one 1000 3 2000
mkrun 1 r2 two 2000 3 3000
mkrun 1 r3 three 3000 3 4000
mkrun 2 r4 four 4000 3 5000
mkrun 2 r5 five 5000 3 6000
dsinput r1 1 iris abc123 training
dsinput r1 1 iris def456 eval
dsinput r2 1 wine abc123 training
# r3 has no inputs.  r4's input has no context tag.
dsinput r4 2 Iris f00
# r5: a model input and an input whose dataset is not in datasets/.
input r5 m-0123456789abcdef0123456789abcdef MODEL
input r5 "$(md5 ghost00)" DATASET training

check() {
	_f=$1
	shift
	want "$@" && ids -f "$_f" >got && test_cmp want got
}

test_expect_success 'datasets.name = and != (any input)' '
	check "datasets.name = '\''iris'\''" r1 &&
	check "datasets.name != '\''iris'\''" r4 r2 &&
	check "datasets.name = '\''Iris'\''" r4 &&
	check "datasets.name = '\''ghost'\''"
'
test_expect_success 'datasets.digest = and !=' '
	check "datasets.digest = '\''abc123'\''" r2 r1 &&
	check "datasets.digest != '\''abc123'\''" r4 r1 &&
	check "datasets.digest = \"f00\"" r4
'
test_expect_success 'datasets.context: only inputs with the tag count' '
	check "datasets.context = '\''training'\''" r2 r1 &&
	check "datasets.context != '\''training'\''" r1 &&
	check "datasets.context LIKE '\''%'\''" r2 r1
'
test_expect_success 'LIKE is case-sensitive, ILIKE is not' '
	check "datasets.name LIKE '\''i%'\''" r1 &&
	check "datasets.name ILIKE '\''i%'\''" r4 r1 &&
	check "datasets.name like '\''_ine'\''" r2 &&
	check "datasets.context ILIKE '\''TRAIN%'\''" r2 r1 &&
	check "datasets.digest LIKE '\''%4%'\''" r1
'
test_expect_success 'IN and NOT IN' '
	check "datasets.name IN ('\''iris'\'', '\''wine'\'')" r2 r1 &&
	check "datasets.name NOT IN ('\''iris'\'')" r4 r2 &&
	check "datasets.digest in ('\''def456'\'')" r1 &&
	check "datasets.context NOT IN ('\''training'\'')" r1
'
test_expect_success 'list items that are not lower case are dropped, as MLflow does' '
	check "datasets.name IN ('\''Iris'\'')" &&
	check "datasets.name NOT IN ('\''Iris'\'')" r4 r2 r1 &&
	check "datasets.digest IN ('\''123'\'', '\''f00'\'')" r4
'
test_expect_success 'the dataset. spelling and a quoted entity or key' '
	check "dataset.name = '\''wine'\''" r2 &&
	check "\`datasets\`.name = '\''wine'\''" r2 &&
	check "datasets.\`digest\` = '\''f00'\''" r4 &&
	check "datasets.\"context\" = '\''eval'\''" r1
'
test_expect_success 'clauses are independent: each needs one matching input' '
	check "datasets.name = '\''iris'\'' AND datasets.context = '\''eval'\''" r1 &&
	check "datasets.digest = '\''abc123'\'' AND datasets.context = '\''eval'\''" r1 &&
	check "datasets.name = '\''wine'\'' AND start_time > 1500" r2 &&
	check "datasets.name = '\''wine'\'' AND start_time > 2500"
'
test_expect_success 'mlp-ls -e limits the experiments searched' '
	want r2 r1 && ids -e alpha -f "datasets.digest != '\''f00'\''" >got &&
	test_cmp want got &&
	want r4 && ids -e beta -f "datasets.digest != '\''abc123'\''" >got &&
	test_cmp want got
'
test_expect_success 'refused: unknown key, bad comparator, number, backticks, order' '
	test_expect_code 2 mlp-ls -f "datasets.source = '\''x'\''" 2>err &&
	grep "unknown dataset key '\''source'\''" err &&
	test_expect_code 2 mlp-ls -f "datasets.name > '\''a'\''" 2>err &&
	grep "compares with =, !=, LIKE or ILIKE, IN or NOT IN" err &&
	test_expect_code 2 mlp-ls -f "datasets.name = 1" 2>err &&
	grep "needs a quoted string" err &&
	test_expect_code 2 mlp-ls -f "datasets.name = \`iris\`" 2>err &&
	grep "backticks quote keys" err &&
	test_expect_code 2 mlp-ls -f "datasets.name IN (\`iris\`)" 2>err &&
	test_expect_code 2 mlp-ls -f "Datasets.name = '\''iris'\''" 2>err &&
	grep "unknown entity '\''Datasets'\''" err &&
	test_expect_code 2 mlp-ls -f "datasets = '\''iris'\''" 2>err &&
	grep "unknown attribute" err &&
	test_expect_code 2 mlp-ls -o datasets.name 2>err &&
	grep "cannot be ordered by a dataset key" err &&
	test_expect_code 2 mlp-ls -c datasets.size 2>err
'
test_expect_success 'columns: -c datasets and datasets.KEY' '
	printf "r5\t\nr4\tIris@f00\nr3\t\nr2\twine@abc123:training\nr1\tiris@abc123:training,iris@def456:eval\n" >want &&
	mlp-ls -c run_id,datasets >got && test_cmp want got &&
	printf "r4\tIris\t\nr2\twine\ttraining\nr1\tiris,iris\ttraining,eval\n" >want &&
	mlp-ls -c run_id,datasets.name,datasets.context \
	    -f "datasets.name LIKE '\''%'\''" >got && test_cmp want got &&
	mlp-ls -F json -c run_id,datasets.digest -f "run_id = '\''r1'\''" >got &&
	grep "\"datasets.digest\": *\"abc123,def456\"" got &&
	mlp-ls -F json -c run_id,datasets -f "run_id = '\''r3'\''" >got &&
	grep "\"datasets\": *null" got
'
test_expect_success 'inputs are read only when a filter or column needs them' '
	mkrun 1 r6 six 6000 3 7000 &&
	mkdir -p "$(rundir r6)/inputs/bad" &&
	printf "source_type: [unclosed\n" >"$(rundir r6)/inputs/bad/meta.yaml" &&
	want r6 r5 r4 r3 r2 r1 && ids -o start_time\ DESC >got 2>err &&
	test_cmp want got && test_line_count err 0 &&
	test_expect_code 1 mlp-ls -c run_id -f "datasets.name = '\''iris'\''" \
	    >got 2>err &&
	grep "r6/inputs/bad/meta.yaml" err && want r1 && test_cmp want got &&
	rm -r "$(rundir r6)"
'
test_expect_success 'a damaged dataset meta.yaml is reported, the run skipped' '
	d=mlruns/2/datasets/$(md5 Irisf00) && cp "$d/meta.yaml" saved &&
	printf "name: [\n" >"$d/meta.yaml" &&
	test_expect_code 1 mlp-ls -c run_id -f "datasets.name ILIKE '\''iris'\''" \
	    >got 2>err &&
	grep "$d/meta.yaml" err && want r1 && test_cmp want got &&
	cp saved "$d/meta.yaml"
'
test_done
