# Shared by the bats tests.  SREBOX (the binary), SREBOX_TESTS (tests/) and
# SREBOX_BUILD come from tests/run.

: "${SREBOX:?run the tests through make test or tests/run}"
bats_require_minimum_version 1.5.0
FIX=$SREBOX_TESTS/fixtures
TOOLS=$SREBOX_BUILD/tests

sb() { "$SREBOX" "$@"; }

# A copy of a fixture tree that a test may change: root_copy node_exporter
root_copy() {
	local dst=$BATS_TEST_TMPDIR/root
	mkdir -p "$dst"
	cp -r "$FIX/$1/proc" "$dst/" 2>/dev/null || mkdir -p "$dst/proc"
	[ -d "$FIX/$1/sys" ] && cp -r "$FIX/$1/sys" "$dst/"
	chmod -R u+w "$dst"
	echo "$dst"
}

# An empty root with only what the test writes into it.
root_empty() {
	local dst=$BATS_TEST_TMPDIR/root
	mkdir -p "$dst/proc" "$dst/sys"
	echo "$dst"
}

# Samples of one metric family from node_exporter's own expected output
# for the fixtures: "labels<TAB>value" lines, labels as k=v,k=v sorted.
ne_expected() {
	python3 "$SREBOX_TESTS/tools/prom_samples.py" \
		"$FIX/node_exporter/expected/e2e-output.txt" "$1"
}

# Fail with a message (bats prints it).
die() { echo "$*" >&2; return 1; }

json() { jq -e "$@"; }

# frun LABEL CMD...: `run CMD...`, and the fault's cost — wall time and
# peak RSS — as a TAP comment, and appended to $SREBOX_FAULTS when that is
# set (the figures of issue 16's faults: SREBOX_FAULTS=f make test).
# Figures only: nothing here passes or fails on them.
frun() {
	local label=$1 tf t0 t1 rss
	shift
	tf=$BATS_TEST_TMPDIR/frun.$$
	t0=$(date +%s%N)
	run /usr/bin/time -o "$tf" -f %M "$@"
	t1=$(date +%s%N)
	rss=$(tail -1 "$tf" 2>/dev/null)
	[[ $rss =~ ^[0-9]+$ ]] || rss='?'
	echo "# fault: $label: $(((t1 - t0) / 1000000)) ms, peak RSS $rss KiB, exit $status" >&3
	[ -z "${SREBOX_FAULTS:-}" ] ||
		printf '%s\t%s\t%s\t%s\n' "$label" "$(((t1 - t0) / 1000000))" "$rss" "$status" >>"$SREBOX_FAULTS"
}
