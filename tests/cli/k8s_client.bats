#!/usr/bin/env bats
# The Kubernetes client every Kubernetes applet shares: each way of
# authenticating, TLS that must fail, servers that refuse, stall or answer
# garbage, where the configuration comes from, and credentials that must
# never show.  `srebox nodes` is the client's caller here.

load lib
load k8s

setup_file() {
	k8s_setup_file
	k8s_start "$K8S_DIR/default" --basic "admin:$K8S_PASSWORD"
	echo "$KC $K8S_URL $K8S_PORT" >"$BATS_FILE_TMPDIR/server.default"
}

teardown_file() {
	k8s_stop_all
}

setup() {
	read -r KC K8S_URL K8S_PORT <"$BATS_FILE_TMPDIR/server.default"
	K8S_LOG=$(dirname "$KC")/requests.jsonl
	D=$BATS_TEST_TMPDIR
	mkdir -p "$D/bin"
	cp "$SREBOX_TESTS/k8s/exec-plugin" "$D/bin/"
	export PLUGIN_LOG=$D/plugin.log PLUGIN_TOKEN=$K8S_TOKEN
}

teardown() {
	k8s_stop_test
}

# A kubeconfig in $D for the default server with this user.
kc_user() {
	k8s_kubeconfig "$D/kc" "$K8S_URL" "$1" "${2:-}"
	echo "$D/kc"
}

# The exit status and the whole output of srebox nodes with kubeconfig $1.
nodes() {
	local kc=$1
	shift
	run sb nodes --kubeconfig "$kc" "$@"
}

# srebox reached the server and listed the 7 fixture nodes (exit 2: worker-d);
# with stderr apart, the verdict is there (stdout is not a terminal).
listed() {
	[ "$status" -eq 2 ] || die "status $status: $output"
	[[ $output$'\n'${stderr:-} == *"7 nodes: 6 Ready"* ]] || die "$output"
}

calls() {
	grep -c '^call' "$PLUGIN_LOG" 2>/dev/null || echo 0
}

@test "bearer token, sent as kubectl sends it" {
	nodes "$KC"
	listed
	k8s_requests 'select(.path == "/api/v1/nodes") | .auth' | tail -1 | grep -qx '"Bearer srebo..."'
}

@test "impersonation: as and as-groups become Impersonate-* headers" {
	nodes "$(kc_user "{token: $K8S_TOKEN, as: jane, as-groups: [oncall, readers]}")"
	listed
	k8s_requests 'select(.path == "/api/v1/nodes") | .impersonate' | tail -1 |
		grep -qx '\["Impersonate-User: jane","Impersonate-Group: oncall","Impersonate-Group: readers"\]'
}

@test "client certificate and key, from files and inline" {
	cp "$K8S_CERTS/client.crt" "$K8S_CERTS/client.key" "$D/"
	nodes "$(kc_user "{client-certificate: client.crt, client-key: client.key}")"
	listed
	k8s_requests '.auth' | tail -1 | grep -qx null
	nodes "$(kc_user "{client-certificate-data: $(base64 -w0 "$K8S_CERTS/client.crt"), client-key-data: $(base64 -w0 "$K8S_CERTS/client.key")}")"
	listed
	# a key that does not match is the client certificate's problem, said so
	nodes "$(kc_user "{client-certificate: client.crt, client-key: nope.key}")"
	[ "$status" -eq 3 ]
	[[ $output == *"TLS: the client certificate or key cannot be used"* ]]
}

@test "basic auth; a tokenFile; token wins over tokenFile" {
	nodes "$(kc_user "{username: admin, password: $K8S_PASSWORD}")"
	listed
	k8s_requests '.auth' | tail -1 | grep -qx '"Basic ..."'
	echo "$K8S_TOKEN" >"$D/tok"
	nodes "$(kc_user "{tokenFile: tok}")"
	listed
	nodes "$(kc_user "{token: not-the-token, tokenFile: tok}")"
	[ "$status" -eq 3 ]
	[[ $output == *"401 Unauthorized: $K8S_URL rejected the credentials (credentials: the token of user \"tester\")"* ]]
}

@test "exec plugin v1: KUBERNETES_EXEC_INFO with the cluster, its env, its stderr passed through, run once" {
	kc=$(kc_user "{exec: {apiVersion: client.authentication.k8s.io/v1, command: bin/exec-plugin,
		args: [client.authentication.k8s.io/v1], interactiveMode: Never, provideClusterInfo: true,
		env: [{name: PLUGIN_ENV_FROM_KUBECONFIG, value: from-kc}]}}")
	run --separate-stderr sb nodes --kubeconfig "$kc"
	listed
	[[ $stderr == *"exec-plugin: issuing a credential"* ]]
	[ "$(calls)" -eq 1 ]
	grep -q '^call args=client.authentication.k8s.io/v1 env=from-kc tty=no$' "$PLUGIN_LOG"
	sed -n 's/^info=//p' "$PLUGIN_LOG" | jq -e --arg url "$K8S_URL" --arg ca "$(base64 -w0 "$K8S_CERTS/ca.crt")" '
		.kind == "ExecCredential" and .apiVersion == "client.authentication.k8s.io/v1"
		and .spec.interactive == false and .spec.cluster.server == $url
		and .spec.cluster["certificate-authority-data"] == $ca'
}

@test "exec plugin v1beta1 from PATH: no cluster info; a client certificate answer works too" {
	kc=$(kc_user "{exec: {apiVersion: client.authentication.k8s.io/v1beta1, command: exec-plugin,
		args: [client.authentication.k8s.io/v1beta1]}}")
	PATH=$D/bin:$PATH run sb nodes --kubeconfig "$kc"
	listed
	sed -n 's/^info=//p' "$PLUGIN_LOG" | jq -e '. == {"kind":"ExecCredential",
		"apiVersion":"client.authentication.k8s.io/v1beta1","spec":{"interactive":false}}'
	PATH=$D/bin:$PATH PLUGIN_CERT=$K8S_CERTS/client.crt PLUGIN_KEY=$K8S_CERTS/client.key \
		run sb nodes --kubeconfig "$kc"
	listed
	k8s_requests '.auth' | tail -1 | grep -qx null
}

@test "exec plugin: an expired credential is asked for again, a valid one is kept" {
	kc=$(kc_user "{exec: {apiVersion: client.authentication.k8s.io/v1beta1, command: bin/exec-plugin,
		args: [client.authentication.k8s.io/v1beta1]}}")
	# 1 node list + 7 Lease GETs
	PLUGIN_EXPIRY=$(date -u -d '-1 hour' +%FT%TZ) run sb nodes --kubeconfig "$kc"
	listed
	[ "$(calls)" -eq 8 ]
	: >"$PLUGIN_LOG"
	PLUGIN_EXPIRY=$(date -u -d '+1 hour' +%FT%TZ) run sb nodes --kubeconfig "$kc"
	listed
	[ "$(calls)" -eq 1 ]
	# a 401 runs it once more, as client-go does
	: >"$PLUGIN_LOG"
	PLUGIN_TOKEN=rejected-token run sb nodes --kubeconfig "$kc"
	[ "$status" -eq 3 ]
	[ "$(calls)" -eq 2 ]
	[[ $output == *"401 Unauthorized"*"credentials from the exec plugin"* ]]
}

@test "exec plugin that fails, is missing (with its install hint), or answers the wrong apiVersion" {
	kc=$(kc_user "{exec: {apiVersion: client.authentication.k8s.io/v1beta1, command: bin/exec-plugin,
		args: [client.authentication.k8s.io/v1beta1]}}")
	PLUGIN_EXIT=4 run sb nodes --kubeconfig "$kc"
	[ "$status" -eq 3 ]
	[[ $output == *"exec plugin $D/bin/exec-plugin failed with exit status 4"* ]]
	kc=$(kc_user "{exec: {apiVersion: client.authentication.k8s.io/v1beta1, command: no-such-plugin,
		installHint: 'install it with apt-get install no-such-plugin'}}")
	run sb nodes --kubeconfig "$kc"
	[ "$status" -eq 3 ]
	[[ $output == *"exec plugin no-such-plugin not found: install it with apt-get install no-such-plugin"* ]]
	kc=$(kc_user "{exec: {apiVersion: client.authentication.k8s.io/v1, command: bin/exec-plugin,
		args: [client.authentication.k8s.io/v1beta1], interactiveMode: Never}}")
	run sb nodes --kubeconfig "$kc"
	[ "$status" -eq 3 ]
	[[ $output == *"not an ExecCredential of client.authentication.k8s.io/v1"* ]]
}

@test "exec plugin: one that lingers after its answer, leaves a child holding stdout, or hangs, is ended" {
	kc=$(kc_user "{exec: {apiVersion: client.authentication.k8s.io/v1beta1, command: bin/exec-plugin,
		args: [client.authentication.k8s.io/v1beta1]}}")
	# closes stdout and stays: the answer is used, the plugin killed
	PLUGIN_LINGER=$D/linger frun "nodes: an exec plugin that answers and lingers" timeout 20 "$SREBOX" nodes --kubeconfig "$kc"
	listed
	! kill -0 "$(cat "$D/linger")" 2>/dev/null
	# exits, its child holds stdout: the answer is used, the child killed
	PLUGIN_ORPHAN=$D/orphan frun "nodes: an exec plugin whose child holds its stdout" timeout 20 "$SREBOX" nodes --kubeconfig "$kc"
	listed
	for _ in $(seq 20); do kill -0 "$(cat "$D/orphan")" 2>/dev/null || break; sleep 0.1; done
	! kill -0 "$(cat "$D/orphan")" 2>/dev/null
	# hangs: --request-timeout bounds it (it was at least 30 s)
	PLUGIN_SLEEP=60 frun "nodes: an exec plugin that hangs (--request-timeout 2)" timeout 20 "$SREBOX" nodes --kubeconfig "$kc" --request-timeout 2
	[ "$status" -eq 3 ]
	[[ $output == *"exec plugin $D/bin/exec-plugin gave no credential within 2s"* ]]
}

@test "credentials never leave over plain http" {
	mkdir -p "$D/srv"
	python3 "$K8S_SERVER" --dir "$K8S_DIR/default" --port-file "$D/srv/port" --log "$D/srv/log" \
		--token "$K8S_TOKEN" --basic "admin:$K8S_PASSWORD" 3>&- &
	echo $! >"$D/srv/pid"
	mkdir -p "$D/srv.0" && mv "$D/srv/pid" "$D/srv.0/pid"
	for _ in $(seq 100); do [ -s "$D/srv/port" ] && break; sleep 0.05; done
	url=http://127.0.0.1:$(cat "$D/srv/port")
	for user in "token: $K8S_TOKEN" "{username: admin, password: $K8S_PASSWORD}" \
		"{exec: {apiVersion: client.authentication.k8s.io/v1beta1, command: bin/exec-plugin}}"; do
		k8s_kubeconfig "$D/kc" "$url" "$user" "insecure-skip-tls-verify: false"
		run sb nodes --kubeconfig "$D/kc"
		[ "$status" -eq 3 ]
		[[ $output == *"401 Unauthorized"*"credentials are never sent over plain http ($url)"* ]]
	done
	[ "$(jq -r '.auth' "$D/srv/log" | sort -u)" = null ]
	[ "$(calls)" -eq 0 ]
}

@test "TLS: a CA that did not sign the server's certificate names the certificate" {
	nodes "$(kc_user "token: $K8S_TOKEN" "certificate-authority: $K8S_CERTS/other-ca.crt")"
	[ "$status" -eq 3 ]
	[[ $output == *"TLS: cannot verify the certificate of 127.0.0.1:$K8S_PORT (subject CN = srebox-test-apiserver; issuer CN = srebox-test-ca; names IP Address:127.0.0.1, DNS:localhost)"* ]]
	[ "$(grep -c . <<<"$output")" -eq 1 ]
	# insecure-skip-tls-verify only when configured
	nodes "$(kc_user "token: $K8S_TOKEN" "insecure-skip-tls-verify: true")"
	listed
}

@test "TLS: a certificate for another name fails, unless tls-server-name says that name" {
	k8s_start "$K8S_DIR/default" --cert "$K8S_CERTS/wrongname.crt" --key "$K8S_CERTS/wrongname.key"
	nodes "$KC"
	[ "$status" -eq 3 ]
	[[ $output == *"TLS: cannot verify the certificate of 127.0.0.1:$K8S_PORT (subject CN = elsewhere.example"*"names DNS:elsewhere.example)"* ]]
	k8s_kubeconfig "$D/kc2" "$K8S_URL" "token: $K8S_TOKEN" \
		"certificate-authority: ca.crt, tls-server-name: elsewhere.example"
	nodes "$D/kc2"
	listed
}

@test "refused, silent, slow, not HTTP: exit 3 and one line saying which" {
	k8s_start "$K8S_DIR/default"
	port=$K8S_PORT
	k8s_stop_test
	nodes "$KC"
	[ "$status" -eq 3 ]
	[ "$output" = "srebox nodes: connection to 127.0.0.1:$port refused: is the server running, and is that the right host and port?" ]

	k8s_start "$K8S_DIR/default" --mode silent
	frun "nodes: a server that accepts and never answers (--request-timeout 0.5)" "$SREBOX" nodes --kubeconfig "$KC" --request-timeout 0.5
	[ "$status" -eq 3 ]
	[ "$output" = "srebox nodes: 127.0.0.1:$K8S_PORT accepted the connection but did not answer within 0.5s" ]

	k8s_start "$K8S_DIR/default" --delay '^/api/v1/nodes$=3'
	nodes "$KC" --request-timeout 300ms
	[ "$status" -eq 3 ]
	[ "$output" = "srebox nodes: 127.0.0.1:$K8S_PORT accepted the connection but did not answer within 0.3s" ]

	k8s_start "$K8S_DIR/default" --mode junk
	nodes "$KC"
	[ "$status" -eq 3 ]
	[[ $output == "srebox nodes: TLS handshake with 127.0.0.1:$K8S_PORT failed: "* ]]
}

@test "a process that holds credentials is not dumpable: its /proc files are root's, not its user's" {
	[ "$(id -u)" -eq 0 ] && command -v setpriv >/dev/null || skip "needs root and setpriv"
	k8s_start "$K8S_DIR/default" --delay '^/api/v1/nodes$=3'
	d=$(mktemp -d /tmp/srebox-kc.XXXXXX)
	cp "$KC" "$(dirname "$KC")/ca.crt" "$d/"
	chmod -R a+rX "$d"
	setpriv --reuid=65534 --regid=65534 --clear-groups "$SREBOX" nodes --kubeconfig "$d/kubeconfig" \
		--request-timeout 10 >/dev/null 2>&1 &
	pid=$!
	sleep 1
	owner=$(stat -c %U "/proc/$pid/environ" 2>/dev/null || echo gone)
	kill "$pid" 2>/dev/null || true
	wait "$pid" 2>/dev/null || true
	rm -rf "$d"
	[ "$owner" = root ] || die "/proc/$pid/environ belongs to $owner"
}

@test "a FIFO as the CA, client certificate or tokenFile is an error at once, not a hang" {
	k8s_start "$K8S_DIR/default"
	d=$BATS_TEST_TMPDIR/fifo
	mkdir -p "$d"
	k8s_kubeconfig "$d/kc" "$K8S_URL" "token: x"
	rm -f "$d/ca.crt"
	mkfifo "$d/ca.crt" "$d/token"
	frun "nodes: a FIFO as the certificate-authority" timeout 10 "$SREBOX" nodes --kubeconfig "$d/kc"
	[ "$status" -eq 3 ] && [[ $output == *"certificate-authority $d/ca.crt"*"not a regular file"* ]] ||
		die "exit $status: $output"
	cp "$K8S_CERTS/ca.crt" "$d/ca2.crt"
	sed -i "s#certificate-authority: ca.crt#certificate-authority: ca2.crt#; s#token: x#tokenFile: $d/token#" "$d/kc"
	frun "nodes: a FIFO as the tokenFile" timeout 10 "$SREBOX" nodes --kubeconfig "$d/kc"
	[ "$status" -eq 3 ] && [[ $output == *"$d/token: not a regular file (a FIFO)"* ]] ||
		die "exit $status: $output"
}

@test "garbage answers: HTML from a proxy, truncated JSON" {
	k8s_start "$K8S_DIR/default" --garbage '^/api/v1/nodes$=html'
	nodes "$KC"
	[ "$status" -eq 3 ]
	[ "$output" = "srebox nodes: 127.0.0.1:$K8S_PORT answered /api/v1/nodes with text/html, not JSON: <html><body>502 Bad Gateway (proxy)</body></html>" ]
	k8s_start "$K8S_DIR/default" --garbage '^/api/v1/nodes$=json'
	nodes "$KC" -o json
	[ "$status" -eq 3 ]
	jq -e '.error == "the answer to /api/v1/nodes is not valid JSON: truncated" and .exit_status == 3' <<<"$output"
}

@test "a gzip bomb: 2 MB that inflate to 2 GiB end at 1 GiB, exit 3, memory bounded" {
	k8s_start "$K8S_DIR/default" --garbage '^/api/v1/nodes$=gzipbomb'
	frun "nodes: a gzip bomb, 2 MB inflating to 2 GiB" "$SREBOX" nodes --kubeconfig "$KC" --request-timeout 60
	rss=$(tail -1 "$BATS_TEST_TMPDIR"/frun.*)
	[ "$status" -eq 3 ] || die "exit $status: $output"
	[[ $output == *"srebox nodes: the answer of 127.0.0.1:$K8S_PORT to /api/v1/nodes is larger than 1024 MiB (after gzip): refused, so that memory and time stay bounded"* ]] ||
		die "$output"
	[ "${SANITIZE:-}" = 1 ] || [ "$rss" -lt 60000 ]
}

@test "a server whose list never ends (a new continue token with every page): ended at 2000 pages, exit 3" {
	k8s_start "$K8S_DIR/default" --endless-continue
	frun "nodes: a server that gives a new continue token with every empty page" "$SREBOX" nodes --kubeconfig "$KC"
	[ "$status" -eq 3 ] || die "exit $status: $output"
	[[ $output == "srebox nodes: the list /api/v1/nodes goes on past 2000 pages of 500: refused (a server that never ends its list?)" ]] ||
		die "$output"
	[ "$(k8s_requests 'select(.path == "/api/v1/nodes")' | wc -l)" -eq 2000 ]
}

@test "401, 403 with the RBAC message, 500: the Status message" {
	nodes "$(kc_user "token: wrong-token")"
	[ "$status" -eq 3 ]
	[ "$output" = "srebox nodes: 401 Unauthorized: $K8S_URL rejected the credentials (credentials: the token of user \"tester\")" ]
	k8s_start "$K8S_DIR/default" --forbid list:nodes
	nodes "$KC"
	[ "$status" -eq 3 ]
	[ "$output" = "srebox nodes: 403 Forbidden: nodes is forbidden: User \"token-user\" cannot list resource \"nodes\" in API group \"\" at the cluster scope (credentials: the token of user \"tester\")" ]
	k8s_start "$K8S_DIR/default" --fail '^/api/v1/nodes$=500'
	nodes "$KC" -o check
	[ "$status" -eq 3 ]
	[ "$output" = "SREBOX NODES UNKNOWN: 500 Internal Server Error: injected failure 500" ]
}

@test "a server that echoes the token into its error: no part of it is shown, even when the message is cut" {
	# a service-account JWT is about 1 KB: the message is cut at about 300
	# bytes, so the echo shows only part of it, which must go too (any run
	# of 16 characters of it)
	tok="eyJhbGciOiJSUzI1NiIsImtpZCI6Ik$(head -c 900 /dev/urandom | base64 -w0 | tr '+/' '-_' | cut -c1-1000)"
	k8s_start "$K8S_DIR/default" --echo-auth '^/api/v1/nodes$' --token "$tok"
	frun "nodes: a server that echoes a 1 KB token into its error" "$SREBOX" nodes --kubeconfig "$(kc_user "token: $tok")"
	[ "$status" -eq 3 ]
	[[ $output == *"403 Forbidden: request with Authorization: Bearer ***"* ]]
	for ((i = 0; i + 16 <= ${#tok}; i += 4)); do
		[[ $output != *"${tok:i:16}"* ]] || { echo "leaked: ${tok:i:16}"; false; }
	done
	nodes "$(kc_user "token: $tok")" -o json
	[ "$status" -eq 3 ]
	for ((i = 0; i + 16 <= ${#tok}; i += 4)); do
		[[ $output != *"${tok:i:16}"* ]] || { echo "leaked in json: ${tok:i:16}"; false; }
	done
}

@test "Leases forbidden: the nodes are still listed, each heartbeat unknown with the reason" {
	k8s_start "$K8S_DIR/default" --forbid get:leases
	nodes "$KC" -o json
	[ "$status" -eq 2 ]
	jq -e '[.items[].unknown.heartbeat_age_seconds] | all(test("403 Forbidden: leases.coordination.k8s.io is forbidden: User \"token-user\" cannot get resource \"leases\""))' <<<"$output"
}

@test "where the configuration comes from: KUBECONFIG list, ~/.kube/config, in-cluster, this node's" {
	k8s_kubeconfig "$D/b.yaml" "$K8S_URL" "token: $K8S_TOKEN"
	KUBECONFIG=$D/missing.yaml:$D/b.yaml run sb nodes
	listed
	mkdir -p "$D/home/.kube"
	cp "$D/b.yaml" "$D/home/.kube/config"
	cp "$K8S_CERTS/ca.crt" "$D/home/.kube/"
	HOME=$D/home run sb nodes
	listed
	# in a pod
	mkdir -p "$D/sa"
	echo "$K8S_TOKEN" >"$D/sa/token"
	cp "$K8S_CERTS/ca.crt" "$D/sa/ca.crt"
	HOME=$D/nohome KUBERNETES_SERVICE_HOST=127.0.0.1 KUBERNETES_SERVICE_PORT=$K8S_PORT \
		SREBOX_SERVICEACCOUNT_DIR=$D/sa run sb nodes
	listed
	# on a node with nothing else: its own kubeconfig, and it says which
	mkdir -p "$D/root/etc/kubernetes" "$D/root/var/lib/kubelet/pki"
	cp "$K8S_CERTS/client.crt" "$K8S_CERTS/client.key" "$D/root/var/lib/kubelet/pki/"
	k8s_kubeconfig "$D/root/etc/kubernetes/kubelet.conf" "$K8S_URL" \
		"{client-certificate: /var/lib/kubelet/pki/client.crt, client-key: /var/lib/kubelet/pki/client.key}"
	HOME=$D/nohome SREBOX_ROOT=$D/root run sb nodes -o json
	[ "$status" -eq 2 ] || die "$output"
	jq -e --arg f "$D/root/etc/kubernetes/kubelet.conf" '.note == "\($f), this node'"'"'s own kubeconfig"' <<<"$output"
	# nothing at all
	mkdir -p "$D/empty"
	HOME=$D/nohome SREBOX_ROOT=$D/empty run sb nodes
	[ "$status" -eq 3 ]
	[[ $output == "srebox nodes: no Kubernetes configuration: no $D/nohome/.kube/config; not in a pod (KUBERNETES_SERVICE_HOST unset); no readable kubeconfig of this node ($D/empty/etc/kubernetes/kubelet.conf, "* ]]
	run sb nodes --kubeconfig "$D/b.yaml" --context nope
	[ "$status" -eq 3 ]
	[[ $output == *"context \"nope\" not found in $D/b.yaml (contexts: test)"* ]]
}

@test "proxy-url: through an HTTP CONNECT proxy, with its credentials kept out of messages" {
	mkdir -p "$D/srv.proxy" "$D/px"
	python3 "$SREBOX_TESTS/k8s/proxy.py" --port-file "$D/px/port" --log "$D/px/log" \
		--auth "pxuser:pxpass-4411" 3>&- &
	echo $! >"$D/srv.proxy/pid"
	for _ in $(seq 100); do [ -s "$D/px/port" ] && break; sleep 0.05; done
	px=127.0.0.1:$(cat "$D/px/port")
	nodes "$(kc_user "token: $K8S_TOKEN" "certificate-authority: ca.crt, proxy-url: 'http://pxuser:pxpass-4411@$px'")"
	listed
	grep -qx "CONNECT 127.0.0.1:$K8S_PORT" "$D/px/log"
	nodes "$(kc_user "token: $K8S_TOKEN" "certificate-authority: ca.crt, proxy-url: 'http://pxuser:wrong@$px'")"
	[ "$status" -eq 3 ]
	[[ $output == *"(through the proxy $px)"* ]]
	[[ $output != *wrong* ]]
}

@test "proxies: the environment's is not used for loopback, a dead proxy-url is named" {
	HTTPS_PROXY=http://127.0.0.1:9 https_proxy=http://127.0.0.1:9 run sb nodes --kubeconfig "$KC"
	listed
	nodes "$(kc_user "token: $K8S_TOKEN" "certificate-authority: ca.crt, proxy-url: 'http://user:proxypass@127.0.0.1:9'")"
	[ "$status" -eq 3 ]
	[[ $output == *"(through the proxy 127.0.0.1:9)"* ]]
	[[ $output != *proxypass* ]]
}

@test "no credential ever appears in any output, log or error" {
	key=$(grep -v -- '-----' "$K8S_CERTS/client.key" | head -1)
	keyb64=$(base64 -w0 "$K8S_CERTS/client.key")
	out=$D/all
	{
		for f in table wide json prom check; do
			sb nodes --kubeconfig "$KC" -o "$f" 2>&1
			sb nodes --kubeconfig "$(kc_user "{username: admin, password: $K8S_PASSWORD}")" -o "$f" 2>&1
			sb nodes --kubeconfig "$(kc_user "{client-certificate-data: $(base64 -w0 "$K8S_CERTS/client.crt"), client-key-data: $keyb64}")" -o "$f" 2>&1
		done
		# failures that have the credentials at hand
		sb nodes --kubeconfig "$(kc_user "token: $K8S_TOKEN" "certificate-authority: $K8S_CERTS/other-ca.crt")" 2>&1
		sb nodes --kubeconfig "$(kc_user "{username: admin, password: $K8S_PASSWORD}" "certificate-authority: $K8S_CERTS/other-ca.crt")" 2>&1
		sb nodes --kubeconfig "$(kc_user "{token: $K8S_TOKEN, username: a, password: $K8S_PASSWORD}")" 2>&1
		sb nodes --kubeconfig "$KC" --request-timeout 1ms 2>&1
		sb nodes --kubeconfig "$(kc_user "{exec: {apiVersion: client.authentication.k8s.io/v1beta1, command: bin/exec-plugin}}")" -o json 2>&1
		PLUGIN_TOKEN=plugin-secret-token-77 sb nodes --kubeconfig "$(kc_user "{exec: {apiVersion: client.authentication.k8s.io/v1beta1, command: bin/exec-plugin, args: [client.authentication.k8s.io/v1beta1]}}")" 2>&1
		sb nodes --kubeconfig "$KC" --help 2>&1
	} >"$out" || true
	[ -s "$out" ]
	for secret in "$K8S_TOKEN" "$K8S_PASSWORD" "$key" "$keyb64" plugin-secret-token-77; do
		! grep -qF -- "$secret" "$out" || die "a credential appears in the output: ${secret:0:8}..."
	done
	# and the test's own check would see one: it is there in the kubeconfig
	grep -qF -- "$K8S_TOKEN" "$KC"
}
