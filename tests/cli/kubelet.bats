#!/usr/bin/env bats
# srebox kubelet against a fake kubelet the test starts: systemd's answer
# (a systemctl on PATH), healthz on loopback, a config, certificates made by
# openssl that expire in 3 days or expired, a log file with known errors,
# a container runtime's socket.

load lib
load kubelet

ACTIVE=(LoadState=loaded ActiveState=active SubState=running Result=success NRestarts=0 MainPID=0
	ActiveEnterTimestampMonotonic=0)

setup() {
	D=$BATS_TEST_TMPDIR
	ROOT=$(root_copy node_exporter)
	mkdir -p "$ROOT/var/lib/kubelet/pki" "$ROOT/var/log" "$ROOT/run/containerd" "$ROOT/sys/fs/cgroup"
	# cgroup v2's root memory.stat: the kubelet's working set is 512 MiB
	printf 'anon 536870912\nfile 536870912\ninactive_file 536870912\n' >"$ROOT/sys/fs/cgroup/memory.stat"
	PATH=$D/bin:$PATH
}

teardown() {
	[ -n "${HZ_PID:-}" ] && kill "$HZ_PID" 2>/dev/null
	[ -n "${RT_PID:-}" ] && kill "$RT_PID" 2>/dev/null
	true
}

kj() { sb kubelet --root "$ROOT" -o json -t 0.5 "$@"; }
finding() { jq -c --arg c "$1" '[.findings[] | select(.check == $c)]' <<<"$output"; }

# The log with its lines 5 to 1 minutes ago, and one error 3 hours ago.
write_log() {
	local out=$ROOT/var/log/kubelet.log i t
	: >"$out"
	echo "E$(date -u -d '-3 hours' +'%m%d %H:%M:%S').000001    1043 kubelet.go:1] \"Old trouble\" err=\"gone\"" >>"$out"
	sed_args=()
	for i in 0 1 2 3 4; do
		t=$(date -u -d "-$((5 - i)) min" +'%m%d %H:%M:%S')
		sed_args+=(-e "s/@MD@ @T$i@/$t/")
	done
	sed "${sed_args[@]}" "$FIX/kubelet/kubelet.log.in" >>"$out"
}

@test "a machine with no kubelet process, unit or config is not a Kubernetes node: OK" {
	fake_systemctl "$D" LoadState=not-found ActiveState=inactive SubState=dead
	run kj
	[ "$status" -eq 0 ]
	jq -e '.summary | test("not a Kubernetes node")' <<<"$output"
	jq -e '[.findings[] | select(.check == "kubelet")][0] | .state == "OK" and (.text | test("none here"))' <<<"$output"
	# nothing else is asked of a plain host: no certificates, no journal
	jq -e '[.findings[] | select(.check == "kubelet_cert" or .check == "kubelet_errors")] | length == 0' <<<"$output"
}

@test "without systemd (this machine, a container) the unit is not asked, with systemctl's reason" {
	fake_systemctl "$D" "System has not been booted with systemd as init system (PID 1). Can't operate."
	run kj
	jq -e '[.findings[] | select(.check == "kubelet")][0].text | test("not asked: systemctl: System has not been booted")' <<<"$output"
}

@test "another machine's tree (its boot id is not this kernel's): this machine's systemctl is not asked; this machine's own tree is" {
	mkdir -p "$D/bin" "$ROOT/proc/sys/kernel/random"
	printf '#!/bin/sh\necho asked >>"%s/asked"\nexit 1\n' "$D" >"$D/bin/systemctl"
	chmod +x "$D/bin/systemctl"
	echo 00000000-0000-4000-8000-000000000000 >"$ROOT/proc/sys/kernel/random/boot_id"
	run kj
	[ ! -e "$D/asked" ] || die "asked this machine's systemd"
	jq -e '[.findings[] | select(.check == "kubelet")][0].text
		| test("unit kubelet.service not asked: another machine.s tree .its boot id is not this kernel.s.: systemd answers for this machine, not for that one")' <<<"$output" ||
		die "$(finding kubelet)"
	cp /proc/sys/kernel/random/boot_id "$ROOT/proc/sys/kernel/random/boot_id"
	run kj
	[ -e "$D/asked" ] || die "this machine's tree, and its systemd not asked"
}

@test "fake kubelet: its unit active, healthz ok is OK; restarted 5 times is a WARNING" {
	fake_healthz "$D" 200
	fake_systemctl "$D" "${ACTIVE[@]/NRestarts=0/NRestarts=5}"
	cp "$FIX/kubelet/config.yaml" "$ROOT/var/lib/kubelet/config.yaml"
	fake_runtime "$ROOT/run/containerd/containerd.sock"
	run kj --healthz "http://127.0.0.1:$HZ_PORT/healthz"
	jq -e '[.findings[] | select(.check == "kubelet")][0] | .state == "OK" and (.text | test("healthy: .* ok in"))' <<<"$output" || die "$(finding kubelet)"
	jq -e '[.findings[] | select(.check == "kubelet_restarts")][0] | .state == "WARNING" and .value == 5' <<<"$output" || die "$(finding kubelet_restarts)"
	[ "$status" -eq 1 ]
}

@test "fake kubelet: healthz answering 500 is CRITICAL with its body; the unit failed is CRITICAL" {
	fake_healthz "$D" 500
	fake_systemctl "$D" "${ACTIVE[@]}"
	run kj --healthz "http://127.0.0.1:$HZ_PORT/healthz"
	[ "$status" -eq 2 ]
	jq -e '[.findings[] | select(.check == "kubelet")][0] | .state == "CRITICAL"
		and (.text | test("answered 500: \\[-\\]syncloop failed: PLEG is not healthy"))' <<<"$output"
	fake_systemctl "$D" LoadState=loaded ActiveState=activating SubState=auto-restart Result=exit-code NRestarts=57
	run kj --healthz "http://127.0.0.1:$HZ_PORT/healthz"
	[ "$status" -eq 2 ]
	jq -e '[.findings[] | select(.check == "kubelet")][0] | .state == "CRITICAL"
		and (.text | test("not running, but its unit is installed; unit kubelet.service activating \\(auto-restart\\), result exit-code"))' <<<"$output" || die "$(finding kubelet)"
	jq -e '[.findings[] | select(.check == "kubelet_restarts")][0].value == 57' <<<"$output"
}

@test "live: a kubelet process whose healthz does not answer is CRITICAL within the deadline" {
	fake_healthz "$D" 200 kubelet
	kill -STOP "$HZ_PID"
	fake_systemctl "$D" "System has not been booted with systemd as init system (PID 1). Can't operate."
	run timeout 10 "$SREBOX" kubelet -o json -t 0.3 --healthz "http://127.0.0.1:$HZ_PORT/healthz" \
		--pki "$D/nopki" --log /dev/null
	kill -CONT "$HZ_PID"
	[ "$status" -eq 2 ]
	jq -e --arg pid "$HZ_PID" '[.findings[] | select(.check == "kubelet")][0] | .state == "CRITICAL"
		and (.text | test("kubelet \\(pid " + $pid + "\\) runs but .* did not answer"))' <<<"$output"
}

@test "a systemctl that hangs is given up within the deadline, named" {
	mkdir -p "$D/bin"
	printf '#!/bin/sh\nexec sleep 30\n' >"$D/bin/systemctl"
	chmod +x "$D/bin/systemctl"
	start=$(date +%s)
	run timeout 20 "$SREBOX" kubelet --root "$ROOT" -o json -t 0.3
	[ $(($(date +%s) - start)) -lt 8 ]
	jq -e '[.findings[] | select(.check == "kubelet")][0].text | test("systemctl did not finish within 0.3 s")' <<<"$output"
}

@test "certificates: one that expires in 3 days is a WARNING, an expired one CRITICAL, rotated-out ones ignored" {
	fake_systemctl "$D" "${ACTIVE[@]}"
	pki=$ROOT/var/lib/kubelet/pki
	openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -keyout "$D/k" -out "$D/c" \
		-days 3 -subj /CN=system:node:worker-1 2>/dev/null
	cat "$D/c" "$D/k" >"$pki/kubelet-client-2026-12-01-10-00-00.pem"
	ln -s "$pki/kubelet-client-2026-12-01-10-00-00.pem" "$pki/kubelet-client-current.pem"
	cert_between "$pki/kubelet-client-2025-01-01-00-00-00.pem" system:node:worker-1 20250101000000Z 20250301000000Z
	run kj
	jq -e '[.findings[] | select(.check == "kubelet_cert")] | length == 1' <<<"$output" || die "$(finding kubelet_cert)"
	jq -e '[.findings[] | select(.check == "kubelet_cert")][0] | .state == "WARNING" and .value > 2.99 and .value <= 3
		and (.text | test("kubelet-client-current.pem \\(system:node:worker-1\\): expires in 2d23h|expires in 3d"))' <<<"$output" || die "$(finding kubelet_cert)"
	jq -e '.certificates[0].subject_cn == "system:node:worker-1"' <<<"$output"
	cert_between "$pki/kubelet.crt" worker-1@1700000000 20250101000000Z 20250301000000Z
	run kj
	[ "$status" -eq 2 ]
	jq -e '[.findings[] | select(.check == "kubelet_cert" and (.subject | endswith("kubelet.crt")))][0]
		| .state == "CRITICAL" and .value < 0 and (.text | test("expired .* ago"))' <<<"$output" || die "$(finding kubelet_cert)"
}

@test "a certificate file that is not PEM is UNKNOWN naming it, not skipped" {
	fake_systemctl "$D" "${ACTIVE[@]}"
	printf -- '-----BEGIN CERTIFICATE-----\nMIIBkTCB+wIJ\n' >"$ROOT/var/lib/kubelet/pki/kubelet.crt"
	run kj
	jq -e '[.findings[] | select(.check == "kubelet_cert")][0] | .state == "UNKNOWN" and (.text | test("kubelet.crt: certificate 1: no END CERTIFICATE line"))' <<<"$output" || die "$(finding kubelet_cert)"
}

@test "errors from the log file: only errors of --since, grouped by message, most frequent first" {
	fake_systemctl "$D" "${ACTIVE[@]}"
	write_log
	run kj --log "$ROOT/var/log/kubelet.log"
	jq -e '[.findings[] | select(.check == "kubelet_errors")][0] | .state == "OK" and .value == 8
		and (.text | test("8 in 4 kinds \\(1 warning, 13 lines\\)"))' <<<"$output" || die "$(finding kubelet_errors)"
	jq -e '.errors[0].message == "Container runtime network not ready" and .errors[0].count == 4
		and .errors[1].message == "Error syncing pod, skipping" and .errors[1].count == 2
		and .errors[0].last_seconds_ago < 120' <<<"$output" || die "$(jq -c .errors <<<"$output")"
	jq -e '[.errors[].message] | index("Old trouble") == null' <<<"$output"
	run kj --log "$ROOT/var/log/kubelet.log" --since 4h
	jq -e '[.findings[] | select(.check == "kubelet_errors")][0].value == 9' <<<"$output"
	# a threshold makes it a check
	run kj --log "$ROOT/var/log/kubelet.log" -w kubelet_errors=5
	jq -e '[.findings[] | select(.check == "kubelet_errors")][0].state == "WARNING"' <<<"$output"
}

@test "k3s' logrus lines in its log file count too" {
	fake_systemctl "$D" "${ACTIVE[@]/LoadState=loaded/LoadState=loaded}"
	now=$(date -u +%Y-%m-%dT%H:%M:%SZ)
	{
		echo "time=\"$now\" level=info msg=\"Starting k3s agent v1.32.0+k3s1\""
		echo "time=\"$now\" level=error msg=\"failed to get CA certs: Get \\\"https://127.0.0.1:6444/cacerts\\\": EOF\""
		echo "time=\"$now\" level=error msg=\"failed to get CA certs: Get \\\"https://127.0.0.1:6444/cacerts\\\": EOF\""
	} >"$ROOT/var/log/k3s.log"
	run kj --log "$ROOT/var/log/k3s.log"
	jq -e '[.findings[] | select(.check == "kubelet_errors")][0].value == 2 and .errors[0].count == 2' <<<"$output" || die "$output"
}

@test "eviction: the config's thresholds next to the signals; a signal past its hard threshold is CRITICAL" {
	fake_systemctl "$D" "${ACTIVE[@]}"
	cp "$FIX/kubelet/config.yaml" "$ROOT/var/lib/kubelet/config.yaml"
	run kj
	jq -e '[.eviction[] | select(.signal == "memory.available")][0] | .hard == "200Mi" and .soft == "500Mi" and .available > 0' <<<"$output" || die "$(jq -c .eviction <<<"$output")"
	jq -e '[.eviction[] | select(.signal == "nodefs.available")][0].hard == "10%"' <<<"$output"
	# only the signals the config names (no merged defaults, as kubelet 1.32)
	jq -e '[.eviction[] | select(.signal == "imagefs.available")] | length == 0' <<<"$output"
	sed -i 's/memory.available: 200Mi/memory.available: 1000Ti/' "$ROOT/var/lib/kubelet/config.yaml"
	run kj
	[ "$status" -eq 2 ]
	jq -e '[.findings[] | select(.check == "eviction" and .subject == "memory.available")][0]
		| .state == "CRITICAL" and (.text | test("below the hard threshold 1000Ti .*evicting"))' <<<"$output" || die "$(finding eviction)"
	sed -i 's/memory.available: 1000Ti/memory.available: lots/' "$ROOT/var/lib/kubelet/config.yaml"
	run kj
	jq -e '[.findings[] | select(.check == "eviction" and .subject == "memory.available")][0]
		| .state == "UNKNOWN" and (.text | test("lots"))' <<<"$output"
}

@test "eviction: pid.available as the kubelet computes it, min(pid_max, threads-max) less the tasks in use, judged when configured" {
	fake_systemctl "$D" "${ACTIVE[@]}"
	cp "$FIX/kubelet/config.yaml" "$ROOT/var/lib/kubelet/config.yaml"
	mkdir -p "$ROOT/proc/sys/kernel"
	echo 4194304 >"$ROOT/proc/sys/kernel/pid_max"
	echo 1000 >"$ROOT/proc/sys/kernel/threads-max"
	echo "0.10 0.20 0.30 2/640 4242" >"$ROOT/proc/loadavg"
	run kj
	jq -e '[.eviction[] | select(.signal == "pid.available")][0] | .available == 360 and .hard == ""' \
		<<<"$output" || die "$(jq -c .eviction <<<"$output")"
	# no threshold by default: no finding
	jq -e '[.findings[] | select(.check == "eviction" and .subject == "pid.available")] | length == 0' <<<"$output"
	sed -i 's/^evictionHard:/evictionHard:\n  pid.available: 50%/' "$ROOT/var/lib/kubelet/config.yaml"
	run kj
	[ "$status" -eq 2 ] || die "exit $status: $(finding eviction)"
	jq -e '[.findings[] | select(.check == "eviction" and .subject == "pid.available")][0]
		| .state == "CRITICAL" and (.text | test("360 of 1.0k, below the hard threshold 50%"))' <<<"$output" || die "$(finding eviction)"
}

@test "the container runtime's socket: answering is OK, a stale one CRITICAL, none on a kubelet node CRITICAL" {
	fake_systemctl "$D" "${ACTIVE[@]}"
	cp "$FIX/kubelet/config.yaml" "$ROOT/var/lib/kubelet/config.yaml"
	run kj
	jq -e '[.findings[] | select(.check == "runtime")][0] | .state == "CRITICAL" and (.text | test("no such socket"))' <<<"$output" || die "$(finding runtime)"
	sock=$ROOT/run/containerd/containerd.sock
	fake_runtime "$sock"
	run kj
	jq -e '[.findings[] | select(.check == "runtime")][0] | .state == "OK" and (.text | test("answers"))' <<<"$output" || die "$(finding runtime)"
	kill "$RT_PID"; wait "$RT_PID" 2>/dev/null || true
	RT_PID=
	run kj
	jq -e '[.findings[] | select(.check == "runtime")][0] | .state == "CRITICAL" and (.text | test("connection refused"))' <<<"$output" || die "$(finding runtime)"
}

@test "table, check and prom outputs carry the same verdict" {
	fake_systemctl "$D" "${ACTIVE[@]}"
	write_log
	run sb kubelet --root "$ROOT" -t 0.5 --log "$ROOT/var/log/kubelet.log"
	[[ $output == *"Container runtime network not ready"* ]]
	run sb kubelet --root "$ROOT" -t 0.5 -o check --log "$ROOT/var/log/kubelet.log"
	[[ $output == "SREBOX KUBELET "* ]]
	run sb kubelet --root "$ROOT" -t 0.5 -o prom --log "$ROOT/var/log/kubelet.log"
	grep -q '^srebox_check_kubelet_log_errors{' <<<"$output"
}

# A real journal file: journald's export format written by
# systemd-journal-remote, read back through sd-journal.
write_journal() { # FILE
	local now
	now=$(date +%s%6N)
	python3 - "$now" "$FIX/kubelet/kubelet.log.in" >"$D/export" <<-'PY'
	import sys, time
	now = int(sys.argv[1])
	md = time.strftime("%m%d %H:%M:%S", time.gmtime(now / 1e6 - 60))
	lines = [l.rstrip("\n") for l in open(sys.argv[2])]
	for i, l in enumerate(lines):
	    for k in range(5):
	        l = l.replace("@MD@ @T%d@" % k, md)
	    sys.stdout.write("__REALTIME_TIMESTAMP=%d\n__MONOTONIC_TIMESTAMP=%d\n"
	                     "_BOOT_ID=0123456789abcdef0123456789abcdef\n_SYSTEMD_UNIT=kubelet.service\n"
	                     "PRIORITY=6\nSYSLOG_IDENTIFIER=kubelet\nMESSAGE=%s\n\n" % (now - 60000000 + i, 1000 + i, l))
	# another unit's errors are not the kubelet's
	sys.stdout.write("__REALTIME_TIMESTAMP=%d\n__MONOTONIC_TIMESTAMP=2000\n"
	                 "_BOOT_ID=0123456789abcdef0123456789abcdef\n_SYSTEMD_UNIT=containerd.service\n"
	                 "MESSAGE=E1202 05:00:00.000001 1 x.go:1] \"not the kubelet\"\n\n" % (now - 30000000))
	PY
	mkdir -p "$(dirname "$1")"
	/lib/systemd/systemd-journal-remote -o "$1" - <"$D/export" 2>/dev/null
}

@test "errors from a real journal file through sd-journal: the kubelet unit's only, grouped" {
	[ -x /lib/systemd/systemd-journal-remote ] || skip "systemd-journal-remote not installed"
	fake_systemctl "$D" "${ACTIVE[@]}"
	write_journal "$D/j/kubelet.journal"
	run kj --journal "$D/j/kubelet.journal"
	jq -e '[.findings[] | select(.check == "kubelet_errors")][0] | .value == 8
		and (.text | test("from the journal of kubelet.service"))' <<<"$output" || die "$(finding kubelet_errors)"
	jq -e '.errors[0].message == "Container runtime network not ready" and .errors[0].count == 4
		and ([.errors[].message] | index("not the kubelet") == null)' <<<"$output"
	# the host's journal directory under --root, found without being named
	mkdir -p "$ROOT/var/log/journal/0123456789abcdef0123456789abcdef"
	cp "$D/j/kubelet.journal" "$ROOT/var/log/journal/0123456789abcdef0123456789abcdef/system.journal"
	run kj
	jq -e '[.findings[] | select(.check == "kubelet_errors")][0].value == 8' <<<"$output" || die "$(finding kubelet_errors)"
}

@test "the config the running kubelet names on its command line (--config=PATH, --config PATH) comes before the default paths" {
	fake_systemctl "$D" "${ACTIVE[@]}"
	# a kubelet process in the root, its config elsewhere than the default
	mkdir -p "$ROOT/proc/4242" "$ROOT/etc/custom"
	echo '4242 (kubelet) S 1 4242 4242 0 -1 4194560 0 0 0 0 100 50 0 0 20 0 12 0 500 0 0 18446744073709551615 0 0 0 0 0 0 0 0 0 0 0 0 17 0 0 0 0 0 0 0 0 0 0 0 0 0 0' >"$ROOT/proc/4242/stat"
	printf '/usr/bin/kubelet\0--config=/etc/custom/kubelet.yaml\0--v=2\0' >"$ROOT/proc/4242/cmdline"
	sed 's/memory.available: 200Mi/memory.available: 300Mi/' "$FIX/kubelet/config.yaml" >"$ROOT/etc/custom/kubelet.yaml"
	cp "$FIX/kubelet/config.yaml" "$ROOT/var/lib/kubelet/config.yaml"
	run kj
	jq -e '[.eviction[] | select(.signal == "memory.available")][0].hard == "300Mi"' <<<"$output" || die "$(jq -c .eviction <<<"$output")"
	grep -q 'evictionHard of [^ ]*/etc/custom/kubelet.yaml (the --config of pid 4242)' <<<"$output" || die "$(jq -c .eviction <<<"$output")"
	# the two-word form too
	printf '/usr/bin/kubelet\0--config\0/etc/custom/kubelet.yaml\0' >"$ROOT/proc/4242/cmdline"
	run kj
	jq -e '[.eviction[] | select(.signal == "memory.available")][0].hard == "300Mi"' <<<"$output"
	# without it on the command line, the default path's
	printf '/usr/bin/kubelet\0--v=2\0' >"$ROOT/proc/4242/cmdline"
	run kj
	jq -e '[.eviction[] | select(.signal == "memory.available")][0].hard == "200Mi"' <<<"$output"
	# named but missing: said, and the default path read instead
	printf '/usr/bin/kubelet\0--config=/etc/custom/gone.yaml\0' >"$ROOT/proc/4242/cmdline"
	run kj
	jq -e '[.eviction[] | select(.signal == "memory.available")][0].hard == "200Mi"' <<<"$output"
	jq -e '.note | test("gone.yaml")' <<<"$output" || die "$(jq -c .note <<<"$output")"
}
