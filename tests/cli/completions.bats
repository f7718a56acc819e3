#!/usr/bin/env bats
# The generated completions work in each shell.

load lib
load k8s

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
	run bash_complete "srebox ir"
	[ "$output" = irq ]
	run bash_complete "srebox i"
	[ "$(tr '\n' ' ' <<<"$output")" = "io irq " ]
	run bash_complete "srebox irq --per"
	[ "$output" = --per-cpu ]
	run bash_complete "srebox irq -o "
	[ "$(tr '\n' ' ' <<<"$output")" = "table wide json prom check name " ]
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
		want=$(sb "$a" --help | grep -oE '^  (-[a-zA-Z], |    )--[a-z][a-z-]*' | sed 's/.* //' | sort)
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
	[ "$(z 'srebox irq -o ' | tr '\n' ' ')" = "check json name prom table wide " ]
	[ "$(z 'srebox-irq --sort n')" = name ]
}

@test "node names come from the cluster in bash, zsh and fish, through srebox nodes -o name" {
	k8s_setup_file
	k8s_start "$K8S_DIR/default"
	export KUBECONFIG=$KC PATH=$(dirname "$SREBOX"):$PATH
	want=$(sb nodes -o name | grep master | sort)
	[ "$(wc -l <<<"$want")" -eq 3 ]
	got=$(bash_complete "srebox drain ci-ln-d53y532-f76d1-2btqq-mas" | sort)
	[ "$got" = "$want" ] || die "bash: '$got'"
	got=$(bash_complete "srebox-cordon ci-ln-d53y532-f76d1-2btqq-mas" | sort)
	[ "$got" = "$want" ] || die "bash, srebox-cordon: '$got'"
	if command -v fish >/dev/null; then
		got=$(fish --no-config -c "source $COMP/srebox.fish; complete -C 'srebox uncordon ci-ln-d53y532-f76d1-2btqq-mas'" | cut -f1 | sort)
		[ "$got" = "$want" ] || die "fish: '$got'"
	fi
	if command -v zsh >/dev/null; then
		cp "$COMP/srebox.zsh" "$BATS_TEST_TMPDIR/_srebox"
		rm -f "$BATS_TEST_TMPDIR/z.out"
		zsh -f "$SREBOX_TESTS/tools/zsh-complete.zsh" "$BATS_TEST_TMPDIR" "$BATS_TEST_TMPDIR/z.out" \
			"srebox node ci-ln-d53y532-f76d1-2btqq-mas"
		got=$(grep . "$BATS_TEST_TMPDIR/z.out" | sort -u)
		[ "$got" = "$want" ] || die "zsh: '$got'"
	fi
	k8s_stop_test
}

@test "bash, zsh and fish: -o offers the applet's own formats, -w/-c its check ids" {
	run bash_complete "srebox health -o "
	[ "$(tr '\n' ' ' <<<"$output")" = "table json prom check name " ] || die "$output"
	run bash_complete "srebox health -w lo"
	[ "$output" = load= ] || die "$output"
	run bash_complete "srebox-cswitch -c pi"
	[ "$output" = pids= ] || die "$output"
	# every id offered is one -w accepts
	for id in $(bash_complete "srebox irq -w "); do
		sb irq -i 0 -o check -w "${id}1000000" >/dev/null || [ $? -le 2 ] || die "irq refuses $id"
	done
	if command -v fish >/dev/null; then
		f() { fish --no-config -c "source $COMP/srebox.fish; complete -C '$1'"; }
		# each value with a description of its own
		f 'srebox health -o ' | grep -qxF $'json\tone JSON object per report, for jq' || die "$(f 'srebox health -o ')"
		! f 'srebox health -o ' | grep -q '^wide' || die "fish offers wide to health"
		f 'srebox irq -o ' | grep -q '^wide' || die "fish: irq has wide"
		f 'srebox health -w ' | grep -qxF $'load=\t1-minute load average per online CPU' || die "$(f 'srebox health -w ' | head)"
		[ "$(f 'srebox health -w ' | cut -f2 | sort -u | wc -l)" -gt 10 ] || die "one description for all"
		# descriptions end at a word
		f 'srebox health -w ' | cut -f2 | grep '…$' | while IFS= read -r d; do
			d=${d%…}
			full=$(sb --checks health | cut -f5 | grep -F -- "$d" | head -1)
			rest=${full#*"$d"}
			[[ -n $full && $rest == [\ ,]* ]] || die "cut mid-word: $d"
		done
	fi
	if command -v zsh >/dev/null; then
		cp "$COMP/srebox.zsh" "$BATS_TEST_TMPDIR/_srebox"
		z() {
			rm -f "$BATS_TEST_TMPDIR/z.out"
			zsh -f "$SREBOX_TESTS/tools/zsh-complete.zsh" "$BATS_TEST_TMPDIR" "$BATS_TEST_TMPDIR/z.out" "$1"
			grep . "$BATS_TEST_TMPDIR/z.out" | sort -u
		}
		[ "$(z 'srebox health -o ' | tr '\n' ' ')" = "check json name prom table " ] || die "zsh: $(z 'srebox health -o ')"
		z 'srebox health -w ' | grep -qx 'load=' || die "zsh: $(z 'srebox health -w ')"
	fi
}
