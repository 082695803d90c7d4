#!/usr/bin/env bash
# Signature DFA (sipguard/dfa.c) against a naive substring search on random
# pattern sets and inputs (tests/unit/dfa_test.c).
set -u
SG_SRC=${SG_SRC:-$(cd "$(dirname "$0")/.." && pwd)}
SG_BUILD=${SG_BUILD:-$SG_SRC/build}
t=$SG_BUILD/tests/unit/dfa_test
[ -x "$t" ] || cmake --build "$SG_BUILD" --target dfa_test -j2 >/dev/null 2>&1
[ -x "$t" ] || { echo "FAIL: $t not built"; exit 1; }
"$t" "${DFA_ROUNDS:-5000}" 12345 && "$t" 2000 987654321
