#!/bin/sh
# t2003-log-full-disk: mlp-log on a full file system (a small tmpfs
# filled up) fails with exit 1, "No space left on device" and the name
# of the file it was writing, and leaves no partial line and no stray
# file; once space is freed the next writes work.
. "$(dirname "$0")/lib.sh"

mkdir disk
if [ "$(id -u)" -ne 0 ]; then
	test_skip_all 'mounting a tmpfs needs root'
fi
if ! mount -t tmpfs -o size=256k tmpfs disk 2>err; then
	test_skip_all "mount refused: $(cat err)"
fi
test_at_exit "umount '$TRASH/disk'"
MLFLOW_TRACKING_URI=$TRASH/disk/mlruns
export MLFLOW_TRACKING_URI

# lines FILE: every line whole and the next one of "<ts> i.25 i", i = 0...
lines() {
	test -z "$(tail -c 1 "$1")" &&
	awk '{ if (NF != 3 || $1 != "17" || $2 != (NR - 1) ".25" ||
		$3 != NR - 1) { printf "%s: bad line %d: %s\n", FILENAME, NR,
		$0; exit 1 } }' "$1"
}

test_expect_success 'a run with a metric, then the disk is full' '
	id=$(mlp-log start) && echo $id >id && run=disk/mlruns/0/$id &&
	echo "metric m 0.25 0 17" | mlp-log -r $id - &&
	head -c 2000 /dev/urandom >small &&
	{ dd if=/dev/zero of=disk/fill bs=1024 2>/dev/null || :; } &&
	test_expect_code 1 sh -c "echo x >disk/probe" 2>/dev/null
'
id=$(cat id) run=disk/mlruns/0/$(cat id)

test_expect_success 'metric, param, tag: exit 1, no space, the file named' '
	test_expect_code 1 mlp-log -r $id metric new 1 2>err &&
	grep -F "$run/metrics/new" err && grep -F "No space left on device" err &&
	test_line_count err 1 &&
	test_expect_code 1 mlp-log -r $id param p v 2>err &&
	grep -F "$run/params/p" err && grep -F "No space left on device" err &&
	test_expect_code 1 mlp-log -r $id tag t v 2>err &&
	grep -F "$run/tags/t" err && grep -F "No space left on device" err &&
	test_expect_code 1 mlp-log -r $id artifact small 2>err &&
	grep -F "$run/artifacts/small" err &&
	grep -F "No space left on device" err
'
test_expect_success "'mlp-log -' into a full page: exit 1, the file named" '
	awk "BEGIN { for (i = 1; i < 3000; i++)
		printf \"metric m %d.25 %d 17\\n\", i, i }" >in &&
	test_expect_code 1 mlp-log -r $id - <in 2>err &&
	grep -F "$run/metrics/m" err && grep -F "No space left on device" err &&
	test_line_count err 1 &&
	lines $run/metrics/m &&
	echo "metric new2 1 0 5" | test_expect_code 1 mlp-log -r $id - 2>err &&
	grep -F "$run/metrics/new2" err && grep -F "No space left on device" err
'
test_expect_success 'no partial line, no stray file in the store' '
	lines $run/metrics/m &&
	test -z "$(find disk/mlruns -name ".mlp-tmp*")" &&
	test "$(ls $run/metrics)" = m && test -z "$(ls -A $run/params)" &&
	test -z "$(ls -A $run/artifacts)" &&
	test "$(ls $run/tags)" = "$(printf "mlflow.runName\nmlflow.source.type\nmlflow.user")"
'
test_expect_success 'with space again the next writes work' '
	rm disk/fill &&
	n=$(wc -l <$run/metrics/m) &&
	echo "metric m $n.25 $n 17" | mlp-log -r $id - &&
	lines $run/metrics/m &&
	mlp-log -r $id metric new 1 && mlp-log -r $id param p v &&
	mlp-log -r $id tag t v && mlp-log -r $id artifact small &&
	cmp small $run/artifacts/small &&
	mlp-ls -c metrics.m,metrics.new,params.p,tags.t $id >got 2>err &&
	test_line_count err 0 &&
	printf "%s.25\t1.0\tv\tv\n" $n >want && test_cmp want got
'
test_done
