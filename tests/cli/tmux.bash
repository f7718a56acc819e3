# A real terminal for the screen tests (screen.bats, top.bats): tmux, one
# server per terminal with no configuration, its session named t.
#
#   tm_start W H CMD   a W x H terminal running CMD (skips without tmux)
#   TM ARGS...         tmux on this terminal's server
#   cap [-e] [-J]      the screen as text (-e: with its attributes)
#   keys KEYS...       type on it (tmux send-keys)
#   wait_for RE [S]    until the screen shows the extended regex (S seconds, 10)
#   wait_gone RE       until it no longer does
#   tm_next            end this terminal; the next gets a server of its own
#                      (a new server on the socket of one shutting down can
#                      die with it).  Call it in teardown too.

TMN=0
TM() { tmux -L "srebox-$$-$BATS_TEST_NUMBER-$TMN" -f /dev/null "$@"; }

tm_start() {
	command -v tmux >/dev/null || skip "tmux is not installed"
	TM new-session -d -s t -x "$1" -y "$2" "$3"
}

tm_next() {
	TM kill-server 2>/dev/null || true
	TMN=$((TMN + 1))
}

cap() { TM capture-pane -p -t t "$@"; }

keys() { TM send-keys -t t "$@"; }

wait_for() {
	local i
	for i in $(seq $((${2:-10} * 5))); do
		cap | grep -Eq -- "$1" && return 0
		sleep 0.2
	done
	echo "screen never showed /$1/:" >&2
	cap >&2
	return 1
}

wait_gone() {
	local i
	for i in $(seq 50); do
		cap | grep -Eq -- "$1" || return 0
		sleep 0.2
	done
	echo "screen still shows /$1/:" >&2
	cap >&2
	return 1
}
