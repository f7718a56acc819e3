# srebox net against the tools it replaces: since boot (-i 0) against
# `sar -n DEV 0` (sysstat's since-boot report), `ip -s link`, and the whole
# checklist line (sar -n DEV,EDEV,TCP,ETCP, ss -s) it stands for; then the
# same inside a network namespace holding 300 veth pairs (600 interfaces),
# where the table folds them into one row.
bench_pair "net (live) vs sar -n DEV 0" "$SREBOX net -i 0" "sar -n DEV 0"
bench_pair "net (live) vs ip -s link" "$SREBOX net -i 0" "ip -s link"
bench_pair "net (live) vs sar DEV,EDEV,TCP,ETCP+ss" "$SREBOX net -i 0" \
	"sh -c 'sar -n DEV,EDEV,TCP,ETCP 0; ss -s'"
if [ "$(id -u)" -eq 0 ] && command -v ip >/dev/null; then
	ns=sbxbench$$
	if ip netns add "$ns" 2>/dev/null; then
		seq 1 300 | sed 's/.*/link add vx& type veth peer name vy&/' | ip -n "$ns" -batch -
		echo "# netns $ns: $(ip -n "$ns" -o link | wc -l) interfaces" >&2
		bench_pair "net 600 ifaces vs sar -n DEV 0" "ip netns exec $ns $SREBOX net -i 0" \
			"ip netns exec $ns sar -n DEV 0"
		bench_pair "net 600 ifaces -o json vs ip -s link" \
			"ip netns exec $ns $SREBOX net -i 0 -o json" "ip netns exec $ns ip -s link"
		ip netns del "$ns"
	else
		echo "net: no network namespace: the 600-interface rows are skipped" >&2
	fi
fi
