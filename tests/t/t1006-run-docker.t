#!/bin/sh
# t1006-run-docker.t: the docker command lines, checked with a recording
# docker program first in PATH (t1040-run-docker-engine.t runs them on a
# real Docker engine).
. "$(dirname "$0")/lib.sh"
. "$TEST_DIRECTORY/run-lib.sh"

mkdir bin proj
cat >bin/docker <<'SH'
#!/bin/sh
# Record one word a line, then an empty line; keep a build's Dockerfile.
# "image inspect" answers an id and a repo digest, unrecorded.
if [ "$1 $2" = "image inspect" ]; then
	echo "sha256:1d${DOCKER_IMAGE_ID:-1} x@sha256:d1"
	exit "${DOCKER_INSPECT_EXIT:-0}"
fi
{ for a in "$@"; do printf '%s\n' "$a"; done; echo; } >>"$DOCKER_LOG"
if [ "$1" = build ]; then
	while [ $# -gt 0 ]; do
		[ "$1" = -f ] && cp "$2" "$DOCKER_LOG.dockerfile"
		shift
	done
fi
exit "${DOCKER_EXIT:-0}"
SH
chmod +x bin/docker
PATH=$TRASH/bin:$PATH
DOCKER_LOG=$TRASH/docker.log
export PATH DOCKER_LOG

cat >proj/MLproject <<'YAML'
name: iris_example
docker_env:
  image: iris_project:1.0.0.0
  volumes: ["/data:/data:ro"]
  environment: [SECRET_TOKEN, ["MODE", "fast and safe"]]
entry_points:
  main:
    parameters:
      kernel: {type: string, default: rbf}
      C: {type: float, default: 1}
    command: "python train.py --kernel {kernel} --param_c {C}"
YAML
(cd proj && git init -q -b main && git add -A && git commit -q -m init)

SECRET_TOKEN=s3cr3t-value
export SECRET_TOKEN

test_expect_success 'docker run with the store, project, variables, volumes' '
	mlp-run -P "kernel=poly x" -P C=2 proj 2>err &&
	id=$(run_id_of err) && d=$(run_dir "$id") &&
	cat >expect <<-EOF &&
	run
	--rm
	--name
	mlp-$id
	--init
	-v
	$TRASH/mlruns:$TRASH/mlruns
	-v
	$TRASH/proj:$TRASH/proj
	-w
	$TRASH/proj
	-v
	/data:/data:ro
	-e
	MLFLOW_RUN_ID=$id
	-e
	MLFLOW_TRACKING_URI=file://$TRASH/mlruns
	-e
	MLFLOW_EXPERIMENT_ID=0
	-e
	MLFLOW_ALLOW_FILE_STORE=true
	-e
	SECRET_TOKEN
	-e
	MODE=fast and safe
	iris_project:1.0.0.0
	python
	train.py
	--kernel
	poly x
	--param_c
	2

	EOF
	test_cmp expect docker.log &&
	tag_is "$d" mlflow.project.env docker &&
	tag_is "$d" mlflow.docker.image.uri iris_project:1.0.0.0 &&
	tag_is "$d" mlflow.docker.image.id sha256:1d1 &&
	tag_is "$d" mlp.docker.image.digest x@sha256:d1 &&
	tag_is "$d" mlp.docker.container "mlp-$id" &&
	test "$(status_of "$d")" = 3
'
test_expect_success 'secrets of the host never reach the command line' '
	d=$(run_dir "$(run_id_of err)") &&
	! grep -r s3cr3t-value mlruns && ! grep s3cr3t-value docker.log &&
	grep "^docker run --rm" "$d/tags/mlp.command"
'
test_expect_success '-A passes docker options' '
	rm docker.log &&
	mlp-run -q -A gpus=all -A t -A network=host proj &&
	sed -n 6,10p docker.log >got &&
	printf "%s\n" --gpus all -t --network host >expect &&
	test_cmp expect got
'
test_expect_success 'the exit status of docker is the run status' '
	DOCKER_EXIT=5 test_expect_code 5 mlp-run proj 2>err &&
	test "$(status_of "$(run_dir "$(run_id_of err)")")" = 4
'
test_expect_success '--build-image builds <name>:<commit7> with the code' '
	rm docker.log &&
	mlp-run --build-image proj 2>err &&
	c7=$(git -C proj rev-parse --short=7 HEAD) &&
	grep "=== Building docker image iris_example:$c7 ===" err &&
	sed -n 1,4p docker.log >got &&
	printf "%s\n" build --force-rm -t "iris_example:$c7" >expect &&
	test_cmp expect got &&
	sed -n 7p docker.log | grep "^$TRASH/proj$" &&
	printf "FROM iris_project:1.0.0.0\nCOPY . /mlflow/projects/code/\nWORKDIR /mlflow/projects/code/\n" >expect &&
	test_cmp expect docker.log.dockerfile &&
	sed -n "/^run$/,\$p" docker.log >run.log &&
	grep "^iris_example:$c7$" run.log && ! grep "^-w$" run.log &&
	! grep "^$TRASH/proj:$TRASH/proj$" run.log &&
	tag_is "$(run_dir "$(run_id_of err)")" mlflow.docker.image.uri \
	    "iris_example:$c7"
'
test_expect_success 'a failed build fails the run with mlp.error' '
	DOCKER_EXIT=1 test_expect_code 1 mlp-run --build-image proj 2>err &&
	d=$(run_dir "$(runs_in | while read -r r; do
		grep -q "docker build" "$MLFLOW_TRACKING_URI/0/$r/tags/mlp.error" \
		    2>/dev/null && echo "$r"; done)") &&
	test "$(status_of "$d")" = 4
'
test_expect_success 'an unset host variable fails the run with mlp.error' '
	env -u SECRET_TOKEN mlp-run proj 2>err; test $? -eq 1 &&
	d=$(run_dir "$(runs_in | while read -r r; do
		grep -q "SECRET_TOKEN" "$MLFLOW_TRACKING_URI/0/$r/tags/mlp.error" \
		    2>/dev/null && echo "$r"; done)") &&
	test "$(status_of "$d")" = 4
'
test_expect_success 'without docker in PATH: a clear error, no run' '
	n=$(runs_in | wc -l) &&
	(
		PATH=$MLP_BUILD_DIR/tools:/nonexistent
		export PATH
		test_expect_code 1 "$MLP_BUILD_DIR/tools/mlp-run" proj 2>err
	) &&
	{ grep "Could not find Docker executable" err || { cat err; false; }; } &&
	test "$(runs_in | wc -l)" -eq "$n"
'
test_done
