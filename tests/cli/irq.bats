#!/usr/bin/env bats
# srebox irq over real snapshots (checked against node_exporter's own
# expected output), over every bad shape of input, and on this machine.

load lib

# Two snapshots of /proc/interrupts, the second swapped in while
# `srebox irq -i 1` sleeps: rates are then known exactly.
two_samples() {
	local root=$1
	shift
	"$SREBOX" irq --root "$root" -i 1 "$@" >"$BATS_TEST_TMPDIR/out" 2>&1 &
	local pid=$!
	sleep 0.5
	mv "$root/proc/interrupts.next" "$root/proc/interrupts"
	[ -f "$root/proc/softirqs.next" ] && mv "$root/proc/softirqs.next" "$root/proc/softirqs"
	[ -f "$root/proc/stat.next" ] && mv "$root/proc/stat.next" "$root/proc/stat"
	wait $pid && status=0 || status=$?
	output=$(cat "$BATS_TEST_TMPDIR/out")
}

@test "per-CPU counts equal node_exporter's node_interrupts_total for its fixture" {
	root=$(root_copy node_exporter)
	echo "1000.00 1500.00" >"$root/proc/uptime"
	sb irq --root "$root" -o json | jq -r '.interrupts[] | select(.per_cpu) | .irq as $i
		| .per_cpu | to_entries[] | "cpu=\(.key),type=\($i)\t\(.value)"' | sort >"$BATS_TEST_TMPDIR/got"
	ne_expected node_interrupts_total | sed -E 's/devices=[^,]*(, [^,]*)*,info=[^,]*,//; s/,info=[^\t]*//' |
		sed -E 's/^cpu=([0-9]+),.*type=([^\t]*)/cpu=\1,type=\2/' | sort >"$BATS_TEST_TMPDIR/want"
	[ "$(wc -l <"$BATS_TEST_TMPDIR/want")" -eq 112 ]
	diff "$BATS_TEST_TMPDIR/want" "$BATS_TEST_TMPDIR/got"
}

@test "softirq counts equal node_exporter's node_softirqs_functions_total" {
	root=$(root_copy node_exporter)
	echo "1000.00 1500.00" >"$root/proc/uptime"
	sb irq --root "$root" -o json | jq -r '.softirqs[] | .softirq as $s
		| .per_cpu | to_entries[] | "cpu=\(.key),type=\($s)\t\(.value)"' | sort >"$BATS_TEST_TMPDIR/got"
	ne_expected node_softirqs_functions_total | sort >"$BATS_TEST_TMPDIR/want"
	[ -s "$BATS_TEST_TMPDIR/want" ]
	diff "$BATS_TEST_TMPDIR/want" "$BATS_TEST_TMPDIR/got"
}

@test "without uptime, totals stand and rates are unknown with the reason" {
	run sb irq --root "$FIX/node_exporter" -o json
	[ "$status" -eq 3 ]
	jq -e '.interrupts[0].rate_per_second == null
		and (.interrupts[0].unknown.rate_per_second | test("uptime unreadable"))
		and ([.interrupts[] | select(.irq == "LOC")][0].total == 609476365)' <<<"$output"
}

@test "since boot: rates are totals over the uptime, and the output says so" {
	root=$(root_copy procfs)
	echo "100.00 150.00" >"$root/proc/uptime"
	run sb irq --root "$root"
	[[ $output == *"averaged since boot"* ]] && [[ $output == *"values since boot (up 100s)"* ]]
	run sb irq --root "$root" -o json
	jq -e '[.interrupts[] | select(.irq == "LOC")][0] | .rate_per_second == (.total / 100)' <<<"$output"
}

@test "aarch64 rows without a space after the colon" {
	root=$(root_empty)
	cp "$FIX/node_exporter/proc/interrupts_aarch64" "$root/proc/interrupts"
	echo "100.00 150.00" >"$root/proc/uptime"
	run sb irq --root "$root" -o json
	jq -e '[.interrupts[] | select(.irq == "IPI0")][0] | .per_cpu["0"] == 2768808080
		and .devices == "Rescheduling interrupts"' <<<"$output"
	jq -e '[.interrupts[] | select(.irq == "10")][0] | .chip == "GICv3" and .hwirq == "27"
		and .trigger == "Level" and .devices == "arch_timer"' <<<"$output"
}

# /proc/stat with CPU0 and CPU1's counters (USER_HZ ticks): user sys idle irq softirq
stat_file() {
	printf 'cpu  0 0 0 0 0 0 0 0 0 0\ncpu0 %s 0 %s %s 0 %s %s 0 0 0\ncpu1 %s 0 %s %s 0 %s %s 0 0 0\nintr 1\nctxt 1\nbtime 1\nprocesses 1\nprocs_running 1\nprocs_blocked 0\n' "$@"
}

@test "an idle 2-vCPU virtio VM is OK: single vectors on one CPU are how x86 works" {
	run sb irq --root "$FIX/irq/virtio-idle" -o json
	echo "$output" | jq -c '.findings'
	[ "$status" -eq 0 ]
	# virtio1-req.0 puts 100% of 281/s on CPU1: no finding
	jq -e '[.interrupts[] | select(.irq == "36")][0] | .top_cpu == 1 and .top_cpu_share_ratio == 1
		and .rate_per_second > 280' <<<"$output"
	jq -e '[.findings[].state] == ["OK", "OK", "OK"]
		and ([.findings[].check] | sort) == ["irq", "irq_net", "irq_queues"]' <<<"$output"
}

@test "node_exporter's iwlwifi, 99% on CPU0 since boot, is one vector: not a finding" {
	root=$(root_copy node_exporter)
	echo "1000.00 1500.00" >"$root/proc/uptime"
	run sb irq --root "$root" -o json
	[ "$status" -eq 0 ]
	jq -e '[.interrupts[] | select(.devices == "iwlwifi")][0].top_cpu_share_ratio > 0.98
		and all(.findings[]; .state == "OK")' <<<"$output"
}

@test "since boot: a NIC's queues on CPU0, busy in softirq while CPU1 idles, name the device and CPU" {
	run sb irq --root "$FIX/irq/nic-collapsed" -o json
	[ "$status" -eq 2 ]
	f() { jq -r --arg c "$1" '[.findings[] | select(.check == $c)][0] | "\(.state) \(.text)"' <<<"$output"; }
	[[ $(f irq) == "WARNING interrupt time: CPU0 spends 65.0% in hardirq+softirq (hardirq 5.0%, softirq 60.0%) while CPU1 is 95% idle; on CPU0: eth0 (5 vectors) 20000/s, ahci[0000:00:1f.2] 60/s; NET_TX 50/s, NET_RX 25000/s" ]]
	[[ $(f irq_queues) == "WARNING IRQ queues: eth0's 4 queues put 100% of 20000/s on CPU0 (smp_affinity_list unknown: "*"/proc/irq/40/smp_affinity_list: missing)"* ]]
	[[ $(f irq_net) == "CRITICAL network softirqs: NET_RX puts 100% of 25005/s on CPU0, which spends 60.0% in softirq while CPU1 is 95% idle"* ]]
	run sb irq --root "$FIX/irq/nic-collapsed" -o check -w irq=70 -w irq_net=70 -c irq_net=none
	[ "$status" -eq 1 ] && [[ $output == *"irq=65%;70;80;0;100"* ]] && [[ $output == *"irq_queues=1;0;;;"* ]]
}

@test "over an interval: queues collapsed onto CPU0 with its softirq time high; pinned by affinity is said, not flagged" {
	root=$(root_empty)
	hdr='      CPU0   CPU1\n'
	printf "$hdr 40: 0 0 PCI-MSI 1-edge eth0-TxRx-0\n 41: 0 0 PCI-MSI 2-edge eth0-TxRx-1\n 42: 7 0 PCI-MSI 3-edge rtc0\n" >"$root/proc/interrupts"
	printf "$hdr 40: 30000 0 PCI-MSI 1-edge eth0-TxRx-0\n 41: 20000 0 PCI-MSI 2-edge eth0-TxRx-1\n 42: 7 0 PCI-MSI 3-edge rtc0\n" >"$root/proc/interrupts.next"
	printf "$hdr NET_TX: 0 0\n NET_RX: 0 0\n" >"$root/proc/softirqs"
	printf "$hdr NET_TX: 0 0\n NET_RX: 90000 0\n" >"$root/proc/softirqs.next"
	stat_file 0 0 0 0 0 0 0 0 0 0 >"$root/proc/stat"
	# 100 ticks each: CPU0 90% in irq+softirq, CPU1 98% idle
	stat_file 5 5 0 10 80 1 1 98 0 0 >"$root/proc/stat.next"
	for i in 40 41; do
		mkdir -p "$root/proc/irq/$i"
		echo 0-1 >"$root/proc/irq/$i/smp_affinity_list"
		echo 0 >"$root/proc/irq/$i/effective_affinity_list"
	done
	cp -r "$root/proc" "$BATS_TEST_TMPDIR/proc.orig"
	two_samples "$root" -o json
	echo "$output" | jq -c '.findings'
	[ "$status" -eq 2 ]
	jq -e '.interval_seconds > 0.9 and ([.findings[] | select(.check == "irq")][0]
		| .state == "CRITICAL" and (.text | test("^interrupt time: CPU0 spends 90.0% in hardirq\\+softirq \\(hardirq 10.0%, softirq 80.0%\\) while CPU1 is 98% idle; on CPU0: eth0 \\(2 vectors\\) [0-9]+/s; NET_RX [0-9]+/s$")))' <<<"$output"
	jq -e '[.findings[] | select(.check == "irq_queues")][0] | .state == "WARNING"
		and (.text | test("^IRQ queues: eth0.s 2 queues put 100% of [0-9]+/s on CPU0 \\(smp_affinity_list 0-1, effective 0\\); irqbalance is not running$"))' <<<"$output"
	jq -e '[.findings[] | select(.check == "irq_net")][0] | .state == "CRITICAL" and (.text | test("NET_RX puts 100% of [0-9]+/s on CPU0, which spends 80.0% in softirq"))' <<<"$output"
	# the same readings with the queues pinned to CPU0 on purpose
	rm -rf "$root/proc" && cp -r "$BATS_TEST_TMPDIR/proc.orig" "$root/proc"
	echo 0 | tee "$root/proc/irq/40/smp_affinity_list" >"$root/proc/irq/41/smp_affinity_list"
	two_samples "$root" -o json
	jq -e '[.findings[] | select(.check == "irq_queues")][0] | .state == "OK"
		and (.text | test("eth0.s 2 queues are on CPU0 as configured \\(smp_affinity_list 0, effective 0\\)"))' <<<"$output"
}

@test "NET_RX on one CPU that costs little softirq time is OK; at real cost it is flagged" {
	root=$(root_empty)
	printf ' CPU0 CPU1\n 1: 0 0 IO-APIC 1-edge x\n' >"$root/proc/interrupts"
	cp "$root/proc/interrupts" "$root/proc/interrupts.next"
	printf ' CPU0 CPU1\n NET_RX: 0 100\n NET_TX: 0 0\n' >"$root/proc/softirqs"
	printf ' CPU0 CPU1\n NET_RX: 0 5100\n NET_TX: 0 0\n' >"$root/proc/softirqs.next"
	stat_file 0 0 0 0 0 0 0 0 0 0 >"$root/proc/stat"
	stat_file 1 1 98 0 0 5 5 85 0 5 >"$root/proc/stat.next"
	cp -r "$root/proc" "$BATS_TEST_TMPDIR/proc.orig"
	two_samples "$root" -o json
	jq -e '.state == "OK" and ([.findings[] | select(.check == "irq_net")][0].text
		| test("^network softirqs: NET_RX puts 100% of [0-9]+/s on CPU1, which spends 5.0% in softirq$"))' <<<"$output"
	rm -rf "$root/proc" && cp -r "$BATS_TEST_TMPDIR/proc.orig" "$root/proc"
	stat_file 1 1 98 0 0 5 5 60 0 30 >"$root/proc/stat.next"
	two_samples "$root" -o json
	jq -e '.state == "WARNING" and ([.findings[] | select(.check == "irq_net")][0].text
		| test("^network softirqs: NET_RX puts 100% of [0-9]+/s on CPU1, which spends 30.0% in softirq while CPU0 is 98% idle; on CPU1: no device interrupts; NET_RX [0-9]+/s$"))' <<<"$output"
}

@test "s390x: the EXT, I/O and AIO class rows are not added to their own detail rows" {
	run sb irq --root "$FIX/irq/s390x" --per-cpu -o json
	[ "$status" -eq 0 ]
	# 12345+6789 EXT, 2000+1000 I/O, 300+100 AIO, 7 NMI and 2 RST over 100 s
	jq -e '.summary | startswith("225 interrupts/s on 2 CPUs")' <<<"$output"
	jq -e '[.cpus[].irq_per_second] == [146.51, 78.92]
		and ([.cpus[].irq_share_ratio] | add) > 0.999' <<<"$output"
	jq -e '[.interrupts[] | select(.irq == "CLK")][0] | .total == 12000 and .devices == "[EXT] Clock Comparator"' <<<"$output"
}

@test "--min-rate must be a number of 0 or more" {
	for v in -5 abc -0.1 nan inf ''; do
		run sb irq --root "$FIX/irq/virtio-idle" --min-rate "$v"
		[ "$status" -eq 3 ] || die "--min-rate '$v': exit $status"
		[[ $output == *"--min-rate"* ]] || die "no option named: $output"
	done
	run sb irq --root "$FIX/irq/virtio-idle" --min-rate -5
	[[ $output == *"--min-rate must be 0 or more interrupts per second, not -5"* ]]
	run sb irq --root "$FIX/irq/virtio-idle" --min-rate 0 -o json
	[ "$status" -eq 0 ]
	jq -e '[.findings[] | select(.check == "irq_net")][0].text | test("^network softirqs: NET_RX puts 99% of 7/s on CPU0, which spends 0.2% in softirq$")' <<<"$output"
}

@test "offline CPUs: columns map by CPU id between samples" {
	root=$(root_empty)
	printf '  CPU0 CPU3\n 5: 100 200 IO-APIC 5-edge eth0\n' >"$root/proc/interrupts"
	printf '  CPU0 CPU2 CPU3\n 5: 100 700 250 IO-APIC 5-edge eth0\n' >"$root/proc/interrupts.next"
	two_samples "$root" -o json
	jq -e '.interrupts[0].per_cpu == {"0": 0, "2": 700, "3": 50} and .interrupts[0].top_cpu == 2' <<<"$output"
}

@test "a counter that goes backwards is unknown, not zero or huge" {
	root=$(root_empty)
	printf '  CPU0 CPU1\n 5: 100 200 IO-APIC 5-edge eth0\n 6: 1 1 IO-APIC 6-edge x\n' >"$root/proc/interrupts"
	printf '  CPU0 CPU1\n 5: 50 200 IO-APIC 5-edge eth0\n 6: 3 1 IO-APIC 6-edge x\n 7: 9 9 IO-APIC 7-edge new\n' >"$root/proc/interrupts.next"
	two_samples "$root" -o json
	jq -e '[.interrupts[] | select(.irq == "5")][0] | .rate_per_second == null
		and (.unknown.rate_per_second | test("backwards"))' <<<"$output"
	jq -e '[.interrupts[] | select(.irq == "7")][0].unknown.rate_per_second | test("appeared")' <<<"$output"
}

@test "--per-cpu: one row per CPU, shares add up to 100%" {
	root=$(root_copy node_exporter)
	echo "1000.00 1500.00" >"$root/proc/uptime"
	run sb irq --root "$root" --per-cpu -o json
	jq -e '(.cpus | length) == 4 and ([.cpus[].irq_share_ratio] | add | . > 0.999 and . < 1.001)
		and .cpus[0].top_irq == "46 iwlwifi"' <<<"$output"
}

@test "bad input: empty, truncated, garbage, binary: exit 3 naming the file" {
	root=$(root_empty)
	echo "100.00 150.00" >"$root/proc/uptime"
	for content in '' '   CPU0   CPU1\n  0:   12' 'hello world\n' '  CPU0\n 1: 5\x00\x01\n' \
		'  CPU0 CPU1\n  0: 1 2 3 4 5 6 x\n  1 2 3\n'; do
		printf "$content" >"$root/proc/interrupts"
		for fmt in table json check; do
			run sb irq --root "$root" -o $fmt
			[ "$status" -eq 3 ] || die "exit $status for '$content' -o $fmt"
			[[ $output == *"$root/proc/interrupts"* ]] || die "no file name: $output"
		done
	done
	rm "$root/proc/interrupts"
	run sb irq --root "$root"
	[ "$status" -eq 3 ] && [[ $output == *"/proc/interrupts: missing"* ]]
}

@test "unreadable affinity is unknown with the reason, never empty" {
	[ "$(id -u)" -eq 0 ] && command -v setpriv >/dev/null || skip "needs root and setpriv"
	# a root that user nobody can walk to
	root=$(mktemp -d /tmp/srebox-test.XXXXXX)
	mkdir -p "$root/proc"
	printf '  CPU0 CPU1\n 5: 100 200 IO-APIC 5-edge eth0\n' >"$root/proc/interrupts"
	echo "100.00 150.00" >"$root/proc/uptime"
	mkdir -p "$root/proc/irq/5"
	echo 0-1 >"$root/proc/irq/5/smp_affinity_list"
	echo 1 >"$root/proc/irq/5/effective_affinity_list"
	chmod -R a+rX "$root"
	chmod 600 "$root/proc/irq/5/effective_affinity_list"
	run setpriv --reuid=65534 --regid=65534 --clear-groups "$SREBOX" irq --root "$root" -o json
	rm -rf "$root"
	jq -e '.interrupts[0] | .smp_affinity_list == "0-1" and .effective_affinity_list == null
		and (.unknown.effective_affinity_list | test("permission denied"))' <<<"$output"
}

@test "a 130 kB line and 4096 CPUs parse" {
	root=$(root_empty)
	echo "100.00 150.00" >"$root/proc/uptime"
	python3 - "$root/proc/interrupts" <<'PY'
import sys
n = 4096
with open(sys.argv[1], "w") as f:
    f.write("".join(f" CPU{c}" for c in range(n)) + "\n")
    for irq in range(3):
        f.write(f" {irq}:" + "".join(f" {c * 7 + irq}" for c in range(n)) + f" PCI-MSI {irq}-edge dev{irq}\n")
with open(sys.argv[1].replace("interrupts", "softirqs"), "w") as f:
    f.write("".join(f" CPU{c}" for c in range(n)) + "\n")
    f.write(" NET_RX:" + " 1" * n + "\n")
with open(sys.argv[1].replace("interrupts", "stat"), "w") as f:
    f.write("cpu  0 0 0 0 0 0 0 0 0 0\n")
    f.write("".join(f"cpu{c} 10 0 10 980 0 0 0 0 0 0\n" for c in range(n)))
    f.write("intr 1\nctxt 1\nbtime 1\nprocesses 1\nprocs_running 1\nprocs_blocked 0\n")
PY
	[ "$(head -1 "$root/proc/interrupts" | wc -c)" -gt 30000 ]
	run sb irq --root "$root" -o json
	[ "$status" -eq 0 ]
	jq -e '(.interrupts | length) == 3 and (.interrupts[0].per_cpu | length) == 4096
		and .interrupts[0].per_cpu["4095"] == (4095 * 7 + (.interrupts[0].irq|tonumber))' <<<"$output"
}

@test "live: per-CPU counts add up to the totals, affinity is read, rates over -i" {
	run sb irq -i 0 -o json
	[ "$status" -ne 3 ]
	jq -e 'all(.interrupts[] | select(.per_cpu); ([.per_cpu[]] | add) == .total)' <<<"$output"
	n=$(ls /proc/irq | grep -c '^[0-9]') || true
	if [ "$n" -gt 0 ]; then
		jq -e '[.interrupts[] | select(.smp_affinity_list != null)] | length > 0' <<<"$output"
	fi
	run sb irq -i 0.5 -o json
	jq -e '.interval_seconds >= 0.5 and .since_boot == false
		and all(.interrupts[]; .rate_per_second == null or .rate_per_second >= 0)' <<<"$output"
}

@test "--sort irq uses natural order; --all lists every row" {
	root=$(root_copy node_exporter)
	echo "1000.00 1500.00" >"$root/proc/uptime"
	run sb irq --root "$root" -s irq -a
	irqs=$(awk '/^IRQ/ {t=1; next} t && NF == 0 {exit} t {print $1}' <<<"$output" | head -5 | tr '\n' ' ')
	[ "$irqs" = "0 1 8 9 12 " ]
	[ "$(grep -c . <<<"$output")" -gt 40 ]
}
