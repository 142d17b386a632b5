# run-lib.sh - helpers for the t1xxx mlp-run tests; sourced after lib.sh.
XDG_CACHE_HOME=$TRASH/cache
GIT_AUTHOR_NAME=Tester GIT_AUTHOR_EMAIL=t@example.org
GIT_COMMITTER_NAME=Tester GIT_COMMITTER_EMAIL=t@example.org
GIT_CONFIG_NOSYSTEM=1
export XDG_CACHE_HOME GIT_AUTHOR_NAME GIT_AUTHOR_EMAIL GIT_COMMITTER_NAME \
    GIT_COMMITTER_EMAIL GIT_CONFIG_NOSYSTEM
unset MLP_DEBUG 2>/dev/null || :
# Under --enable-sanitizers: libgit2's own leaks are not ours.
LSAN_OPTIONS="suppressions=$MLP_SRCDIR/tests/t/lsan-libgit2.supp:print_suppressions=0${LSAN_OPTIONS:+:$LSAN_OPTIONS}"
export LSAN_OPTIONS

# run_id_of FILE: the run id from mlp-run's "=== Running command" line.
run_id_of() {
	sed -n "s/.* in run with ID '\([0-9a-f]*\)' ===.*/\1/p" "$1" | tail -n 1
}

# run_dir ID [EXPERIMENT]: the folder of a run.
run_dir() {
	echo "$MLFLOW_TRACKING_URI/${2:-0}/$1"
}

# runs_in [EXPERIMENT]: the run folders of an experiment, one a line.
runs_in() {
	for _r in "$MLFLOW_TRACKING_URI/${1:-0}"/*; do
		_r=${_r##*/}
		case $_r in
		[0-9a-f]*) [ ${#_r} -eq 32 ] && echo "$_r" ;;
		esac
	done
	return 0
}

# status_of DIR: the status number in a run's meta.yaml.
status_of() {
	sed -n 's/^status: //p' "$1/meta.yaml"
}

# tag_is DIR KEY VALUE
tag_is() {
	_v=$(cat "$1/tags/$2") || return 1
	[ "$_v" = "$3" ] || { echo "tag $2 is '$_v', want '$3'" >&2; return 1; }
}

# param_is DIR KEY VALUE
param_is() {
	_v=$(cat "$1/params/$2") || return 1
	[ "$_v" = "$3" ] || { echo "param $2 is '$_v', want '$3'" >&2; return 1; }
}

# git_commit_all DIR [MESSAGE]: commit everything in the repository DIR.
git_commit_all() {
	(cd "$1" && git add -A && git commit -q -m "${2:-commit}")
}
