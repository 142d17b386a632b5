#!/bin/sh
# t9400-push-cron.t: the commands of contrib/cron (crontab line, systemd
# service) really push, run the way cron and systemd would run them.
. "$(dirname "$0")/lib.sh"
. "$TEST_DIRECTORY/ftp-lib.sh"

CRON=$MLP_SRCDIR/contrib/cron

test_expect_success 'the timer starts the service, which is a oneshot' '
	grep "^OnUnitActiveSec=" "$CRON/mlp-push.timer" &&
	grep "^Type=oneshot" "$CRON/mlp-push.service" &&
	grep "^EnvironmentFile=%h/.config/mlp-push.env" \
	    "$CRON/mlp-push.service"
'

if ! ftp_have; then
	test_skip_all "$FTP_SKIP"
fi

ftp_start 2>"$TRASH/ftp-start.err"
_started=$?

# A home with the env file both read: shell assignments, no quoting.
test_expect_success 'a store, a run and ~/.config/mlp-push.env' '
	{ test $_started -eq 0 || { cat ftp-start.err; false; }; } &&
	R=$(mlp-log start) && echo data >data.txt &&
	MLFLOW_RUN_ID=$R mlp-log artifact data.txt &&
	MLFLOW_RUN_ID=$R mlp-log end && echo "$R" >run &&
	mkdir -p home/.config &&
	{
		echo "MLFLOW_TRACKING_URI=$TRASH/mlruns"
		echo "MLP_PUSH_DEST=$FTP_URL/cron"
		echo "MLP_FTP_PASSWORD=$FTP_PASS"
	} >home/.config/mlp-push.env &&
	chmod 600 home/.config/mlp-push.env
'

test_expect_success 'the crontab line pushes, as cron runs it (sh -c)' '
	R=$(cat run) &&
	cmd=$(grep -v "^#" "$CRON/mlp-push.crontab" | cut -d" " -f6-) &&
	test -n "$cmd" &&
	env -i HOME="$TRASH/home" PATH="$PATH" sh -c "$cmd" >out 2>&1 &&
	test_line_count out 0 &&
	ftp_get "/cron/0/$R/artifacts/data.txt" got &&
	test_cmp data.txt got &&
	env -i HOME="$TRASH/home" PATH="$PATH" sh -c "$cmd" >out 2>&1 &&
	test_line_count out 0
'

test_expect_success 'the service ExecStart pushes with its EnvironmentFile' '
	R=$(cat run) &&
	sed -i "s|/cron$|/systemd|" home/.config/mlp-push.env &&
	exe=$(sed -n "s/^ExecStart=//p" "$CRON/mlp-push.service") &&
	test -n "$exe" &&
	env -i HOME="$TRASH/home" PATH="$PATH" sh -c \
	    "set -a && . \"\$HOME/.config/mlp-push.env\" && $exe" &&
	ftp_get "/systemd/0/$R/artifacts/data.txt" got &&
	test_cmp data.txt got
'

test_done
