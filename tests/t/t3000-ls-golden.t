#!/bin/sh
# t3000-ls-golden.t: mlp-ls returns MLflow 3.3's search_runs answers on the
# golden store (tests/fixtures/golden-3.3/search.tsv), run ids in order.
. "$(dirname "$0")/lib.sh"

copy_fixture golden-3.3/mlruns
chmod -R u+w mlruns
# Split search.tsv (view, filter, order_by, expected ids) into files per
# case; awk keeps empty fields, which read with IFS=tab would merge.
awk -F '\t' '/^#/ || NF == 0 { next } {
	n++
	print $1 > ("case" n ".view")
	print $2 > ("case" n ".filter")
	print $3 > ("case" n ".order")
	m = split($4, ids, ",")
	for (i = 1; i <= m; i++) print ids[i] > ("case" n ".expect")
	if (m == 0) printf "" > ("case" n ".expect")
} END { print n > "ncases" }' "$FIXTURES/golden-3.3/search.tsv"

i=1
while [ "$i" -le "$(cat ncases)" ]; do
	test_expect_success "golden $i: view=$(cat case$i.view) filter=[$(cat case$i.filter)] order=[$(cat case$i.order)]" "
		set -- --view \"\$(cat case$i.view)\" -c run_id &&
		f=\$(cat case$i.filter) && o=\$(cat case$i.order) &&
		if [ -n \"\$f\" ]; then set -- \"\$@\" -f \"\$f\"; fi &&
		if [ -n \"\$o\" ]; then set -- \"\$@\" -o \"\$o\"; fi &&
		mlp-ls \"\$@\" >case$i.out &&
		test_cmp case$i.expect case$i.out
	"
	i=$((i + 1))
done

test_expect_success 'every case of search.tsv was turned into a test' '
	want=$(grep -vc "^#" "$FIXTURES/golden-3.3/search.tsv") &&
	[ "$want" -ge 14 ] && [ "$want" -eq "$(cat ncases)" ] &&
	[ -f "case$want.expect" ] && [ -f "case$want.out" ]
'

test_expect_success 'the golden store was moved: artifact URIs do not matter' '
	mlp-ls -c artifact_uri | grep -q "^file:///home/alice/iris/mlruns/" &&
	test_expect_code 0 mlp-ls >/dev/null
'

test_expect_success 'default listing: active runs of active experiments' '
	mlp-ls >out &&
	test_line_count out 8 &&
	cut -f2 out >ids &&
	sed -n 2p "$FIXTURES/golden-3.3/search.tsv" | cut -f4 | tr , "\n" >want &&
	test_cmp want ids &&
	printf "2026-11-27T18:19:54Z\t2120f75d538848a78d14ab3213bb5b4c\tFINISHED\tDefault\tdefault-exp-run\n" >first &&
	head -n 1 out >got && test_cmp first got
'
test_done
