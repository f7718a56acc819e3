#!/usr/bin/env bats
# The fuzz corpora (tests/fuzz/corpus: seeds from the fixtures, and every
# input a fuzzer once failed on) replayed through every parser, in this
# build; `make fuzz` (clang's libFuzzer) grows them.

load lib

@test "fuzz: every kept input goes through its parser without a crash, leak or UB" {
	run "$SREBOX_BUILD/tests/fuzz-replay" "$SREBOX_TESTS/fuzz/corpus"
	echo "$output"
	[ "$status" -eq 0 ]
	# one TAP line per target, each with inputs
	[ "$(grep -c '^ok ' <<<"$output")" -ge 20 ]
	! grep -q '^not ok' <<<"$output"
}

@test "fuzz: every target has a corpus and every corpus a target" {
	targets=$("$SREBOX_BUILD/tests/fuzz-replay" "$SREBOX_TESTS/fuzz/corpus" none |
		sed -n 's/^ok [0-9]* - \([a-z_]*\) # SKIP.*/\1/p' | sort)
	dirs=$(ls "$SREBOX_TESTS/fuzz/corpus" | sort)
	[ -n "$targets" ]
	[ "$targets" = "$dirs" ]
}

@test "fuzz: the replayer itself fails on a target without inputs" {
	d=$(mktemp -d)
	mkdir "$d/diskstats"
	run "$SREBOX_BUILD/tests/fuzz-replay" "$d" diskstats
	rm -rf "$d"
	[ "$status" -eq 1 ]
	grep -q '^not ok .* diskstats: no inputs' <<<"$output"
}
