# Drive real zsh completion through zsh/zpty and print what it offers, one
# per line (a compadd wrapper records every match), like zsh's own tests.
# usage: zsh -f zsh-complete.zsh FPATH_DIR OUTFILE "command line"
zmodload zsh/zpty
zpty z zsh -f -i
zpty -w z "PS1='> '; fpath=($1 \$fpath); autoload -Uz compinit; compinit -u -D"
zpty -w z "compadd() { local -a __h; builtin compadd -A __h \"\$@\"; print -rl -- \"\${__h[@]}\" >>| $2; builtin compadd \"\$@\"; }"
# a real srebox on PATH answers the completions that ask it (node names)
zpty -w z "(( \$+commands[srebox] )) || srebox() { :; }"
zpty -w z "$3"$'\t'
# compinit on a loaded machine takes its time: wait for the first match
# (up to 15 s), then a moment for the rest
for i in {1..150}; do
	[[ -s $2 ]] && break
	sleep 0.1
done
sleep 0.5
zpty -d z
