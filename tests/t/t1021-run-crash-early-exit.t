#!/bin/sh
# t1021-run-crash-early-exit.t: an error before the run exists, while the
# work-tree thread is loading libgit2 (no git program in PATH), ends
# mlp-run with exit 1 every time, never with a crash in the clean-ups
# that libgit2 and OpenSSL register from that thread.
. "$(dirname "$0")/lib.sh"
. "$TEST_DIRECTORY/run-lib.sh"

mkdir proj
printf 'entry_points:\n  main:\n    command: "true"\n' >proj/MLproject
(cd proj && git init -q -b main && git add -A && git commit -q -m one)
mlp-run -q proj || exit 99	# the store and experiment 0 exist

# early_error WANT ARGS...: mlp-run ARGS without git exits 1 naming WANT.
early_error() {
	_want=$1
	shift
	_rc=0
	PATH=$MLP_BUILD_DIR/tools:/nonexistent \
	    "$MLP_BUILD_DIR/tools/mlp-run" "$@" 2>err || _rc=$?
	test $_rc -eq 1 || { echo "exit $_rc: $*" >&2; cat err >&2; return 1; }
	grep -q "$_want" err || { cat err >&2; return 1; }
}

test_expect_success "early errors exit 1, ${MLP_STRESS_TRIES:-50} times each" '
	i=0 &&
	while test $i -lt "${MLP_STRESS_TRIES:-50}"; do
		early_error 424242 --experiment-id 424242 proj &&
		early_error nope -e nope proj &&
		early_error "Could not find" -e nope.x proj || exit 1
		i=$((i + 1))
	done
'
test_done
