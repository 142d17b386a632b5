#!/bin/sh
# t2004-log-crash-start.t: mlp-log start -e NAME killed with SIGKILL at
# random moments never leaves a folder that readers take for an
# experiment or a run without its meta.yaml: mlp-ls keeps working, and
# the next start finds the one experiment NAME.
. "$(dirname "$0")/lib.sh"

TRIES=${MLP_STRESS_TRIES:-50}
command -v python3 >/dev/null || test_skip_all 'kill loop: no python3'

# check STORE NAME: the store after a kill.
cat >check.sh <<'SH'
s=$1 name=$2
[ -d "$s" ] || exit 0			# killed before the store was made
[ -f "$s/0/meta.yaml" ] && [ -d "$s/.trash" ] ||
	{ echo "a store without .trash or experiment 0"; exit 1; }
runs=0
for e in "$s"/*/ "$s"/.trash/*/; do
	[ -d "$e" ] || continue
	[ -f "$e/meta.yaml" ] || { echo "experiment $e without meta.yaml"; exit 1; }
	for r in "$e"*/; do
		[ -d "$r" ] || continue
		case ${r%/} in */tags|*/datasets|*/traces|*/models) continue ;; esac
		for f in meta.yaml metrics params artifacts tags/mlflow.runName; do
			[ -e "$r/$f" ] || { echo "run $r without $f"; exit 1; }
		done
		runs=$((runs + 1))
	done
done
mlp-ls -s "$s" --view all -c run_id >ls.out 2>ls.err ||
	{ echo "mlp-ls failed"; cat ls.err; exit 1; }
[ ! -s ls.err ] || { echo "mlp-ls warned:"; cat ls.err; exit 1; }
[ "$(wc -l <ls.out)" -eq "$runs" ] ||
	{ echo "mlp-ls lists $(wc -l <ls.out) runs of $runs"; exit 1; }
id=$(mlp-log -s "$s" start -e "$name") || { echo "start after the kill failed"; exit 1; }
n=$(grep -lx "name: $name" "$s"/*/meta.yaml | wc -l)
[ "$n" -eq 1 ] || { echo "$n experiments named $name"; exit 1; }
e=$(dirname "$(grep -lx "name: $name" "$s"/*/meta.yaml)")
[ -f "$e/$id/meta.yaml" ] || { echo "run $id is not in $e"; exit 1; }
SH

# Start the command, SIGKILL it after a random delay within the time a
# whole run takes, then check the store; a new store every tenth try, a
# new name on odd tries, else the name of the try before.
cat >kill.py <<'PY'
import os, random, subprocess, sys, time

tries = int(sys.argv[1])
base = os.getcwd()

def start(store, name):
    return subprocess.Popen(["mlp-log", "-s", store, "start", "-e", name],
                            stdout=subprocess.DEVNULL,
                            stderr=subprocess.DEVNULL)

t0 = time.monotonic()
for i in range(5):
    start(os.path.join(base, "calib"), "c%d" % i).wait()
span = (time.monotonic() - t0) / 5 * 1.2
killed = 0
for t in range(tries):
    store = os.path.join(base, "s%d" % (t // 10))
    name = "exp %d" % (t - t % 2)
    p = start(store, name)
    time.sleep(random.uniform(0, span))
    p.kill()
    killed += p.wait() == -9
    if subprocess.call(["sh", "check.sh", store, name]) != 0:
        print("try %d (store %s, name %s) failed" % (t, store, name))
        sys.exit(1)
print("killed %d of %d starts" % (killed, tries))
PY

test_expect_success "kill -9 of start -e NAME at random moments, $TRIES times" '
	python3 kill.py "$TRIES" >kill.out 2>&1
'
sed 's/^/# /' kill.out
test_done
