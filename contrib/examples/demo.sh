#!/bin/sh
# demo.sh - the README demo: log three runs into ./mlruns with mlp-log and
# show what landed on disk.  Run from the top of a built source tree.
set -eu
PATH=$(pwd)/tools:$PATH
export PATH
unset MLFLOW_TRACKING_URI MLFLOW_RUN_ID 2>/dev/null || :

for C in 0.5 1 2; do
	MLFLOW_RUN_ID=$(mlp-log start -e demo -n "svm-C$C")
	export MLFLOW_RUN_ID
	mlp-log param C "$C"
	# A training loop prints lines; mlp-log takes them as they come.
	awk -v c="$C" 'BEGIN { for (s = 0; s < 5; s++)
		printf "metric loss %.4f %d\n", 1 / (1 + c * s), s }' | mlp-log -
	mlp-log metric val_acc "$(awk -v c="$C" 'BEGIN { print 0.8 + c / 20 }')"
	mlp-log end
	echo "run $MLFLOW_RUN_ID (C=$C) logged"
done
find mlruns -path '*/.trash' -prune -o -type f -print | sort | head -40
