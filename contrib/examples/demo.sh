#!/bin/sh
# demo.sh - the README demo: train the iris SVM of contrib/examples/iris
# three times with different parameters, each a fully recorded run in
# ./mlruns, then list the runs ranked by validation accuracy.
#
# Usage: sh contrib/examples/demo.sh [BUILD_DIR]
# Run it from the top of the source tree; BUILD_DIR (default: .) holds the
# built tools/.  Needs python3 with scikit-learn (Debian: python3-sklearn).
set -eu
top=$(cd "$(dirname "$0")/../.." && pwd)
build=$(cd "${1:-.}" && pwd)
PATH=$build/tools:$PATH
# The MLproject runs "python3": prefer the system's when it has
# scikit-learn (a pyenv or venv python3 earlier on PATH may not).
if /usr/bin/python3 -c 'import sklearn' 2>/dev/null; then
	PATH=/usr/bin:$PATH
fi
export PATH
unset MLFLOW_TRACKING_URI MLFLOW_RUN_ID MLFLOW_EXPERIMENT_NAME \
    MLFLOW_EXPERIMENT_ID 2>/dev/null || :

python3 -c 'import sklearn' 2>/dev/null || {
	echo "demo.sh: python3 has no scikit-learn;" \
	    "install it (Debian: apt-get install python3-sklearn)" >&2
	exit 1
}

train() {
	mlp-run "$top/contrib/examples/iris" --experiment-name iris \
	    -P kernel="$1" -P C="$2"
}
train rbf 10
train poly 2
train linear 0.1

echo
echo "The runs of experiment iris, best validation accuracy first:"
mlp-ls -e iris -c run_id,params.kernel,params.C,metrics.val_accuracy \
    -o "metrics.val_accuracy DESC" --format table
