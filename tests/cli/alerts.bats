#!/usr/bin/env bats
# srebox alerts against a real Prometheus (two firing rules, one pending)
# sending to a real Alertmanager with one silence (tests/cli/prom.bash):
# states, ages, summaries, matchers, silenced alerts listed but not
# judged, the exit status by severity, -o check, and a broken server.

load lib
load prom

setup_file() {
	if command -v prometheus >/dev/null && command -v prometheus-alertmanager >/dev/null; then
		am_start
		prom_start 1
		# the rules' first evaluations
		for _ in $(seq 200); do
			[ "$(curl -s "$PROM_URL/api/v1/alerts" | jq '.data.alerts | length')" -ge 4 ] && break
			sleep 0.1
		done
	fi
}

teardown_file() {
	servers_stop
}

setup() {
	need_prom
	need_am
	prom_env
}

teardown() {
	fake_stop
}

# Wait until Alertmanager has received the three firing alerts and
# inhibited the one it should.
wait_am() {
	for _ in $(seq 200); do
		curl -s "$AM_URL/api/v2/alerts" | jq -e 'length >= 3 and any(.[]; .status.inhibitedBy != [])' >/dev/null && return 0
		sleep 0.1
	done
	die "Alertmanager never got the alerts"
}

@test "Prometheus: firing and pending alerts with severity, age, summary; exit 2 for a critical" {
	run sb alerts --url "$PROM_URL" -o json
	[ "$status" -eq 2 ]
	json '[.alerts[] | {alertname, state, severity}] == [
		{"alertname": "AlwaysFiring", "state": "firing", "severity": "critical"},
		{"alertname": "InhibitedWarn", "state": "firing", "severity": "warning"},
		{"alertname": "WarnFiring", "state": "firing", "severity": "warning"},
		{"alertname": "AlwaysPending", "state": "pending", "severity": "critical"}]' <<<"$output"
	json '.alerts[0].summary == "a test alert that always fires" and .alerts[0].labels == "{team=\"sre\"}"' <<<"$output"
	# the age is since activeAt: positive, and no older than the server
	json '.alerts[0].age_seconds > 0 and .alerts[0].age_seconds < 600' <<<"$output"
	json '.summary == "4 alerts: 3 firing, 1 pending, 0 silenced, 0 inhibited"' <<<"$output"
	# the pending one is listed, not judged
	[ "$(jq '[.findings[] | select(.state == "CRITICAL")] | length' <<<"$output")" -eq 1 ]
}

@test "matchers filter by label: =, !=, =~, !~; the exit status follows" {
	run sb alerts --url "$PROM_URL" severity=warning team=db
	[ "$status" -eq 1 ] && [[ $output == *"1 alert: 1 firing"* ]] || die "$output"
	run sb alerts --url "$PROM_URL" 'team=~"d.*"'
	[ "$status" -eq 1 ]
	run sb alerts --url "$PROM_URL" alertname!=AlwaysFiring -o json
	[ "$status" -eq 1 ]
	json '[.alerts[].alertname] == ["InhibitedWarn", "WarnFiring", "AlwaysPending"]' <<<"$output"
	run sb alerts --url "$PROM_URL" 'alertname!~"Always.*"' severity!=warning
	[ "$status" -eq 0 ] && [[ $output == *"no alerts firing that match"* ]] || die "$output"
	run sb alerts --url "$PROM_URL" team=nobody
	[ "$status" -eq 0 ]
}

@test "-o check: a Nagios line naming the worst" {
	run sb alerts --url "$PROM_URL" -o check
	[ "$status" -eq 2 ]
	[[ $output == "SREBOX ALERTS CRITICAL"*AlwaysFiring* ]] || die "$output"
}

@test "Alertmanager: silenced and inhibited alerts are listed with who suppresses them, not judged" {
	wait_am
	id=$(amtool --alertmanager.url="$AM_URL" silence add alertname=AlwaysFiring \
		--comment="test" --author=bats --duration=1h)
	[ -n "$id" ]
	for _ in $(seq 100); do
		curl -s "$AM_URL/api/v2/alerts" | jq -e '.[] | select(.labels.alertname == "AlwaysFiring") | .status.state == "suppressed"' >/dev/null && break
		sleep 0.1
	done
	run sb alerts --alertmanager "$AM_URL" -o json
	[ "$status" -eq 1 ] || die "$output"
	json --arg id "$id" '.alerts[] | select(.alertname == "AlwaysFiring") | .state == "suppressed" and .silenced_by == $id' <<<"$output"
	json '.alerts[] | select(.alertname == "WarnFiring") | .state == "active"' <<<"$output"
	json '.alerts[] | select(.alertname == "InhibitedWarn") | .state == "suppressed" and (.inhibited_by | length > 0)' <<<"$output"
	json '.summary == "3 alerts: 1 firing, 0 pending, 1 silenced, 1 inhibited (Alertmanager)"' <<<"$output"
	[ "$(jq '[.findings[] | select(.state != "OK")] | length' <<<"$output")" -eq 1 ]
	run sb alerts --alertmanager "$AM_URL" -o wide
	[[ $output == *"$id"* ]] || die "$output"
	amtool --alertmanager.url="$AM_URL" silence expire "$id"
}

@test "a broken server: refused, HTTP 500, garbage, the wrong shape; bad matchers" {
	run sb alerts --url "http://127.0.0.1:$(free_port)"
	[ "$status" -eq 3 ] && [[ $output == *"refused"* ]] || die "$output"
	fake_start 500 'upstream error'
	run sb alerts --url "$FAKE_URL"
	[ "$status" -eq 3 ] && [[ $output == *"HTTP 500: upstream error"* ]] || die "$output"
	fake_stop
	fake_start 200 '{"status":"success","data":{"alerts":[{"labels":{"a":1}}]}}'
	run sb alerts --url "$FAKE_URL"
	[ "$status" -eq 3 ] && [[ $output == *"an alert without a labels object of strings"* ]] || die "$output"
	fake_stop
	fake_start 200 'garbage'
	run sb alerts --alertmanager "$FAKE_URL"
	[ "$status" -eq 3 ] && [[ $output == *"not JSON"* ]] || die "$output"
	fake_stop
	# Prometheus' answer given to --alertmanager: said, not read as no alerts
	run sb alerts --alertmanager "$PROM_URL/api/v1/alerts?"
	[ "$status" -eq 3 ]
	for m in "=x" "a" "a<b" 'a=~"("'; do
		run --separate-stderr sb alerts --url "$PROM_URL" "$m"
		[ "$status" -eq 3 ] && [ -n "$stderr" ] || die "'$m': exit $status"
	done
	run --separate-stderr sb alerts --url "$PROM_URL" --alertmanager "$AM_URL"
	[ "$status" -eq 3 ]
}
