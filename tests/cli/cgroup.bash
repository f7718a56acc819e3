# cgroup helpers shared by the live tests that create a CPU-throttled
# cgroup (throttle.bats, top.bats): throttled_loop makes one, and
# cgroup_cleanup, in the test's teardown once BUSY is killed, removes it.

# A cpu controller we may write: "2 DIR" (cgroup v2 with cpu available) or
# "1 DIR" (v1); nothing when there is none.
cpu_controller() {
	[ "$(id -u)" -eq 0 ] || return 0
	awk '{ for (i = 7; $i != "-"; i++) ; fs = $(i + 1); so = "," $(i + 3) ","
	       if (fs == "cgroup2") print "2", $5
	       else if (fs == "cgroup" && so ~ /,cpu,/) print "1", $5 }' /proc/self/mountinfo |
		while read -r v dir; do
			if [ "$v" = 2 ] && grep -qw cpu "$dir/cgroup.controllers" 2>/dev/null &&
				[ -w "$dir/cgroup.subtree_control" ]; then
				echo "2 $dir"
				return
			fi
			if [ "$v" = 1 ] && [ -w "$dir" ] && [ -f "$dir/cpu.cfs_quota_us" ]; then
				echo "1 $dir"
				return
			fi
		done
}

# throttled_loop NAME: a busy loop in a new cgroup NAME under a quota of
# 1 ms in 10 ms (light: a tenth of a CPU), so that it is throttled in
# nearly every period.  Sets CG (the cgroup's directory), BUSY (the loop)
# and ENABLED when it had to enable the cpu controller of the cgroup v2
# root (cgroup_cleanup disables it again).  Skips the test when there is
# no cpu controller it may write.
throttled_loop() {
	local version mnt
	read -r version mnt < <(cpu_controller) || true
	[ -n "${mnt:-}" ] ||
		skip "no writable cgroup cpu controller (needs root and a cgroup v1 cpu or v2 mount with cpu)"
	CG=$mnt/$1
	mkdir "$CG" 2>/dev/null || skip "cannot create a cgroup under $mnt"
	if [ "$version" = 2 ]; then
		if ! grep -qw cpu "$mnt/cgroup.subtree_control"; then
			# EBUSY in a cgroup namespace whose root holds processes
			echo +cpu 2>/dev/null >"$mnt/cgroup.subtree_control" ||
				skip "cannot enable the cpu controller in $mnt/cgroup.subtree_control"
			ENABLED=$mnt/cgroup.subtree_control
		fi
		echo "1000 10000" >"$CG/cpu.max"
	else
		echo 10000 >"$CG/cpu.cfs_period_us"
		echo 1000 >"$CG/cpu.cfs_quota_us"
	fi
	# the loop is in the cgroup before it spins
	sh -c 'echo $$ >"$1/cgroup.procs" && exec sh -c "while :; do :; done"' _ "$CG" &
	BUSY=$!
}

# Remove throttled_loop's cgroup (its loop killed first) and leave the
# controllers as the test found them.
cgroup_cleanup() {
	if [ -n "${CG:-}" ] && [ -d "$CG" ]; then
		rmdir "$CG" 2>/dev/null || true
	fi
	if [ -n "${ENABLED:-}" ]; then
		echo -cpu 2>/dev/null >"$ENABLED" || true
	fi
}
