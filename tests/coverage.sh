#!/bin/sh
# coverage.sh SRCDIR DIR PREFIX: line coverage of every SRCDIR/DIR/*.c from
# the .gcda files of a --enable-coverage build (objects DIR/PREFIX<name>.o),
# one line a file and a total, as gcov counts lines.  Run from the build
# folder after make check.
srcdir=$1 dir=$2 prefix=$3
for c in "$srcdir/$dir"/*.c; do
	b=$(basename "$c" .c)
	o=$dir/$prefix$b.o
	if [ -f "$dir/$prefix$b.gcda" ]; then
		gcov -n -o "$o" "$c" 2>/dev/null |
		    awk -v f="$dir/$b.c" '
			/^File / { want = index($0, "/" f "'\''") > 0 ||
			    $0 == "File '\''" f "'\''" }
			want && /^Lines executed:/ {
				split($0, a, /[:% ]+/)
				printf "%s %d %s\n", f, a[5], a[3]; want = 0
			}'
	elif [ -f "$dir/$prefix$b.gcno" ]; then
		# Never run: every line unexecuted.
		gcov -n -o "$o" "$c" 2>/dev/null | awk -v f="$dir/$b.c" '
			/^Lines executed:/ { split($0, a, /[:% ]+/)
			    printf "%s %d 0\n", f, a[5]; exit }'
	else
		echo "coverage.sh: no coverage data for $c (configure" \
		    "--enable-coverage, then make coverage)" >&2
		exit 1
	fi
done | awk '
	{ done = $2 * $3 / 100; tl += $2; td += done
	  printf "%-24s %6.1f%% of %5d lines\n", $1, $3, $2 }
	END { if (tl == 0) exit 1
	      printf "%-24s %6.1f%% of %5d lines\n", "total", 100 * td / tl, tl }'
