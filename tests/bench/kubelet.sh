# srebox kubelet and cni against the commands of the NotReady runbook they
# replace, where those really run here: the kubelet's errors of the last
# hour grouped from a journal of 20,000 kubelet entries (written by
# systemd-journal-remote, read by sd-journal) against `journalctl -u
# kubelet | grep | sort | uniq -c`; the same from a log file against grep,
# sed and uniq; kube-proxy's rules of 2,000 services loaded into a network
# namespace against `nft list ruleset | grep -c`.  No systemd runs here, so
# `systemctl status kubelet` has no row.
kubelet_bench() {
	local d ns
	d=$(mktemp -d)
	python3 - "$(date +%s%6N)" "$SREBOX_TESTS/fixtures/kubelet/kubelet.log.in" "$d/log" >"$d/export" <<-'PY'
	import sys, time
	now, tmpl, logf = int(sys.argv[1]), sys.argv[2], sys.argv[3]
	lines = [l.rstrip("\n") for l in open(tmpl)]
	log = open(logf, "w")
	for i in range(20000):
	    t = now - 3000_000000 + i * 150_000
	    md = time.strftime("%m%d %H:%M:%S", time.gmtime(t / 1e6))
	    l = lines[i % len(lines)]
	    for k in range(5):
	        l = l.replace("@MD@ @T%d@" % k, md)
	    log.write(l + "\n")
	    sys.stdout.write("__REALTIME_TIMESTAMP=%d\n__MONOTONIC_TIMESTAMP=%d\n_BOOT_ID=0123456789abcdef0123456789abcdef\n"
	                     "_SYSTEMD_UNIT=kubelet.service\nPRIORITY=6\nMESSAGE=%s\n\n" % (t, 1000 + i, l))
	PY
	mkdir -p "$d/bin"
	printf '#!/bin/sh\necho LoadState=loaded\necho ActiveState=active\necho SubState=running\necho NRestarts=0\n' >"$d/bin/systemctl"
	chmod +x "$d/bin/systemctl"
	if [ -x /lib/systemd/systemd-journal-remote ] && /lib/systemd/systemd-journal-remote -o "$d/k.journal" - <"$d/export" 2>/dev/null; then
		bench_pair "kubelet journal errors vs journalctl" \
			"env PATH=$d/bin:$PATH $SREBOX kubelet -o json --journal $d/k.journal --pki $d --config /dev/null" \
			"sh -c \"journalctl --file $d/k.journal -u kubelet.service --since -1h -o cat | grep '^E' | sed 's/^[^]]*] //; s/\\\" .*/\\\"/' | sort | uniq -c | sort -rn | head\""
	else
		echo "# kubelet: systemd-journal-remote missing: no journal row" >&2
	fi
	bench_pair "kubelet log errors vs grep|uniq" \
		"env PATH=$d/bin:$PATH $SREBOX kubelet -o json --log $d/log --pki $d --config /dev/null" \
		"sh -c \"grep '^E' $d/log | sed 's/^[^]]*] //; s/\\\" .*/\\\"/' | sort | uniq -c | sort -rn | head\""
	if [ "$(id -u)" -eq 0 ] && command -v nft >/dev/null; then
		ns=sbxbench$$
		if ip netns add "$ns" 2>/dev/null; then
			python3 - "$SREBOX_TESTS/fixtures/cni/nft-ruleset.txt" >"$d/rules.nft" <<-'PY'
			import sys
			base = open(sys.argv[1]).read()
			extra = []
			for i in range(2000):
			    extra.append("\tchain service-%08X-ns%d/svc%d/tcp/http {\n\t\tip daddr 10.96.%d.%d tcp dport 80 ip saddr != 10.244.0.0/16 jump mark-for-masquerade\n"
			                 "\t\tnumgen random mod 1 vmap { 0 : goto endpoint-%08X-ns%d/svc%d/tcp/http__10.244.%d.%d/80 }\n\t}\n" % (i, i, i, i // 250, i % 250, i, i, i, i // 250, i % 250))
			    extra.append("\tchain endpoint-%08X-ns%d/svc%d/tcp/http__10.244.%d.%d/80 {\n\t\tmeta l4proto tcp dnat to 10.244.%d.%d:80\n\t}\n" % (i, i, i, i // 250, i % 250, i // 250, i % 250))
			i = base.index("\tchain mark-for-masquerade {")
			sys.stdout.write(base[:i] + "".join(extra) + base[i:])
			PY
			if ip netns exec "$ns" nft -f "$d/rules.nft"; then
				bench_pair "cni 2000 services vs nft|grep -c" \
					"ip netns exec $ns $SREBOX cni --no-api -i 0 -t 5 -o json --cni-dir /nonexistent" \
					"ip netns exec $ns sh -c 'nft list ruleset | grep -c chain'"
			fi
			ip netns del "$ns"
		fi
	fi
	rm -rf "$d"
}
kubelet_bench
