#!/bin/sh
# t3002-ls-output.t: columns, formats, -n, -U, -x, run ids from stdin or
# operands, and the usage errors of mlp-ls.
. "$(dirname "$0")/lib.sh"
. "$MLP_SRCDIR/tests/t/ls-lib.sh"

mkexp 1 alpha
mkexp 2 'beta, with comma'
mkexp 3 gone deleted
mkrun 1 aaaa1111 first 1795803594630 3 1795803594999
mkrun 2 bbbb2222 second 1795803595630 4 1795803596630
mkrun 1 cccc3333 third 1795803596630 1
metric aaaa1111 acc '1 0.5 0' '2 0.25 1'
metric bbbb2222 acc '1 nan 0'
metric cccc3333 acc '1 -inf 0'
param aaaa1111 note "$(printf 'tab\there\nnew line\\back')"
param bbbb2222 note 'say "hi", bye'
tag aaaa1111 team vision

test_expect_success 'default columns: ISO start time, id, status, experiment, name' '
	cat >want <<-EOF &&
	2026-11-27T18:19:56Z	cccc3333	RUNNING	alpha	third
	2026-11-27T18:19:55Z	bbbb2222	FAILED	beta, with comma	second
	2026-11-27T18:19:54Z	aaaa1111	FINISHED	alpha	first
	EOF
	mlp-ls >got && test_cmp want got
'
test_expect_success '-H adds a header line' '
	mlp-ls -H >got && head -n 1 got >h &&
	printf "start_time\trun_id\tstatus\texperiment_name\trun_name\n" >want &&
	test_cmp want h && test_line_count got 4
'
test_expect_success 'mlp-ls | sort and cut -f2 work' '
	mlp-ls | sort | cut -f2 >got &&
	printf "aaaa1111\nbbbb2222\ncccc3333\n" >want && test_cmp want got
'
test_expect_success '-c any attributes, metrics, params, tags; missing is empty' '
	mlp-ls -c run_id,metrics.acc,tags.team,end_time,user_id,experiment_id,lifecycle_stage,artifact_uri >got &&
	cat >want <<-EOF &&
	cccc3333	-inf		 	tester	1	active	file:///s/1/cccc3333/artifacts
	bbbb2222	nan		2026-11-27T18:19:56Z	tester	2	active	file:///s/2/bbbb2222/artifacts
	aaaa1111	0.25	vision	2026-11-27T18:19:54Z	tester	1	active	file:///s/1/aaaa1111/artifacts
	EOF
	sed "s/	 	/		/" want >want2 && test_cmp want2 got
'
test_expect_success 'tsv escapes tab, newline and backslash: one run, one line' '
	mlp-ls -c params.note -f "run_id = '\''aaaa1111'\''" >got &&
	cat >want <<-\EOF &&
	tab\there\nnew line\\back
	EOF
	test_cmp want got && test_line_count got 1
'
test_expect_success 'csv: RFC 4180 quoting, CRLF, header always' '
	mlp-ls -F csv -c run_id,params.note,experiment_name -e 2 >got &&
	printf "run_id,params.note,experiment_name\r\nbbbb2222,\"say \"\"hi\"\", bye\",\"beta, with comma\"\r\n" >want &&
	test_cmp want got
'
test_expect_success 'json: one object per run, numbers, NaN as a string, null' '
	mlp-ls -F json -c run_id,metrics.acc,tags.team,start_time,end_time >got &&
	cat >want <<-EOF &&
	{"run_id": "cccc3333", "metrics.acc": "-Infinity", "tags.team": null, "start_time": 1795803596630, "end_time": null}
	{"run_id": "bbbb2222", "metrics.acc": "NaN", "tags.team": null, "start_time": 1795803595630, "end_time": 1795803596630}
	{"run_id": "aaaa1111", "metrics.acc": 0.25, "tags.team": "vision", "start_time": 1795803594630, "end_time": 1795803594999}
	EOF
	test_cmp want got
'
test_expect_success 'json strings are escaped and parse' '
	mlp-ls -F json -c params.note -e alpha >got &&
	cat >want <<-\EOF &&
	{"params.note": "tab\there\nnew line\\back"}
	EOF
	grep -F -f want got &&
	if command -v python3 >/dev/null; then
		python3 -c "import json,sys; [json.loads(l) for l in sys.stdin]" <got
	fi
'
test_expect_success 'table aligns columns and always has a header' '
	mlp-ls -F table -c run_id,run_name,metrics.acc >got &&
	cat >want <<-EOF &&
	run_id    run_name  metrics.acc
	cccc3333  third     -inf
	bbbb2222  second    nan
	aaaa1111  first     0.25
	EOF
	test_cmp want got
'
test_expect_success '-n limits after ordering' '
	mlp-ls -c run_id -n 1 -o "run_name ASC" >got &&
	echo aaaa1111 >want && test_cmp want got &&
	mlp-ls -c run_id --max-results 2 >got && test_line_count got 2
'
test_expect_success '-n over many runs (trimmed while scanning) = head -n' '
	mkexp 7 many &&
	i=0 && while [ $i -lt 300 ]; do
		mkrun 7 "m$i" "n$((i % 7))" $((i * 37 % 1000)) 3 &&
		metric "m$i" acc "1 0.$((i * 7919 % 1000)) 0" || return 1
		i=$((i + 1))
	done &&
	mlp-ls -e many -c run_id,metrics.acc -o "metrics.acc DESC" | head -n 5 >want &&
	mlp-ls -e many -c run_id,metrics.acc -o "metrics.acc DESC" -n 5 >got &&
	test_cmp want got &&
	mlp-ls -e many -c run_id | head -n 3 >want &&
	mlp-ls -e many -c run_id -n 3 >got && test_cmp want got &&
	mlp-ls -e many -c run_id,user_id,artifact_uri -o run_name -n 2 >got &&
	grep "^m[0-9]*	tester	file:///s/7/m[0-9]*/artifacts$" got >g2 &&
	test_line_count g2 2 &&
	rm -r mlruns/7
'
test_expect_success '-U streams the same runs unsorted' '
	mlp-ls -U -c run_id | sort >got && mlp-ls -c run_id | sort >want &&
	test_cmp want got && mlp-ls -U -n 2 -c run_id >got && test_line_count got 2
'
test_expect_success '-x lists experiments; --view all adds deleted ones' '
	mlp-ls -x >got &&
	printf "1\talpha\tactive\tfile:///s/1\n2\tbeta, with comma\tactive\tfile:///s/2\n" >want &&
	test_cmp want got &&
	mlp-ls -x --view all -H >got && test_line_count got 4 &&
	grep "^3	gone	deleted	" got &&
	mlp-ls -x -F json | head -n 1 | grep "{\"experiment_id\": \"1\", \"name\": \"alpha\""
'
test_expect_success 'run ids from stdin: mlp-ls -f ... | cut -f2 | mlp-ls -c metrics.acc -' '
	mlp-ls -f "metrics.acc > 0" | cut -f2 | mlp-ls -c run_id,metrics.acc - >got &&
	printf "aaaa1111\t0.25\n" >want && test_cmp want got
'
test_expect_success 'stdin: the first field that looks like a run id; input order kept' '
	mlp-ls -o "run_name DESC" | mlp-ls -c run_id - >got &&
	printf "cccc3333\nbbbb2222\naaaa1111\n" >want && test_cmp want got &&
	printf "aaaa1111\ncccc3333\n" | mlp-ls -c run_id - >got &&
	printf "aaaa1111\ncccc3333\n" >want && test_cmp want got
'
test_expect_success 'run ids as operands; filters still apply' '
	mlp-ls -c run_id bbbb2222 aaaa1111 >got &&
	printf "bbbb2222\naaaa1111\n" >want && test_cmp want got &&
	mlp-ls -c run_id -f "status = '\''FAILED'\''" bbbb2222 aaaa1111 >got &&
	echo bbbb2222 >want && test_cmp want got
'
test_expect_success 'an unknown run id is reported, exit 1, the others listed' '
	test_expect_code 1 mlp-ls -c run_id nosuch aaaa1111 >got 2>err &&
	echo aaaa1111 >want && test_cmp want got &&
	grep "no run '\''nosuch'\''" err
'
test_expect_success 'empty stdin lists nothing' '
	mlp-ls -c run_id - </dev/null >got && test_line_count got 0
'
test_expect_success '-s and file: URIs pick the store' '
	mv mlruns other && mlp-ls -s other -c run_id >got && test_line_count got 3 &&
	MLFLOW_TRACKING_URI=file://$TRASH/other mlp-ls -c run_id >got &&
	test_line_count got 3 && mv other mlruns
'
test_expect_success 'a missing store is an error' '
	test_expect_code 1 mlp-ls -s nowhere 2>err && grep nowhere err
'
test_expect_success '-h and --help print usage to stdout, exit 0; -V prints the version' '
	mlp-ls -h >out && grep "^usage: mlp-ls" out &&
	mlp-ls --help >out && grep "^usage: mlp-ls" out &&
	mlp-ls -V >out && grep "^mlp-ls (mlp) " out
'
test_expect_success 'usage errors exit 2' '
	test_expect_code 2 mlp-ls --bogus 2>err &&
	test_expect_code 2 mlp-ls -F xml 2>err && grep "bad --format" err &&
	test_expect_code 2 mlp-ls --view some 2>err && grep "bad --view" err &&
	test_expect_code 2 mlp-ls -n 0 2>err && grep "max-results" err &&
	test_expect_code 2 mlp-ls -n x 2>err &&
	test_expect_code 2 mlp-ls -U -o run_name 2>err &&
	test_expect_code 2 mlp-ls --overlay 2>err &&
	test_expect_code 2 mlp-ls -x --history acc 2>err
'
test_done
