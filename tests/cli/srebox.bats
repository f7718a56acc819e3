#!/usr/bin/env bats
# The multi-call binary and what every applet shares: dispatch, exit
# codes, output formats, --root, --textfile, write errors.

load lib

@test "--list names every applet of the registry" {
	run sb --list
	[ "$status" -eq 0 ]
	want=$(sed -n 's/^APPLET(\(.*\))$/\1/p' "$SREBOX_TESTS/../cmd/applets.def")
	[ "$output" = "$want" ]
}

@test "--version and --help exit 0; no arguments is a usage error" {
	run sb --version
	[ "$status" -eq 0 ] && [[ $output == "srebox "[0-9]* ]]
	run sb --help
	[ "$status" -eq 0 ] && [[ $output == *"Usage: srebox APPLET"* ]] && [[ $output == *irq* ]]
	run sb
	[ "$status" -eq 3 ]
}

@test "an unknown applet exits 127 with a clear message, by argument or by link name" {
	run -127 sb frobnicate
	[ "$status" -eq 127 ] && [[ $output == *"'frobnicate' is not a srebox applet"* ]]
	ln -s "$SREBOX" "$BATS_TEST_TMPDIR/srebox-frob"
	run -127 "$BATS_TEST_TMPDIR/srebox-frob"
	[ "$status" -eq 127 ]
	ln -s "$SREBOX" "$BATS_TEST_TMPDIR/frob"
	run -127 "$BATS_TEST_TMPDIR/frob"
	[ "$status" -eq 127 ] && [[ $output == *"applet not found: frob"* ]]
}

@test "a link named APPLET or srebox-APPLET runs that applet" {
	for name in irq srebox-irq; do
		ln -sf "$SREBOX" "$BATS_TEST_TMPDIR/$name"
		run "$BATS_TEST_TMPDIR/$name" -o json
		[ "$(jq -r .applet <<<"$output")" = irq ]
	done
}

@test "--install makes a working link per applet, symbolic with -s" {
	run sb --install -s "$BATS_TEST_TMPDIR"
	[ "$status" -eq 0 ]
	for a in $(sb --list); do
		[ -L "$BATS_TEST_TMPDIR/srebox-$a" ]
		"$BATS_TEST_TMPDIR/srebox-$a" --help | grep -q "Usage: srebox $a"
	done
	mkdir "$BATS_TEST_TMPDIR/hard"
	run sb --install "$BATS_TEST_TMPDIR/hard"
	[ "$status" -eq 0 ] && [ -f "$BATS_TEST_TMPDIR/hard/srebox-irq" ]
	run sb --install "$BATS_TEST_TMPDIR/no/such/dir"
	[ "$status" -eq 3 ]
}

@test "every applet has --help and --version" {
	for a in $(sb --list); do
		run sb "$a" --help
		[ "$status" -eq 0 ] && [[ $output == "Usage: srebox $a"* ]]
		run sb "$a" -V
		[ "$status" -eq 0 ]
	done
}

@test "usage errors exit 3 and say what was wrong" {
	run sb irq --frobnicate
	[ "$status" -eq 3 ] && [[ $output == *"unknown option --frobnicate"* ]]
	run sb irq -o yaml
	[ "$status" -eq 3 ] && [[ $output == *"'yaml' is not one of"* ]]
	run sb irq -w abc
	[ "$status" -eq 3 ] && [[ $output == *"bad range 'abc'"* ]]
	run sb irq -w nosuch=5
	[ "$status" -eq 3 ] && [[ $output == *"unknown check 'nosuch'"* ]]
	run sb irq -n 3
	[ "$status" -eq 3 ] && [[ $output == *"-n needs -i"* ]]
	run sb irq -i soon
	[ "$status" -eq 3 ]
	run sb irq --root "$BATS_TEST_TMPDIR/missing"
	[ "$status" -eq 3 ] && [[ $output == *"not a directory"* ]]
	run sb irq extra
	[ "$status" -eq 3 ]
}

@test "monitoring-plugins ranges: 10, 10:, ~:10, 10:20, @10:20 set the state" {
	root=$(root_empty)
	printf '      CPU0   CPU1\n 40: 900 100 PCI-MSI 1-edge eth0-rx-0\n' >"$root/proc/interrupts"
	echo "10.00 15.00" >"$root/proc/uptime"
	# eth0-rx: 90% on CPU0 at 100/s
	check() { run sb irq --root "$root" -o check "$@"; echo "$output"; }
	check -w 89
	[ "$status" -eq 1 ]
	check -w 90
	[ "$status" -eq 0 ]
	check -w 95 -c 80
	[ "$status" -eq 2 ]
	check -w 91: 
	[ "$status" -eq 1 ]
	check -w '~:50'
	[ "$status" -eq 1 ]
	check -w 80:95
	[ "$status" -eq 0 ]
	check -w @80:95
	[ "$status" -eq 1 ]
	check -w none
	[ "$status" -eq 0 ]
	check -w imbalance=89
	[ "$status" -eq 1 ]
}

@test "-o json is one valid object with state, findings and tables" {
	run sb irq -i 0 -o json
	[ "$status" -eq 0 ]
	jq -e '.applet == "irq" and (.exit_status|type) == "number" and .since_boot == true
		and (.findings|length) > 0 and (.interrupts|length) > 0' <<<"$output"
}

@test "-o prom passes promtool and the node_exporter textfile collector loads --textfile" {
	command -v promtool >/dev/null || skip "promtool (prometheus) not installed"
	sb irq -o prom | promtool check metrics
	dir=$BATS_TEST_TMPDIR/tf
	mkdir "$dir"
	run sb irq --textfile "$dir"
	[ "$status" -eq 0 ] && [ -z "$output" ]
	[ -f "$dir/srebox_irq.prom" ]
	[ "$(ls -A "$dir" | wc -l)" -eq 1 ]	# no temporary file left behind
	command -v prometheus-node-exporter >/dev/null || skip "node_exporter not installed"
	port=$((20000 + RANDOM % 20000))
	prometheus-node-exporter --web.listen-address=127.0.0.1:$port \
		--collector.disable-defaults --collector.textfile \
		--collector.textfile.directory="$dir" >/dev/null 2>&1 &
	pid=$!
	for _ in $(seq 50); do
		m=$(curl -fsS "http://127.0.0.1:$port/metrics" 2>/dev/null) && break
		sleep 0.1
	done
	kill $pid
	grep -q '^node_textfile_scrape_error 0' <<<"$m"
	grep -q '^srebox_up{applet="irq"} 1' <<<"$m"
	grep -q '^srebox_irq_interrupts_total{' <<<"$m"
}

@test "--textfile into a directory that cannot be written is an error" {
	run sb irq --textfile /proc/self
	[ "$status" -eq 3 ] && [[ $output == *textfile* ]]
}

@test "-o check is one monitoring-plugins line with perfdata" {
	run sb irq -o check
	[ "$status" -eq 0 ]
	[ "${#lines[@]}" -eq 1 ]
	[[ $output =~ ^SREBOX\ IRQ\ (OK|WARNING|CRITICAL|UNKNOWN):\ .*\ \|\ top_cpu_share=[0-9.]+%\;90\;\;0\;100$ ]]
}

@test "a full disk is an error, a closed pipe is not" {
	[ -w /dev/full ] || skip "no /dev/full"
	run sb irq -a -o wide >/dev/full
	run bash -c '"$SREBOX" irq -a -o wide >/dev/full'
	[ "$status" -eq 3 ] && [[ $output == *"write error"* ]]
	run bash -c '"$SREBOX" irq -a -o json | head -c 10 >/dev/null'
	[ -z "$output" ]
}

@test "colour only on request or a terminal, and never with NO_COLOR" {
	run sb irq
	[[ $output != *$'\033['* ]]
	run sb irq --color always
	[[ $output == *$'\033['* ]]
	command -v script >/dev/null || skip "no script(1)"
	run script -qec "$SREBOX irq" /dev/null
	[[ $output == *$'\033['* ]]
	run env NO_COLOR=1 script -qec "$SREBOX irq" /dev/null
	[[ $output != *$'\033['* ]]
}

@test "SREBOX_ROOT works like --root" {
	root=$(root_copy node_exporter)
	echo "100.00 200.00" >"$root/proc/uptime"
	a=$(SREBOX_ROOT=$root sb irq -o json | jq -c '.interrupts')
	b=$(sb irq --root "$root" -o json | jq -c '.interrupts')
	[ "$a" = "$b" ]
	[ "$(jq length <<<"$a")" -eq 30 ]
}

@test "-i with -n prints N reports and the worst state is the exit status" {
	run sb irq -i 0.2 -n 3 -o json
	[ "$(jq -s length <<<"$output")" -eq 3 ]
	# a live machine may really be imbalanced: the exit status must be the
	# worst of the three reports' states, whatever they are
	worst=$(jq -rs 'map({"OK":0,"UNKNOWN":1,"WARNING":2,"CRITICAL":3}[.state]) | max' <<<"$output")
	want=$(( worst == 1 ? 3 : worst == 2 ? 1 : worst == 3 ? 2 : 0 ))
	[ "$status" -eq "$want" ]
	jq -se 'all(.[]; .since_boot == false and .interval_seconds > 0.15)' <<<"$output"
}

@test "Ctrl-C ends a -n 0 loop cleanly" {
	"$SREBOX" irq -i 0.2 -n 0 -o check >"$BATS_TEST_TMPDIR/out" &
	pid=$!
	sleep 1
	kill -INT $pid
	wait $pid || true
	[ "$(wc -l <"$BATS_TEST_TMPDIR/out")" -ge 2 ]
}
