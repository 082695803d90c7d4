#!/usr/bin/env bash
# The forbidden-byte rule: a control byte other than tab/CR/LF, a DEL or a
# bare CR in the header section drops the message as bad-bytes, and tab,
# UTF-8 and printable bytes pass (with the profile opt-ins allow_control_bytes
# and allow_cr_cr_lf: control bytes but NUL, and CR runs ending in LF, pass);
# the parser's word-at-a-time line-end scan against the rule written byte by
# byte (tests/unit/badbytes_test.c).
set -u
. "$(dirname "$0")/lib/unit.sh"
unit_bin tests/unit/badbytes_test || exit 1
t=$BIN
"$t" 200000 88172645463325252 && "$t" 100000 12345
