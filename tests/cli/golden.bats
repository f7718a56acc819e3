#!/usr/bin/env bats
# Golden outputs, util-linux's tests/expected style: each case of
# tests/expected/cases (a fixture tree and an applet's arguments) in every
# format the applet takes, and on an 80-column terminal, must equal
# tests/expected/NAME-FORMAT, so that a layout change is a visible diff.
# After a deliberate change: tests/tools/golden.sh update, then read the
# diff (git diff tests/expected) before committing it.

load lib

@test "every applet and format on the fixture trees is as tests/expected has it" {
	command -v script >/dev/null || skip "no script(1) for the terminal cases"
	run "$SREBOX_TESTS/tools/golden.sh" check
	[ "$status" -eq 0 ] || die "$output"
}

@test "the golden files are the cases' and nothing else; each case has every format" {
	want=$("$SREBOX_TESTS/tools/golden.sh" list | sort)
	got=$(cd "$SREBOX_TESTS/expected" && ls | grep -v '^cases$' | sort)
	[ "$want" = "$got" ] || die "$(diff <(echo "$want") <(echo "$got"))"
}
