#!/usr/bin/env bats
# The generated completions work in each shell.

load lib

COMP=$SREBOX_TESTS/../completions

# Complete the words of "$1" in bash; print COMPREPLY one per line.
bash_complete() {
	bash -c '
		source "$1"
		read -ra COMP_WORDS <<<"$2"
		[[ $2 == *" " ]] && COMP_WORDS+=("")
		COMP_CWORD=$((${#COMP_WORDS[@]} - 1))
		_srebox
		printf "%s\n" "${COMPREPLY[@]}"
	' _ "$COMP/srebox.bash" "$1"
}

@test "bash: applets, options, choices and directories" {
	run bash_complete "srebox i"
	[ "$output" = irq ]
	run bash_complete "srebox irq --per"
	[ "$output" = --per-cpu ]
	run bash_complete "srebox irq -o "
	[ "$(tr '\n' ' ' <<<"$output")" = "table wide json prom check " ]
	run bash_complete "srebox-irq --sort n"
	[ "$output" = name ]
	mkdir -p "$BATS_TEST_TMPDIR/rootdir"
	cd "$BATS_TEST_TMPDIR"
	run bash_complete "srebox irq --root roo"
	[ "$output" = rootdir ]
	run bash_complete "srebox --comp"
	[ "$output" = --completions ]
}

@test "bash: every applet and every option of --help is offered" {
	for a in $(sb --list); do
		got=$(bash_complete "srebox $a --" | sort)
		want=$(sb "$a" --help | grep -oE '^ +(-[a-zA-Z], )?--[a-z][a-z-]*' | sed 's/.* //' | sort)
		[ "$got" = "$want" ] || die "$a: bash offers '$got', help has '$want'"
	done
}

@test "fish: applets, options and choices" {
	command -v fish >/dev/null || skip "fish not installed"
	c() { fish --no-config -c "source $COMP/srebox.fish; complete -C '$1'" | cut -f1; }
	[ "$(c 'srebox ir')" = irq ]
	c 'srebox irq --per' | grep -qx -- --per-cpu
	[ "$(c 'srebox irq -o j')" = json ]
	c 'srebox-irq --so' | grep -qx -- --sort
}

@test "zsh: the completion function completes applets, options and choices" {
	command -v zsh >/dev/null || skip "zsh not installed"
	cp "$COMP/srebox.zsh" "$BATS_TEST_TMPDIR/_srebox"
	z() {
		rm -f "$BATS_TEST_TMPDIR/z.out"
		zsh -f "$SREBOX_TESTS/tools/zsh-complete.zsh" "$BATS_TEST_TMPDIR" "$BATS_TEST_TMPDIR/z.out" "$1"
		grep . "$BATS_TEST_TMPDIR/z.out" | sort -u
	}
	z 'srebox i' | grep -qx irq
	[ "$(z 'srebox irq --per')" = --per-cpu ]
	[ "$(z 'srebox irq -o ' | tr '\n' ' ')" = "check json prom table wide " ]
	[ "$(z 'srebox-irq --sort n')" = name ]
}
