#!/bin/sh
# t0002-lib: lib.sh's own functions, run in child test scripts: known
# breakages, prerequisites, cleanups, skipping a whole script.
. "$(dirname "$0")/lib.sh"

# child NAME: run the test script NAME.t (read from stdin) on lib.sh;
# its TAP output in NAME.out, its exit status in NAME.rc.
child() {
	{
		echo '. "$MLP_SRCDIR/tests/t/lib.sh"'
		cat
	} >"$1.t"
	sh "$1.t" >"$1.out" 2>&1
	echo $? >"$1.rc"
}

test_expect_success 'test_expect_failure: a TODO, not a failure' '
	child todo <<-\EOF &&
	test_expect_failure "still broken" "false"
	test_expect_failure "fixed meanwhile" "true"
	test_expect_success "fine" "true"
	test_done
	EOF
	grep -x "not ok 1 - still broken # TODO known breakage" todo.out &&
	grep -x "ok 2 - fixed meanwhile # TODO known breakage vanished" \
	    todo.out &&
	grep -x "ok 3 - fine" todo.out && grep -x "1\.\.3" todo.out &&
	echo 0 >want && test_cmp want todo.rc
'

test_expect_success 'prerequisites: missing ones skip with the reason' '
	child prereq <<-\EOF &&
	test_set_prereq HAVE_A
	test_set_prereq HAVE_B
	test_expect_success HAVE_A,HAVE_B "both" "true"
	test_expect_success HAVE_A,NO_C "one missing" "false"
	test_expect_failure NO_D "missing, known" "false"
	test_have_prereq HAVE_B && ! test_have_prereq HAVE ||
		test_expect_success "test_have_prereq" "false"
	test_done
	EOF
	grep -x "ok 1 - both" prereq.out &&
	grep -x "ok 2 - one missing # SKIP missing NO_C" prereq.out &&
	grep -x "ok 3 - missing, known # SKIP missing NO_D" prereq.out &&
	grep -x "1\.\.3" prereq.out &&
	echo 0 >want && test_cmp want prereq.rc
'

test_expect_success 'test_when_finished: runs after a pass and a failure' '
	child finished <<-EOF &&
	test_expect_success "passes" "
		test_when_finished \"echo first >>$TRASH/log\" &&
		test_when_finished \"echo second >>$TRASH/log\" &&
		true
	"
	test_expect_success "fails" "
		test_when_finished \"echo third >>$TRASH/log\" &&
		false
	"
	test_done
	EOF
	grep -x "ok 1 - passes" finished.out &&
	grep -x "not ok 2 - fails" finished.out &&
	printf "%s\n" second first third >want && test_cmp want log &&
	echo 1 >want && test_cmp want finished.rc
'

test_expect_success 'test_skip_all: a plan of 0, or the tests run so far' '
	child none <<-\EOF &&
	test_skip_all "no such tool"
	test_expect_success "never" "false"
	EOF
	echo "1..0 # SKIP no such tool" >want && test_cmp want none.out &&
	echo 0 >want && test_cmp want none.rc &&
	child some <<-\EOF &&
	test_expect_success "one" "true"
	test_skip_all "no such tool"
	test_expect_success "never" "false"
	EOF
	printf "%s\n" "ok 1 - one" \
	    "ok 2 - the remaining tests # SKIP no such tool" 1..2 >want &&
	test_cmp want some.out && echo 0 >want && test_cmp want some.rc
'

test_done
