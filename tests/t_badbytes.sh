#!/usr/bin/env bash
# The forbidden-byte rule: a control byte other than tab/CR/LF, a DEL or a
# bare CR in the header section drops the message as bad-bytes, and tab,
# UTF-8 and printable bytes pass; the parser's word-at-a-time line-end scan
# against the rule written byte by byte (tests/unit/badbytes_test.c).
set -u
SG_SRC=${SG_SRC:-$(cd "$(dirname "$0")/.." && pwd)}
SG_BUILD=${SG_BUILD:-$SG_SRC/build}
t=$SG_BUILD/tests/unit/badbytes_test
[ -x "$t" ] || cmake --build "$SG_BUILD" --target badbytes_test -j2 >/dev/null 2>&1
[ -x "$t" ] || { echo "FAIL: $t not built"; exit 1; }
"$t" 200000 88172645463325252 && "$t" 100000 12345
