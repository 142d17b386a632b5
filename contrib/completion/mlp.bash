# mlp.bash - bash completion for mlp-log, mlp-ls, mlp-run and mlp-push.
#
# Install it as bash-completion does (make install puts it in
# $(datadir)/bash-completion/completions/ under each tool's name), or
# source it from ~/.bashrc.  It needs nothing but bash: no
# bash-completion helpers.
#
# It completes each tool's options, experiment names (read from the
# meta.yaml files of the store given with -s, else MLFLOW_TRACKING_URI,
# else ./mlruns), run ids (from mlp-ls when it is on PATH, else the run
# folders), and for mlp-run the entry points and parameter names of the
# MLproject in the project folder given (else in .).

# _mlp_store WORD...: print the store folder that the command line
# selects (-s DIR, --store DIR, --store=DIR, -sDIR), without "file://".
_mlp_store()
{
	local s=${MLFLOW_TRACKING_URI:-./mlruns} i j
	for ((i = 2; i <= $#; i++)); do
		case ${!i} in
		-s | --store)
			j=$((i + 1))
			((j <= $#)) && s=${!j}
			;;
		--store=*) s=${!i#--store=} ;;
		-s?*) s=${!i#-s} ;;
		--) break ;;
		esac
	done
	case $s in
	file://*) s=${s#file://} ;;
	file:*) s=${s#file:} ;;
	esac
	# A leading ~ typed on the command line is not expanded yet.
	# shellcheck disable=SC2088
	[[ $s == "~/"* ]] && s=$HOME/${s#"~/"}
	printf '%s\n' "$s"
}

# _mlp_experiments STORE: the names of the active experiments, one per
# line, as written in their meta.yaml (YAML quotes removed).
_mlp_experiments()
{
	local f line name
	for f in "$1"/*/meta.yaml; do
		[[ -f $f ]] || continue
		while IFS= read -r line; do
			[[ $line == name:* ]] || continue
			name=${line#name:}
			name=${name# }
			if [[ $name == \'*\' ]]; then
				name=${name:1:${#name}-2}
				name=${name//\'\'/\'}
			elif [[ $name == \"*\" ]]; then
				name=${name:1:${#name}-2}
			fi
			printf '%s\n' "$name"
			break
		done <"$f"
	done
}

# _mlp_experiment_ids STORE: the ids of the active experiments.
_mlp_experiment_ids()
{
	local d
	for d in "$1"/*/meta.yaml; do
		[[ -f $d ]] || continue
		d=${d%/meta.yaml}
		printf '%s\n' "${d##*/}"
	done
}

# _mlp_run_ids STORE: run ids, from mlp-ls if it is there, else from the
# run folders (32 hex digits) of every experiment.
_mlp_run_ids()
{
	local d
	if type -P mlp-ls >/dev/null 2>&1 &&
	    mlp-ls -s "$1" -c run_id 2>/dev/null; then
		return
	fi
	for d in "$1"/*/*/meta.yaml; do
		[[ -f $d ]] || continue
		d=${d%/meta.yaml}
		d=${d##*/}
		[[ ${#d} -eq 32 && $d != *[!0-9a-f]* ]] && printf '%s\n' "$d"
	done
}

# _mlp_keys STORE KIND: the keys (params, metrics or tags) of the first
# 100 runs found, so that completion stays fast on a large store.
_mlp_keys()
{
	local d f n=0
	for d in "$1"/*/*/"$2"; do
		[[ -d $d ]] || continue
		for f in "$d"/*; do
			[[ -f $f ]] && printf '%s\n' "${f##*/}"
		done
		((++n >= 100)) && break
	done | sort -u
}

# _mlp_project_file DIR: the MLproject file of DIR (the name is matched
# without regard to case, as MLflow does).
_mlp_project_file()
{
	local f b
	for f in "${1:-.}"/*; do
		b=${f##*/}
		if [[ ${b,,} == mlproject && -f $f ]]; then
			printf '%s\n' "$f"
			return 0
		fi
	done
	return 1
}

# _mlp_project FILE [ENTRY-POINT]: with one argument, the entry points
# of the MLproject FILE; with two, the parameter names of that entry
# point.  Reads YAML's block style, the style MLproject files are
# written in.
_mlp_project()
{
	awk -v ep="${2-}" -v want="${2+params}" '
	function unq(s) {
		sub(/^[ \t]+/, "", s)
		sub(/[ \t]+$/, "", s)
		if (s ~ /^".*"$/ || s ~ /^\047.*\047$/)
			s = substr(s, 2, length(s) - 2)
		return s
	}
	/^[ \t]*(#|$)/ || /^---/ { next }
	{
		match($0, /^ */)
		ind = RLENGTH
		key = substr($0, ind + 1)
		if (key !~ /:([ \t]|$)/)
			next
		rest = key
		sub(/:([ \t].*)?$/, "", key)
		key = unq(key)
		sub(/^[^:]*:[ \t]*/, "", rest)
	}
	ind == 0 { in_eps = (key == "entry_points"); ep_ind = -1; next }
	!in_eps { next }
	ep_ind < 0 || ind <= ep_ind {
		ep_ind = ind
		cur = key
		p_ind = -1
		if (want == "")
			print key
		next
	}
	p_ind >= 0 && ind > p_ind {
		if (k_ind < 0)
			k_ind = ind
		if (ind == k_ind && want != "" && cur == ep)
			print key
		next
	}
	key == "parameters" {
		p_ind = ind
		k_ind = -1
		# Flow style on the same line: parameters: {a: float, b: int}
		if (rest ~ /^\{/ && want != "" && cur == ep) {
			gsub(/[{}]/, "", rest)
			n = split(rest, kv, ",")
			for (i = 1; i <= n; i++)
				if (kv[i] ~ /:/) {
					sub(/:.*/, "", kv[i])
					print unq(kv[i])
				}
		}
		next
	}
	{ p_ind = -1 }
	' "$1" 2>/dev/null
}

# _mlp_add WORD...: add the words that start with $cur to COMPREPLY,
# quoted for the shell.
_mlp_add()
{
	local w
	for w; do
		[[ $w == "$cur"* ]] && COMPREPLY+=("$(printf '%q' "$w")")
	done
}

# _mlp_add_lines: the same for words one per line on stdin.
_mlp_add_lines()
{
	local w
	while IFS= read -r w; do
		[[ -n $w && $w == "$cur"* ]] && COMPREPLY+=("$(printf '%q' "$w")")
	done
}

# _mlp_columns STORE: complete a comma-separated list of columns or a
# sort key: attributes, then params.X, metrics.X and tags.X.
_mlp_columns()
{
	local store=$1 head="" last=$cur kind k
	if [[ $cur == *,* ]]; then
		head=${cur%,*},
		last=${cur##*,}
	fi
	case $last in
	params.* | metrics.* | tags.*)
		kind=${last%%.*}
		for k in $(_mlp_keys "$store" "$kind"); do
			[[ $kind.$k == "$last"* ]] && COMPREPLY+=("$head$kind.$k")
		done
		;;
	*)
		for k in run_id run_name experiment_id experiment_name status \
		    start_time end_time user_id artifact_uri lifecycle_stage \
		    params. metrics. tags.; do
			[[ $k == "$last"* ]] && COMPREPLY+=("$head$k")
		done
		;;
	esac
	# "metrics." is a prefix, not a whole column: no space after it.
	[[ ${#COMPREPLY[@]} -eq 1 && ${COMPREPLY[0]} == *. ]] &&
	    compopt -o nospace 2>/dev/null
}

_mlp_files()
{
	local f
	while IFS= read -r f; do COMPREPLY+=("$f"); done \
	    < <(compgen -f -- "$cur")
	compopt -o filenames 2>/dev/null
}

_mlp_dirs()
{
	local f
	while IFS= read -r f; do COMPREPLY+=("$f"); done \
	    < <(compgen -d -- "$cur")
	compopt -o filenames 2>/dev/null
}

# The options of each tool, and those of them that take an argument.
_mlp_opts_log=(-s --store -r --run -q --quiet -V --version -h --help)
_mlp_args_log=(-s --store -r --run)
_mlp_opts_ls=(-s --store -e --experiment --view -f --filter -o
	--order-by -c --columns -n --max-results -F --format -H --header -U
	--unsorted -x --experiments --history --plot --overlay -V --version
	-h --help --compare --all)
_mlp_args_ls=(-s --store -e --experiment --view -f --filter -o
	--order-by -c --columns -n --max-results -F --format --history --plot)
_mlp_opts_run=(-e --entry-point -v --version -P --param-list -i --input -A
	--docker-args --env-manager --build-image --experiment-name
	--experiment-id --run-name --require-clean --max-diff-size -s --store
	--docker-user -q --quiet -V -h --help --sweep --sweep-file -j --jobs
	--backend --backend-config --wait --run-id --reproduce --check
	--allow-data-drift --allow-env-drift --rtol --atol --reuse --run-id-file
	--snapshot)
_mlp_args_run=(-e --entry-point -v --version -P --param-list -i --input -A
	--docker-args --env-manager --experiment-name --experiment-id
	--run-name --max-diff-size -s --store --sweep-file -j --jobs --backend
	--backend-config --run-id --reproduce --rtol --atol --run-id-file
	--snapshot)
_mlp_opts_push=(-s --store -e --experiment -r --run -f --filter -j --jobs
	-n --dry-run -k --insecure -q --quiet -v --verbose --include-running
	--relocate --prune --ssl --cacert --retries --retry-delay --timeout
	--max-time --wait -V --version -h --help)
_mlp_args_push=(-s --store -e --experiment -r --run -f --filter -j --jobs
	--cacert --retries --retry-delay --timeout --max-time)

# _mlp_takes_arg TOOL OPTION: does OPTION of TOOL take an argument?
_mlp_takes_arg()
{
	local v="_mlp_args_$1[@]" o
	for o in "${!v}"; do
		[[ $o == "$2" ]] && return 0
	done
	return 1
}

# _mlp_operands TOOL [all]: print the words before the cursor (with
# "all", every word but the cursor's) that are not options or option
# arguments, one per line.
_mlp_operands()
{
	local i w n=$cword
	[[ ${2-} == all ]] && n=${#words[@]}
	for ((i = 1; i < n; i++)); do
		((i == cword)) && continue
		w=${words[i]}
		case $w in
		--) continue ;;
		--*=*) ;;
		-?*) _mlp_takes_arg "$1" "$w" && ((i++)) ;;
		*) printf '%s\n' "$w" ;;
		esac
	done
}

_mlp_log_cmds=(start end param metric tag artifact delete restore fsck gc -)

# mlp-run: the project folder operand (a folder, not a git URL), else .
_mlp_run_project()
{
	local p
	p=$(_mlp_operands run all | head -n 1)
	p=${p%%#*}
	[[ -n $p && -d $p ]] || p=.
	printf '%s\n' "$p"
}

# mlp-run: the entry point given with -e, else main.
_mlp_run_entry()
{
	local i e=main
	for ((i = 1; i < cword; i++)); do
		case ${words[i]} in
		-e | --entry-point) e=${words[i + 1]} ;;
		--entry-point=*) e=${words[i]#--entry-point=} ;;
		-e?*) e=${words[i]#-e} ;;
		esac
	done
	printf '%s\n' "$e"
}

# _mlp_arg TOOL OPTION STORE: complete the argument of OPTION.
# Returns 1 when OPTION takes no argument.
_mlp_arg()
{
	local tool=$1 opt=$2 store=$3 f
	case $tool:$opt in
	*:-s | *:--store)
		_mlp_dirs ;;
	log:-r | log:--run | push:-r | push:--run | run:--reproduce)
		_mlp_add_lines < <(_mlp_run_ids "$store") ;;
	ls:-e | ls:--experiment | push:-e | push:--experiment | \
	    run:--experiment-name | log:start-e)
		_mlp_add_lines < <(_mlp_experiments "$store") ;;
	run:--experiment-id)
		_mlp_add_lines < <(_mlp_experiment_ids "$store") ;;
	ls:--view)
		_mlp_add active deleted all ;;
	ls:-F | ls:--format)
		_mlp_add tsv csv json table html ;;
	ls:-c | ls:--columns | ls:-o | ls:--order-by)
		_mlp_columns "$store" ;;
	ls:--history | ls:--plot)
		_mlp_add_lines < <(_mlp_keys "$store" metrics) ;;
	run:-e | run:--entry-point)
		if f=$(_mlp_project_file "$(_mlp_run_project)"); then
			_mlp_add_lines < <(_mlp_project "$f")
		else
			_mlp_files
		fi
		;;
	run:-P | run:--param-list)
		if [[ $cur != *=* ]] &&
		    f=$(_mlp_project_file "$(_mlp_run_project)"); then
			_mlp_add_lines < <(_mlp_project "$f" \
			    "$(_mlp_run_entry)" | sed 's/$/=/')
			compopt -o nospace 2>/dev/null
		fi
		;;
	run:-v | run:--version)
		_mlp_add_lines < <(git -C "$(_mlp_run_project)" for-each-ref \
		    --format='%(refname:short)' refs/heads refs/tags 2>/dev/null)
		;;
	run:-i | run:--input | push:--cacert | run:--run-id-file)
		_mlp_files ;;
	run:--env-manager)
		_mlp_add local virtualenv conda docker ;;
	log:--status)
		_mlp_add FINISHED FAILED KILLED ;;
	*)
		_mlp_takes_arg "$tool" "$opt" || return 1 ;;
	esac
	return 0
}

# mlp-log: after the options, a command and its own options.
_mlp_log_command()
{
	local store=$1 cmd i
	cmd=$(_mlp_operands log | head -n 1)
	if [[ -z $cmd ]]; then
		_mlp_add "${_mlp_log_cmds[@]}"
		return
	fi
	case $cmd:$prev in
	start:-e | start:--experiment)
		_mlp_arg log start-e "$store"
		return ;;
	start:-n | start:--name | start:-t | start:--tag | \
	    metric:--timestamp)
		return ;;
	end:--status)
		_mlp_arg log --status "$store"
		return ;;
	gc:--run-ids)
		_mlp_add_lines < <(_mlp_run_ids "$store")
		return ;;
	gc:--experiment-ids)
		_mlp_add_lines < <(_mlp_experiment_ids "$store")
		return ;;
	gc:--older-than)
		return ;;
	esac
	case $cmd in
	start)
		[[ $cur == -* ]] && _mlp_add -e --experiment -n --name \
		    -t --tag ;;
	end)
		_mlp_add --status ;;
	metric)
		[[ $cur == -* ]] && _mlp_add --timestamp ;;
	artifact)
		i=$(_mlp_operands log | wc -l)
		((i == 1)) && _mlp_files ;;
	fsck)
		if [[ $cur == -* ]]; then
			_mlp_add --repair
		else
			_mlp_add_lines < <(_mlp_run_ids "$store")
		fi ;;
	delete | restore)
		[[ $cur == -* ]] || _mlp_add_lines < <(_mlp_run_ids "$store") ;;
	gc)
		_mlp_add --older-than --run-ids --experiment-ids ;;
	esac
}

_mlp()
{
	local cur prev words cword tool store
	COMPREPLY=()
	words=("${COMP_WORDS[@]}")
	cword=$COMP_CWORD
	cur=${words[cword]}
	prev=${words[cword - 1]:-}
	tool=${words[0]##*/}
	tool=${tool#mlp-}

	# --opt=value, whether or not COMP_WORDBREAKS split it at the "=".
	if [[ $cur == --*=* ]]; then
		prev=${cur%%=*}
		cur=${cur#*=}
	elif [[ $cur == = && $prev == --* ]]; then
		cur=
	elif [[ $prev == = && $cword -ge 2 ]]; then
		prev=${words[cword - 2]}
		# The value of -P key=value, split at the "=": nothing to offer.
		[[ $prev == -* ]] || return 0
	fi
	store=$(_mlp_store "${words[@]:0:cword}")

	if [[ $prev == -* ]] && _mlp_arg "$tool" "$prev" "$store"; then
		return 0
	fi
	if [[ $tool == log && -n $(_mlp_operands log) ]]; then
		_mlp_log_command "$store"
		return 0
	fi
	if [[ $cur == -* ]]; then
		local v="_mlp_opts_${tool}[@]"
		_mlp_add "${!v}"
		[[ $tool == log ]] && _mlp_add -
		return 0
	fi
	case $tool in
	log) _mlp_add "${_mlp_log_cmds[@]}" ;;
	ls) _mlp_add_lines < <(_mlp_run_ids "$store") ;;
	run) _mlp_dirs ;;
	push) _mlp_add ftp:// ftps:// && compopt -o nospace 2>/dev/null ;;
	esac
	return 0
}

complete -F _mlp mlp-log mlp-ls mlp-run mlp-push
