#!/bin/sh
# t1004-run-inputs.t: data fingerprints (XXH3-128), the cache, and the
# MLflow dataset records.
. "$(dirname "$0")/lib.sh"
. "$TEST_DIRECTORY/run-lib.sh"

mkdir -p proj data/sub
cat >proj/MLproject <<'YAML'
entry_points:
  main:
    parameters:
      train: path
      labels: {type: path, default: ""}
    command: "true"
YAML
printf 'x,y\n1,2\n' >data/train.csv
head -c 100000 /dev/urandom >data/sub/big.bin
: >data/sub/empty
echo labels >labels.txt

# xxh DIR FILE: the XXH3-128 of a file as xxhsum -H2 prints it.
xxh() {
	xxhsum -H2 "$1" | cut -d" " -f1
}

test_expect_success 'path parameters and --input are fingerprinted' '
	mlp-run -P train=data -P labels=labels.txt --input proj/MLproject \
	    proj 2>err &&
	d=$(run_dir "$(run_id_of err)") && echo "$d" >run1 &&
	t=$d/artifacts/mlp/inputs.tsv && test -f "$t" &&
	head -n 1 "$t" >got && printf "path\tsize\tmtime\txxh128\n" >expect &&
	test_cmp expect got && test_line_count "$t" 6 &&
	cut -f1,2 "$t" | tail -n +2 >got &&
	printf "%s\t%s\n" "$TRASH/data/sub/big.bin" 100000 \
	    "$TRASH/data/sub/empty" 0 "$TRASH/data/train.csv" 8 \
	    "$TRASH/labels.txt" 7 "$TRASH/proj/MLproject" \
	    "$(wc -c <proj/MLproject)" >expect.unsorted &&
	sort expect.unsorted >expect && test_cmp expect got
'
if command -v xxhsum >/dev/null 2>&1; then
test_expect_success 'the hashes are XXH3-128 (as xxhsum -H2)' '
	t=$(cat run1)/artifacts/mlp/inputs.tsv &&
	while IFS="	" read -r p s m h; do
		test "$p" = path && continue
		test "$h" = "$(xxh "$p")" || { echo "bad hash for $p"; exit 1; }
	done <"$t"
'
else
test_skip 'the hashes are XXH3-128 (as xxhsum -H2)' 'no xxhsum'
fi
test_expect_success 'mtime is the file time with nanoseconds' '
	t=$(cat run1)/artifacts/mlp/inputs.tsv &&
	m=$(grep "/labels.txt	" "$t" | cut -f3) &&
	test "${m%.*}" = "$(stat -c %Y labels.txt)" &&
	test "$(printf %s "${m#*.}" | wc -c)" -eq 9
'
test_expect_success 'mlp.inputs.xxh128 is the same for the same data' '
	a=$(cat "$(cat run1)/tags/mlp.inputs.xxh128") &&
	test "$(printf %s "$a" | wc -c)" -eq 32 &&
	mlp-run -P train=data -P labels=labels.txt --input proj/MLproject \
	    proj 2>err &&
	tag_is "$(run_dir "$(run_id_of err)")" mlp.inputs.xxh128 "$a"
'
test_expect_success 'the same data elsewhere has the same fingerprint' '
	a=$(cat "$(cat run1)/tags/mlp.inputs.xxh128") &&
	mkdir moved && cp -R data moved/ && cp labels.txt moved/ &&
	mkdir moved/proj && cp proj/MLproject moved/proj/ &&
	(cd moved && mlp-run -P train=data -P labels=labels.txt \
	    --input proj/MLproject ../proj 2>../err) &&
	tag_is "$(run_dir "$(run_id_of err)")" mlp.inputs.xxh128 "$a"
'
test_expect_success 'changed data changes the fingerprint' '
	a=$(cat "$(cat run1)/tags/mlp.inputs.xxh128") &&
	echo 3,4 >>data/train.csv &&
	mlp-run -P train=data -P labels=labels.txt --input proj/MLproject \
	    proj 2>err && d=$(run_dir "$(run_id_of err)") &&
	b=$(cat "$d/tags/mlp.inputs.xxh128") && test "$a" != "$b" &&
	grep "/train.csv	12	" "$d/artifacts/mlp/inputs.tsv"
'
test_expect_success 'unchanged files are taken from the cache, not read' '
	c=$XDG_CACHE_HOME/mlp/inputs.cache && test -s "$c" &&
	ino=$(stat -c %i labels.txt) &&
	fake=0123456789abcdef0123456789abcdef &&
	line=$(grep " $ino 7 " "$c" | tail -n 1) &&
	echo "${line% *} $fake" >>"$c" &&
	mlp-run -P train=data -P labels=labels.txt proj 2>err &&
	d=$(run_dir "$(run_id_of err)") &&
	grep "/labels.txt	7	.*	$fake\$" "$d/artifacts/mlp/inputs.tsv"
'
test_expect_success 'a new mtime makes it read again' '
	touch -d "2001-01-01 00:00:00" labels.txt &&
	mlp-run -P train=data -P labels=labels.txt proj 2>err &&
	d=$(run_dir "$(run_id_of err)") &&
	! grep "0123456789abcdef0123456789abcdef" "$d/artifacts/mlp/inputs.tsv"
'
test_expect_success 'inputs are MLflow datasets of the experiment and run' '
	d=$(cat run1) && id=$(basename "$d") &&
	n=$(ls "$d/inputs" | wc -l) && test "$n" -eq 3 &&
	for m in "$d"/inputs/*/meta.yaml; do
		ds=$(sed -n "s/^source_id: //p" "$m") &&
		grep "^destination_id: $ds\$" "$m" &&
		grep "^destination_type: RUN\$" "$m" &&
		grep "^source_type: DATASET\$" "$m" &&
		dm=mlruns/0/datasets/$ds/meta.yaml && test -f "$dm" &&
		name=$(sed -n "s/^name: //p" "$dm") &&
		digest=$(sed -n "s/^digest: //p" "$dm") &&
		test "$(printf %s "$name$digest" | md5sum | cut -d" " -f1)" = "$ds" &&
		test "$(printf %s "$ds$id" | md5sum | cut -d" " -f1)" = \
		    "$(basename "$(dirname "$m")")" &&
		grep "^source_type: local\$" "$dm" || exit 1
	done &&
	grep -l "mlflow.data.context: train\$" "$d"/inputs/*/meta.yaml &&
	grep -l "mlflow.data.context: input\$" "$d"/inputs/*/meta.yaml &&
	grep -h "^source: " mlruns/0/datasets/*/meta.yaml |
	    grep "{\"uri\": \"$TRASH/data\"}"
'
test_expect_success 'no path parameter, no --input: nothing recorded' '
	printf "entry_points:\n  main:\n    command: \"true\"\n" >proj/MLproject &&
	mlp-run proj 2>err && d=$(run_dir "$(run_id_of err)") &&
	test ! -e "$d/artifacts/mlp/inputs.tsv" &&
	test ! -e "$d/tags/mlp.inputs.xxh128" && test ! -e "$d/inputs"
'
test_expect_success 'a missing --input is an error before any run' '
	n=$(runs_in | wc -l) &&
	test_expect_code 1 mlp-run --input nope proj 2>err && grep nope err &&
	test "$(runs_in | wc -l)" -eq "$n"
'
test_done
