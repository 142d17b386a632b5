#!/bin/sh
# t2011-log-bad-input: what must not get into the store is refused with
# a message naming it (invalid UTF-8, endless stream lines), and a metric
# file cut by a crash stays readable and is never appended to.
. "$(dirname "$0")/lib.sh"

test_expect_success 'invalid UTF-8 in a key is refused, naming the key' '
	id=$(mlp-log start) && run=mlruns/0/$id &&
	test_expect_code 1 mlp-log -r $id param "$(printf "k\377")" 1 2>err &&
	grep -F "invalid param key '"'"'k\\xff'"'"': not valid UTF-8" err &&
	test_expect_code 1 mlp-log -r $id tag "$(printf "t\300\257")" 1 \
	    2>err && grep -F "invalid tag key '"'"'t\\xc0\\xaf'"'"'" err &&
	test_expect_code 1 mlp-log -r $id metric "$(printf "m\342\202")" 1 \
	    2>err && grep -F "invalid metric key" err &&
	test -z "$(ls -A $run/params)" && test -z "$(ls -A $run/metrics)" &&
	test ! -e "$(printf "$run/tags/t\300\257")"
'
test_expect_success 'invalid UTF-8 in a value or a name is refused' '
	id=$(mlp-log start) && run=mlruns/0/$id &&
	test_expect_code 1 mlp-log -r $id param k "$(printf "v\355\240\200")" \
	    2>err && grep -F "value of param '"'"'k'"'"'" err &&
	grep -F "not valid UTF-8" err &&
	test_expect_code 1 mlp-log -r $id tag t "$(printf "\364\220\200\200")" \
	    2>err && grep -F "value of tag '"'"'t'"'"'" err &&
	test ! -e $run/params/k && test ! -e $run/tags/t &&
	ls mlruns/0 >before &&
	test_expect_code 1 mlp-log start -n "$(printf "ok\355\240\200x")" \
	    2>err && grep -F "invalid run name '"'"'ok\\xed\\xa0\\x80x'"'"'" err &&
	test_expect_code 1 mlp-log start -t "$(printf "a=\377")" 2>err &&
	grep -F "value of tag '"'"'a'"'"'" err &&
	test_expect_code 1 mlp-log start -e "$(printf "exp\377")" 2>err &&
	grep -F "invalid experiment name" err &&
	ls mlruns/0 >after && test_cmp before after &&
	test "$(ls mlruns)" = 0
'
test_expect_success 'stream lines with invalid UTF-8 are refused by number' '
	id=$(mlp-log start) && run=mlruns/0/$id &&
	printf "metric ok 1 0 5\nparam p \377\nmetric ok 2 1 6\n" |
	test_expect_code 1 mlp-log -r $id - 2>err &&
	grep -F "line 2: invalid value of param '"'"'p'"'"'" err &&
	printf "metric m\300\200 1\n" | test_expect_code 1 mlp-log -r $id - \
	    2>err && grep -F "line 1: invalid metric key" err &&
	printf "5 1.0 0\n" >want && test_cmp want $run/metrics/ok &&
	test ! -e $run/params/p
'
test_expect_success 'valid UTF-8 of every length is taken' '
	id=$(mlp-log start -n "$(printf "caf\303\251 \342\202\254 \360\235\204\236")") &&
	run=mlruns/0/$id &&
	mlp-log -r $id param "$(printf "\316\261")" "$(printf "\364\217\277\277")" &&
	printf "\364\217\277\277" >want &&
	test_cmp want "$(printf "$run/params/\316\261")" &&
	printf "caf\303\251 \342\202\254 \360\235\204\236" >want &&
	test_cmp want $run/tags/mlflow.runName
'
test_expect_success 'a stream line over 1 MiB is an error naming it, exit 1' '
	id=$(mlp-log start) && run=mlruns/0/$id &&
	{ echo "metric a 1 0 5"; head -c 3000000 /dev/zero | tr "\\0" x; } |
	test_expect_code 1 mlp-log -r $id - 2>err &&
	grep -F "line 2: line longer than 1 MiB" err &&
	printf "5 1.0 0\n" >want && test_cmp want $run/metrics/a &&
	{ echo "metric b 1 0 5"; head -c 1048577 /dev/zero | tr "\\0" x;
	    echo; echo "metric b 2 1 6"; } |
	test_expect_code 1 mlp-log -r $id - 2>err &&
	grep -F "line 2: line longer than 1 MiB" err &&
	printf "5 1.0 0\n" >want && test_cmp want $run/metrics/b
'
test_expect_success 'a bad line, then over 1 MiB of good ones in a file: its own error' '
	id=$(mlp-log start) && run=mlruns/0/$id &&
	awk "BEGIN { print \"metric c 1 0 5\"; print \"metric c x 1 5\";
	    for (i = 0; i < 60000; i++) print \"metric c 0.5 \" i \" 5\" }" \
	    >in &&
	test_expect_code 1 mlp-log -r $id - <in 2>err &&
	grep -F "line 2: bad value '"'"'x'"'"'" err && test_line_count err 1 &&
	printf "5 1.0 0\n" >want && test_cmp want $run/metrics/c
'
test_expect_success 'a stream line of exactly 1 MiB is taken' '
	id=$(mlp-log start) && run=mlruns/0/$id &&
	{ printf "tag t "; head -c 1048570 /dev/zero | tr "\\0" x; echo;
	    echo "metric c 1 0 5"; } | mlp-log -r $id - &&
	test "$(wc -c <$run/tags/t)" -eq 1048570 &&
	printf "5 1.0 0\n" >want && test_cmp want $run/metrics/c
'
test_expect_success 'a cut last line is no value: mlp-ls reads the run' '
	id=$(mlp-log start) && run=mlruns/0/$id &&
	printf "5 0.5 1\n6 0.25 2\n7 0.9262 92" >$run/metrics/m &&
	printf "5 0.5 1\n17000" >$run/metrics/n &&
	mlp-ls -c metrics.m,metrics.n $id >got 2>err &&
	test_line_count err 0 &&
	printf "0.25\t0.5\n" >want && test_cmp want got &&
	mlp-ls --history m $id >got 2>err && test_line_count err 0 &&
	test_line_count got 2 && ! grep -q 0.9262 got &&
	mlp-ls -c run_id -f "metrics.m = 0.25" >got && test_line_count got 1
'
test_expect_success 'no append after a cut last line: the error says fsck' '
	id=$(mlp-log start) && run=mlruns/0/$id &&
	printf "5 0.5 1\n6 0.9262 92" >$run/metrics/m &&
	cp $run/metrics/m want &&
	test_expect_code 1 mlp-log -r $id metric m 0.5 9263 2>err &&
	grep -F "$run/metrics/m" err && grep -F "mlp-log fsck --repair" err &&
	test_line_count err 1 &&
	echo "metric m 0.5 9263" | test_expect_code 1 mlp-log -r $id - 2>err &&
	grep -F "mlp-log fsck --repair" err && test_line_count err 1 &&
	test_cmp want $run/metrics/m
'
test_done
