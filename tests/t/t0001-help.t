#!/bin/sh
# t0001-help: each tool's --help, made from its option table, lists every
# option its man page documents and no other, so help, man page and table
# cannot drift apart.
. "$(dirname "$0")/lib.sh"

# man_opts PAGE: the options of a man page, one a line, sorted: the Fl
# words of the SYNOPSIS and of the .It lines of the DESCRIPTION (the
# option and command lists).  "Fl qV" is -q and -V; "Fl -store" is
# --store; a bare "Fl" (standard input) is none.
man_opts() {
	awk '
	/^\.Sh / { sec = $2; next }
	sec != "SYNOPSIS" && !(sec == "DESCRIPTION" && /^\.It /) { next }
	{
		fl = 0
		for (i = 1; i <= NF; i++) {
			w = $i
			if (w == "Fl" || w == ".Fl") { fl = 1; continue }
			if (w ~ /^\.?[A-Z][a-z][a-z]?$/) { fl = 0; continue }
			if (!fl || w !~ /^[-A-Za-z]/) continue
			if (w ~ /^-/) print "-" w
			else
				for (j = 1; j <= length(w); j++)
					print "-" substr(w, j, 1)
		}
	}' "$1" | sort -u
}

# help_opts TOOL: the options its --help describes, one a line, sorted:
# the leading "-x," and "--long" words of the option lines.
help_opts() {
	"$1" --help | awk '
	/^ +-/ {
		for (i = 1; i <= NF; i++) {
			w = $i
			sub(/,$/, "", w)
			if (w ~ /^-[A-Za-z]$/ || w ~ /^--[a-z][-a-z]*$/) print w
			else break
		}
	}' | sort -u
}

for t in mlp-run mlp-log mlp-ls mlp-push; do
	test_expect_success "$t: --help and $t(1) list the same options" "
		man_opts \"\$MLP_SRCDIR/docs/$t.1\" >man &&
		help_opts $t >help &&
		test -s man && test_cmp man help
	"
	test_expect_success "$t: --help on stdout, exit 0, lines of 79 columns" "
		$t --help >out 2>err && test ! -s err &&
		grep -q '^usage: $t ' out &&
		! awk 'length > 79 { print; bad = 1 } END { exit !bad }' out
	"
	test_expect_success "$t: a bad option prints the usage line, exit 2" "
		test_expect_code 2 $t --no-such-option >out 2>err &&
		test ! -s out && grep -q '^usage: $t ' err &&
		! grep -q '^options:' err
	"
done

test_expect_success 'mlp-log: a command usage error shows that command' '
	test_expect_code 2 mlp-log end --bogus 2>err &&
	grep -q "^usage: mlp-log \[options\] end \[--status" err &&
	test_expect_code 2 mlp-log metric --timestamp 2>err &&
	grep -q "^usage: mlp-log \[options\] metric" err
'

test_done
