# ftp-lib.sh - a real pure-ftpd on a loopback port for mlp-push tests.
# Source it after lib.sh.  ftp_start [pure-ftpd options...] starts a
# server with one virtual user and sets:
#   FTP_PORT FTP_USER FTP_PASS FTP_HOME (the user's folder on disk)
#   FTP_URL  (ftp://user@127.0.0.1:port, no password)
# ftp_restart starts it again on the same port; ftp_stop kills it and
# its sessions (also mid-transfer).
# Needs root (pure-ftpd binds, then drops to the ftpuser account).

FTP_USER=mlp
# A password unlike anything else in the tests, so grep finds only leaks.
FTP_PASS=Zq7-pw-x9Kd2
FTP_DIR=$TRASH/ftpd
FTP_HOME=$FTP_DIR/home

# ftp_have: can this machine run the server?  Sets FTP_SKIP otherwise.
ftp_have() {
	FTP_SKIP=
	if ! command -v pure-ftpd >/dev/null 2>&1 ||
	    ! command -v pure-pw >/dev/null 2>&1; then
		FTP_SKIP="pure-ftpd is not installed (Debian package pure-ftpd)"
	elif [ "$(id -u)" -ne 0 ]; then
		FTP_SKIP="pure-ftpd needs root to start"
	elif ! command -v curl >/dev/null 2>&1; then
		FTP_SKIP="the curl command is needed to check the server"
	elif ! command -v openssl >/dev/null 2>&1; then
		FTP_SKIP="openssl is needed for the test user's password hash"
	elif ! command -v pkill >/dev/null 2>&1 ||
	    ! command -v ps >/dev/null 2>&1; then
		FTP_SKIP="ps and pkill are needed (Debian package procps)"
	fi
	[ -z "$FTP_SKIP" ]
}

# Make the user once: a cheap SHA-512 crypt hash (pure-pw's argon2 costs
# seconds per login).
_ftp_user() {
	mkdir -p "$FTP_DIR/home" || return 1
	id ftpuser >/dev/null 2>&1 ||
		useradd -M -d /nonexistent -s /usr/sbin/nologin ftpuser ||
		return 1
	chown ftpuser "$FTP_DIR/home" || return 1
	# The test trash is mode 700 (mktemp): the server's user must pass.
	chmod 755 "$TRASH" "$FTP_DIR"
	printf 'x\nx\n' | pure-pw useradd "$FTP_USER" -u ftpuser \
	    -d "$FTP_DIR/home" -f "$FTP_DIR/passwd" >/dev/null || return 1
	_h=$(openssl passwd -6 "$FTP_PASS") || return 1
	awk -v h="$_h" -F: 'BEGIN { OFS = ":" } { $2 = h; print }' \
	    "$FTP_DIR/passwd" >"$FTP_DIR/p" &&
	    mv "$FTP_DIR/p" "$FTP_DIR/passwd" &&
	    pure-pw mkdb "$FTP_DIR/pdb" -f "$FTP_DIR/passwd" >/dev/null &&
	    printf 'machine 127.0.0.1 login %s password %s\n' "$FTP_USER" \
	    "$FTP_PASS" >"$FTP_DIR/netrc"
}

# _ftp_launch PORT [options]: start a server on PORT, wait until it
# answers.  Pids go to a file, so a server started in a test's subshell
# is still stopped at the end.
_ftp_launch() {
	_port=$1
	shift
	_pasv=${FTP_PASV:-$((15000 + (_port % 17) * 1000))}
	# Taken by another test's server?  Then its greeting would fool us.
	if command -v ss >/dev/null 2>&1 &&
	    ss -Hltn "sport = :$_port" 2>/dev/null | grep -q .; then
		return 1
	fi
	rm -f "$FTP_DIR/pid"
	pure-ftpd -S "127.0.0.1,$_port" -l "puredb:$FTP_DIR/pdb" \
	    -E -j -H -p "$_pasv:$((_pasv + 999))" -P 127.0.0.1 -B \
	    -g "$FTP_DIR/pid" "$@" >/dev/null 2>&1 || return 1
	_w=0
	while [ ! -s "$FTP_DIR/pid" ] && [ $_w -lt 50 ]; do
		sleep 0.1
		_w=$((_w + 1))
	done
	[ -s "$FTP_DIR/pid" ] || return 1
	cat "$FTP_DIR/pid" >>"$FTP_DIR/pids"
	_w=0
	while [ $_w -lt 20 ]; do
		# It greets (a TLS-only server then refuses a plain login).
		if curl -s -v --max-time 5 --netrc-file "$FTP_DIR/netrc" \
		    "ftp://127.0.0.1:$_port/" 2>&1 >/dev/null |
		    grep -q "^< 220 " &&
		    kill -0 "$(cat "$FTP_DIR/pid")" 2>/dev/null; then
			FTP_PORT=$_port
			FTP_HOME=$FTP_DIR/home
			FTP_URL=ftp://$FTP_USER@127.0.0.1:$FTP_PORT
			export FTP_PORT FTP_URL FTP_HOME
			return 0
		fi
		sleep 0.1
		_w=$((_w + 1))
	done
	ftp_stop
	return 1
}

# ftp_start [options]: a server on a free port; passive ports from a
# range below the kernel's ephemeral range (see notes/testing.md).
ftp_start() {
	[ -f "$FTP_DIR/pdb" ] || _ftp_user || return 1
	_tries=0
	while [ $_tries -lt 20 ]; do
		_tries=$((_tries + 1))
		_p=$(awk -v s="$$" -v t="$_tries" 'BEGIN { srand()
		    print 10000 + (int(rand() * 5000) + s * 7 + t * 13) % 5000 }')
		_ftp_launch "$_p" "$@" && return 0
	done
	echo "cannot start pure-ftpd" >&2
	return 1
}

# ftp_restart [options]: the same port again (the manifest names it).
ftp_restart() {
	_tries=0
	while [ $_tries -lt 50 ]; do
		_tries=$((_tries + 1))
		_ftp_launch "$FTP_PORT" "$@" && return 0
		sleep 0.2
	done
	echo "cannot restart pure-ftpd on port $FTP_PORT" >&2
	return 1
}

# Kill the servers and every session process they started, at once:
# the daemon leads its own process group, which its sessions share.
# (Killing the master first leaves sessions that hold the listening
# socket and finish uploads; killing sessions first lets the master
# accept a client's quick retry.)  Ours only: the groups of our pids.
ftp_stop() {
	[ -f "$FTP_DIR/pids" ] || return 0
	while read -r _p; do
		# Stopped, the daemon cannot accept or fork a new session
		# while its sessions die; then it goes too.  This holds even
		# where it does not lead a process group of its own.
		kill -STOP "$_p" 2>/dev/null
		kill -KILL -- "-$_p" 2>/dev/null
		pkill -KILL -P "$_p" 2>/dev/null
		kill -KILL "$_p" 2>/dev/null
	done <"$FTP_DIR/pids"
	rm -f "$FTP_DIR/pids"
	return 0
}

# ftp_get PATH FILE: fetch PATH (absolute on the server) with curl.
ftp_get() {
	_u=$(printf '%s' "${1#/}" | sed 's/%/%25/g; s/ /%20/g; s/#/%23/g')
	curl -s -S --max-time 60 --netrc-file "$FTP_DIR/netrc" \
	    "ftp://127.0.0.1:$FTP_PORT/%2F$_u" -o "$2"
}

# ftp_ls DIR: names in a server folder (NLST), sorted.
ftp_ls() {
	curl -s -S --max-time 60 -l --netrc-file "$FTP_DIR/netrc" \
	    "ftp://127.0.0.1:$FTP_PORT/%2F${1#/}/" | grep -v '^\.\.\{0,1\}$' | sort
}

# ---- fakeftp.py: a server that misbehaves on purpose ----
# fake_have: is python3 there?  Sets FAKE_SKIP otherwise.
fake_have() {
	FAKE_SKIP=
	command -v python3 >/dev/null 2>&1 ||
		FAKE_SKIP="python3 is needed for the fake FTP server"
	[ -z "$FAKE_SKIP" ]
}

# fake_start MODE [fakeftp.py options]: start one (see fakeftp.py for
# the modes) and set FAKE_PORT, FAKE_HOME (its files on disk), FAKE_URL
# and FAKE_LOG (the commands it got).  It exits by itself after
# $FAKE_LIFETIME seconds (120), and at the end of the script.
fake_start() {
	_mode=$1
	shift
	FAKE_DIR=$TRASH/fake-$_mode
	rm -rf "$FAKE_DIR" && mkdir -p "$FAKE_DIR" || return 1
	python3 "$TEST_DIRECTORY/fakeftp.py" --root "$FAKE_DIR/home" \
	    --port-file "$FAKE_DIR/port" --mode "$_mode" \
	    --lifetime "${FAKE_LIFETIME:-120}" "$@" \
	    >"$FAKE_DIR/stderr" 2>&1 &
	echo $! >>"$TRASH/fake.pids"
	_w=0
	while [ ! -s "$FAKE_DIR/port" ] && [ $_w -lt 100 ]; do
		sleep 0.1
		_w=$((_w + 1))
	done
	[ -s "$FAKE_DIR/port" ] || { cat "$FAKE_DIR/stderr" >&2; return 1; }
	FAKE_PORT=$(cat "$FAKE_DIR/port")
	FAKE_HOME=$FAKE_DIR/home
	FAKE_LOG=$FAKE_DIR/fakeftp.log
	FAKE_URL=ftp://mlp@127.0.0.1:$FAKE_PORT
}

# fake_stop: kill every fake server this script started.
fake_stop() {
	[ -f "$TRASH/fake.pids" ] || return 0
	while read -r _p; do
		kill -KILL "$_p" 2>/dev/null
	done <"$TRASH/fake.pids"
	rm -f "$TRASH/fake.pids"
	return 0
}

test_at_exit ftp_stop
test_at_exit fake_stop
