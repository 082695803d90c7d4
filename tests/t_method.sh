#!/usr/bin/env bash
# The request method: a token of 1..32 bytes, equal byte for byte to CSeq's
# method; the start line's one-word path for short upper-case methods and
# its byte loop against the rule written out (tests/unit/method_test.c).
set -u
SG_SRC=${SG_SRC:-$(cd "$(dirname "$0")/.." && pwd)}
SG_BUILD=${SG_BUILD:-$SG_SRC/build}
t=$SG_BUILD/tests/unit/method_test
[ -x "$t" ] || cmake --build "$SG_BUILD" --target method_test -j2 >/dev/null 2>&1
[ -x "$t" ] || { echo "FAIL: $t not built"; exit 1; }
"$t" 200000 88172645463325252 && "$t" 100000 12345
