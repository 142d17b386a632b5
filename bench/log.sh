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

# What a Python training loop prints: repr() of random floats (17
# significant digits about half the time, 16 most of the rest).
if command -v python3 >/dev/null 2>&1; then
	python3 -c 'import random, sys
random.seed(1)
w = sys.stdout.write
for i in range('"$lines"'):
    w("metric m%d %r %d\n" % (i % 5, random.random(), i))' >"$work/inpy.txt"
fi
# MLflow 3.3 log_batch into a file store, 1000 metrics a call, measured
# here (bench/RESULTS.md): about 30,000 metric values a second.
mlflow_rate=30000

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
if [ -f "$work/inpy.txt" ]; then
	tp=$(median_ms 5 stream "$work/inpy.txt")
	rate=$(awk -v n=$lines -v t="$tp" 'BEGIN { printf "%.0f", n / t * 1000 }')
	echo "stream, Python repr() of random floats: $lines lines in $tp ms" \
	    "= $rate lines/s (cat: $floor ms, ratio $(ratio "$tp" "$floor");" \
	    "$(ratio "$rate" "$mlflow_rate")x MLflow's log_batch at" \
	    "$mlflow_rate/s)"
fi

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
