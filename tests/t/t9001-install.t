#!/bin/sh
# t9001-install: "make install" into a DESTDIR puts the tools, the man
# pages and the completions in their places under the prefix, the
# installed tools answer --help and --version, and "make uninstall" takes
# everything away again.
. "$(dirname "$0")/lib.sh"

if [ ! -f "$MLP_BUILD_DIR/Makefile" ] || ! command -v make >/dev/null 2>&1
then
	test_skip_all 'no configured build folder or no make'
fi

# This runs inside "make check": talk to a make of our own, not to the
# parent's job server.
mk() {
	env -u MAKEFLAGS -u MFLAGS -u MAKELEVEL -u MAKEOVERRIDES \
	    make -s -C "$MLP_BUILD_DIR" DESTDIR="$TRASH/inst" "$@"
}
mkvar() {
	sed -n "s/^$1 = //p" "$MLP_BUILD_DIR/Makefile"
}
prefix=$(mkvar prefix)
version=$(mkvar PACKAGE_VERSION)
root=$TRASH/inst$prefix
tools="mlp-log mlp-ls mlp-run mlp-push"

test_expect_success 'make install into a DESTDIR' '
	test -n "$prefix" && test -n "$version" &&
	mk install >out 2>&1 &&
	for t in $tools; do
		test -x "$root/bin/$t" || return 1
	done
'
test_expect_success 'the installed tools answer --help and -V' '
	for t in $tools; do
		"$root/bin/$t" --help >out 2>err &&
		grep -q "^usage: $t " out && test ! -s err &&
		"$root/bin/$t" -h >out2 && test_cmp out out2 &&
		"$root/bin/$t" -V >out &&
		echo "$t (mlp) $version" >want && test_cmp want out ||
		return 1
	done
'
test_expect_success 'every tool answers --version' '
	# mlp-run --version REF is the git version to run, as in MLflow;
	# alone it is the tool version, as for the others.
	for t in mlp-log mlp-ls mlp-push mlp-run; do
		"$root/bin/$t" --version >out &&
		echo "$t (mlp) $version" >want && test_cmp want out ||
		return 1
	done
'
test_expect_success 'man pages are installed by section' '
	for m in "$MLP_SRCDIR"/docs/*.[1-8]; do
		b=${m##*/} &&
		test_cmp "$m" "$root/share/man/man${b##*.}/$b" || return 1
	done &&
	test -f "$root/share/man/man7/mlp.7" &&
	test -f "$root/share/man/man5/mlp-store.5"
'
for t in $tools; do
	if [ -f "$MLP_SRCDIR/docs/$t.1" ]; then
		test_expect_success "$t has an installed man page" "
			test -s '$root/share/man/man1/$t.1'
		"
	else
		test_skip "$t has an installed man page" "docs/$t.1 not written yet"
	fi
done
test_expect_success 'completions are installed, one bash name per tool' '
	c=$root/share/bash-completion/completions &&
	test_cmp "$MLP_SRCDIR/contrib/completion/mlp.bash" "$c/mlp.bash" &&
	for t in $tools; do
		test -L "$c/$t" && test_cmp "$c/mlp.bash" "$c/$t" || return 1
	done &&
	test_cmp "$MLP_SRCDIR/contrib/completion/_mlp" \
	    "$root/share/zsh/site-functions/_mlp"
'
test_expect_success 'the installed bash completion completes' '
	PATH=$root/bin:/usr/bin:/bin bash -c ". \"\$1\" &&
		COMP_WORDS=(mlp-ls --form) COMP_CWORD=1 && _mlp &&
		printf \"%s\\n\" \"\${COMPREPLY[@]}\"" sh \
	    "$root/share/bash-completion/completions/mlp-ls" >out &&
	echo --format >want && test_cmp want out
'
test_expect_success 'make uninstall leaves no file behind' '
	mk uninstall >out 2>&1 &&
	find "$TRASH/inst" ! -type d >left &&
	test_line_count left 0
'
test_done
