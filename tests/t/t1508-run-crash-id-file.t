#!/bin/sh
# t1508-run-crash-id-file.t: mlp-run --run-id-file writes the file whole
# (temporary file + rename): killed with SIGKILL at random moments, new
# run or reused one, the file is either absent or one whole run id.
. "$(dirname "$0")/lib.sh"
. "$TEST_DIRECTORY/run-lib.sh"

mkdir proj
printf 'entry_points:\n  main:\n    command: "true"\n' >proj/MLproject
(cd proj && git init -q -b main && git add -A && git commit -q -m one)
mlp-run -q proj || exit 99	# the store and experiment 0 exist

# try N [--reuse]: start mlp-run, SIGKILL it after about N ms; the id
# file is absent or a whole id.  Counts the outcomes in absent/whole.
absent=0 whole=0
try() {
	rm -f id
	mlp-run -q ${2:+"$2"} --run-id-file id proj 2>/dev/null &
	_pid=$!
	sleep "0.00$1"
	kill -9 $_pid 2>/dev/null
	wait $_pid 2>/dev/null
	if ! test -e id; then
		absent=$((absent + 1))
		return 0
	fi
	_id=$(cat id) || return 1
	case $_id in
	*[!0-9a-f]*) echo "not an id: '$_id'" >&2; return 1 ;;
	esac
	if ! { test ${#_id} -eq 32 && test "$(wc -l <id)" -eq 1 &&
	    test -d "$(run_dir "$_id")"; }; then
		echo "bad id file: '$_id'" >&2
		return 1
	fi
	whole=$((whole + 1))
}

test_expect_success "SIGKILL: no id file or a whole one, ${MLP_STRESS_TRIES:-50} times" '
	i=0 &&
	while test $i -lt "${MLP_STRESS_TRIES:-50}"; do
		try $((i % 10)) "" && try $((i % 10)) --reuse || exit 1
		i=$((i + 1))
	done &&
	echo "$absent absent, $whole whole" >outcomes
'
echo "# $(cat outcomes 2>/dev/null)"
test_done
