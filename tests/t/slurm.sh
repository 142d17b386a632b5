# slurm.sh - a real single-node Slurm for the tests (Debian's slurm-wlm
# and munge); sourced after lib.sh.  slurm_start starts munged,
# slurmctld and slurmd for this host on ports and in folders of the
# test's own (the recipe is slurm-cluster.sh's, shared with
# bench/sweep.sh), stops them at the end of the script, and skips the
# whole script with the reason when they cannot start.  SLURM_CONF is
# exported for sbatch, squeue, scancel and for mlp-run.

. "$TEST_DIRECTORY/slurm-cluster.sh"

slurm_stop() {
	slurm_cluster_stop
}

slurm_start() {
	test_at_exit slurm_stop
	slurm_cluster_start "$TRASH/slurm" || test_skip_all "$SLURM_WHY"
}

# slurm_wait_gone JOB: wait (at most 120 s) until squeue lists none of
# JOB's tasks.
slurm_wait_gone() {
	_i=0
	while [ -n "$(squeue -h -j "$1" -o %i 2>/dev/null)" ]; do
		_i=$((_i + 1))
		[ $_i -gt 1200 ] && return 1
		sleep 0.1
	done
}
