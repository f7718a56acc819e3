#!/usr/bin/env bats
# Registry, --help, man pages, completions and tests must say the same
# thing (curl's test1139, git's t0450): a test fails when they drift.

load lib

TOP=$SREBOX_TESTS/..

applets() { sb --list; }

# Long options of an applet, from its --help (generated from the option table).
help_opts() { sb "$1" --help | grep -oE '^  (-[a-zA-Z], |    )--[a-z][a-z-]*' | sed 's/.*--//' | sort -u; }

# The four places written by hand when an applet is added (README.md,
# "Adding an applet"); everything else is generated from them or checked.
@test "every applet has its file, registry line, man page and tests" {
	for a in $(applets); do
		# its own file, or its sibling's (uncordon is in cmd/cordon.c)
		grep -q "^const struct sbx_applet applet_$a = {" "$TOP"/cmd/*.c ||
			die "no cmd/*.c defines applet_$a (cmd/$a.c missing)"
		grep -qx "APPLET($a)" "$TOP/cmd/applets.def" || die "cmd/applets.def lacks $a"
		[ -f "$TOP/man/srebox-$a.1" ] || die "man/srebox-$a.1 missing"
		[ -f "$SREBOX_TESTS/cli/$a.bats" ] || die "tests/cli/$a.bats missing"
	done
}

@test "each man page's one-line description is its applet's summary" {
	for a in $(applets); do
		want=$(sb "$a" --help | sed -n '3,/^$/p' | sed '/^$/d' | paste -sd' ')
		got=$(sed -n 's/^\.Nd //p' "$TOP/man/srebox-$a.1")
		[ "$got" = "$want" ] || die "srebox-$a.1 .Nd '$got' is not the summary '$want'"
	done
}

@test "the applet lists of srebox(1) and README.md are what make docs generates" {
	"$TOP/tests/tools/applet-docs.sh" "$SREBOX" --check || die "run make docs"
	for a in $(applets); do
		grep -q "^\.It Cm $a\$" "$TOP/man/srebox.1" || die "srebox.1 applet list lacks $a"
		grep -q "^\.Xr srebox-$a 1" "$TOP/man/srebox.1" || die "srebox.1 SEE ALSO lacks srebox-$a"
		grep -q "^| \`srebox $a\` |" "$TOP/README.md" || die "README.md applet list lacks $a"
	done
}

@test "the docs check sees a stale list, and make docs mends it" {
	t=$BATS_TEST_TMPDIR/tree
	mkdir -p "$t/tests/tools" "$t/man"
	cp "$TOP/tests/tools/applet-docs.sh" "$t/tests/tools/"
	cp "$TOP/man/srebox.1" "$t/man/"
	grep -v '^| `srebox cordon` |' "$TOP/README.md" >"$t/README.md"
	run "$t/tests/tools/applet-docs.sh" "$SREBOX" --check
	[ "$status" -eq 1 ] && [[ $output == *"README.md is stale"* ]] || die "$output"
	"$t/tests/tools/applet-docs.sh" "$SREBOX" >/dev/null
	cmp "$t/README.md" "$TOP/README.md"
	# an applet gone from the registry leaves srebox(1) stale too
	printf '#!/bin/sh\ncase "$1" in --list) "%s" --list | grep -vx irq ;; *) exec "%s" "$@" ;; esac\n' \
		"$SREBOX" "$SREBOX" >"$t/sb"
	chmod +x "$t/sb"
	run "$t/tests/tools/applet-docs.sh" "$t/sb" --check
	[ "$status" -eq 1 ] && [[ $output == *"srebox.1 is stale"* ]] || die "$output"
}

@test "srebox --help lists every applet of the registry with its summary" {
	help=$(sb --help | sed -n '/^Applets:/,/^$/p' | sed '1d;$d' |
		awk '/^  [a-z]/ { if (l) print l; l = $0; next } { sub(/^ +/, " "); l = l $0 } END { print l }')
	[ "$(awk '{ print $1 }' <<<"$help")" = "$(applets)" ] || die "$help"
	for a in $(applets); do
		want=$(sb "$a" --help | sed -n '3,/^$/p' | sed '/^$/d' | paste -sd' ')
		grep -qxF "  $(printf '%-10s' "$a") $want" <<<"$help" || die "srebox --help: $a: not '$want'"
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
