#!/bin/bash
# Golden outputs (util-linux's tests/expected): every case of
# tests/expected/cases in every format its applet takes.
#   golden.sh check    print a diff per case that changed, exit 1 if any
#   golden.sh update   rewrite tests/expected/NAME-FORMAT from this build
#   golden.sh list     the files the cases make, a name a line
# Besides the formats, NAME-term80 is the table view on an 80-column
# terminal.  SREBOX is the binary (default build/srebox).  The output is made
# independent of the time and the version: JSON's "time" and
# "srebox_version" are replaced, and retry's log of how long each attempt
# ran ("exit 1 after 0.002s;" becomes "after T;"), nothing else.
set -eu
cd "$(dirname "$0")/../.."
sb=${SREBOX:-build/srebox}
mode=${1:-check}
export LC_ALL=C.UTF-8 NO_COLOR=1
unset SREBOX_ROOT KUBECONFIG COLUMNS
bad=0
# ROOT is a tree for --root; "-": none (the runbook helpers); "@node": see
# node_up; "@k8s": the
# test API server (tests/k8s/server.py) with the fixture cluster, started
# here, its clock and srebox's fixed at the fixtures' "now"
# (SREBOX_TEST_NOW) so that ages do not grow; "<FILE": FILE on stdin.
k8s_kc=
k8s_up() {
	[ -z "$k8s_kc" ] || return 0
	k8s_tmp=$(mktemp -d)
	trap 'kill "$(cat "$k8s_tmp/srv.0/pid" 2>/dev/null)" 2>/dev/null || true; rm -rf "$k8s_tmp"' EXIT
	(
		unset BATS_TEST_TMPDIR	# run from a bats test: the server's files are ours
		SREBOX_TESTS=$(pwd)/tests BATS_FILE_TMPDIR=$k8s_tmp
		FIX=$SREBOX_TESTS/fixtures
		die() { echo "golden: $*" >&2; exit 2; }
		. tests/cli/k8s.bash
		k8s_setup_file
		k8s_start "$K8S_DIR/default" --now "$SREBOX_TEST_NOW"
		echo "$KC" >"$k8s_tmp/kc"
	) || exit 2
	k8s_kc=$(cat "$k8s_tmp/kc")
}
# "@node": node_exporter's tree with tests/fixtures/golden/node over it
# (an uptime, a boot id not this machine's, a kernel log, a CNI config, a
# kubelet config, and .srebox/fs: the statfs and stat answers, as a capture
# holds them, so that nothing is asked of the filesystem the tree sits on),
# put together at one path so that the paths in the output do not move.
node_root=
node_up() {
	[ -z "$node_root" ] || return 0
	node_root=build/golden/node
	rm -rf "$node_root"
	mkdir -p "$node_root"
	cp -r tests/fixtures/node_exporter/proc tests/fixtures/node_exporter/sys "$node_root/"
	chmod -R u+w "$node_root"
	cp -r tests/fixtures/golden/node/. "$node_root/"
}
export SREBOX_TEST_NOW=2020-08-12T10:00:00Z
version=$("$sb" --version | cut -d' ' -f2)
normalize() {
	sed -E 's/^(  "time": )"[^"]*"/\1"TIME"/; s/^(  "srebox_version": )"[^"]*"/\1"VERSION"/
		s/^(srebox retry: attempt .*) after [0-9]+\.[0-9]+s(;|,|$)/\1 after T\2/' |
		sed "s/srebox $version/srebox VERSION/g; s/srebox:$version/srebox:VERSION/g"
}
while read -r name root args; do
	case $name in '' | '#'*) continue ;; esac
	applet=${args%% *}
	# the formats the applet takes, as its bash completion offers them
	formats=$("$sb" --completions bash | awk -v a="_srebox_$applet()" '
		$0 == a { on = 1 } on && /^}/ { exit } on && /-o\|--output\)/ { getline; gsub(/.*-W .|. --.*/, ""); print; exit }')
	# an applet without -o (manifest: YAML for kubectl) has one output
	[ -n "$formats" ] || formats=plain
	# term80: the table view on an 80-column terminal (script(1)'s pty)
	if [ "$mode" = list ]; then
		for fmt in $formats term80; do echo "$name-$fmt"; done
		continue
	fi
	in=/dev/null where=
	case $root in
	-) ;;
	@k8s) k8s_up && where="--kubeconfig $k8s_kc" ;;
	@node) node_up && where="--root $node_root" ;;
	"<"*) in=${root#<} ;;
	*) where="--root $root" ;;
	esac
	for fmt in $formats term80; do
		if [ "$fmt" = term80 ]; then
			got=$(script -qec "stty cols 80 rows 24; $sb $args $where <$in; echo \"exit \$?\"" /dev/null </dev/null |
				tr -d '\r')
		else
			# shellcheck disable=SC2086
			# shellcheck disable=SC2086
			got=$("$sb" $args $where ${fmt:+$([ "$fmt" = plain ] || echo "-o $fmt")} <"$in" 2>&1; echo "exit $?")
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
