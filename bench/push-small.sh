#!/bin/sh
# bench/push-small.sh - mlp-push of many small files to a real pure-ftpd
# on loopback, against curl's command line as the floor:
#   curl      curl -T "{f1,f2,...}" dir/: every file over ONE control
#             connection (curl's best case).  curl 7.88's command line
#             stalls 1 s (a poll time-out) after some EPSV replies, so a
#             second floor is measured too:
#   ftplib    Python's ftplib over one connection, STOR per file
#   per-file  one curl (connection and login) per file, as MLflow's FTP
#             repository does; measured on PERFILE files and scaled up
#   mlp-push  -j 1 and -j 4
#   no-op     mlp-push again with nothing new (goal: under 0.5 s)
# Every measured run gets a fresh server on its own passive port range
# (TIME_WAIT in a reused range slows the next burst), started outside
# the timing.  Needs root and pure-ftpd.
# Usage: bench/push-small.sh [BUILD_DIR]
# Environment: FILES (10000), RUNS (3), CURL_RUNS (1), PERFILE (300).
set -u
here=$(cd "$(dirname "$0")" && pwd)
. "$here/lib.sh"
build=${1:-$here/..}
PATH=$build/tools:$PATH
FILES=${FILES:-10000}
RUNS=${RUNS:-3}
CURL_RUNS=${CURL_RUNS:-1}
PERFILE=${PERFILE:-300}
TRASH=$(mktemp -d "${TMPDIR:-/tmp}/mlp-bench-push.XXXXXX")
test_at_exit() { :; }
. "$here/../tests/t/ftp-lib.sh"
trap 'ftp_stop; rm -rf "$TRASH"' EXIT
ftp_have || { echo "skipped: $FTP_SKIP"; exit 0; }
MLFLOW_TRACKING_URI=$TRASH/mlruns
MLP_FTP_PASSWORD=$FTP_PASS
export MLFLOW_TRACKING_URI MLP_FTP_PASSWORD
pasv=15000

# fresh: an empty server on the next passive range, before the clock.
fresh() {
	ftp_stop
	rm -rf "${FTP_HOME:?}"/*
	FTP_PASV=$pasv
	export FTP_PASV
	pasv=$((pasv + 1000))
	[ $pasv -le 31000 ] || pasv=15000
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
mkdir -p "$art/many"
head -c $((FILES * 1024)) /dev/urandom |
    (cd "$art/many" && split -b 1024 -a 6 - f)
names=$(cd "$art/many" && ls | paste -sd, -)

curl_once() {
	(cd "$art/many" && curl -s -S --netrc-file "$FTP_DIR/netrc" \
	    --ftp-create-dirs -T "{$names}" \
	    "ftp://127.0.0.1:$FTP_PORT/floor/")
}
py_once() {
	python3 - "$art/many" "$FTP_PORT" "$FTP_USER" <<'PY'
import ftplib, os, sys
d, port, user = sys.argv[1], int(sys.argv[2]), sys.argv[3]
f = ftplib.FTP()
f.connect("127.0.0.1", port)
f.login(user, os.environ["MLP_FTP_PASSWORD"])
f.mkd("/py")
f.cwd("/py")
for name in sorted(os.listdir(d)):
    with open(os.path.join(d, name), "rb") as fp:
        f.storbinary("STOR " + name, fp)
f.quit()
PY
}
perfile_once() {
	n=0
	for f in "$art"/many/*; do
		curl -s -S --netrc-file "$FTP_DIR/netrc" --ftp-create-dirs \
		    -T "$f" "ftp://127.0.0.1:$FTP_PORT/per/" || return 1
		n=$((n + 1))
		[ $n -lt "$PERFILE" ] || break
	done
}
push_once() {
	rm -f "$MLFLOW_TRACKING_URI/0/$R"/mlp-push.*.tsv
	mlp-push -q -j "$1" "$FTP_URL/push"
}
count() {
	find "$FTP_HOME/$1" -type f | wc -l
}

for v in py j1 j4; do : >"$TRASH/t-$v"; done
i=0
while [ $i -lt "$RUNS" ]; do
	fresh; ms py_once >>"$TRASH/t-py"
	fresh; ms push_once 1 >>"$TRASH/t-j1"
	[ "$(count push)" -eq "$FILES" ] || echo "push -j 1 incomplete" >&2
	fresh; ms push_once 4 >>"$TRASH/t-j4"
	[ "$(count push)" -eq "$FILES" ] || echo "push -j 4 incomplete" >&2
	i=$((i + 1))
done
t_noop=$(median_ms 5 mlp-push -q "$FTP_URL/push")
: >"$TRASH/t-curl"
i=0
while [ $i -lt "$CURL_RUNS" ]; do
	fresh; ms curl_once >>"$TRASH/t-curl"
	i=$((i + 1))
done
fresh
t_per=$(ms perfile_once)

t_curl=$(median <"$TRASH/t-curl")
t_py=$(median <"$TRASH/t-py")
t_j1=$(median <"$TRASH/t-j1")
t_j4=$(median <"$TRASH/t-j4")
t_per_all=$(awk -v t="$t_per" -v n="$PERFILE" -v f="$FILES" \
    'BEGIN { printf "%.0f", t * f / n }')
echo "$FILES files of 1 KiB, loopback pure-ftpd, median of $RUNS" \
    "(curl: $CURL_RUNS)"
echo "floor curl -T {...}, one connection:  $t_curl ms"
echo "floor Python ftplib, one connection:  $t_py ms" \
    "runs: $(tr '\n' ' ' <"$TRASH/t-py")"
echo "one connection per file (curl):       $t_per_all ms" \
    "(measured on $PERFILE files: $t_per ms)"
echo "mlp-push -j 1:                        $t_j1 ms" \
    "runs: $(tr '\n' ' ' <"$TRASH/t-j1")"
echo "mlp-push -j 4:                        $t_j4 ms" \
    "runs: $(tr '\n' ' ' <"$TRASH/t-j4")"
echo "speed of mlp-push -j 1 relative to: curl $(ratio "$t_curl" "$t_j1")," \
    "ftplib $(ratio "$t_py" "$t_j1")," \
    "one connection per file $(ratio "$t_per_all" "$t_j1")"
echo "no-op push over $FILES unchanged files: $t_noop ms (goal < 500)"
