#!/bin/sh
# t3003-ls-damaged.t: damaged runs are reported with their path and
# skipped; every readable run is still listed; the exit status is 1.
# Folders MLflow skips too (no meta.yaml, an unreadable experiment) are
# reported without changing the exit status.
. "$(dirname "$0")/lib.sh"
. "$MLP_SRCDIR/tests/t/ls-lib.sh"

mkexp 1 alpha
mkrun 1 good1 one 1000 3 1100
mkrun 1 good2 two 2000 3 2100
metric good1 acc '1 0.5 0'
metric good2 acc '1 0.7 0'

test_expect_success 'a clean store lists with exit 0 and no message' '
	mlp-ls -c run_id >got 2>err && test_line_count got 2 &&
	test_line_count err 0
'
test_expect_success 'a run folder without meta.yaml is reported, skipped, exit 0' '
	mkdir mlruns/1/0123456789abcdef0123456789abcdef &&
	mlp-ls -c run_id >got 2>err && test_line_count got 2 &&
	grep "1/0123456789abcdef0123456789abcdef: run folder without meta.yaml" err &&
	test_line_count err 1 &&
	rmdir mlruns/1/0123456789abcdef0123456789abcdef
'
test_expect_success 'temporary folders of a creation are skipped silently' '
	mkdir -p mlruns/1/.mlp-tmp.0011223344556677/0123456789abcdef0123456789abcdef &&
	mkdir mlruns/.mlp-tmp.0011223344556677 &&
	mlp-ls -c run_id >got 2>err && test_line_count got 2 &&
	test_line_count err 0 && mlp-ls -x >got 2>err &&
	test_line_count err 0 &&
	rm -r mlruns/1/.mlp-tmp.0011223344556677 mlruns/.mlp-tmp.0011223344556677
'
test_expect_success 'reserved folders and files in an experiment are not runs' '
	mkdir -p mlruns/1/tags mlruns/1/datasets mlruns/1/models mlruns/1/traces &&
	echo x >mlruns/1/README && mkdir mlruns/1/.hidden &&
	mlp-ls -c run_id >got 2>err && test_line_count got 2 &&
	test_line_count err 0
'
test_expect_success 'a stray folder is reported with its path, exit 1' '
	mkdir mlruns/1/notes &&
	test_expect_code 1 mlp-ls -c run_id >got 2>err &&
	test_line_count got 2 &&
	grep "^mlp-ls: .*mlruns/1/notes: not a run folder" err &&
	rmdir mlruns/1/notes
'
test_expect_success 'an empty meta.yaml is reported, the others listed' '
	mkrun 1 empty e 3000 3 && : >mlruns/1/empty/meta.yaml &&
	test_expect_code 1 mlp-ls -c run_id >got 2>err &&
	printf "good2\ngood1\n" >want && test_cmp want got &&
	grep "mlruns/1/empty/meta.yaml" err && test_line_count err 1
'
test_expect_success 'a malformed meta.yaml is reported too' '
	printf "run_id: [unclosed\n" >mlruns/1/empty/meta.yaml &&
	test_expect_code 1 mlp-ls -c run_id >got 2>err &&
	test_cmp want got && grep "mlruns/1/empty/meta.yaml" err &&
	printf "run_id: empty\nexperiment_id: '\''1'\''\nstatus: FINISHED\n" >mlruns/1/empty/meta.yaml &&
	test_expect_code 1 mlp-ls -c run_id >got 2>err &&
	test_cmp want got && grep "mlruns/1/empty/meta.yaml.*status" err &&
	rm -r mlruns/1/empty
'
test_expect_success 'a run_id that is not its folder name is reported' '
	mkrun 1 moved m 3000 3 && sed "s/^run_id: moved/run_id: other/" \
	    mlruns/1/moved/meta.yaml >m && mv m mlruns/1/moved/meta.yaml &&
	test_expect_code 1 mlp-ls -c run_id >got 2>err &&
	test_cmp want got && grep "does not match its folder" err &&
	rm -r mlruns/1/moved
'
test_expect_success 'a run of another experiment_id is reported and skipped' '
	mkrun 1 stray s 3000 3 &&
	sed "s/^experiment_id: .1./experiment_id: '\''9'\''/" \
	    mlruns/1/stray/meta.yaml >m && mv m mlruns/1/stray/meta.yaml &&
	test_expect_code 1 mlp-ls -c run_id >got 2>err &&
	test_cmp want got && grep "experiment_id '\''9'\''" err &&
	rm -r mlruns/1/stray
'
test_expect_success 'a bad metric line counts only when the query reads that metric' '
	mkrun 1 badm b 3000 3 && metric badm acc "1 0.1 0" "oops" &&
	mlp-ls -c run_id >got 2>err && test_line_count got 3 &&
	test_line_count err 0 &&
	test_expect_code 1 mlp-ls -c run_id -f "metrics.acc > 0" >got 2>err &&
	test_cmp want got &&
	grep "mlruns/1/badm/metrics/acc: line 2" err
'
test_expect_success 'a bad metric in an order or a column is reported as well' '
	test_expect_code 1 mlp-ls -c run_id -o metrics.acc >got 2>err &&
	printf "good1\ngood2\n" >want2 && test_cmp want2 got &&
	grep "badm/metrics/acc" err &&
	test_expect_code 1 mlp-ls -c run_id,metrics.acc >got 2>err &&
	printf "good2\t0.7\ngood1\t0.5\n" >want3 && test_cmp want3 got &&
	grep "badm/metrics/acc" err
'
test_expect_success 'an empty metric file is damaged; a metric folder is no metric' '
	: >mlruns/1/badm/metrics/acc &&
	test_expect_code 1 mlp-ls -c run_id -f "metrics.acc > 0" 2>err >got &&
	grep "empty metric file" err &&
	rm mlruns/1/badm/metrics/acc && mkdir mlruns/1/badm/metrics/acc &&
	mlp-ls -c run_id -f "metrics.acc > 0" >got 2>err && test_cmp want got &&
	test_line_count err 0 && rm -r mlruns/1/badm
'
test_expect_success 'an unreadable experiment meta.yaml is reported; others listed; exit 0' '
	mkexp 2 beta && mkrun 2 good3 three 500 3 &&
	: >mlruns/2/meta.yaml &&
	mlp-ls -c run_id >got 2>err &&
	test_cmp want got && grep "mlruns/2/meta.yaml" err &&
	test_line_count err 1
'
test_expect_success 'an experiment folder without meta.yaml is reported; exit 0' '
	mkdir mlruns/3 &&
	mlp-ls -c run_id >got 2>err &&
	test_cmp want got && grep "mlruns/3: experiment folder without meta.yaml" err &&
	mlp-ls -x >got 2>err && grep "^1	alpha" got &&
	grep "mlruns/3: experiment folder without meta.yaml" err
'
test_done
