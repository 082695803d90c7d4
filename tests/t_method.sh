#!/usr/bin/env bash
# The request method: a token of 1..32 bytes, equal byte for byte to CSeq's
# method; the start line's one-word path for short upper-case methods and
# its byte loop against the rule written out (tests/unit/method_test.c).
set -u
. "$(dirname "$0")/lib/unit.sh"
unit_bin tests/unit/method_test || exit 1
t=$BIN
"$t" 200000 88172645463325252 && "$t" 100000 12345
