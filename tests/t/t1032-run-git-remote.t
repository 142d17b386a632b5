#!/bin/sh
# t1032-run-git-remote.t: the remote's URL is recorded wherever git's
# configuration defines it (the repository, ~/.gitconfig, the XDG file,
# an included file, any case), and no tag is written without a remote:
# mlp-run skips libgit2 only when no configuration file can hold one.
. "$(dirname "$0")/lib.sh"
. "$TEST_DIRECTORY/run-lib.sh"

HOME=$TRASH/home
XDG_CONFIG_HOME=$TRASH/xdg
export HOME XDG_CONFIG_HOME
unset GIT_CONFIG_GLOBAL GIT_CONFIG_SYSTEM GIT_CONFIG_NOSYSTEM \
    GIT_CONFIG_COUNT
mkdir "$HOME" "$XDG_CONFIG_HOME" repo
printf 'entry_points:\n  main:\n    command: "true"\n' >repo/MLproject
(cd repo && git init -q -b main && git add -A &&
    git -c user.name=t -c user.email=t@t commit -q -m v1)

if ! grep -qi -e remote -e include /etc/gitconfig 2>/dev/null; then
	test_set_prereq NOSYSREMOTE
fi

# url_of: the repoURL tag of the run mlp-run made, or "none".
url_of() {
	mlp-run repo 2>err &&
	d=$(run_dir "$(run_id_of err)") &&
	if test -f "$d/tags/mlflow.source.git.repoURL"; then
		cat "$d/tags/mlflow.source.git.repoURL"
	else
		echo none
	fi
}

test_expect_success NOSYSREMOTE 'no remote anywhere: no repoURL tag' '
	test "$(url_of)" = none
'
test_expect_success 'a remote in ~/.gitconfig is recorded' '
	test_when_finished "rm -f \"$HOME/.gitconfig\"" &&
	printf "[remote \"up\"]\n\turl = https://example.org/home.git\n" \
	    >"$HOME/.gitconfig" &&
	test "$(url_of)" = https://example.org/home.git
'
test_expect_success 'a remote in $XDG_CONFIG_HOME/git/config is recorded' '
	test_when_finished "rm -rf \"$XDG_CONFIG_HOME/git\"" &&
	mkdir "$XDG_CONFIG_HOME/git" &&
	printf "[remote \"up\"]\n\turl = https://example.org/xdg.git\n" \
	    >"$XDG_CONFIG_HOME/git/config" &&
	test "$(url_of)" = https://example.org/xdg.git
'
test_expect_success 'a remote in an included file is recorded' '
	test_when_finished "git -C repo config --unset include.path" &&
	printf "[Remote \"up\"]\n\turl = https://example.org/inc.git\n" \
	    >"$TRASH/inc.conf" &&
	git -C repo config include.path "$TRASH/inc.conf" &&
	test "$(url_of)" = https://example.org/inc.git
'
test_expect_success 'a remote section in capitals is recorded' '
	test_when_finished "git -C repo remote remove up" &&
	printf "[REMOTE \"up\"]\n\turl = https://example.org/caps.git\n" \
	    >>repo/.git/config &&
	test "$(url_of)" = https://example.org/caps.git
'
test_expect_success 'origin first, as before' '
	git -C repo remote add b https://example.org/b.git &&
	git -C repo remote add origin https://example.org/o.git &&
	test "$(url_of)" = https://example.org/o.git
'
test_done
