# prepare LABELS RAW: join every RAW/*.csv line "value,class" with the
# label names of LABELS/labels.tsv into the artifact prepared.tsv.
set -e
labels=$1 raw=$2
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
cat "$raw"/*.csv | awk -F, -v OFS='\t' '
	NR == FNR { name[$1] = $2; next }
	NF == 2 && ($2 in name) { print $1, name[$2]; n++ }
	END { if (n == 0) exit 1 }' FS='\t' "$labels/labels.tsv" FS=, - \
	>"$tmp/prepared.tsv"
mlp-log artifact "$tmp/prepared.tsv"
mlp-log metric rows "$(wc -l <"$tmp/prepared.tsv")"
