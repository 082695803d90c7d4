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
exec "$tool" -n "${EQUAL_MUTATIONS:-2000}" "$work/seeds/parser" "$here/fuzz/regressions" \
	"$here/diff/regressions" "$here/fuzz/corpus_pcap" $caps
