#!/bin/sh
# t3010-ls-html.t: mlp-ls --format html writes one self-contained page;
# Debian's chromium (headless, driven by puppeteer-core over the DevTools
# protocol: tests/browser/check-report.js) sorts, filters, charts and
# compares the runs in it.  Expected orders and point counts come from
# mlp-ls itself.  Set MLP_REPORT_SHOTS=DIR to keep the screenshots.
. "$(dirname "$0")/lib.sh"
. "$MLP_SRCDIR/tests/t/ls-lib.sh"

SCRIPT_NAME='<script>window.__pwned=1</script>'

# gen_metric RUN KEY N START SCALE: N points, a decaying curve with
# uneven timestamps.
gen_metric() {
	awk -v n="$3" -v t0="$4" -v s="$5" 'BEGIN {
		for (i = 0; i < n; i++)
			printf "%.0f %.6g %d\n", t0 + i * 1000 + (i * 37) % 500,
			    s * (exp(-i / 8) + 0.05 + (i % 3) * 0.01), i
	}' >>"$(rundir "$1")/metrics/$2"
}

mkexp 1 alpha
mkrun 1 a1 baseline 1700000000000 3 1700000060000
mkrun 1 a2 baseline-2 1700000100000 3 1700000190000
mkrun 1 a3 "$SCRIPT_NAME" 1700000200000 4 1700000210000
mkrun 1 a4 'noisy & "quoted"' 1700000300000 1
param a1 lr 0.1; param a1 batch 32; param a1 opt adam
param a2 lr 0.01; param a2 batch 32; param a2 opt adam
param a3 lr 0.05; param a3 batch 64
param a4 lr 0.2; param a4 batch 16
gen_metric a1 loss 40 1700000000000 2
gen_metric a1 acc 40 1700000000000 1
gen_metric a2 loss 25 1700000100000 1.5
gen_metric a2 acc 25 1700000100000 0.8
gen_metric a3 loss 10 1700000200000 3
gen_metric a4 loss 60 1700000300000 1.2
gen_metric a4 acc 5 1700000300000 0.5
tag a1 mlflow.source.git.commit 0123456789abcdef0123456789abcdef01234567
tag a1 mlp.git.dirty true
tag a1 mlp.git.diff complete
tag a2 note '</script><script>window.__pwned=2</script>'
art=$(rundir a1)/artifacts
mkdir -p "$art/mlp" "$art/model"
printf -- '--- a/train.py\n+++ b/train.py\n@@ -1 +1 @@\n-lr = 1\n+lr = 0.1\n' \
    >"$art/mlp/git.diff"
printf 'python 3.11.2\nnumpy 1.26.4\n' >"$art/mlp/environment.txt"
printf 'data/train.csv\t1234\tabcdef\n' >"$art/mlp/inputs.tsv"
echo weights >"$art/model/weights.txt"
echo notes >"$art/notes & more.txt"

mkexp 2 sweep
mkrun 2 s0 sweep-parent 1700001000000 3 1700001900000
mkrun 2 s1 child-1 1700001100000 3 1700001200000
mkrun 2 s2 child-2 1700001300000 3 1700001400000
mkrun 2 s3 child-3 1700001500000 3 1700001600000
mkrun 2 s4 lone 1700002000000 3 1700002100000
for r in s1 s2 s3; do
	tag $r mlflow.parentRunId s0
	param $r lr "0.$r"
	gen_metric $r loss 20 1700001100000 1
done

# jlist: lines to a JSON array of strings
jlist() {
	awk 'BEGIN { printf "[" } { printf "%s\"%s\"", (NR > 1 ? "," : ""), $0 }
	    END { printf "]" }'
}
# jpoints KEY: {run id: number of points} of a metric in experiment alpha
jpoints() {
	mlp-ls -e alpha --history "$1" | awk '{ n[$1]++ } END {
		printf "{"; s = ""
		for (k in n) { printf "%s\"%s\":%d", s, k, n[k]; s = "," }
		printf "}" }'
}

test_expect_success 'html: one page, exit 0' '
	mlp-ls -e alpha --format html >alpha.html &&
	head -c 15 alpha.html >head &&
	printf "<!DOCTYPE html>" >want &&
	test_cmp want head &&
	tail -n 1 alpha.html | grep "</html>"
'

test_expect_success 'html: run names and tags are escaped' '
	! grep -F "$SCRIPT_NAME" alpha.html &&
	! grep -F "window.__pwned=2</script>" alpha.html &&
	grep -F "&lt;script&gt;window.__pwned=1&lt;/script&gt;" alpha.html &&
	grep -F "\\u003cscript\\u003ewindow.__pwned=1" alpha.html
'

test_expect_success 'html: U+2028, U+2029 and bytes that are not UTF-8' '
	mkexp 4 odd &&
	mkrun 4 o1 odd 1700000000000 3 1700000001000 &&
	param o1 v "$(printf "a\342\200\250b\342\200\251c\377d")" &&
	mlp-ls -e odd --format html >odd.html &&
	grep -F "\"P\":{\"v\":\"a\u2028b\u2029c\ufffdd\"}" odd.html &&
	grep -F "<td>a$(printf "\342\200\250")b$(printf "\342\200\251")c$(printf "\357\277\275")d</td>" odd.html &&
	! grep "$(printf "\377")" odd.html
'

test_expect_success 'html: nothing to fetch' '
	! grep -Ei "(src|href)=\"?(https?:)?//" alpha.html &&
	! grep -Ei "@import|url\\(" alpha.html
'

test_expect_success 'html: -c sets the columns of the plain table' '
	mlp-ls -e alpha -c run_name,params.lr --format html >cols.html &&
	grep "<th>run_name</th><th>params.lr</th></tr>" cols.html
'

test_expect_success 'html: --format html with -x is a usage error' '
	test_expect_code 2 mlp-ls -x --format html
'

test_expect_success 'the crontab line of contrib/cron writes the page' '
	cmd=$(grep -v "^#" "$MLP_SRCDIR/contrib/cron/mlp-report.crontab" |
	    cut -d" " -f6- | sed "s|REPORT_DIR=/data/proj|REPORT_DIR=$TRASH|") &&
	env -i PATH="$PATH" HOME="$TRASH" sh -c "$cmd" &&
	test ! -e .report.html.tmp &&
	mlp-ls -s mlruns --format html >want.html &&
	test_cmp want.html report.html
'

test_expect_success 'html: a bad metric line is reported, the run left out' '
	mkexp 3 broken &&
	mkrun 3 b1 good 1700000000000 3 1700000001000 &&
	mkrun 3 b2 bad 1700000000001 3 1700000001000 &&
	metric b2 loss "oops" &&
	test_expect_code 1 mlp-ls -e broken --format html >broken.html 2>err &&
	grep "b2/metrics/loss" err &&
	grep "<td>good</td>" broken.html &&
	! grep "<td>bad</td>" broken.html
'

# The browser part needs chromium and puppeteer-core (tests/browser).
BROWSER_DIR=$MLP_SRCDIR/tests/browser
if command -v node >/dev/null 2>&1 && [ -x "${CHROMIUM:-/usr/bin/chromium}" ] &&
    [ -d "$BROWSER_DIR/node_modules/puppeteer-core" ]; then
	test_set_prereq BROWSER
fi

# browser PAGE EXPECT: run the driver, one test per check it reports.
browser() {
	mkdir -p shots
	node "$BROWSER_DIR/check-report.js" "$1" "$2" shots >"$2.tap" 2>&1
	grep -v '^ok\|^not ok\|^1\.\.' "$2.tap" | sed 's/^/# /'
	while IFS= read -r line; do
		case $line in
		"ok "*) test_expect_success "${line#ok * - }" 'true' ;;
		"not ok "*) test_expect_success "${line#not ok * - }" 'false' ;;
		esac
	done <"$2.tap"
	grep -q '^1\.\.[1-9]' "$2.tap" ||
	    test_expect_success "driver ran for $1" 'false'
	if [ -n "${MLP_REPORT_SHOTS:-}" ]; then
		mkdir -p "$MLP_REPORT_SHOTS" && cp shots/*.png "$MLP_REPORT_SHOTS"
	fi
}

if ! test_have_prereq BROWSER; then
	test_skip_all "needs node, chromium and puppeteer-core (npm ci in tests/browser)"
fi

{
	printf '{"runs":%s' "$(mlp-ls -e alpha -c run_id | jlist)"
	printf ',"script":"a3","scriptName":"<script>window.__pwned=1</script>"'
	printf ',"sortKey":"metrics.loss","sortAsc":%s,"sortDesc":%s' \
	    "$(mlp-ls -e alpha -c run_id -o 'metrics.loss ASC' | jlist)" \
	    "$(mlp-ls -e alpha -c run_id -o 'metrics.loss DESC' | jlist)"
	printf ',"filter":"baseline","filtered":%s' \
	    "$(mlp-ls -e alpha -c run_id -o 'metrics.loss DESC' \
	    -f "attributes.run_name LIKE '%baseline%'" | jlist)"
	printf ',"points":{"loss":%s,"acc":%s}' "$(jpoints loss)" \
	    "$(jpoints acc)"
	printf ',"runView":"a1","runViewCommit":"0123456789abcdef"'
	printf ',"compare":["a1","a2"],"params":{'
	mlp-ls -c run_id,params.lr,params.batch,params.opt a1 a2 |
	    awk -F '\t' '{ printf "%s\"%s\":{\"lr\":\"%s\",\"batch\":\"%s\",\"opt\":\"%s\"}",
		(NR > 1 ? "," : ""), $1, $2, $3, $4 }'
	# Parallel coordinates of loss: an axis per param with two values or
	# more among the runs that have loss; a point per axis a run has.
	printf '},"parcoords":{"metric":"loss","points":'
	mlp-ls -e alpha -c run_id,params.lr,params.batch,params.opt \
	    -f 'metrics.loss > -1e300' | awk -F '\t' '
	    { id[NR] = $1; for (k = 2; k <= 4; k++) {
		v[NR, k] = $k; if ($k != "" && !seen[k, $k]++) nv[k]++ } }
	    END { printf "{"
		for (i = 1; i <= NR; i++) {
			n = 1
			for (k = 2; k <= 4; k++) if (nv[k] > 1 && v[i, k] != "") n++
			printf "%s\"%s\":%d", (i > 1 ? "," : ""), id[i], n
		}
		printf "}" }'
	printf '},"history":{"run":"a4","metric":"loss","points":['
	mlp-ls --history loss a4 | awk -F '\t' '{ printf "%s[%s,%s,%s]",
	    (NR > 1 ? "," : ""), $2, $3, $4 }'
	printf ']}}\n'
} >alpha.json

browser alpha.html alpha.json

mlp-ls -e sweep --format html >sweep.html
{
	printf '{"runs":'
	# Each parent followed by its children, both in mlp-ls order.
	mlp-ls -e sweep -c run_id,tags.mlflow.parentRunId | awk -F '\t' '
	    { id[NR] = $1; par[NR] = $2; have[$1] = 1 }
	    END {
		for (i = 1; i <= NR; i++) {
			if (par[i] != "" && have[par[i]]) continue
			print id[i]
			for (j = 1; j <= NR; j++) if (par[j] == id[i]) print id[j]
		}
	    }' | jlist
	printf ',"children":%s}\n' "$(mlp-ls -e sweep -c run_id \
	    -f "tags.mlflow.parentRunId != ''" | jlist)"
} >sweep.json

browser sweep.html sweep.json

# -c columns: the page sorts a metric column as mlp-ls -o does.
mkexp 5 special
mkrun 5 c1 finite 1700000000000 3 1700000001000
mkrun 5 c2 infinite 1700000000001 3 1700000001000
mkrun 5 c3 not-a-number 1700000000002 3 1700000001000
mkrun 5 c4 negative 1700000000003 3 1700000001000
metric c1 loss '1 0.5 0'
metric c2 loss '1 inf 0'
metric c3 loss '1 nan 0'
metric c4 loss '1 -2 0'
mlp-ls -e special -c run_name,metrics.loss --format html >special.html
printf '{"runs":%s,"sortOnly":{"key":"metrics.loss","asc":%s,"desc":%s}}\n' \
    "$(mlp-ls -e special -c run_id | jlist)" \
    "$(mlp-ls -e special -c run_id -o 'metrics.loss ASC' | jlist)" \
    "$(mlp-ls -e special -c run_id -o 'metrics.loss DESC' | jlist)" \
    >special.json
browser special.html special.json

# The compare view: the rows of mlp-ls --compare (src/compare.c), for
# runs that differ in params (one only in one run), a metric, tags (one
# markup), dirtiness with a recorded diff, environment lines and data.
mkexp 6 cmp
mkrun 6 m1 cmp-base 1700000000000 3 1700000060000
mkrun 6 m2 cmp-dirty 1700000100000 3 1700000160000
mkrun 6 m3 cmp-env 1700000200000 3 1700000260000
CMP_NOTE='<img src=x onerror="window.__pwned=3">'
for r in m1 m2 m3; do
	param $r lr 0.1
	tag $r mlflow.source.git.commit 89abcdef0123456789abcdef0123456789abcdef
	tag $r mlp.runner.pid "$(echo $r | tr m 4)"
	tag $r mlp.runner.start "17000$(echo $r | tr -d m)"
	tag $r mlp.code.xxh128 0f0f0f0f0f0f0f0f0f0f0f0f0f0f0f0f
	tag $r mlp.git.dirty false
	mkdir -p "$(rundir $r)/artifacts/mlp"
	printf 'path\tsize\txxh128\ndata/train.csv\t1234\taaaa1111\n' \
	    >"$(rundir $r)/artifacts/mlp/inputs.tsv"
	tag $r mlp.inputs.xxh128 d1d1d1d1d1d1d1d1d1d1d1d1d1d1d1d1
	printf '%s\n' 'os: Linux 6.1.0' 'env_manager: local' '[tools]' \
	    "$(printf '/usr/bin/python3\tPython 3.11.2')" '[pip freeze]' \
	    'numpy==1.26.4' >"$(rundir $r)/artifacts/mlp/environment.txt"
done
param m1 batch 32; param m2 batch 64; param m3 batch 32
param m2 only_m2 yes
metric m1 loss '1700000001000 0.5 0' '1700000002000 0.25 1'
metric m2 loss '1700000101000 0.5 0' '1700000102000 0.125 1'
metric m3 loss '1700000201000 0.5 0' '1700000202000 0.25 1'
tag m1 note "$CMP_NOTE"
tag m2 note plain
tag m2 mlp.git.dirty true
tag m2 mlp.git.diff complete
tag m2 mlp.code.xxh128 1e1e1e1e1e1e1e1e1e1e1e1e1e1e1e1e
printf -- '--- a/train.py\n+++ b/train.py\n@@ -1 +1 @@\n-a\n+b\n' \
    >"$(rundir m2)/artifacts/mlp/git.diff"
tag m3 note "$CMP_NOTE"
tag m3 mlp.inputs.xxh128 d3d3d3d3d3d3d3d3d3d3d3d3d3d3d3d3
printf 'path\tsize\txxh128\ndata/train.csv\t1234\tbbbb2222\n' \
    >"$(rundir m3)/artifacts/mlp/inputs.tsv"
printf '%s\n' 'os: Linux 6.1.0' 'env_manager: local' '[tools]' \
    "$(printf '/usr/bin/python3\tPython 3.12.1')" '[pip freeze]' \
    'numpy==2.0.0' >"$(rundir m3)/artifacts/mlp/environment.txt"

# jrows ARGS...: the rows of mlp-ls --compare -F json ARGS as an array
jrows() {
	mlp-ls --compare -F json "$@" | awk 'BEGIN { printf "[" }
	    { printf "%s%s", (NR > 1 ? "," : ""), $0 } END { printf "]" }'
}
test_expect_success 'compare store: mlp-ls --compare sees every kind of row' '
	mlp-ls --compare -F tsv m1 m2 m3 >cmp.tsv &&
	for k in params.batch params.only_m2 metrics.loss code.dirty \
	    code.diff_size code.fingerprint data.fingerprint \
	    data.data/train.csv env.tools./usr/bin/python3 env.pip.numpy \
	    tags.note; do
		grep "^$k	" cmp.tsv || return 1
	done &&
	! grep "^tags.mlp.runner" cmp.tsv
'
test_expect_success 'html: a provenance file with a NUL byte is kept whole' '
	mkexp 7 nul &&
	mkrun 7 n1 nul 1700000000000 3 1700000001000 &&
	mkdir -p "$(rundir n1)/artifacts/mlp" &&
	printf "a\\000b\\n" >"$(rundir n1)/artifacts/mlp/environment.txt" &&
	mlp-ls -e nul --format html >nul.html &&
	grep -F "\"env\":\"a\\u0000b\\n\"" nul.html
'
mlp-ls -e cmp --format html >cmp.html
# jfile FILE: the text of FILE as a JSON string
jfile() {
	python3 -c 'import json, sys; print(json.dumps(open(sys.argv[1]).read()))' "$1"
}
{
	printf '{"runs":%s,"cmp":{"note":%s' "$(mlp-ls -e cmp -c run_id | jlist)" \
	    "$(printf '%s' "$CMP_NOTE" | python3 -c \
	    'import json, sys; print(json.dumps(sys.stdin.read()))')"
	printf ',"two":{"ids":["m1","m2"],"rows":%s,"all":%s}' \
	    "$(jrows m1 m2)" "$(jrows --all m1 m2)"
	printf ',"three":{"ids":["m1","m2","m3"],"rows":%s,"all":%s}' \
	    "$(jrows m1 m2 m3)" "$(jrows --all m1 m2 m3)"
	printf ',"env":{"m1":%s,"m2":%s,"m3":%s}}}\n' \
	    "$(jfile "$(rundir m1)/artifacts/mlp/environment.txt")" \
	    "$(jfile "$(rundir m2)/artifacts/mlp/environment.txt")" \
	    "$(jfile "$(rundir m3)/artifacts/mlp/environment.txt")"
} >cmp.json
browser cmp.html cmp.json

# 2,000 runs (bench/genstore): the table draws only the rows in view.
"$MLP_BUILD_DIR/bench/genstore" many 2000 7 >/dev/null
mlp-ls -s many --format html >many.html
printf '{"virtual":{"count":%s,"first":"%s","last":"%s"}}\n' \
    "$(mlp-ls -s many -c run_id | wc -l)" \
    "$(mlp-ls -s many -c run_id | head -n 1)" \
    "$(mlp-ls -s many -c run_id | tail -n 1)" >many.json
browser many.html many.json

test_done
