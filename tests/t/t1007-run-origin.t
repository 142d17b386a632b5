#!/bin/sh
# t1007-run-origin.t: the flow of notes/origin.md: an iris MLproject with
# kernel and C parameters, run three times, then listed with mlp-ls.
. "$(dirname "$0")/lib.sh"
. "$TEST_DIRECTORY/run-lib.sh"

# The system python has scikit-learn; put it first as "python".
mkdir bin
ln -s /usr/bin/python3 bin/python
PATH=$TRASH/bin:$MLP_BUILD_DIR/tools:/usr/bin:/bin
export PATH

mkdir proj
cat >proj/MLproject <<'YAML'
name: iris_example
entry_points:
  main:
    parameters:
      kernel: {type: string, default: 'rbf'}
      C: {type: float, default: 1}
    command: "python train.py --kernel {kernel} --param_c {C}"
YAML
cat >proj/train.py <<'PY'
import argparse
import subprocess

from sklearn import datasets, svm
from sklearn.metrics import accuracy_score, f1_score
from sklearn.model_selection import train_test_split

p = argparse.ArgumentParser()
p.add_argument("--kernel", default="rbf")
p.add_argument("--param_c", type=float, default=1)
a = p.parse_args()
X, y = datasets.load_iris(return_X_y=True)
X = X[:, :2]
Xt, Xv, yt, yv = train_test_split(X, y, test_size=0.2, random_state=42)
m = svm.SVC(kernel=a.kernel, C=a.param_c).fit(Xt, yt)
lines = []
for name, Xs, ys in (("training", Xt, yt), ("val", Xv, yv)):
    pred = m.predict(Xs)
    lines.append("metric %s_accuracy %r" % (name, accuracy_score(ys, pred)))
    lines.append("metric %s_f1 %r" % (name, f1_score(ys, pred, average="macro")))
# mlp-log logs into the run of MLFLOW_RUN_ID, as mlflow.log_metric would.
subprocess.run(["mlp-log", "-"], input="\n".join(lines) + "\n",
               text=True, check=True)
PY
(cd proj && git init -q -b main && git add -A && git commit -q -m iris)

if python -c 'import sklearn' 2>/dev/null; then
test_expect_success 'three runs of the iris project' '
	mlp-run --env-manager=local --experiment-name=iris proj 2>err1 &&
	mlp-run --env-manager=local --experiment-name=iris -P kernel=poly \
	    -P C=2 proj 2>err2 &&
	mlp-run --env-manager=local --experiment-name=iris -P kernel=linear \
	    -P C=0.5 proj 2>err3 &&
	grep "=== Run (ID .*) succeeded ===" err1 err2 err3 >ok.txt &&
	test_line_count ok.txt 3
'
test_expect_success 'mlp-ls lists them with params and metrics' '
	mlp-ls -e iris -c params.kernel,params.C,status >list &&
	sort list >got &&
	printf "%s\t%s\t%s\n" linear 0.5 FINISHED poly 2 FINISHED \
	    rbf 1 FINISHED >expect &&
	test_cmp expect got &&
	mlp-ls -e iris -c params.kernel,metrics.val_accuracy >acc &&
	test_line_count acc 3 &&
	awk -F "\t" "\$2 < 0 || \$2 > 1 || \$2 == \"\" { exit 1 }" acc
'
test_expect_success 'each run records code, command and environment' '
	id=$(run_id_of err2) &&
	e=$(dirname "$(grep -l "^name: iris$" mlruns/*/meta.yaml)") &&
	d=$e/$id &&
	tag_is "$d" mlp.command "python train.py --kernel poly --param_c 2" &&
	tag_is "$d" mlflow.source.git.commit "$(git -C proj rev-parse HEAD)" &&
	tag_is "$d" mlp.git.dirty false &&
	grep "^\[pip freeze: $TRASH/bin/python\]$" \
	    "$d/artifacts/mlp/environment.txt" &&
	grep -i "^scikit.learn==" "$d/artifacts/mlp/environment.txt" &&
	test -s "$d/metrics/training_accuracy"
'
else
test_skip 'the iris flow' 'no scikit-learn in /usr/bin/python3'
fi
test_done
