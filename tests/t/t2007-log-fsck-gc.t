#!/bin/sh
# t2007-log-fsck-gc.t: mlp-log fsck finds and repairs each kind of damage
# without deleting data; mlp-log gc deletes as mlflow gc does.
. "$(dirname "$0")/lib.sh"

S=$MLFLOW_TRACKING_URI
HOST=$(hostname)
OLD=$(($(date +%s) - 1000))
MLP_LOCK_STALE=100
export MLP_LOCK_STALE

# dead_pid: a pid that no process has now.
dead_pid() {
	sh -c 'echo $$' >"$TRASH/.dead"
	_p=$(cat "$TRASH/.dead")
	while kill -0 "$_p" 2>/dev/null; do _p=$((_p + 1)); done
	echo "$_p"
}

# age PATH...: make files and folders 1000 s old.
age() {
	touch -d "@$OLD" "$@"
}

# snapshot: every file of the store with its content digest.
snapshot() {
	(cd "$S" && find . -type f | sort | while read -r f; do
		printf '%s %s\n' "$f" "$(md5sum <"$f")"; done)
}

test_expect_success 'a store with every kind of damage' '
	torn=$(mlp-log start -n torn) &&
	mlp-log -r "$torn" metric loss 0.5 1 &&
	printf "1700000000000 0.25 2" >>"$S/0/$torn/metrics/loss" &&
	mkdir -p "$S/0/0123456789abcdef0123456789abcdef/params" &&
	echo precious >"$S/0/0123456789abcdef0123456789abcdef/params/p" &&
	mkdir -p "$S/123456789012345678/abc" &&
	echo data >"$S/123456789012345678/abc/file" &&
	age "$S/0/0123456789abcdef0123456789abcdef" "$S/123456789012345678" &&
	echo half >"$S/0/$torn/.mlp-tmp.0011223344556677" &&
	mkdir -p "$S/0/$torn/artifacts/.mlp-tmp.dir" &&
	age "$S/0/$torn/.mlp-tmp.0011223344556677" \
	    "$S/0/$torn/artifacts/.mlp-tmp.dir" &&
	echo young >"$S/0/$torn/.mlp-tmp.young" &&
	printf "host=%s\npid=%s\n" "$HOST" "$(dead_pid)" \
	    >"$S/0/$torn/.mlp-tmp.orphan" &&
	locked=$(mlp-log start -n locked) &&
	printf "host=%s\npid=%s\n" "$HOST" "$(dead_pid)" \
	    >"$S/0/$locked/.mlp-lock" &&
	dead=$(mlp-log start -n dead) &&
	printf %s "$HOST" >"$S/0/$dead/tags/mlp.runner.host" &&
	printf %s "$(dead_pid)" >"$S/0/$dead/tags/mlp.runner.pid" &&
	remote=$(mlp-log start -n remote) &&
	printf %s elsewhere.invalid >"$S/0/$remote/tags/mlp.runner.host" &&
	printf 4242 >"$S/0/$remote/tags/mlp.runner.pid" &&
	alive=$(mlp-log start -n alive) &&
	printf %s "$HOST" >"$S/0/$alive/tags/mlp.runner.host" &&
	printf %s $$ >"$S/0/$alive/tags/mlp.runner.pid" &&
	printf "%s\n" "$torn" "$locked" "$dead" "$remote" "$alive" >ids
'
{ read -r torn; read -r locked; read -r dead; read -r remote; read -r alive; } <ids

test_expect_success 'fsck reports each, exits 1 and changes nothing' '
	snapshot >before &&
	test_expect_code 1 mlp-log fsck >out &&
	snapshot >after && test_cmp before after &&
	grep "^torn-metric	$S/0/$torn/metrics/loss	" out &&
	grep "^no-meta	$S/0/0123456789abcdef0123456789abcdef	run folder" out &&
	grep "^no-meta	$S/123456789012345678	experiment folder" out &&
	grep "^stale-temp	$S/0/$torn/.mlp-tmp.0011223344556677	" out &&
	grep "^stale-temp	$S/0/$torn/artifacts/.mlp-tmp.dir	" out &&
	grep "^stale-temp	$S/0/$torn/.mlp-tmp.orphan	.*owner (pid [0-9]* on $HOST) is gone" out &&
	grep "^stale-lock	$S/0/$locked/.mlp-lock	.*gone" out &&
	grep "^dead-run	$dead	RUNNING, runner gone" out &&
	grep "^remote-run	$remote	.*elsewhere.invalid" out &&
	! grep "young\|$alive" out &&
	test_line_count out 9
'

test_expect_success 'fsck --repair repairs, exits 1; then fsck exits 0' '
	test_expect_code 1 mlp-log fsck --repair >out &&
	test "$(grep -c "; repaired: " out)" -eq 8 &&
	mlp-log fsck >again && test_line_count again 1 &&
	grep "^remote-run	$remote" again
'

test_expect_success 'a dead run is FAILED with an end time and mlp.error' '
	grep -x "status: 4" "$S/0/$dead/meta.yaml" &&
	grep "^end_time: [0-9]" "$S/0/$dead/meta.yaml" &&
	grep "runner (pid [0-9]* on $HOST) is gone" "$S/0/$dead/tags/mlp.error" &&
	grep -x "status: 1" "$S/0/$alive/meta.yaml" &&
	grep -x "status: 1" "$S/0/$remote/meta.yaml"
'

test_expect_success 'no data is deleted: moved aside, torn tail kept' '
	L=$S/.mlp-lost.trash &&
	test "$(cat "$L/0/0123456789abcdef0123456789abcdef/params/p")" = precious &&
	test "$(cat "$L/123456789012345678/abc/file")" = data &&
	test ! -e "$S/0/0123456789abcdef0123456789abcdef" &&
	test ! -e "$S/123456789012345678" &&
	printf "1700000000000 0.25 2" >want && test_cmp want "$L/0/$torn/metrics/loss.torn" &&
	test "$(tail -c 1 "$S/0/$torn/metrics/loss" | od -An -c | tr -d " ")" = "\n" &&
	test "$(wc -l <"$S/0/$torn/metrics/loss")" -eq 1 &&
	test ! -e "$S/0/$locked/.mlp-lock" &&
	test ! -e "$S/0/$torn/.mlp-tmp.0011223344556677" &&
	test ! -e "$S/0/$torn/.mlp-tmp.orphan" &&
	test -e "$S/0/$torn/.mlp-tmp.young"
'

test_expect_success 'the lost folder is not an experiment' '
	mlp-log fsck && id=$(mlp-log start -n after) && test -d "$S/0/$id" &&
	mlp-ls -x >out 2>err && ! grep lost out err && test_line_count out 1
'

test_expect_success 'a run of another host is repaired only when named' '
	test_expect_code 1 mlp-log fsck --repair "$remote" >out &&
	grep "^dead-run	$remote	RUNNING, named on the command line" out &&
	grep -x "status: 4" "$S/0/$remote/meta.yaml" &&
	grep "declared dead" "$S/0/$remote/tags/mlp.error" &&
	mlp-log fsck
'

test_expect_success 'a torn metric without a single whole line is moved' '
	printf "17000" >"$S/0/$torn/metrics/acc" &&
	test_expect_code 1 mlp-log fsck --repair >out &&
	grep "^torn-metric.*no whole line, moved to" out &&
	test ! -e "$S/0/$torn/metrics/acc" &&
	test "$(cat "$S/.mlp-lost.trash/0/$torn/metrics/acc")" = 17000
'

test_expect_success 'fsck: usage errors exit 2, unknown runs 1' '
	test_expect_code 2 mlp-log fsck --bogus 2>err &&
	test_expect_code 1 mlp-log fsck 0123456789abcdef0123456789abcdee 2>err &&
	grep "no run with id" err
'

# ---- gc ----

# deleted_at RUN MS: set the deleted_time of a deleted run.
deleted_at() {
	_m=$(echo "$S"/*/"$1"/meta.yaml "$S"/.trash/*/"$1"/meta.yaml | tr " " "\n" |
	    grep -v "[*]")
	sed "s/^deleted_time: .*/deleted_time: $2/" "$_m" >"$_m.new" &&
	mv "$_m.new" "$_m"
}

test_expect_success 'a store with deleted runs and a deleted experiment' '
	rm -rf "$S" &&
	a=$(mlp-log start -n active) && mlp-log -r "$a" artifact ids &&
	b=$(mlp-log start -n b) && mlp-log -r "$b" artifact ids &&
	mlp-log -r "$b" delete &&
	c=$(mlp-log start -n c) && mlp-log -r "$c" delete &&
	deleted_at "$c" $(( ($(date +%s) - 3 * 86400) * 1000 )) &&
	d=$(mlp-log start -n d) && mkdir -p "$S/.mlp-art/d" outside/d &&
	echo x >"$S/.mlp-art/d/f" && echo y >outside/d/f &&
	sed "s|^artifact_uri: .*|artifact_uri: file://$S/.mlp-art/d|" \
	    "$S/0/$d/meta.yaml" >m && mv m "$S/0/$d/meta.yaml" &&
	mlp-log -r "$d" delete &&
	e=$(mlp-log start -n e) &&
	sed "s|^artifact_uri: .*|artifact_uri: file://$TRASH/outside/d|" \
	    "$S/0/$e/meta.yaml" >m && mv m "$S/0/$e/meta.yaml" &&
	mlp-log -r "$e" delete &&
	f=$(mlp-log start -n f) &&
	sed "s|^artifact_uri: .*|artifact_uri: ftp://example.invalid/f|" \
	    "$S/0/$f/meta.yaml" >m && mv m "$S/0/$f/meta.yaml" &&
	mlp-log -r "$f" delete &&
	g=$(mlp-log start -e gone -n g) && mlp-log -r "$g" delete &&
	h=$(mlp-log start -e gone -n h) &&
	E=$(basename "$(dirname "$(echo "$S"/*/"$g")")") &&
	mlp-log -r "$h" delete &&
	now=$(($(date +%s) * 1000)) &&
	sed -e "s/^lifecycle_stage: .*/lifecycle_stage: deleted/" \
	    -e "s/^last_update_time: .*/last_update_time: $now/" \
	    "$S/$E/meta.yaml" >m && mv m "$S/$E/meta.yaml" &&
	mv "$S/$E" "$S/.trash/$E" &&
	printf "%s\n" "$a" "$b" "$c" "$d" "$e" "$f" "$g" "$h" "$E" >gcids
'
{ read -r a; read -r b; read -r c; read -r d; read -r e; read -r f; read -r g
  read -r h; read -r E; } <gcids

test_expect_success 'gc refuses what is not deleted, in MLflow words' '
	snapshot >before &&
	test_expect_code 1 mlp-log gc --run-ids "$b,$a" 2>err &&
	grep "Run $a is not in .deleted. lifecycle stage. Only runs in .deleted. lifecycle stage can be deleted." err &&
	test_expect_code 1 mlp-log gc --run-ids 0123456789abcdef0123456789abcdee 2>err &&
	grep "Run .0123456789abcdef0123456789abcdee. not found" err &&
	test_expect_code 1 mlp-log gc --experiment-ids 0 2>err &&
	grep "Experiments \[.0.\] are not in the deleted lifecycle stage" err &&
	test_expect_code 1 mlp-log gc --experiment-ids 4242 2>err &&
	grep "Experiment .4242. does not exist" err &&
	test_expect_code 2 mlp-log gc --older-than 1x 2>err &&
	grep "Could not parse any time information from .1x." err &&
	test_expect_code 1 mlp-log gc --older-than 1d --run-ids "$b" 2>err &&
	grep "Run $b is not older than the required age" err &&
	test_expect_code 1 mlp-log gc --older-than 1d --experiment-ids "$E" 2>err &&
	grep "are not older than the required age" err &&
	test_expect_code 2 mlp-log gc extra 2>err &&
	snapshot >after && test_cmp before after
'

test_expect_success 'gc --older-than: only runs deleted long enough ago' '
	mlp-log gc --older-than 2d12h >out &&
	echo "Run with ID $c has been permanently deleted." >want &&
	test_cmp want out && test ! -e "$S/0/$c" && test -e "$S/0/$b"
'

test_expect_success 'gc --run-ids --experiment-ids: those and their runs' '
	test -e "$S/0/$b/artifacts/ids" &&
	mlp-log gc --run-ids "$b" --experiment-ids "$E" >out &&
	grep "Run with ID $b has been permanently deleted." out &&
	grep "Run with ID $g has been permanently deleted." out &&
	grep "Run with ID $h has been permanently deleted." out &&
	grep "Experiment with ID $E has been permanently deleted." out &&
	test_line_count out 4 &&
	test ! -e "$S/0/$b" && test ! -e "$S/.trash/$E" &&
	test -e "$S/0/$a/artifacts/ids" && test -e "$S/0/$d"
'

test_expect_success 'gc --run-ids: artifacts elsewhere in the store go too' '
	mlp-log gc --run-ids "$d" >out &&
	grep "Run with ID $d has been permanently deleted." out &&
	test ! -e "$S/0/$d" && test ! -e "$S/.mlp-art/d" && test -e "$S/0/$e"
'

test_expect_success 'gc: artifacts outside the store are warned about' '
	mlp-log gc >out 2>err &&
	test ! -e "$S/0/$e" && test -e outside/d/f &&
	grep "run $e: artifacts at .*outside the store: not removed" err &&
	grep "run $f: artifacts at .ftp://example.invalid/f. are not local" err &&
	test ! -e "$S/0/$f" && test_line_count out 2
'

test_expect_success 'active runs are untouched; nothing left to collect' '
	grep -x "lifecycle_stage: active" "$S/0/$a/meta.yaml" &&
	test -e "$S/0/$a/artifacts/ids" &&
	mlp-log gc >out && test ! -s out && mlp-log fsck
'
test_done
