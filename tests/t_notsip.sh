#!/usr/bin/env bash
# The "not SIP" rule: broken SIP (a "SIP/" within 2048 bytes) keeps its
# reason, anything else is not-sip; the parser's word-at-a-time search
# against the rule written byte by byte (tests/unit/notsip_test.c).
set -u
SG_SRC=${SG_SRC:-$(cd "$(dirname "$0")/.." && pwd)}
SG_BUILD=${SG_BUILD:-$SG_SRC/build}
t=$SG_BUILD/tests/unit/notsip_test
[ -x "$t" ] || cmake --build "$SG_BUILD" --target notsip_test -j2 >/dev/null 2>&1
[ -x "$t" ] || { echo "FAIL: $t not built"; exit 1; }
"$t" 200000 88172645463325252 && "$t" 100000 12345
