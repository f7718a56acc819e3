#!/usr/bin/env bats
# One meaning per flag and formats that mean one thing: the letters that
# moved still work with a note, --dry-run alone is client, mistyped options
# and values get the closest one, messages carry the invoked name, -o name
# lists the checks that are not OK and -o wide is refused where it would
# add nothing.

load lib

@test "cswitch -T is --threads; the old -t still works, with a note on stderr" {
	root=$(root_copy node_exporter)
	run --separate-stderr sb cswitch --root "$root" -i 0 -T -o json
	[ -z "$stderr" ] || die "$stderr"
	new=$(jq -c '.threads | length' <<<"$output")
	[ "$new" -gt 0 ] || die "$output"
	run --separate-stderr sb cswitch --root "$root" -i 0 -t -o json
	[[ $stderr == *"note: -t is deprecated here: use -T (--threads)"* ]] || die "$stderr"
	[ "$(jq -c '.threads | length' <<<"$output")" = "$new" ]
	# the note is the only difference: not in the help, not in the completions
	! sb cswitch --help | grep -qE '^  -t,' || die "-t still in --help"
	sb cswitch --help | grep -qE '^  -T, --threads'
}

@test "io's --top and --partitions are long only; -t and -p still work, with a note" {
	root=$(root_copy node_exporter)
	run --separate-stderr sb io --root "$root" -i 0 --top 2 --partitions -o json
	[ -z "$stderr" ] || die "$stderr"
	want=$(jq -c '[(.devices | length), (.processes | length)]' <<<"$output")
	run --separate-stderr sb io --root "$root" -i 0 -t 2 -p -o json
	[[ $stderr == *"-t is deprecated here: use --top"* ]] || die "$stderr"
	[[ $stderr == *"-p is deprecated here: use --partitions"* ]] || die "$stderr"
	[ "$(jq -c '[(.devices | length), (.processes | length)]' <<<"$output")" = "$want" ]
}

@test "within the node-local family every short letter means one thing" {
	declare -A seen
	for a in cpu cswitch disk health io irq net throttle; do
		while read -r l o; do
			if [ -n "${seen[$l]:-}" ] && [ "${seen[$l]}" != "$o" ]; then
				die "-$l is $o in $a but ${seen[$l]} elsewhere"
			fi
			seen[$l]=$o
		done < <(sb $a --help | sed -nE 's/^  -(.), --([a-z-]+).*/\1 \2/p')
	done
	[ "${seen[t]}" = timeout ] && [ "${seen[n]}" = count ] && [ "${seen[c]}" = critical ]
	# srebox(1) has the table
	for l in "${!seen[@]}"; do
		grep -q "^\.It Fl $l\b\|^\.It .*Fl $l ,\|Fl $l\$" "$SREBOX_TESTS/../man/srebox.1" || die "srebox.1 lacks -$l"
	done
}

@test "mistyped options and values get the closest one" {
	run sb irq --per-cpus
	[ "$status" -eq 3 ]
	[[ $output == *"unknown option --per-cpus; did you mean --per-cpu?"* ]] || die "$output"
	run sb disk --top-timout 1
	[[ $output == *"did you mean --top-timeout?"* ]] || die "$output"
	run sb irq -o jsno
	[ "$status" -eq 3 ]
	[[ $output == *"did you mean json?"* ]] || die "$output"
	run sb irq --zzzzzz
	[[ $output == *"unknown option --zzzzzz"* ]] && [[ $output != *"did you mean"* ]] || die "$output"
}

@test "messages and usage lines carry the invoked name, the applet named once" {
	ln -s "$SREBOX" "$BATS_TEST_TMPDIR/srebox-irq"
	run "$BATS_TEST_TMPDIR/srebox-irq" --bogus
	[ "$status" -eq 3 ]
	[[ ${lines[0]} == "srebox-irq: unknown option --bogus" ]] || die "$output"
	[[ ${lines[1]} == "Try 'srebox-irq --help' for more information." ]] || die "$output"
	run sb irq --textfile /nonexistent/dir
	[ "$status" -eq 3 ]
	[[ $output == *"srebox irq: --textfile: "* ]] || die "$output"
	[[ $output != *"srebox irq: irq:"* ]] || die "$output"
}

@test "-o name of a probe applet: the ids of the checks that are not OK, worst first, each once" {
	root=$(root_copy node_exporter)
	run sb cswitch --root "$root" -i 0 -o json
	want=$(jq -r '[.findings[] | select(.state != "OK")] | sort_by(
		{"CRITICAL": 0, "WARNING": 1, "UNKNOWN": 2}[.state]) | map(.check) | reduce .[] as $c ([]; if index([$c]) then . else . + [$c] end) | .[]' <<<"$output")
	[ -n "$want" ] || die "the fixture has nothing to name: $output"
	run sb cswitch --root "$root" -i 0 -o name
	[ "$status" -ne 0 ]
	[ "$output" = "$want" ] || die "got '$output', want '$want'"
	# nothing for a node with every check OK: an empty list, exit 0
	run sb irq --root "$root" -i 0 -o json
	n=$(jq '[.findings[] | select(.state != "OK")] | length' <<<"$output")
	run sb irq --root "$root" -i 0 -o name
	[ "${#lines[@]}" -eq "$n" ] || die "$output"
}

@test "-o wide where no column is wide is refused before anything is printed, and not offered by the completions" {
	run --separate-stderr sb health -o wide
	[ "$status" -eq 3 ]
	[ -z "$output" ] || die "printed: $output"
	[[ $stderr == "srebox health: -o wide: not a format of health, which has no wide columns; it takes table json prom check name"* ]] || die "$stderr"
	# and with -n, the run ends at once rather than sampling on
	run --separate-stderr timeout 10 "$SREBOX" health -o wide -i 1 -n 0
	[ "$status" -eq 3 ] || die "status $status: $stderr"
	# an applet with wide columns shows them
	run sb cpu -i 0 -o wide
	[ "$status" -le 2 ]
	grep -q '^CPU .*STATE' <<<"$output" || die "$output"
	# every applet without a wide column says so (a runtime net for a new one)
	for a in $(sb --list); do
		sb $a --help >/dev/null
		grep -q 'COL_WIDE' "$SREBOX_TESTS/../cmd/$a.c" 2>/dev/null && continue
		[ -f "$SREBOX_TESTS/../cmd/$a.c" ] || continue
		sb $a --help | grep -q -- '--output FORMAT' || continue
		run sb $a -o wide
		[ "$status" -eq 3 ] && [[ $output == *"no wide columns"* ]] || die "$a -o wide: $output"
	done
}

@test "srebox --help and every applet's --help fit 80 columns; two or three examples come first in every applet, the checks are one aligned table" {
	for a in "" $(sb --list); do
		long=$(sb $a --help | awk 'length($0) > 80')
		[ -z "$long" ] || die "srebox $a --help: wider than 80: $long"
	done
	sb --help | sed -n '/^Examples:/,/^Applets:/p' | grep -q '^  srebox health$'
	# every applet of the registry: two or three examples, each running it
	for a in $(sb --list); do
		help=$(sb $a --help)
		n=$(sed -n '/^Examples:/,/^[^ ]/p' <<<"$help" | grep -c '^  # ')
		[ "$n" -ge 2 ] && [ "$n" -le 3 ] || die "$a: $n examples, not two or three: $help"
		# Examples right after the summary, before the description and options
		[ "$(grep -n '^Examples:' <<<"$help" | cut -d: -f1)" -lt "$(grep -n '^Options:\|^Probe options:\|^Kubernetes options:' <<<"$help" | head -1 | cut -d: -f1)" ] ||
			die "$a: no examples first: $help"
		grep -A1 '^  # ' <<<"$help" | grep -q "^  .*srebox $a" || die "$a: an example that does not run $a"
	done
	# the checks' columns start at the same place on every row
	sb health --help | sed -n '/^Checks/,/^$/p' | sed '1d;$d' | grep -v '^      ' |
		awk '{ w = index($0, $2); c = index(substr($0, w + length($2)), $3) + w + length($2);
			if (NR == 1) { w1 = w; c1 = c } else if (w != w1) { print "misaligned: " $0; exit 1 } }'
	sb health --help | grep -qE '^    switches +50000 +150000 +context'
}

@test "-i S -n N in the table view: a line per interval where the applet has one natural row, the whole report elsewhere and with -v" {
	run sb cswitch -i 0.2 -n 3
	[ "$status" -le 2 ] || die "$output"
	[ "${#lines[@]}" -eq 4 ] || die "$output"
	[[ ${lines[0]} == *"CS/s "*" STATE "*" CHECKS" ]] || die "${lines[0]}"
	states=(OK WARNING CRITICAL UNKNOWN)
	worst=0
	for i in 1 2 3; do
		read -ra f <<<"${lines[$i]}"
		[ "${#f[@]}" -eq 12 ] || die "line $i: ${lines[$i]}"
		# the state is the report's: the same as -o check would give
		for k in 0 1 2 3; do [ "${f[10]}" = "${states[$k]}" ] && [ $k -gt $worst ] && worst=$k; done
	done
	[ "$status" -eq "$worst" ] || [ $worst -eq 3 ] || die "exit $status, worst line ${states[$worst]}"
	# -v: every report whole
	run sb cswitch -i 0.2 -n 2 -v
	[ "$(grep -c 'CS/s  CS/s/CPU' <<<"$output")" -eq 2 ] || die "$output"
	grep -q "Busiest processes" <<<"$output" || die "$output"
	# an applet without one natural row prints its reports whole
	run sb irq -i 0.2 -n 2
	[ "$(grep -c '^IRQ ' <<<"$output")" -eq 2 ] || die "$output"
	# machine formats are untouched
	run sb cswitch -i 0.2 -n 2 -o json
	[ "$(jq -s length <<<"$output")" -eq 2 ]
}

@test "-i S -n N: cpu and throttle give their \"all\" row a line per interval; the header again each screenful on a terminal, once in a pipe" {
	for a in cpu throttle; do
		run sb $a -i 0.1 -n 3
		[ "$status" -le 2 ] || die "$a: $output"
		[ "${#lines[@]}" -eq 4 ] || die "$a: $output"
		[[ ${lines[0]} == "CPU "*" BUSY "*" STATE "*" CHECKS" ]] || die "$a: ${lines[0]}"
		for i in 1 2 3; do [[ ${lines[$i]} == "all "* ]] || die "$a line $i: ${lines[$i]}"; done
	done
	# a 10-row terminal: a header and 8 lines a screen (20 lines: 3 headers)
	out=$(script -qec "stty rows 10 cols 150; $SREBOX cpu -i 0.05 -n 20" /dev/null </dev/null | tr -d '\r')
	[ "$(grep -c '^CPU ' <<<"$out")" -eq 3 ] || die "$out"
	[ "$(grep -c '^all ' <<<"$out")" -eq 20 ] || die "$out"
	[ "$(sed -n 10p <<<"$out" | cut -c1-4)" = "CPU " ] || die "$out"
	# a pipe: the header once
	[ "$(sb cpu -i 0.05 -n 20 | grep -c '^CPU ')" -eq 1 ]
}
