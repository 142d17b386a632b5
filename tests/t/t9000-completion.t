#!/bin/sh
# t9000-completion: the bash and zsh completions of contrib/completion,
# run in a real bash (and a real interactive zsh when it is installed).
. "$(dirname "$0")/lib.sh"

comp=$MLP_SRCDIR/contrib/completion

# complete WORD...: what bash completes for the last WORD (the cursor)
# of the command line WORD..., one candidate per line.
cat >complete.bash <<'EOF'
. "$MLP_SRCDIR/contrib/completion/mlp.bash" || exit 1
COMP_WORDS=("$@")
COMP_CWORD=${CWORD:-$(($# - 1))}
COMP_LINE="$*"
COMP_POINT=${#COMP_LINE}
COMPREPLY=()
_mlp || exit 1
[ ${#COMPREPLY[@]} -eq 0 ] || printf '%s\n' "${COMPREPLY[@]}" | sort
EOF
complete() {
	bash "$TRASH/complete.bash" "$@"
}

# A store with experiments whose names need YAML quotes, and runs.
test_expect_success 'setup: a store, a second store and a project' '
	r1=$(mlp-log start -e iris) &&
	r2=$(mlp-log start -e iris) &&
	mlp-log -r $r1 metric val_accuracy 0.9 &&
	mlp-log -r $r1 param kernel rbf &&
	mlp-log start -e "my runs" >/dev/null &&
	mlp-log start -e 123 >/dev/null &&
	mlp-log start -e yes >/dev/null &&
	grep -q "^name: .123.$" mlruns/*/meta.yaml &&
	mlp-log -s other start -e elsewhere >/dev/null &&
	mkdir proj &&
	cat >proj/MLProject <<-EOF
	name: p
	# a comment
	entry_points:
	  main:
	    parameters:
	      alpha: {type: float, default: 0.5}
	      "l1_ratio":
	        type: float
	        default: 0.1
	    command: "python train.py {alpha} {l1_ratio}"
	  validate:
	    parameters: {data_path: path, limit: int}
	    command: "sh check.sh {data_path} {limit}"
	  "report":
	    command: "echo done"
	EOF
	echo "$r1" >r1 && echo "$r2" >r2
'

test_expect_success 'bash: experiment names, YAML quotes removed' '
	complete mlp-ls -e "" >out &&
	printf "%s\n" 123 Default iris "my\\ runs" yes >want &&
	test_cmp want out &&
	complete mlp-ls --experiment i >out &&
	echo iris >want && test_cmp want out &&
	complete mlp-run --experiment-name=i >out && test_cmp want out &&
	complete mlp-log start -e i >out && test_cmp want out &&
	complete mlp-push -e i >out && test_cmp want out
'
test_expect_success 'bash: -s and MLFLOW_TRACKING_URI choose the store' '
	echo elsewhere >want &&
	complete mlp-ls -s other -e "" >out &&
	printf "%s\n" Default elsewhere >want && test_cmp want out &&
	complete mlp-ls --store=other -e "" >out && test_cmp want out &&
	MLFLOW_TRACKING_URI=file://$TRASH/other complete mlp-ls -e "" >out &&
	test_cmp want out &&
	MLFLOW_TRACKING_URI=$TRASH/other complete mlp-push -e "" >out &&
	test_cmp want out
'
test_expect_success 'bash: run ids, from mlp-ls and from the folders' '
	sort r1 r2 >want &&
	complete mlp-log -r "" | grep -x -f want >out &&
	test_cmp want out &&
	test "$(complete mlp-ls "" | wc -l)" -eq 5 &&
	p=$(cut -c1-10 r1) &&
	complete mlp-push -r $p >out && test_cmp r1 out &&
	PATH=/usr/bin:/bin complete mlp-log -r $p >out && test_cmp r1 out &&
	PATH=/usr/bin:/bin complete mlp-ls "" >out &&
	test_line_count out 5
'
test_expect_success 'bash: entry points and parameters of the MLproject' '
	complete mlp-run proj -e "" >out &&
	printf "%s\n" main report validate >want && test_cmp want out &&
	complete mlp-run proj -P "" >out &&
	printf "%s\n" alpha= l1_ratio= >want && test_cmp want out &&
	complete mlp-run -e validate proj -P "" >out &&
	printf "%s\n" data_path= limit= >want && test_cmp want out &&
	complete mlp-run proj --entry-point=validate -P l >out &&
	echo limit= >want && test_cmp want out &&
	(cd proj && complete mlp-run -P a) >out &&
	echo alpha= >want && test_cmp want out &&
	complete mlp-run proj -P alpha = "" >out && test_line_count out 0
'
test_expect_success 'bash: -v offers the branches and tags of the project' '
	git init -q gproj && cp proj/MLProject gproj/ &&
	(cd gproj && git add MLProject &&
	    git -c user.name=t -c user.email=t@t commit -q -m one &&
	    git branch -m trunk && git branch feature && git tag v1.0) &&
	complete mlp-run gproj -v "" >out &&
	printf "%s\n" feature trunk v1.0 >want && test_cmp want out &&
	(cd gproj && complete mlp-run --version f) >out &&
	echo feature >want && test_cmp want out
'
test_expect_success 'bash: the project folder may follow the cursor' '
	CWORD=2 complete mlp-run -P "" proj >out &&
	printf "%s\n" alpha= l1_ratio= >want && test_cmp want out &&
	CWORD=2 complete mlp-run -e "" proj >out &&
	printf "%s\n" main report validate >want && test_cmp want out
'
test_expect_success 'bash: option values and columns' '
	complete mlp-ls --format "" >out &&
	printf "%s\n" csv html json table tsv >want && test_cmp want out &&
	complete mlp-ls --view=d >out && echo deleted >want &&
	test_cmp want out &&
	complete mlp-run --env-manager v >out && echo virtualenv >want &&
	test_cmp want out &&
	complete mlp-log end --status F >out &&
	printf "%s\n" FAILED FINISHED >want && test_cmp want out &&
	complete mlp-ls -c run_id,metrics.v >out &&
	echo run_id,metrics.val_accuracy >want && test_cmp want out &&
	complete mlp-ls -o par >out && echo params. >want &&
	test_cmp want out &&
	complete mlp-ls --history v >out && echo val_accuracy >want &&
	test_cmp want out
'
test_expect_success 'bash: mlp-log commands, then their options' '
	complete mlp-log "" >out &&
	printf "%s\n" - artifact delete end fsck gc metric param restore \
	    start tag >want && test_cmp want out &&
	complete mlp-log -r x st >out && echo start >want &&
	test_cmp want out &&
	complete mlp-log start -- >out && printf "%s\n" --experiment --name \
	    --tag >want && test_cmp want out &&
	complete mlp-log -- >out && grep -x -e --store out &&
	! grep -x -e --experiment out
'
test_expect_success 'bash: mlp-log fsck, gc, delete and restore' '
	complete mlp-log fsck -- >out && echo --repair >want &&
	test_cmp want out &&
	complete mlp-log fsck --repair "" | grep -x -f r1 >out &&
	test_cmp r1 out &&
	complete mlp-log delete "" | grep -x -f r1 >out &&
	test_cmp r1 out &&
	complete mlp-log gc -- >out &&
	printf "%s\n" --experiment-ids --older-than --run-ids >want &&
	test_cmp want out &&
	complete mlp-log gc --run-ids "" | grep -x -f r1 >out &&
	test_cmp r1 out &&
	complete mlp-log gc --run-ids=$(cut -c1-10 r1) >out &&
	test_cmp r1 out &&
	complete mlp-log gc --older-than "" >out && test_line_count out 0 &&
	ls mlruns | grep -v -x -e .trash -e models | sort >want &&
	complete mlp-log gc --experiment-ids "" >out && test_cmp want out
'

# The options a man page documents: ".It Fl s , -store Ar store".
man_opts() {
	awk '/^\.It Fl / {
		for (i = 3; i <= NF; i++)
			if ($(i - 1) == "Fl" || ($(i - 1) == "," && $i ~ /^-/))
				print "-" $i
	}' "$1" | sort -u
}
for tool in log ls run push; do
	if ! grep -q "^\.It Fl" "$MLP_SRCDIR/docs/mlp-$tool.1" 2>/dev/null
	then
		test_skip "bash: mlp-$tool options match its man page" \
		    "docs/mlp-$tool.1 not written yet"
		continue
	fi
	test_expect_success "bash: mlp-$tool options match its man page" '
		man_opts "$MLP_SRCDIR/docs/mlp-$tool.1" >want &&
		test -s want &&
		complete mlp-$tool - | grep -v -x -e - >out &&
		test_cmp want out
	'
done

if ! command -v zsh >/dev/null 2>&1; then
	test_skip_all 'zsh is not installed'
fi

zcomplete() {
	timeout 60 zsh "$MLP_SRCDIR/tests/t/zcomplete.zsh" "$comp" "$1"
}
test_expect_success 'zsh: experiment names and run ids' '
	zcomplete "mlp-ls -e " >out &&
	printf "%s\n" 123 Default iris "my\\ runs" yes >want &&
	test_cmp want out &&
	zcomplete "mlp-ls -s other -e " >out &&
	printf "%s\n" Default elsewhere >want && test_cmp want out &&
	zcomplete "mlp-log -r $(cut -c1-10 r1)" >out && test_cmp r1 out &&
	zcomplete "mlp-log fsck --repair $(cut -c1-10 r1)" >out &&
	test_cmp r1 out &&
	zcomplete "mlp-log gc --run-ids=$(cut -c1-10 r1)" >out &&
	test_cmp r1 out &&
	zcomplete "mlp-log delete $(cut -c1-10 r1)" >out && test_cmp r1 out
'
test_expect_success 'zsh: entry points, parameters and option values' '
	zcomplete "mlp-run proj -e " >out &&
	printf "%s\n" main report validate >want && test_cmp want out &&
	zcomplete "mlp-run -e validate proj -P " >out &&
	printf "%s\n" data_path limit >want && test_cmp want out &&
	zcomplete "mlp-run gproj -v " >out &&
	printf "%s\n" feature trunk v1.0 >want && test_cmp want out &&
	zcomplete "mlp-ls --format " >out &&
	printf "%s\n" csv html json table tsv >want && test_cmp want out &&
	zcomplete "mlp-ls -c run_id,metrics.v" >out &&
	echo metrics.val_accuracy >want && test_cmp want out
'
for tool in log ls run push; do
	test_expect_success "zsh: mlp-$tool long options are bash's" '
		complete mlp-$tool -- | grep -v -x -e --version >want &&
		zcomplete "mlp-$tool --" | grep -v -x -e --version >out &&
		test_cmp want out
	'
done
test_done
