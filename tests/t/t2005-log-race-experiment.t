#!/bin/sh
# t2005-log-race-experiment.t: many processes starting runs in one new
# experiment name at the same moment make exactly one experiment, and
# none of them fails because another created it first.
. "$(dirname "$0")/lib.sh"
. "$TEST_DIRECTORY/run-lib.sh"

TRIES=${MLP_STRESS_TRIES:-50}

# together N COMMAND...: run N copies of COMMAND at the same moment, the
# i-th with its output in out.i, errors in err.i and exit status in rc.i.
# Each copy waits on a read from the FIFO go until all are waiting; this
# shell keeps go open for writing, so none can miss the start.
together() {
	_n=$1
	shift
	rm -f go ready.* out.* err.* rc.* && mkfifo go && exec 3<>go
	_i=1
	while [ "$_i" -le "$_n" ]; do
		(
			: >"ready.$_i"
			read -r _ <go
			"$@" >"out.$_i" 2>"err.$_i"
			echo $? >"rc.$_i"
		) &
		_i=$((_i + 1))
	done
	while [ "$(find . -maxdepth 1 -name 'ready.*' | wc -l)" -lt "$_n" ]; do
		sleep 0.01
	done
	_i=0
	while [ "$_i" -lt "$_n" ]; do
		echo go >&3
		_i=$((_i + 1))
	done
	wait
	exec 3>&-
}

# named STORE NAME: how many experiment folders are called NAME.
named() {
	grep -lx "name: $2" "$1"/*/meta.yaml "$1"/.trash/*/meta.yaml \
	    2>/dev/null | wc -l
}

# all_ok N STORE NAME: every copy exited 0 and its run is in NAME.
all_ok() {
	_e=$(dirname "$(grep -lx "name: $3" "$2"/*/meta.yaml)") || return 1
	_i=1
	while [ "$_i" -le "$1" ]; do
		[ "$(cat "rc.$_i")" = 0 ] ||
			{ echo "copy $_i: exit $(cat "rc.$_i")"; cat "err.$_i"; return 1; }
		_id=$(cat "out.$_i")
		[ -f "$_e/$_id/meta.yaml" ] ||
			{ echo "copy $_i: run '$_id' not in $_e"; return 1; }
		_i=$((_i + 1))
	done
}

test_expect_success "8 mlp-log start -e NAME at once, $TRIES times: one NAME" '
	t=0 &&
	while [ "$t" -lt "$TRIES" ]; do
		t=$((t + 1)) &&
		s=$TRASH/s$t &&
		together 8 mlp-log -s "$s" start -e "exp $t" &&
		n=$(named "$s" "exp $t") &&
		{ [ "$n" -eq 1 ] ||
			{ echo "try $t: $n experiments named exp $t"; false; }; } &&
		all_ok 8 "$s" "exp $t" &&
		{ [ "$(find "$s" -name ".mlp-tmp.*" | wc -l)" -eq 0 ] ||
			{ echo "try $t: temporaries left"; false; }; } &&
		rm -rf "$s" || return 1
	done
'

mkdir proj
cat >proj/MLproject <<'YAML'
name: trivial
entry_points:
  main:
    command: "true"
YAML

RUN_TRIES=$(((TRIES + 4) / 5))
test_expect_success "4 mlp-run --experiment-name at once, $RUN_TRIES times" '
	t=0 &&
	while [ "$t" -lt "$RUN_TRIES" ]; do
		t=$((t + 1)) &&
		together 4 mlp-run --experiment-name "run $t" proj &&
		n=$(named "$MLFLOW_TRACKING_URI" "run $t") &&
		{ [ "$n" -eq 1 ] ||
			{ echo "try $t: $n experiments named run $t"; false; }; } &&
		e=$(dirname "$(grep -lx "name: run $t" "$MLFLOW_TRACKING_URI"/*/meta.yaml)") &&
		i=1 &&
		while [ "$i" -le 4 ]; do
			{ [ "$(cat "rc.$i")" = 0 ] ||
				{ echo "copy $i: exit $(cat "rc.$i")"; cat "err.$i"; false; }; } &&
			id=$(run_id_of "err.$i") &&
			{ [ "$(status_of "$e/$id")" = 3 ] ||
				{ echo "copy $i: run $id not finished in $e"; false; }; } &&
			i=$((i + 1)) || return 1
		done || return 1
	done
'
test_done
