#!/bin/sh
# t3006-ls-threads.t: the parallel scan of run folders (MLP_THREADS) gives
# byte for byte the output, the warnings (in the same order) and the exit
# status of the single-threaded one, on the golden store and on a
# generated 2000-run store (two batches of folders) with damaged runs.
. "$(dirname "$0")/lib.sh"

GENSTORE=$MLP_BUILD_DIR/bench/genstore

# same NAME ARGS...: run mlp-ls ARGS with MLP_THREADS=1, 2, 3 and unset
# (the default); stdout, stderr and the exit status must all match the
# single-threaded run's.  NAME.out, NAME.err, NAME.rc keep that run's.
same() {
	_name=$1
	shift
	for _t in 1 2 3 default; do
		if [ "$_t" = default ]; then
			(unset MLP_THREADS; mlp-ls "$@") \
			    >"$_name.$_t.out" 2>"$_name.$_t.err"
		else
			MLP_THREADS=$_t mlp-ls "$@" \
			    >"$_name.$_t.out" 2>"$_name.$_t.err"
		fi
		echo $? >"$_name.$_t.rc"
	done
	for _t in 2 3 default; do
		test_cmp "$_name.1.out" "$_name.$_t.out" &&
		test_cmp "$_name.1.err" "$_name.$_t.err" &&
		test_cmp "$_name.1.rc" "$_name.$_t.rc" || return 1
	done
	cp "$_name.1.out" "$_name.out" && cp "$_name.1.err" "$_name.err" &&
	cp "$_name.1.rc" "$_name.rc"
}

# -U with stdout and stderr in one file: the warnings fall between the
# same lines whatever the number of threads.
same_merged() {
	_name=$1
	shift
	for _t in 1 2 3; do
		MLP_THREADS=$_t mlp-ls "$@" >"$_name.$_t.all" 2>&1
	done
	test_cmp "$_name.1.all" "$_name.2.all" &&
	test_cmp "$_name.1.all" "$_name.3.all" &&
	cp "$_name.1.all" "$_name.all"
}

# ---- the golden store ----

copy_fixture golden-3.3/mlruns golden
chmod -R u+w golden

test_expect_success 'golden: default listing' '
	same g-default -s golden &&
	test "$(cat g-default.rc)" = 0 && test_line_count g-default.out 8
'
test_expect_success 'golden: filter and order' '
	same g-filter -s golden -f "metrics.acc > 0.5" -o "metrics.acc DESC" \
	    -c run_id,metrics.acc,params.lr &&
	test_line_count g-filter.out 5
'
test_expect_success 'golden: -U' '
	same g-unsorted -s golden -U -c run_id,status,tags.mlflow.runName &&
	test_line_count g-unsorted.out 8
'
test_expect_success 'golden: -n 5' '
	same g-max -s golden -n 5 -o "start_time ASC" -c run_id &&
	test_line_count g-max.out 5
'
test_expect_success 'golden: --view all' '
	same g-all -s golden --view all -c run_id,lifecycle_stage &&
	test_line_count g-all.out 10
'

# ---- a generated store with damaged runs ----

# ids: the 2000 run folders, sorted; nth N: the Nth of them
nth() {
	sed -n "$1p" ids
}

# set_deleted RUNDIR: mark a run deleted as MLflow does
set_deleted() {
	sed "s/^lifecycle_stage: active\$/lifecycle_stage: deleted/" \
	    "$1/meta.yaml" >meta.tmp && mv meta.tmp "$1/meta.yaml"
}

test_expect_success 'generate a 2000-run store and damage some runs' '
	"$GENSTORE" gen 2000 7 >/dev/null &&
	(cd gen/1 && for d in */; do echo "${d%/}"; done) | sort >ids &&
	test_line_count ids 2000 &&
	: >"gen/1/$(nth 10)/meta.yaml" &&
	printf "not a metric line\n" >>"gen/1/$(nth 500)/metrics/m0" &&
	printf "1 x 0\n" >"gen/1/$(nth 1500)/metrics/m1" &&
	: >"gen/1/$(nth 1700)/metrics/m0" &&
	for n in 20 700 1100 1900; do
		set_deleted "gen/1/$(nth "$n")" || return 1
	done &&
	cp -R "gen/1/$(nth 30)" gen/1/0123456789abcdef0123456789abcdef &&
	mkdir gen/1/notes gen/1/fedcba9876543210fedcba9876543210
'
test_expect_success 'generated: default listing, three warnings, a notice, exit 1' '
	same default -s gen &&
	test "$(cat default.rc)" = 1 &&
	test_line_count default.out 1995 &&
	test_line_count default.err 4 &&
	grep "fedcba9876543210fedcba9876543210: run folder without meta.yaml" default.err &&
	grep "$(nth 10)/meta.yaml" default.err &&
	grep "does not match its folder" default.err &&
	grep "notes: not a run folder" default.err
'
test_expect_success 'generated: the issue query (filter, order, columns)' '
	same issue -s gen -f "metrics.m0 > 0.5 AND params.p0 = '\''a'\''" \
	    -o "metrics.m1 DESC" -c run_id,metrics.m0 &&
	test "$(wc -l <issue.out)" -gt 100
'
test_expect_success 'generated: a metric filter warns about bad metric files' '
	same mfilter -s gen -f "metrics.m0 > 0.25" \
	    -o "params.p1 DESC" -o "metrics.m2" -c run_id,params.p1,metrics.m2 &&
	test "$(cat mfilter.rc)" = 1 &&
	grep "$(nth 500)/metrics/m0: line 11: [^/]*\$" mfilter.err &&
	grep "$(nth 1700)/metrics/m0: empty metric file" mfilter.err
'
test_expect_success 'generated: -U streams the same runs in the same order' '
	same unsorted -s gen -U -c run_id,metrics.m0,params.p1 &&
	test_line_count unsorted.out 1993 &&
	test "$(cat unsorted.rc)" = 1
'
test_expect_success 'generated: -U with a metric order key, warnings merged' '
	same_merged merged -s gen -U -f "metrics.m1 >= 0" -c run_id,metrics.m1 &&
	grep "$(nth 1500)/metrics/m1: line 1" merged.all
'
test_expect_success 'generated: -U -n 5 stops emitting after 5 runs' '
	same unsorted-max -s gen -U -n 5 -c run_id &&
	test_line_count unsorted-max.out 5
'
test_expect_success 'generated: -n 5 with an order' '
	same max -s gen -n 5 -o "metrics.m2 ASC" -c run_id,metrics.m2 &&
	test_line_count max.out 5
'
test_expect_success 'generated: --view all' '
	same all -s gen --view all -c run_id,lifecycle_stage,metrics.m0 &&
	test_line_count all.out 1997 &&
	test "$(grep -c deleted all.out)" = 4
'
test_expect_success 'generated: --view deleted' '
	same deleted -s gen --view deleted -c run_id &&
	test_line_count deleted.out 4
'
test_expect_success 'generated: run ids in input order, one unknown' '
	same byid -s gen -c run_id "$(nth 1999)" "$(nth 3)" \
	    0000000000000000000000000000abcd "$(nth 1200)" "$(nth 3)" &&
	printf "%s\n" "$(nth 1999)" "$(nth 3)" "$(nth 1200)" >want &&
	test_cmp want byid.out &&
	grep "no run .0000000000000000000000000000abcd" byid.err
'
test_expect_success 'MLP_THREADS of 0 or no number is the default' '
	MLP_THREADS=1 mlp-ls -s gen -U -c run_id >one.out 2>one.err
	test $? = 1 && test_line_count one.out 1995 &&
	for v in 0 lots -2 ""; do
		MLP_THREADS=$v mlp-ls -s gen -U -c run_id >v.out 2>v.err
		test $? = 1 && test_cmp one.out v.out && test_cmp one.err v.err ||
		    return 1
	done
'

test_done
