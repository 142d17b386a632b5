#!/bin/sh
# ls-query.sh - time mlp-ls against the I/O floor: cat of exactly the files
# the query reads (found with strace), warm cache, on generated stores.
#
# usage: bench/ls-query.sh [BUILDDIR]
#   N="10000 100000"  store sizes (runs)      RUNS=5  timed runs per command
#   BENCH_DIR=/tmp/mlp-bench-ls  where stores are generated (kept, reused)
# Needs hyperfine, strace, jq and /usr/bin/time.  Prints medians and ratios;
# the "1 thread" row compares MLP_THREADS=1 with the default thread count
# (its ratio is the speed-up).
set -eu
B=$(cd "${1:-.}" && pwd)
W=${BENCH_DIR:-/tmp/mlp-bench-ls}
RUNS=${RUNS:-5}
LS=$B/tools/mlp-ls
mkdir -p "$W"
[ -x "$B/bench/genstore" ] || { echo "build bench/genstore first (make bench-ls)" >&2; exit 2; }

# pair LS_CMD FLOOR_CMD: "median_ls median_floor" in seconds; both are
# timed by one hyperfine call, so they share the machine's conditions.
pair() {
	rm -f "$W/h.json"
	hyperfine --warmup 2 --runs "$RUNS" --export-json "$W/h.json" \
	    "$1" "$2" >/dev/null 2>"$W/h.err" || { cat "$W/h.err" >&2; exit 1; }
	jq -r '"\(.results[0].median) \(.results[1].median)"' "$W/h.json"
}

# files LIST CMD...: the regular files CMD opens under the store, into LIST
files() {
	_list=$1
	shift
	# -y prints the file behind a returned descriptor: "= 4</s/1/r/m0>"
	strace -y -f -e trace=openat -o "$W/trace" "$@" >/dev/null
	grep -v O_DIRECTORY "$W/trace" |
	    sed -n "s|.* = [0-9]*<\\($store/[^>]*\\)>\$|\\1|p" >"$_list"
}

printf '%-8s %-34s %9s %9s %7s %9s\n' runs query mlp-ls floor ratio maxrss
for n in ${N:-10000 100000}; do
	store=$W/store-$n
	if [ ! -d "$store" ]; then
		echo "generating $store ..." >&2
		"$B/bench/genstore" "$store" "$n"
	fi
	# 1. the issue's query: metric filter, param filter, metric order, 2 columns
	cat >"$W/q1.sh" <<-EOF
	exec "$LS" -s "$store" -f "metrics.m0 > 0.5 AND params.p0 = 'a'" \
	    -o "metrics.m1 DESC" -c run_id,metrics.m0
	EOF
	# 2. the default listing (meta.yaml only)
	printf 'exec "%s" -s "%s"\n' "$LS" "$store" >"$W/q2.sh"
	# 3. three metric columns for every run
	printf 'exec "%s" -s "%s" -c run_id,metrics.m0,metrics.m1,metrics.m2\n' \
	    "$LS" "$store" >"$W/q3.sh"
	for q in 1 2 3; do
		files "$W/files$q" sh "$W/q$q.sh"
		nf=$(wc -l <"$W/files$q")
		xargs cat <"$W/files$q" >/dev/null	# warm the cache
		# shellcheck disable=SC2046
		set -- $(pair "sh $W/q$q.sh >/dev/null" \
		    "xargs cat <$W/files$q >/dev/null")
		t_ls=$1
		t_cat=$2
		rss=$(/usr/bin/time -f %M sh "$W/q$q.sh" 2>&1 >/dev/null | tail -n 1)
		case $q in
		1) what="filter+order+2 cols ($nf files)" ;;
		2) what="default listing ($nf files)" ;;
		3) what="3 metric columns ($nf files)" ;;
		esac
		printf '%-8s %-34s %8.3fs %8.3fs %6.2fx %7dKB\n' "$n" "$what" \
		    "$t_ls" "$t_cat" "$(echo "$t_ls / $t_cat" | bc -l)" "$rss"
	done
	# the issue's query read by one thread against the default (min(CPUs,
	# 4) threads): the parallel scan's speed-up
	# shellcheck disable=SC2046
	set -- $(pair "env MLP_THREADS=1 sh $W/q1.sh >/dev/null" \
	    "sh $W/q1.sh >/dev/null")
	printf '%-8s %-34s %8.3fs %8.3fs %6.2fx\n' "$n" \
	    "query 1: 1 thread, then $(getconf _NPROCESSORS_ONLN) CPUs" "$1" "$2" \
	    "$(echo "$1 / $2" | bc -l)"
	# streaming: -U keeps memory flat whatever the output size
	rss=$(/usr/bin/time -f %M "$LS" -U -s "$store" -c run_id,metrics.m0 2>&1 >/dev/null | tail -n 1)
	printf '%-8s %-34s %9s %9s %7s %7dKB\n' "$n" "-U -c run_id,metrics.m0" - - - "$rss"
done
