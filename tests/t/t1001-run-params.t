#!/bin/sh
# t1001-run-params.t: parameter types, defaults, required values, extras.
. "$(dirname "$0")/lib.sh"
. "$TEST_DIRECTORY/run-lib.sh"

mkdir proj data
echo hello >data/a.txt
cat >proj/MLproject <<'YAML'
entry_points:
  main:
    parameters:
      alpha: float
      n: {type: int, default: 10}
      name: {type: string, default: "hello world"}
      flag: {default: yes}
      input: {type: path, default: data/a.txt}
      model: {type: uri, default: "s3://bucket/model"}
    command: "printf '%s\n' {alpha} {n} {name} {flag} {input} {model} >out.txt"
YAML

test_expect_success 'every declared parameter is logged, defaults too' '
	mlp-run -P alpha=0.5 proj 2>err && d=$(run_dir "$(run_id_of err)") &&
	param_is "$d" alpha 0.5 && param_is "$d" n 10 &&
	param_is "$d" name "hello world" && param_is "$d" flag True &&
	param_is "$d" input data/a.txt && param_is "$d" model s3://bucket/model
'
test_expect_success 'the command gets the values, paths absolute' '
	printf "%s\n" 0.5 10 "hello world" True "$TRASH/data/a.txt" \
	    s3://bucket/model >expect &&
	test_cmp expect proj/out.txt
'
test_expect_success 'a relative path is taken from the current folder' '
	mlp-run -q -P alpha=1 -P input=data proj &&
	sed -n 5p proj/out.txt >got && echo "$TRASH/data" >expect &&
	test_cmp expect got
'
test_expect_success 'a file: URI path becomes the path' '
	mlp-run -q -P alpha=1 -P "input=file://$TRASH/data/a.txt" proj &&
	test "$(sed -n 5p proj/out.txt)" = "$TRASH/data/a.txt"
'
check_no_run() {
	_n=$(runs_in | wc -l)
	test_expect_code 1 mlp-run "$@" proj 2>err || return 1
	[ "$(runs_in | wc -l)" -eq "$_n" ] ||
		{ echo "a run was created" >&2; return 1; }
}
test_expect_success 'a missing required parameter: error, no run' '
	check_no_run &&
	grep "No value given for missing parameters: .alpha." err
'
test_expect_success 'a float that does not parse: error, no run' '
	check_no_run -P alpha=abc && grep "parameter .alpha.: .abc. is not a float" err
'
test_expect_success 'an int that does not parse: error, no run' '
	check_no_run -P alpha=1 -P n=1.5 && grep "not an int" err
'
test_expect_success 'a path that does not exist: error, no run' '
	check_no_run -P alpha=1 -P input=nope &&
	grep "Got value nope for parameter input, but no such file" err
'
test_expect_success 'a remote path is refused' '
	check_no_run -P alpha=1 -P input=s3://b/k && grep "s3://b/k" err
'
test_expect_success 'a uri without a scheme: error, no run' '
	check_no_run -P alpha=1 -P model=relative/path &&
	grep "Expected URI for parameter model but got relative/path" err
'
test_expect_success 'floats in any Python form are accepted' '
	mlp-run -q -P alpha=1e-3 proj && mlp-run -q -P alpha=" -inf" proj &&
	mlp-run -q -P alpha=NaN proj
'
test_expect_success 'extra parameters become --key value, in order' '
	printf "entry_points:\n  main:\n    command: sh args.sh {{literal}}\n" \
	    >proj/MLproject &&
	echo "printf \"%s\\n\" \"\$@\" >out.txt" >proj/args.sh &&
	mlp-run -P b=2 -P "a=x y" -P "c=" proj 2>err &&
	printf "%s\n" "{literal}" --b 2 --a "x y" --c "" >expect &&
	test_cmp expect proj/out.txt &&
	d=$(run_dir "$(run_id_of err)") &&
	param_is "$d" a "x y" && param_is "$d" c "" &&
	grep "=== Running command .sh args.sh {literal} --b 2 --a .x y. --c" err
'
test_expect_success 'a bad parameter name is an error before any run' '
	check_no_run -P "../x=1" && grep "\.\./x" err
'
test_expect_success 'a value may contain =' '
	mlp-run -q -P "eq=1 + 2 = 3" proj &&
	test "$(sed -n 3p proj/out.txt)" = "1 + 2 = 3"
'
test_expect_success 'a placeholder that is not declared is an error' '
	printf "entry_points:\n  main:\n    command: echo {nope}\n" >proj/MLproject &&
	check_no_run && grep "{nope}" err
'
# Defaults typed by PyYAML's rules (src/yscalar.c), as mlflow run types
# them: the logged value is Python's str() of what yaml.safe_load gives.
mkdir proj2
cat >proj2/MLproject <<'YAML'
entry_points:
  main:
    parameters:
      a: {default: 1:20}
      b: {default: 0x1F}
      c: {default: 2001-12-14t21:59:43.10-05:00}
      d: {default: 1e3}
      e: {default: -.5}
      f: {default: 1_000.5}
      g: {default: 1:30.5}
      h: {default: 99999999999999999999}
      i: {default: 2026-11-30}
      j: {default: .NaN}
    command: "true"
YAML
python3 -c 'import yaml' 2>/dev/null && test_set_prereq PYYAML
test_expect_success PYYAML 'defaults are str() of what PyYAML reads' '
	python3 -c "import sys, yaml
p = yaml.safe_load(open(sys.argv[1]))[\"entry_points\"][\"main\"][\"parameters\"]
for k in sorted(p):
    print(k, p[k][\"default\"])" proj2/MLproject >expect &&
	mlp-run proj2 2>err && d=$(run_dir "$(run_id_of err)") &&
	for k in a b c d e f g h i j; do
		printf "%s %s\n" "$k" "$(cat "$d/params/$k")" || return 1
	done >got &&
	test_cmp expect got
'
test_done
