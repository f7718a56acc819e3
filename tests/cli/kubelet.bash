# A fake kubelet for the kubelet and cni tests: systemd's answer about its
# unit (a systemctl on PATH printing `systemctl show` as a real node does),
# a healthz endpoint on loopback, a container runtime's unix socket.

# fake_systemctl DIR KEY=VALUE...: `systemctl show` answers these lines
fake_systemctl() {
	local d=$1
	shift
	mkdir -p "$d/bin"
	{
		echo '#!/bin/sh'
		echo 'cat <<"OUT"'
		printf '%s\n' "$@"
		echo 'OUT'
	} >"$d/bin/systemctl"
	chmod +x "$d/bin/systemctl"
}

# fake_healthz DIR CODE [NAME]: a process named NAME (python3 by default)
# answering every path with CODE; sets HZ_PID and HZ_PORT
fake_healthz() {
	local exe=/usr/bin/python3
	if [ -n "${3:-}" ]; then ln -sf /usr/bin/python3 "$1/$3"; exe=$1/$3; fi
	rm -f "$1/port"
	"$exe" - "$2" >"$1/port" 2>/dev/null <<'PY' &
import http.server, sys
code = int(sys.argv[1])
class H(http.server.BaseHTTPRequestHandler):
    def do_GET(self):
        if self.path == "/proxyMode":
            body = b"iptables"
            self.send_response(200)
        else:
            body = b"ok" if code == 200 else b"[-]syncloop failed: PLEG is not healthy\nhealthz check failed"
            self.send_response(code)
        self.end_headers()
        self.wfile.write(body)
    def log_message(self, *a):
        pass
s = http.server.HTTPServer(("127.0.0.1", 0), H)
print(s.server_address[1], flush=True)
s.serve_forever()
PY
	HZ_PID=$!
	for _ in $(seq 100); do [ -s "$1/port" ] && break; sleep 0.05; done
	HZ_PORT=$(cat "$1/port")
}

# fake_runtime PATH: a unix socket that accepts (containerd's, say); sets RT_PID
fake_runtime() {
	python3 - "$1" <<'PY' &
import socket, sys, time
s = socket.socket(socket.AF_UNIX)
s.bind(sys.argv[1])
s.listen(16)
while True:
    c, _ = s.accept()
    c.close()
PY
	RT_PID=$!
	for _ in $(seq 100); do [ -S "$1" ] && break; sleep 0.05; done
}

# A self-signed certificate for CN valid from START to END (openssl's
# YYYYMMDDHHMMSSZ), made with openssl ca so that it can be in the past.
cert_between() { # out cn start end
	local d
	d=$(mktemp -d)
	printf '[ca]\ndefault_ca = d\n[d]\ndatabase = index.txt\nnew_certs_dir = .\ndefault_md = sha256\npolicy = p\nserial = serial\n[p]\ncommonName = supplied\n' >"$d/ca.cnf"
	: >"$d/index.txt"
	echo 01 >"$d/serial"
	(
		cd "$d" || exit 1
		openssl req -new -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -keyout k.pem -out r.csr -subj "/CN=$2" &&
			openssl ca -batch -config ca.cnf -selfsign -keyfile k.pem -in r.csr -notext -startdate "$3" -enddate "$4" -out c.pem &&
			cat c.pem k.pem
	) 2>/dev/null >"$1" || return 1
	rm -rf "$d"
}
