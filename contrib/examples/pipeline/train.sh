# train PREPARED THRESHOLD: "large" when value > THRESHOLD; log accuracy.
set -e
awk -F'\t' -v t="$2" '
	{ n++; if (($1 > t) == ($2 == "large")) ok++ }
	END { printf "metric accuracy %.6f\nmetric n %d\n", ok / n, n }' \
	"$1/prepared.tsv" | mlp-log -
