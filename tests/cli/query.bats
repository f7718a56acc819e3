#!/usr/bin/env bats
# srebox query against a real Prometheus (tests/cli/prom.bash, a day of
# history): instant, range and scalar answers, -w/-c and -o check, the
# guide's HighAPILatency shape (a comparison that returns series or none),
# the server's errors as it gave them, a matrix where a vector was
# expected, and what a broken server does (refused, HTTP 500, garbage,
# warnings), credentials from files never printed.

load lib
load prom

setup_file() {
	if command -v prometheus >/dev/null && command -v promtool >/dev/null; then
		prom_start 1
	fi
}

teardown_file() {
	servers_stop
}

setup() {
	need_prom
	prom_env
}

teardown() {
	fake_stop
}

@test "an instant vector: each series with its value, exactly" {
	run sb query --url "$PROM_URL" --time "$PROM_END" -o json 'sum by (code) (http_requests_total)'
	[ "$status" -eq 0 ]
	# a day: 1440 minutes of 1000 requests, the last 60 with 20 errors
	json '[.series[] | {series, value}] | sort_by(.series) ==
		[{"series": "{code=\"200\"}", "value": 1438800}, {"series": "{code=\"500\"}", "value": 1200}]' <<<"$output"
	json '.summary == "2 series (vector)"' <<<"$output"
	run sb query --url "$PROM_URL" --time "$PROM_END" 'http_requests_total{code="500"}'
	[[ $output == *'http_requests_total{code="500", job="api"}'*1200* ]] || die "$output"
}

@test "-w/-c make it a check; -o check is a Nagios line with perfdata" {
	run sb query --url "$PROM_URL" 'vector(3)' -c 2
	[ "$status" -eq 2 ]
	run sb query --url "$PROM_URL" 'vector(3)' -w 2 -c 5
	[ "$status" -eq 1 ]
	run sb query --url "$PROM_URL" 'vector(3)' -w 5 -c 10 -o check
	[ "$status" -eq 0 ] && [[ $output == "SREBOX QUERY OK"*"=3;5;10"* ]] || die "$output"
	# no thresholds: reported, not judged
	run sb query --url "$PROM_URL" 'vector(1e9)'
	[ "$status" -eq 0 ]
	run --separate-stderr sb query --url "$PROM_URL" 'vector(1)' -w nope=3
	[ "$status" -eq 3 ] && [[ $stderr == *"unknown check 'nope'"* ]]
}

@test "the guide's HighAPILatency shape: a comparison returns the offending series, or none" {
	# p99 latency above 2 s: here the share of errors above 1%, over the last hour
	q='sum(rate(http_requests_total{code="500"}[1h])) / sum(rate(http_requests_total[1h])) > 0.01'
	run sb query --url "$PROM_URL" --time "$PROM_END" -o json -c 0 "$q"
	[ "$status" -eq 2 ]
	json '.series[0].value == 0.02' <<<"$output"
	run sb query --url "$PROM_URL" --time "$((PROM_END - 7200))" -o json -c 0 "$q"
	[ "$status" -eq 0 ]
	json '.series == [] and .findings[0].text == "no series: the query matched nothing"' <<<"$output"
}

@test "a range query: last, min, max and samples per series; a scalar; NaN is unknown" {
	run sb query --url "$PROM_URL" --time "$PROM_END" --range 1h --step 1m -o json \
		'sum(http_requests_total{code="500"})'
	[ "$status" -eq 0 ]
	json '.series[0] | .samples == 61 and .last == 1200 and .min == 0 and .max == 1200' <<<"$output"
	run sb query --url "$PROM_URL" -o json 'scalar(vector(4))'
	json '.series[0].value == 4 and .summary == "a scalar"' <<<"$output"
	run sb query --url "$PROM_URL" -o json 'vector(0) / vector(0)'
	[ "$status" -eq 3 ]
	[[ $(jq -r '.findings[0].text' <<<"$output") == *"NaN"* ]]
}

@test "the server's errors as it gave them: bad PromQL, a matrix where a vector was expected" {
	run sb query --url "$PROM_URL" 'sum(rate(x[5m]'
	[ "$status" -eq 3 ]
	[[ $output == *"the server refused the query: bad_data: "*"parse error"* ]] || die "$output"
	run sb query --url "$PROM_URL" --time "$PROM_END" 'http_requests_total[5m]'
	[ "$status" -eq 3 ]
	[[ $output == *"returned a matrix (a range vector, 2 series) where an instant value was expected"* ]] || die "$output"
	# a range query of a range vector is the server's error
	run sb query --url "$PROM_URL" --range 1h 'http_requests_total[5m]'
	[ "$status" -eq 3 ] && [[ $output == *"bad_data"* ]] || die "$output"
}

@test "a broken server: refused, HTTP 500 with a page, garbage, a timeout, warnings" {
	run sb query --url "http://127.0.0.1:$(free_port)" 'up'
	[ "$status" -eq 3 ] && [[ $output == *"127.0.0.1:"*"refused"* ]] || die "$output"
	fake_start 500 '<html><body>Internal Server Error</body></html>'
	run sb query --url "$FAKE_URL" 'up'
	[ "$status" -eq 3 ] && [[ $output == *"HTTP 500: <html><body>Internal Server Error"* ]] || die "$output"
	fake_stop
	fake_start 200 '{"status":"success","data":{"resultType":"vector","result":[{"metric":{}'
	run sb query --url "$FAKE_URL" 'up'
	[ "$status" -eq 3 ] && [[ $output == *"not JSON"* ]] || die "$output"
	fake_stop
	fake_start 200 '{"status":"success","data":{"resultType":"vector","result":[{"metric":{"a":"b"},"value":[1,"7"]}]},"warnings":["partial response: store gateway 3 unreachable"]}'
	run sb query --url "$FAKE_URL" 'up'
	[ "$status" -eq 1 ]
	[[ $output == *"the server warned (the answer may be partial): partial response: store gateway 3 unreachable"* ]] || die "$output"
	fake_stop
	fake_start 200 '[1, 2, 3]'
	run sb query --url "$FAKE_URL" 'up'
	[ "$status" -eq 3 ] && [[ $output == *"not a Prometheus API answer"* ]] || die "$output"
	# a deadline on every request: a server that takes the connection and
	# never answers
	port=$(free_port)
	python3 -c 'import socket, sys, time
s = socket.socket(); s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind(("127.0.0.1", int(sys.argv[1]))); s.listen(8); time.sleep(30)' "$port" 3>&- &
	silent=$!
	for _ in $(seq 50); do (exec 9<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null && break; sleep 0.05; done
	start=$(date +%s%N)
	run sb query --url "http://127.0.0.1:$port" --timeout 300ms 'up'
	kill "$silent"
	[ "$status" -eq 3 ] && [[ $output == *"timed out"* || $output == *"within 0.3"* ]] || die "$output"
	[ $(( ($(date +%s%N) - start) / 1000000 )) -lt 3000 ]
}

@test "credentials from files: sent, never printed; never over http to another host" {
	printf 's3cr3t-token-value\n' >"$BATS_TEST_TMPDIR/tok"
	# a server that echoes the token in its error page
	fake_start 500 'bad token s3cr3t-token-value for you'
	run sb query --url "$FAKE_URL" --bearer-token-file "$BATS_TEST_TMPDIR/tok" -o json 'up'
	[ "$status" -eq 3 ]
	grep -qx 'Bearer s3cr3t-token-value' "$FAKE_DIR/body.req" || die "$(cat "$FAKE_DIR/body.req")"
	[[ $output != *s3cr3t-token-value* ]] && [[ $output == *"bad token *** for you"* ]] || die "$output"
	fake_stop
	fake_start 200 '{"status":"error","errorType":"bad_data","error":"token s3cr3t-token-value refused"}'
	run sb query --url "$FAKE_URL" --bearer-token-file "$BATS_TEST_TMPDIR/tok" 'up'
	[ "$status" -eq 3 ] && [[ $output == *"token *** refused"* ]] || die "$output"
	fake_stop
	fake_start 500 'pw: s3cr3tpw'
	printf 'bob:s3cr3tpw\n' >"$BATS_TEST_TMPDIR/b2"
	run sb alerts --url "$FAKE_URL" --basic-auth-file "$BATS_TEST_TMPDIR/b2"
	[ "$status" -eq 3 ] && [[ $output == *"pw: ***"* ]] && [[ $output != *s3cr3tpw* ]] || die "$output"
	fake_stop
	printf 'alice:pa55word\n' >"$BATS_TEST_TMPDIR/basic"
	fake_start 200 '{"status":"success","data":{"resultType":"vector","result":[]}}'
	run sb query --url "$FAKE_URL" --basic-auth-file "$BATS_TEST_TMPDIR/basic" 'up'
	[ "$status" -eq 0 ]
	grep -qx "Basic $(printf alice:pa55word | base64)" "$FAKE_DIR/body.req" || die "$(cat "$FAKE_DIR/body.req")"
	run --separate-stderr sb query --url http://192.0.2.1:9090 --bearer-token-file "$BATS_TEST_TMPDIR/tok" 'up'
	[ "$status" -eq 3 ] && [[ $stderr == *"refusing to send credentials over plain http to 192.0.2.1:9090"* ]]
	printf 'no-colon\n' >"$BATS_TEST_TMPDIR/bad"
	run --separate-stderr sb query --url "$FAKE_URL" --basic-auth-file "$BATS_TEST_TMPDIR/bad" 'up'
	[ "$status" -eq 3 ] && [[ $stderr == *"not user:password"* ]] && [[ $stderr != *no-colon* ]]
	run --separate-stderr sb query --url "$FAKE_URL" --bearer-token-file /nonexistent 'up'
	[ "$status" -eq 3 ] && [[ $stderr == *"--bearer-token-file"* ]]
	: >"$BATS_TEST_TMPDIR/empty"
	run --separate-stderr sb query --url "$FAKE_URL" --bearer-token-file "$BATS_TEST_TMPDIR/empty" 'up'
	[ "$status" -eq 3 ] && [[ $stderr == *"empty"* ]]
}

@test "bad input: exit 3 naming what was wrong" {
	for args in "" "a b" "--step 1m up" "--range 1h --step 1s up" "--time soon up" \
		"--url ftp://x up" "--timeout 0 up" "--ca-file /nonexistent up"; do
		# shellcheck disable=SC2086
		run --separate-stderr sb query $args
		[ "$status" -eq 3 ] || die "'$args': exit $status"
		[ -n "$stderr" ] || die "'$args': no message"
	done
	run --separate-stderr sb query ''
	[ "$status" -eq 3 ] && [[ $stderr == *"empty"* ]]
}

@test "TLS: --ca-file verifies the server, --insecure does not, and a failed check says why" {
	command -v openssl >/dev/null || skip "openssl is not installed"
	tls_certs "$BATS_TEST_TMPDIR"
	FAKE_TLS=$BATS_TEST_TMPDIR fake_start 200 '{"status":"success","data":{"resultType":"scalar","result":[1,"5"]}}'
	[[ $FAKE_URL == https://* ]]
	run sb query --url "$FAKE_URL" --ca-file "$BATS_TEST_TMPDIR/ca.crt" -o json 'x'
	[ "$status" -eq 0 ] && json '.series[0].value == 5' <<<"$output" || die "$output"
	run sb query --url "$FAKE_URL" 'x'
	[ "$status" -eq 3 ] && [[ $output == *"certificate"* ]] || die "$output"
	run sb query --url "$FAKE_URL" --insecure -o json 'x'
	[ "$status" -eq 0 ]
	# credentials may go over https to any host
	printf 'tok\n' >"$BATS_TEST_TMPDIR/tok"
	run sb query --url "$FAKE_URL" --insecure --bearer-token-file "$BATS_TEST_TMPDIR/tok" 'x'
	[ "$status" -eq 0 ]
}
