# report-store.awk - write an mlruns store for bench/report.sh: NRUNS runs
# in one experiment, each with 5 params, NMETRICS metrics of NPOINTS
# points (noisy decaying curves, uneven timestamps), 3 tags, MLflow 3.3's
# file layout.  Deterministic.
#   awk -v dir=DIR -v nruns=1000 -v nmetrics=5 -v npoints=100 -f report-store.awk
function rnd() { seed = (seed * 1103515245 + 12345) % 2147483648; return seed / 2147483648 }
function put(path, text) { printf "%s", text > path; close(path) }
BEGIN {
	seed = 42
	e = dir "/1"
	system("mkdir -p '" e "'")
	put(e "/meta.yaml", "artifact_location: file://" e "\ncreation_time: 1700000000000\nexperiment_id: '1'\nlast_update_time: 1700000000000\nlifecycle_stage: active\nname: bench\n")
	for (r = 0; r < nruns; r++) {
		id = sprintf("%08x%024x", r, r * 7919)
		d = e "/" id
		system("mkdir -p '" d "/metrics' '" d "/params' '" d "/tags' '" d "/artifacts'")
		t0 = 1700000000000 + r * 600000
		put(d "/meta.yaml", "artifact_uri: file://" d "/artifacts\nend_time: " sprintf("%.0f", t0 + 500000) "\nentry_point_name: ''\nexperiment_id: '1'\nlifecycle_stage: active\nrun_id: " id "\nrun_name: run-" r "\nsource_name: ''\nsource_type: 4\nsource_version: ''\nstart_time: " sprintf("%.0f", t0) "\nstatus: 3\ntags: []\nuser_id: bench\n")
		put(d "/params/lr", sprintf("%.4g", 10 ^ (-1 - 3 * rnd())))
		put(d "/params/batch", 2 ^ int(4 + 4 * rnd()))
		put(d "/params/optimizer", rnd() < 0.5 ? "adam" : "sgd")
		put(d "/params/layers", int(2 + 6 * rnd()))
		put(d "/params/dropout", sprintf("%.2f", 0.5 * rnd()))
		put(d "/tags/mlflow.runName", "run-" r)
		put(d "/tags/mlflow.user", "bench")
		put(d "/tags/mlflow.source.git.commit", sprintf("%040x", r % 17))
		for (m = 0; m < nmetrics; m++) {
			s = ""
			t = t0
			tau = 10 + 20 * rnd()
			floor = 0.02 + 0.1 * rnd()
			for (i = 0; i < npoints; i++) {
				t += 800 + int(400 * rnd())
				v = (1 + m) * (exp(-i / tau) + floor) * (1 + 0.08 * (rnd() - 0.5))
				s = s sprintf("%.0f %.17g %d\n", t, v, i)
			}
			put(d "/metrics/metric_" m, s)
		}
	}
}
