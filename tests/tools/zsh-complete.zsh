# Drive real zsh completion through zsh/zpty and print what it offers, one
# per line (a compadd wrapper records every match), like zsh's own tests.
# usage: zsh -f zsh-complete.zsh FPATH_DIR OUTFILE "command line"
zmodload zsh/zpty
zpty z zsh -f -i
zpty -w z "PS1='> '; fpath=($1 \$fpath); autoload -Uz compinit; compinit -u -D"
zpty -w z "compadd() { local -a __h; builtin compadd -A __h \"\$@\"; print -rl -- \"\${__h[@]}\" >>| $2; builtin compadd \"\$@\"; }"
# a real srebox on PATH answers the completions that ask it (node names)
zpty -w z "(( \$+commands[srebox] )) || srebox() { :; }"
# a wide terminal: a line longer than 80 columns (a --kubeconfig path) must not wrap
zpty -w z "stty columns 1000 2>/dev/null"
zpty -w z "$3"$'\t'
# keys are read in order: once the line after the TAB runs, completion is
# over (on a loaded machine that can take seconds; a fixed sleep raced it)
zpty -w z $'\C-u'"print -r done >| $2.done"
for i in {1..200}; do
	[[ -e $2.done ]] && break
	sleep 0.1
done
rm -f $2.done
zpty -d z
