#!/usr/bin/env bats
# srebox slo: the arithmetic (the guide's 43m 49s for 99.9% of a month),
# the budget from observed counts, the policy's verdict and exit status,
# and the same figures from a real Prometheus holding four weeks of
# history with a known number of errors (tests/cli/prom.bash), exactly.

load lib
load prom

setup_file() {
	if command -v prometheus >/dev/null && command -v promtool >/dev/null; then
		prom_start 29
	fi
}

teardown_file() {
	servers_stop
}

near() { # GOT WANT [REL]
	python3 -c 'import sys; g, w, r = float(sys.argv[1]), float(sys.argv[2]), float(sys.argv[3]); sys.exit(abs(g - w) > r * max(abs(w), 1e-300))' \
		"$1" "$2" "${3:-1e-9}" || die "got $1, want $2"
}

@test "the guide's arithmetic: 99.9% of a month is 43m 49s, of 30 days 43m 12s" {
	run sb slo 99.9 --window month -o json
	[ "$status" -eq 0 ]
	near "$(jq '.slo[0].allowed_downtime_seconds' <<<"$output")" 2629.8
	[[ $(jq -r .note <<<"$output") == *"365.25/12 = 30.4375 days"* ]]
	run sb slo 99.9 --window month
	[[ $output == *"43m49s"* ]] || die "$output"
	for w in "30d 2592" "4w 2419.2" "quarter 7889.4" "year 31557.6" "28d 2419.2" "12h 43.2"; do
		set -- $w
		near "$(sb slo 99.9 --window "$1" -o json | jq '.slo[0].allowed_downtime_seconds')" "$2"
	done
	near "$(sb slo 99.99% -o json | jq '.slo[0].allowed_downtime_seconds')" 259.2
	run sb slo 99.9 --requests 2500000 -o json
	near "$(jq '.slo[0].allowed_failures' <<<"$output")" 2500
	[ "$(jq '.findings | length' <<<"$output")" -eq 0 ]	# nothing observed: no verdict
}

@test "observed counts: SLI, budget spent and left, burn, time to exhaustion" {
	run sb slo 99.9 --good 999500 --total 1000000 -o json
	[ "$status" -eq 0 ]
	j=$(jq -c '.slo[0]' <<<"$output")
	near "$(jq .sli_percent <<<"$j")" 99.95
	near "$(jq .budget_consumed_percent <<<"$j")" 50
	near "$(jq .budget_left_percent <<<"$j")" 50
	near "$(jq .burn_rate <<<"$j")" 0.5
	near "$(jq .exhausted_in_seconds <<<"$j")" $((30 * 86400))	# half left at half speed
	# half the window observed: the burn over it, the budget of the whole
	run sb slo 99.9 --window 4w --bad-minutes 30 --elapsed 14d -o json
	j=$(jq -c '.slo[0]' <<<"$output")
	near "$(jq .budget_consumed_percent <<<"$j")" "$(python3 -c 'print(30 / 40.32 * 100)')"
	near "$(jq .burn_rate <<<"$j")" "$(python3 -c 'print(30 / 20160 / 0.001)')"
	near "$(jq .sli_percent <<<"$j")" "$(python3 -c 'print((1 - 30 / 20160) * 100)')"
}

@test "the policy: over 50% left OK, under 50% WARNING, under 10% CRITICAL, spent CRITICAL" {
	run sb slo 99.9 --good 999700 --total 1000000
	[ "$status" -eq 0 ] && [[ $output == *"70% of the error budget left"*"feature work is fine"* ]] || die "$output"
	run sb slo 99.9 --good 999350 --total 1000000
	[ "$status" -eq 1 ] && [[ $output == *"35% of the error budget left"* ]] || die "$output"
	run sb slo 99.9 --good 999050 --total 1000000
	[ "$status" -eq 2 ] && [[ $output == *"reliability work first"* ]] || die "$output"
	run sb slo 99.9 --good 998000 --total 1000000 -o json
	[ "$status" -eq 2 ]
	json '.slo[0].exhausted_in_seconds == 0 and .slo[0].budget_left_percent == -100' <<<"$output"
	[[ $(jq -r '.findings[0].text' <<<"$output") == *"the budget is spent"* ]]
	# no errors at all: never exhausted, and it says why
	run sb slo 99.9 --good 10 --total 10 -o json
	json '.slo[0].unknown.exhausted_in_seconds == "never: no errors"' <<<"$output"
	# the lines are options (-w/-c budget_left=), as Nagios ranges
	run sb slo 99.9 --good 999350 --total 1000000 -w budget_left=20: -c budget_left=5:
	[ "$status" -eq 0 ]
	run sb slo 99.9 --good 999350 --total 1000000 -o check
	[[ $output == "SREBOX SLO WARNING"*"budget_left=35%;50:;10:"* ]] || die "$output"
}

@test "--launch-cost: a launch over 30% of the budget is a WARNING, and more than is left says so" {
	run sb slo 99.9 --good 999900 --total 1000000 --launch-cost 20
	[ "$status" -eq 0 ]
	run sb slo 99.9 --good 999900 --total 1000000 --launch-cost 40
	[ "$status" -eq 1 ] && [[ $output == *"a launch costing 40% of the budget"* ]]
	run sb slo 99.9 --good 999350 --total 1000000 --launch-cost 40 -w launch_cost=50
	[ "$status" -eq 1 ] && [[ $output == *"more than the 35% left"* ]] || die "$output"
}

@test "bad input: exit 3 naming what was wrong" {
	for args in "" "100" "0" "abc" "99.9 99" "99.9 --window 5x" "99.9 --window 0d" \
		"99.9 --good 5" "99.9 --good 6 --total 5" "99.9 --total 0 --good 0" \
		"99.9 --bad-minutes 50000" "99.9 --launch-cost 150" \
		"99.9 --good 1 --total 2 --bad-minutes 1" "99.9 --time 2026-01-01T00:00:00Z" \
		"99.9 --elapsed 60d" "99.9 --good-query x" "99.9 --good -5 --total 10" "99.9 --requests -1" \
		"99.9 --bad-minutes -1" "99.9 --launch-cost -3" "99.9 --good nan --total 5" "99.9 --prometheus http://127.0.0.1:9 --time soon"; do
		# shellcheck disable=SC2086
		run --separate-stderr sb slo $args
		[ "$status" -eq 3 ] || die "'$args': exit $status: $output"
		[ -n "$stderr" ] || die "'$args': no message"
	done
	run --separate-stderr sb slo 100
	[[ $stderr == *"'100' is not an SLO target"* ]]
}

@test "Prometheus: the guide's 4-week availability query, exactly: 3200 errors of 40320000" {
	need_prom
	prom_env
	run sb slo 99.9 --window 4w --prometheus "$PROM_URL" --time "$PROM_END" -o json
	j=$(jq -c '.slo[0]' <<<"$output")
	near "$(jq .sli_percent <<<"$j")" "$(python3 -c 'print((1 - 3200 / 40320000) * 100)')" 1e-10
	near "$(jq .budget_consumed_percent <<<"$j")" "$(python3 -c 'print(3200 / 40320 * 100)')" 1e-9
	near "$(jq .budget_left_percent <<<"$j")" "$(python3 -c 'print(100 - 3200 / 40320 * 100)')" 1e-9
	[ "$(jq -r '.findings[] | select(.check == "budget_left") | .state' <<<"$output")" = OK ]
	# gone at the last hour's burn (20x): what is left of 4 weeks' budget, 20 times as fast
	near "$(jq .exhausted_in_seconds <<<"$j")" "$(python3 -c 'print((1 - 3200 / 40320) * 28 * 86400 / 20)')" 1e-9
	[[ $(jq -r .note <<<"$output") == *"GONE-IN at the last hour's burn (20x)"* ]]
	# the same budget at 99.99%: 4032 errors allowed, 79% spent: WARNING
	run sb slo 99.99 --window 4w --prometheus "$PROM_URL" --time "$PROM_END" -o json
	near "$(jq '.slo[0].budget_left_percent' <<<"$output")" "$(python3 -c 'print(100 - 3200 / 4032 * 100)')" 1e-9
	[ "$(jq -r '.findings[] | select(.check == "budget_left") | .state' <<<"$output")" = WARNING ]
}

@test "Prometheus: burn rates over the workbook's windows, and the page for the last hour's 20x" {
	need_prom
	prom_env
	run sb slo 99.9 --window 4w --prometheus "$PROM_URL" --time "$PROM_END" -o json
	[ "$status" -eq 2 ]
	# the last 60 minutes had 20 errors in 1000 a minute: 2%, 20x a 0.1% budget
	for w in "5m 20" "30m 20" "1h 20" "2h 10" "6h 3.3333333333" "1d 0.8333333333" "3d 0.2777777778"; do
		set -- $w
		near "$(jq --arg w "$1" '.burn[] | select(.window == $w) | .burn_rate' <<<"$output")" "$2" 1e-8
	done
	[ "$(jq -r '.findings[] | select(.check == "burn_rate") | .state' <<<"$output")" = CRITICAL ]
	[[ $(jq -r '.findings[] | select(.check == "burn_rate") | .text' <<<"$output") == "page: burning 20x over 1h and 20x over 5m"* ]]
	# two hours earlier the burst had not started: no page, no ticket
	run sb slo 99.9 --window 4w --prometheus "$PROM_URL" --time "$((PROM_END - 7200))" -o json
	[ "$status" -eq 0 ] || die "$output"
	[ "$(jq -r '.findings[] | select(.check == "burn_rate") | .state' <<<"$output")" = OK ]
	# the queries are options, $window their range
	run sb slo 99.9 --window 1h --prometheus "$PROM_URL" --time "$PROM_END" -o json \
		--good-query 'sum(increase(http_requests_total{code="200"}[$window]))' \
		--total-query 'sum(increase(http_requests_total[$window]))'
	near "$(jq '.slo[0].sli_percent' <<<"$output")" 98
}

@test "Prometheus: an unusable answer is UNKNOWN (exit 3) with the reason" {
	need_prom
	prom_env
	run sb slo 99.9 --prometheus "$PROM_URL" --total-query 'rate(http_requests_total[$window])'
	[ "$status" -eq 3 ] && [[ $output == *"returned 2 series where one was expected"* ]] || die "$output"
	run sb slo 99.9 --prometheus "$PROM_URL" --good-query 'sum(rate(nope[$window' 
	[ "$status" -eq 3 ] && [[ $output == *"bad_data"* ]] || die "$output"
	run sb slo 99.9 --prometheus "$PROM_URL" --good-query 'sum(rate(nothing[$window]))'
	[ "$status" -eq 3 ] && [[ $output == *"returned 0 series"* ]] || die "$output"
	run sb slo 99.9 --prometheus "http://127.0.0.1:$(free_port)"
	[ "$status" -eq 3 ] && [[ $output == *"refused"* ]] || die "$output"
}

# --- slo rules -----------------------------------------------------------

@test "rules: a sloth spec's rules pass promtool check rules, and promtool test rules proves the page at 14.4x" {
	command -v promtool >/dev/null || skip "promtool is not installed (make deps-test)"
	d=$BATS_TEST_TMPDIR
	run --separate-stderr sb slo rules "$FIX/slo/sloth-spec.yaml"
	[ "$status" -eq 0 ] || die "$stderr"
	printf '%s\n' "$output" >"$d/rules.yml"
	run promtool check rules "$d/rules.yml"
	[ "$status" -eq 0 ] && [[ $output == *"SUCCESS: 17 rules found"* ]] || die "$output"
	cp "$FIX/slo/rules_test.yml" "$d/"
	run promtool test rules "$d/rules_test.yml"
	[ "$status" -eq 0 ] && [[ $output == *SUCCESS* ]] || die "$output"
	# sloth's record names and its labels
	for w in 5m 30m 1h 2h 6h 1d 3d 30d; do
		grep -q "record: \"slo:sli_error:ratio_rate$w\"" "$d/rules.yml" || die "no ratio_rate$w"
	done
	grep -q 'sloth_id: "myservice-requests-availability"' "$d/rules.yml"
	# the same from stdin, and the SLO period from --window
	sb slo rules - --window 28d <"$FIX/slo/sloth-spec.yaml" >"$d/r28.yml"
	grep -q 'record: "slo:sli_error:ratio_rate28d"' "$d/r28.yml"
	grep -q 'expr: "vector(28)"' "$d/r28.yml"
	promtool check rules "$d/r28.yml" >/dev/null
}

@test "rules: a raw error-ratio SLI, alerts disabled, several SLOs" {
	command -v promtool >/dev/null || skip "promtool is not installed (make deps-test)"
	cat >"$BATS_TEST_TMPDIR/spec.yaml" <<'EOF'
version: prometheus/v1
service: svc
slos:
  - name: latency
    objective: 99
    sli:
      raw:
        error_ratio_query: |
          1 - (sum(rate(h_bucket{le="0.5"}[{{ .window }}])) / sum(rate(h_count[{{ .window }}])))
    alerting:
      page_alert: {disable: true}
      ticket_alert: {disable: true}
  - name: avail
    objective: "99.95"
    sli:
      events:
        error_query: sum(rate(e[{{.window}}]))
        total_query: sum(rate(t[{{.window}}]))
    alerting:
      name: SvcAvail
      ticket_alert: {disable: true}
EOF
	run --separate-stderr sb slo rules "$BATS_TEST_TMPDIR/spec.yaml"
	[ "$status" -eq 0 ] || die "$stderr"
	printf '%s\n' "$output" >"$BATS_TEST_TMPDIR/rules.yml"
	promtool check rules "$BATS_TEST_TMPDIR/rules.yml"
	[ "$(grep -c '^      - alert:' "$BATS_TEST_TMPDIR/rules.yml")" -eq 1 ]	# avail's page only
	grep -qE 'h_bucket\{le=\\?"0.5\\?"\}\[1h\]' "$BATS_TEST_TMPDIR/rules.yml"
	grep -q 'vector(0.0005)' "$BATS_TEST_TMPDIR/rules.yml"	# the budget as written, not 0.000499999...
}

@test "rules: bad specs are exit 3 naming what was wrong" {
	d=$BATS_TEST_TMPDIR
	t() { # MESSAGE SPEC
		printf '%s\n' "$2" >"$d/s.yaml"
		run --separate-stderr sb slo rules "$d/s.yaml"
		[ "$status" -eq 3 ] || die "exit $status for: $2"
		[[ $stderr == *"$1"* ]] || die "'$stderr' lacks '$1'"
	}
	ok='sli: {events: {error_query: e, total_query: t}}'
	t 'version must be "prometheus/v1"' 'version: sloth.slok.dev/v1'
	t 'no service' $'version: prometheus/v1\nslos: []'
	t 'no slos' $'version: prometheus/v1\nservice: s'
	t 'slos[0]: no name' $'version: prometheus/v1\nservice: s\nslos: [{objective: 99}]'
	t 'objective must be a percentage' $'version: prometheus/v1\nservice: s\nslos: [{name: a, objective: 100, '"$ok"'}]'
	t 'objective must be a percentage' $'version: prometheus/v1\nservice: s\nslos: [{name: a, objective: lots, '"$ok"'}]'
	t 'sli.plugin is sloth' $'version: prometheus/v1\nservice: s\nslos: [{name: a, objective: 99, sli: {plugin: {id: x}}}]'
	t 'needs error_query and total_query' $'version: prometheus/v1\nservice: s\nslos: [{name: a, objective: 99, sli: {events: {error_query: e}}}]'
	t 'alerting.name is needed' $'version: prometheus/v1\nservice: s\nslos: [{name: a, objective: 99, '"$ok"'}]'
	t 'not a string' $'version: prometheus/v1\nservice: s\nlabels: {a: [1]}\nslos: [{name: a, objective: 99, '"$ok"', alerting: {name: A}}]'
	t 's.yaml' $'version: [unclosed'
	run --separate-stderr sb slo rules "$d/nonexistent.yaml"
	[ "$status" -eq 3 ] && [[ $stderr == *nonexistent.yaml* ]]
	run --separate-stderr sb slo rules
	[ "$status" -eq 3 ] && [[ $stderr == *"usage: srebox slo rules SPEC.yaml"* ]]
	run --separate-stderr sb slo rules "$FIX/slo/sloth-spec.yaml" --window month
	[ "$status" -eq 3 ] && [[ $stderr == *"whole days"* ]]
	head -c 100000 /dev/urandom >"$d/garbage"
	run --separate-stderr sb slo rules "$d/garbage"
	[ "$status" -eq 3 ]
}
