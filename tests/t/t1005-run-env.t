#!/bin/sh
# t1005-run-env.t: environment managers: virtualenv (built with Debian's
# python3 -m venv, cached and reused), conda (absent here), local.
. "$(dirname "$0")/lib.sh"
. "$TEST_DIRECTORY/run-lib.sh"

# Only the system's tools: no pyenv shims, no conda.
PATH=$MLP_BUILD_DIR/tools:/usr/bin:/bin
export PATH

mkdir proj
cat >proj/MLproject <<'YAML'
name: venvdemo
python_env: python_env.yaml
entry_points:
  main:
    parameters:
      x: {type: int, default: 1}
    command: "python -c 'import sys; print(sys.prefix)' >prefix.txt; echo {x} >x.txt"
YAML
cat >proj/python_env.yaml <<'YAML'
python: "3.11"
build_dependencies:
  - pip
dependencies: []
YAML

if /usr/bin/python3 -c 'import ensurepip, venv' 2>/dev/null; then
	have_venv=yes
else
	have_venv=
fi

if test -n "$have_venv"; then
test_expect_success 'python_env makes a virtualenv in the cache' '
	mlp-run proj 2>err &&
	grep "=== Creating a new environment in $XDG_CACHE_HOME/mlp/envs/" err &&
	prefix=$(cat proj/prefix.txt) &&
	case $prefix in "$XDG_CACHE_HOME"/mlp/envs/venv-*) ;; *) exit 1 ;; esac &&
	test -f "$prefix/.mlp-ready" && test -x "$prefix/bin/python" &&
	d=$(run_dir "$(run_id_of err)") &&
	tag_is "$d" mlflow.project.env virtualenv &&
	tag_is "$d" mlp.command "source $prefix/bin/activate && python -c \
'\''import sys; print(sys.prefix)'\'' >prefix.txt; echo 1 >x.txt" &&
	test "$(status_of "$d")" = 3 && echo "$prefix" >prefix1
'
test_expect_success 'environment.txt has pip freeze of the env python' '
	d=$(run_dir "$(run_id_of err)") &&
	grep "^env_manager: virtualenv$" "$d/artifacts/mlp/environment.txt" &&
	grep "^\[pip freeze: $(cat prefix1)/bin/python\]$" \
	    "$d/artifacts/mlp/environment.txt"
'
test_expect_success 'a second run reuses the environment' '
	touch "$(cat prefix1)/marker" &&
	mlp-run -P x=2 proj 2>err &&
	grep "=== Environment $(cat prefix1) already exists ===" err &&
	! grep "Creating a new environment" err &&
	test "$(cat proj/prefix.txt)" = "$(cat prefix1)" &&
	test -f "$(cat prefix1)/marker" && test "$(cat proj/x.txt)" = 2
'
test_expect_success 'another python_env.yaml is another environment' '
	printf "python: \"3\"\ndependencies: []\n" >proj/python_env.yaml &&
	mlp-run proj 2>err && grep "Creating a new environment" err &&
	test "$(cat proj/prefix.txt)" != "$(cat prefix1)"
'
test_expect_success 'an unfinished environment is rebuilt, not reused' '
	p=$(cat proj/prefix.txt) && rm "$p/.mlp-ready" &&
	mlp-run proj 2>err && grep "Creating a new environment" err &&
	test -f "$p/.mlp-ready"
'
test_expect_success 'a lock left by a dead build is taken over' '
	p=$(cat proj/prefix.txt) && rm "$p/.mlp-ready" &&
	dead=$(sh -c "echo \$\$") &&
	echo "$(hostname) $dead" >"$p.lock" &&
	mlp-run proj 2>err && grep "Creating a new environment" err &&
	test ! -e "$p.lock" && test -f "$p/.mlp-ready"
'
test_expect_success 'a signal during the build stops it: KILLED, no env' '
	printf "python: \"3\"\ndependencies: []\n# %s\n" kill-me \
	    >proj/python_env.yaml &&
	rm -f err && { mlp-run proj 2>err & } &&
	pid=$! && i=0 &&
	while ! grep -q "Creating a new environment" err 2>/dev/null &&
	    [ $i -lt 500 ]; do sleep 0.02; i=$((i + 1)); done &&
	kill -TERM "$pid"; wait "$pid"; rc=$? &&
	test "$rc" -eq 143 &&
	p=$(sed -n "s/.*Creating a new environment in \([^ ]*\) with.*/\1/p" err) &&
	test -n "$p" && test ! -e "$p" && test ! -e "$p.lock" &&
	d=$(run_dir "$(runs_in | while read -r r; do
		test -e "$MLFLOW_TRACKING_URI/0/$r/tags/mlp.error" &&
		test "$(sed -n "s/^status: //p" "$MLFLOW_TRACKING_URI/0/$r/meta.yaml")" = 5 &&
		echo "$r"; done)") &&
	test "$(status_of "$d")" = 5
'
else
test_skip 'python_env makes a virtualenv in the cache' 'no python3-venv'
fi
test_expect_success '--env-manager local runs in the current environment' '
	mlp-run --env-manager local proj 2>err &&
	d=$(run_dir "$(run_id_of err)") &&
	tag_is "$d" mlflow.project.env local &&
	case $(cat proj/prefix.txt) in "$XDG_CACHE_HOME"*) exit 1 ;; esac
'
test_expect_success 'unknown keys in python_env.yaml are an error' '
	printf "python: \"3\"\nbogus: 1\n" >proj/python_env.yaml &&
	test_expect_code 1 mlp-run proj 2>err &&
	grep "python_env.yaml: unknown key .bogus." err
'
test_expect_success 'conda without conda or mamba: a clear error, no run' '
	mkdir cproj &&
	printf "name: c\nentry_points:\n  main:\n    command: \"true\"\n" \
	    >cproj/MLproject &&
	printf "name: x\ndependencies:\n  - python=3.10\n" >cproj/conda.yaml &&
	n=$(runs_in | wc -l) &&
	test_expect_code 1 env -u CONDA_EXE -u MLFLOW_CONDA_HOME \
	    mlp-run cproj 2>err &&
	grep "neither conda nor mamba was found" err &&
	test "$(runs_in | wc -l)" -eq "$n"
'
test_expect_success 'conda on a python_env project is refused' '
	printf "python: \"3\"\n" >proj/python_env.yaml &&
	test_expect_code 1 mlp-run --env-manager conda proj 2>err &&
	grep "python_env project cannot be executed using conda" err
'
test_expect_success 'conda with a recording conda: create, then activate' '
	mkdir -p fakeconda/bin fakeconda/etc/profile.d &&
	cat >fakeconda/bin/conda <<-\EOF &&
	#!/bin/sh
	echo "conda $*" >>"$TRASH/conda.log"
	for a in "$@"; do p=$prev; prev=$a
		[ "$p" = -p ] && mkdir -p "$a/bin" && ln -s /usr/bin/python3 "$a/bin/python"
	done
	exit 0
	EOF
	chmod +x fakeconda/bin/conda &&
	printf "conda() { echo \"activate \$*\" >>\"\$TRASH/conda.log\"; }\n" \
	    >fakeconda/etc/profile.d/conda.sh &&
	TRASH=$TRASH CONDA_EXE=$TRASH/fakeconda/bin/conda mlp-run cproj 2>err &&
	env=$(sed -n "s/^conda env create -p \([^ ]*\) --file .*/\1/p" conda.log) &&
	grep "^conda env create -p $env --file $TRASH/cproj/conda.yaml$" conda.log &&
	grep "^activate activate $env$" conda.log &&
	tag_is "$(run_dir "$(run_id_of err)")" mlflow.project.env conda &&
	TRASH=$TRASH CONDA_EXE=$TRASH/fakeconda/bin/conda mlp-run cproj 2>err &&
	test "$(grep -c "env create" conda.log)" -eq 1
'
test_done
