# cgroup helpers shared by the live tests that create a CPU-throttled
# cgroup (throttle.bats, top.bats).

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
