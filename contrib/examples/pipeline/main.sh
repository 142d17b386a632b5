# main RAW THRESHOLD: run (or reuse) load, prepare and train in turn,
# passing each step's artifact folder to the next as a path parameter.
set -e
raw=$1 threshold=$2
idfile=$(mktemp)
trap 'rm -f "$idfile"' EXIT

# step ENTRY [-P key=value...]: print the artifact folder of its run.
step() {
	e=$1
	shift
	mlp-run -q --reuse --run-id-file "$idfile" -e "$e" "$@" . >&2
	mlp-ls -c artifact_uri "$(cat "$idfile")" | sed 's|^file://||'
}

labels=$(step load)
prepared=$(step prepare -P labels="$labels" -P raw="$raw")
step train -P prepared="$prepared" -P threshold="$threshold" >/dev/null
echo "train: run $(cat "$idfile")"
