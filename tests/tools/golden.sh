#!/bin/bash
# Golden outputs (util-linux's tests/expected): every case of
# tests/expected/cases in every format its applet takes.
#   golden.sh check    print a diff per case that changed, exit 1 if any
#   golden.sh update   rewrite tests/expected/NAME-FORMAT from this build
# Besides the formats, NAME-term80 is the table view on an 80-column
# terminal.  SREBOX is the binary (default build/srebox).  The output is made
# independent of the time and the version: JSON's "time" and
# "srebox_version" are replaced, nothing else.
set -eu
cd "$(dirname "$0")/../.."
sb=${SREBOX:-build/srebox}
mode=${1:-check}
export LC_ALL=C.UTF-8 NO_COLOR=1
unset SREBOX_ROOT KUBECONFIG COLUMNS
bad=0
normalize() {
	sed -E 's/^(  "time": )"[^"]*"/\1"TIME"/; s/^(  "srebox_version": )"[^"]*"/\1"VERSION"/'
}
while read -r name root args; do
	case $name in '' | '#'*) continue ;; esac
	applet=${args%% *}
	# the formats the applet takes, as its bash completion offers them
	formats=$("$sb" --completions bash | awk -v a="_srebox_$applet()" '
		$0 == a { on = 1 } on && /-o\|--output\)/ { getline; gsub(/.*-W .|. --.*/, ""); print; exit }')
	[ -n "$formats" ] || { echo "golden: no formats for $applet" >&2; exit 2; }
	# term80: the table view on an 80-column terminal (script(1)'s pty)
	for fmt in $formats term80; do
		if [ "$fmt" = term80 ]; then
			got=$(script -qec "stty cols 80 rows 24; $sb $args --root $root; echo \"exit \$?\"" /dev/null </dev/null |
				tr -d '\r')
		else
			# shellcheck disable=SC2086
			got=$("$sb" $args --root "$root" -o "$fmt" 2>&1; echo "exit $?")
		fi
		got=$(normalize <<<"$got")
		file=tests/expected/$name-$fmt
		if [ "$mode" = update ]; then
			printf '%s\n' "$got" >"$file"
		elif ! diff -u --label "$file" --label "srebox $args -o $fmt" "$file" - <<<"$got"; then
			bad=1
		fi
	done
done <tests/expected/cases
exit $bad
