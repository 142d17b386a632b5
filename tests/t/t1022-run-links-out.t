#!/bin/sh
# t1022-run-links-out.t: a checkout (a git URI, or -v) whose commit holds
# a symbolic link that leads outside it would run code that the recorded
# commit does not hold: refused before any run exists, naming the link.
# Links that stay inside, and links to nothing, are fine; a local work
# tree run without -v is run as it is.
. "$(dirname "$0")/lib.sh"
. "$TEST_DIRECTORY/run-lib.sh"

OUT=$TRASH/out.txt
export OUT

# Code outside any checkout, which a link in the repository points at.
mkdir outside &&
echo 'echo OUTSIDE >>"$OUT"' >outside/code.sh &&
echo 'echo OUTSIDE-LIB >>"$OUT"' >outside/lib.sh

# repo NAME LINK TARGET: a repository whose entry point runs "sh LINK",
# with LINK a committed symbolic link to TARGET.
repo() {
	mkdir -p "$1" &&
	printf '%s\n' "name: t" "entry_points:" "  main:" \
	    "    command: \"sh $2; echo DONE >>\\\"\$OUT\\\"\"" >"$1/MLproject" &&
	mkdir -p "$1/$(dirname "$2")" &&
	ln -s "$3" "$1/$2" &&
	(cd "$1" && git init -q -b main && git add -A &&
	    git commit -q -m one)
}

repo abs run.sh "$TRASH/outside/code.sh"
# Enough ../ to reach / from wherever the checkout is.
repo rel sub/run.sh "../../../../../../../../../../../../../..$TRASH/outside/code.sh"
mkdir -p dirlink && ln -s "$TRASH/outside" dirlink/lib &&
    repo dirlink run.sh lib/lib.sh
repo inside run.sh sub/real.sh
mkdir -p inside/sub && echo 'echo INSIDE >>"$OUT"' >inside/sub/real.sh &&
    (cd inside && git add -A && git commit -q -m two)

test_expect_success 'a link to an absolute path out of a URI checkout' '
	rm -f out.txt &&
	test_expect_code 1 mlp-run "file://$TRASH/abs" 2>err &&
	cat err &&
	grep "run.sh.*symbolic link that leads outside the checkout" err &&
	test ! -e out.txt &&
	test "$(runs_in | wc -l)" -eq 0 &&
	find "$XDG_CACHE_HOME/mlp/projects" -mindepth 2 -maxdepth 2 \
	    -name "run-*" >left &&
	test_line_count left 0
'

test_expect_success 'a relative link that climbs out, in a subfolder' '
	test_expect_code 1 mlp-run "file://$TRASH/rel" 2>err &&
	grep "sub/run.sh" err &&
	test ! -e out.txt &&
	test "$(runs_in | wc -l)" -eq 0
'

test_expect_success 'a link to a folder out of the checkout' '
	test_expect_code 1 mlp-run "file://$TRASH/dirlink" 2>err &&
	cat err &&
	grep "symbolic link that leads outside the checkout" err &&
	test ! -e out.txt
'

test_expect_success 'the same with -v on a local repository' '
	test_expect_code 1 mlp-run -v main abs 2>err &&
	grep "run.sh.*outside the checkout" err &&
	test ! -e out.txt &&
	test "$(runs_in | wc -l)" -eq 0
'

test_expect_success 'a link that stays inside runs' '
	rm -f out.txt &&
	mlp-run "file://$TRASH/inside" 2>err &&
	printf "INSIDE\nDONE\n" >expect &&
	test_cmp expect out.txt
'

test_expect_success 'a link to nothing is no code: it runs' '
	rm -f out.txt &&
	repo dangling run.sh "$TRASH/no/such/file" &&
	mlp-run "file://$TRASH/dangling" 2>err &&
	echo DONE >expect &&
	test_cmp expect out.txt
'

test_expect_success 'a local work tree without -v runs as it is' '
	rm -f out.txt &&
	mlp-run abs 2>err &&
	printf "OUTSIDE\nDONE\n" >expect &&
	test_cmp expect out.txt
'

test_done
