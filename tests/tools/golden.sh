#!/bin/bash
# Golden outputs (util-linux's tests/expected): every case of
# tests/expected/cases in every format its applet takes.
#   golden.sh check    print a diff per case that changed, exit 1 if any
#   golden.sh update   rewrite tests/expected/NAME-FORMAT from this build
#   golden.sh list     the files the cases make, a name a line
# Besides the formats, NAME-term80 is the table view on an 80-column
# terminal.  SREBOX is the binary (default build/srebox).  The output is made
# independent of the time and the version: JSON's "time" and
# "srebox_version" are replaced, retry's log of how long each attempt ran
# ("exit 1 after 0.002s;" becomes "after T;"), the UUID Alertmanager
# gives the silence of the alerts case ("SILENCE-ID") and the time of each
# of top's samples, nothing else.
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
# Every server started here, and its directory, go when the script ends.
pids= dirs=
cleanup() {
	# shellcheck disable=SC2086
	[ -z "$pids" ] || kill $pids 2>/dev/null || true
	[ -z "$k8s_kc" ] || kill "$(cat "$k8s_tmp/srv.0/pid" 2>/dev/null)" 2>/dev/null || true
	# shellcheck disable=SC2086
	[ -z "$dirs" ] || { sleep 0.2; rm -rf $dirs; }
}
trap cleanup EXIT
free_port() {
	python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}
wait_http() {
	for _ in $(seq 300); do
		curl -fsS -o /dev/null "$1" 2>/dev/null && return 0
		sleep 0.1
	done
	echo "golden: $1 never answered" >&2
	exit 2
}
# "@prom": the real Prometheus (Debian's) with two hours of
# http_requests_total up to the fixed "now", backfilled from
# tests/fixtures/golden/prom-history.om; the cases query at --time now.
prom_url=
prom_up() {
	[ -z "$prom_url" ] || return 0
	command -v prometheus >/dev/null && command -v promtool >/dev/null || return 1
	d=$(mktemp -d) && dirs="$dirs $d"
	promtool tsdb create-blocks-from openmetrics tests/fixtures/golden/prom-history.om "$d/data" \
		>"$d/backfill.log" 2>&1 || { cat "$d/backfill.log" >&2; exit 2; }
	echo "global: {scrape_interval: 1h}" >"$d/prometheus.yml"
	port=$(free_port)
	prometheus --config.file="$d/prometheus.yml" --storage.tsdb.path="$d/data" \
		--storage.tsdb.retention.time=100y --web.listen-address="127.0.0.1:$port" >"$d/log" 2>&1 &
	pids="$pids $!"
	prom_url=http://127.0.0.1:$port
	wait_http "$prom_url/-/ready"
}
# "@am": the real Alertmanager with tests/fixtures/golden/am-alerts.json
# posted (fixed start times; one inhibited, one silenced by
# am-silence.json); the ages are against the fixed "now".
am_url=
am_up() {
	[ -z "$am_url" ] || return 0
	command -v prometheus-alertmanager >/dev/null || return 1
	d=$(mktemp -d) && dirs="$dirs $d"
	port=$(free_port)
	prometheus-alertmanager --config.file=tests/fixtures/golden/am.yml --storage.path="$d" \
		--web.listen-address="127.0.0.1:$port" --cluster.listen-address= \
		--cluster.advertise-address="127.0.0.1:$(free_port)" >"$d/log" 2>&1 &
	pids="$pids $!"
	am_url=http://127.0.0.1:$port
	wait_http "$am_url/-/ready"
	curl -fsS -o /dev/null -XPOST -H 'Content-Type: application/json' --data-binary @tests/fixtures/golden/am-alerts.json \
		"$am_url/api/v2/alerts" || exit 2
	curl -fsS -o /dev/null -XPOST -H 'Content-Type: application/json' --data-binary @tests/fixtures/golden/am-silence.json \
		"$am_url/api/v2/silences" || exit 2
	# until the inhibition and the silence are applied
	for _ in $(seq 100); do
		[ "$(curl -fsS "$am_url/api/v2/alerts?active=false" | jq '[.[] | select(.status.state == "suppressed")] | length')" = 2 ] && return 0
		sleep 0.1
	done
	echo "golden: alertmanager never suppressed the silenced and inhibited alerts" >&2
	exit 2
}
k8s_kc=
k8s_up() {
	[ -z "$k8s_kc" ] || return 0
	k8s_tmp=$(mktemp -d) && dirs="$dirs $k8s_tmp"
	(
		set +f	# k8s.bash's fixture lists are patterns
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
		s/^(srebox retry: attempt .*) after [0-9]+\.[0-9]+s(;|,|$)/\1 after T\2/
		s/^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}Z (OK|WARNING|CRITICAL|UNKNOWN): /TIME \1: /
		s/^\{"time":"[^"]*","t":[0-9.]+,/{"time":"TIME","t":0,/
		s/("silenced_by":")[0-9a-f]{8}(-[0-9a-f]{4}){3}-[0-9a-f]{12}"/\1SILENCE-ID"/
		s/^(HighLatency +suppressed .*  )[0-9a-f]{8}(-[0-9a-f]{4}){3}-[0-9a-f]{12}( |$)/\1SILENCE-ID\3/' |
		sed "s/srebox $version/srebox VERSION/g; s/srebox:$version/srebox:VERSION/g"
}
set -f	# an argument such as rate(x[5m]) is not a pattern
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
	@prom) if prom_up; then where="--url $prom_url"; else
		echo "golden: $name skipped: prometheus is not installed (make deps-test)" >&2; continue; fi ;;
	@am) if am_up; then where="--alertmanager $am_url"; else
		echo "golden: $name skipped: prometheus-alertmanager is not installed (make deps-test)" >&2; continue; fi ;;
	"<"*) in=${root#<} ;;
	*) where="--root $root" ;;
	esac
	for fmt in $formats term80; do
		if [ "$fmt" = term80 ]; then
			# shellcheck disable=SC2086
			cmd=$(printf '%q ' "$sb" $args $where)
			got=$(script -qec "stty cols 80 rows 24; $cmd <$in; echo \"exit \$?\"" /dev/null </dev/null |
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
