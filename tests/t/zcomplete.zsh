#!/usr/bin/env zsh
# zcomp.zsh DIR COMMAND-LINE: print, one per line, the completions that
# an interactive zsh (driven through zsh/zpty) offers at the end of
# COMMAND-LINE, with the completion functions of DIR first in $fpath.
zmodload zsh/zpty || exit 1
zpty z zsh -f -i
zpty -w z "PS1='' RPS1=''; unsetopt zle_bracketed_paste"
zpty -w z "fpath=(${(q)1} \$fpath); autoload -Uz compinit; compinit -u -D"
zpty -w z "zstyle ':completion:*' list-grouped false"
zpty -w z "zstyle ':completion:*' insert-tab false"
# Capture what the completion functions add: compadd with -A collects
# the matches after zsh's own filtering by the word being completed.
zpty -w z 'compadd() { if [[ ${@[1,(i)(-|--)]} == *-(O|A|D)\ * ]]; then builtin compadd "$@"; return; fi; local -a __h; builtin compadd -A __h "$@"; local __x; for __x in $__h; do print -r -- "<hit>$__x</hit>"; done; }'
zpty -w z 'comppostfuncs=(__done); __done() { print -r -- "<""done>"; exit; }'
zpty -w z 'bindkey "^I" complete-word'
zpty -w z 'print -r -- "<""ready>"'
out=
while zpty -r z l; do
	out+=$l
	[[ $out == *'<ready>'* ]] && break
done
zpty -n -w z "$2"$'\t'
out=
while zpty -r z l; do
	out+=$l
	[[ $out == *'<done>'* ]] && break
done
zpty -d z
print -r -- $out | tr -d '\r' | grep -o '<hit>.*</hit>' |
    sed 's/<\/hit>/&\n/g' | sed -n 's/.*<hit>\(.*\)<\/hit>.*/\1/p' | sort -u
