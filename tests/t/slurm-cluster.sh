# slurm-cluster.sh - a real single-node Slurm (Debian's slurm-wlm and
# munge) in a folder of one's own, for this host: munged, slurmctld and
# slurmd on the loopback address, on ports and state folders of their
# own, so that it disturbs no other cluster.  Sourced (POSIX sh) by the
# tests (tests/t/slurm.sh) and by bench/sweep.sh.
#
# slurm_cluster_start DIR: make DIR (its parent must exist; both become
# mode 711, as munged refuses a socket folder others can write to and
# must reach it), start the daemons, wait until the node is idle, and
# export SLURM_CONF.  0 when it runs; else 1 with the reason in
# SLURM_WHY (what did start is stopped by slurm_cluster_stop).  Needs
# root.
# slurm_cluster_stop: stop what slurm_cluster_start started, and only
# that (by the pid files in its folder).

# _slurm_fail REASON: set SLURM_WHY, return 1.
_slurm_fail() {
	SLURM_WHY=$1
	return 1
}

slurm_cluster_stop() {
	[ -n "${SLURM_DIR:-}" ] || return 0
	for _f in "$SLURM_DIR/slurmd.pid" "$SLURM_DIR/slurmctld.pid" \
	    "$SLURM_DIR/munged.pid"; do
		[ -s "$_f" ] || continue
		_p=$(cat "$_f")
		kill -TERM "$_p" 2>/dev/null || continue
		_i=0
		while kill -0 "$_p" 2>/dev/null && [ $_i -lt 250 ]; do
			sleep 0.02
			_i=$((_i + 1))
		done
		kill -KILL "$_p" 2>/dev/null || :
	done
}

slurm_cluster_start() {
	SLURM_DIR=$1
	for _p in munged slurmctld slurmd sbatch squeue scancel sinfo; do
		command -v "$_p" >/dev/null 2>&1 ||
		    _slurm_fail "no $_p (apt-get install slurm-wlm munge)" ||
		    return 1
	done
	[ "$(id -u)" -eq 0 ] || _slurm_fail "slurmd must run as root here" ||
	    return 1
	id munge >/dev/null 2>&1 || _slurm_fail "no munge user" || return 1
	[ -r /etc/munge/munge.key ] ||
	    _slurm_fail "no /etc/munge/munge.key (mungekey --create)" ||
	    return 1
	mkdir -p "$SLURM_DIR/state" "$SLURM_DIR/spool" "$SLURM_DIR/log" \
	    "$SLURM_DIR/munge" || return 1
	chown munge "$SLURM_DIR/munge"
	chmod 711 "$SLURM_DIR/munge" "$SLURM_DIR" "$(dirname "$SLURM_DIR")"
	su -s /bin/sh munge -c "/usr/sbin/munged \
	    --socket=$SLURM_DIR/munge/sock \
	    --pid-file=$SLURM_DIR/munge/munged.pid \
	    --log-file=$SLURM_DIR/munge/munged.log \
	    --seed-file=$SLURM_DIR/munge/seed" ||
	    _slurm_fail "munged would not start" || return 1
	cp "$SLURM_DIR/munge/munged.pid" "$SLURM_DIR/munged.pid"
	# Ports of this process; another one picks others.
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
	    _slurm_fail "slurmctld would not start: $(tail -n 1 \
	    "$SLURM_DIR/log/ctld.log" 2>/dev/null)" || return 1
	slurmd >"$SLURM_DIR/log/d.out" 2>&1 ||
	    _slurm_fail "slurmd would not start: $(tail -n 1 \
	    "$SLURM_DIR/log/d.log" 2>/dev/null)" || return 1
	_i=0
	until sinfo -h -o %T 2>/dev/null | grep -q idle; do
		_i=$((_i + 1))
		[ $_i -gt 1500 ] && { _slurm_fail "the node never became \
idle: $(sinfo -h -o %T 2>&1 | head -n 1)"; return 1; }
		sleep 0.02
	done
	return 0
}
