#!/bin/sh
# t1003-run-git.t: the exact code of a run: commit, dirty state, the diff
# that rebuilds the work tree, versions in separate checkouts, remotes.
. "$(dirname "$0")/lib.sh"
. "$TEST_DIRECTORY/run-lib.sh"

mkdir repo
cat >repo/MLproject <<'YAML'
name: gitdemo
entry_points:
  main:
    command: "cat version.txt >\"$OUT\""
YAML
OUT=$TRASH/out.txt
export OUT
printf 'mlruns/\n*.log\n' >repo/.gitignore
echo v1 >repo/version.txt
printf 'line 1\nline 2\n' >repo/text.txt
printf 'gone\n' >repo/deleted.txt
printf '#!/bin/sh\n' >repo/tool.sh
head -c 4096 /dev/urandom >repo/blob.bin
mkdir repo/sub && echo sub >repo/sub/file.txt
(cd repo && git init -q -b main && git remote add origin \
    https://example.org/demo.git && git add -A && git commit -q -m v1 &&
    git tag v1.0)

test_expect_success 'a clean tree records commit, branch, remote' '
	rm -f out.txt && mlp-run repo 2>err &&
	d=$(run_dir "$(run_id_of err)") &&
	tag_is "$d" mlflow.source.git.commit "$(git -C repo rev-parse HEAD)" &&
	tag_is "$d" mlflow.source.git.branch main &&
	tag_is "$d" mlflow.source.git.repoURL https://example.org/demo.git &&
	tag_is "$d" mlflow.source.name "file://$TRASH/repo" &&
	tag_is "$d" mlp.git.dirty false &&
	test ! -e "$d/artifacts/mlp/git.diff" && test ! -e "$d/tags/mlp.git.diff"
'
test_expect_success 'a store inside the work tree does not make it dirty' '
	(cd repo && MLFLOW_TRACKING_URI=$TRASH/repo/inner-store mlp-run . \
	    2>../err) &&
	d=$TRASH/repo/inner-store/0/$(run_id_of err) &&
	tag_is "$d" mlp.git.dirty false && rm -rf repo/inner-store
'
test_expect_success 'the same without the git program (libgit2)' '
	mkdir nogit-bin && ln -s "$(command -v cat)" nogit-bin/cat &&
	(cd repo && PATH=$MLP_BUILD_DIR/tools:$TRASH/nogit-bin \
	    MLFLOW_TRACKING_URI=$TRASH/repo/inner-store \
	    "$MLP_BUILD_DIR/tools/mlp-run" . 2>../err) &&
	d=$TRASH/repo/inner-store/0/$(run_id_of err) &&
	tag_is "$d" mlp.git.dirty false && rm -rf repo/inner-store
'
test_expect_success 'a store inside a dirty tree is not in the diff' '
	echo change >>repo/text.txt &&
	(cd repo && MLFLOW_TRACKING_URI=$TRASH/repo/inner-store mlp-run . \
	    2>../err) &&
	d=$TRASH/repo/inner-store/0/$(run_id_of err) &&
	tag_is "$d" mlp.git.dirty true &&
	grep "^+change" "$d/artifacts/mlp/git.diff" &&
	! grep inner-store "$d/artifacts/mlp/git.diff" &&
	rm -rf repo/inner-store && git -C repo checkout -q text.txt
'
test_expect_success 'a sub-folder project is named repo#sub' '
	cp repo/MLproject repo/sub/ && echo subv >repo/sub/version.txt &&
	git_commit_all repo "sub project" &&
	rm -f out.txt && mlp-run repo#sub 2>err && d=$(run_dir "$(run_id_of err)") &&
	tag_is "$d" mlflow.source.name "file://$TRASH/repo#sub" &&
	test "$(cat out.txt)" = subv
'
test_expect_success 'make the tree dirty in every way' '
	(cd repo &&
	printf "line 1\nline two\nline 3\n" >text.txt &&
	rm deleted.txt && chmod +x tool.sh &&
	head -c 3000 /dev/urandom >blob.bin &&
	echo new >untracked.txt && mkdir -p new/deep &&
	head -c 999 /dev/urandom >new/deep/data.bin && : >empty.txt &&
	printf "no newline" >sub/file.txt && echo ignored >x.log &&
	echo staged >staged.txt && git add staged.txt)
'
test_expect_success 'a dirty tree is recorded with a diff' '
	rm -f out.txt && mlp-run repo 2>err && d=$(run_dir "$(run_id_of err)") &&
	tag_is "$d" mlp.git.dirty true && tag_is "$d" mlp.git.diff complete &&
	test -s "$d/artifacts/mlp/git.diff" &&
	! grep "x.log" "$d/artifacts/mlp/git.diff" &&
	! grep "mlruns" "$d/artifacts/mlp/git.diff" &&
	echo "$d" >dirty-run
'
test_expect_success 'without the git program libgit2 finds the same' '
	PATH=$MLP_BUILD_DIR/tools:$TRASH/nogit-bin \
	    "$MLP_BUILD_DIR/tools/mlp-run" repo 2>err &&
	d=$(run_dir "$(run_id_of err)") && first=$(cat dirty-run) &&
	tag_is "$d" mlp.git.dirty true &&
	tag_is "$d" mlflow.source.git.commit "$(git -C repo rev-parse HEAD)" &&
	tag_is "$d" mlflow.source.git.branch main &&
	cmp "$first/artifacts/mlp/git.diff" "$d/artifacts/mlp/git.diff"
'
test_expect_success 'git apply on a clean checkout rebuilds the tree exactly' '
	d=$(cat dirty-run) &&
	git clone -q repo rebuilt &&
	git -C rebuilt checkout -q "$(cat "$d/tags/mlflow.source.git.commit")" &&
	(cd rebuilt && git apply "$d/artifacts/mlp/git.diff") &&
	diff -r -x .git -x x.log -x mlruns repo rebuilt &&
	for f in blob.bin new/deep/data.bin sub/file.txt empty.txt; do
		cmp "repo/$f" "rebuilt/$f" || exit 1
	done &&
	test -x rebuilt/tool.sh && test ! -e rebuilt/deleted.txt
'
test_expect_success '--require-clean refuses a dirty tree; no run' '
	n=$(runs_in | wc -l) &&
	test_expect_code 1 mlp-run --require-clean repo 2>err &&
	grep "uncommitted changes" err && test "$(runs_in | wc -l)" -eq "$n"
'
test_expect_success '--max-diff-size caps the diff: mlp.git.diff=truncated' '
	rm -f out.txt && mlp-run --max-diff-size 1k repo 2>err && d=$(run_dir "$(run_id_of err)") &&
	tag_is "$d" mlp.git.diff truncated &&
	size=$(wc -c <"$d/artifacts/mlp/git.diff") && test "$size" -le 1024
'
test_expect_success 'commit the changes' '
	rm -f repo/x.log && git_commit_all repo v2 &&
	echo v2 >repo/version.txt && git_commit_all repo v2b &&
	git -C repo branch old v1.0
'
test_expect_success '-v runs a version in its own checkout' '
	git -C repo status --porcelain >status.before &&
	head=$(git -C repo rev-parse HEAD) &&
	rm -f out.txt && mlp-run -v v1.0 repo 2>err && test "$(cat out.txt)" = v1 &&
	d=$(run_dir "$(run_id_of err)") &&
	tag_is "$d" mlflow.source.git.commit "$(git -C repo rev-parse v1.0)" &&
	test ! -e "$d/tags/mlflow.source.git.branch" &&
	tag_is "$d" mlp.git.dirty false &&
	test "$(git -C repo rev-parse HEAD)" = "$head" &&
	git -C repo status --porcelain >status.after &&
	test_cmp status.before status.after &&
	test "$(cat repo/version.txt)" = v2
'
test_expect_success '-v with a branch records the branch' '
	rm -f out.txt && mlp-run -v old repo 2>err && test "$(cat out.txt)" = v1 &&
	tag_is "$(run_dir "$(run_id_of err)")" mlflow.source.git.branch old
'
test_expect_success '-v with a short and a full commit id' '
	c=$(git -C repo rev-parse v1.0) &&
	short=$(git -C repo rev-parse --short=7 v1.0) &&
	rm -f out.txt && mlp-run -q -v "$short" repo && test "$(cat out.txt)" = v1 &&
	rm -f out.txt && mlp-run -v "$c" repo 2>err &&
	tag_is "$(run_dir "$(run_id_of err)")" mlflow.source.git.commit "$c"
'
test_expect_success '-v with a sub-folder runs that folder of the version' '
	rm -f out.txt && mlp-run -v main "repo#sub" 2>err && test "$(cat out.txt)" = subv &&
	tag_is "$(run_dir "$(run_id_of err)")" mlflow.source.name \
	    "file://$TRASH/repo#sub"
'
test_expect_success '-v with an unknown version fails before any run' '
	n=$(runs_in | wc -l) &&
	test_expect_code 1 mlp-run -v no-such-ref repo 2>err &&
	grep "no-such-ref" err && test "$(runs_in | wc -l)" -eq "$n"
'
test_expect_success '-v outside git is an error' '
	mkdir plain && cp repo/MLproject repo/version.txt plain/ &&
	test_expect_code 1 mlp-run -v main plain 2>err &&
	grep "only supported for Git" err
'
test_expect_success 'a remote repository is cloned (file:// URL)' '
	git clone -q --bare repo remote.git &&
	rm -f out.txt && mlp-run "file://$TRASH/remote.git" 2>err &&
	test "$(cat out.txt)" = v2 &&
	grep "=== Fetching project from file://$TRASH/remote.git ===" err &&
	d=$(run_dir "$(run_id_of err)") &&
	tag_is "$d" mlflow.source.name "file://$TRASH/remote.git" &&
	tag_is "$d" mlflow.source.git.repoURL "file://$TRASH/remote.git" &&
	tag_is "$d" mlflow.source.git.branch main &&
	tag_is "$d" mlflow.source.git.commit "$(git -C repo rev-parse HEAD)" &&
	test -d "$XDG_CACHE_HOME/mlp/projects"
'
test_expect_success 'the clone is reused and fetches new commits' '
	ls "$XDG_CACHE_HOME/mlp/projects" >clones.before &&
	git clone -q remote.git work && echo v3 >work/version.txt &&
	git_commit_all work v3 && git -C work push -q origin main &&
	rm -f out.txt && mlp-run -q "file://$TRASH/remote.git" && test "$(cat out.txt)" = v3 &&
	ls "$XDG_CACHE_HOME/mlp/projects" >clones.after &&
	test_cmp clones.before clones.after
'
test_expect_success 'a bare repository given by its path is cloned too' '
	rm -f out.txt && mlp-run remote.git 2>err && test "$(cat out.txt)" = v3 &&
	tag_is "$(run_dir "$(run_id_of err)")" mlflow.source.name remote.git
'
test_expect_success 'a remote with -v TAG and #subdir' '
	rm -f out.txt && mlp-run -v v1.0 "file://$TRASH/remote.git" 2>err &&
	test "$(cat out.txt)" = v1 &&
	rm -f out.txt && mlp-run -v main "file://$TRASH/remote.git#sub" 2>err &&
	test "$(cat out.txt)" = subv &&
	tag_is "$(run_dir "$(run_id_of err)")" mlflow.source.name \
	    "file://$TRASH/remote.git#sub"
'
test_expect_success 'an unreachable remote is an error before any run' '
	n=$(runs_in | wc -l) &&
	test_expect_code 1 mlp-run "file://$TRASH/nope.git" 2>err &&
	test "$(runs_in | wc -l)" -eq "$n"
'
test_done
