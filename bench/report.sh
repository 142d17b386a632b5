#!/bin/sh
# report.sh - mlp-ls --format html on a generated store: page size, time
# to write it, and the time Chromium takes to show it (navigation start to
# the page's "mlp-ready" mark, after the table is drawn, and to the load
# event), measured over the DevTools protocol (bench/report-time.js).
#
# usage: bench/report.sh [BUILDDIR]
#   N="1000 10000"  runs   M=5 metrics   P=100 points   RUNS=5 page loads
#   BENCH_DIR=/tmp/mlp-bench-report  where stores are generated (reused)
# Needs chromium and puppeteer-core (npm ci in tests/browser).
# Goal (issue 14): 1,000 runs x 5 metrics x 100 points: < 3 MB, < 1 s.
set -eu
B=$(cd "${1:-.}" && pwd)
S=$(cd "$(dirname "$0")/.." && pwd)
W=${BENCH_DIR:-/tmp/mlp-bench-report}
. "$S/bench/lib.sh"
mkdir -p "$W"
printf '%-7s %-8s %10s %10s %12s %12s\n' runs points page-MB write-ms \
    ready-ms load-ms
for n in ${N:-1000 10000}; do
	store=$W/store-$n-${M:-5}-${P:-100}
	[ -d "$store" ] || awk -v dir="$store" -v nruns="$n" \
	    -v nmetrics="${M:-5}" -v npoints="${P:-100}" \
	    -f "$S/bench/report-store.awk"
	w=$(median_ms 3 "$B/tools/mlp-ls" -s "$store" --format html)
	"$B/tools/mlp-ls" -s "$store" --format html >"$W/page-$n.html"
	size=$(wc -c <"$W/page-$n.html")
	# shellcheck disable=SC2086 # t is two numbers
	t=$(NODE_PATH=$S/tests/browser/node_modules node \
	    "$S/bench/report-time.js" "$W/page-$n.html" "${RUNS:-5}")
	printf '%-7s %-8s %10.2f %10s %12s %12s\n' "$n" \
	    "$((n * ${M:-5} * ${P:-100}))" "$(echo "$size" |
	    awk '{ print $1 / 1048576 }')" "$w" $t
done
