#!/bin/sh
# t2001-log-stream: "mlp-log -" takes lines from a training loop.
. "$(dirname "$0")/lib.sh"

test_expect_success 'metric, param and tag lines are logged' '
	id=$(mlp-log start) &&
	printf "%s\n" "metric loss 0.5 0 1000" "metric loss 0.25 1 1001" \
	    "" "param kernel rbf" "tag note a long note  with spaces" \
	    "metric acc/val 1 2 1002" |
	mlp-log -r $id - &&
	run=mlruns/0/$id &&
	printf "1000 0.5 0\n1001 0.25 1\n" >want &&
	test_cmp want $run/metrics/loss &&
	printf "1002 1.0 2\n" >want && test_cmp want $run/metrics/acc/val &&
	printf rbf >want && test_cmp want $run/params/kernel &&
	printf "a long note  with spaces" >want && test_cmp want $run/tags/note
'
test_expect_success 'without a timestamp the current time is used' '
	id=$(mlp-log start) &&
	echo "metric m 3" | mlp-log -r $id - &&
	grep -Eq "^[0-9]{13} 3.0 0$" mlruns/0/$id/metrics/m
'
test_expect_success 'a bad line names its number; lines before it stay' '
	id=$(mlp-log start) &&
	printf "%s\n" "metric a 1 0 5" "metric a 2 1 6" "metrik a 3" \
	    "metric a 4 2 7" >in &&
	test_expect_code 1 mlp-log -r $id - <in 2>err &&
	grep -q "line 3" err && grep -q "metrik" err &&
	printf "5 1.0 0\n6 2.0 1\n" >want &&
	test_cmp want mlruns/0/$id/metrics/a
'
test_expect_success 'bad values, steps and timestamps are errors' '
	id=$(mlp-log start) &&
	for l in "metric a x" "metric a 1 s" "metric a 1 0 -5" \
	    "metric a 1 0 5 extra" "metric a" "param k" "metric ../a 1"; do
		echo "$l" | test_expect_code 1 mlp-log -r $id - 2>err &&
		grep -q "line 1" err || return 1
	done &&
	test ! -e mlruns/0/$id/metrics/a
'
test_expect_success 'a last line without newline and CRLF lines count' '
	id=$(mlp-log start) &&
	printf "metric a 1 0 5\r\nmetric a 2 1 6" | mlp-log -r $id - &&
	printf "5 1.0 0\n6 2.0 1\n" >want &&
	test_cmp want mlruns/0/$id/metrics/a
'
test_expect_success 'many lines arrive whole and in order' '
	id=$(mlp-log start) &&
	awk "BEGIN { for (i = 0; i < 200000; i++)
		printf \"metric m%d %d.5 %d 1700000000000\n\", i % 3, i, i }" |
	mlp-log -r $id - &&
	test "$(cat mlruns/0/$id/metrics/m0 mlruns/0/$id/metrics/m1 \
	    mlruns/0/$id/metrics/m2 | wc -l)" -eq 200000 &&
	awk -v want=0 "{ if (\$3 != want || \$2 != want \".5\") exit 1;
		want += 3 }" mlruns/0/$id/metrics/m0
'
test_expect_success 'a slow writer sees its values logged as it goes' '
	id=$(mlp-log start) &&
	mkfifo fifo &&
	{ mlp-log -r $id - <fifo & } &&
	exec 3>fifo &&
	echo "metric live 1 0 5" >&3 &&
	i=0 && while [ ! -s mlruns/0/$id/metrics/live ] && [ $i -lt 100 ]; do
		sleep 0.1; i=$((i + 1)); done &&
	grep -q "^5 1.0 0$" mlruns/0/$id/metrics/live &&
	exec 3>&- && wait
'
test_done
