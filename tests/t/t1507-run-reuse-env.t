#!/bin/sh
# t1507-run-reuse-env.t: mlp-run --reuse reuses a run only in the same
# environment: a program of mlp/environment.txt in another version,
# another python with other frozen packages, a python outside PATH of
# another version, a virtualenv not built (any more), or (docker) another
# image under the image's name runs the step again, and says why; host
# facts (the hostname) do not count.  The params must be exactly those
# the new run logs: a run with an extra -P is not reused without it;
# params the program logs itself do not count (tag mlp.params).
. "$(dirname "$0")/lib.sh"
. "$TEST_DIRECTORY/run-lib.sh"

mkdir repo fake envA envB
cat >repo/MLproject <<'YAML'
name: reuse-env
entry_points:
  main:
    parameters:
      k: {type: string, default: a}
    command: "echo ran >>\"$COUNT\""
  py:
    command: "python3 -c 'pass' && echo ran >>\"$COUNT\""
YAML
(cd repo && git init -q -b main && git add -A && git commit -q -m v1)
COUNT=$TRASH/count
export COUNT
: >"$COUNT"
runs() { wc -l <"$COUNT" | tr -d " "; }

# julia VERSION: a program that environment.txt probes, in fake/, early
# in PATH (the same path; only what it prints changes).
julia() {
	printf '#!/bin/sh\necho "julia version %s"\n' "$1" >fake/julia.tmp &&
	chmod +x fake/julia.tmp && mv fake/julia.tmp fake/julia
}
FAKE=$TRASH/fake:$PATH

test_expect_success 'the same environment: reused' '
	julia 1.0.0 &&
	PATH=$FAKE mlp-run --reuse --run-id-file id1 repo 2>err &&
	test "$(runs)" = 1 &&
	grep "^/.*/fake/julia	julia version 1.0.0" \
	    "$(run_dir "$(cat id1)")/artifacts/mlp/environment.txt" &&
	PATH=$FAKE mlp-run --reuse --run-id-file id2 repo 2>err &&
	test "$(runs)" = 1 && test_cmp id1 id2 && grep "Reusing run" err
'
test_expect_success 'a program of another version: runs again, says why' '
	julia 1.1.0 &&
	PATH=$FAKE mlp-run --reuse --run-id-file id3 repo 2>err &&
	test "$(runs)" = 2 && ! test_cmp id1 id3 >/dev/null &&
	grep "not reusing run $(cat id1): its environment differs" err &&
	grep "^-/.*/fake/julia	julia version 1.0.0" err &&
	grep "^+/.*/fake/julia	julia version 1.1.0" err && ! grep Reusing err
'
test_expect_success 'back to the first version: the first run again' '
	julia 1.0.0 &&
	PATH=$FAKE mlp-run --reuse --run-id-file id4 repo 2>err &&
	test "$(runs)" = 2 && test_cmp id1 id4
'
test_expect_success 'a program more in PATH: runs again' '
	test_when_finished "rm -f fake/go" &&
	printf "#!/bin/sh\necho \"go version go1.99\"\n" >fake/go &&
	chmod +x fake/go &&
	PATH=$FAKE mlp-run --reuse --run-id-file id5 repo 2>err &&
	test "$(runs)" = 3 && grep "^+/.*/fake/go	go version go1.99" err
'

if unshare -u true 2>/dev/null; then
	test_set_prereq UTS
else
	echo "# unshare -u does not work here: the hostname is not changed"
fi
test_expect_success UTS 'another hostname (a host fact): reused' '
	PATH=$FAKE unshare -u sh -c "hostname other-host-$$ &&
	    mlp-run --reuse --run-id-file id6 repo" 2>err &&
	test "$(runs)" = 3 && test_cmp id1 id6 && grep "Reusing run" err
'

# Two pythons: the real one, reporting another version and packages.
real=$(command -v python3)
for v in A:3.11.1:1.0.0 B:3.11.2:2.0.0; do
	d=env${v%%:*} rest=${v#*:}
	cat >"$d/python3" <<EOF2
#!/bin/sh
case "\$*" in
--version) echo "Python ${rest%%:*}" ;;
*pip*freeze*) echo "numpy==${rest#*:}" ;;
*) exec "$real" "\$@" ;;
esac
EOF2
	chmod +x "$d/python3"
done
test_expect_success 'another python, other packages: runs again' '
	PATH=$TRASH/envA:$PATH mlp-run --reuse -e py --run-id-file pa repo \
	    2>err && test "$(runs)" = 4 &&
	PATH=$TRASH/envA:$PATH mlp-run --reuse -e py --run-id-file pa2 repo \
	    2>err && test "$(runs)" = 4 && test_cmp pa pa2 &&
	PATH=$TRASH/envB:$PATH mlp-run --reuse -e py --run-id-file pb repo \
	    2>err && test "$(runs)" = 5 &&
	grep "^-numpy==1.0.0" err && grep "^+numpy==2.0.0" err &&
	grep "^+.*python3	Python 3.11.2" err
'

# A python outside PATH (like a virtualenv's): its own version counts.
mkdir envC repoC
pyc() {
	printf '#!/bin/sh\ncase "$*" in\n--version) echo "Python %s" ;;\n*pip*freeze*) echo "numpy==1.0.0" ;;\n*) exec "%s" "$@" ;;\nesac\n' \
	    "$1" "$real" >envC/python3.tmp &&
	chmod +x envC/python3.tmp && mv envC/python3.tmp envC/python3
}
cat >repoC/MLproject <<YAML
name: reuse-env-python
entry_points:
  main:
    command: "$TRASH/envC/python3 -c pass && echo ran >>\"\$COUNT\""
YAML
(cd repoC && git init -q -b main && git add -A && git commit -q -m v1)
test_expect_success 'the version of a python outside PATH counts' '
	pyc 3.11.1 &&
	mlp-run --reuse --run-id-file c1 repoC 2>err && test "$(runs)" = 6 &&
	mlp-run --reuse --run-id-file c2 repoC 2>err && test "$(runs)" = 6 &&
	test_cmp c1 c2 && pyc 3.11.9 &&
	mlp-run --reuse --run-id-file c3 repoC 2>err && test "$(runs)" = 7 &&
	grep "^-$TRASH/envC/python3	Python 3.11.1" err &&
	grep "^+$TRASH/envC/python3	Python 3.11.9" err
'

test_expect_success 'params: an explicit default is the same step' '
	PATH=$FAKE mlp-run --reuse --run-id-file id7 -P k=a repo 2>err &&
	test "$(runs)" = 7 && test_cmp id1 id7
'
test_expect_success 'params: a run with an extra -P is not reused without' '
	PATH=$FAKE mlp-run --experiment-name x --reuse --run-id-file x1 \
	    -P extra=1 repo 2>err && test "$(runs)" = 8 &&
	PATH=$FAKE mlp-run --experiment-name x --reuse --run-id-file x2 \
	    repo 2>err && test "$(runs)" = 9 && ! test_cmp x1 x2 >/dev/null &&
	PATH=$FAKE mlp-run --experiment-name x --reuse --run-id-file x3 \
	    -P extra=1 repo 2>err && test "$(runs)" = 9 && test_cmp x1 x3
'

# A program that logs a param of its own (an output, not an input):
# tag mlp.params says which params mlp-run gave the run.
mkdir repoL
cat >repoL/MLproject <<'YAML'
name: reuse-logs
entry_points:
  main:
    parameters:
      k: {type: string, default: a}
    command: "mlp-log param derived 42 && echo ran >>\"$COUNT\""
YAML
(cd repoL && git init -q -b main && git add -A && git commit -q -m v1)
test_expect_success 'params the program logs do not count, nor the -P order' '
	PATH=$FAKE mlp-run --reuse --run-id-file l1 \
	    -P b=2 -P a=1 repoL 2>err && test "$(runs)" = 10 &&
	l1=$(run_dir "$(cat l1)") &&
	test "$(cat "$l1/tags/mlp.params")" = "a,b,k" &&
	test "$(cat "$l1/params/derived")" = 42 &&
	PATH=$FAKE mlp-run --reuse --run-id-file l2 \
	    -P a=1 -P b=2 repoL 2>err && test "$(runs)" = 10 &&
	test_cmp l1 l2 && grep "Reusing run" err
'
test_expect_success 'a -P named like a param the program logged: runs again' '
	PATH=$FAKE mlp-run --reuse --run-id-file l3 \
	    -P a=1 -P b=2 -P derived=42 repoL 2>err && test "$(runs)" = 11 &&
	! test_cmp l1 l3 >/dev/null
'
test_expect_success 'a run without tag mlp.params: its whole set of params' '
	rm "$(run_dir "$(cat l1)")/tags/mlp.params" &&
	PATH=$FAKE mlp-run --reuse --run-id-file l4 \
	    -P a=1 -P b=2 repoL 2>err && test "$(runs)" = 12 &&
	! test_cmp l1 l4 >/dev/null
'

# A virtualenv (Debian's python3 -m venv, as t1005): its python's version
# and packages are in the record; one that is not built is no match.
mkdir venv
cat >venv/MLproject <<'YAML'
name: reuse-venv
python_env: python_env.yaml
entry_points:
  main:
    command: "python -c pass && echo ran >>\"$COUNT\""
YAML
printf 'python: "3"\ndependencies: []\n' >venv/python_env.yaml
(cd venv && git init -q -b main && git add -A && git commit -q -m v1)
if /usr/bin/python3 -c 'import ensurepip, venv' 2>/dev/null; then
	test_set_prereq VENV
else
	echo "# no python3-venv: no virtualenv case"
fi
SYSPATH=$MLP_BUILD_DIR/tools:/usr/bin:/bin
test_expect_success VENV 'virtualenv: reused; its python version recorded' '
	PATH=$SYSPATH mlp-run --reuse --run-id-file v1 venv 2>err &&
	test "$(runs)" = 13 &&
	grep "^$XDG_CACHE_HOME/mlp/envs/venv-.*/bin/python	Python 3" \
	    "$(run_dir "$(cat v1)")/artifacts/mlp/environment.txt" &&
	grep "^\[pip freeze: $XDG_CACHE_HOME/mlp/envs/venv-" \
	    "$(run_dir "$(cat v1)")/artifacts/mlp/environment.txt" &&
	PATH=$SYSPATH mlp-run --reuse --run-id-file v2 venv 2>err &&
	test "$(runs)" = 13 && test_cmp v1 v2
'
test_expect_success VENV 'virtualenv: not built (any more): runs again' '
	rm -f "$XDG_CACHE_HOME"/mlp/envs/venv-*/.mlp-ready &&
	PATH=$SYSPATH mlp-run --reuse --run-id-file v3 venv 2>err &&
	test "$(runs)" = 14 && grep "not built here" err &&
	PATH=$SYSPATH mlp-run --reuse --run-id-file v4 venv 2>err &&
	test "$(runs)" = 14 && test_cmp v3 v4
'

DOCKER_OPTIONAL=1
. "$TEST_DIRECTORY/docker.sh"
img=mlp-t1507-$$
if test_have_prereq DOCKER && ! docker_busybox_image; then
	echo "# cannot make the busybox image $DOCKER_BUSYBOX"
	DOCKER_OK=
else
	DOCKER_OK=1
fi
[ -n "$DOCKER_OK" ] && test_have_prereq DOCKER && test_set_prereq BUSYBOX
test_at_exit "docker rmi -f $img:cur $img:b >/dev/null 2>&1"
mkdir dk
cat >dk/MLproject <<EOF
name: reuse-docker
docker_env:
  image: $img:cur
entry_points:
  main:
    command: "true"
EOF
(cd dk && git init -q -b main && git add -A && git commit -q -m v1)
sha7=$(git -C dk rev-parse --short=7 HEAD)
test_have_prereq BUSYBOX &&
	test_at_exit "docker rmi -f reuse-docker:$sha7 >/dev/null 2>&1"
ran() { grep -c "Running command" err; }

test_expect_success BUSYBOX 'docker: the same image id: reused' '
	docker tag "$DOCKER_BUSYBOX" "$img:cur" &&
	mlp-run --experiment-name dk --reuse --run-id-file d1 dk 2>err &&
	test "$(ran)" = 1 &&
	mlp-run --experiment-name dk --reuse --run-id-file d2 dk 2>err &&
	test "$(ran)" = 0 && test_cmp d1 d2
'
test_expect_success BUSYBOX 'docker: another image under the name: runs again' '
	c=$(docker create "$DOCKER_BUSYBOX" true) &&
	docker commit -c "LABEL mlp.t1507=b" "$c" "$img:b" >/dev/null &&
	docker rm "$c" >/dev/null &&
	docker tag "$img:b" "$img:cur" &&
	mlp-run --experiment-name dk --reuse --run-id-file d3 dk 2>err &&
	test "$(ran)" = 1 && ! test_cmp d1 d3 >/dev/null &&
	grep "not reusing run $(cat d1): it ran docker image sha256:" err &&
	mlp-run --experiment-name dk --reuse --run-id-file d4 dk 2>err &&
	test "$(ran)" = 0 && test_cmp d3 d4
'
test_expect_success BUSYBOX 'docker --build-image: reused while the image is here' '
	mlp-run --experiment-name dkb --build-image --reuse --run-id-file b1 \
	    dk 2>err && test "$(ran)" = 1 &&
	mlp-run --experiment-name dkb --build-image --reuse --run-id-file b2 \
	    dk 2>err && test "$(ran)" = 0 && test_cmp b1 b2 &&
	! grep "Building docker image" err &&
	docker rmi -f "reuse-docker:$sha7" >/dev/null &&
	mlp-run --experiment-name dkb --build-image --reuse --run-id-file b3 \
	    dk 2>err && test "$(ran)" = 1 && ! test_cmp b1 b3 >/dev/null &&
	grep "not reusing run $(cat b1): .*reuse-docker:$sha7. is not here" err
'
test_done
