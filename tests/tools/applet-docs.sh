#!/bin/sh
# The applet lists of man/srebox.1 (its Applets section and SEE ALSO) and
# of README.md, rewritten from the registry: the names `srebox --list`
# gives (cmd/applets.def) and each applet's summary (its --help, the same
# string as .Nd of its man page).  Only the lines between the BEGIN and END
# markers change; everything around them is written by hand.
#
#   tests/tools/applet-docs.sh build/srebox           rewrite (make docs)
#   tests/tools/applet-docs.sh build/srebox --check   say what is stale, exit 1
set -eu
sb=$1
mode=${2:-write}
top=$(cd "$(dirname "$0")/../.." && pwd)
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT INT TERM

"$sb" --list >"$tmp/names"
[ -s "$tmp/names" ] || { echo "applet-docs: $sb --list printed nothing" >&2; exit 1; }
while read -r a; do
	s=$("$sb" "$a" --help | sed -n '3,/^$/p' | sed '/^$/d' | paste -sd' ')
	[ -n "$s" ] || { echo "applet-docs: srebox $a --help has no summary" >&2; exit 1; }
	printf '%s\t%s\n' "$a" "$s"
done <"$tmp/names" >"$tmp/list"

# mdoc: a backslash is \e; a line must not start with a dot or a quote.
awk -F '\t' '
	length($1) > w { w = length($1); wn = $1 }
	{ n[NR] = $1; s[NR] = $2 }
	END {
		print ".Bl -tag -width " wn " -compact"
		for (i = 1; i <= NR; i++) {
			t = s[i]
			gsub(/\\/, "\\e", t)
			if (t ~ /^[.\047]/)
				t = "\\&" t
			print ".It Cm " n[i]
			print t ";"
			print ".Xr srebox-" n[i] " 1"
		}
		print ".El"
	}' "$tmp/list" >"$tmp/man-applets"
awk -F '\t' '{ n[NR] = $1 } END { for (i = 1; i <= NR; i++) print ".Xr srebox-" n[i] " 1" (i < NR ? " ," : "") }' \
	"$tmp/list" >"$tmp/man-seealso"
awk -F '\t' '
	BEGIN { print "| command | answers | manual |"; print "|---|---|---|" }
	{ t = $2; gsub(/\|/, "\\|", t); print "| `srebox " $1 "` | " t " | srebox-" $1 "(1) |" }' \
	"$tmp/list" >"$tmp/readme-applets"

# splice FILE NAME BLOCK: the lines between the markers of NAME become BLOCK
splice() {
	awk -v name="$2" -v block="$3" -v file="$1" '
		index($0, "BEGIN " name ":") { print; while ((getline l < block) > 0) print l; skip = 1; found++; next }
		index($0, "END " name) && skip { skip = 0 }
		!skip { print }
		END {
			if (found != 1) { print file ": no single BEGIN " name " marker" > "/dev/stderr"; exit 1 }
			if (skip) { print file ": BEGIN " name " without END" > "/dev/stderr"; exit 1 }
		}' "$1"
}

stale=0
for spec in "man/srebox.1 applets man-applets" "man/srebox.1 see-also man-seealso" \
	"README.md applets readme-applets"; do
	set -- $spec
	cur=$top/$1
	[ -f "$tmp/out.${1##*/}" ] || cp "$cur" "$tmp/out.${1##*/}"
	splice "$tmp/out.${1##*/}" "$2" "$tmp/$3" >"$tmp/next"
	mv "$tmp/next" "$tmp/out.${1##*/}"
done
for f in man/srebox.1 README.md; do
	out=$tmp/out.${f##*/}
	if cmp -s "$out" "$top/$f"; then
		continue
	fi
	if [ "$mode" = --check ]; then
		diff -u "$top/$f" "$out" | sed "s|$tmp/out.|new |" >&2 || true
		echo "applet-docs: the applet list in $f is stale: run make docs" >&2
		stale=1
	else
		cp "$out" "$top/$f"
		echo "applet-docs: rewrote the applet list in $f"
	fi
done
exit $stale
