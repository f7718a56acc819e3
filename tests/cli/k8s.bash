# Shared by the Kubernetes bats tests: certificates made with openssl, a
# scenario of fixture objects, the test API server (tests/k8s/server.py) on
# 127.0.0.1 with a free port, kubeconfigs pointing at it, and the real
# kubectl when there is one.
#
#   setup_file() { k8s_setup_file; k8s_start "$K8S_DIR/default"; }
#   teardown_file() { k8s_stop_all; }
#   sb nodes --kubeconfig "$KC"

K8S_SERVER=$SREBOX_TESTS/k8s/server.py
K8S_TOKEN=srebox-test-token-6f1d2c9a
K8S_PASSWORD=srebox-test-password-83b1

# CA, a server certificate for 127.0.0.1/localhost, a client certificate,
# and for the failure tests another CA and a certificate for another name.
k8s_certs() {
	local d=$1 ec=(-newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes)
	mkdir -p "$d"
	(
		cd "$d" || exit 1
		openssl req -x509 "${ec[@]}" -keyout ca.key -out ca.crt -days 2 -subj /CN=srebox-test-ca
		openssl req -x509 "${ec[@]}" -keyout other-ca.key -out other-ca.crt -days 2 -subj /CN=some-other-ca
		sign() { # name subject san ca
			openssl req "${ec[@]}" -keyout "$1.key" -out "$1.csr" -subj "$2"
			printf '%s\n' "$3" >"$1.ext"
			openssl x509 -req -in "$1.csr" -CA "$4.crt" -CAkey "$4.key" -CAcreateserial \
				-out "$1.crt" -days 2 -extfile "$1.ext"
		}
		sign server /CN=srebox-test-apiserver "subjectAltName=IP:127.0.0.1,DNS:localhost" ca
		sign wrongname /CN=elsewhere.example "subjectAltName=DNS:elsewhere.example" ca
		sign client "/O=system:masters/CN=cert-admin" "extendedKeyUsage=clientAuth" ca
	) >/dev/null 2>&1 || die "openssl could not make the test certificates"
}

# A scenario directory: the fixture cluster of the reference (the six
# OpenShift nodes with worker-b/c/d replaced by their derived variants,
# minikube, the pods, leases, events, PDBs, DaemonSet), or only its nodes.
k8s_scenario() {
	local d=$1 f=$FIX/k8s
	mkdir -p "$d/10-base" "$d/20-derived"
	cp "$f"/nodes/*.json "$d/10-base/"
	cp "$f"/nodes/derived/worker-*.json "$d/20-derived/"
	[ "${2:-}" = nodes-only ] && return
	cp -r "$f"/pods "$f"/leases "$f"/events "$f"/pdbs "$f"/daemonsets "$d/10-base/"
}

k8s_setup_file() {
	export K8S_CERTS=$BATS_FILE_TMPDIR/certs K8S_DIR=$BATS_FILE_TMPDIR
	k8s_certs "$K8S_CERTS"
	k8s_scenario "$K8S_DIR/default"
}

# Start the server: k8s_start SCENARIO_DIR [server options].  Sets K8S_PORT,
# K8S_URL, K8S_LOG (its request log) and KC (a kubeconfig with the token).
k8s_start() {
	local dir=$1 n base=${BATS_TEST_TMPDIR:-$BATS_FILE_TMPDIR}
	shift
	n=$(ls -d "$base"/srv.* 2>/dev/null | wc -l)
	local run=$base/srv.$n
	mkdir -p "$run"
	export K8S_LOG=$run/requests.jsonl
	python3 "$K8S_SERVER" --dir "$dir" --port-file "$run/port" --log "$K8S_LOG" \
		--cert "$K8S_CERTS/server.crt" --key "$K8S_CERTS/server.key" \
		--client-ca "$K8S_CERTS/ca.crt" --token "$K8S_TOKEN" "$@" \
		>"$run/stderr" 2>&1 3>&- &
	echo $! >"$run/pid"
	# up to 120 s: generating 20,000 nodes takes a while on a loaded machine
	for _ in $(seq 2400); do
		[ -s "$run/port" ] && break
		kill -0 "$(cat "$run/pid")" 2>/dev/null || die "test server died: $(cat "$run/stderr")"
		sleep 0.05
	done
	[ -s "$run/port" ] || die "test server did not start"
	export K8S_PORT=$(cat "$run/port")
	export K8S_URL=https://127.0.0.1:$K8S_PORT
	export KC=$run/kubeconfig
	k8s_kubeconfig "$KC" "$K8S_URL" "token: $K8S_TOKEN"
}

# Stop the servers a test started (k8s_stop_test, in teardown) or that
# setup_file started (k8s_stop_all, in teardown_file).
k8s_stop_test() {
	local p
	for p in "${BATS_TEST_TMPDIR:-/nonexistent}"/srv.*/pid; do
		[ -f "$p" ] && kill "$(cat "$p")" 2>/dev/null
		rm -f "$p"
	done
	return 0
}

k8s_stop_all() {
	local p
	for p in "$BATS_FILE_TMPDIR"/srv.*/pid; do
		[ -f "$p" ] && kill "$(cat "$p")" 2>/dev/null
		rm -f "$p"
	done
	return 0
}

# k8s_kubeconfig FILE SERVER USER_YAML [CLUSTER_MEMBERS]: one context "test";
# CLUSTER_MEMBERS are flow-style ("certificate-authority: ca.crt, proxy-url: x");
# the CA is given relative to the kubeconfig's directory, as kubectl
# writes it.
k8s_kubeconfig() {
	local f=$1 server=$2 user=$3 cluster=${4:-}
	local dir
	dir=$(dirname "$f")
	cp "$K8S_CERTS/ca.crt" "$dir/ca.crt"
	[ -n "$cluster" ] || cluster="certificate-authority: ca.crt"
	cat >"$f" <<-EOF
		apiVersion: v1
		kind: Config
		clusters:
		- name: test
		  cluster: {server: "$server", $cluster}
		users:
		- name: tester
		  user:
		    $user
		contexts:
		- name: test
		  context: {cluster: test, user: tester}
		current-context: test
	EOF
}

# Requests the server logged: k8s_requests [jq filter on each line]
k8s_requests() {
	jq -c "${1:-.}" "$K8S_LOG"
}

# The real kubectl, 1.20 or later, or nothing ($SREBOX_KUBECTL first).  The versioned binary of
# Google's packages is used directly: /usr/bin/kubectl there is a
# dispatcher that asks the server's version first.
kubectl_bin() {
	local k minor
	# 1.32, the reference, before the others (the glob's 1.30 sorts first)
	for k in ${SREBOX_KUBECTL:-} /usr/lib/google-cloud-sdk/bin/kubectl.1.32 \
		/usr/lib/google-cloud-sdk/bin/kubectl.1.3[0-9] \
		/usr/lib/google-cloud-sdk/bin/kubectl.1.2[0-9] "$(command -v kubectl 2>/dev/null)"; do
		[ -x "$k" ] || continue
		minor=$("$k" version --client -o json 2>/dev/null | jq -r '.clientVersion.minor' | tr -dc 0-9)
		[ -n "$minor" ] && [ "$minor" -ge 20 ] && { echo "$k"; return 0; }
	done
	return 1
}

kubectl_run() {
	"$KUBECTL" --kubeconfig "$KC" --cache-dir "$BATS_TEST_TMPDIR/kcache" "$@"
}

# kubectl 1.32 itself, where versions differ (describe's in-place resize
# arithmetic): $SREBOX_KUBECTL when it is 1.32, else Google's versioned one.
need_kubectl_132() {
	local k
	for k in ${SREBOX_KUBECTL:-} /usr/lib/google-cloud-sdk/bin/kubectl.1.32 "$(command -v kubectl 2>/dev/null)"; do
		[ -x "$k" ] || continue
		if [ "$("$k" version --client -o json 2>/dev/null | jq -r '.clientVersion.minor' | tr -dc 0-9)" = 32 ]; then
			export KUBECTL=$k
			return 0
		fi
	done
	skip "no kubectl 1.32 on this machine (its parity not checked)"
}

need_kubectl() {
	KUBECTL=$(kubectl_bin) || skip "no kubectl 1.20 or later on this machine (kubectl parity not checked)"
	export KUBECTL
}

# GET from the test server as its admin: k8s_api PATH (JSON on stdout).  Its
# requests are in the log too, with the user agent "k8s_api".
k8s_api() {
	python3 - "$K8S_URL$1" "$K8S_CERTS/ca.crt" "$K8S_TOKEN" <<-'PY'
		import ssl, sys, urllib.request
		ctx = ssl.create_default_context(cafile=sys.argv[2])
		rq = urllib.request.Request(sys.argv[1], headers={"Authorization": "Bearer " + sys.argv[3],
		                                                  "User-Agent": "k8s_api"})
		sys.stdout.write(urllib.request.urlopen(rq, context=ctx).read().decode())
	PY
}
