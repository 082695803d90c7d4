#!/usr/bin/env bash
# The "not SIP" rule: broken SIP (a "SIP/" within 2048 bytes) keeps its
# reason, anything else is not-sip; the parser's word-at-a-time search
# against the rule written byte by byte (tests/unit/notsip_test.c).
set -u
. "$(dirname "$0")/lib/unit.sh"
unit_bin tests/unit/notsip_test || exit 1
t=$BIN
"$t" 200000 88172645463325252 && "$t" 100000 12345
