# docker.sh - a real Docker engine for the test scripts that source it
# (after lib.sh).  If "docker info" answers, that engine is used;
# otherwise, as root, dockerd is started here without a bridge network
# (no container gets an address outside loopback), waited for, and
# stopped at the end of the script: only a daemon started here is
# stopped.  If none can be had, the script is skipped with the reason.
# Scripts that use an engine hold a lock while they run, so that two
# suites running at once do not stop each other's daemon.
#
# Images come from local files only (nothing can be pulled here) and
# are kept between runs; one whose name exists is reused:
#   docker_busybox_image   $DOCKER_BUSYBOX: busybox (Debian's
#                          busybox-static) and its applets, by docker import
#   docker_iris_image      $DOCKER_IRIS: Debian bookworm with
#                          python3-sklearn and mlp-log, made by
#                          contrib/examples/iris-docker/build-image.sh
#                          (debootstrap; minutes, the first time)

DOCKER_BUSYBOX=mlp-test-busybox:1
DOCKER_IRIS=mlp-test-iris:bookworm-2

# _docker_none WHY: no engine; the script is skipped, or with
# DOCKER_OPTIONAL set (before sourcing), only the prerequisite DOCKER
# stays unset and WHY is said.
_docker_none() {
	if [ -n "${DOCKER_OPTIONAL:-}" ]; then
		echo "# no Docker engine: $1"
		return 1
	fi
	test_skip_all "$1"
}

docker_stop_daemon() {
	kill "$DOCKERD_PID" 2>/dev/null
	wait "$DOCKERD_PID" 2>/dev/null
	:
}

# _docker_start: an engine that answers, started here if need be.
_docker_start() {
	command -v docker >/dev/null 2>&1 ||
		{ _docker_none 'no docker program (Debian: docker.io)'; return; }
	_lock=${TMPDIR:-/tmp}/mlp-test-docker.lock
	if command -v flock >/dev/null 2>&1 &&
	    { command exec 8>>"$_lock" || command exec 8<"$_lock"; } \
	    2>/dev/null
	then
		flock 8
	fi
	docker info >/dev/null 2>&1 && return 0
	command -v dockerd >/dev/null 2>&1 ||
		{ _docker_none 'no Docker daemon answers and there is no dockerd (Debian: docker.io)'; return; }
	[ "$(id -u)" -eq 0 ] ||
		{ _docker_none 'no Docker daemon answers; starting one needs root'; return; }
	dockerd --bridge=none --iptables=false --ip-masq=false \
	    --pidfile "$TRASH/dockerd.pid" >"$TRASH/dockerd.log" 2>&1 &
	DOCKERD_PID=$!
	test_at_exit docker_stop_daemon
	_i=0
	until docker info >/dev/null 2>&1; do
		if ! kill -0 "$DOCKERD_PID" 2>/dev/null || [ $_i -ge 600 ]; then
			_why=$(grep -i -m 1 'level=fatal\|failed to start' \
			    "$TRASH/dockerd.log" | cut -c 1-200)
			docker_stop_daemon
			_docker_none "dockerd did not start: ${_why:-see its log}"
			return
		fi
		sleep 0.1
		_i=$((_i + 1))
	done
}
_docker_start && test_set_prereq DOCKER

# docker_busybox_image: make $DOCKER_BUSYBOX unless it exists.
docker_busybox_image() {
	docker image inspect "$DOCKER_BUSYBOX" >/dev/null 2>&1 && return 0
	_bb=$(command -v busybox) || return 1
	# Only a static busybox runs in an image with nothing else.
	ldd "$_bb" >/dev/null 2>&1 && return 1
	rm -rf "$TRASH/bbroot" && mkdir -p "$TRASH/bbroot/bin" \
	    "$TRASH/bbroot/tmp" || return 1
	cp "$_bb" "$TRASH/bbroot/bin/busybox" || return 1
	for _a in $("$_bb" --list); do
		[ "$_a" = busybox ] || ln -s busybox "$TRASH/bbroot/bin/$_a" ||
		    return 1
	done
	tar -C "$TRASH/bbroot" -c . | docker import \
	    -c 'ENV PATH=/bin' - "$DOCKER_BUSYBOX" >/dev/null || return 1
	rm -rf "$TRASH/bbroot"
}

# docker_iris_image: make $DOCKER_IRIS unless it exists.  The libraries
# an mlp-log built with --enable-sanitizers links are in it too (the
# tag's number changes with this list).
docker_iris_image() {
	docker image inspect "$DOCKER_IRIS" >/dev/null 2>&1 && return 0
	command -v debootstrap >/dev/null 2>&1 || return 1
	sh "$MLP_SRCDIR/contrib/examples/iris-docker/build-image.sh" \
	    -t "$DOCKER_IRIS" -m "$MLP_BUILD_DIR/tools/mlp-log" \
	    -p libasan8,libubsan1,libcurl4,libgit2-1.5
}

# docker_leftovers FILE: the containers that exist (all states) and the
# image names, to compare before and after.  Untagged layers a cancelled
# build may leave are the engine's build cache (docker image prune), not
# images anyone runs, and are not listed.
docker_leftovers() {
	{ docker ps -a --format '{{.Names}}'
	  docker images --format '{{.Repository}}:{{.Tag}}' |
	    grep -v '^<none>:<none>$'; } | sort >"$1"
}
