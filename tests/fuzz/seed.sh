#!/bin/sh
# Seed tests/fuzz/corpus/TARGET from the fixtures (ours and the team's
# real /proc, /sys, Kubernetes and kubeconfig snapshots): at most 24 files
# of at most 64 KiB each per target, named by their content's hash, so
# re-running adds nothing twice.  Run by hand when fixtures are added;
# the corpus is kept in git.  Inputs a fuzzer crashed on go in by hand
# (with a unit test saying what went wrong).
set -eu
cd "$(dirname "$0")/../.."
shared=${SHARED_FIXTURES:-../shared/fixtures}
[ -d "$shared" ] || shared=/work/shared/fixtures
out=tests/fuzz/corpus

seed() {			# seed TARGET FIND-ARGS...
	t=$1
	shift
	mkdir -p "$out/$t"
	find tests/fixtures "$shared" -type f -size -65k "$@" 2>/dev/null | sort | head -n 24 |
		while read -r f; do
			h=$(sha1sum <"$f" | cut -c1-16)
			cp "$f" "$out/$t/$h"
		done
	# and the shapes every parser must survive
	printf '' >"$out/$t/empty"
	printf 'garbage \001\377 line' >"$out/$t/garbage"
}

seed diskstats -name diskstats
seed netdev -path '*/net/dev'
seed netsnmp \( -path '*/net/snmp' -o -path '*/net/netstat' -o -path '*/net/snmp6' \)
seed sockstat -path '*/net/sockstat*'
seed softnet -name 'softnet_stat*'
seed interrupts -name interrupts
seed stat \( -path '*/proc/stat' -o -path '*/net/stat' -o -path 'tests/fixtures/*stat*' \) -name stat
seed task_status -name status -path '*/proc/*'
seed task_stat \( \( -name stat -o -name schedstat \) -path '*/proc/[0-9]*' -o -path '*/proc/schedstat' \)
seed loadavg \( -name loadavg -o -name uptime \)
seed kv \( -name meminfo -o -name vmstat \)
seed psi \( -path '*/pressure/*' -o -name file-nr \)
seed cpuinfo -name cpuinfo
seed mountinfo \( -name mountinfo -o -name mounts \)
seed cgroup \( -name cpu.stat -o -name cpu.max -o -name 'cpu.cfs_*' -o -name cgroup \)
seed kmsg \( -name kmsg -o -name 'dmesg*' \)
seed kmsgclass -path '*/kmsg/*.kmsg'
seed netconn \( -path '*/net/stat/nf_conntrack' -o -path '*/net/tcp' -o -path '*/net/tcp6' -o -path '*/net/udp' \)
seed procio -path '*/proc/[0-9]*/io'
seed cpulist \( -name online -o -name possible -o -name smp_affinity_list \)
seed json -name '*.json'
seed yaml \( -name 'config*' -o -name '*kubeconfig*' -o -name '*.yaml' \)
seed cert \( -name '*.crt' -o -name '*.pem' \)
seed klog \( -name '*.log' -o -name '*.log.in' \)
seed kuberules \( -name 'iptables-save*' -o -name 'nft-ruleset*' \)
mkdir -p "$out/scalars"
for s in 100Mi 1.5Gi 250m 1e3 2E 8Ei 0.5 -1 '10:' '@10:20' '~:5' 2024-03-01T12:00:00Z \
	2024-03-01T12:00:00.123456+02:00 1h30m 250ms 'aGVsbG8=' 18446744073709551616 nan inf; do
	printf '%s' "$s" >"$out/scalars/$(printf '%s' "$s" | sha1sum | cut -c1-16)"
done
printf '' >"$out/scalars/empty"
