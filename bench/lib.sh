# bench/lib.sh - timing helpers for the benchmarks (sourced, POSIX sh).
# Benchmarks print medians and ratios to a floor measured in the same run;
# they are never part of "make check".

# now_ns: nanoseconds since the epoch (GNU date).
now_ns() {
	date +%s%N
}

# median_ms RUNS COMMAND...: run COMMAND RUNS times (output discarded),
# print the median wall time in milliseconds with 3 decimals.
median_ms() {
	_runs=$1
	shift
	_i=0
	_times=
	while [ "$_i" -lt "$_runs" ]; do
		_t0=$(now_ns)
		"$@" >/dev/null 2>&1
		_t1=$(now_ns)
		_times="$_times $(((_t1 - _t0) / 1000))"
		_i=$((_i + 1))
	done
	# shellcheck disable=SC2086
	printf '%s\n' $_times | sort -n |
	    awk '{ v[NR] = $1 }
		END { if (NR % 2) m = v[(NR + 1) / 2]
		      else m = (v[NR / 2] + v[NR / 2 + 1]) / 2
		      printf "%.3f\n", m / 1000 }'
}

# ratio A B: A / B with 2 decimals.
ratio() {
	awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f\n", (b > 0 ? a / b : 0) }'
}

# git_project DIR: DIR (holding an MLproject) plus 50 small files,
# committed as a fresh git repository: the project the run benchmarks use.
git_project() {
	for _i in $(seq 1 50); do echo "file $_i" >"$1/f$_i.txt"; done
	(cd "$1" && git init -q && git add -A &&
	    git -c user.name=b -c user.email=b@b commit -q -m bench)
}
