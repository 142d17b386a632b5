#!/bin/sh
# bench/push-large.sh - mlp-push of one large file to a real pure-ftpd on
# loopback, against "curl -T" of the same file as the floor (goal: at
# least 90% of the floor's speed).  The two alternate, each run on a
# fresh server started outside the timing, after sync(1), so neither
# pays for the other's dirty pages; the server's copy is checked byte
# for byte.
# Needs root and pure-ftpd.  Usage: bench/push-large.sh [BUILD_DIR]
# Environment: MB (1024), RUNS (5).
set -u
here=$(cd "$(dirname "$0")" && pwd)
. "$here/lib.sh"
build=${1:-$here/..}
PATH=$build/tools:$PATH
MB=${MB:-1024}
RUNS=${RUNS:-5}
TRASH=$(mktemp -d "${TMPDIR:-/tmp}/mlp-bench-push.XXXXXX")
test_at_exit() { :; }
. "$here/../tests/t/ftp-lib.sh"
trap 'ftp_stop; rm -rf "$TRASH"' EXIT
ftp_have || { echo "skipped: $FTP_SKIP"; exit 0; }
MLFLOW_TRACKING_URI=$TRASH/mlruns
MLP_FTP_PASSWORD=$FTP_PASS
export MLFLOW_TRACKING_URI MLP_FTP_PASSWORD

# fresh: an empty server, started and settled before the clock runs.
fresh() {
	ftp_stop
	rm -rf "${FTP_HOME:?}"/*
	ftp_start >/dev/null || exit 1
	sync
}

# ms COMMAND...: wall time of one run, in milliseconds.
ms() {
	_t0=$(now_ns)
	"$@" >/dev/null 2>&1 || echo "failed: $*" >&2
	_t1=$(now_ns)
	awk -v d=$((_t1 - _t0)) 'BEGIN { printf "%.1f\n", d / 1e6 }'
}

median() {
	sort -n | awk '{ v[NR] = $1 } END { printf "%.1f\n",
	    NR % 2 ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2 }'
}

R=$(mlp-log start)
MLFLOW_RUN_ID=$R mlp-log end
art=$MLFLOW_TRACKING_URI/0/$R/artifacts
head -c $((MB * 1024 * 1024)) /dev/urandom >"$art/big.bin"
cat "$art/big.bin" >/dev/null		# in the page cache for everyone

: >"$TRASH/t-curl"
: >"$TRASH/t-push"
i=0
while [ $i -lt "$RUNS" ]; do
	fresh
	ms curl -s -S --netrc-file "$FTP_DIR/netrc" -T "$art/big.bin" \
	    "ftp://127.0.0.1:$FTP_PORT/big.bin" >>"$TRASH/t-curl"
	fresh
	rm -f "$MLFLOW_TRACKING_URI/0/$R"/mlp-push.*.tsv
	ms mlp-push -q "$FTP_URL/push" >>"$TRASH/t-push"
	cmp "$art/big.bin" "$FTP_HOME/push/0/$R/artifacts/big.bin" ||
	    { echo "the server's copy differs" >&2; exit 1; }
	i=$((i + 1))
done
t_floor=$(median <"$TRASH/t-curl")
t_push=$(median <"$TRASH/t-push")
echo "one file of $MB MiB, loopback pure-ftpd, median of $RUNS (alternating)"
echo "floor: curl -T:  $t_floor ms" \
    "($(awk -v m="$MB" -v t="$t_floor" 'BEGIN { printf "%.0f", m / t * 1000 }') MiB/s)" \
    "runs: $(tr '\n' ' ' <"$TRASH/t-curl")"
echo "mlp-push:        $t_push ms" \
    "($(awk -v m="$MB" -v t="$t_push" 'BEGIN { printf "%.0f", m / t * 1000 }') MiB/s," \
    "$(ratio "$t_floor" "$t_push") of the floor's speed)" \
    "runs: $(tr '\n' ' ' <"$TRASH/t-push")"
