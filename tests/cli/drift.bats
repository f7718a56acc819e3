#!/usr/bin/env bats
# Registry, --help, man pages, completions and tests must say the same
# thing (curl's test1139, git's t0450): a test fails when they drift.

load lib

TOP=$SREBOX_TESTS/..

applets() { sb --list; }

# Long options of an applet, from its --help (generated from the option table).
help_opts() { sb "$1" --help | grep -oE '^ +(-[a-zA-Z], )?--[a-z][a-z-]*' | sed 's/.*--//' | sort -u; }

@test "every applet has its file, man page, tests, README line and a place in srebox(1)" {
	for a in $(applets); do
		# its own file, or its sibling's (uncordon is in cmd/cordon.c)
		grep -q "^const struct sbx_applet applet_$a = {" "$TOP"/cmd/*.c ||
			die "no cmd/*.c defines applet_$a (cmd/$a.c missing)"
		[ -f "$TOP/man/srebox-$a.1" ] || die "man/srebox-$a.1 missing"
		[ -f "$SREBOX_TESTS/cli/$a.bats" ] || die "tests/cli/$a.bats missing"
		grep -q "^\.Xr srebox-$a 1" "$TOP/man/srebox.1" || die "srebox.1 SEE ALSO lacks srebox-$a"
		grep -q "^\.It Cm $a\$" "$TOP/man/srebox.1" || die "srebox.1 applet list lacks $a"
		grep -q "srebox $a" "$TOP/README.md" || die "README.md does not mention srebox $a"
	done
}

@test "no man page without an applet" {
	for m in "$TOP"/man/srebox-*.1; do
		a=${m##*/srebox-}
		a=${a%.1}
		applets | grep -qx "$a" || die "$m documents no applet"
	done
}

@test "every option in --help is in the man page, every applet option in its SYNOPSIS" {
	common=$(sed -n 's/.*\.It Fl \(. , \)\?Fl \\-\([a-z-]*\).*/\2/p; s/^\.It Fl \\-\([a-z-]*\).*/\1/p' "$TOP/man/srebox.1" | tr -d '\\' | sort -u)
	for a in $(applets); do
		page=$TOP/man/srebox-$a.1
		for o in $(help_opts "$a"); do
			esc=$(sed 's/-/\\\\-/g' <<<"$o")
			if grep -qE "Fl (\\\\-)?$esc( |$)|Fl \\\\-$esc( |$)" "$page"; then
				continue
			fi
			grep -qx -- "$o" <<<"$common" || die "srebox-$a.1 does not document --$o"
		done
		# the applet's own options appear in its SYNOPSIS
		syn=$(sed -n '/^\.Sh SYNOPSIS/,/^\.Sh DESCRIPTION/p' "$page")
		for o in $(help_opts "$a"); do
			grep -qx -- "$o" <<<"$common" && continue
			[ "$o" = help ] || [ "$o" = version ] && continue
			sl=$(sb "$a" --help | grep -E "^  -., --$o( |$)" | sed -E 's/^  -(.),.*/\1/')
			esc=$(sed 's/-/\\\\-/g' <<<"$o")
			grep -qE "Fl (\\\\-)?$esc|Fl $sl( |$)" <<<"$syn" || die "SYNOPSIS of srebox-$a.1 lacks --$o"
		done
	done
}

@test "every check of an applet is in its --help and its man page" {
	for a in $(applets); do
		help=$(sb "$a" --help)
		for id in $(sb --checks "$a" | cut -f1); do
			grep -qE "^    $id +" <<<"$help" || die "srebox $a --help lacks check $id"
			grep -q "^\.It $id\$" "$TOP/man/srebox-$a.1" || die "srebox-$a.1 lacks check $id"
		done
	done
}

@test "each man page's list of checks is what the catalogue generates" {
	cd "$TOP"
	SREBOX=$SREBOX tests/tools/man-checks.sh --check
}

@test "every check an applet judges is in the catalogue, with a known state rule or ranges" {
	for a in $(applets); do
		bad=$(sb --checks "$a" | awk -F'\t' 'NF != 6 || $5 == "" || $6 == "" { print $1 }')
		[ -z "$bad" ] || die "checks of $a without a description or source: $bad"
	done
}

@test "the committed completions are what the option tables generate" {
	for s in bash zsh fish; do
		sb --completions "$s" | diff -u "$TOP/completions/srebox.$s" - ||
			die "completions/srebox.$s is stale: run make completions"
	done
}

@test "man pages are clean under mandoc -T lint -W warning" {
	command -v mandoc >/dev/null || skip "mandoc not installed"
	run mandoc -T lint -W warning "$TOP"/man/*.1
	[ "$status" -eq 0 ] || die "$output"
}

@test "no compiler warnings (the build log is empty)" {
	[ -n "${SANITIZE:-}" ] && skip "checked in the plain build"
	log=$(cd "$TOP" && make -s -B O="$BATS_TEST_TMPDIR/b" all 2>&1 >/dev/null)
	[ -z "$log" ] || die "$log"
}
