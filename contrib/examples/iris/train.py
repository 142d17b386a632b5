"""Train an SVM on the iris data set and log it into an MLflow run.

The training of mlp's README (and of the account mlp grew from): the first
two features of scikit-learn's iris data, an 80/20 split with a fixed
seed, svm.SVC(kernel, C).  Metrics go to ``mlp-log -`` as lines
``metric KEY VALUE``; the pickled model goes to the run with
``mlp-log artifact``.  mlp-run sets MLFLOW_RUN_ID; without it (run by
hand) the metric lines are printed on stdout instead, for
``python3 train.py | mlp-log -``.

Any failure (a bad kernel, mlp-log failing) exits non-zero, so that
mlp-run ends the run FAILED.
"""

import argparse
import os
import pickle
import subprocess
import sys
import tempfile

from sklearn import datasets, svm
from sklearn.metrics import (accuracy_score, f1_score, precision_score,
                             recall_score)
from sklearn.model_selection import train_test_split


def scores(prefix, y_true, y_pred):
    """The metrics of one split, named <prefix>_<metric>."""
    avg = {"average": "macro", "zero_division": 0}
    return [
        (prefix + "_accuracy", accuracy_score(y_true, y_pred)),
        (prefix + "_precision", precision_score(y_true, y_pred, **avg)),
        (prefix + "_recall", recall_score(y_true, y_pred, **avg)),
        (prefix + "_f1", f1_score(y_true, y_pred, **avg)),
    ]


def mlp_log(args, stdin=None):
    """Run mlp-log with ARGS (feeding it STDIN); exit if it fails."""
    try:
        r = subprocess.run(["mlp-log"] + args, input=stdin, text=True,
                           check=False)
    except FileNotFoundError:
        sys.exit("train.py: mlp-log not found on PATH")
    if r.returncode != 0:
        sys.exit("train.py: mlp-log %s failed (exit %d)"
                 % (" ".join(args[:1]), r.returncode))


def main():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--kernel", default="rbf")
    p.add_argument("--param_c", type=float, default=1.0)
    a = p.parse_args()

    iris = datasets.load_iris()
    x = iris.data[:, :2]
    y = iris.target
    x_train, x_val, y_train, y_val = train_test_split(
        x, y, test_size=0.2, random_state=42)
    model = svm.SVC(kernel=a.kernel, C=a.param_c)
    model.fit(x_train, y_train)

    metrics = (scores("training", y_train, model.predict(x_train)) +
               scores("val", y_val, model.predict(x_val)))
    lines = "".join("metric %s %r\n" % (k, float(v)) for k, v in metrics)

    if not os.environ.get("MLFLOW_RUN_ID"):
        sys.stdout.write(lines)
        with open("model.pkl", "wb") as f:
            pickle.dump(model, f)
        print("train.py: MLFLOW_RUN_ID is not set: metrics printed, "
              "model saved as model.pkl", file=sys.stderr)
        return
    mlp_log(["-"], stdin=lines)
    with tempfile.TemporaryDirectory() as tmp:
        path = os.path.join(tmp, "model.pkl")
        with open(path, "wb") as f:
            pickle.dump(model, f)
        mlp_log(["artifact", path, "model"])


if __name__ == "__main__":
    main()
