#!/bin/sh
# build-image.sh - make the Docker image of the iris-docker example from
# Debian packages only, with no registry: a minimal Debian root made by
# debootstrap(8) with python3-sklearn and the libraries mlp-log needs,
# mlp-log itself and the iris training (../iris/train.py, as
# /opt/iris/train.py) copied in, then "docker import".  As root:
#
#	sh build-image.sh [-f] [-t tag] [-m mlp-log] [-p pkg,pkg]
#
# -t  the image's name (default mlp-iris:bookworm, as in MLproject)
# -m  the mlp-log program to put in /usr/local/bin (default: the one
#     on PATH); run-time libraries it needs must come from Debian
# -p  more Debian packages, comma-separated (e.g. libasan8,libubsan1
#     for an mlp-log built with --enable-sanitizers)
# -f  build even if an image of that name exists (else it is reused)
#
# The Debian mirror is the one apt uses here (/etc/apt/sources.list*);
# the suite is bookworm.  Takes a few minutes and about 500 MB.
set -eu

tag=mlp-iris:bookworm
mlplog=
pkgs=
force=0
while getopts ft:m:p: o; do
	case $o in
	f) force=1 ;;
	t) tag=$OPTARG ;;
	m) mlplog=$OPTARG ;;
	p) pkgs=,$OPTARG ;;
	*) echo "usage: build-image.sh [-f] [-t tag] [-m mlp-log]" \
	    "[-p pkg,pkg]" >&2; exit 2 ;;
	esac
done

if [ "$force" = 0 ] && docker image inspect "$tag" >/dev/null 2>&1; then
	echo "build-image.sh: $tag exists; -f to build it again" >&2
	exit 0
fi
[ -n "$mlplog" ] || mlplog=$(command -v mlp-log) || {
	echo "build-image.sh: no mlp-log on PATH; give one with -m" >&2
	exit 1
}
[ -f "$(dirname "$0")/../iris/train.py" ] || {
	echo "build-image.sh: no ../iris/train.py next to this script" >&2
	exit 1
}

# The first Debian mirror apt knows (one-line or deb822 sources).
mirror=$(cat /etc/apt/sources.list /etc/apt/sources.list.d/*.list \
    /etc/apt/sources.list.d/*.sources 2>/dev/null | awk '
	/^deb[ \t]/ { for (i = 2; i <= NF; i++) if ($i ~ /^https?:/) {
		print $i; exit } }
	/^URIs:/ { for (i = 2; i <= NF; i++) if ($i ~ /^https?:/ &&
		$i !~ /security/) { print $i; exit } }')
[ -n "$mirror" ] || { echo "build-image.sh: no Debian mirror found in" \
    "/etc/apt/sources.list*" >&2; exit 1; }

root=$(mktemp -d "${TMPDIR:-/tmp}/mlp-iris-root.XXXXXX")
trap 'rm -rf "$root"' EXIT
trap 'exit 130' INT
trap 'exit 143' TERM
debootstrap --variant=minbase \
    --include="python3-sklearn,libyaml-0-2,libxxhash0$pkgs" \
    bookworm "$root" "$mirror" >"$root.log" 2>&1 || {
	tail -n 20 "$root.log" >&2
	rm -f "$root.log"
	echo "build-image.sh: debootstrap failed" >&2
	exit 1
}
rm -f "$root.log"
cp "$mlplog" "$root/usr/local/bin/mlp-log"
chmod 755 "$root/usr/local/bin/mlp-log"
mkdir -p "$root/opt/iris"
cp "$(dirname "$0")/../iris/train.py" "$root/opt/iris/train.py"
rm -rf "$root"/var/cache/apt/archives/*.deb "$root"/var/lib/apt/lists/*
tar -C "$root" -c . | docker import \
    -c 'ENV PATH=/usr/local/bin:/usr/bin:/bin' \
    -c 'ENV LANG=C.UTF-8' - "$tag" >/dev/null
echo "build-image.sh: built $tag" >&2
