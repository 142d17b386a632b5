#!/bin/sh
# bench/log.sh - mlp-log speed: the stream mode in lines per second (floor:
# cat of the same input) and the cost of one "mlp-log metric" call (floor:
# starting /bin/true).  Usage: bench/log.sh [BUILD_DIR]
set -eu
here=$(cd "$(dirname "$0")" && pwd)
. "$here/lib.sh"
build=${1:-$here/..}
PATH=$build/tools:$PATH
work=$(mktemp -d "${TMPDIR:-/tmp}/mlp-bench-log.XXXXXX")
trap 'rm -rf "$work"' EXIT
MLFLOW_TRACKING_URI=$work/mlruns
export MLFLOW_TRACKING_URI
lines=2000000

awk -v n=$lines 'BEGIN { for (i = 0; i < n; i++)
	printf "metric loss%d 0.%d %d\n", i % 5, i, i }' >"$work/in.txt"
awk -v n=$lines 'BEGIN { srand(1); for (i = 0; i < n; i++)
	printf "metric m%d %.17g %d\n", i % 5, rand() * 1000, i }' \
    >"$work/in17.txt"

stream() {
	id=$(mlp-log start)
	mlp-log -r "$id" - <"$1"
}
floor=$(median_ms 5 cat "$work/in.txt")
t=$(median_ms 5 stream "$work/in.txt")
t17=$(median_ms 5 stream "$work/in17.txt")
echo "stream, short values: $lines lines in $t ms" \
    "= $(awk -v n=$lines -v t="$t" 'BEGIN { printf "%.0f", n / t * 1000 }')" \
    "lines/s (cat: $floor ms, ratio $(ratio "$t" "$floor"))"
echo "stream, 17-digit values: $lines lines in $t17 ms" \
    "= $(awk -v n=$lines -v t="$t17" 'BEGIN { printf "%.0f", n / t * 1000 }')" \
    "lines/s"

id=$(mlp-log start)
MLFLOW_RUN_ID=$id
export MLFLOW_RUN_ID
calls() {
	i=0
	while [ $i -lt 200 ]; do
		"$@"
		i=$((i + 1))
	done
}
tt=$(median_ms 5 calls /bin/true)
tl=$(median_ms 5 calls mlp-log metric m 0.5)
echo "one 'mlp-log metric' call: $(awk -v a="$tl" 'BEGIN { printf "%.3f", a / 200 }') ms" \
    "(starting /bin/true: $(awk -v a="$tt" 'BEGIN { printf "%.3f", a / 200 }') ms," \
    "ratio $(ratio "$tl" "$tt"))"
