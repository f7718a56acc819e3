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
