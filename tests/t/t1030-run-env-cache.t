#!/bin/sh
# t1030-run-env-cache.t: mlp-run keeps the tools and pip freeze part of
# environment.txt in a cache, keyed by the programs (path, resolved
# path, size, mtime) and python's sys.path folders (mtimes); a cached
# record is byte for byte what a fresh probe writes, and any change to
# what it depends on makes the probes run again.
. "$(dirname "$0")/lib.sh"
. "$TEST_DIRECTORY/run-lib.sh"

# A fake python3 first in PATH: it logs each call, prints a version,
# "freezes" the packages found in $SITE and names $SITE as its sys.path.
mkdir -p bin site proj
SITE=$TRASH/site LOG=$TRASH/probes.log
export SITE LOG
mkpython() {
	cat >"$1" <<-EOF
	#!/bin/sh
	echo "\$*" >>"\$LOG"
	case "\$1" in
	--version) echo "Python $2" ;;
	-m) [ -e "\$SITE/broken" ] && exit 3
	    for p in "\$SITE"/*; do [ -e "\$p" ] && echo "\${p##*/}==1.0"; done ;;
	-c) echo "\$SITE" ;;
	esac
	exit 0
	EOF
	chmod +x "$1"
}
mkpython bin/python3 3.99.0
PATH=$TRASH/bin:$PATH
export PATH
touch site/numpy
cat >proj/MLproject <<'YAML'
entry_points:
  main:
    command: "python3 train.py"
YAML

# envtxt: environment.txt of the last run (from its stderr in err)
envtxt() {
	cat "$(run_dir "$(run_id_of err)")/artifacts/mlp/environment.txt"
}
# probes: how many version, pip and sys.path probes the log holds
probes() {
	grep -c -e "^--version" -e "^-m pip" -e "^-c " "$LOG" || :
}

test_expect_success 'a first run probes and writes the cache' '
	mlp-run proj 2>err && envtxt >first &&
	grep "^$TRASH/bin/python3	Python 3.99.0\$" first &&
	grep "^numpy==1.0\$" first &&
	test "$(probes)" -eq 3 &&
	ls "$XDG_CACHE_HOME"/mlp/env-*.cache >list && test_line_count list 1
'
test_expect_success 'a second run probes nothing and writes the same bytes' '
	mlp-run proj 2>err && envtxt >second &&
	test "$(probes)" -eq 3 &&
	cmp first second
'
test_expect_success 'a fresh probe writes the same bytes as the cache' '
	XDG_CACHE_HOME=$TRASH/cold mlp-run proj 2>err && envtxt >fresh &&
	test "$(probes)" -eq 6 &&
	cmp fresh second
'
test_expect_success 'a changed program is probed again' '
	mkpython bin/python3 3.99.1 && touch bin/python3 &&
	mlp-run proj 2>err && envtxt >got &&
	grep "^$TRASH/bin/python3	Python 3.99.1\$" got &&
	test "$(probes)" -eq 9 &&
	XDG_CACHE_HOME=$TRASH/cold2 mlp-run proj 2>err && envtxt >fresh &&
	cmp fresh got
'
test_expect_success 'a package installed into a sys.path folder refreshes pip freeze' '
	n=$(probes) && mlp-run proj 2>err && test "$(probes)" -eq "$n" &&
	touch site/pandas && touch -d "+2 seconds" site &&
	mlp-run proj 2>err && envtxt >got &&
	grep "^pandas==1.0\$" got && test "$(probes)" -gt "$n"
'
test_expect_success 'a new python3 earlier on PATH is a new record' '
	mkdir bin2 && mkpython bin2/python3 4.0.0 &&
	n=$(probes) &&
	PATH=$TRASH/bin2:$PATH mlp-run proj 2>err && envtxt >got &&
	grep "^$TRASH/bin2/python3	Python 4.0.0\$" got &&
	grep "^\[pip freeze: $TRASH/bin2/python3\]\$" got &&
	test "$(probes)" -gt "$n" &&
	mlp-run proj 2>err && envtxt >got &&
	grep "^$TRASH/bin/python3	Python 3.99.1\$" got
'
test_expect_success 'a corrupt cache file is ignored and rewritten' '
	for c in "$XDG_CACHE_HOME"/mlp/env-*.cache; do
		printf "garbage\n--\n[tools]\nforged\n" >"$c" || return 1
	done &&
	n=$(probes) && mlp-run proj 2>err && envtxt >got &&
	! grep forged got && test "$(probes)" -gt "$n" &&
	XDG_CACHE_HOME=$TRASH/cold3 mlp-run proj 2>err && envtxt >fresh &&
	cmp fresh got &&
	n=$(probes) && mlp-run proj 2>err && test "$(probes)" -eq "$n"
'
test_expect_success 'a failed probe is not cached' '
	touch site/broken && touch -d "+4 seconds" site &&
	mlp-run proj 2>err && envtxt >got &&
	grep "pip freeze failed with exit 3" got &&
	n=$(probes) && mlp-run proj 2>err && test "$(probes)" -gt "$n" &&
	rm site/broken
'
# A fake pyenv shim: its answer follows PYENV_VERSION, ./.python-version
# and $PYENV_ROOT/version, none of which is the shim itself.
mkdir -p pyroot/shims
cat >pyroot/shims/python3 <<'SHIM'
#!/bin/sh
echo "$*" >>"$LOG"
if [ -n "$PYENV_VERSION" ]; then v=$PYENV_VERSION
elif [ -f .python-version ]; then v=$(cat .python-version)
else v=$(cat "$PYENV_ROOT/version"); fi
case "$1" in
--version) echo "Python $v" ;;
-m) echo "shimpkg==$v" ;;
-c) echo "$SITE" ;;
esac
exit 0
SHIM
chmod +x pyroot/shims/python3
echo 3.11.0 >pyroot/version
test_expect_success 'a pyenv shim is probed again when the version it picks changes' '
	PYENV_ROOT=$TRASH/pyroot PATH=$TRASH/pyroot/shims:$PATH &&
	export PYENV_ROOT PATH &&
	mlp-run proj 2>err && envtxt >got && grep "^shimpkg==3.11.0\$" got &&
	n=$(probes) && mlp-run proj 2>err && test "$(probes)" -eq "$n" &&
	echo 3.12.0 >pyroot/version && touch -d "+2 seconds" pyroot/version &&
	mlp-run proj 2>err && envtxt >got &&
	grep "^$TRASH/pyroot/shims/python3	Python 3.12.0\$" got &&
	grep "^shimpkg==3.12.0\$" got &&
	XDG_CACHE_HOME=$TRASH/cold5 mlp-run proj 2>err && envtxt >fresh &&
	cmp fresh got &&
	PYENV_VERSION=3.13.0 mlp-run proj 2>err && envtxt >got &&
	grep "^shimpkg==3.13.0\$" got &&
	echo 3.10.0 >.python-version && mlp-run proj 2>err && envtxt >got &&
	grep "^shimpkg==3.10.0\$" got && rm .python-version
'
test_expect_success 'concurrent runs on a cold cache leave one whole record' '
	XDG_CACHE_HOME=$TRASH/cold4 && export XDG_CACHE_HOME &&
	for i in 1 2 3 4; do mlp-run proj 2>"err$i" & done && wait &&
	for i in 1 2 3 4; do
		cat "$(run_dir "$(run_id_of "err$i")")/artifacts/mlp/environment.txt" \
		    >"env$i" || return 1
	done &&
	cmp env1 env2 && cmp env1 env3 && cmp env1 env4 &&
	ls "$XDG_CACHE_HOME"/mlp >list && ! grep mlp-tmp list &&
	n=$(probes) && mlp-run proj 2>err && test "$(probes)" -eq "$n" &&
	envtxt >got && cmp env1 got
'
test_done
