#!/bin/sh
# t4004-push-symlinks.t: whoever can write a run folder must not get
# mlp-push to send, or --prune to delete, files outside the run's
# artifact folder: symbolic links that lead out are skipped with a
# warning, an artifacts/ that is a link out skips the run, leftovers of
# mlp (.mlp-tmp.*) are never sent; regular files inside still are, and
# are pruned.  Against a real pure-ftpd.
. "$(dirname "$0")/lib.sh"
. "$TEST_DIRECTORY/ftp-lib.sh"

if ! ftp_have; then
	test_skip_all "$FTP_SKIP"
fi

ftp_start 2>"$TRASH/ftp-start.err"
_started=$?
DEST=$FTP_URL/srv
MLP_FTP_PASSWORD=$FTP_PASS
export MLP_FTP_PASSWORD

# Checksums of what must survive: files outside the artifact folders.
outside_state() {
	{
		cksum /etc/passwd
		find outside outside2 -exec ls -ld {} + |
		    awk '{ print $1, $5, $NF }'
		find outside outside2 -type f -exec cksum {} +
	} | sort
}

test_expect_success 'runs with links planted in their artifacts' '
	{ test $_started -eq 0 || { cat ftp-start.err; false; }; } &&
	mkdir -p outside/deep outside2 &&
	echo secret >outside/secret.txt &&
	echo deeper >outside/deep/x.txt &&
	echo other >outside2/o.txt &&
	R=$(mlp-log start) &&
	echo alpha >a.txt && echo bravo >b.txt &&
	MLFLOW_RUN_ID=$R mlp-log artifact a.txt &&
	MLFLOW_RUN_ID=$R mlp-log artifact b.txt d &&
	MLFLOW_RUN_ID=$R mlp-log end &&
	A=mlruns/0/$R/artifacts &&
	ln -s /etc/passwd "$A/passwd" &&
	ln -s ../meta.yaml "$A/m" &&
	ln -s "$TRASH/outside" "$A/od" &&
	ln -s "$TRASH/outside/secret.txt" "$A/d/s.txt" &&
	ln -s ../a.txt "$A/d/in.txt" &&
	echo half >"$A/.mlp-tmp.a.txt.123" &&
	mkdir "$A/.mlp-tmp.dir" && echo half >"$A/.mlp-tmp.dir/x" &&
	echo half >"$A/d/.mlp-tmp.b.txt.456" &&
	R2=$(mlp-log start) && MLFLOW_RUN_ID=$R2 mlp-log end &&
	rm -rf "mlruns/0/$R2/artifacts" &&
	ln -s "$TRASH/outside2" "mlruns/0/$R2/artifacts" &&
	R3=$(mlp-log start) && MLFLOW_RUN_ID=$R3 mlp-log end &&
	rm -rf "mlruns/0/$R3/artifacts" &&
	mkdir "mlruns/0/$R3/art" && echo three >"mlruns/0/$R3/art/t.txt" &&
	ln -s art "mlruns/0/$R3/artifacts" &&
	printf "%s\n" "$R" "$R2" "$R3" >runs
'
R=$(sed -n 1p "$TRASH/runs" 2>/dev/null)
R2=$(sed -n 2p "$TRASH/runs" 2>/dev/null)
R3=$(sed -n 3p "$TRASH/runs" 2>/dev/null)
A=mlruns/0/$R/artifacts
SRV=$FTP_HOME/srv/0

test_expect_success '--dry-run lists no link out and no leftover' '
	mlp-push -n "$DEST" >plan 2>err &&
	cut -f2 plan | sort >files &&
	printf "%s\n" a.txt d/b.txt d/in.txt t.txt >expect &&
	test_cmp expect files
'

test_expect_success '--prune: links out skipped with warnings, exit 0' '
	outside_state >before &&
	mlp-push --prune "$DEST" 2>err &&
	cat err &&
	grep "run $R: .passwd. not pushed: a symbolic link that leads outside" \
	    err &&
	grep "run $R: .m. not pushed" err &&
	grep "run $R: .od. not pushed" err &&
	grep "run $R: .d/s.txt. not pushed" err &&
	grep "run $R2: skipped: its artifact folder .*is a symbolic link" err
'

test_expect_success 'nothing outside was sent' '
	(cd "$SRV/$R/artifacts" && find . | sort) >got &&
	printf "%s\n" . ./a.txt ./d ./d/b.txt ./d/in.txt >expect &&
	test_cmp expect got &&
	test ! -e "$SRV/$R2" &&
	! grep -r -l "secret\|root:" "$FTP_HOME" &&
	find "$FTP_HOME" -name ".mlp-tmp*" >tmps &&
	test_line_count tmps 0
'

test_expect_success 'regular files inside are sent whole (a link inside too)' '
	cmp a.txt "$SRV/$R/artifacts/a.txt" &&
	cmp b.txt "$SRV/$R/artifacts/d/b.txt" &&
	cmp a.txt "$SRV/$R/artifacts/d/in.txt" &&
	echo three >expect &&
	test_cmp expect "$SRV/$R3/artifacts/t.txt"
'

test_expect_success '--prune left every outside file as it was' '
	outside_state >after &&
	test_cmp before after &&
	test -f "mlruns/0/$R/meta.yaml" && test ! -L "mlruns/0/$R/meta.yaml" &&
	test -L "$A/passwd" && test -L "$A/m" && test -L "$A/od" &&
	test -L "$A/d/s.txt" && test -L "$A/d/in.txt" &&
	test -L "mlruns/0/$R2/artifacts" &&
	test -f "$A/.mlp-tmp.a.txt.123" && test -f "$A/d/.mlp-tmp.b.txt.456"
'

test_expect_success '--prune deleted the regular files inside' '
	test ! -e "$A/a.txt" && test ! -e "$A/d/b.txt" &&
	test ! -e "mlruns/0/$R3/art/t.txt" &&
	grep "^artifact_uri: ftp://" "mlruns/0/$R/meta.yaml" &&
	grep "^artifact_uri: file:" "mlruns/0/$R2/meta.yaml"
'

test_expect_success 'a folder swapped for a link after the push is not pruned' '
	R4=$(mlp-log start) &&
	echo keep >k.txt &&
	MLFLOW_RUN_ID=$R4 mlp-log artifact k.txt sub &&
	MLFLOW_RUN_ID=$R4 mlp-log end &&
	mlp-push "$DEST" &&
	mkdir -p victim &&
	cp -p "mlruns/0/$R4/artifacts/sub/k.txt" victim/k.txt &&
	touch -r "mlruns/0/$R4/artifacts/sub/k.txt" victim/k.txt &&
	rm -r "mlruns/0/$R4/artifacts/sub" &&
	ln -s "$TRASH/victim" "mlruns/0/$R4/artifacts/sub" &&
	mlp-push --prune "$DEST" 2>err &&
	cat err &&
	test -f victim/k.txt &&
	test -L "mlruns/0/$R4/artifacts/sub"
'

test_expect_success 'a planted artifact_uri outside the run is not followed' '
	R5=$(mlp-log start) &&
	echo mine >mine.txt &&
	MLFLOW_RUN_ID=$R5 mlp-log artifact mine.txt &&
	MLFLOW_RUN_ID=$R5 mlp-log end &&
	mkdir -p victim2 && echo private >victim2/private.txt &&
	M=mlruns/0/$R5/meta.yaml &&
	sed "s|^artifact_uri: .*|artifact_uri: file://$TRASH/victim2|" "$M" \
	    >m.tmp && mv m.tmp "$M" &&
	mlp-push --prune "$DEST" 2>err &&
	cat err &&
	grep "run $R5: artifact_uri .*leads outside the run folder" err &&
	test -f victim2/private.txt &&
	test ! -e "$SRV/$R5/artifacts/private.txt" &&
	cmp mine.txt "$SRV/$R5/artifacts/mine.txt"
'

test_done
