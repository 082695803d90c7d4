# shellcheck shell=bash
# For the tests that run a binary of the build (tests/unit/*_test, bench
# tools): SG_SRC and SG_BUILD defaults, and
#   unit_bin REL_PATH   sets BIN to $SG_BUILD/REL_PATH, building its target
#                       (the file name) if missing; says FAIL and returns 1
#                       when it cannot
SG_SRC=${SG_SRC:-$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)}
SG_BUILD=${SG_BUILD:-$SG_SRC/build}

unit_bin() {
	BIN=$SG_BUILD/$1
	[ -x "$BIN" ] || cmake --build "$SG_BUILD" --target "${1##*/}" -j2 >/dev/null 2>&1
	[ -x "$BIN" ] || { echo "FAIL: $BIN not built"; return 1; }
}
