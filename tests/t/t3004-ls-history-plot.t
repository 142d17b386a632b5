#!/bin/sh
# t3004-ls-history-plot.t: --history prints every point; --plot draws
# braille charts that fit the terminal width, per run or overlaid.
. "$(dirname "$0")/lib.sh"
. "$MLP_SRCDIR/tests/t/ls-lib.sh"

mkexp 1 alpha
mkrun 1 run1 first 1000 3 1100
mkrun 1 run2 second 2000 3 2100
mkrun 1 run3 third 3000 3 3100
metric run1 loss '10 1.0 0' '11 0.5 1' '12 0.25 2' '13 0.125 3' '14 nan 4' '15 0.1 5'
metric run2 loss '20 0.3 0'
metric run3 loss '30 2 0' '31 2 1' '32 2 2'

# plot_shape FILE WIDTH: every line fits; chart rows are braille.
plot_shape() {
	awk -v w="$2" '
	{ n = gsub(/[^\200-\277]/, "&"); if (n > w) { print "too wide: " NR ": " n; bad = 1 } }
	END { exit bad }' "$1"
}

# strip_braille: delete every braille character (U+2800..U+28FF)
strip_braille() {
	sed "s/$(printf '\342')[$(printf '\240-\243')][$(printf '\200-\277')]//g"
}
# dots FILE: the non-blank braille characters of chart rows 2-9
dots() {
	sed -n 2,9p "$1" | sed "s/$(printf '\342\240\200')//g; s/^.*┤//; s/^.*│//" |
	    tr -d '\n' | wc -c
}

test_expect_success '--history: run id, step, timestamp, value in file order' '
	mlp-ls --history loss run1 >got &&
	cat >want <<-EOF &&
	run1	0	10	1.0
	run1	1	11	0.5
	run1	2	12	0.25
	run1	3	13	0.125
	run1	4	14	nan
	run1	5	15	0.1
	EOF
	test_cmp want got
'
test_expect_success '--history follows the run order and filters; -H; metrics. prefix' '
	mlp-ls -H --history metrics.loss -f "metrics.loss >= 0.3" >got &&
	cat >want <<-EOF &&
	run_id	step	timestamp	value
	run3	0	30	2.0
	run3	1	31	2.0
	run3	2	32	2.0
	run2	0	20	0.3
	EOF
	test_cmp want got
'
test_expect_success '--history in json' '
	mlp-ls -F json --history loss run2 >got &&
	echo "{\"run_id\": \"run2\", \"step\": 0, \"timestamp\": 20, \"value\": 0.3}" >want &&
	test_cmp want got
'
test_expect_success 'a run without the metric has no history' '
	mlp-ls --history nosuch >got && test_line_count got 0
'
test_expect_success '--plot: one chart per run, scaled to $COLUMNS' '
	COLUMNS=70 mlp-ls --plot loss >got &&
	plot_shape got 70 &&
	test "$(grep -c " point" got)" -eq 3 &&
	grep "^first run1 loss (5 points, x: step, 1 NaN/inf left out)$" got &&
	grep "^second run2 loss (1 point, x: point number)$" got &&
	grep "^third run3 loss (3 points, x: step)$" got &&
	grep -c "⠀" got >/dev/null
'
test_expect_success '--plot chart layout: 8 rows, axis, min and max labels' '
	COLUMNS=40 mlp-ls --plot loss run1 >got &&
	test_line_count got 11 &&
	sed -n 2p got | grep "^  1 ┤" &&
	sed -n 9p got | grep "^0.1 ┤" &&
	sed -n 10p got | grep "└────" &&
	sed -n 11p got | grep "0 *5$" &&
	sed -n 2,9p got | strip_braille >rows &&
	test "$(grep -c -e "┤$" -e "│$" rows)" -eq 8 &&
	test "$(dots got)" -gt 30 &&
	plot_shape got 40
'
test_expect_success '--plot: constant series and single point draw' '
	COLUMNS=30 mlp-ls --plot loss run3 >got && plot_shape got 30 &&
	sed -n 2p got | grep "^2 ┤" && sed -n 9p got | grep "^2 ┤" &&
	COLUMNS=30 mlp-ls --plot loss run2 >got && plot_shape got 30 &&
	test "$(dots got)" -eq 3
'
test_expect_success '--plot --overlay: one chart with every run' '
	COLUMNS=60 mlp-ls --plot loss --overlay >got &&
	test_line_count got 13 && plot_shape got 60 &&
	sed -n 1p got | grep "^third run3 loss (3 points, x: step)" &&
	sed -n 2p got | grep "^second run2 loss (1 point, x: step)" &&
	sed -n 3p got | grep "^first run1 loss (5 points, x: step, 1 NaN/inf" &&
	sed -n 4p got | grep "^  2 ┤" && sed -n 11p got | grep "^0.1 ┤" &&
	sed -n 12p got | grep "└─"
'
test_expect_success 'without $COLUMNS or a terminal the width is 80' '
	env -u COLUMNS mlp-ls --plot loss run1 >got &&
	plot_shape got 80 && sed -n 10p got >axis && plot_shape axis 80 &&
	awk "{ n = gsub(/[^\200-\277]/, \"&\"); exit n != 80 }" axis
'
test_expect_success '--plot of a metric no run has prints nothing' '
	mlp-ls --plot nosuch >got && test_line_count got 0
'
test_done
