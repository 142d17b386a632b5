#!/bin/sh
# bench/run-whole.sh - mlp-run's whole cost, start to exit, for a no-op
# entry point ("true"), with a warm environment cache: the record of
# mlp/environment.txt is reused, no probe runs.  Floor: "bash -c true"
# (mlp-run starts its command with bash).  Also the cold case (no cache:
# every --version probe runs) and the project in a clean git tree.
# MLflow's "mlflow run" of the same project takes about 1 s here
# (bench/RESULTS-run.md), so the last column is that ratio.
# Usage: bench/run-whole.sh [BUILD_DIR] [RUNS]
set -eu
here=$(cd "$(dirname "$0")" && pwd)
. "$here/lib.sh"
build=${1:-$here/..}
runs=${2:-31}
PATH=$build/tools:$PATH
work=$(mktemp -d "${TMPDIR:-/tmp}/mlp-bench-whole.XXXXXX")
trap 'rm -rf "$work"' EXIT
MLFLOW_TRACKING_URI=$work/mlruns XDG_CACHE_HOME=$work/cache
export MLFLOW_TRACKING_URI XDG_CACHE_HOME
mlflow_ms=1000

mkdir "$work/proj" "$work/gitproj"
printf 'entry_points:\n  main:\n    command: "true"\n' >"$work/proj/MLproject"
cp "$work/proj/MLproject" "$work/gitproj/"
(cd "$work/gitproj" && git init -q && git add -A &&
    git -c user.name=b -c user.email=b@b commit -q -m bench)

cold() {
	rm -rf "$XDG_CACHE_HOME"
	mlp-run -q "$1"
}
cd "$work"
mlp-run -q proj
floor=$(median_ms "$runs" bash -c true)
warm=$(median_ms "$runs" mlp-run -q proj)
gitwarm=$(median_ms "$runs" mlp-run -q gitproj)
coldt=$(median_ms 5 cold proj)
echo "bash -c true: $floor ms"
echo "mlp-run, no-op, warm cache: $warm ms (ratio $(ratio "$warm" "$floor")" \
    "to bash; mlflow run ~${mlflow_ms} ms: $(ratio "$mlflow_ms" "$warm")x" \
    "faster)"
echo "mlp-run, no-op, clean git tree, warm cache: $gitwarm ms" \
    "($(ratio "$mlflow_ms" "$gitwarm")x faster than mlflow run)"
echo "mlp-run, no-op, cold cache (every probe runs): $coldt ms"
