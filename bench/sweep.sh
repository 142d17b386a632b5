#!/bin/sh
# bench/sweep.sh - the cost of sweeps.
# 1. Submitting a 1,000-run sweep to Slurm: the parent and 1,000
#    SCHEDULED runs created, the code pinned, the batch script written and
#    one sbatch; goal < 2 s.  With a cluster that answers (sinfo, e.g.
#    SLURM_CONF of the tests' cluster) the real sbatch is used and the
#    job cancelled at once.  Else, as root with slurm-wlm and munge
#    installed, a single-node cluster of its own is started for the run
#    (tests/t/slurm-cluster.sh, the tests' recipe) and stopped at the
#    end; else a stand-in sbatch that only prints a job id (said so in
#    the output).
# 2. What a local sweep (-j 1) adds per run over running the same runs by
#    hand, one mlp-run each; goal < 10 ms.
# Usage: bench/sweep.sh [BUILD_DIR] [RUNS]
set -eu
here=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=lib.sh
. "$here/lib.sh"
build=${1:-$here/..}
runs=${2:-40}
PATH=$build/tools:$PATH
work=$(mktemp -d "${TMPDIR:-/tmp}/mlp-bench-sweep.XXXXXX")
SLURM_DIR=
# shellcheck source=../tests/t/slurm-cluster.sh
. "$here/../tests/t/slurm-cluster.sh"
trap 'slurm_cluster_stop; rm -rf "$work"' EXIT
MLFLOW_TRACKING_URI=$work/mlruns XDG_CACHE_HOME=$work/cache
export MLFLOW_TRACKING_URI XDG_CACHE_HOME

mkdir "$work/proj"
cat >"$work/proj/MLproject" <<'YAML'
name: bench
entry_points:
  main:
    parameters:
      n: int
      kernel: {type: string, default: rbf}
    command: "true"
YAML
git_project "$work/proj"
echo change >>"$work/proj/f1.txt"

ms() {
	awk -v a="$1" -v b="$2" 'BEGIN { printf "%.1f\n", (b - a) / 1e6 }'
}

# 1. Submission.
if sinfo -h >/dev/null 2>&1; then
	kind="real sbatch ($(sinfo -h -o %P | head -n 1))"
elif [ "$(id -u)" -eq 0 ] && command -v slurmctld >/dev/null 2>&1 &&
    slurm_cluster_start "$work/slurm"; then
	kind="real sbatch (a single-node cluster started for this run)"
else
	[ -z "${SLURM_WHY:-}" ] || echo "no cluster: $SLURM_WHY"
	slurm_cluster_stop
	mkdir "$work/bin"
	printf '#!/bin/sh\necho 4242\n' >"$work/bin/sbatch"
	chmod +x "$work/bin/sbatch"
	PATH=$work/bin:$PATH
	kind="stand-in sbatch (no cluster answered sinfo)"
fi
list=$(seq -s, 1 1000)
# The first submission fills the caches every later one finds (the
# environment record's probes, the git cache the snapshot is checked
# out through); the second, into another experiment, is what a user
# meets from then on.  Both are printed; the goal is the second's.
echo "load: $(cut -d" " -f1-3 /proc/loadavg) on $(nproc) CPUs"
for pass in cold warm; do
	t0=$(date +%s%N)
	out=$(mlp-run -q --backend slurm -j 10 --sweep -P "n=$list" \
	    --experiment-name "$pass" "$work/proj")
	t1=$(date +%s%N)
	job=${out#*	}
	parent=${out%%	*}
	made=$(find "$work/mlruns" -mindepth 2 -maxdepth 2 \
	    -name '????????????????????????????????' | wc -l)
	echo "submit a 1,000-run sweep, $pass caches: $(ms "$t0" "$t1") ms" \
	    "($made runs in the store, $kind)"
	case $kind in real*) scancel "$job" 2>/dev/null || : ;; esac
done
case $kind in
real*)
	# The part of sbatch alone: the same script submitted again.
	t2=$(date +%s%N)
	job2=$(sbatch --parsable \
	    "$(echo "$work"/mlruns/*/"$parent")/artifacts/mlp/sbatch.sh" \
	    2>/dev/null) || :
	t3=$(date +%s%N)
	scancel "${job2%%;*}" 2>/dev/null || :
	echo "  of which sbatch alone (the same script again, job" \
	    "${job2:-refused}): $(ms "$t2" "$t3") ms"
	# The tasks that started end KILLED: wait, so that none writes to
	# the store removed at exit.
	i=0
	while [ -n "$(squeue -h -o %i 2>/dev/null)" ] && [ $i -lt 600 ]; do
		sleep 0.1
		i=$((i + 1))
	done ;;
esac

# 2. A local sweep against the same runs by hand: wall time, and the CPU
# time of all processes (user + system, GNU time), which a loaded machine
# disturbs less.
cpu() {
	/usr/bin/time -f "%U %S" -o "$work/cpu" "$@" >/dev/null
	awk '{ printf "%.0f\n", ($1 + $2) * 1000 }' "$work/cpu"
}
rm -rf "$work/mlruns"
# Warm the caches (tools, inputs) that the first run of all fills.
mlp-run -q -P n=0 "$work/proj"
list=$(seq -s, 1 "$runs")
t0=$(date +%s%N)
sweep_cpu=$(cpu mlp-run -q --sweep -P "n=$list" "$work/proj")
t1=$(date +%s%N)
sweep=$(ms "$t0" "$t1")
cat >"$work/byhand" <<SH
for i in \$(seq 1 $runs); do mlp-run -q -P "n=\$i" "$work/proj"; done
SH
t0=$(date +%s%N)
hand_cpu=$(cpu sh "$work/byhand")
t1=$(date +%s%N)
hand=$(ms "$t0" "$t1")
echo "local sweep of $runs runs (-j 1): $sweep ms wall, $sweep_cpu ms CPU"
echo "the same runs by hand:        $hand ms wall, $hand_cpu ms CPU"
awk -v a="$sweep" -v b="$hand" -v c="$sweep_cpu" -v d="$hand_cpu" \
    -v n="$runs" 'BEGIN { printf "local sweep overhead per run: %.2f ms " \
    "wall, %.2f ms CPU\n", (a - b) / n, (c - d) / n }'
