#!/bin/sh
# t1000-run-basic.t: mlp-run runs an entry point and records the run.
. "$(dirname "$0")/lib.sh"
. "$TEST_DIRECTORY/run-lib.sh"

mkdir proj
cat >proj/MLproject <<'YAML'
name: demo
entry_points:
  main:
    parameters:
      kernel: {type: string, default: rbf}
      C: {type: float, default: 1}
    command: "sh args.sh --kernel {kernel} --param_c {C}"
  fail:
    command: "exit 3"
  log:
    command: "mlp-log metric acc 0.75 && mlp-log param from_child yes"
YAML
cat >proj/args.sh <<'SH'
printf '%s\n' "$@" >args.out
pwd >pwd.out
env | grep '^MLFLOW_' | sort >env.out
SH

test_expect_success 'a run with the defaults finishes' '
	mlp-run proj 2>err &&
	id=$(run_id_of err) && d=$(run_dir "$id") &&
	test "$(status_of "$d")" = 3 &&
	printf "%s\n" --kernel rbf --param_c 1 >expect &&
	test_cmp expect proj/args.out
'
test_expect_success 'declared parameters are logged with their defaults' '
	id=$(run_id_of err) && d=$(run_dir "$id") &&
	param_is "$d" kernel rbf && param_is "$d" C 1
'
test_expect_success 'MLflow tags are recorded' '
	id=$(run_id_of err) && d=$(run_dir "$id") &&
	tag_is "$d" mlflow.source.type PROJECT &&
	tag_is "$d" mlflow.project.entryPoint main &&
	tag_is "$d" mlflow.project.backend local &&
	tag_is "$d" mlflow.project.env local &&
	tag_is "$d" mlflow.source.name "$TRASH/proj" &&
	test -s "$d/tags/mlflow.user" && test -s "$d/tags/mlflow.runName" &&
	tag_is "$d" mlp.host "$(hostname)" &&
	test -s "$d/tags/mlp.pid" &&
	tag_is "$d" mlp.command "sh args.sh --kernel rbf --param_c 1" &&
	test ! -e "$d/tags/mlflow.source.git.commit"
'
test_expect_success 'the child runs in the project with the MLflow variables' '
	id=$(run_id_of err) &&
	cat >expect <<-EOF &&
	MLFLOW_ALLOW_FILE_STORE=true
	MLFLOW_EXPERIMENT_ID=0
	MLFLOW_RUN_ID=$id
	MLFLOW_TRACKING_URI=file://$TRASH/mlruns
	EOF
	test_cmp expect proj/env.out &&
	test "$(cat proj/pwd.out)" = "$TRASH/proj"
'
test_expect_success 'environment.txt describes the machine' '
	id=$(run_id_of err) && d=$(run_dir "$id") &&
	e=$d/artifacts/mlp/environment.txt &&
	grep "^kernel: $(uname -s) $(uname -r)" "$e" &&
	grep "^cpus: [1-9]" "$e" && grep "^memory: " "$e" &&
	grep "^hostname: $(hostname)" "$e" &&
	grep "^env_manager: local" "$e" && grep "^\[tools\]" "$e" &&
	if cc=$(command -v cc); then grep "^$cc	.*[0-9]" "$e"; fi
'
if cc=$(command -v cc); then
test_expect_success 'tool versions are cached by path, size and mtime' '
	c=$XDG_CACHE_HOME/mlp/tools.cache &&
	grep "^$cc	[0-9]*	[0-9.]*	.*[0-9]" "$c" &&
	sed "s|^\($cc	[^	]*	[^	]*\)	.*|\1	cached cc 0.0|" "$c" >c.new &&
	mv c.new "$c" && rm -f "$XDG_CACHE_HOME"/mlp/env-*.cache &&
	mlp-run proj 2>err && d=$(run_dir "$(run_id_of err)") &&
	grep "^$cc	cached cc 0.0$" "$d/artifacts/mlp/environment.txt"
'
else
test_skip 'tool versions are cached by path, size and mtime' 'no cc'
fi
test_expect_success 'values reach the program literally, never run' '
	mlp-run -q -P "kernel=\$(touch pwned)" -P "extra=a; touch pwned2" \
	    -P "C=2.5" proj 2>err &&
	test ! -e proj/pwned && test ! -e proj/pwned2 && test ! -e pwned &&
	printf "%s\n" --kernel "\$(touch pwned)" --param_c 2.5 --extra \
	    "a; touch pwned2" >expect &&
	test_cmp expect proj/args.out
'
test_expect_success 'params are logged raw, extras too' '
	test_line_count err 0 &&
	d=$(run_dir "$(runs_in | while read -r r; do
		test -e "$MLFLOW_TRACKING_URI/0/$r/params/extra" && echo "$r"
	done)") &&
	param_is "$d" kernel "\$(touch pwned)" &&
	param_is "$d" extra "a; touch pwned2" && param_is "$d" C 2.5
'
test_expect_success 'the exit status is passed on and the run FAILED' '
	test_expect_code 3 mlp-run -e fail proj 2>err &&
	test "$(status_of "$(run_dir "$(run_id_of err)")")" = 4 &&
	grep "=== Run (ID .*) failed ===" err
'
test_expect_success 'mlp-log in the child logs into the same run' '
	mlp-run -e log proj 2>err &&
	d=$(run_dir "$(run_id_of err)") &&
	grep " 0.75 0$" "$d/metrics/acc" && param_is "$d" from_child yes
'
test_expect_success '--experiment-name creates the experiment once' '
	mlp-run -q --experiment-name iris proj &&
	mlp-run -q --experiment-name iris proj &&
	n=$(grep -l "^name: iris$" mlruns/*/meta.yaml | wc -l) &&
	test "$n" -eq 1 &&
	e=$(dirname "$(grep -l "^name: iris$" mlruns/*/meta.yaml)") &&
	test "$(runs_in "$(basename "$e")" | wc -l)" -eq 2
'
test_expect_success 'MLFLOW_EXPERIMENT_NAME is the default experiment' '
	MLFLOW_EXPERIMENT_NAME=iris mlp-run proj 2>err &&
	e=$(dirname "$(grep -l "^name: iris$" mlruns/*/meta.yaml)") &&
	test -d "$e/$(run_id_of err)"
'
test_expect_success '--experiment-id of a missing experiment fails' '
	test_expect_code 1 mlp-run --experiment-id 424242 proj 2>err &&
	grep 424242 err
'
test_expect_success '--run-name names the run' '
	mlp-run --run-name first-try proj 2>err &&
	d=$(run_dir "$(run_id_of err)") &&
	tag_is "$d" mlflow.runName first-try &&
	grep "^run_name: first-try$" "$d/meta.yaml"
'
test_expect_success '-q silences the progress lines' '
	mlp-run -q proj 2>err && test_line_count err 0 &&
	mlp-run proj 2>err && grep "=== Running command .sh args.sh" err &&
	grep "=== Run (ID .*) succeeded ===" err
'
test_expect_success 'usage errors exit 2' '
	test_expect_code 2 mlp-run -P novalue proj 2>err &&
	grep "Invalid format for -P parameter" err &&
	test_expect_code 2 mlp-run -P a=1 -P a=2 proj 2>err &&
	grep "Repeated parameter: .a." err &&
	test_expect_code 2 mlp-run --env-manager nope proj &&
	test_expect_code 2 mlp-run --experiment-name a --experiment-id 0 proj &&
	test_expect_code 2 mlp-run --no-such-option &&
	test_expect_code 2 mlp-run proj extra-operand
'
test_expect_success '--help and -V' '
	mlp-run --help >out && grep "^usage: mlp-run" out &&
	mlp-run -V >out && grep "^mlp-run (mlp) " out
'
test_expect_success 'a script runs without an MLproject' '
	mkdir bare && echo "echo \"from script: \$*\" >out.txt" >bare/go.sh &&
	mlp-run -q -e go.sh -P x=1 bare &&
	test "$(cat bare/out.txt)" = "from script: --x 1"
'
test_expect_success 'a .py entry point runs "python FILE"' '
	mkdir fakebin && printf "#!/bin/sh\necho \"python \$*\" >py.out\n" \
	    >fakebin/python && chmod +x fakebin/python &&
	PATH=$TRASH/fakebin:$PATH mlp-run -q -e train.py bare &&
	test "$(cat bare/py.out)" = "python train.py"
'
test_expect_success 'without an MLproject, main is an error and no run' '
	n=$(runs_in | wc -l) &&
	test_expect_code 1 mlp-run bare 2>err &&
	grep "Could not find main among entry points \[\]" err &&
	test "$(runs_in | wc -l)" -eq "$n"
'
test_expect_success 'the MLproject file name is matched in any case' '
	mkdir lower && printf "entry_points:\n  main:\n    command: echo hi >hi\n" \
	    >lower/mlproject && mlp-run -q lower && test -f lower/hi
'
test_expect_success 'uri#subdir runs the project in the sub-folder' '
	mkdir -p outer/inner && cp proj/MLproject proj/args.sh outer/inner/ &&
	mlp-run -q "outer#inner" && test -f outer/inner/args.out &&
	test_expect_code 1 mlp-run "outer#../proj" 2>err &&
	test_expect_code 1 mlp-run "outer#nope" 2>err &&
	grep "Could not find subdirectory nope" err
'
test_expect_success 'a bad MLproject names the file and key; no run' '
	mkdir badp && printf "entry_points:\n  main:\n    parameters:\n      a: [1]\n    command: x\n" >badp/MLproject &&
	n=$(runs_in | wc -l) &&
	test_expect_code 1 mlp-run badp 2>err &&
	grep "badp/MLproject" err && grep "entry_points.main.parameters.a" err &&
	test "$(runs_in | wc -l)" -eq "$n"
'
test_expect_success 'a missing project folder is an error' '
	test_expect_code 1 mlp-run no-such-dir 2>err && grep no-such-dir err
'
test_done
