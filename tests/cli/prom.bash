# Real Prometheus and Alertmanager for the tests of slo, query and alerts
# (Debian's prometheus and prometheus-alertmanager, make deps-test): on
# free loopback ports, in temp dirs, killed in teardown_file whatever
# happened.  No mock: the history is written with promtool tsdb
# create-blocks-from openmetrics, so 4-week queries see 4 weeks.
#
# The history (prom_history): http_requests_total{code="200"|"500"} every
# minute for 4 weeks and a day up to PROM_END (a whole minute, an hour
# ago), 1000 requests a minute; 20 bad minutes 10 days before PROM_END
# with 100 errors each, and the last 60 minutes with 20 errors each: 3200
# errors in the last 4 weeks, 1200 in the last hour (a 20x burn at 99.9%).

need_prom() {
	command -v prometheus >/dev/null && command -v promtool >/dev/null ||
		skip "prometheus is not installed (make deps-test)"
}

need_am() {
	command -v prometheus-alertmanager >/dev/null && command -v amtool >/dev/null ||
		skip "prometheus-alertmanager is not installed (make deps-test)"
}

free_port() {
	python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

# Wait until URL answers 200 (at most 30 s).
wait_http() {
	for _ in $(seq 300); do
		curl -fsS -o /dev/null "$1" 2>/dev/null && return 0
		sleep 0.1
	done
	echo "$1 never answered" >&2
	return 1
}

prom_history() { # DIR END DAYS
	python3 - "$1/history.om" "$2" "$3" <<'PY'
import sys
path, end, days = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
minutes = days * 1440
start = end - minutes * 60
good = bad = 0
with open(path, "w") as f:
    f.write("# HELP http_requests Requests served.\n# TYPE http_requests counter\n")
    for i in range(minutes + 1):
        t = start + i * 60
        if i:
            ago = (end - t) // 60          # minutes before the end: 0 .. minutes-1
            errors = 0
            if ago < 60:
                errors = 20
            elif 10 * 1440 <= ago < 10 * 1440 + 20:
                errors = 100
            good += 1000 - errors
            bad += errors
        f.write(f'http_requests_total{{code="200",job="api"}} {good} {t}\n')
        f.write(f'http_requests_total{{code="500",job="api"}} {bad} {t}\n')
    f.write("# EOF\n")
PY
}

# Start Prometheus with DAYS (default 29) of history, three firing alert
# rules (one that Alertmanager inhibits) and a pending one, sending to Alertmanager at AM_PORT if set.
# Sets PROM_URL, PROM_END.
prom_start() {
	local d=$BATS_FILE_TMPDIR/prom port
	mkdir -p "$d/data"
	PROM_END=$(( $(date +%s) / 60 * 60 - 3600 ))
	prom_history "$d" "$PROM_END" "${1:-29}"
	promtool tsdb create-blocks-from openmetrics "$d/history.om" "$d/data" >"$d/backfill.log" 2>&1 ||
		{ cat "$d/backfill.log" >&2; return 1; }
	cat >"$d/rules.yml" <<'YML'
groups:
  - name: test
    interval: 1s
    rules:
      - alert: AlwaysFiring
        expr: vector(1)
        labels: {severity: critical, team: sre}
        annotations: {summary: "a test alert that always fires"}
      - alert: WarnFiring
        expr: vector(2)
        labels: {severity: warning, team: db}
        annotations: {summary: "a warning that always fires"}
      - alert: InhibitedWarn
        expr: vector(3)
        labels: {severity: warning, team: inhibited}
        annotations: {summary: "inhibited by AlwaysFiring in Alertmanager"}
      - alert: AlwaysPending
        expr: vector(1)
        for: 1h
        labels: {severity: critical}
        annotations: {summary: "pending for an hour"}
YML
	{
		echo "global: {scrape_interval: 1h, evaluation_interval: 1s}"
		echo "rule_files: [$d/rules.yml]"
		if [ -n "${AM_PORT:-}" ]; then
			echo "alerting: {alertmanagers: [{static_configs: [{targets: ['127.0.0.1:$AM_PORT']}]}]}"
		fi
	} >"$d/prometheus.yml"
	port=$(free_port)
	prometheus --config.file="$d/prometheus.yml" --storage.tsdb.path="$d/data" \
		--storage.tsdb.retention.time=10y --web.listen-address="127.0.0.1:$port" \
		--rules.alert.resend-delay=1s >"$d/log" 2>&1 3>&- &
	echo $! >"$d/pid"
	PROM_URL=http://127.0.0.1:$port
	echo "$PROM_URL $PROM_END" >"$BATS_FILE_TMPDIR/prom.env"
	wait_http "$PROM_URL/-/ready"
}

# Start Alertmanager; sets AM_URL, AM_PORT.
am_start() {
	local d=$BATS_FILE_TMPDIR/am cport
	mkdir -p "$d"
	cat >"$d/am.yml" <<'YML'
route: {receiver: none, group_wait: 0s, group_interval: 1s}
receivers: [{name: none}]
inhibit_rules:
  - source_matchers: [alertname="AlwaysFiring"]
    target_matchers: [team="inhibited"]
YML
	AM_PORT=$(free_port)
	cport=$(free_port)
	prometheus-alertmanager --config.file="$d/am.yml" --storage.path="$d" \
		--web.listen-address="127.0.0.1:$AM_PORT" --cluster.listen-address= \
		--cluster.advertise-address="127.0.0.1:$cport" >"$d/log" 2>&1 3>&- &
	echo $! >"$d/pid"
	AM_URL=http://127.0.0.1:$AM_PORT
	echo "$AM_URL $AM_PORT" >"$BATS_FILE_TMPDIR/am.env"
	wait_http "$AM_URL/-/ready"
}

prom_env() {
	read -r PROM_URL PROM_END <"$BATS_FILE_TMPDIR/prom.env"
	[ -f "$BATS_FILE_TMPDIR/am.env" ] && read -r AM_URL AM_PORT <"$BATS_FILE_TMPDIR/am.env"
	return 0
}

servers_stop() {
	local p
	for p in "$BATS_FILE_TMPDIR"/prom/pid "$BATS_FILE_TMPDIR"/am/pid; do
		[ -f "$p" ] || continue
		kill "$(cat "$p")" 2>/dev/null || true
		for _ in $(seq 50); do kill -0 "$(cat "$p")" 2>/dev/null || break; sleep 0.1; done
		kill -9 "$(cat "$p")" 2>/dev/null || true
		rm -f "$p"
	done
}

# A one-shot HTTP server on a free port answering every request with
# STATUS and BODY (for the 500 and garbage cases that no real server
# gives on purpose).  Sets FAKE_URL; stopped by servers_stop too.
fake_start() { # STATUS BODY
	local d=$BATS_TEST_TMPDIR/fake port
	mkdir -p "$d"
	printf '%s' "$2" >"$d/body"
	port=$(free_port)
	python3 - "$port" "$1" "$d/body" "${FAKE_TLS:-}" >/dev/null 2>&1 3>&- <<'PY' &
import http.server, ssl, sys
port, status, body = int(sys.argv[1]), int(sys.argv[2]), open(sys.argv[3], "rb").read()
tls = sys.argv[4]
class H(http.server.BaseHTTPRequestHandler):
    def do_GET(self):
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)
        with open(sys.argv[3] + ".req", "a") as f:
            f.write(self.path + "\n" + str(self.headers.get("Authorization")) + "\n")
    def log_message(self, *a):
        pass
srv = http.server.HTTPServer(("127.0.0.1", port), H)
if tls:
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    ctx.load_cert_chain(f"{tls}/s.crt", f"{tls}/s.key")
    srv.socket = ctx.wrap_socket(srv.socket, server_side=True)
srv.serve_forever()
PY
	echo $! >"$d/pid"
	FAKE_URL=http${FAKE_TLS:+s}://127.0.0.1:$port
	FAKE_DIR=$d
	for _ in $(seq 100); do
		curl -sk -o /dev/null "$FAKE_URL/" 2>/dev/null && return 0
		sleep 0.05
	done
}

# A CA (DIR/ca.crt) and a certificate for 127.0.0.1 signed by it (DIR/s.crt, s.key).
tls_certs() {
	(
		cd "$1" || exit 1
		openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -keyout ca.key \
			-out ca.crt -days 2 -subj /CN=test-ca
		openssl req -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -keyout s.key -out s.csr \
			-subj /CN=test-prometheus
		printf 'subjectAltName=IP:127.0.0.1\n' >ext
		openssl x509 -req -in s.csr -CA ca.crt -CAkey ca.key -CAcreateserial -out s.crt -days 2 -extfile ext
	) >/dev/null 2>&1
}

fake_stop() {
	[ -f "$BATS_TEST_TMPDIR/fake/pid" ] && kill "$(cat "$BATS_TEST_TMPDIR/fake/pid")" 2>/dev/null
	return 0
}
