#!/bin/sh
# train.sh LR EPOCHS - fit y = a*x + b to ten fixed points by gradient
# descent, in awk, and log the run's metrics through "mlp-log -": the mean
# squared error of every epoch (metric "loss", step = epoch), then the
# final "mse", "slope" and "intercept".  Deterministic: same parameters,
# same numbers.  Exits 1 when the loss diverges.
set -u
lr=${1:-0.01}
epochs=${2:-100}
tmp=$(mktemp -d "${TMPDIR:-/tmp}/mlp-shell-example.XXXXXX") || exit 1
trap 'rm -rf "$tmp"' EXIT

# POSIX sh has no "set -o pipefail": the exit status of awk, the first
# command of the pipeline, would be lost.  Keep it in a file.
{
	awk -v lr="$lr" -v epochs="$epochs" '
	BEGIN {
		n = 10
		for (i = 0; i < n; i++) {
			x[i] = i / 2
			y[i] = 3 * x[i] + 2 + ((i * 7) % 5 - 2) / 10
		}
		a = 0; b = 0
		for (e = 1; e <= epochs; e++) {
			ga = 0; gb = 0; loss = 0
			for (i = 0; i < n; i++) {
				d = a * x[i] + b - y[i]
				ga += 2 * d * x[i] / n
				gb += 2 * d / n
				loss += d * d / n
			}
			if (loss != loss || loss > 1e30) {
				printf "train.sh: diverged at epoch %d " \
				    "(lr %s too large)\n", e, lr >"/dev/stderr"
				exit 1
			}
			printf "metric loss %.10g %d\n", loss, e
			a -= lr * ga
			b -= lr * gb
		}
		loss = 0
		for (i = 0; i < n; i++)
			loss += (a * x[i] + b - y[i]) ^ 2 / n
		printf "metric mse %.10g\n", loss
		printf "metric slope %.10g\n", a
		printf "metric intercept %.10g\n", b
	}'
	echo "$?" >"$tmp/status"
} | mlp-log - || exit 1
exit "$(cat "$tmp/status")"
