#!/bin/sh
# t1506-run-reproduce-env.t: the environment part of --reproduce: the
# lines of mlp/environment.txt that differ (python version, frozen
# packages) are shown and make the verdict "differs"; a docker image id
# recorded in mlflow.docker.image.id must be today's id of the image,
# else --reproduce refuses (exit 3) unless --allow-env-drift.
. "$(dirname "$0")/lib.sh"
. "$TEST_DIRECTORY/run-lib.sh"

mkdir repo envA envB
cat >repo/MLproject <<'YAML'
name: env
entry_points:
  main:
    command: "python3 -c 'print(1)' && mlp-log metric m 1"
YAML
(cd repo && git init -q -b main && git add -A && git commit -q -m v1)
real=$(command -v python3)
# Two pythons: the real one, reporting another version and packages.
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

test_expect_success 'the same python and packages: environment same' '
	PATH=$TRASH/envA:$PATH mlp-run repo 2>err && run_id_of err >a.id &&
	grep "numpy==1.0.0" "$(run_dir "$(cat a.id)")/artifacts/mlp/environment.txt" &&
	PATH=$TRASH/envA:$PATH mlp-run --reproduce "$(cat a.id)" >out 2>err &&
	grep "^environment  *same" out
'
test_expect_success 'another python and packages: shown, exit 1' '
	PATH=$TRASH/envB:$PATH test_expect_code 1 \
	    mlp-run --reproduce "$(cat a.id)" >out 2>err &&
	grep "^environment  *differs" out && grep "^metric m  *same" out &&
	grep "^-numpy==1.0.0" err && grep "^+numpy==2.0.0" err &&
	grep "^-.*python3	Python 3.11.1" err &&
	grep "^+.*python3	Python 3.11.2" err && ! grep "hostname" err
'
test_expect_success '--check compares the local environment of today' '
	PATH=$TRASH/envA:$PATH mlp-run --check "$(cat a.id)" >out &&
	grep "	ok	.*environment: same" out &&
	PATH=$TRASH/envB:$PATH test_expect_code 1 \
	    mlp-run --check "$(cat a.id)" >out &&
	grep "	drifted	.*environment: differs 1 line$" out
'

DOCKER_OPTIONAL=1
. "$TEST_DIRECTORY/docker.sh"
img=mlp-t1506-$$
test_at_exit "docker rmi -f $img:a $img:b $img:cur >/dev/null 2>&1"

# image NAME CONTENT: a one-file image made without any base image.
image() {
	mkdir -p "img-$1" && echo "$2" >"img-$1/f" &&
	tar -C "img-$1" -cf - f | docker import - "$img:$1" >/dev/null &&
	docker image inspect --format="{{.Id}}" "$img:$1"
}

test_expect_success DOCKER 'setup: a run that recorded a docker image id' '
	ida=$(image a one) && idb=$(image b two) && test "$ida" != "$idb" &&
	docker tag "$img:a" "$img:cur" &&
	PATH=$TRASH/envA:$PATH mlp-run repo 2>err && run_id_of err >d.id &&
	d=$(run_dir "$(cat d.id)") &&
	printf %s "$img:cur" >"$d/tags/mlflow.docker.image.uri" &&
	printf %s "$ida" >"$d/tags/mlflow.docker.image.id" &&
	echo "$idb" >idb
'
test_expect_success DOCKER 'the same image id: docker image same' '
	PATH=$TRASH/envA:$PATH mlp-run --reproduce "$(cat d.id)" >out 2>err &&
	grep "^docker image  *same" out
'
test_expect_success DOCKER 'another image under the name: refused, exit 3' '
	docker tag "$img:b" "$img:cur" &&
	test_expect_code 3 mlp-run --reproduce "$(cat d.id)" >out 2>err &&
	grep "docker image .$img:cur. is not the image" err &&
	grep "allow-env-drift" err && ! grep "Running command" err
'
test_expect_success DOCKER '--allow-env-drift runs it: exit 1, both ids' '
	PATH=$TRASH/envA:$PATH test_expect_code 1 mlp-run --reproduce \
	    "$(cat d.id)" --allow-env-drift >out 2>err &&
	grep "^docker image  *differs  *sha256:.*  *$(cat idb)" out
'
test_expect_success DOCKER 'the image gone: refused, exit 3' '
	docker rmi -f "$img:cur" >/dev/null &&
	test_expect_code 3 mlp-run --reproduce "$(cat d.id)" >out 2>err &&
	grep "is not the image" err
'
test_done
