#!/bin/sh
# t1500-run-code-fingerprint.t: mlp.code.xxh128, the fingerprint of the
# tree a run ran: the same for a dirty work tree (untracked files too) and
# a checkout of a commit holding the same files; different for any change
# of content, mode or name; blind to ignored files and the store.
. "$(dirname "$0")/lib.sh"
. "$TEST_DIRECTORY/run-lib.sh"

mkdir repo
cat >repo/MLproject <<'YAML'
name: fp
entry_points:
  main:
    command: "true"
YAML
printf 'mlruns/\n*.log\n' >repo/.gitignore
echo v1 >repo/code.txt
mkdir repo/sub && echo s >repo/sub/s.txt
(cd repo && git init -q -b main && git add -A && git commit -q -m v1)

# fp_of ERRFILE: the fingerprint tag of the run mlp-run reported.
fp_of() {
	printf "%s\n" "$(cat "$(run_dir "$(run_id_of "$1")")/tags/mlp.code.xxh128")"
}

test_expect_success 'a clean run records a fingerprint' '
	mlp-run repo 2>err && fp_of err >clean.fp &&
	grep -E "^[0-9a-f]{32}$" clean.fp
'
test_expect_success 'the same tree gives the same fingerprint' '
	mlp-run repo 2>err && fp_of err >again.fp && test_cmp clean.fp again.fp
'
test_expect_success 'ignored files and a store inside do not count' '
	echo noise >repo/x.log &&
	(cd repo && MLFLOW_TRACKING_URI=$TRASH/repo/mlruns mlp-run . 2>../err) &&
	echo "$(cat "repo/mlruns/0/$(run_id_of err)/tags/mlp.code.xxh128")" \
	    >in.fp &&
	test_cmp clean.fp in.fp && rm -rf repo/mlruns repo/x.log
'
test_expect_success 'a dirty tree (edit, untracked, deleted, mode)' '
	echo v2 >repo/code.txt && echo new >repo/untracked.txt &&
	rm repo/sub/s.txt && printf "#!/bin/sh\n" >repo/run.sh &&
	chmod +x repo/run.sh && ln -s code.txt repo/link &&
	mlp-run repo 2>err && fp_of err >dirty.fp &&
	! test_cmp clean.fp dirty.fp >/dev/null
'
test_expect_success 'a checkout of the same files gives the same one' '
	git_commit_all repo v2 &&
	mlp-run -v HEAD repo 2>err && fp_of err >v2.fp &&
	test_cmp dirty.fp v2.fp &&
	mlp-run repo 2>err && fp_of err >v2clean.fp && test_cmp dirty.fp v2clean.fp
'
test_expect_success 'the executable bit alone changes it' '
	chmod -x repo/run.sh &&
	mlp-run repo 2>err && fp_of err >mode.fp &&
	! test_cmp dirty.fp mode.fp >/dev/null && chmod +x repo/run.sh
'
test_expect_success 'a renamed file changes it' '
	mv repo/untracked.txt repo/untracked2.txt &&
	mlp-run repo 2>err && fp_of err >ren.fp &&
	! test_cmp dirty.fp ren.fp >/dev/null &&
	mv repo/untracked2.txt repo/untracked.txt
'
test_expect_success 'the older commit by -v gives the first fingerprint' '
	mlp-run -v HEAD~1 repo 2>err && fp_of err >v1.fp &&
	test_cmp clean.fp v1.fp
'
# spec_fp DIR: the fingerprint computed from its definition with xxhsum:
# XXH3-128 of "<mode> <path>\0<xxh128 of content>\n" per file, sorted.
spec_fp() {
	(cd "$1" && git ls-files -z --cached --others --exclude-standard |
	    tr "\0" "\n" | LC_ALL=C sort -u | while IFS= read -r f; do
		if [ -L "$f" ]; then
			m=120000 h=$(printf %s "$(readlink "$f")" | xxhsum -H2)
		elif [ -f "$f" ]; then
			m=100644; [ -x "$f" ] && m=100755
			h=$(xxhsum -H2 <"$f")
		else
			continue
		fi
		printf "%s %s\000%s\n" "$m" "$f" "${h%% *}"
	done) | xxhsum -H2 | cut -d" " -f1
}
command -v xxhsum >/dev/null && test_set_prereq XXHSUM

test_expect_success XXHSUM 'the fingerprint is what its definition says' '
	echo new2 >repo/untracked3.txt &&
	mlp-run repo 2>err && fp_of err >got &&
	spec_fp repo >want && test_cmp want got && rm repo/untracked3.txt
'
test_expect_success 'a file list too long to read whole: no fingerprint' '
	mkdir many && cp repo/MLproject many/ &&
	(cd many && git init -q -b main && git add MLproject &&
	    git commit -q -m m) &&
	python3 -c "
import os
for i in range(18000):
    open(\"many/%05d%s\" % (i, \"x\" * 230), \"w\").close()
" &&
	mlp-run many 2>err &&
	test ! -e "$(run_dir "$(run_id_of err)")/tags/mlp.code.xxh128" &&
	tag_is "$(run_dir "$(run_id_of err)")" mlp.git.dirty true
'
test_expect_success 'no git, no fingerprint' '
	mkdir plain && cp repo/MLproject plain/ &&
	mlp-run plain 2>err &&
	test ! -e "$(run_dir "$(run_id_of err)")/tags/mlp.code.xxh128"
'
test_done
