#!/bin/sh
# t1050-run-docker-engine.t: mlp-run --env-manager docker against a real
# Docker engine (tests/t/docker.sh starts one if none runs): the image
# pinned by id, docker_env volumes and environment, -A, --build-image, a
# git project, failures that leave nothing behind, signals, kill -9 and
# mlp-log fsck --repair, --docker-user, and the iris example in a Debian
# image.
. "$(dirname "$0")/lib.sh"
. "$TEST_DIRECTORY/run-lib.sh"
. "$TEST_DIRECTORY/docker.sh"

docker_busybox_image ||
	test_skip_all "cannot make the busybox image $DOCKER_BUSYBOX (Debian: busybox-static)"
img_id=$(docker image inspect --format '{{.Id}}' "$DOCKER_BUSYBOX")

# A busybox project: the command writes what it sees into the run's
# artifacts (the store is mounted at the same path).
mkdir -p proj data
echo "read only data" >data/in.txt
cat >proj/MLproject <<EOF
name: busy
docker_env:
  image: $DOCKER_BUSYBOX
  volumes: ["$TRASH/data:/data:ro"]
  environment: [COPIED_VAR, ["SET_VAR", "a b;c"]]
entry_points:
  main:
    parameters:
      n: {type: int, default: 3}
    command: "sh see.sh {n}"
  sleep:
    command: "sleep 300"
  trap:
    command: "sh trap.sh"
EOF
cat >proj/trap.sh <<'EOF'
a=${MLFLOW_TRACKING_URI#file://}/$MLFLOW_EXPERIMENT_ID/$MLFLOW_RUN_ID/artifacts
trap 'echo "got TERM" >"$a/trapped"; exit 0' TERM
sleep 300 &
wait
EOF
cat >proj/see.sh <<'EOF'
a=${MLFLOW_TRACKING_URI#file://}/$MLFLOW_EXPERIMENT_ID/$MLFLOW_RUN_ID/artifacts
mkdir -p "$a" && cd "$a" || exit 1
env | sort >env.txt
echo "$1" >n.txt
pwd >pwd.txt
cat /data/in.txt >data.txt
touch owned
test -e /mlflow/projects/code/code.txt && cp /mlflow/projects/code/code.txt .
exit 0
EOF
COPIED_VAR=copied-value
export COPIED_VAR

# git_init_all DIR: DIR becomes a git repository with one commit.
git_init_all() {
	(cd "$1" && git init -q -b main && git add -A &&
	    git commit -q -m init)
}
docker_leftovers before

test_expect_success 'a shell entry point in busybox: FINISHED, sees the run' '
	mlp-run -P n=7 proj 2>err &&
	id=$(run_id_of err) && d=$(run_dir "$id") &&
	test "$(status_of "$d")" = 3 &&
	grep "^MLFLOW_RUN_ID=$id$" "$d/artifacts/env.txt" &&
	grep "^MLFLOW_EXPERIMENT_ID=0$" "$d/artifacts/env.txt" &&
	echo 7 >expect && test_cmp expect "$d/artifacts/n.txt" &&
	param_is "$d" n 7
'

test_expect_success 'the image is pinned: mlflow.docker.image.id, digest' '
	d=$(run_dir "$(run_id_of err)") &&
	tag_is "$d" mlflow.docker.image.uri "$DOCKER_BUSYBOX" &&
	tag_is "$d" mlflow.docker.image.id "$img_id" &&
	tag_is "$d" mlp.docker.image.digest "$img_id"
'

test_expect_success 'the mlflow.* tags are those MLflow writes for docker' '
	d=$(run_dir "$(run_id_of err)") &&
	(cd "$d/tags" && ls mlflow.*) >got &&
	printf "%s\n" mlflow.docker.image.id mlflow.docker.image.uri \
	    mlflow.project.backend mlflow.project.entryPoint \
	    mlflow.project.env mlflow.runName mlflow.source.name \
	    mlflow.source.type mlflow.user >expect &&
	test_cmp expect got &&
	tag_is "$d" mlflow.project.env docker &&
	tag_is "$d" mlflow.project.backend local &&
	tag_is "$d" mlflow.project.entryPoint main &&
	tag_is "$d" mlflow.source.type PROJECT &&
	tag_is "$d" mlflow.source.name "$TRASH/proj"
'

test_expect_success 'docker_env volumes and environment (copied and set)' '
	d=$(run_dir "$(run_id_of err)") &&
	echo "read only data" >expect && test_cmp expect "$d/artifacts/data.txt" &&
	grep "^COPIED_VAR=copied-value$" "$d/artifacts/env.txt" &&
	grep "^SET_VAR=a b;c$" "$d/artifacts/env.txt"
'

test_expect_success 'by default the container writes into the store as root' '
	d=$(run_dir "$(run_id_of err)") &&
	test "$(stat -c %u:%g "$d/artifacts/owned")" = 0:0
'

test_expect_success '-A arguments reach docker run' '
	mlp-run -A env=FROM_A=yes -A network=none -A read-only proj 2>err &&
	d=$(run_dir "$(run_id_of err)") &&
	test "$(status_of "$d")" = 3 &&
	grep "^FROM_A=yes$" "$d/artifacts/env.txt"
'

test_expect_success 'a git project fetched by URL runs in the container' '
	cp -R proj gitproj && git_init_all gitproj &&
	mlp-run "file://$TRASH/gitproj" 2>err &&
	d=$(run_dir "$(run_id_of err)") &&
	test "$(status_of "$d")" = 3 &&
	tag_is "$d" mlflow.source.git.commit \
	    "$(git -C gitproj rev-parse HEAD)" &&
	tag_is "$d" mlflow.docker.image.id "$img_id" &&
	test -s "$d/artifacts/env.txt"
'

test_expect_success '--build-image: <name>:<sha7> with the code in it' '
	echo code-in-image >proj/code.txt && git_init_all proj &&
	c7=$(git -C proj rev-parse --short=7 HEAD) &&
	test_when_finished "docker image rm busy:$c7 >/dev/null 2>&1" &&
	mlp-run --build-image proj 2>err &&
	grep "=== Building docker image busy:$c7 ===" err &&
	d=$(run_dir "$(run_id_of err)") &&
	test "$(status_of "$d")" = 3 &&
	tag_is "$d" mlflow.docker.image.uri "busy:$c7" &&
	tag_is "$d" mlflow.docker.image.id \
	    "$(docker image inspect --format "{{.Id}}" "busy:$c7")" &&
	echo code-in-image >expect && test_cmp expect "$d/artifacts/code.txt"
'

# fails_with TEXT: the one run made by the last mlp-run ended FAILED
# with TEXT in mlp.error, and no container or image is left.
fails_with() {
	_r=$(runs_in | while read -r r; do
		grep -l "$1" "$MLFLOW_TRACKING_URI/0/$r/tags/mlp.error" \
		    2>/dev/null || :; done) &&
	test "$(echo "$_r" | wc -l)" -eq 1 &&
	test "$(status_of "${_r%/tags/mlp.error}")" = 4 &&
	docker_leftovers after && test_cmp before after
}

test_expect_success 'a failed build: FAILED, no container or image left' '
	cp -R proj badbuild &&
	sed "s/image: .*/image: mlp-test-nosuch-base:1/" proj/MLproject \
	    >badbuild/MLproject &&
	test_expect_code 1 mlp-run --build-image badbuild 2>err &&
	grep "docker build failed" err &&
	fails_with "docker build failed"
'

test_expect_success 'a missing image: FAILED, nothing left' '
	cp -R proj missing &&
	sed "s/image: .*/image: mlp-test-nosuch:1/" proj/MLproject \
	    >missing/MLproject &&
	test_expect_code 1 mlp-run missing 2>err &&
	grep "docker image .mlp-test-nosuch:1. is not here" err &&
	fails_with "mlp-test-nosuch:1"
'

test_expect_success 'a bad image name: FAILED, nothing left' '
	cp -R proj badname &&
	sed "s/image: .*/image: \"Bad Name!\"/" proj/MLproject \
	    >badname/MLproject &&
	test_expect_code 1 mlp-run badname 2>err &&
	fails_with "Bad Name!"
'

test_expect_success 'an image name that is an option: FAILED, nothing left' '
	cp -R proj optname &&
	sed "s/image: .*/image: \"--privileged\"/" proj/MLproject \
	    >optname/MLproject &&
	test_expect_code 1 mlp-run optname 2>err &&
	grep "docker image .--privileged.: not an image name" err &&
	fails_with "not an image name"
'

# --docker-user, tried by a user who is not root: uid 4242 with the
# group of the engine's socket.
sock=${DOCKER_HOST:-unix:///var/run/docker.sock}
sock=${sock#unix://}
if command -v setpriv >/dev/null 2>&1 && [ "$(id -u)" -eq 0 ] &&
    [ -S "$sock" ]; then
	test_set_prereq SETPRIV
fi
# as_user DIR ARGS...: mlp-run ARGS as uid 4242 on the store DIR/mlruns.
as_user() {
	_dir=$1
	shift
	HOME=$TRASH/$_dir MLFLOW_TRACKING_URI=$TRASH/$_dir/mlruns \
	    XDG_CACHE_HOME=$TRASH/$_dir/cache \
	    setpriv --reuid 4242 --regid 4242 \
	    --groups "$(stat -c %g "$sock")" mlp-run "$@"
}
test_expect_success SETPRIV '--docker-user: the store gets files of the user' '
	chmod 755 "$TRASH" && mkdir u && cp -R proj u/ &&
	chown -R 4242:4242 u &&
	as_user u u/proj 2>err && id=$(run_id_of err) &&
	test "$(stat -c %u "u/mlruns/0/$id/artifacts/owned")" = 0 &&
	as_user u --docker-user u/proj 2>err && id=$(run_id_of err) &&
	test "$(status_of "u/mlruns/0/$id")" = 3 &&
	test "$(stat -c %u:%g "u/mlruns/0/$id/artifacts/owned")" = 4242:4242 &&
	test "$(stat -c %u "u/mlruns/0/$id/artifacts/env.txt")" = 4242
'

# wait_container NAME: until the container NAME runs (or 60 s).
wait_container() {
	_i=0
	until [ -n "$(docker ps -q --filter "name=^$1\$")" ]; do
		[ $_i -lt 600 ] || return 1
		sleep 0.1
		_i=$((_i + 1))
	done
}

# start_sleeper [ENTRY]: mlp-run -e ENTRY (sleep) in the background
# until its container runs; sets pid and id.
start_sleeper() {
	rm -f sleeper.err
	mlp-run -e "${1:-sleep}" proj 2>sleeper.err &
	pid=$!
	_i=0
	until id=$(run_id_of sleeper.err) && [ -n "$id" ]; do
		[ $_i -lt 600 ] || return 1
		sleep 0.1
		_i=$((_i + 1))
	done
	wait_container "mlp-$id"
}

for sig in TERM:143 INT:130; do
	rc_want=${sig#*:} sig=${sig%:*}
	test_expect_success "SIG$sig: container stopped, KILLED, exit $rc_want" '
		start_sleeper &&
		kill -s $sig $pid &&
		{ wait $pid; rc=$?; } &&
		test $rc -eq $rc_want &&
		test "$(status_of "$(run_dir "$id")")" = 5 &&
		test -z "$(docker ps -aq --filter "name=^mlp-$id\$")"
	'
done

test_expect_success 'a command that handles SIGTERM gets it: exit 0, KILLED' '
	start_sleeper trap &&
	kill -s TERM $pid &&
	{ wait $pid; rc=$?; } &&
	test $rc -eq 0 &&
	d=$(run_dir "$id") &&
	echo "got TERM" >expect && test_cmp expect "$d/artifacts/trapped" &&
	test "$(status_of "$d")" = 5 &&
	test -z "$(docker ps -aq --filter "name=^mlp-$id\$")"
'

# The build context (400 MB) takes seconds to reach the engine: the
# signal comes while it is being built.
test_expect_success 'SIGTERM during --build-image: KILLED, no image or container' '
	mkdir slowbuild &&
	sed "s/^name: .*/name: slowbuild/" proj/MLproject >slowbuild/MLproject &&
	dd if=/dev/zero of=slowbuild/big bs=1M count=400 2>/dev/null &&
	{ mlp-run --build-image -e sleep slowbuild 2>build.err & } &&
	pid=$! && i=0 &&
	until grep -q "Building docker image slowbuild ===" build.err; do
		[ $i -lt 600 ] || return 1
		sleep 0.1
		i=$((i + 1))
	done &&
	kill -TERM $pid && { wait $pid; rc=$?; } &&
	rm -rf slowbuild && test $rc -eq 143 &&
	grep "docker build interrupted by signal 15" build.err &&
	d=$(grep -l "docker build interrupted" \
	    "$MLFLOW_TRACKING_URI"/0/*/tags/mlp.error) &&
	test "$(status_of "${d%/tags/mlp.error}")" = 5 &&
	docker_leftovers after && test_cmp before after
'

test_expect_success 'kill -9 of mlp-run: fsck --repair stops the container' '
	start_sleeper &&
	kill -9 $pid && { wait $pid || :; } &&
	test -n "$(docker ps -q --filter "name=^mlp-$id\$")" &&
	test_expect_code 1 mlp-log fsck --repair >fsck.out &&
	grep "container mlp-$id stopped and removed" fsck.out &&
	test -z "$(docker ps -aq --filter "name=^mlp-$id\$")" &&
	test "$(status_of "$(run_dir "$id")")" = 4 &&
	docker_leftovers after && test_cmp before after
'

# The iris example in its Debian image (built once, minutes, and kept);
# this build's mlp-log and train.py are mounted over the image's.
mlplog_mount=$MLP_BUILD_DIR/tools/mlp-log:/usr/local/bin/mlp-log:ro
if ! docker_iris_image >iris-image.log 2>&1; then
	sed "s/^/# /" iris-image.log
elif ! docker run --rm --network none -v "$mlplog_mount" "$DOCKER_IRIS" \
    mlp-log -V >iris-image.log 2>&1; then
	echo "# this mlp-log does not run in $DOCKER_IRIS:"
	sed "s/^/# /" iris-image.log
else
	test_set_prereq IRIS
fi
test_expect_success IRIS 'the iris example in a Debian image: FINISHED' '
	cp -R "$MLP_SRCDIR/contrib/examples/iris-docker" iris &&
	sed "s/image: .*/image: $DOCKER_IRIS/" \
	    "$MLP_SRCDIR/contrib/examples/iris-docker/MLproject" \
	    >iris/MLproject &&
	mlp-run --experiment-name iris \
	    -A volume="$mlplog_mount" \
	    -A volume="$MLP_SRCDIR/contrib/examples/iris/train.py:/opt/iris/train.py:ro" \
	    --docker-user iris -P kernel=poly -P C=2 2>err &&
	mlp-ls -e iris -c status,params.kernel,params.C,metrics.val_accuracy \
	    >out &&
	printf "FINISHED\tpoly\t2\t0.9\n" >want && test_cmp want out &&
	id=$(run_id_of err) && d=$(echo "$MLFLOW_TRACKING_URI"/*/"$id") &&
	for s in training val; do
		for m in accuracy precision recall f1; do
			test_line_count "$d/metrics/${s}_$m" 1 || return 1
		done
	done &&
	tag_is "$d" mlflow.docker.image.uri "$DOCKER_IRIS" &&
	tag_is "$d" mlflow.docker.image.id \
	    "$(docker image inspect --format "{{.Id}}" "$DOCKER_IRIS")" &&
	test "$(stat -c %u "$d/artifacts/model/model.pkl")" = "$(id -u)" &&
	docker run --rm --network none -v "$d:$d:ro" "$DOCKER_IRIS" \
	    python3 -c "import pickle, sys
m = pickle.load(open(sys.argv[1], \"rb\"))
print(m.kernel, m.C)" "$d/artifacts/model/model.pkl" >out &&
	echo "poly 2.0" >want && test_cmp want out
'

test_done
