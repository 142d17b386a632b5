#!/bin/sh
# t8001-pipelines-ids.t: every tool that takes run ids reads them from
# any output of mlp-ls on "-": the default columns (start time first),
# --format table (a header, blanks), csv and json, and -c lists with the
# run id not first.  Real runs; mlp-push against a real pure-ftpd.
. "$(dirname "$0")/lib.sh"
. "$TEST_DIRECTORY/ftp-lib.sh"

S=$MLFLOW_TRACKING_URI
FORMATS='tsv table csv json status name'

# sel F [EXP]: the runs of experiment EXP (keep) as mlp-ls prints them in
# form F.
sel() {
	_e=${2:-keep}
	case $1 in
	tsv)	mlp-ls -e "$_e" ;;
	table)	mlp-ls -e "$_e" -F table ;;
	csv)	mlp-ls -e "$_e" -F csv -H ;;
	json)	mlp-ls -e "$_e" -F json ;;
	status)	mlp-ls -e "$_e" -c status,run_id ;;
	name)	mlp-ls -e "$_e" -c run_name,status,run_id -H ;;
	esac
}

test_expect_success 'runs in two experiments, each with an artifact' '
	for e in keep keep other; do
		r=$(mlp-log start -e $e -n "run of $e") &&
		echo "$r" >f.txt &&
		mlp-log -r "$r" artifact f.txt &&
		mlp-log -r "$r" end &&
		echo "$r" >>"ids.$e" || return 1
	done &&
	sort ids.keep >want &&
	test_line_count want 2 &&
	for f in $FORMATS; do sel $f >"sel.$f" || return 1; done &&
	! grep -q "^[0-9a-f]\{32\}" sel.tsv
'

test_expect_success 'mlp-ls - takes the ids of each format' '
	for f in $FORMATS; do
		mlp-ls -c run_id - <"sel.$f" | sort >got &&
		test_cmp want got || return 1
	done
'

test_expect_success 'no id on stdin: mlp-ls - lists nothing' '
	mlp-ls - </dev/null >got && test_line_count got 0
'

test_expect_success 'mlp-log fsck - declares dead the runs piped in' '
	for e in live live else; do
		r=$(mlp-log start -e $e) &&
		mlp-log -r "$r" tag mlp.runner.host elsewhere.invalid &&
		mlp-log -r "$r" tag mlp.runner.pid 4242 &&
		echo "$r" >>"ids.$e" || return 1
	done &&
	sort ids.live >want.live &&
	mlp-log fsck >out &&
	grep -c "^remote-run	" out >n && echo 3 >three && test_cmp three n &&
	mlp-log fsck - </dev/null >out &&
	grep -c "^remote-run	" out >n && test_cmp three n &&
	for f in $FORMATS; do
		sel $f live >sel &&
		test_expect_code 1 mlp-log fsck - <sel >out &&
		grep "^dead-run	" out | cut -f2 | sort >got &&
		test_cmp want.live got &&
		grep "^remote-run	$(cat ids.else)	" out || return 1
	done &&
	sel status live >sel &&
	test_expect_code 1 mlp-log fsck --repair - <sel >out &&
	mlp-ls -e live -c status >got &&
	printf "FAILED\nFAILED\n" >want2 && test_cmp want2 got &&
	mlp-log -r "$(cat ids.else)" end
'

test_expect_success 'mlp-log delete - and restore - take the ids' '
	for f in $FORMATS; do
		mlp-log delete - <"sel.$f" &&
		mlp-ls --view deleted -c run_id | sort >got &&
		test_cmp want got &&
		mlp-log restore - <"sel.$f" &&
		mlp-ls --view deleted -c run_id >got &&
		test_line_count got 0 || return 1
	done &&
	mlp-ls -c run_id | sort >got &&
	sort ids.* >all && test_cmp all got &&
	test_expect_code 1 mlp-log delete - nosuch <sel.csv 2>err &&
	grep "nosuch" err &&
	mlp-ls --view deleted -c run_id | sort >got && test_cmp want got &&
	mlp-log restore - <sel.json &&
	test_expect_code 2 mlp-log delete --bogus
'

test_expect_success 'mlp-log gc --run-ids - collects only the runs piped in' '
	o=$(cat ids.other) &&
	oe=$(mlp-ls -c experiment_id "$o") &&
	mlp-log delete $(cat ids.keep) "$o" &&
	mlp-log gc --run-ids - </dev/null &&
	test -d "$S/$oe/$o" &&
	mlp-log gc --run-ids - <sel.table >out &&
	for r in $(cat ids.keep); do
		find "$S" -name "$r" >left && test_line_count left 0 &&
		! mlp-ls --view all -c run_id | grep -q "$r" || return 1
	done &&
	test -d "$S/$oe/$o" &&
	mlp-log restore "$o"
'

if ! ftp_have; then
	test_skip 'mlp-push -r - against pure-ftpd' "$FTP_SKIP"
	test_done
	exit
fi
ftp_start 2>"$TRASH/ftp-start.err"
_started=$?
test_at_exit ftp_stop
DEST=$FTP_URL/srv/mlflow
MLP_FTP_PASSWORD=$FTP_PASS
export MLP_FTP_PASSWORD

test_expect_success 'start pure-ftpd; a fresh selection of runs' '
	{ test $_started -eq 0 || { cat ftp-start.err; false; }; } &&
	for e in keep keep; do
		r=$(mlp-log start -e $e -n "run of $e") &&
		echo "$r" >f.txt &&
		mlp-log -r "$r" artifact f.txt &&
		mlp-log -r "$r" end || return 1
	done &&
	mlp-ls -e keep -c run_id | sort >want &&
	test_line_count want 2 &&
	for f in $FORMATS; do sel $f >"sel.$f" || return 1; done
'

test_expect_success 'mlp-push -n -r - plans exactly the runs piped in' '
	for f in $FORMATS; do
		mlp-push -n -r - "$DEST" <"sel.$f" >plan &&
		cut -f1 plan | sort -u >got &&
		test_cmp want got || return 1
	done
'

test_expect_success 'mlp-ls | mlp-push -r - sends those runs, no other' '
	mlp-ls -e keep | mlp-push -r - "$DEST" &&
	for r in $(cat want); do
		ftp_get "/srv/mlflow/$(mlp-ls -c experiment_id "$r")/$r/artifacts/f.txt" got &&
		echo "$r" >expect && test_cmp expect got || return 1
	done &&
	o=$(cat ids.other) &&
	! ftp_ls "/srv/mlflow/$(mlp-ls -c experiment_id "$o")" 2>/dev/null |
	    grep -q "$o"
'

test_done
