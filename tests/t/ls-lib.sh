# ls-lib.sh - build small mlruns stores by hand for the mlp-ls tests
# (sourced after lib.sh).  Files are written as MLflow 3.3 writes them.

# mkexp ID NAME [active|deleted]
mkexp() {
	_d=mlruns/$1
	[ "${3:-active}" = deleted ] && _d=mlruns/.trash/$1
	mkdir -p "$_d" mlruns/.trash
	cat >"$_d/meta.yaml" <<-EOM
	artifact_location: file:///s/$1
	creation_time: 1700000000000
	experiment_id: '$1'
	last_update_time: 1700000000000
	lifecycle_stage: ${3:-active}
	name: $2
	EOM
}

# mkrun EXP RUNID NAME START_MS STATUS(1-5) [END_MS|null] [active|deleted]
mkrun() {
	_e=mlruns/$1
	[ -d "$_e" ] || _e=mlruns/.trash/$1
	mkdir -p "$_e/$2/metrics" "$_e/$2/params" "$_e/$2/tags" \
	    "$_e/$2/artifacts"
	cat >"$_e/$2/meta.yaml" <<-EOM
	artifact_uri: file:///s/$1/$2/artifacts
	end_time: ${6:-null}
	entry_point_name: ''
	experiment_id: '$1'
	lifecycle_stage: ${7:-active}
	run_id: $2
	run_name: $3
	source_name: ''
	source_type: 4
	source_version: ''
	start_time: $4
	status: $5
	tags: []
	user_id: tester
	EOM
	printf '%s' "$3" >"$_e/$2/tags/mlflow.runName"
}

# rundir RUNID: the folder of a run
rundir() {
	for _r in mlruns/*/"$1" mlruns/.trash/*/"$1"; do
		[ -d "$_r" ] && { echo "$_r"; return; }
	done
}

# param RUNID KEY VALUE / tag RUNID KEY VALUE (no trailing newline)
param() { mkdir -p "$(dirname "$(rundir "$1")/params/$2")"; printf '%s' "$3" >"$(rundir "$1")/params/$2"; }
tag() { mkdir -p "$(dirname "$(rundir "$1")/tags/$2")"; printf '%s' "$3" >"$(rundir "$1")/tags/$2"; }
# metric RUNID KEY "ts value step" ... (one line each)
metric() {
	_f=$(rundir "$1")/metrics/$2
	mkdir -p "$(dirname "$_f")"
	shift 2
	for _l in "$@"; do printf '%s\n' "$_l"; done >>"$_f"
}

# ids: the run ids mlp-ls prints (-c run_id), one line each, for test_cmp.
ids() {
	mlp-ls -c run_id "$@"
}

# want ID...: the expected ids, one per line, into file "want".
want() {
	: >want
	for _i in "$@"; do echo "$_i" >>want; done
}
