#!/usr/bin/env bats
# srebox throttle: real CFS throttling made on this machine, node_exporter's
# thermal and cpufreq snapshots checked against its own expected output,
# Kubernetes cgroup trees of both drivers on cgroup v1 and v2, a hot
# power-capped server, an old kernel without the files, and bad input.

load lib
load cgroup

T=$FIX/throttle

# node_exporter's sys/class entries are symlinks that the fixture copy
# flattened into files holding the target: make them links again.
relink() {
	local f t
	for f in "$@"; do
		[ -f "$f" ] || continue
		t=$(cat "$f")
		rm "$f"
		ln -s "$t" "$f"
	done
}

# A copy of one of tests/fixtures/throttle/* that a test may change.
thr_copy() {
	local dst=$BATS_TEST_TMPDIR/root
	mkdir -p "$dst"
	cp -r "$T/$1/." "$dst/"
	chmod -R u+w "$dst"
	echo "$dst"
}

# Runs `srebox throttle --root ROOT -i 1 ARGS` and, half-way through the
# interval, `change ROOT`: the figures of the interval are then known.
changed_during() {
	local root=$1 change=$2
	shift 2
	"$SREBOX" throttle --root "$root" -i 1 "$@" >"$BATS_TEST_TMPDIR/out" 2>&1 &
	local pid=$!
	sleep 0.5
	"$change" "$root"
	wait $pid && status=0 || status=$?
	output=$(cat "$BATS_TEST_TMPDIR/out")
}

# --- node_exporter's snapshots -------------------------------------------

@test "thermal counts equal node_exporter's node_cpu_{core,package}_throttles_total" {
	run sb throttle --root "$FIX/node_exporter" -o json
	jq -r '.thermal[] | select(.level == "core") | "core=\(.core),package=\(.package)\t\(.total)"' \
		<<<"$output" | sort >"$BATS_TEST_TMPDIR/got"
	ne_expected node_cpu_core_throttles_total | sort >"$BATS_TEST_TMPDIR/want"
	[ "$(wc -l <"$BATS_TEST_TMPDIR/want")" -eq 4 ]
	diff "$BATS_TEST_TMPDIR/want" "$BATS_TEST_TMPDIR/got"
	jq -r '.thermal[] | select(.level == "package") | "package=\(.package)\t\(.total)"' \
		<<<"$output" | sort >"$BATS_TEST_TMPDIR/got"
	ne_expected node_cpu_package_throttles_total | sort >"$BATS_TEST_TMPDIR/want"
	[ "$(wc -l <"$BATS_TEST_TMPDIR/want")" -eq 2 ]
	diff "$BATS_TEST_TMPDIR/want" "$BATS_TEST_TMPDIR/got"
	# without -i, events since boot are shown, not judged
	jq -e '[.findings[] | select(.check == "thermal")][0] | .state == "OK"
		and (.text | test("14 core and 36 package throttle events since boot"))' <<<"$output"
}

@test "cpufreq values equal node_exporter's node_cpu_scaling_frequency_*_hertz" {
	run sb throttle --root "$FIX/node_exporter" -o json
	for pair in cur_mhz:node_cpu_scaling_frequency_hertz \
		scaling_max_mhz:node_cpu_scaling_frequency_max_hertz \
		scaling_min_mhz:node_cpu_scaling_frequency_min_hertz; do
		key=${pair%%:*}
		ne_expected "${pair#*:}" | sort >"$BATS_TEST_TMPDIR/want"
		[ "$(wc -l <"$BATS_TEST_TMPDIR/want")" -eq 4 ]
		jq -r --arg k "$key" '.cpus[] | select(.[$k] != null)
			| "cpu=\(.cpu)\t\(.[$k] * 1000000 | round)"' <<<"$output" | sort >"$BATS_TEST_TMPDIR/got"
		diff "$BATS_TEST_TMPDIR/want" "$BATS_TEST_TMPDIR/got"
	done
	jq -e '[.cpus[] | select(.governor)] | length == 4 and all(.governor == "powersave"
		and .driver == "intel_pstate")' <<<"$output"
	# no cpuinfo_max_freq in this tree: the kernel shows no maximum, said so
	jq -e '[.findings[] | select(.check == "freq")] | length == 1 and .[0].state == "OK"
		and .[0].value == null
		and (.[0].text | test("ceiling cannot be seen: CPU0 has no cpuinfo_max_freq"))' <<<"$output"
}

@test "without cpufreq, /proc/cpuinfo's cpu MHz equals node_cpu_frequency_hertz" {
	root=$(root_copy node_exporter)
	rm -rf "$root"/sys/devices/system/cpu/cpu*/cpufreq
	run sb throttle --root "$root" -o json
	jq -r '.cpus[] | select(.cur_mhz != null) | "cpu=\(.cpu)\t\(.cur_mhz * 1000000 | round)"' \
		<<<"$output" | sort >"$BATS_TEST_TMPDIR/got"
	ne_expected node_cpu_frequency_hertz | sed -E 's/core=[0-9]+,(cpu=[0-9]+),package=[0-9]+/\1/' |
		sort >"$BATS_TEST_TMPDIR/want"
	[ "$(wc -l <"$BATS_TEST_TMPDIR/want")" -eq 8 ]
	diff "$BATS_TEST_TMPDIR/want" "$BATS_TEST_TMPDIR/got"
	jq -e '[.findings[] | select(.check == "freq")][0] | .state == "OK"
		and (.text | test("no cpufreq.*800 MHz on 8 CPUs"))' <<<"$output"
}

@test "thermal zone and hwmon temperatures equal node_exporter's, through the class symlinks" {
	root=$(root_copy node_exporter)
	relink "$root"/sys/class/thermal/* "$root"/sys/class/hwmon/*
	run sb throttle --root "$root" -o json
	jq -e '[.sensors[] | select(.sensor == "thermal_zone0")][0]
		| .temp_celsius == 12.376 and .type == "cpu-thermal"' <<<"$output"
	# node_hwmon_temp_celsius names chips by device path: hwmon0 is
	# platform_coretemp_0, hwmon4 has no device
	jq -r '.sensors[] | select(.sensor | test("^hwmon[04]/"))
		| (.sensor | sub("hwmon0/"; "platform_coretemp_0 ") | sub("hwmon4/"; "hwmon4 "))
		| split(" ") | "chip=\(.[0]),sensor=\(.[1])"' <<<"$output" >"$BATS_TEST_TMPDIR/names"
	jq -r '.sensors[] | select(.sensor | test("^hwmon[04]/")) | .temp_celsius' <<<"$output" |
		paste "$BATS_TEST_TMPDIR/names" - | sort >"$BATS_TEST_TMPDIR/got"
	ne_expected node_hwmon_temp_celsius | grep -E 'chip=(platform_coretemp_0|hwmon4),' |
		sort >"$BATS_TEST_TMPDIR/want"
	[ "$(wc -l <"$BATS_TEST_TMPDIR/want")" -eq 7 ]
	diff "$BATS_TEST_TMPDIR/want" "$BATS_TEST_TMPDIR/got"
}

@test "procfs's tree: cpu0's policy found through affected_cpus, cpuinfo_cur_freq read" {
	# cpu0/cpufreq is a flattened symlink here: policy0 lists CPU 0
	run sb throttle --root "$FIX/procfs" -o json
	[ "$status" -eq 0 ]
	jq -e '[.cpus[] | select(.cpu == "0")][0] | .cur_mhz == 1219.917 and .hw_max_mhz == 2400
		and .cap_ratio == 1' <<<"$output"
	jq -e '[.cpus[] | select(.cpu == "1")][0] | .hw_cur_mhz == 1200.195
		and .scaling_max_mhz == 3300' <<<"$output"
	jq -e '[.thermal[] | select(.level == "package")][0].total == 34818' <<<"$output"
	# negative temperatures are temperatures
	jq -e '[.sensors[] | select(.type == "acpitz")][0].temp_celsius == -44' <<<"$output"
}

@test "root-only cpuinfo_cur_freq is unknown with the reason, not an error" {
	[ "$(id -u)" -eq 0 ] && command -v setpriv >/dev/null || skip "needs root and setpriv"
	root=$(mktemp -d /tmp/srebox-test.XXXXXX)
	cp -r "$T/hot-server/." "$root/"
	chmod -R a+rX "$root"
	chmod 400 "$root"/sys/devices/system/cpu/cpufreq/policy*/cpuinfo_cur_freq
	run setpriv --reuid=65534 --regid=65534 --clear-groups "$SREBOX" throttle --root "$root" -o json
	rm -rf "$root"
	jq -e '[.cpus[] | select(.cpu == "0")][0] | .hw_cur_mhz == null
		and (.unknown.hw_cur_mhz | test("cpuinfo_cur_freq: permission denied"))
		and .cur_mhz == 2100' <<<"$output"
	# the ceiling check does not need it
	jq -e '[.findings[] | select(.check == "freq")] | all(.state == "WARNING")' <<<"$output"
}

# --- a hot, power-capped server --------------------------------------------

@test "hot server: thermal events once per core and per package, offline CPU left out" {
	run sb throttle --root "$T/hot-server" -o json
	[ "$status" -eq 2 ]
	# cpu4 is cpu0's sibling (121 events): the core is counted once, from cpu0
	jq -e '[.thermal[] | select(.level == "core" and .package == 0 and .core == 0)]
		| length == 1 and .[0].total == 120 and .[0].cpu == 0
		and .[0].max_seconds == 0.85 and .[0].throttled_seconds == 15.3' <<<"$output"
	jq -e '[.thermal[] | select(.level == "core")] | length == 4 and ([.[].total] | add) == 130' <<<"$output"
	jq -e '[.thermal[] | select(.level == "package")] | length == 2 and ([.[].total] | add) == 47' <<<"$output"
	jq -e '.note | test("offline CPU 7: thermal counters read empty")' <<<"$output"
}

@test "hot server: bios_limit and scaling_max_freq ceilings, grouped by CPU" {
	run sb throttle --root "$T/hot-server" -o json
	jq -e '[.findings[] | select(.check == "freq")] | length == 2
		and (.[] | select(.subject == "0-1,4-5") | .state == "WARNING"
			and (.text | test("bios_limit 2100 MHz caps them at 60% of the hardware.s 3500 MHz \\(firmware or BMC power capping")))
		and (.[] | select(.subject == "2-3,6") | .text | test("scaling_max_freq 2800 MHz caps them at 80%"))' <<<"$output"
	# -w freq=70: only the bios_limit group is below
	run sb throttle --root "$T/hot-server" -w freq=70: -o json
	jq -e '[.findings[] | select(.check == "freq" and .state != "OK")] | length == 1
		and .[0].subject == "0-1,4-5" and .[0].value == 60' <<<"$output"
	run sb throttle --root "$T/hot-server" -w freq=50: -o json
	jq -e '[.findings[] | select(.check == "freq")] | length == 1 and .[0].state == "OK"
		and .[0].value == 60' <<<"$output"
}

@test "hot server: sensors at their own trip points, steal over 10%" {
	run sb throttle --root "$T/hot-server" -o json
	# crit_alarm or at/over crit: CRITICAL; at/over passive, hot or max: WARNING
	jq -e '[.findings[] | select(.check == "trip") | "\(.state) \(.subject)"] | sort
		== ["CRITICAL hwmon0/temp2", "WARNING hwmon0/temp1", "WARNING thermal_zone0"]' <<<"$output"
	# an active trip point (a fan) and a -273.15 placeholder are not trip points
	jq -e '[.sensors[] | select(.sensor == "thermal_zone1")][0] | .trip_celsius == null
		and .critical_celsius == 119' <<<"$output"
	jq -e '[.sensors[] | select(.sensor == "hwmon2/temp1")][0] | .type == "it8721"
		and .temp_celsius == 50' <<<"$output"
	jq -e '[.findings[] | select(.check == "steal")][0] | .state == "WARNING"
		and (.value * 10 | round) == 137' <<<"$output"
	jq -e '[.cpus[] | select(.cpu == "all")][0].steal_ratio > 0.136' <<<"$output"
	run sb throttle --root "$T/hot-server" -w steal=20 -o json
	jq -e '[.findings[] | select(.check == "steal")][0] | .state == "OK"
		and (.text | test("^steal: 13.7% of CPU time stolen by the hypervisor \\(average since boot\\); most on CPU2 \\(14.7%\\)"))' <<<"$output"
	run sb throttle --root "$T/hot-server" -c steal=13 -o check
	[ "$status" -eq 2 ]
	[[ $output == *"; noisy neighbour: 13.7% of CPU time stolen"* ]]
}

bump_thermal() {
	local d=$1/sys/devices/system/cpu
	echo 125 >"$d/cpu0/thermal_throttle/core_throttle_count"
	echo 16300 >"$d/cpu0/thermal_throttle/core_throttle_total_time_ms"
	for c in 0 1 4 5; do echo 46 >"$d/cpu$c/thermal_throttle/package_throttle_count"; done
}

@test "-i: thermal events during the interval are a warning, with their rate" {
	root=$(thr_copy hot-server)
	changed_during "$root" bump_thermal -o json
	[ "$status" -eq 2 ]
	jq -e '[.findings[] | select(.check == "thermal")][0] | .state == "WARNING"
		and .value == 6 and (.text | test("6 thermal throttle events in 1.0s \\(5 core, 1 package\\)"))' <<<"$output"
	jq -e '[.thermal[] | select(.level == "core" and .core == 0 and .package == 0)][0]
		| .events == 5 and .total == 125 and .throttled_seconds == 1
		and .events_per_second > 4 and .events_per_second < 6' <<<"$output"
	# nothing changed (a saved tree): since boot again, said, never "0 events"
	run sb throttle --root "$root" -i 0.2 -o json
	jq -e '[.findings[] | select(.check == "thermal")][0] | .state == "OK"
		and (.text | test("since boot"))' <<<"$output"
	jq -e '.since_boot and (.note | test("did not change in 0.2s \\(a saved copy\\?\\)"))' <<<"$output"
}

# --- Kubernetes cgroup trees ----------------------------------------------

@test "cgroup v2, systemd driver: ranked by throttled ratio, pods and containers named" {
	run sb throttle --root "$T/k8s-v2-systemd" -o json
	[ "$status" -eq 1 ]
	jq -e '[.cgroups[] | "\(.throttled_ratio) \(.qos) \(.container)"]
		== ["0.8 null null", "0.42 Burstable e798174fdf95", "0.3 Burstable null",
		    "0.06 Guaranteed fd1c8414e1fc", "0.05 Guaranteed null",
		    "0.05 Burstable 3fc6ad41d90c", "null null null"]' <<<"$output"
	jq -e '.cgroups[1] | .pod_uid == "8f2b5c1e-7d4a-4e0b-9c3f-2a6d1e8b4f70"
		and .runtime == "cri-containerd" and .limit_cpus == 0.5 and .throttled_periods == 8400
		and .periods == 20000 and .throttled_seconds == 1260
		and (.container_id | length) == 64' <<<"$output"
	jq -e '.cgroups[3] | .runtime == "crio" and .pod_uid == "c0ffee00-1111-4222-8333-444455556666"' <<<"$output"
	jq -e '.cgroups[0].cgroup == "/system.slice/backup.service" and .cgroups[0].pod_uid == null' <<<"$output"
	# the sandbox, conmon, BestEffort and unlimited cgroups have no limit
	jq -e '[.cgroups[].cgroup | select(test("pause|conmon|besteffort|kubelet"))] | length == 0' <<<"$output"
	jq -e '[.findings[] | select(.check == "cfs" and .state == "WARNING") | .subject]
		| length == 3 and (.[1] | test("cri-containerd-e798174fdf95"))' <<<"$output"
}

@test "the check line names the worst pod; thresholds move the line" {
	run sb throttle --root "$T/k8s-v2-systemd" -o check
	[ "$status" -eq 1 ]
	[[ $output == "SREBOX THROTTLE WARNING: cgroup /system.slice/backup.service: throttled in 80% of 3000 periods since creation, 216.0s throttled; pod 8f2b5c1e-7d4a-4e0b-9c3f-2a6d1e8b4f70 (Burstable) container e798174fdf95: throttled in 42%"* ]]
	# one perfdata per cgroup judged, labelled with the catalogue's id
	[[ $output == *"| cfs:/system.slice/backup.service=80%;25;;0;100 "* ]]
	run sb throttle --root "$T/k8s-v2-systemd" -w cfs=50 -c cfs=79 -o json
	[ "$status" -eq 2 ]
	jq -e '[.findings[] | select(.check == "cfs") | .state] == ["CRITICAL"]' <<<"$output"
	run sb throttle --root "$T/k8s-v2-systemd" -w cfs=90 -o json
	[ "$status" -eq 3 ]	# no /proc/stat in this tree: steal is unknown
	jq -e '[.findings[] | select(.check == "cfs")][0] | .state == "OK"
		and .value == 80
		and (.text | test("most throttled cgroup /system.slice/backup.service at 80% of 3000 periods since creation"))' <<<"$output"
}

@test "a pod with a log directory is named namespace/name, in the table, the findings and top" {
	cp -R "$T/k8s-v2-systemd" "$BATS_TEST_TMPDIR/r"
	mkdir -p "$BATS_TEST_TMPDIR/r/var/log/pods/shop_web-1_8f2b5c1e-7d4a-4e0b-9c3f-2a6d1e8b4f70"
	run sb throttle --root "$BATS_TEST_TMPDIR/r" -o json
	[ "$status" -eq 1 ]
	jq -e '.cgroups[1] | .pod == "shop/web-1" and .pod_uid == "8f2b5c1e-7d4a-4e0b-9c3f-2a6d1e8b4f70"' <<<"$output"
	# a pod no log directory names keeps its UID, as cpu shows it
	jq -e '.cgroups[3].pod == "uid c0ffee00-1111-4222-8333-444455556666" and .cgroups[0].pod == null' <<<"$output"
	jq -e '[.findings[] | select(.check == "cfs" and .state == "WARNING") | .text][1]
		| startswith("pod shop/web-1 (Burstable) container e798174fdf95: ")' <<<"$output"
	run sb top --root "$BATS_TEST_TMPDIR/r" -b -o json -n 1 -i 0.1
	jq -e '.panes.throttle[1].pod == "shop/web-1"' <<<"$output"
	run sb top --root "$BATS_TEST_TMPDIR/r" -b -n 1 -i 0.1
	[[ $output == *" Burstable  shop/web-1 "* ]]
}

@test "--sort time, -a, and CGROUP arguments that restrict the walk" {
	run sb throttle --root "$T/k8s-v2-systemd" -s time -o json
	jq -e '.cgroups[0].throttled_seconds == 1260 and .cgroups[1].throttled_seconds == 900' <<<"$output"
	run sb throttle --root "$T/k8s-v2-systemd" -o json kubepods.slice/nosuch.slice
	[ "$status" -eq 3 ]
	[[ $output == *"cgroup 'kubepods.slice/nosuch.slice': in no cgroup hierarchy with the cpu controller ($T/k8s-v2-systemd/sys/fs/cgroup)"* ]]
	run sb throttle --root "$T/k8s-v2-systemd" -o json /kubepods.slice
	jq -e '(.cgroups | length) == 5 and all(.cgroups[]; .pod_uid != null)' <<<"$output"
	run sb throttle --root "$T/k8s-v2-systemd" -o json kubepods.slice/kubepods-burstable.slice/ system.slice
	jq -e '(.cgroups | length) == 5 and .cgroups[0].cgroup == "/system.slice/backup.service"' <<<"$output"
}

@test "many throttled cgroups: the ten worst are findings, then a count; perfdata is the worst" {
	root=$(root_empty)
	cg=$root/sys/fs/cgroup
	mkdir -p "$cg"
	echo "cpu memory" >"$cg/cgroup.controllers"
	printf 'usage_usec 1\n' >"$cg/cpu.stat"
	for i in $(seq 1 13); do
		mkdir "$cg/job$i.service"
		echo "10000 100000" >"$cg/job$i.service/cpu.max"
		printf 'usage_usec 1\nnr_periods 100\nnr_throttled %d\nthrottled_usec %d\n' \
			$((30 + i)) $((i * 1000)) >"$cg/job$i.service/cpu.stat"
	done
	run sb throttle --root "$root" -c cfs=40 -s time -o json
	jq -e '[.findings[] | select(.check == "cfs")] | length == 11
		and .[0].state == "CRITICAL" and .[0].value == 43
		and (.[-1].text == "3 more cgroups over the threshold or unknown (srebox throttle -o json lists every cgroup)")
		and .[-1].state == "WARNING" and .[-1].subject == "others"' <<<"$output"
	# the findings are by throttled share, whatever --sort orders the table by
	jq -e '[.findings[] | select(.check == "cfs") | .value] | .[:10] == [43, 42, 41, 40, 39, 38, 37, 36, 35, 34]' <<<"$output"
	jq -e '(.cgroups | length) == 13 and .cgroups[0].cgroup == "/job13.service"' <<<"$output"
}

@test "cgroup v1, cgroupfs driver: throttled_time in ns, the cpu symlink walked once" {
	run sb throttle --root "$T/k8s-v1-cgroupfs" -o json
	[ "$status" -eq 1 ]
	jq -e '(.cgroups | length) == 5 and ([.cgroups[].cgroup] | unique | length) == 5' <<<"$output"
	jq -e '.cgroups[0] | .cgroup == "/kubepods/burstable/pod2c3d4e5f-6a7b-4c8d-9e0f-1a2b3c4d5e6f/f4ad9a0591023c28d871761e5ecfd375d6574e39ee56151a370fb4271d6e8df2"
		and .throttled_seconds == 2800 and .throttled_ratio == 0.35 and .qos == "Burstable"
		and .runtime == null and .limit_cpus == 1' <<<"$output"
	jq -e '[.cgroups[] | select(.qos == "Guaranteed")] | length == 2
		and .[0].pod_uid == "7e8f9a0b-1c2d-4e3f-8a5b-6c7d8e9f0a1b"' <<<"$output"
	# a plain docker container is not a pod
	jq -e '[.cgroups[] | select(.cgroup | startswith("/docker/"))][0]
		| .pod_uid == null and .throttled_seconds == 0.4' <<<"$output"
	# Prometheus counters and ratio
	run sb throttle --root "$T/k8s-v1-cgroupfs" -o prom
	grep -qF 'srebox_throttle_cgroup_throttled_seconds_total{pod_uid="2c3d4e5f-6a7b-4c8d-9e0f-1a2b3c4d5e6f",cgroup="/kubepods/burstable/pod2c3d4e5f-6a7b-4c8d-9e0f-1a2b3c4d5e6f"} 2400' <<<"$output"
	if command -v promtool >/dev/null; then
		promtool check metrics <<<"$output"
	fi
}

@test "cgroup v1, systemd driver: docker and containerd scopes" {
	run sb throttle --root "$T/k8s-v1-systemd" -o json
	jq -e '.cgroups[0] | .runtime == "docker" and .qos == "Burstable" and .throttled_ratio == 0.62
		and .pod_uid == "0d1e2f3a-4b5c-4d6e-9f7a-8b9c0d1e2f3a"' <<<"$output"
	jq -e '[.cgroups[] | select(.qos == "Guaranteed" and .runtime == "cri-containerd")] | length == 1' <<<"$output"
}

k8s_interval() {
	local pod=$1/sys/fs/cgroup/kubepods.slice/kubepods-burstable.slice/kubepods-burstable-pod8f2b5c1e_7d4a_4e0b_9c3f_2a6d1e8b4f70.slice
	local app=$pod/cri-containerd-e798174fdf957e50bf6a359de160152d916217aa69b98108678fc3f03e4a099c.scope
	local side=$pod/cri-containerd-3fc6ad41d90cf6c25c8b0c2c8d8d580dcbabf1ff447b641aadd725d9c85c5ce0.scope
	# 10 periods, all throttled, 0.9 s throttled
	printf 'usage_usec 9800100000\nnr_periods 20010\nnr_throttled 8410\nthrottled_usec 1260900000\n' >"$app/cpu.stat"
	# the sidecar restarted: a new cgroup (a new inode) under the same name
	mkdir "$side.new"
	printf '10000 100000\n' >"$side.new/cpu.max"
	printf 'usage_usec 10000\nnr_periods 4\nnr_throttled 1\nthrottled_usec 2000\n' >"$side.new/cpu.stat"
	rm -rf "$side"
	mv "$side.new" "$side"
	# the backup job's counters went backwards without a new cgroup
	printf 'usage_usec 1\nnr_periods 10\nnr_throttled 1\nthrottled_usec 1\n' \
		>"$1/sys/fs/cgroup/system.slice/backup.service/cpu.stat"
}

@test "-i: the interval's periods, a re-created cgroup from its creation, counters going backwards" {
	root=$(thr_copy k8s-v2-systemd)
	changed_during "$root" k8s_interval -o json
	jq -e '.cgroups[0] | .container == "e798174fdf95" and .throttled_ratio == 1
		and .periods == 10 and .throttled_periods == 10 and .throttled_seconds == 0.9
		and (.usage_cpus > 0.05 and .usage_cpus < 0.2) and .created_in_interval == false' <<<"$output"
	jq -e '[.cgroups[] | select(.container == "3fc6ad41d90c")][0]
		| .created_in_interval == true and .periods == 4 and .throttled_periods == 1' <<<"$output"
	jq -e '[.cgroups[] | select(.cgroup == "/system.slice/backup.service")][0]
		| .throttled_ratio == null and (.unknown.throttled_ratio | test("backwards"))' <<<"$output"
	# 4 periods of the new sidecar are fewer than --min-periods: not judged
	jq -e '[.findings[] | select(.check == "cfs" and .state == "WARNING")] | length == 1' <<<"$output"
}

# --- old kernels and bad input ---------------------------------------------

@test "an old kernel without the files: each source says what it lacks, exit 0" {
	run sb throttle --root "$T/old-kernel" -o json
	[ "$status" -eq 0 ]
	jq -e '[.findings[] | select(.check == "cfs")][0].text | test("kernel without CFS bandwidth control")' <<<"$output"
	jq -e '[.findings[] | select(.check == "thermal")][0].text | test("no thermal_throttle counters")' <<<"$output"
	jq -e '[.findings[] | select(.check == "freq")][0].text | test("no cpufreq.*2400 MHz on 2 CPUs")' <<<"$output"
	jq -e '[.findings[] | select(.check == "steal")][0].text | test("no steal column.*2.6.11")' <<<"$output"
	jq -e '[.cpus[] | select(.cpu == "all")][0] | .steal_ratio == null and .busy_ratio > 0.14
		and (.unknown.steal_ratio | test("2.6.11"))' <<<"$output"
	# nothing at all under the root
	root=$(root_empty)
	run sb throttle --root "$root" -o json
	[ "$status" -eq 3 ]
	jq -e '[.findings[] | select(.state == "UNKNOWN")] | length == 1
		and (.[0].text | test("/proc/stat: missing"))' <<<"$output"
	jq -e '[.findings[] | select(.check == "cfs")][0].text | test("no cgroup hierarchy with the cpu controller")' <<<"$output"
}

@test "bad input: garbage cpu.stat, cpu.max, /proc/stat and empty thermal files" {
	root=$(thr_copy k8s-v2-systemd)
	printf 'nr_periods lots\n' >"$root/sys/fs/cgroup/system.slice/backup.service/cpu.stat"
	printf 'max max\n' >"$root/sys/fs/cgroup/system.slice/idle-batch.service/cpu.max"
	run sb throttle --root "$root" -o json
	[ "$status" -eq 1 ]
	jq -e '[.findings[] | select(.state == "UNKNOWN" and .check == "cfs")][0].text
		| test("system.slice/backup.service/cpu.stat:1: expected .key value.")' <<<"$output"
	# the other cgroups are still ranked
	jq -e '.cgroups[0].container == "e798174fdf95"
		and ([.cgroups[].cgroup] | index("/system.slice/idle-batch.service")) == null' <<<"$output"
	for content in '' 'cpu  1 2\n' '\x00\x01\x02' 'cpu0 1 2 3 4 5 6 7 8\n'; do
		mkdir -p "$root/proc"
		printf "$content" >"$root/proc/stat"
		run sb throttle --root "$root" -o json
		jq -e '[.findings[] | select(.check == "steal")][0] | .state == "UNKNOWN"
			and (.text | contains("/proc/stat"))' <<<"$output" || die "$content: $output"
	done
	root=$(thr_copy hot-server)
	for f in "$root"/sys/devices/system/cpu/cpu*/thermal_throttle/core_throttle_count; do : >"$f"; done
	run sb throttle --root "$root" -o json
	jq -e '(.thermal | length) == 0 and (.note | test("offline CPU 0-7"))' <<<"$output"
	printf 'hot\n' >"$root/sys/class/thermal/thermal_zone0/temp"
	run sb throttle --root "$root" -o json
	jq -e '[.sensors[] | select(.sensor == "thermal_zone0")][0].unknown.temp_celsius
		| test("thermal_zone0/temp: not a number")' <<<"$output"
}

@test "usage errors exit 3 naming what was wrong" {
	run sb throttle --sort size
	[ "$status" -eq 3 ] && [[ $output == *"--sort: 'size' is not one of: ratio time"* ]]
	run sb throttle --min-periods -1
	[ "$status" -eq 3 ] && [[ $output == *"--min-periods"* ]]
	run sb throttle -w nosuch=5
	[ "$status" -eq 3 ] && [[ $output == *"unknown check 'nosuch'"* ]]
	run sb throttle -n 2
	[ "$status" -eq 3 ] && [[ $output == *"-n needs -i"* ]]
}

# --- live: real CFS throttling on this machine -----------------------------

teardown() {
	if [ -n "${BUSY:-}" ]; then
		kill -KILL "$BUSY" 2>/dev/null || true
		wait "$BUSY" 2>/dev/null || true
	fi
	cgroup_cleanup
}

# cpu.stat once it has stopped moving
settled_stat() {
	local a b
	a=$(cat "$1/cpu.stat")
	for _ in $(seq 40); do
		sleep 0.05
		b=$(cat "$1/cpu.stat")
		[ "$a" = "$b" ] && break
		a=$b
	done
	echo "$b"
}

@test "live: a busy loop under a 1 ms / 10 ms quota is ranked first, with cpu.stat's own counts" {
	name=srebox-test.$$.$BATS_TEST_NUMBER
	throttled_loop "$name"
	sleep 0.3
	# over an interval: throttled in (nearly) every period, a warning
	run sb throttle -i 0.3 -o json
	[ "$status" -eq 1 ] || [ "$status" -eq 2 ] || die "exit $status: $output"
	# first, or behind only cgroups more throttled still (another test's,
	# on a shared machine)
	jq -e --arg cg "/$name" '.cgroups as $c | ($c | map(.cgroup) | index($cg)) as $i
		| $i != null and ($c[$i] | .throttled_ratio > 0.8 and .periods >= 5 and .limit_cpus == 0.1)
		and all($c[:$i][]; .throttled_ratio >= $c[$i].throttled_ratio)' <<<"$output" ||
		die "not first: $(jq -c '.cgroups[:3]' <<<"$output")"
	jq -e --arg cg "/$name" '[.findings[] | select(.check == "cfs" and .subject == $cg)][0].state == "WARNING"' <<<"$output"
	# health judges it the same: the worst cgroup (ours, or one worse, and
	# ours among the others)
	run sb health -i 0.3 -o json
	jq -e --arg cg "/$name" '[.findings[] | select(.check == "cfs")]
		| .[0].state == "WARNING"
		and (.[0].subject == $cg or any(.[]; .subject == "others" and .state == "WARNING"))' <<<"$output" ||
		die "health: $(jq -c '[.findings[] | select(.check == "cfs")]' <<<"$output")"
	# frozen, the counters stop: srebox must say what cpu.stat says
	kill -STOP "$BUSY"
	stat=$(settled_stat "$CG")
	run sb throttle -i 0 -o json
	periods=$(awk '$1 == "nr_periods" {print $2}' <<<"$stat")
	throttled=$(awk '$1 == "nr_throttled" {print $2}' <<<"$stat")
	[ "$throttled" -gt 0 ]
	jq -e --arg cg "/$name" --argjson p "$periods" --argjson t "$throttled" \
		'[.cgroups[] | select(.cgroup == $cg)][0] | .periods == $p and .throttled_periods == $t
		 and .nr_throttled == $t' <<<"$output" ||
		die "cpu.stat says $periods/$throttled: $(jq -c '.cgroups[:2]' <<<"$output")"
	# and since creation, frozen, health's finding for it is throttle's
	want=$(jq -c --arg cg "/$name" '[.findings[] | select(.check == "cfs" and .subject == $cg)][0]' <<<"$output")
	[ "$(jq -r .state <<<"$want")" = WARNING ] || die "throttle: $want"
	run sb health -i 0 -o json
	got=$(jq -c '[.findings[] | select(.check == "cfs" and .subject != "others")][0]' <<<"$output")
	[ "$(jq -r .state <<<"$got")" = WARNING ] || die "health: $got"
	[ "$(jq -r .subject <<<"$got")" != "/$name" ] || [ "$got" = "$want" ] || die "health $got, throttle $want"
	# restricted to the test's own cgroup, the same figure
	run sb throttle -i 0 -o json "$name"
	jq -e --argjson t "$throttled" '(.cgroups | length) == 1 and .cgroups[0].throttled_periods == $t' <<<"$output"
}

@test "live -i: the CPUs' layout is read once, the moving figures every interval, as a fresh run reads them" {
	command -v strace >/dev/null && strace -o /dev/null true 2>/dev/null || skip "no strace, or ptrace not allowed"
	n=$(getconf _NPROCESSORS_CONF)
	ASAN_OPTIONS=${ASAN_OPTIONS:+$ASAN_OPTIONS:}detect_leaks=0 \
		strace -f -e trace=openat,open -o "$BATS_TEST_TMPDIR/s" "$SREBOX" throttle -i 0.2 -n 4 -o json \
		>"$BATS_TEST_TMPDIR/j" || true
	[ "$(jq -s length "$BATS_TEST_TMPDIR/j")" -eq 4 ] || die "$(head -c 500 "$BATS_TEST_TMPDIR/j")"
	# five readings: each CPU's topology (and /proc/cpuinfo, where there is
	# no cpufreq) once, not five times
	topo=$(grep -c 'topology/core_id"' "$BATS_TEST_TMPDIR/s" || true)
	info=$(grep -c '"/proc/cpuinfo"' "$BATS_TEST_TMPDIR/s" || true)
	[ "$topo" -le "$n" ] || die "$topo opens of topology/core_id for $n CPUs"
	[ "$info" -le 1 ] || die "$info opens of /proc/cpuinfo"
	# /proc/stat (steal) is read every interval
	st=$(grep -c '"/proc/stat"' "$BATS_TEST_TMPDIR/s" || true)
	[ "$st" -ge 5 ] || die "/proc/stat opened $st times over five readings"
	# and the kept layout says what a fresh run says
	run sb throttle -o json
	jq -c '[.findings[] | select(.check == "freq" or .check == "thermal") | [.check, .state, (.text | sub("[0-9.]+-?[0-9.]* MHz"; "MHz"))]]' <<<"$output" >"$BATS_TEST_TMPDIR/fresh"
	jq -s '.[-1]' "$BATS_TEST_TMPDIR/j" |
		jq -c '[.findings[] | select(.check == "freq" or .check == "thermal") | [.check, .state, (.text | sub("[0-9.]+-?[0-9.]* MHz"; "MHz"))]]' >"$BATS_TEST_TMPDIR/kept"
	diff "$BATS_TEST_TMPDIR/fresh" "$BATS_TEST_TMPDIR/kept"
}

@test "live -i: the hierarchies are kept while the mount table stands, looked for again when it changes" {
	[ "$(id -u)" -eq 0 ] && command -v unshare >/dev/null || skip "needs root and unshare"
	run sb throttle -o json
	jq -e '[.findings[] | select(.check == "cfs")][0].text | test("no cgroup hierarchy") | not' <<<"$output" ||
		skip "no cgroup hierarchy with the cpu controller here"
	# in a mount namespace of its own, the cgroup hierarchies are hidden
	# under an empty tmpfs between the first and second reports
	unshare -m --propagation private sh -c '
		"$1" throttle -i 1 -n 3 -o json >"$2" 2>&1 &
		sleep 1.5
		mount -t tmpfs srebox-test /sys/fs/cgroup
		wait' sh "$SREBOX" "$BATS_TEST_TMPDIR/j"
	jq -s -c '[.[] | [.findings[] | select(.check == "cfs")][0].text]' "$BATS_TEST_TMPDIR/j" >"$BATS_TEST_TMPDIR/t" ||
		die "$(head -c 500 "$BATS_TEST_TMPDIR/j")"
	jq -e 'length == 3 and (.[0] | test("cgroups? walked"))
		and (.[2] | test("no cgroup hierarchy with the cpu controller under /sys/fs/cgroup"))' \
		"$BATS_TEST_TMPDIR/t" || die "$(cat "$BATS_TEST_TMPDIR/t")"
}
