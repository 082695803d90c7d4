#!/usr/bin/env bash
# Kernel program equals userspace build (issue 5 part 3): every shipped
# profile x (fuzz corpus + regressions + vector payloads + packets of every
# capture in pcaps/ and the vectors + EQUAL_MUTATIONS mutations) through
# BPF_PROG_TEST_RUN and sg_user_judge; fails on any differing reason.
set -u
here=$(cd "$(dirname "$0")" && pwd)
src=${SG_SRC:-$(cd "$here/.." && pwd)}
build=$(cd "${SG_BUILD:-$src/build}" && pwd)
tool=$build/tests/equal/equal
[ -x "$tool" ] || cmake --build "$build" --target equal -j2 >/dev/null 2>&1
[ -x "$tool" ] || { echo "equal not built (sipguard/validator.c, profile.c, dfa.c not there yet?)"; exit 1; }
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
SG_BUILD=$build bash "$here/fuzz/seeds.sh" "$work/seeds" >/dev/null
caps=$(find "$src/pcaps" "$src/tests/vectors" "$build/tests/vectors" \
	\( -name '*.pcap' -o -name '*.pcapng' \) -type f 2>/dev/null | sort -u)
inputs=("$work/seeds/parser" "$here/fuzz/regressions" "$here/diff/regressions" "$here/fuzz/corpus_pcap" $caps)
"$tool" -n "${EQUAL_MUTATIONS:-2000}" "${inputs[@]}" || exit 1

# A DFA deeper than the flat table (sg_dfa_fast, 256 states): pbx with 300
# random patterns ahead of the scanner list, so that the scanner patterns'
# states, which the captures hit, lie beyond the table and the kernel takes
# them from the sg_dfa rows. It also turns every opt-in sanity setting the
# shipped profiles leave off (and text keep-alives off), so that their paths
# in the kernel program meet the same packets too.
deep=$work/deep.ini
RANDOM=4242
while IFS= read -r line; do
	if [ "$line" != "include = signatures/scanners.list" ]; then
		echo "$line"
		continue
	fi
	for ((k = 0; k < 300; k++)); do
		p=
		for ((j = 0; j < 8 + RANDOM % 8; j++)); do p+=$(printf '%x' $((RANDOM % 16))); done
		echo "pattern = ua|from:$p"
	done
	echo "include = $src/profiles/signatures/scanners.list"
done <"$src/profiles/pbx.ini" >"$deep"
printf '[sanity]\n%s\n' "require_max_forwards = yes
allow_control_bytes = yes
allow_cr_cr_lf = yes
uri_schemes = any
text_keepalives = no" >>"$deep"
grep -q "^include = $src/profiles/signatures/scanners.list" "$deep" || { echo "FAIL: deep profile not built"; exit 1; }
"$tool" -p "$deep" -n "${EQUAL_MUTATIONS:-2000}" "${inputs[@]}"
