#!/bin/sh
# t0000-basic: the store is found, created and refused as documented.
. "$(dirname "$0")/lib.sh"

test_expect_success 'every tool answers --help and --version' '
	for t in mlp-log; do
		$t --help >out && grep -q "^usage: $t" out &&
		$t --version >v && grep -q "^$t (mlp) [0-9]" v || return 1
	done
'
test_expect_success 'an unknown option is a usage error (2)' '
	test_expect_code 2 mlp-log --no-such-option 2>err &&
	test -s err
'
test_expect_success 'start creates the store as MLflow does' '
	id=$(mlp-log start) &&
	test -d mlruns/.trash &&
	grep -q "^name: Default$" mlruns/0/meta.yaml &&
	test -f "mlruns/0/$id/meta.yaml" &&
	test "$(ls -A mlruns | sort | tr "\n" " ")" = ".trash 0 "
'
test_expect_success '-s wins over MLFLOW_TRACKING_URI' '
	mlp-log -s other start >id &&
	test -f "other/0/$(cat id)/meta.yaml"
'
test_expect_success 'file: URIs are accepted' '
	MLFLOW_TRACKING_URI=file://$TRASH/uri mlp-log start >id &&
	test -f "uri/0/$(cat id)/meta.yaml" &&
	MLFLOW_TRACKING_URI=file:rel mlp-log start >id2 &&
	test -f "rel/0/$(cat id2)/meta.yaml"
'
test_expect_success 'a server URI is a clear error' '
	MLFLOW_TRACKING_URI=http://localhost:5000 test_expect_code 2 \
		mlp-log start 2>err &&
	grep -q "unsupported tracking URI .http://localhost:5000.*file stores" err
'
test_expect_success 'a store that is a file is an error naming it' '
	: >afile &&
	test_expect_code 1 mlp-log -s afile start 2>err &&
	grep -q "afile" err
'
test_expect_success 'logging into a missing store names it' '
	test_expect_code 1 mlp-log -s nowhere -r 0123 param a b 2>err &&
	grep -q "no store at .nowhere." err &&
	test ! -e nowhere
'
test_done
