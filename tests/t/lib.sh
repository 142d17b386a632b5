# lib.sh - sourced by every tests/t/*.t script; emits TAP on stdout.
# A cut-down git test-lib.sh: test_expect_success, test_expect_code,
# test_cmp, and a trash directory per script, kept when a test fails.
set -u
: "${MLP_BUILD_DIR:=$(cd "$(dirname "$0")/../.." && pwd)}"
: "${MLP_SRCDIR:=$(cd "$(dirname "$0")/../.." && pwd)}"
PATH=$MLP_BUILD_DIR/tools:$PATH
LC_ALL=C
TZ=UTC
export LC_ALL PATH TZ MLP_BUILD_DIR MLP_SRCDIR
unset MLFLOW_RUN_ID MLFLOW_EXPERIMENT_NAME MLFLOW_EXPERIMENT_ID \
    MLFLOW_TRACKING_USERNAME MLP_FTP_PASSWORD 2>/dev/null || :

FIXTURES=$MLP_SRCDIR/tests/fixtures
# Where the test scripts are: source other helpers from here, since the
# script runs in its trash folder and a relative $0 no longer leads there.
TEST_DIRECTORY=$(cd "$(dirname "$0")" && pwd)
TRASH=$(mktemp -d "${TMPDIR:-/tmp}/mlp-test.XXXXXX") || exit 99
cd "$TRASH" || exit 99
MLFLOW_TRACKING_URI=$TRASH/mlruns
# mlp-run's caches (tools, inputs, environment records, projects) in the
# trash folder, never the user's ~/.cache/mlp.
XDG_CACHE_HOME=$TRASH/cache
export MLFLOW_TRACKING_URI XDG_CACHE_HOME
_n=0 _failed=0 _skipped=0
_cleanups=
trap '_test_exit' EXIT

_test_exit() {
	eval "$_cleanups"
	if [ "$_failed" -eq 0 ]; then
		cd / && rm -rf "$TRASH"
	else
		echo "# kept $TRASH"
	fi
}

# test_at_exit 'shell code': run at the end of the script (servers...).
test_at_exit() {
	_cleanups="$1; $_cleanups"
}

# test_expect_success DESCRIPTION 'shell code'
test_expect_success() {
	if [ $# -eq 3 ]; then	# test_expect_success PREREQ DESC CODE
		test_have_prereq "$1" || { test_skip "$2" "missing $_missing"; return; }
		shift
	fi
	_n=$((_n + 1))
	if (eval "$2") >"$TRASH/.out" 2>&1; then
		echo "ok $_n - $1"
	else
		_failed=$((_failed + 1))
		echo "not ok $_n - $1"
		sed 's/^/#   /' "$TRASH/.out"
	fi
}

# test_skip DESCRIPTION REASON
test_skip() {
	_n=$((_n + 1))
	echo "ok $_n - $1 # SKIP $2"
}

# test_expect_code CODE COMMAND... : demand an exact exit status
test_expect_code() {
	_want=$1
	shift
	"$@"
	_got=$?
	[ "$_got" -eq "$_want" ] ||
		{ echo "expected exit $_want, got $_got: $*" >&2; return 1; }
}

# test_cmp EXPECTED ACTUAL: files must be equal; show the diff if not.
test_cmp() {
	diff -u "$1" "$2"
}

# test_line_count FILE N
test_line_count() {
	_c=$(wc -l <"$1")
	[ "$_c" -eq "$2" ] || { echo "$1: $_c lines, want $2" >&2; cat "$1" >&2; return 1; }
}

# A fresh copy of a fixture store: copy_fixture NAME [DEST]
copy_fixture() {
	rm -rf "${2:-mlruns}" && cp -R "$FIXTURES/$1" "${2:-mlruns}"
}

test_done() {
	echo "1..$_n"
	[ "$_failed" -eq 0 ]
}

_prereqs='' _missing='' _when_finished='' _s=0

# test_skip_all REASON: skip the whole script (the tests run so far stay
# counted), print the plan and exit; instead of test_skip, test_done, exit.
test_skip_all() {
	if [ "$_n" -eq 0 ]; then
		echo "1..0 # SKIP $1"
		exit 0
	fi
	test_skip 'the remaining tests' "$1"
	test_done
	exit
}

# test_set_prereq NAME: the prerequisite NAME holds from now on.
test_set_prereq() {
	_prereqs="$_prereqs $1 "
}

# test_have_prereq NAME[,NAME]...: do they all hold?  The first that does
# not is left in $_missing.
test_have_prereq() {
	_rest=$1,
	while [ -n "$_rest" ]; do
		_missing=${_rest%%,*}
		_rest=${_rest#*,}
		case " $_prereqs " in
		*" $_missing "*) ;;
		*) return 1 ;;
		esac
	done
	_missing=
}

# test_expect_failure [PREREQ] DESCRIPTION 'shell code': a known breakage.
# Its failure is reported as "not ok N - ... # TODO known breakage" and
# does not fail the script; a pass says that the breakage vanished.
test_expect_failure() {
	if [ $# -eq 3 ]; then
		test_have_prereq "$1" || { test_skip "$2" "missing $_missing"; return; }
		shift
	fi
	_n=$((_n + 1))
	if (eval "$2") >"$TRASH/.out" 2>&1; then
		echo "ok $_n - $1 # TODO known breakage vanished"
	else
		echo "not ok $_n - $1 # TODO known breakage"
		sed 's/^/#   /' "$TRASH/.out"
	fi
}

# test_when_finished 'shell code', inside a test: run the code when the
# test ends, whether it passes or fails (last registered, first run).
# The test's status is kept.
test_when_finished() {
	_when_finished="$1; $_when_finished"
	trap '_s=$?; eval "$_when_finished"; exit $_s' EXIT
}
