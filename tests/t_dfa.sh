#!/usr/bin/env bash
# Signature DFA (sipguard/dfa.c) and its prefilter (sipguard/prefilter.c)
# against a naive substring search on random pattern sets and inputs
# (tests/unit/dfa_test.c); then the prefilter on every bundled capture with
# each shipped profile that has signatures: every verdict must be the same
# with and without it (bench/pfstats), and the pbx prefilter must be on.
set -u
. "$(dirname "$0")/lib/unit.sh"
unit_bin tests/unit/dfa_test || exit 1
t=$BIN
unit_bin bench/pfstats || exit 1
pf=$BIN
"$t" "${DFA_ROUNDS:-5000}" 12345 && "$t" 2000 987654321 || exit 1
for prof in "$SG_SRC"/profiles/*.ini; do
	out=$("$pf" "$prof" "$SG_SRC"/pcaps/*.pcap) || { echo "$out"; echo "FAIL: pfstats $prof"; exit 1; }
	echo "$(basename "$prof"): $(echo "$out" | head -1) $(echo "$out" | grep '\*\*all\*\*')"
done
"$pf" pbx "$SG_SRC"/pcaps/call-udp4.pcap | grep -q "prefilter stride [1-9]" ||
	{ echo "FAIL: pbx has no prefilter"; exit 1; }
echo "PASS: prefilter verdicts equal on every capture and profile"
