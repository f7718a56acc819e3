#!/usr/bin/env bats
# The generated completions work in each shell.

load lib
load k8s

COMP=$SREBOX_TESTS/../completions

# the test servers a test started, whether it passed or not
teardown() {
	k8s_stop_test
}

# Complete the words of "$1" in bash; print COMPREPLY one per line.
bash_complete() {
	bash -c '
		source "$1"
		read -ra COMP_WORDS <<<"$2"
		[[ $2 == *" " ]] && COMP_WORDS+=("")
		COMP_CWORD=$((${#COMP_WORDS[@]} - 1))
		_srebox
		printf "%s\n" "${COMPREPLY[@]}"
	' _ "$COMP/srebox.bash" "$1"
}

@test "bash: applets, options, choices and directories" {
	run bash_complete "srebox ir"
	[ "$output" = irq ]
	run bash_complete "srebox i"
	[ "$(tr '\n' ' ' <<<"$output")" = "io irq " ]
	run bash_complete "srebox irq --per"
	[ "$output" = --per-cpu ]
	run bash_complete "srebox irq -o "
	[ "$(tr '\n' ' ' <<<"$output")" = "table wide json prom check name " ]
	run bash_complete "srebox-irq --sort n"
	[ "$output" = name ]
	mkdir -p "$BATS_TEST_TMPDIR/rootdir"
	cd "$BATS_TEST_TMPDIR"
	run bash_complete "srebox irq --root roo"
	[ "$output" = rootdir ]
	run bash_complete "srebox --comp"
	[ "$output" = --completions ]
}

@test "bash: every applet and every option of --help is offered" {
	for a in $(sb --list); do
		got=$(bash_complete "srebox $a --" | sort)
		want=$(sb "$a" --help | grep -oE '^  (-[a-zA-Z], |    )--[a-z][a-z-]*' | sed 's/.* //' | sort)
		[ "$got" = "$want" ] || die "$a: bash offers '$got', help has '$want'"
	done
}

@test "fish: applets, options and choices" {
	command -v fish >/dev/null || skip "fish not installed"
	c() { fish --no-config -c "source $COMP/srebox.fish; complete -C '$1'" | cut -f1; }
	[ "$(c 'srebox ir')" = irq ]
	c 'srebox irq --per' | grep -qx -- --per-cpu
	[ "$(c 'srebox irq -o j')" = json ]
	c 'srebox-irq --so' | grep -qx -- --sort
}

@test "zsh: the completion function completes applets, options and choices" {
	command -v zsh >/dev/null || skip "zsh not installed"
	cp "$COMP/srebox.zsh" "$BATS_TEST_TMPDIR/_srebox"
	z() {
		rm -f "$BATS_TEST_TMPDIR/z.out"
		zsh -f "$SREBOX_TESTS/tools/zsh-complete.zsh" "$BATS_TEST_TMPDIR" "$BATS_TEST_TMPDIR/z.out" "$1"
		grep . "$BATS_TEST_TMPDIR/z.out" | sort -u
	}
	z 'srebox i' | grep -qx irq
	[ "$(z 'srebox irq --per')" = --per-cpu ]
	[ "$(z 'srebox irq -o ' | tr '\n' ' ')" = "check json name prom table wide " ]
	[ "$(z 'srebox-irq --sort n')" = name ]
}

@test "node names come from the cluster in bash, zsh and fish, through srebox nodes -o name" {
	k8s_setup_file
	k8s_start "$K8S_DIR/default"
	export KUBECONFIG=$KC PATH=$(dirname "$SREBOX"):$PATH
	want=$(sb nodes -o name | grep master | sort)
	[ "$(wc -l <<<"$want")" -eq 3 ]
	got=$(bash_complete "srebox drain ci-ln-d53y532-f76d1-2btqq-mas" | sort)
	[ "$got" = "$want" ] || die "bash: '$got'"
	got=$(bash_complete "srebox-cordon ci-ln-d53y532-f76d1-2btqq-mas" | sort)
	[ "$got" = "$want" ] || die "bash, srebox-cordon: '$got'"
	if command -v fish >/dev/null; then
		got=$(fish --no-config -c "source $COMP/srebox.fish; complete -C 'srebox uncordon ci-ln-d53y532-f76d1-2btqq-mas'" | cut -f1 | sort)
		[ "$got" = "$want" ] || die "fish: '$got'"
	fi
	if command -v zsh >/dev/null; then
		cp "$COMP/srebox.zsh" "$BATS_TEST_TMPDIR/_srebox"
		rm -f "$BATS_TEST_TMPDIR/z.out"
		zsh -f "$SREBOX_TESTS/tools/zsh-complete.zsh" "$BATS_TEST_TMPDIR" "$BATS_TEST_TMPDIR/z.out" \
			"srebox node ci-ln-d53y532-f76d1-2btqq-mas"
		got=$(grep . "$BATS_TEST_TMPDIR/z.out" | sort -u)
		[ "$got" = "$want" ] || die "zsh: '$got'"
	fi
	k8s_stop_test
}

# Two clusters in one kubeconfig: context "a" serves the fixture cluster
# (with a Namespace object for each namespace of its pods), context "b" a
# cluster of minikube alone.  Sets KC2.
two_clusters() {
	k8s_setup_file
	local d=$K8S_DIR/default one=$BATS_TEST_TMPDIR/one ub
	jq -s 'map(.metadata.namespace) | unique | {kind: "List", apiVersion: "v1",
		items: map({kind: "Namespace", apiVersion: "v1", metadata: {name: .}})}' \
		"$d"/10-base/pods/*.json >"$d/10-base/namespaces.json"
	k8s_start "$d"
	ua=$K8S_URL ua_log=$K8S_LOG
	mkdir -p "$one"
	cp "$FIX/k8s/nodes/k9s-minikube.json" "$one/"
	k8s_start "$one"
	ub=$K8S_URL
	KC2=$BATS_TEST_TMPDIR/kc2
	cp "$K8S_CERTS/ca.crt" "$BATS_TEST_TMPDIR/ca.crt"
	cat >"$KC2" <<-EOF2
		apiVersion: v1
		kind: Config
		clusters:
		- {name: a, cluster: {server: "$ua", certificate-authority: ca.crt}}
		- {name: b, cluster: {server: "$ub", certificate-authority: ca.crt}}
		users:
		- {name: tester, user: {token: $K8S_TOKEN}}
		contexts:
		- {name: a, context: {cluster: a, user: tester}}
		- {name: b, context: {cluster: b, user: tester}}
		current-context: a
	EOF2
	export PATH=$(dirname "$SREBOX"):$PATH HOME=$BATS_TEST_TMPDIR
	unset KUBECONFIG
}

# Each shell's answer to a command line, sorted: complete_in SHELL LINE
complete_in() {
	case $1 in
	bash) bash_complete "$2" | grep . | sort ;;
	fish) fish --no-config -c "source $COMP/srebox.fish; complete -C '$2'" | cut -f1 | sort ;;
	zsh)
		cp "$COMP/srebox.zsh" "$BATS_TEST_TMPDIR/_srebox"
		rm -f "$BATS_TEST_TMPDIR/z.out"
		zsh -f "$SREBOX_TESTS/tools/zsh-complete.zsh" "$BATS_TEST_TMPDIR" "$BATS_TEST_TMPDIR/z.out" "$2"
		grep . "$BATS_TEST_TMPDIR/z.out" | sort -u ;;
	esac
}

@test "cluster names follow the --kubeconfig and --context typed: nodes, contexts, namespaces, pods in bash, zsh and fish" {
	command -v fish >/dev/null || skip "fish not installed"
	command -v zsh >/dev/null || skip "zsh not installed"
	two_clusters
	masters=$(printf '%s\n' ci-ln-d53y532-f76d1-2btqq-master-{0,1,2})
	namespaces=$(jq -r '.items[].metadata.name' "$K8S_DIR/default/10-base/namespaces.json" | sort)
	[ "$(wc -l <<<"$namespaces")" -ge 10 ]
	# the pods on master-1, as the API server lists them
	on_m1=$(K8S_URL=$ua k8s_api '/api/v1/pods?fieldSelector=spec.nodeName%3Dci-ln-d53y532-f76d1-2btqq-master-1' |
		jq -r '.items[].metadata.name' | grep '^kube' | sort)
	[ "$(wc -l <<<"$on_m1")" -ge 2 ]
	for sh in bash zsh fish; do
		got=$(complete_in $sh "srebox drain --kubeconfig $KC2 ci-ln-d53y532-f76d1-2btqq-mas")
		[ "$got" = "$masters" ] || die "$sh, context a: '$got'"
		got=$(complete_in $sh "srebox cordon --kubeconfig $KC2 --context b ")
		[ "$got" = minikube ] || die "$sh, --context b: '$got'"
		got=$(complete_in $sh "srebox-uncordon --kubeconfig=$KC2 --context=b mi")
		[ "$got" = minikube ] || die "$sh, a link, --opt=value: '$got'"
		got=$(complete_in $sh "srebox nodes --kubeconfig $KC2 --context ")
		[ "$got" = "$(printf 'a\nb')" ] || die "$sh, contexts: '$got'"
		got=$(complete_in $sh "srebox node --kubeconfig $KC2 -n ")
		[ "$got" = "$namespaces" ] || die "$sh, namespaces: '$got'"
		got=$(complete_in $sh "srebox node ci-ln-d53y532-f76d1-2btqq-master-1 --kubeconfig $KC2 --logs kube")
		[ "$got" = "$on_m1" ] || die "$sh, pods on master-1: '$got'"
		# no kubeconfig anywhere: nothing offered, nothing printed
		got=$(complete_in $sh "srebox drain ci-ln")
		[ -z "$got" ] || die "$sh, no kubeconfig: '$got'"
	done
	# what the menus asked: Table rows without their objects, a short deadline
	K8S_LOG=$ua_log k8s_requests 'select(.user_agent != "k8s_api" and .path == "/api/v1/nodes") | .query.includeObject' |
		sort -u | grep -qx '"None"'
}

@test "srebox --complete: a server that never answers gives up within the short deadline, printing nothing" {
	k8s_setup_file
	k8s_start "$K8S_DIR/default" --mode silent
	start=$(date +%s%N)
	run --separate-stderr sb --complete nodes drain --kubeconfig "$KC"
	ms=$((($(date +%s%N) - start) / 1000000))
	echo "# gave up after $ms ms" >&3
	[ "$status" -eq 0 ]
	[ -z "$output" ] && [ -z "$stderr" ]
	[ "$ms" -lt 8000 ]
	run sb --complete contexts drain --kubeconfig "$KC"
	[ "$output" = test ]
	k8s_stop_test
}

@test "bash, zsh and fish: -o offers the applet's own formats, -w/-c its check ids" {
	run bash_complete "srebox health -o "
	[ "$(tr '\n' ' ' <<<"$output")" = "table json prom check name " ] || die "$output"
	run bash_complete "srebox health -w lo"
	[ "$output" = load= ] || die "$output"
	run bash_complete "srebox-cswitch -c pi"
	[ "$output" = pids= ] || die "$output"
	# every id offered is one -w accepts
	for id in $(bash_complete "srebox irq -w "); do
		sb irq -i 0 -o check -w "${id}1000000" >/dev/null || [ $? -le 2 ] || die "irq refuses $id"
	done
	if command -v fish >/dev/null; then
		f() { fish --no-config -c "source $COMP/srebox.fish; complete -C '$1'"; }
		# each value with a description of its own
		f 'srebox health -o ' | grep -qxF $'json\tone JSON object per report, for jq' || die "$(f 'srebox health -o ')"
		! f 'srebox health -o ' | grep -q '^wide' || die "fish offers wide to health"
		f 'srebox irq -o ' | grep -q '^wide' || die "fish: irq has wide"
		f 'srebox health -w ' | grep -qxF $'load=\t1-minute load average per online CPU' || die "$(f 'srebox health -w ' | head)"
		[ "$(f 'srebox health -w ' | cut -f2 | sort -u | wc -l)" -gt 10 ] || die "one description for all"
		# descriptions end at a word
		f 'srebox health -w ' | cut -f2 | grep '…$' | while IFS= read -r d; do
			d=${d%…}
			full=$(sb --checks health | cut -f5 | grep -F -- "$d" | head -1)
			rest=${full#*"$d"}
			[[ -n $full && $rest == [\ ,]* ]] || die "cut mid-word: $d"
		done
	fi
	if command -v zsh >/dev/null; then
		cp "$COMP/srebox.zsh" "$BATS_TEST_TMPDIR/_srebox"
		z() {
			rm -f "$BATS_TEST_TMPDIR/z.out"
			zsh -f "$SREBOX_TESTS/tools/zsh-complete.zsh" "$BATS_TEST_TMPDIR" "$BATS_TEST_TMPDIR/z.out" "$1"
			grep . "$BATS_TEST_TMPDIR/z.out" | sort -u
		}
		[ "$(z 'srebox health -o ' | tr '\n' ' ')" = "check json name prom table " ] || die "zsh: $(z 'srebox health -o ')"
		z 'srebox health -w ' | grep -qx 'load=' || die "zsh: $(z 'srebox health -w ')"
	fi
}

# Every description that zsh or fish shows cut (ending in "…") is the start
# of the full text of its option, check or applet (srebox --help, APPLET
# --help, --checks) and stops at a word's end: the full text goes on with a
# space or a punctuation mark there, never with the rest of a word.
@test "zsh and fish: no description is cut mid-word" {
	full=$({
		sb --help
		for a in $(sb --list); do sb "$a" --help; done
		for a in $(sb --list); do sb --checks "$a" 2>/dev/null | cut -f5; done
	} | tr -s ' \n\t' '   ')
	cuts=$({
		grep -o -- "-d '[^']*\(\\\\'[^']*\)*…'" "$COMP/srebox.fish" | sed "s/^-d '//; s/'\$//; s/\\\\'/'/g"
		grep -o "\[[^]]*…\]" "$COMP/srebox.zsh" | sed "s/^\[//; s/\]\$//; s/'\\\\''/'/g; s/\\\\\([]:[]\)/\\1/g"
	} | sort -u)
	[ "$(wc -l <<<"$cuts")" -gt 10 ] || die "too few cut descriptions found to judge: $cuts"
	while IFS= read -r d; do
		d=${d%…}
		[[ $full == *"$d"* ]] || die "not the start of any full text: '$d'"
		rest=${full#*"$d"}
		[[ $rest == [\ ,.\;:\)]* ]] || die "cut mid-word: '$d…' (the text goes on '${rest:0:20}')"
	done <<<"$cuts"
}
