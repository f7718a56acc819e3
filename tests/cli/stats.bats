#!/usr/bin/env bats
# srebox stats: the same figures as datamash on the same data (count, min,
# max, mean, sstdev, perc), R-7 edges (p0, p100 on any count, one value),
# groups, durations, --approx within its stated bound, bad lines counted
# and --strict, and exit 3 on bad input.

load lib

setup() {
	command -v datamash >/dev/null || skip "datamash is not installed (make deps-test)"
}

# N random values (seeded), of a shape: lognormal latencies with 17 digits.
gen() {
	python3 - "$1" "${2:-1}" <<'PY'
import random, sys
n, seed = int(sys.argv[1]), int(sys.argv[2])
random.seed(seed)
for i in range(n):
    print(random.choice("abc"), repr(random.lognormvariate(0, 1.5) * random.choice((1, 1, -1))))
PY
}

# Compare two whitespace-separated tables of numbers, field by field, to
# a relative 1e-9 (datamash prints long doubles with 14 digits).
same_numbers() {
	python3 - "$1" "$2" <<'PY'
import sys
a = [l.split() for l in open(sys.argv[1]) if l.strip()]
b = [l.split() for l in open(sys.argv[2]) if l.strip()]
assert len(a) == len(b), f"{len(a)} rows vs {len(b)}"
for ra, rb in zip(a, b):
    assert len(ra) == len(rb), (ra, rb)
    for x, y in zip(ra, rb):
        try:
            fx, fy = float(x), float(y)
        except ValueError:
            assert x == y, (x, y); continue
        assert abs(fx - fy) <= 1e-9 * max(abs(fx), abs(fy), 1e-300), (x, y, ra, rb)
PY
}

PCTS="1 5 25 50 75 90 95 99 100"

dm_ops() { # the datamash operations on field $1
	local f=$1 p ops
	ops="count $f min $f max $f mean $f sstdev $f"
	for p in $PCTS; do ops="$ops perc:$p $f"; done
	echo "$ops"
}

sb_table() { # srebox's json rows as the same columns
	jq -r --arg g "$1" '.stats[] | [(if $g == "1" then .group else empty end), .count, .min, .max,
		.mean, .stddev, .p1, .p5, .p25, .p50, .p75, .p90, .p95, .p99, .p100] | map(tostring) | join(" ")'
}

@test "the same count, min, max, mean, stddev and percentiles as datamash" {
	gen 20001 >"$BATS_TEST_TMPDIR/d"
	# shellcheck disable=SC2046
	datamash -W $(dm_ops 2) <"$BATS_TEST_TMPDIR/d" >"$BATS_TEST_TMPDIR/want"
	sb stats -k 2 -p "${PCTS// /,}" -o json <"$BATS_TEST_TMPDIR/d" | sb_table 0 >"$BATS_TEST_TMPDIR/got"
	same_numbers "$BATS_TEST_TMPDIR/want" "$BATS_TEST_TMPDIR/got"
	# and the table view prints the same figures to 15 digits
	sb stats -k 2 -p 50 <"$BATS_TEST_TMPDIR/d" | awk 'NR > 3 { print $NF }' >"$BATS_TEST_TMPDIR/t"
	datamash -W perc:50 2 <"$BATS_TEST_TMPDIR/d" >"$BATS_TEST_TMPDIR/w"
	same_numbers "$BATS_TEST_TMPDIR/w" "$BATS_TEST_TMPDIR/t"
}

@test "groups: the same as datamash -s -g, one row per group in key order" {
	gen 3000 5 >"$BATS_TEST_TMPDIR/d"
	# shellcheck disable=SC2046
	datamash -W -s -g 1 $(dm_ops 2) <"$BATS_TEST_TMPDIR/d" >"$BATS_TEST_TMPDIR/want"
	sb stats -g 1 -k 2 -p "${PCTS// /,}" -o json <"$BATS_TEST_TMPDIR/d" | sb_table 1 >"$BATS_TEST_TMPDIR/got"
	[ "$(wc -l <"$BATS_TEST_TMPDIR/got")" -eq 3 ]
	same_numbers "$BATS_TEST_TMPDIR/want" "$BATS_TEST_TMPDIR/got"
}

@test "every count from 1 to 12: p0 is the min, p100 the max, as datamash" {
	for n in 1 2 3 4 5 6 7 8 9 10 11 12; do
		gen "$n" "$n" | cut -d' ' -f2 >"$BATS_TEST_TMPDIR/d"
		datamash perc:1 1 perc:33 1 perc:100 1 max 1 <"$BATS_TEST_TMPDIR/d" >"$BATS_TEST_TMPDIR/want"
		sb stats -p 1,33,100 -o json <"$BATS_TEST_TMPDIR/d" |
			jq -r '.stats[0] | [.p1, .p33, .p100, .max] | map(tostring) | join(" ")' >"$BATS_TEST_TMPDIR/got"
		same_numbers "$BATS_TEST_TMPDIR/want" "$BATS_TEST_TMPDIR/got"
		[ "$(sb stats -p 0 -o json <"$BATS_TEST_TMPDIR/d" | jq '.stats[0].p0 == .stats[0].min')" = true ]
	done
	# one value: no standard deviation, and it says why
	run sb stats -o json <<<"5"
	[ "$status" -eq 0 ]
	json '.stats[0].p99 == 5 and .stats[0].stddev == null and .stats[0].unknown.stddev == "one value"' <<<"$output"
}

@test "fractional percentiles, -t, -k and a CSV file as an argument" {
	printf 'x,1\nx,2\nx,3\nx,4\n' >"$BATS_TEST_TMPDIR/d.csv"
	run sb stats -t , -k 2 -p 99.9,p25 -o json "$BATS_TEST_TMPDIR/d.csv"
	[ "$status" -eq 0 ]
	json '.stats[0] | .p99_9 == 3.997 and .p25 == 1.75 and .count == 4' <<<"$output"
	printf 'a\tb c\t7\n' >"$BATS_TEST_TMPDIR/t"
	run sb stats -t '\t' -k 3 -o json "$BATS_TEST_TMPDIR/t"
	json '.stats[0].max == 7' <<<"$output"
	# two files read as one stream
	run sb stats -t , -k 2 -o json "$BATS_TEST_TMPDIR/d.csv" "$BATS_TEST_TMPDIR/d.csv"
	json '.stats[0].count == 8' <<<"$output"
}

@test "--duration reads Go and people's durations, figures in seconds" {
	run sb stats --duration -p 50,100 -o json <<<$'250ms\n1.2s\n1m30.5s\n3us\n2\n'
	[ "$status" -eq 0 ]
	json '.stats[0] | .count == 5 and .max == 90.5 and .min == 0.000003 and .p50 == 1.2' <<<"$output"
	[[ $(jq -r .summary <<<"$output") == *"durations (seconds)"* ]]
}

@test "bad lines are counted and said, the rest used; --strict makes the first fatal" {
	run --separate-stderr sb stats -o json <<<$'1\nabc\n2\n\n3 extra\nNaN\n4'
	[ "$status" -eq 0 ]
	json '.stats[0].count == 4' <<<"$output"	# "3 extra": field 1 is 3
	[[ $stderr == *"2 lines without a number (first: stdin line 2: 'abc')"* ]] || die "$stderr"
	[[ $(jq -r .note <<<"$output") == *"2 lines skipped"* ]]
	run --separate-stderr sb stats --strict <<<$'1\nabc\n2'
	[ "$status" -eq 3 ]
	[[ $stderr == *"stdin line 2: not a number: 'abc'"* ]] || die "$stderr"
	# a field that is missing is a bad line too
	run --separate-stderr sb stats -k 3 <<<$'1 2 3\n4 5'
	[ "$status" -eq 0 ]
	[[ $stderr == *"1 line without"* ]]
}

@test "no values: count 0, the rest unknown with the reason, never 0" {
	run sb stats -o json </dev/null
	[ "$status" -eq 0 ]
	json '.stats[0] | .count == 0 and .p50 == null and .unknown.p50 == "no values"' <<<"$output"
}

@test "--approx: each percentile within 1% of the exact one, in bounded memory" {
	gen 50000 9 | cut -d' ' -f2 >"$BATS_TEST_TMPDIR/d"
	sb stats -p 1,10,50,90,99,99.9 -o json <"$BATS_TEST_TMPDIR/d" >"$BATS_TEST_TMPDIR/exact"
	sb stats --approx -p 1,10,50,90,99,99.9 -o json <"$BATS_TEST_TMPDIR/d" >"$BATS_TEST_TMPDIR/approx"
	python3 - "$BATS_TEST_TMPDIR/exact" "$BATS_TEST_TMPDIR/approx" <<'PY'
import json, sys
e, a = (json.load(open(f))["stats"][0] for f in sys.argv[1:])
for k in ("count", "min", "max"):
    assert e[k] == a[k], k
for k in ("mean", "stddev"):
    assert abs(e[k] - a[k]) <= 1e-9 * abs(e[k]), k
for k in ("p1", "p10", "p50", "p90", "p99", "p99_9"):
    assert abs(e[k] - a[k]) <= 0.01 * abs(e[k]) + 1e-12, (k, e[k], a[k])
PY
	[[ $(jq -r .note "$BATS_TEST_TMPDIR/approx") == *"within 1%"* ]]
}

@test "bad input: exit 3 naming what was wrong" {
	run --separate-stderr sb stats -p 101
	[ "$status" -eq 3 ] && [[ $stderr == *"'101' is not a percentile from 0 to 100"* ]]
	run --separate-stderr sb stats -p 50,x
	[ "$status" -eq 3 ] && [[ $stderr == *"'x' is not a percentile"* ]]
	run --separate-stderr sb stats -p ,
	[ "$status" -eq 3 ]
	run --separate-stderr sb stats -k 0 </dev/null
	[ "$status" -eq 3 ] && [[ $stderr == *"fields count from 1"* ]]
	run --separate-stderr sb stats -k 2 -g 2 </dev/null
	[ "$status" -eq 3 ]
	run --separate-stderr sb stats -t ab </dev/null
	[ "$status" -eq 3 ] && [[ $stderr == *"one character"* ]]
	run --separate-stderr sb stats "$BATS_TEST_TMPDIR/nonexistent"
	[ "$status" -eq 3 ] && [[ $stderr == *"nonexistent: No such file"* ]]
	run --separate-stderr sb stats /
	[ "$status" -eq 3 ] && [[ $stderr == *"Is a directory"* ]]
}

@test "garbage and huge lines do not crash it" {
	head -c 300000 /dev/urandom >"$BATS_TEST_TMPDIR/g"
	run --separate-stderr sb stats "$BATS_TEST_TMPDIR/g"
	[ "$status" -eq 0 ]
	{ head -c 3000000 /dev/zero | tr '\0' 7; echo; echo 1; } >"$BATS_TEST_TMPDIR/long"
	run --separate-stderr sb stats -o json "$BATS_TEST_TMPDIR/long"
	[ "$status" -eq 0 ]
	json '.stats[0].count == 1' <<<"$output"	# a 3 MB number is not finite
}
