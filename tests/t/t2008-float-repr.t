#!/bin/sh
# t2008-float-repr.t: a million random doubles printed as Python's repr()
# prints them (the bit patterns are drawn in the test, both sides read
# them), and metric values streamed through "mlp-log -" as a training
# loop prints them come out as Python writes them.
. "$(dirname "$0")/lib.sh"

if ! command -v python3 >/dev/null 2>&1; then
	test_skip_all 'no python3'
fi
helper=$MLP_BUILD_DIR/tests/unit/test-float
seed=$(od -An -N4 -tu4 /dev/urandom | tr -d " ")
echo "# seed $seed"

# bits N SEED: N random IEEE bit patterns in hex (a third near 1.0,
# where metrics live; NaN and infinities included); python's repr of
# each into "want".
python3 - "$seed" >bits <<'PY'
import random, struct, sys
rnd = random.Random(int(sys.argv[1]))
out, want = [], []
for i in range(1000000):
    b = rnd.getrandbits(64)
    if i % 3 == 0:
        b = (b & 0x800fffffffffffff) | ((1013 + rnd.randrange(20)) << 52)
    out.append("%016x" % b)
    want.append(repr(struct.unpack("<d", struct.pack("<Q", b))[0]))
sys.stdout.write("\n".join(out) + "\n")
with open("want", "w") as f:
    f.write("\n".join(want) + "\n")
PY

test_expect_success 'a million random doubles: mlp_dtoa() = repr()' '
	"$helper" --repr <bits >got &&
	cmp want got
'
test_expect_success 'mlp-log - writes repr() of 17-digit and short values' '
	python3 - "$seed" >in <<-PY &&
	import random, sys
	rnd = random.Random(int(sys.argv[1]) + 1)
	w = open("want", "w")
	for i in range(100000):
	    v = rnd.random() * 10 ** rnd.randrange(-6, 20)
	    t = repr(v) if i % 3 else "%.17g" % v if i % 2 else "%.6g" % v
	    print("metric m %s %d 1000" % (t, i))
	    w.write("1000 %r %d\n" % (float(t), i))
	PY
	id=$(mlp-log start) && mlp-log -r "$id" - <in &&
	cmp want "mlruns/0/$id/metrics/m"
'
test_done
