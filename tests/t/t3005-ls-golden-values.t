#!/bin/sh
# t3005-ls-golden-values.t: every value mlp-ls prints for the golden store
# (attributes, latest metrics, params, tags, experiments) is what MLflow
# 3.3 read back (tests/fixtures/golden-3.3/dump.json).  Needs jq.
. "$(dirname "$0")/lib.sh"

copy_fixture golden-3.3/mlruns
chmod -R u+w mlruns
dump=$FIXTURES/golden-3.3/dump.json

if ! command -v jq >/dev/null 2>&1; then
	test_skip_all 'jq is not installed'
fi

# norm: a JSON value as one comparable text (NaN and infinities named).
norm='def norm: if type == "number" then
	(if isnan then "NaN" elif isinfinite then
	    (if . < 0 then "-Infinity" else "Infinity" end)
	 else tostring end)
    elif type == "string" and (. == "NaN" or . == "Infinity" or
	. == "-Infinity") then .
    else tojson end;'

test_expect_success 'attributes of every run' '
	jq -r ".runs[] | [.run_id, .run_name, .status, .user_id,
	    (.start_time|tostring), (.end_time|tostring), .lifecycle_stage,
	    .experiment_id] | @tsv" "$dump" | sort >want &&
	mlp-ls --view all -F json -c run_id,run_name,status,user_id,start_time,end_time,lifecycle_stage,experiment_id |
	    jq -r "[.run_id, .run_name, .status, .user_id,
	    (.start_time|tostring), (.end_time|tostring), .lifecycle_stage,
	    .experiment_id] | @tsv" | sort >got &&
	test_cmp want got
'
test_expect_success 'latest metrics, params and tags of every run' '
	jq -r "$norm .runs[] | .run_id as \$r |
	    (.metrics | to_entries[] | [\$r, \"metrics\", .key, (.value|norm)]),
	    (.params | to_entries[] | [\$r, \"params\", .key, (.value|norm)]),
	    (.tags | to_entries[] | [\$r, \"tags\", .key, (.value|norm)]) |
	    @tsv" "$dump" | sort >want &&
	test_line_count want 72 &&
	while IFS="	" read -r id kind key value; do
		mlp-ls --view all -F json -c "$kind.\`$key\`" "$id" |
		    jq -r --arg id "$id" --arg k "$kind" --arg key "$key" \
		    "$norm [\$id, \$k, \$key, (.[\$k + \".\" + \$key]|norm)] | @tsv" ||
		    return 1
	done <want | sort >got &&
	test_cmp want got
'
test_expect_success 'experiments' '
	jq -r ".experiments[] | [.experiment_id, .name, .lifecycle_stage] |
	    @tsv" "$dump" | sort >want &&
	mlp-ls -x --view all | cut -f1-3 | sort >got &&
	test_cmp want got
'
test_done
