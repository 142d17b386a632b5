#!/bin/sh
# t1020-run-hostile.t: projects that try to make the record lie or to
# stop mlp-run: code that edits its own checkout, symlinks out of the
# checkout, FIFOs, endless and deeply nested files, duplicate keys,
# several documents, submodules, broken remote refs, signals while the
# project is fetched.
. "$(dirname "$0")/lib.sh"
. "$TEST_DIRECTORY/run-lib.sh"

OUT=$TRASH/out.txt
export OUT

# no_new_run N: no run was created since there were N.
no_new_run() {
	test "$(runs_in | wc -l)" -eq "$1"
}

# leftover_checkouts: the per-run checkouts still in the cache.
leftover_checkouts() {
	find "$XDG_CACHE_HOME/mlp/projects" -mindepth 2 -maxdepth 2 \
	    -name 'run-*' 2>/dev/null
}

# A project that changes its own checkout: the MLproject, and a new file.
mkdir self
cat >self/MLproject <<'YAML'
# state: ORIGINAL
entry_points:
  main:
    command: "sed -n 's/^# state: //p' MLproject >>\"$OUT\"; test ! -e new.txt || echo LEFTOVER >>\"$OUT\"; sed -i 's/^# state: .*/# state: TAMPERED/' MLproject; echo x >new.txt"
  hold:
    command: "pwd >>\"$OUT.dirs\"; while test ! -e \"$OUT.go\"; do sleep 0.1; done"
YAML
(cd self && git init -q -b main && git add -A && git commit -q -m one &&
    echo two >two.txt && git add two.txt && git commit -q -m two)

test_expect_success 'a project that edits its checkout: the next run from a URI is pristine' '
	rm -f out.txt &&
	mlp-run "file://$TRASH/self" 2>err1 && mlp-run "file://$TRASH/self" 2>err2 &&
	printf "ORIGINAL\nORIGINAL\n" >expect && test_cmp expect out.txt &&
	for e in err1 err2; do
		d=$(run_dir "$(run_id_of $e)") &&
		tag_is "$d" mlflow.source.git.commit \
		    "$(git -C self rev-parse HEAD)" &&
		tag_is "$d" mlp.git.dirty false &&
		test ! -e "$d/artifacts/mlp/git.diff" || exit 1
	done &&
	test -z "$(leftover_checkouts)"
'
test_expect_success 'the same with -v on a local repository' '
	rm -f out.txt &&
	mlp-run -q -v main self && mlp-run -v main self 2>err &&
	printf "ORIGINAL\nORIGINAL\n" >expect && test_cmp expect out.txt &&
	d=$(run_dir "$(run_id_of err)") &&
	tag_is "$d" mlflow.source.git.commit "$(git -C self rev-parse HEAD)" &&
	tag_is "$d" mlp.git.dirty false &&
	test -z "$(git -C self status --porcelain)" &&
	test -z "$(leftover_checkouts)"
'
test_expect_success 'two runs of one commit at once each get their own tree' '
	rm -f out.txt.dirs out.txt.go
	mlp-run -q -e hold "file://$TRASH/self" &
	p1=$!
	mlp-run -q -e hold "file://$TRASH/self" &
	p2=$!
	i=0 && while test "$(cat out.txt.dirs 2>/dev/null | wc -l)" -lt 2 &&
	    test $i -lt 600; do sleep 0.1; i=$((i + 1)); done &&
	test "$(sort -u out.txt.dirs | wc -l)" -eq 2 &&
	test "$(leftover_checkouts | wc -l)" -eq 2 &&
	touch out.txt.go && wait $p1 && wait $p2 &&
	test -z "$(leftover_checkouts)" &&
	while read -r dir; do test ! -e "$dir" || exit 1; done <out.txt.dirs
'
test_expect_success 'the checkout of a killed mlp-run is swept by the next fetch' '
	rm -f out.txt.dirs out.txt.go
	mlp-run -q -e hold "file://$TRASH/self" &
	p=$!
	i=0 && while test ! -s out.txt.dirs && test $i -lt 600; do
		sleep 0.1; i=$((i + 1)); done &&
	kill -9 $p && { wait $p 2>/dev/null; test $? -eq 137; } &&
	touch out.txt.go && left=$(cat out.txt.dirs) && test -d "$left" &&
	rm -f out.txt && mlp-run -q "file://$TRASH/self" &&
	test ! -e "$left" && test -z "$(leftover_checkouts)"
'
test_expect_success 'concurrent runs of a remote that moved on all fetch it' '
	git clone -q --bare self busy.git && git clone -q busy.git busywork &&
	rm -f out.txt busy.err &&
	for round in 1 2 3; do
		echo $round >>busywork/round.txt &&
		git_commit_all busywork "round $round" &&
		git -C busywork push -q origin main || exit 1
		pids=
		for k in 1 2 3 4; do
			mlp-run -q "file://$TRASH/busy.git" 2>>busy.err &
			pids="$pids $!"
		done
		for p in $pids; do wait $p || { cat busy.err; exit 1; }; done
	done &&
	test "$(grep -c ORIGINAL out.txt)" -eq 12
'

# Symlinks that lead out of the checkout.
mkdir outside
cat >outside/MLproject <<YAML
entry_points:
  main:
    command: "touch '$TRASH/pwned'"
YAML
mkdir evil
cp outside/MLproject evil/MLproject.real
mkdir evil/inner && cat >evil/inner/MLproject <<'YAML'
entry_points:
  main:
    command: "pwd >\"$OUT\""
YAML
(cd evil && ln -s "$TRASH/outside" abs && ln -s ../../../../.. up &&
    ln -s inner alias && git init -q -b main && git add -A &&
    git commit -q -m evil)
mkdir evil2
(cd evil2 && ln -s "$TRASH/outside/MLproject" MLproject &&
    git init -q -b main && git add -A && git commit -q -m evil2)

test_expect_success 'a committed symlink as #subdir is refused; nothing runs' '
	n=$(runs_in | wc -l) &&
	for uri in "file://$TRASH/evil#abs" "file://$TRASH/evil#up"; do
		test_expect_code 1 mlp-run "$uri" 2>err &&
		grep "leads outside the checkout" err || exit 1
	done &&
	test_expect_code 1 mlp-run -v main "evil#abs" 2>err &&
	grep "leads outside the checkout" err &&
	test ! -e pwned && no_new_run "$n"
'
test_expect_success 'a committed MLproject symlink out of the checkout is refused' '
	n=$(runs_in | wc -l) &&
	test_expect_code 1 mlp-run "file://$TRASH/evil2" 2>err &&
	grep "MLproject.* leads outside the project checkout" err &&
	test_expect_code 1 mlp-run -v main evil2 2>err &&
	grep "leads outside" err &&
	test_expect_code 1 mlp-run evil2 2>err &&
	grep "leads outside" err &&
	test ! -e pwned && no_new_run "$n"
'
# (A checkout holding any link out is refused: see t1022.)
mkdir nice && cp -R evil/inner nice/inner &&
    (cd nice && ln -s inner alias && git init -q -b main && git add -A &&
    git commit -q -m nice)
test_expect_success 'a symlink that stays inside the checkout is fine' '
	rm -f out.txt && mlp-run -q "file://$TRASH/nice#alias" &&
	case $(cat out.txt) in */inner) ;; *) false ;; esac
'

# Files that never end, never open, or nest without end.
printf 'entry_points:\n  main:\n    command: "touch ran"\n' >plain.yaml
mkdir fifo && mkfifo fifo/MLproject
mkdir zero && ln -s /dev/zero zero/MLproject
mkdir pyzero && cp plain.yaml pyzero/MLproject &&
    ln -s /dev/zero pyzero/python_env.yaml
mkdir condazero && cp plain.yaml condazero/MLproject &&
    ln -s /dev/zero condazero/conda.yaml
mkdir pyfifo && cp plain.yaml pyfifo/MLproject && mkfifo pyfifo/python_env.yaml
mkdir big && { cat plain.yaml; head -c 2097152 /dev/zero | tr '\0' '#'; } \
    >big/MLproject
mkdir deep && awk 'BEGIN { for (i = 0; i < 250000; i++) printf "{a: " }' \
    >deep/MLproject
mkdir deepseq && head -c 1000000 /dev/zero | tr '\0' '[' >deepseq/MLproject
mkdir pydeep && cp plain.yaml pydeep/MLproject &&
    awk 'BEGIN { for (i = 0; i < 400000; i++) printf "- " }' \
    >pydeep/python_env.yaml
mkdir fakebin && printf '#!/bin/sh\ntouch "%s/conda-ran"\n' "$TRASH" \
    >fakebin/conda && chmod +x fakebin/conda

test_expect_success 'a FIFO or /dev/zero as MLproject: refused at once, no run' '
	n=$(runs_in | wc -l) &&
	test_expect_code 1 timeout -k 5 20 mlp-run fifo 2>err &&
	grep "fifo/MLproject.* is not a regular file" err &&
	test_expect_code 1 timeout -k 5 20 mlp-run zero 2>err &&
	grep "zero/MLproject.* is not a regular file (it leads to .*/dev/zero" err &&
	no_new_run "$n"
'
test_expect_success 'a FIFO or /dev/zero as environment file: refused, no run' '
	n=$(runs_in | wc -l) &&
	test_expect_code 1 timeout -k 5 20 mlp-run pyzero 2>err &&
	grep "python_env.yaml.* is not a regular file" err &&
	test_expect_code 1 timeout -k 5 20 mlp-run pyfifo 2>err &&
	grep "python_env.yaml.* is not a regular file" err &&
	PATH=$TRASH/fakebin:$PATH test_expect_code 1 timeout -k 5 20 \
	    mlp-run condazero 2>err &&
	grep "conda.yaml.* is not a regular file" err &&
	test ! -e conda-ran && test ! -e pyzero/ran && no_new_run "$n"
'
test_expect_success 'an environment file that is not used is not read' '
	mlp-run -q --env-manager local pyfifo && test -e pyfifo/ran
'
test_expect_success 'a 2 MB MLproject is refused by its size' '
	n=$(runs_in | wc -l) &&
	test_expect_code 1 timeout -k 5 20 mlp-run big 2>err &&
	grep "big/MLproject.* is larger than 1048576 bytes" err &&
	test ! -e big/ran && no_new_run "$n"
'
test_expect_success 'deep nesting is refused while parsing' '
	n=$(runs_in | wc -l) &&
	for d in deep deepseq; do
		test_expect_code 1 timeout -k 5 20 mlp-run $d 2>err &&
		grep "$d/MLproject: line 1: document nested deeper than 64" err ||
		exit 1
	done &&
	test_expect_code 1 timeout -k 5 20 mlp-run pydeep 2>err &&
	grep "python_env.yaml: line 1: document nested deeper than 64" err &&
	no_new_run "$n"
'

# Signals while mlp-run is blocked fetching: a git:// server that accepts
# and never answers.
cat >server.py <<'PY'
import os, socket, sys
s = socket.socket()
s.bind(("127.0.0.1", 0))
s.listen(8)
with open("port.tmp", "w") as f:
    f.write(str(s.getsockname()[1]))
os.rename("port.tmp", "port")
held = []
while True:
    c, _ = s.accept()
    held.append(c)
    with open("accepted", "a") as f:
        f.write("x\n")
PY
python3 server.py & server=$!
test_at_exit "kill $server 2>/dev/null"
i=0
while test ! -s port && test $i -lt 600; do sleep 0.1; i=$((i + 1)); done

# stop_while_fetching SIGNAL STATUS
stop_while_fetching() {
	rm -f accepted
	mlp-run -q "git://127.0.0.1:$(cat port)/x.git" 2>err & p=$!
	i=0
	while test ! -s accepted && test $i -lt 600; do
		sleep 0.1; i=$((i + 1))
	done
	test -s accepted || return 1
	kill -s "$1" $p
	# a safety net only: a hung mlp-run must not hang the suite
	{ sleep 20; kill -9 $p; } 2>/dev/null & w=$!
	wait $p
	rc=$?
	kill $w 2>/dev/null
	test $rc -eq "$2" || { echo "exit $rc, want $2" >&2; return 1; }
}

test_expect_success 'SIGTERM stops mlp-run while it fetches: 143, no run' '
	n=$(runs_in | wc -l) && stop_while_fetching TERM 143 && no_new_run "$n"
'
test_expect_success 'SIGINT and SIGHUP too: 130, 129' '
	n=$(runs_in | wc -l) &&
	stop_while_fetching INT 130 && stop_while_fetching HUP 129 &&
	no_new_run "$n"
'

# What PyYAML reads differently.
mkdir dup && cat >dup/MLproject <<'YAML'
entry_points:
  main:
    command: "touch first"
  main:
    command: "touch second"
YAML
mkdir dupparam && cat >dupparam/MLproject <<'YAML'
entry_points:
  main:
    parameters:
      a: {type: string, default: x}
      1: string
      1.0: string
    command: "touch ran"
YAML
mkdir multi && cat >multi/MLproject <<'YAML'
entry_points:
  main:
    command: "touch first"
---
entry_points:
  main:
    command: "touch second"
YAML
mkdir merge && cat >merge/MLproject <<'YAML'
base: &base
  command: "touch first"
entry_points:
  main:
    <<: *base
YAML

test_expect_success 'a duplicate key is refused, naming the key and line' '
	n=$(runs_in | wc -l) &&
	test_expect_code 1 mlp-run dup 2>err &&
	grep "dup/MLproject: line 4: duplicate key .main. (first at line 2)" err &&
	test_expect_code 1 mlp-run dupparam 2>err &&
	grep "line 6: duplicate key .1\.0. (first at line 5)" err &&
	test ! -e dup/first && test ! -e dup/second && no_new_run "$n"
'
test_expect_success 'several documents are refused, as by mlflow run' '
	n=$(runs_in | wc -l) &&
	test_expect_code 1 mlp-run multi 2>err &&
	grep "multi/MLproject: line 4: expected a single document" err &&
	test ! -e multi/first && no_new_run "$n"
'
test_expect_success 'a merge key is refused' '
	test_expect_code 1 mlp-run merge 2>err &&
	grep "merge/MLproject: line 5: merge keys (<<) are not supported" err
'

# Submodules, broken refs, revision expressions.
mkdir lib && echo lib >lib/lib.txt &&
    (cd lib && git init -q -b main && git add -A && git commit -q -m lib)
mkdir super && cat >super/MLproject <<'YAML'
entry_points:
  main:
    command: "ls -A libdir >\"$OUT\"; cat m.txt >>\"$OUT\""
YAML
echo m >super/m.txt
(cd super && git init -q -b main && git add -A && git commit -q -m super &&
    git -c protocol.file.allow=always submodule -q add "$TRASH/lib" libdir &&
    git commit -q -m "add lib")

test_expect_success 'a repository with a submodule runs; the submodule is skipped' '
	sub=$(git -C super rev-parse HEAD:libdir) &&
	rm -f out.txt && mlp-run "file://$TRASH/super" 2>err &&
	test "$(cat out.txt)" = m &&
	grep "submodule libdir $sub not checked out" err &&
	tag_is "$(run_dir "$(run_id_of err)")" mlflow.source.git.commit \
	    "$(git -C super rev-parse HEAD)" &&
	rm -f out.txt && mlp-run -q -v main super && test "$(cat out.txt)" = m
'
test_expect_success 'a broken ref name in the remote is left out' '
	git clone -q --bare self bad.git &&
	c=$(git -C self rev-parse HEAD) &&
	echo "$c" >bad.git/refs/heads/a..b &&
	rm -f out.txt && mlp-run -q -v main "file://$TRASH/bad.git" &&
	test "$(cat out.txt)" = ORIGINAL &&
	rm bad.git/refs/heads/a..b && git -C bad.git pack-refs --all &&
	echo "$c refs/heads/x..y" >>bad.git/packed-refs &&
	rm -f out.txt && mlp-run -v main "file://$TRASH/bad.git" 2>err &&
	test "$(cat out.txt)" = ORIGINAL &&
	tag_is "$(run_dir "$(run_id_of err)")" mlflow.source.git.commit "$c" &&
	rm -f out.txt && mlp-run -q "file://$TRASH/bad.git" &&
	test "$(cat out.txt)" = ORIGINAL
'
test_expect_success '-v takes what git rev-parse takes, remote or local' '
	want=$(git -C self rev-parse HEAD~1) &&
	short=$(git -C self rev-parse --short=8 HEAD~1) &&
	for v in HEAD~1 "main^" "$short" "main~1^{commit}"; do
		for u in "file://$TRASH/self" self; do
			mlp-run -v "$v" "$u" 2>err || exit 1
			d=$(run_dir "$(run_id_of err)") &&
			tag_is "$d" mlflow.source.git.commit "$want" &&
			test ! -e "$d/tags/mlflow.source.git.branch" || exit 1
		done
	done &&
	mlp-run -v main "file://$TRASH/self" 2>err &&
	tag_is "$(run_dir "$(run_id_of err)")" mlflow.source.git.branch main
'

# The same through libgit2's own transport, from a real git daemon.
mkdir served && git clone -q --bare self served/p.git &&
    git -C served/p.git branch feat HEAD~1 && git -C served/p.git tag v1 HEAD~1
port=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
git daemon --reuseaddr --export-all --base-path="$TRASH/served" \
    --listen=127.0.0.1 --port="$port" "$TRASH/served" >/dev/null 2>&1 &
daemon=$!
test_at_exit "kill $daemon 2>/dev/null"
i=0
while ! git ls-remote "git://127.0.0.1:$port/p.git" >/dev/null 2>&1 &&
    test $i -lt 600; do sleep 0.1; i=$((i + 1)); done

if ! git ls-remote "git://127.0.0.1:$port/p.git" >/dev/null 2>&1; then
	test_skip 'a git:// remote: revisions, tags, deleted branches' \
	    'git daemon did not start'
else
test_expect_success 'a git:// remote: revisions, tags, deleted branches' '
	url=git://127.0.0.1:$port/p.git && want=$(git -C self rev-parse HEAD~1) &&
	for v in HEAD~1 "main^" v1 feat; do
		mlp-run -v "$v" "$url" 2>err || exit 1
		tag_is "$(run_dir "$(run_id_of err)")" mlflow.source.git.commit \
		    "$want" || exit 1
	done &&
	tag_is "$(run_dir "$(run_id_of err)")" mlflow.source.git.branch feat &&
	git -C served/p.git branch -D feat >/dev/null &&
	test_expect_code 1 mlp-run -v feat "$url" 2>err &&
	grep "Unable to checkout version .feat." err &&
	mlp-run "$url" 2>err &&
	tag_is "$(run_dir "$(run_id_of err)")" mlflow.source.git.commit \
	    "$(git -C self rev-parse HEAD)"
'
fi

# Smaller things.
mkdir pybad && cp plain.yaml pybad/MLproject &&
    printf 'dependencies: numpy\n' >pybad/python_env.yaml
mkdir pyfloat && cp plain.yaml pyfloat/MLproject &&
    printf 'python: 3.10\n' >pyfloat/python_env.yaml

test_expect_success '-i with an empty path is a usage error' '
	n=$(runs_in | wc -l) &&
	test_expect_code 2 mlp-run -i "" pybad 2>err &&
	grep "empty path" err && no_new_run "$n"
'
test_expect_success 'a python_env.yaml of the wrong shape: exit 1, no run' '
	n=$(runs_in | wc -l) &&
	test_expect_code 1 mlp-run pybad 2>err &&
	grep "python_env.yaml: dependencies: must be a list" err &&
	test_expect_code 1 mlp-run pyfloat 2>err &&
	grep "python_env.yaml: line 1: python: 3.10 is not a string" err &&
	test ! -e pybad/ran && no_new_run "$n"
'
test_done
