# load: write the label names and log them as the artifact labels.tsv.
set -e
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
printf '0\tsmall\n1\tlarge\n' >"$tmp/labels.tsv"
mlp-log artifact "$tmp/labels.tsv"
