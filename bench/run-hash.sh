#!/bin/sh
# bench/run-hash.sh - data fingerprints: XXH3-128 of an input file as
# mlp-run computes it before its child starts (its time to the child's
# first line with --input minus without), against "cat FILE >/dev/null"
# (the floor), the file being in the page cache for both.  Then the same
# with the hash cache warm (the file is not read again).
# Usage: bench/run-hash.sh [BUILD_DIR] [MIB] [RUNS]
set -eu
here=$(cd "$(dirname "$0")" && pwd)
. "$here/lib.sh"
build=${1:-$here/..}
mib=${2:-256}
runs=${3:-9}
PATH=$build/tools:$PATH
work=$(mktemp -d "${TMPDIR:-/tmp}/mlp-bench-hash.XXXXXX")
trap 'rm -rf "$work"' EXIT
MLFLOW_TRACKING_URI=$work/mlruns XDG_CACHE_HOME=$work/cache
T1=$work/t1
export MLFLOW_TRACKING_URI XDG_CACHE_HOME T1

mkdir "$work/proj"
printf 'entry_points:\n  main:\n    command: "echo $EPOCHREALTIME >\\"$T1\\""\n' \
    >"$work/proj/MLproject"
head -c $((mib * 1024 * 1024)) /dev/urandom >"$work/data.bin"
cat "$work/data.bin" >/dev/null

# one_ms CMD: ms from the exec of CMD to the child's first line.
one_ms() {
	bash -c 'echo $EPOCHREALTIME >"$T1.0"; exec "$@"' bash "$@" \
	    >/dev/null 2>&1 || true
	awk -v a="$(cat "$T1.0")" -v b="$(cat "$T1")" \
	    'BEGIN { printf "%.3f\n", (b - a) * 1000 }'
}

median() {
	sort -n | awk '{ v[NR] = $1 } END {
		m = NR % 2 ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2
		printf "%.3f\n", m }'
}

cold() {
	_i=0
	while [ "$_i" -lt "$runs" ]; do
		rm -rf "$XDG_CACHE_HOME"
		one_ms mlp-run -q "$@" "$work/proj"
		_i=$((_i + 1))
	done | median
}

warm() {
	_i=0
	while [ "$_i" -lt "$runs" ]; do
		one_ms mlp-run -q "$@" "$work/proj"
		_i=$((_i + 1))
	done | median
}

catms=$(median_ms "$runs" cat "$work/data.bin")
base=$(cold)
hashed=$(cold --input "$work/data.bin")
cached=$(warm --input "$work/data.bin")
hash=$(awk -v a="$hashed" -v b="$base" 'BEGIN { printf "%.3f", a - b }')
echo "file: $mib MiB, runs: $runs (medians)"
echo "load: $(cut -d" " -f1-3 /proc/loadavg) on $(nproc) CPUs"
echo "cat FILE >/dev/null (floor):   $catms ms"
echo "mlp-run hashing (cold cache):  $hash ms" \
    "($(awk -v m="$mib" -v t="$hash" 'BEGIN { printf "%.0f", m / t * 1000 }') MiB/s," \
    "$(ratio "$hash" "$catms") x cat)"
echo "mlp-run with a warm cache:     $(awk -v a="$cached" -v b="$base" \
    'BEGIN { printf "%.3f", a - b }') ms more than without --input"
