#!/bin/sh
# bench/run-overhead.sh - what mlp-run adds before its child starts: the
# time from exec of mlp-run to the first line of the child's bash, on a
# clean git tree, against the same measurement for "bash -c" alone (the
# floor).  The child's bash prints $EPOCHREALTIME first thing; so does
# the bash that execs mlp-run (or the floor's bash).
# Usage: bench/run-overhead.sh [BUILD_DIR] [RUNS]
set -eu
here=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=lib.sh
. "$here/lib.sh"
build=${1:-$here/..}
runs=${2:-31}
PATH=$build/tools:$PATH
work=$(mktemp -d "${TMPDIR:-/tmp}/mlp-bench-run.XXXXXX")
trap 'rm -rf "$work"' EXIT
MLFLOW_TRACKING_URI=$work/mlruns XDG_CACHE_HOME=$work/cache
export MLFLOW_TRACKING_URI XDG_CACHE_HOME

mkdir "$work/proj"
cat >"$work/proj/MLproject" <<'YAML'
name: bench
entry_points:
  main:
    parameters:
      alpha: {type: float, default: 0.5}
      kernel: {type: string, default: rbf}
    command: "echo $EPOCHREALTIME >\"$T1\""
YAML
git_project "$work/proj"
T1=$work/t1
export T1

# one_ms CMD: milliseconds from the outer bash's exec to the child line.
one_ms() {
	bash -c 'echo $EPOCHREALTIME >"$T1.0"; exec "$@"' bash "$@" \
	    >/dev/null 2>&1 || true
	awk -v a="$(cat "$T1.0")" -v b="$(cat "$T1")" \
	    'BEGIN { printf "%.3f\n", (b - a) * 1000 }'
}

median_of() {
	_n=$1
	shift
	_i=0
	while [ "$_i" -lt "$_n" ]; do
		one_ms "$@"
		_i=$((_i + 1))
	done | sort -n | awk '{ v[NR] = $1 } END {
		m = NR % 2 ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2
		printf "%.3f\n", m }'
}

mkdir "$work/nogit"
cp "$work/proj/MLproject" "$work/nogit/"
cd "$work/proj"
floor=$(median_of "$runs" bash -c 'echo $EPOCHREALTIME >"$T1"')
nogit=$(median_of "$runs" mlp-run -q ../nogit)
# What a clean tree costs at least: the git status mlp-run runs.
gitst=$(median_of "$runs" bash -c 'git --no-optional-locks status \
    --porcelain=v2 --branch -z --untracked-files=normal >/dev/null;
    echo $EPOCHREALTIME >"$T1"')
run=$(median_of "$runs" mlp-run -q .)
echo "dirty" >>"$work/proj/f1.txt"
dirty=$(median_of "$runs" mlp-run -q .)
echo "runs: $runs (medians, ms from exec to the child's first line)"
echo "load: $(cut -d" " -f1-3 /proc/loadavg) on $(nproc) CPUs"
echo "bash -c (floor):        $floor"
echo "git status + bash -c:    $gitst"
echo "mlp-run, not in git:    $nogit"
echo "mlp-run, clean tree:    $run"
echo "mlp-run, dirty tree:    $dirty"
awk -v a="$nogit" -v b="$floor" \
    'BEGIN { printf "overhead, not in git:   %.3f ms\n", a - b }'
awk -v a="$run" -v b="$floor" \
    'BEGIN { printf "overhead, clean tree:   %.3f ms\n", a - b }'
awk -v a="$dirty" -v b="$floor" \
    'BEGIN { printf "overhead, dirty tree:   %.3f ms\n", a - b }'
