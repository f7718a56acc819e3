#!/bin/sh
# The layer rules of lib/ (see the Makefile's LAYERS and uses_*):
#  1. every #include "x.h" in lib/L/ names a header of L or of a layer L may use;
#  2. every symbol an archive libsbx_L.a needs from srebox is defined in L or
#     in a layer L may use (a wrong-way call, even one the link order hides);
#  3. lib/L/README.md's "May use:" line names exactly those layers.
# Environment: O, LAYERS, uses_<layer>.  Prints each breach; exit 1 if any.
set -eu
O=${O:-build}
bad=0
breach() { printf 'check-layers: %s\n' "$*" >&2; bad=1; }

uses() { eval "printf '%s' \"\${uses_$1-}\""; }

for l in $LAYERS; do
	allowed="$l $(uses "$l")"
	# 1. includes
	for f in lib/"$l"/*.[ch]; do
		[ -e "$f" ] || continue
		sed -n 's/^#[[:space:]]*include[[:space:]]*"\([^"]*\)".*/\1/p' "$f" | while read -r h; do
			found=
			for a in $allowed; do
				[ -e "lib/$a/$h" ] && found=$a
			done
			if [ -z "$found" ]; then
				owner=$(cd lib && ls */"$h" 2>/dev/null | head -n 1 | cut -d/ -f1)
				printf 'check-layers: %s includes "%s" of layer %s, which %s may not use\n' \
					"$f" "$h" "${owner:-?}" "$l" >&2
				echo x
			fi
		done | grep -q x && bad=1
	done
	# 3. the README
	readme=lib/$l/README.md
	if [ ! -f "$readme" ]; then
		breach "$readme is missing"
	else
		said=$(sed -n 's/^May use: *//p' "$readme" | tr -d '.,' | tr ' ' '\n' | grep -v '^$' |
			grep -v '^nothing$' | grep -v '^and$' | sort | tr '\n' ' ')
		want=$(for u in $(uses "$l"); do echo "$u"; done | sort | tr '\n' ' ')
		[ "$said" = "$want" ] || breach "$readme says it may use '$said'; the Makefile says '$want'"
	fi
done

# 2. symbols: what each archive defines, and what it needs
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
for l in $LAYERS; do
	nm -g --defined-only "$O/lib/libsbx_$l.a" 2>/dev/null | awk 'NF == 3 { print $3 }' |
		sort -u > "$tmp/def.$l"
done
cat "$tmp"/def.* | sort -u > "$tmp/def.all"
for l in $LAYERS; do
	: > "$tmp/ok.$l"
	for a in $l $(uses "$l"); do cat "$tmp/def.$a" >> "$tmp/ok.$l"; done
	sort -u -o "$tmp/ok.$l" "$tmp/ok.$l"
	nm -g --undefined-only "$O/lib/libsbx_$l.a" 2>/dev/null | awk 'NF >= 2 { print $NF }' |
		sort -u > "$tmp/need.$l"
	# needed from srebox itself (not libc or a library) but not allowed
	comm -12 "$tmp/need.$l" "$tmp/def.all" | comm -23 - "$tmp/ok.$l" | while read -r s; do
		owner=$(grep -lx "$s" "$tmp"/def.* | head -n 1 | sed 's/.*def\.//')
		printf 'check-layers: libsbx_%s.a uses %s from layer %s\n' "$l" "$s" "$owner" >&2
		echo x
	done | grep -q x && bad=1
done
[ "$bad" = 0 ] && echo "check-layers: lib/ keeps its layers ($LAYERS)"
exit "$bad"
