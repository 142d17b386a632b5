#!/bin/sh
# t2006-log-half-folders.t: a full disk leaves no half experiment or run
# folder; a damaged experiment meta.yaml and a run folder without
# meta.yaml are reported and skipped by mlp-ls (exit 0), and start -e
# NAME never makes a second NAME because of them.
. "$(dirname "$0")/lib.sh"

# half STORE: folders readers would take for an experiment or a run but
# that lack meta.yaml, and temporaries left behind; prints them.
half() {
	for _e in "$1"/*/ "$1"/.trash/*/; do
		[ -d "$_e" ] || continue
		[ -f "$_e/meta.yaml" ] || echo "$_e"
		for _r in "$_e"*/; do
			[ -d "$_r" ] || continue
			case ${_r%/} in */tags|*/datasets|*/traces|*/models) continue ;; esac
			[ -f "$_r/meta.yaml" ] || echo "$_r"
		done
	done
	find "$1" -name ".mlp-tmp.*"
}

mkdir disk
if mount -t tmpfs -o size=256k tmpfs disk 2>mount.err; then
	test_at_exit 'umount "$TRASH/disk"'
	S=$TRASH/disk/mlruns
	test_expect_success 'a store on a small file system' '
		mlp-log -s "$S" start -e kept >kept.id &&
		test_expect_code 0 mlp-ls -s "$S" -c run_id >got &&
		test_cmp kept.id got
	'
	test_expect_success 'fill it with one-page files' '
		i=0 &&
		while head -c 4096 /dev/zero >"disk/fill.$i" 2>/dev/null; do
			i=$((i + 1))
		done &&
		rm -f "disk/fill.$i" && echo "$i" >nfill &&
		test "$i" -gt 10
	'
	test_expect_success 'start on a full disk: exit 1, the reason, no half folder' '
		test_expect_code 1 mlp-log -s "$S" start -e new 2>err &&
		grep "No space left on device" err &&
		test_expect_code 1 mlp-log -s "$S" start -e kept 2>err &&
		grep "No space left on device" err &&
		test_expect_code 1 mlp-log -s "$S" start 2>err &&
		grep "No space left on device" err &&
		half "$S" >half.out && test_line_count half.out 0 &&
		mlp-ls -s "$S" -c run_id >got 2>err &&
		test_cmp kept.id got && test_line_count err 0
	'
	test_expect_success 'with 1 to 12 pages free: complete or nothing' '
		i=$(cat nfill) && k=0 &&
		while [ "$k" -lt 12 ]; do
			i=$((i - 1)) && k=$((k + 1)) &&
			rm "disk/fill.$i" &&
			if [ $((k % 4)) = 0 ]; then e="new $k"; else e=kept; fi &&
			mlp-log -s "$S" start -e "$e" -t note=hello \
			    >>ids 2>err; rc=$? &&
			{ [ "$rc" = 0 ] || { [ "$rc" = 1 ] &&
			    grep -q "No space left on device" err; }; } &&
			half "$S" >half.out && test_line_count half.out 0 &&
			mlp-ls -s "$S" -c run_id >got 2>err &&
			test_line_count err 0 &&
			test "$(wc -l <got)" -eq "$(cat kept.id ids | wc -l)" ||
			return 1
		done &&
		cat ids && test "$(wc -l <ids)" -gt 0
	'
	test_expect_success 'a new store on a full disk is not made at all' '
		head -c 1048576 /dev/zero >disk/more 2>/dev/null;
		test_expect_code 1 mlp-log -s "$TRASH/disk/other" start 2>err &&
		grep "No space left on device" err &&
		test ! -e disk/other && test "$(find disk -name ".mlp-tmp.*")" = ""
	'
else
	test_skip 'full disk' "cannot mount a tmpfs: $(cat mount.err)"
fi

test_expect_success 'a damaged experiment meta.yaml: mlp-ls reports it, exit 0' '
	a=$(mlp-log start -e alpha) && b=$(mlp-log start -e beta) &&
	e=$(dirname "$(grep -lx "name: beta" mlruns/*/meta.yaml)") &&
	echo "$e" >beta.dir &&
	printf "name: [beta\n" >"$e/meta.yaml" &&
	mlp-ls -c run_id >got 2>err &&
	echo "$a" >want && test_cmp want got &&
	grep "$e/meta.yaml" err && test_line_count err 1
'
test_expect_success '... and start -e NAME does not make a second NAME' '
	e=$(cat beta.dir) && n=$(ls mlruns | wc -l) &&
	test_expect_code 1 mlp-log start -e beta 2>err &&
	grep "$e" err &&
	test "$(ls mlruns | wc -l)" -eq "$n" &&
	test "$(grep -lx "name: beta" mlruns/*/meta.yaml | wc -l)" -eq 0
'
test_expect_success 'an experiment folder without meta.yaml: exit 0, then start works' '
	e=$(cat beta.dir) && rm "$e/meta.yaml" &&
	mlp-ls -c run_id >got 2>err && test_cmp want got &&
	grep "$e: experiment folder without meta.yaml" err &&
	test_expect_code 1 mlp-log start -e beta 2>err && grep "$e" err &&
	rm -r "$e" && b2=$(mlp-log start -e beta) &&
	test "$(grep -lx "name: beta" mlruns/*/meta.yaml | wc -l)" -eq 1
'
test_expect_success 'a run folder without meta.yaml: reported, skipped, exit 0' '
	e=$(dirname "$(grep -lx "name: alpha" mlruns/*/meta.yaml)") &&
	mkdir "$e/0123456789abcdef0123456789abcdef" &&
	mlp-ls -c run_id -e alpha >got 2>err &&
	test_cmp want got &&
	grep "0123456789abcdef0123456789abcdef: run folder without meta.yaml" err &&
	test_line_count err 1 &&
	c=$(mlp-log start -e alpha) && test -f "$e/$c/meta.yaml" &&
	test "$(grep -lx "name: alpha" mlruns/*/meta.yaml | wc -l)" -eq 1
'
test_expect_success 'an experiment MLflow made (no derived id) is used by name' '
	mkdir mlruns/4242 &&
	printf "artifact_location: file:///x/4242\nexperiment_id: '\''4242'\''\nlifecycle_stage: active\nname: mlflow-made\n" \
	    >mlruns/4242/meta.yaml &&
	id=$(mlp-log start -e mlflow-made) && test -f "mlruns/4242/$id/meta.yaml"
'
test_done
