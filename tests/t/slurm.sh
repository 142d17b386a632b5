# slurm.sh - a real single-node Slurm for the tests (Debian's slurm-wlm
# and munge); sourced after lib.sh.  slurm_start starts munged,
# slurmctld and slurmd for this host on ports and in folders of the
# test's own, stops them at the end of the script, and skips the whole
# script with the reason when they cannot start.  SLURM_CONF is exported
# for sbatch, squeue, scancel and for mlp-run.

# slurm_need PROGRAM...: skip the script unless each is installed.
slurm_need() {
	for _p in "$@"; do
		command -v "$_p" >/dev/null 2>&1 ||
		    test_skip_all "no $_p (apt-get install slurm-wlm munge)"
	done
}

# slurm_pid FILE: the pid in FILE, if any.
slurm_pid() {
	[ -s "$1" ] && cat "$1"
}

slurm_stop() {
	for _f in "$SLURM_DIR/slurmd.pid" "$SLURM_DIR/slurmctld.pid" \
	    "$SLURM_DIR/munged.pid"; do
		_p=$(slurm_pid "$_f") || continue
		kill -TERM "$_p" 2>/dev/null || continue
		_i=0
		while kill -0 "$_p" 2>/dev/null && [ $_i -lt 250 ]; do
			sleep 0.02
			_i=$((_i + 1))
		done
		kill -KILL "$_p" 2>/dev/null || :
	done
}

slurm_start() {
	slurm_need munged slurmctld slurmd sbatch squeue scancel sinfo
	[ "$(id -u)" -eq 0 ] || test_skip_all "slurmd must run as root here"
	id munge >/dev/null 2>&1 || test_skip_all "no munge user"
	[ -r /etc/munge/munge.key ] ||
	    test_skip_all "no /etc/munge/munge.key (mungekey --create)"
	SLURM_DIR=$TRASH/slurm
	mkdir -p "$SLURM_DIR/state" "$SLURM_DIR/spool" "$SLURM_DIR/log" \
	    "$SLURM_DIR/munge"
	chown munge "$SLURM_DIR/munge"
	chmod 711 "$SLURM_DIR/munge"
	# munged refuses a socket folder that others can write to: trash
	# folders are mode 700 under /tmp.
	chmod 711 "$TRASH" "$SLURM_DIR"
	test_at_exit slurm_stop
	su -s /bin/sh munge -c "/usr/sbin/munged \
	    --socket=$SLURM_DIR/munge/sock \
	    --pid-file=$SLURM_DIR/munge/munged.pid \
	    --log-file=$SLURM_DIR/munge/munged.log \
	    --seed-file=$SLURM_DIR/munge/seed" ||
	    test_skip_all "munged would not start"
	cp "$SLURM_DIR/munge/munged.pid" "$SLURM_DIR/munged.pid"
	# Ports of this test run; another run picks others.
	_port=$((20000 + ($$ % 20000) * 2))
	_h=$(hostname)
	cat >"$SLURM_DIR/slurm.conf" <<CONF
ClusterName=mlptest
SlurmctldHost=$_h(127.0.0.1)
SlurmctldPort=$_port
SlurmdPort=$((_port + 1))
AuthType=auth/munge
AuthInfo=socket=$SLURM_DIR/munge/sock
CredType=cred/munge
StateSaveLocation=$SLURM_DIR/state
SlurmdSpoolDir=$SLURM_DIR/spool
SlurmctldPidFile=$SLURM_DIR/slurmctld.pid
SlurmdPidFile=$SLURM_DIR/slurmd.pid
SlurmctldLogFile=$SLURM_DIR/log/ctld.log
SlurmdLogFile=$SLURM_DIR/log/d.log
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
SchedulerType=sched/backfill
SelectType=select/cons_tres
SelectTypeParameters=CR_Core
ReturnToService=2
SlurmUser=root
MpiDefault=none
JobCompType=jobcomp/none
AccountingStorageType=accounting_storage/none
KillWait=5
MinJobAge=300
NodeName=$_h NodeAddr=127.0.0.1 CPUs=2 State=UNKNOWN
PartitionName=debug Nodes=$_h Default=YES MaxTime=INFINITE State=UP
CONF
	SLURM_CONF=$SLURM_DIR/slurm.conf
	export SLURM_CONF
	slurmctld -i >"$SLURM_DIR/log/ctld.out" 2>&1 ||
	    test_skip_all "slurmctld would not start: $(tail -n 1 \
	    "$SLURM_DIR/log/ctld.log" 2>/dev/null)"
	slurmd >"$SLURM_DIR/log/d.out" 2>&1 ||
	    test_skip_all "slurmd would not start: $(tail -n 1 \
	    "$SLURM_DIR/log/d.log" 2>/dev/null)"
	_i=0
	until sinfo -h -o %T 2>/dev/null | grep -q idle; do
		_i=$((_i + 1))
		[ $_i -gt 1500 ] && test_skip_all "the node never became idle: \
$(sinfo -h -o %T 2>&1 | head -n 1)"
		sleep 0.02
	done
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
