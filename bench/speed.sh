#!/bin/sh
# shellcheck disable=SC2046
# (set -- $(...) splits a minimum and a CPU time into $1 and $2.)
# bench/speed.sh - the two speed goals of issue 15, whole processes timed
# by hyperfine (the minimum of RUNS runs, 30 by default: on a shared
# machine the minimum is the run that waited least for a CPU), with the
# mean user + system CPU time beside it.
#  1. mlp-log - on 2,000,000 lines of Python's repr() of random floats
#     (goal: >= 3 M lines/s, >= 100x MLflow's log_batch at ~30,000/s);
#     floor: cat of the same input.
#  2. mlp-run -q of a no-op entry point, warm environment cache (goal:
#     < 10 ms), in a plain folder and in a clean git tree without a
#     remote; floor: bash -c true (mlp-run starts its command with bash).
# With BASE_BUILD=DIR, DIR's tools are timed too, before ours; PARTS
# ("log run" by default) picks the goals.
# Usage: bench/speed.sh [BUILD_DIR]
set -eu
here=$(cd "$(dirname "$0")" && pwd)
build=$(cd "${1:-$here/..}" && pwd)
runs=${RUNS:-30}
lines=${LINES_N:-2000000}
if ! command -v hyperfine >/dev/null 2>&1; then
	echo "bench/speed.sh: skipped, needs hyperfine (apt-get install" \
	    "hyperfine)" >&2
	exit 0
fi
if ! command -v python3 >/dev/null 2>&1; then
	echo "bench/speed.sh: skipped, needs python3 for the input" >&2
	exit 0
fi
work=$(mktemp -d "${TMPDIR:-/tmp}/mlp-bench-speed.XXXXXX")
trap 'rm -rf "$work"' EXIT
builds="$build"
[ -n "${BASE_BUILD:-}" ] && builds="$(cd "$BASE_BUILD" && pwd) $build"
mlflow_rate=30000

# hf NAME 'COMMAND LINE': hyperfine; prints "min_ms cpu_ms" (cpu: mean
# user + system) of the command (hyperfine splits the line into words).
hf() {
	hyperfine -N -w 2 --runs "$runs" --export-csv "$work/$1.csv" "$2" \
	    >/dev/null 2>&1
	awk -F, 'NR == 2 { printf "%.2f %.2f\n", $7 * 1000, ($5 + $6) * 1000 }' \
	    "$work/$1.csv"
}

log_part() {
	python3 -c 'import random, sys
random.seed(1)
w = sys.stdout.write
for i in range('"$lines"'):
    w("metric m%d %r %d\n" % (i % 5, random.random(), i))' >"$work/inpy.txt"
	set -- $(hf cat "cat $work/inpy.txt")
	echo "cat of $lines lines: min $1 ms"
	catms=$1
	MLFLOW_TRACKING_URI=$work/logstore
	export MLFLOW_TRACKING_URI
	for b in $builds; do
		id=$("$b/tools/mlp-log" start)
		printf '#!/bin/sh\nexec "%s" -r %s - <"%s"\n' "$b/tools/mlp-log" \
		    "$id" "$work/inpy.txt" >"$work/log.sh"
		chmod +x "$work/log.sh"
		hyperfine -N -w 1 --runs "$runs" --export-csv "$work/log.csv" \
		    --prepare "rm -rf $work/logstore/0/$id/metrics" "$work/log.sh" \
		    >/dev/null 2>&1
		set -- $(awk -F, 'NR == 2 { printf "%.2f %.2f\n", $7 * 1000,
		    ($5 + $6) * 1000 }' "$work/log.csv")
		echo "$b: mlp-log - of Python repr() floats: min $1 ms =" \
		    "$(awk -v n="$lines" -v t="$1" 'BEGIN { printf "%.2f", n / t / 1000 }')" \
		    "M lines/s ($(awk -v n="$lines" -v t="$1" -v m=$mlflow_rate \
		    'BEGIN { printf "%.0f", n / t * 1000 / m }')x MLflow's log_batch," \
		    "$(awk -v a="$1" -v b="$catms" 'BEGIN { printf "%.1f", a / b }')x cat);" \
		    "CPU $2 ms = $(awk -v n="$lines" -v t="$2" 'BEGIN { printf "%.2f", n / t / 1000 }')" \
		    "M lines/s"
	done
}

run_part() {
	MLFLOW_TRACKING_URI=$work/runstore XDG_CACHE_HOME=$work/cache
	export MLFLOW_TRACKING_URI XDG_CACHE_HOME
	mkdir "$work/proj" "$work/gitproj"
	printf 'entry_points:\n  main:\n    command: "true"\n' >"$work/proj/MLproject"
	cp "$work/proj/MLproject" "$work/gitproj/"
	(cd "$work/gitproj" && git init -q && git add -A &&
	    git -c user.name=b -c user.email=b@b commit -q -m bench)
	cd "$work"
	set -- $(hf bash "bash -c true")
	echo "bash -c true: min $1 ms, CPU $2 ms"
	for b in $builds; do
		for p in proj gitproj; do
			"$b/tools/mlp-run" -q $p
			set -- $(hf run "$b/tools/mlp-run -q $p")
			echo "$b: mlp-run -q $p (warm cache): min $1 ms, CPU $2 ms"
		done
	done
}

case " ${PARTS:-log run} " in *" log "*) log_part ;; esac
case " ${PARTS:-log run} " in *" run "*) run_part ;; esac
