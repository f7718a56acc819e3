#!/usr/bin/env bats
# srebox net over real snapshots (node_exporter's and procfs's), over
# generated trees (an interface that goes away, counters that go back,
# 300 veths, shares around the thresholds), and live in network
# namespaces where a TCP transfer retransmits through an nftables rule
# that drops a random share of packets, and a listener overflows.

load lib

# /proc/net/dev header and one line: NAME rxbytes rxpk rxerr rxdrop txbytes txpk txerr txdrop
dev_head() {
	printf 'Inter-|   Receive                                                |  Transmit\n'
	printf ' face |bytes    packets errs drop fifo frame compressed multicast|bytes    packets errs drop fifo colls carrier compressed\n'
}
dev_line() { printf '%s: %s %s %s %s 0 0 0 0 %s %s %s %s 0 0 0 0\n' "$@"; }

# A tree with node_exporter's snmp, netstat, sockstat, softnet_stat and
# nf_conntrack, procfs's /proc/net/dev and an uptime.
net_root() {
	local r=$BATS_TEST_TMPDIR/root
	mkdir -p "$r/proc/net/stat" "$r/proc/sys/net/ipv4" "$r/proc/sys/net/netfilter" "$r/sys/class/net"
	for f in snmp netstat sockstat; do cp "$FIX/node_exporter/proc/net/$f" "$r/proc/net/"; done
	# node_exporter's copy lacks the last newline, which srebox refuses as cut short
	cp "$FIX/net/softnet_stat" "$r/proc/net/"
	cp "$FIX/node_exporter/proc/net/stat/nf_conntrack" "$r/proc/net/stat/"
	cp "$FIX/procfs/proc/net/dev" "$r/proc/net/dev"
	echo "1000.00 1500.00" >"$r/proc/uptime"
	echo "4096	8192	16384" >"$r/proc/sys/net/ipv4/tcp_mem"
	echo 12 >"$r/proc/sys/net/netfilter/nf_conntrack_count"
	echo 65536 >"$r/proc/sys/net/netfilter/nf_conntrack_max"
	echo "$r"
}

# A link in /sys/class/net: NAME SPEED OPERSTATE CARRIER_CHANGES
sys_link() {
	local d=$1/sys/class/net/$2
	mkdir -p "$d"
	echo "$3" >"$d/speed"
	echo "$4" >"$d/operstate"
	echo "$5" >"$d/carrier_changes"
	echo full >"$d/duplex"
}

# `srebox CMD --root ROOT -i 1 ARGS`, the *.next files swapped in while it
# sleeps: two known readings one second apart.
two_samples() {
	local root=$1
	shift
	"$SREBOX" "$@" --root "$root" -i 1 -n 1 >"$BATS_TEST_TMPDIR/out" 2>"$BATS_TEST_TMPDIR/err" &
	local pid=$!
	sleep 0.5
	for f in "$root"/proc/net/*.next "$root"/proc/uptime.next; do
		[ -f "$f" ] && mv "$f" "${f%.next}"
	done
	wait $pid && status=0 || status=$?
	output=$(cat "$BATS_TEST_TMPDIR/out")
}

finding() { jq -e --arg c "$1" '[.findings[] | select(.check == $c)][0]'; }

@test "counters equal node_exporter's own for its snapshot; procfs's interfaces are all there" {
	root=$(net_root)
	run sb net --root "$root" -i 0 -o json
	[ "$status" -eq 0 ]
	for k in Tcp_RetransSegs Tcp_OutSegs Tcp_ActiveOpens Tcp_PassiveOpens TcpExt_ListenDrops TcpExt_ListenOverflows Udp_RcvbufErrors Udp_InErrors; do
		want=$(ne_expected "node_netstat_$k" | cut -f2)
		got=$(jq -r --arg p "${k%%_*}" --arg c "${k#*_}" '.counters[] | select(.proto == $p and .counter == $c) | .value' <<<"$output")
		[ -n "$want" ] && [ "$got" = "$want" ] || die "$k: node_exporter $want, srebox $got"
	done
	for k in drop early_drop insert_failed search_restart; do
		want=$(ne_expected "node_nf_conntrack_stat_$k" | cut -f2)
		got=$(jq -r --arg c "$k" '.counters[] | select(.proto == "conntrack" and .counter == $c) | .value' <<<"$output")
		[ "$got" = "$want" ] || die "conntrack $k: node_exporter $want, srebox $got"
	done
	jq -e '[.interfaces[].interface] | sort == ["docker0", "eth0", "lo", "vethf345468"]' <<<"$output"
	# since boot: rates over the uptime
	jq -e '.interfaces[] | select(.interface == "eth0") | .rx_bytes_per_second == 874354.587' <<<"$output"
	jq -e '.softnet | length == 4' <<<"$output"
}

@test "since boot, a rise is reported, not judged; shares and the ratio are judged" {
	root=$(net_root)
	run sb net --root "$root" -i 0 -o json
	finding listen_drops <<<"$output" | jq -e '.state == "OK" and (.text | test("since boot.*judged over an interval"))'
	# node_exporter's snapshot: 227 retransmitted of 54915039 sent
	finding retrans <<<"$output" | jq -e '.state == "OK" and ((.value - 227 / 54915039 * 100) | fabs) < 1e-9
		and (.text | test("227 of 54915039 segments sent\\) since boot"))'
	# fewer than 500 sent: too few to judge, whatever the ratio
	sed -i '/^Tcp: [0-9]/s/ 54915039 227 / 400 227 /' "$root/proc/net/snmp"
	run sb net --root "$root" -i 0 -o json
	finding retrans <<<"$output" | jq -e '.state == "OK" and (.text | test("too few segments"))'
	sed -i '/^Tcp: [0-9]/s/ 400 227 / 600 227 /' "$root/proc/net/snmp"
	run sb net --root "$root" -i 0 -o json
	finding retrans <<<"$output" | jq -e '.state == "CRITICAL" and (.value | round) == 38'
}

@test "an interface that disappears is said, one that appears has no rates, neither is 0" {
	root=$(net_root)
	{ dev_head; dev_line eth0 1000 10 0 0 1000 10 0 0; dev_line veth1 500 5 0 0 500 5 0 0; } >"$root/proc/net/dev"
	{ dev_head; dev_line eth0 2000 20 0 0 3000 30 0 0; dev_line veth2 100 1 0 0 100 1 0 0; } >"$root/proc/net/dev.next"
	echo "1001.00 1500.00" >"$root/proc/uptime.next"
	two_samples "$root" net -o json
	[ "$status" -eq 0 ] || die "$output $(cat "$BATS_TEST_TMPDIR/err")"
	jq -e '.interfaces[] | select(.interface == "veth1") | .operstate == "gone"
		and .rx_bytes_per_second == null and (.unknown.rx_bytes_per_second | test("disappeared"))' <<<"$output"
	jq -e '.interfaces[] | select(.interface == "veth2") | .rx_bytes_per_second == null
		and (.unknown.rx_bytes_per_second | test("appeared during the interval"))' <<<"$output"
	jq -e '.interfaces[] | select(.interface == "eth0") | .rx_bytes_per_second > 900 and .rx_bytes_per_second < 1100' <<<"$output"
	finding net_drops <<<"$output" | jq -e '.state == "OK" and (.text | test("gone during the interval: veth1"))'
}

@test "a counter that goes backwards (interface re-created, 32-bit wrap) is unknown with the reason" {
	root=$(net_root)
	{ dev_head; dev_line eth0 4294967000 100 0 0 1000 10 0 0; } >"$root/proc/net/dev"
	{ dev_head; dev_line eth0 200 110 0 0 2000 20 0 0; } >"$root/proc/net/dev.next"
	echo "1001.00 1500.00" >"$root/proc/uptime.next"
	two_samples "$root" net -o json
	jq -e '.interfaces[] | select(.interface == "eth0") | .rx_bytes_per_second == null and .tx_packets_per_second == null
		and (.unknown.rx_bytes_per_second | test("went backwards"))' <<<"$output"
	# the only interface cannot be judged: unknown, exit 3
	[ "$status" -eq 3 ]
	finding net_errors <<<"$output" | jq -e '.state == "UNKNOWN" and (.text | test("eth0 \\(a counter went backwards"))'
}

@test "snmp with fields of a future kernel: the known ones are read, the new ones kept" {
	root=$(net_root)
	sed -i -e '/^Tcp: RtoAlgorithm/s/$/ FutureThing/' -e '/^Tcp: [0-9]/s/$/ 42/' "$root/proc/net/snmp"
	run sb net --root "$root" -i 0 -o json
	[ "$status" -eq 0 ]
	jq -e '.counters[] | select(.counter == "RetransSegs") | .value == 227' <<<"$output"
}

@test "bad input: a garbage /proc/net/dev names the file and exits 3" {
	root=$(net_root)
	printf 'not a dev file\n' >"$root/proc/net/dev"
	run sb net --root "$root" -i 0
	[ "$status" -eq 3 ]
	[[ $output == *"$root/proc/net/dev"*"header"* ]]
}

# Shares around the thresholds, over two readings one second apart.
@test "errors and drops: judged as a share of packets, with a minimum count, the interface named" {
	root=$(net_root)
	{ dev_head; dev_line eth0 0 0 0 0 0 0 0 0; dev_line eth1 0 0 0 0 0 0 0 0; dev_line eth2 0 0 0 0 0 0 0 0; } >"$root/proc/net/dev"
	# eth0: 50 errors in 1000 packets (4.8%); eth1: 5 errors in 20 (too few
	# to judge); eth2: 3000 drops in 100000 packets (2.9%)
	{ dev_head; dev_line eth0 100000 990 50 0 100 10 0 0; dev_line eth1 100 15 5 0 0 0 0 0
	  dev_line eth2 1000000 100000 0 3000 0 0 0 0; } >"$root/proc/net/dev.next"
	echo "1001.00 1500.00" >"$root/proc/uptime.next"
	two_samples "$root" net -o json
	[ "$status" -eq 1 ] || die "status $status: $output"
	finding net_errors <<<"$output" | jq -e '.state == "WARNING" and (.value * 100 | round) == 476
		and (.who | length) == 1 and .who[0].kind == "interface" and .who[0].name == "eth0"
		and (.text | test("who: eth0 4.8%"))'
	finding net_drops <<<"$output" | jq -e '.state == "WARNING" and .who[0].name == "eth2"'
	# five interfaces with errors: the worst three are named, worst first
	{ dev_head; for i in 1 2 3 4 5; do dev_line "eth$i" 0 0 0 0 0 0 0 0; done; } >"$root/proc/net/dev"
	{ dev_head; dev_line eth1 0 1000 20 0 0 0 0 0; dev_line eth2 0 1000 80 0 0 0 0 0
	  dev_line eth3 0 1000 40 0 0 0 0 0; dev_line eth4 0 1000 60 0 0 0 0 0; dev_line eth5 0 1000 30 0 0 0 0 0; } >"$root/proc/net/dev.next"
	echo "1000.00 1500.00" >"$root/proc/uptime"
	echo "1001.00 1500.00" >"$root/proc/uptime.next"
	two_samples "$root" net -o json
	finding net_errors <<<"$output" | jq -e '[.who[].name] == ["eth2", "eth4", "eth3"]'
}

@test "300 veths are one row naming the member with drops; -a and -o wide list each" {
	root=$(net_root)
	python3 - "$root" <<'PY'
import sys
r = sys.argv[1]
head = open(r + "/proc/net/dev").read().splitlines()[:2]
for name, k in (("dev", 0), ("dev.next", 1)):
    with open(f"{r}/proc/net/{name}", "w") as f:
        f.write("\n".join(head) + "\n")
        f.write(f"eth0: {1000+k*5000} {10+k*50} 0 0 0 0 0 0 {1000+k*5000} {10+k*50} 0 0 0 0 0 0\n")
        for i in range(300):
            drop = 7 * k if i == 17 else 0
            f.write(f"veth{i:04x}: {100+k*100} {1+k} 0 {drop} 0 0 0 0 {100+k*100} {1+k} 0 0 0 0 0 0\n")
PY
	for i in 0 1 2; do sys_link "$root" "veth000$i" -1 up 2; done
	echo "1001.00 1500.00" >"$root/proc/uptime.next"
	two_samples "$root" net
	[ "$(grep -c '^veth' <<<"$output")" -eq 1 ] || die "$output"
	grep -E '^veth\* +300 .*veth0011 drops 7' <<<"$output"
	# 300 interfaces summed: 100 B/s each
	run sb net --root "$root" -i 0 -o json
	[ "$(jq '[.interfaces[] | select(.interface | startswith("veth"))] | length' <<<"$output")" -eq 300 ]
	run sb net --root "$root" -i 0 -a
	[ "$(grep -c '^veth' <<<"$output")" -eq 300 ]
}

@test "speed unknown on a virtual link is said; %util is sar's, the busier direction against the speed" {
	root=$(net_root)
	{ dev_head; dev_line eth0 0 0 0 0 0 0 0 0; dev_line veth0 0 0 0 0 0 0 0 0; } >"$root/proc/net/dev"
	# 12.5 MB/s received on 1000 Mb/s: 10%; 1.25 MB/s sent
	{ dev_head; dev_line eth0 12500000 10000 0 0 1250000 1000 0 0; dev_line veth0 100 1 0 0 100 1 0 0; } >"$root/proc/net/dev.next"
	echo "1001.00 1500.00" >"$root/proc/uptime.next"
	sys_link "$root" eth0 1000 up 3
	sys_link "$root" veth0 -1 up 0
	two_samples "$root" net -o json
	jq -e '.interfaces[] | select(.interface == "eth0") | .speed_mbps == 1000 and .operstate == "up"
		and .utilization_ratio > 0.09 and .utilization_ratio < 0.11 and .carrier_changes == 0' <<<"$output"
	jq -e '.interfaces[] | select(.interface == "veth0") | .utilization_ratio == null
		and (.unknown.speed_mbps | test("no speed"))' <<<"$output"
}

@test "health's network findings are net's over the same readings" {
	root=$(net_root)
	pair() {
		{ dev_head; dev_line eth0 0 0 0 0 0 0 0 0; } >"$root/proc/net/dev"
		{ dev_head; dev_line eth0 100000 990 50 0 100 10 0 0; } >"$root/proc/net/dev.next"
		echo "1000.00 1500.00" >"$root/proc/uptime"
		echo "1001.00 1500.00" >"$root/proc/uptime.next"
	}
	ours='["net_errors","net_drops","retrans","listen_drops","softnet_drops","conntrack_drops","udp_rcvbuf","tcp_mem"]'
	pick() { jq -c --argjson c "$ours" '[.findings[] | select(.check as $x | $c | index($x)) | {check, state, text, value, who}] | sort_by(.check)'; }
	pair
	two_samples "$root" net -o json
	pick <<<"$output" >"$BATS_TEST_TMPDIR/net"
	pair
	two_samples "$root" health -o json
	pick <<<"$output" >"$BATS_TEST_TMPDIR/health"
	[ "$(jq length "$BATS_TEST_TMPDIR/net")" -eq 8 ]
	grep -q WARNING "$BATS_TEST_TMPDIR/net"
	diff "$BATS_TEST_TMPDIR/net" "$BATS_TEST_TMPDIR/health"
}

# --- live, in network namespaces -------------------------------------------

need_netns() {
	[ "$(id -u)" -eq 0 ] || skip "not root: network namespaces need CAP_SYS_ADMIN"
	command -v ip >/dev/null || skip "no ip (iproute2)"
	command -v nft >/dev/null || skip "no nft (nftables)"
	NSA=sbxa$$_$BATS_TEST_NUMBER
	NSB=sbxb$$_$BATS_TEST_NUMBER
	ip netns add "$NSA" || skip "cannot create a network namespace"
	ip netns add "$NSB"
	ip link add va netns "$NSA" type veth peer name vb netns "$NSB" || skip "no veth"
	ip -n "$NSA" addr add 10.77.0.1/24 dev va
	ip -n "$NSB" addr add 10.77.0.2/24 dev vb
	for ns in "$NSA" "$NSB"; do
		ip -n "$ns" link set lo up
	done
	ip -n "$NSA" link set va up
	ip -n "$NSB" link set vb up
}

teardown() {
	for p in ${BG_PIDS:-}; do kill "$p" 2>/dev/null || true; done
	# the test's own processes still in its namespaces, by pid
	for ns in ${NSA:-} ${NSB:-}; do
		for p in $(ip netns pids "$ns" 2>/dev/null); do kill "$p" 2>/dev/null || true; done
		ip netns del "$ns" 2>/dev/null || true
	done
}

# Drop PCT% of the data segments to port 5001 arriving in NSB, at random
# (not the SYN or bare ACKs: a lost SYN would stall the start by a second).
lossy() {
	ip netns exec "$NSB" nft -f - <<EOF
table inet sbxloss {
	chain input {
		type filter hook input priority 0;
		tcp dport 5001 meta length > 200 numgen random mod 100 < $1 drop
	}
}
EOF
}

# A server in NSB that reads until EOF; a client in NSA that sends $1
# bytes, in chunks of $2 bytes $3 s apart.
transfer() {
	ip netns exec "$NSB" timeout 60 python3 -c '
import socket, sys
s = socket.socket(); s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind(("10.77.0.2", 5001)); s.listen(1)
open(sys.argv[1], "w").close()
c, _ = s.accept()
while c.recv(65536): pass
c.close()' "$BATS_TEST_TMPDIR/listening" &
	BG_PIDS="$BG_PIDS $!"
	# connect once it listens (python starts slowly on a busy machine: a
	# fixed sleep let the client meet a refused connection)
	for _ in $(seq 200); do [ -e "$BATS_TEST_TMPDIR/listening" ] && break; sleep 0.1; done
	[ -e "$BATS_TEST_TMPDIR/listening" ] || die "the transfer's server did not listen in 20 s"
	rm -f "$BATS_TEST_TMPDIR/listening"
	ip netns exec "$NSA" timeout 60 python3 -c '
import socket, sys, time
n, chunk, pause = int(sys.argv[1]), int(sys.argv[2]), float(sys.argv[3])
s = socket.create_connection(("10.77.0.2", 5001))
open(sys.argv[4], "w").close()
sent = 0
while sent < n:
    s.sendall(b"x" * chunk); sent += chunk
    time.sleep(pause)
s.shutdown(socket.SHUT_WR); s.recv(1); s.close()' "$@" "$BATS_TEST_TMPDIR/connected"
}

# Wait until transfer's client is connected.
connected() {
	for _ in $(seq 200); do [ -e "$BATS_TEST_TMPDIR/connected" ] && return 0; sleep 0.1; done
	die "the transfer did not connect in 20 s"
}

# A transfer through NSB's lossy rule; then net and health in NSA, each
# against the namespace's counters read just before and just after it.
lossy_transfer_judged() {
	transfer 4000000 65536 0 || return 1
	# a FIN the rule dropped is sent again after the client exits: wait
	# until the namespace's counters stop moving, and read them again
	# after each srebox run, so a late retransmission brackets its value
	ratio() { ip netns exec "$NSA" nstat -az TcpRetransSegs TcpOutSegs | awk '/TcpOutSegs/ {o=$2} /TcpRetransSegs/ {r=$2} END {printf "%.6f", r / o * 100}'; }
	local prev= want after
	for _ in $(seq 20); do
		want=$(ratio)
		[ "$want" = "$prev" ] && break
		prev=$want
		sleep 0.5
	done
	run ip netns exec "$NSA" "$SREBOX" net -i 0 -o json
	after=$(ratio)
	finding retrans <<<"$output" | jq -e --argjson w "$want" --argjson a "$after" '(.state == "WARNING" or .state == "CRITICAL")
		and .value > ([$w, $a] | min) - 0.001 and .value < ([$w, $a] | max) + 0.001 and .value >= 2' >/dev/null || {
		echo "# net: want $want% to $after%: $(finding retrans <<<"$output" | jq -c .)" >&3
		return 1
	}
	# health in the namespace: the same verdict
	want=$after
	run ip netns exec "$NSA" "$SREBOX" health -i 0 -o json
	after=$(ratio)
	finding retrans <<<"$output" | jq -e --argjson w "$want" --argjson a "$after" '.state != "OK"
		and .value > ([$w, $a] | min) - 0.001 and .value < ([$w, $a] | max) + 0.001' >/dev/null || {
		echo "# health: want $want% to $after%: $(finding retrans <<<"$output" | jq -c .)" >&3
		return 1
	}
}

@test "live: a transfer through a lossy path retransmits, and retrans goes non-OK with the kernel's own counts" {
	need_netns
	lossy 10
	# it failed once in a CI run that kept no output of it; each attempt
	# says what it saw, and a second transfer (the same namespace, its
	# counters since the first) must pass whole
	lossy_transfer_judged || { echo "# again, after a failed attempt" >&3; lossy_transfer_judged; }
}

@test "live: over an interval, while the transfer runs" {
	need_netns
	# 24 MB in 800 chunks 10 ms apart: 8 s or more, the 1 s samples inside it
	lossy 10
	transfer 24000000 30000 0.01 &
	tp=$!
	BG_PIDS="$BG_PIDS $tp"
	connected
	sleep 0.2
	# on a loaded machine (the sanitizer build, other suites) a second may
	# carry fewer than the 500 segments the check needs, and with 10% loss
	# a retransmission's own loss backs the sender off for a second or more
	# (CI once saw three such seconds in a row, 0 segments in the last):
	# sample again while the transfer lasts, rather than judge a second too
	# thin to judge
	for _ in $(seq 8); do
		run ip netns exec "$NSA" "$SREBOX" net -i 1 -n 1 -o json
		finding retrans <<<"$output" | jq -e '.text | test("too few segments")' >/dev/null || break
		kill -0 "$tp" 2>/dev/null || break
	done
	finding retrans <<<"$output" | jq -e '.state != "OK" and .value >= 2 and (.text | test("over 1\\.0s"))' ||
		die "$(jq -c '.findings' <<<"$output")"
	# the connection that retransmits, and the client that holds it
	finding retrans <<<"$output" | jq -e 'any(.who[]; .kind == "socket" and (.name | test("^10\\.77\\.0\\.1:[0-9]+ > 10\\.77\\.0\\.2:5001 [0-9]+ retransmitted$")))
		and any(.who[]; .kind == "process" and .name == "python3" and .pid > 0)'
	jq -e '.counters[] | select(.counter == "RetransSegs") | .rate_per_second > 0' <<<"$output"
	jq -e '.interfaces[] | select(.interface == "va") | .tx_packets_per_second > 10' <<<"$output"
}

@test "live: a listener that never accepts overflows, and is named with its process" {
	need_netns
	ip netns exec "$NSA" python3 -c '
import os, socket, sys, time
s = socket.socket(); s.bind(("127.0.0.1", 0)); s.listen(1)
open(sys.argv[1], "w").write("%d %d\n" % (os.getpid(), s.getsockname()[1]))
time.sleep(30)' "$BATS_TEST_TMPDIR/listener" &
	BG_PIDS="$BG_PIDS $!"
	for _ in $(seq 50); do [ -s "$BATS_TEST_TMPDIR/listener" ] && break; sleep 0.1; done
	read -r lpid port <"$BATS_TEST_TMPDIR/listener"
	ip netns exec "$NSA" timeout 20 python3 -c '
import socket, sys, time
port = int(sys.argv[1]); socks = []
end = time.time() + 6
while time.time() < end:
    for _ in range(10):
        c = socket.socket(); c.setblocking(False); c.connect_ex(("127.0.0.1", port)); socks.append(c)
    time.sleep(0.2)' "$port" &
	BG_PIDS="$BG_PIDS $!"
	sleep 1
	run ip netns exec "$NSA" "$SREBOX" net -i 2 -n 1 -o json
	finding listen_drops <<<"$output" | jq -e --arg a "127.0.0.1:$port" --argjson p "$lpid" '
		.state == "WARNING" and .value > 0
		and any(.who[]; .kind == "socket" and (.name | startswith($a + " accept queue")))
		and any(.who[]; .kind == "process" and .pid == $p and .name == "python3")'
	jq -e '.counters[] | select(.counter == "ListenOverflows") | .rate_per_second > 0' <<<"$output"
}

@test "live: memory stays flat from 3 to 300 veth pairs" {
	need_netns
	command -v /usr/bin/time >/dev/null || skip "no /usr/bin/time"
	rss() {
		/usr/bin/time -f %M -o "$BATS_TEST_TMPDIR/rss" ip netns exec "$1" "$SREBOX" net -i 0 -o json >/dev/null || true
		tail -1 "$BATS_TEST_TMPDIR/rss"
	}
	for i in 1 2 3; do ip -n "$NSB" link add "vx$i" type veth peer name "vy$i"; done
	small=$(rss "$NSB")
	seq 4 300 | sed 's/.*/link add vx& type veth peer name vy&/' | ip -n "$NSB" -batch -
	run ip netns exec "$NSB" "$SREBOX" net -i 0 -o json
	[ "$(jq '.interfaces | length' <<<"$output")" -ge 600 ]
	big=$(rss "$NSB")
	echo "max RSS: $small KiB with 3 pairs, $big KiB with 300" >&3
	[ "$big" -lt $((small * 2)) ] || die "RSS $small KiB -> $big KiB"
}

# rising CMD...: wait (up to 20 s) until the number CMD prints has grown
rising() {
	local v0 v
	v0=$("$@") || die "$*: failed"
	for _ in $(seq 200); do
		v=$("$@") && [ "$v" -gt "$v0" ] && return 0
		sleep 0.1
	done
	die "$*: stayed at $v0"
}

@test "live: frames of an unknown protocol are receive drops, judged as a share and the interface named" {
	need_netns
	# 1200 frames of an unused EtherType over 2 s: the kernel takes them
	# (rx packets) and drops them (rx_dropped), as a NIC on a busy LAN does
	ip netns exec "$NSA" timeout 20 python3 -c '
import socket, time
s = socket.socket(socket.AF_PACKET, socket.SOCK_RAW); s.bind(("va", 0))
frame = b"\xff" * 6 + b"\x02" * 6 + b"\x88\xb5" + b"\x00" * 50
for i in range(6000):
    s.send(frame); time.sleep(1 / 600)' &
	BG_PIDS="$BG_PIDS $!"
	# sample once the drops have begun (python starts slowly on a busy machine)
	rising ip netns exec "$NSB" cat /sys/class/net/vb/statistics/rx_dropped
	run ip netns exec "$NSB" "$SREBOX" net -i 1 -n 1 -o json
	finding net_drops <<<"$output" | jq -e '(.state == "WARNING" or .state == "CRITICAL")
		and .who[0].kind == "interface" and .who[0].name == "vb" and (.text | test("^interface drops: vb "))'
	jq -e '.interfaces[] | select(.interface == "vb") | .rx_drops_per_second > 100' <<<"$output"
}

@test "live: a UDP socket that never reads overflows its receive buffer" {
	need_netns
	ip netns exec "$NSA" timeout 20 python3 -c '
import socket, time
r = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
r.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 2048); r.bind(("127.0.0.1", 5002))
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
for i in range(8000):
    s.sendto(b"x" * 1000, ("127.0.0.1", 5002)); time.sleep(1 / 800)' &
	BG_PIDS="$BG_PIDS $!"
	rising ip netns exec "$NSA" awk '/^Udp:/ && !h { h = 1; next } /^Udp:/ { print $6 }' /proc/net/snmp
	run ip netns exec "$NSA" "$SREBOX" net -i 1 -n 1 -o json
	finding udp_rcvbuf <<<"$output" | jq -e '.state == "WARNING" and .value > 100
		and (.who[0].kind == "socket" and (.who[0].name | test("^127\\.0\\.0\\.1:5002 [0-9]+ dropped$")))
		and .who[1].kind == "process" and .who[1].name == "python3"'
	jq -e '.counters[] | select(.counter == "RcvbufErrors") | .rate_per_second > 100' <<<"$output"
}

# bump FILE PROTO KEY DELTA: add DELTA to PROTO KEY of a snmp-style file
bump() {
	python3 - "$@" <<'PY'
import sys
path, proto, key, delta = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4])
lines = open(path).read().splitlines()
for i in range(0, len(lines), 2):
    names, vals = lines[i].split(), lines[i + 1].split()
    if names[0] == proto + ":" and key in names:
        k = names.index(key)
        vals[k] = str(int(vals[k]) + delta)
        lines[i + 1] = " ".join(vals)
open(path, "w").write("\n".join(lines) + "\n")
PY
}

# hexbump IN OUT LINE COL:DELTA...: add to hex fields (1-based) of one line
hexbump() {
	python3 - "$@" <<'PY'
import sys
src, dst, line, *edits = sys.argv[1:]
lines = open(src).read().splitlines()
f = lines[int(line) - 1].split()
for e in edits:
    col, d = map(int, e.split(":"))
    f[col - 1] = "%08x" % (int(f[col - 1], 16) + d)
lines[int(line) - 1] = " ".join(f)
open(dst, "w").write("\n".join(lines) + "\n")
PY
}

@test "counters that must not rise: listen, softnet, conntrack and UDP drops, each named where it can be" {
	root=$(net_root)
	mkdir -p "$root/proc/net"
	cp "$FIX/procfs/proc/net/tcp" "$root/proc/net/tcp"
	for f in netstat snmp; do cp "$root/proc/net/$f" "$root/proc/net/$f.next"; done
	bump "$root/proc/net/netstat.next" TcpExt ListenDrops 30
	bump "$root/proc/net/netstat.next" TcpExt ListenOverflows 30
	bump "$root/proc/net/snmp.next" Udp RcvbufErrors 40
	# CPU1 drops 50 and is squeezed 7 times more; conntrack drops 5 on CPU1
	hexbump "$root/proc/net/softnet_stat" "$root/proc/net/softnet_stat.next" 2 2:50 3:7
	hexbump "$root/proc/net/stat/nf_conntrack" "$root/proc/net/nfct.next" 3 11:5
	echo "1001.00 1500.00" >"$root/proc/uptime.next"
	"$SREBOX" net --root "$root" -i 1 -n 1 -o json >"$BATS_TEST_TMPDIR/out" &
	pid=$!
	sleep 0.5
	for f in netstat snmp softnet_stat; do mv "$root/proc/net/$f.next" "$root/proc/net/$f"; done
	mv "$root/proc/net/nfct.next" "$root/proc/net/stat/nf_conntrack"
	mv "$root/proc/uptime.next" "$root/proc/uptime"
	wait $pid || true
	output=$(cat "$BATS_TEST_TMPDIR/out")
	finding listen_drops <<<"$output" | jq -e '.state == "WARNING" and .value > 25 and .value < 35
		and (.text | test("30 of them accept-queue overflows"))
		and any(.who[]; .kind == "socket" and (.name | test("^10\\.0\\.0\\.5:22 accept queue 1 of 0")))'
	finding softnet_drops <<<"$output" | jq -e '.state == "WARNING" and .who[0].kind == "cpu" and .who[0].name == "CPU1"
		and (.text | test("time_squeeze 7 in the interval"))'
	finding conntrack_drops <<<"$output" | jq -e '.state == "WARNING" and (.text | test("table 12 of 65536 entries"))'
	finding udp_rcvbuf <<<"$output" | jq -e '.state == "WARNING" and .value > 30'
	# no rise: OK
	run sb net --root "$root" -i 0 -o json
	finding softnet_drops <<<"$output" | jq -e '.state == "OK"'
}

# sar -n DEV,TCP,ETCP 2 1 and srebox net -i 2 in NSA, started together:
# true when their figures agree within 10%.
sar_and_srebox() {
	ip netns exec "$NSA" sar -n DEV,TCP,ETCP 2 1 >"$BATS_TEST_TMPDIR/sar" &
	local sarpid=$! rxpck txpck rxkb txkb oseg retrans
	run ip netns exec "$NSA" "$SREBOX" net -i 2 -n 1 -o json
	wait $sarpid
	# sar's Average lines: IFACE rxpck/s txpck/s rxkB/s txkB/s ...; oseg/s; retrans/s
	read -r rxpck txpck rxkb txkb < <(awk '$1 == "Average:" && $2 == "va" {print $3, $4, $5, $6}' "$BATS_TEST_TMPDIR/sar")
	oseg=$(awk '$1 == "Average:" && $2 == "active/s" {getline; print $5}' "$BATS_TEST_TMPDIR/sar")
	retrans=$(awk '$1 == "Average:" && $2 == "atmptf/s" {getline; print $4}' "$BATS_TEST_TMPDIR/sar")
	echo "# sar: va rxpck/s $rxpck txpck/s $txpck rxkB/s $rxkb txkB/s $txkb; oseg/s $oseg retrans/s $retrans" >&3
	jq -r '(.interfaces[] | select(.interface == "va") | "srebox: va rxpck/s \(.rx_packets_per_second) txpck/s \(.tx_packets_per_second) rxkB/s \(.rx_bytes_per_second / 1024) txkB/s \(.tx_bytes_per_second / 1024)"),
		([.counters[] | select(.counter == "OutSegs" or .counter == "RetransSegs") | "\(.counter)/s \(.rate_per_second)"] | join(" "))' <<<"$output" | sed "s/^/# /" >&3
	# the two read the same counters a few milliseconds apart: within 10%
	jq -e --argjson rx "$rxpck" --argjson tx "$txpck" --argjson txkb "$txkb" --argjson oseg "$oseg" --argjson re "$retrans" '
		def near($a; $b): (($a - $b) | fabs) <= 0.1 * ([$a, $b] | max) + 1;
		(.interfaces[] | select(.interface == "va")) as $i
		| ([.counters[] | {(.counter): .rate_per_second}] | add) as $c
		| near($i.rx_packets_per_second; $rx) and near($i.tx_packets_per_second; $tx)
		and near($i.tx_bytes_per_second / 1024; $txkb) and near($c.OutSegs; $oseg) and near($c.RetransSegs; $re)
		and $re > 0' <<<"$output" >/dev/null
}

@test "live: sar -n DEV,TCP,ETCP over the same interval gives the same figures" {
	need_netns
	command -v sar >/dev/null || skip "no sar (sysstat)"
	lossy 5
	# 24 MB, 20 kB every 5 ms: 6 s or more, room for two pairs of samples
	transfer 24000000 20000 0.005 &
	BG_PIDS="$BG_PIDS $!"
	connected
	sleep 0.2
	# the two start a few milliseconds apart, and on a loaded machine
	# more: a retransmission timeout in one window and not the other
	# tells them apart by a second of it.  A wrong figure is wrong in
	# every pair; a pair started too far apart is taken again, once.
	sar_and_srebox || { echo "# again: the windows differed" >&3; sar_and_srebox; }
}

@test "-o prom passes promtool's lint, every interface a labelled sample" {
	command -v promtool >/dev/null || skip "no promtool"
	root=$(net_root)
	run sb net --root "$root" -i 0 -o prom
	promtool check metrics <<<"$output"
	[ "$(grep -c '^srebox_net_rx_bytes_per_second{interface=' <<<"$output")" -eq 4 ]
}

@test "a FIFO where /proc/net/snmp should be, in a saved tree, is an error naming it, not a hang" {
	root=$(net_root)
	rm -f "$root/proc/net/snmp"
	mkfifo "$root/proc/net/snmp"
	run timeout 10 "$SREBOX" net --root "$root" -i 0 -o json
	[ "$status" -eq 3 ]
	finding retrans <<<"$output" | jq -e '.state == "UNKNOWN" and (.text | test("proc/net/snmp: not a regular file \\(a FIFO\\)"))'
}

@test "a reader that goes away ends -n 0 quietly" {
	run bash -c "timeout 20 '$SREBOX' net -i 0.2 -n 0 -o json | head -c1; exit \${PIPESTATUS[0]}"
	[ "$status" -le 2 ] || die "exit $status: $output"
	[[ $output != *"Broken pipe"* ]]
}

@test "a saved tree that does not change is reported since boot, not as 0/s over the sample" {
	root=$(net_root)
	run sb net --root "$root" -o json
	[ "$status" -eq 0 ]
	jq -e '.since_boot == true and (.note | test("did not change"))
		and (.interfaces[] | select(.interface == "eth0") | .rx_bytes_per_second == 874354.587)' <<<"$output"
}

@test "live: top holds an interface's sysfs files open, and still sees it come up and go" {
	# held files are read again in place each sample: a stale read would
	# show d0 down to the end, and a deleted device must read as gone
	need_netns
	ip -n "$NSA" link add d0 type veth peer name d1 || skip "no veth"
	out=$BATS_TEST_TMPDIR/top.json
	ip netns exec "$NSA" "$SREBOX" top -b -o json -i 0.2 -n 0 >"$out" 2>"$BATS_TEST_TMPDIR/err" &
	BG_PIDS=$!
	frames_past() {
		for _ in $(seq 300); do
			[ "$(wc -l <"$out")" -ge "$1" ] && return 0
			sleep 0.1
		done
		die "only $(wc -l <"$out") samples: $(cat "$BATS_TEST_TMPDIR/err")"
	}
	frames_past 3
	ip -n "$NSA" link set d1 up
	ip -n "$NSA" link set d0 up
	frames_past $(($(wc -l <"$out") + 4))
	ip -n "$NSA" link del d0
	frames_past $(($(wc -l <"$out") + 3))
	kill "$BG_PIDS"
	wait "$BG_PIDS" || true
	states=$(jq -R -r 'fromjson? | [.panes.net[] | select(.interface == "d0") | .operstate][0] // "absent"' \
		"$out" | uniq | tr '\n' ' ')
	[[ $states =~ ^down\ (lowerlayerdown\ )?up\ gone\ absent\ $ ]] || die "d0 read as: $states"
}
