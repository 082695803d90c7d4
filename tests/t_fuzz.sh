#!/usr/bin/env bash
# Fuzz smoke test (issue 5): builds the libFuzzer targets if needed, replays
# every input in tests/fuzz/regressions/ (crashes found earlier), then runs
# each target for a bounded time from the seed corpus. Fails on any crash,
# leak, sanitizer report or broken invariant. Longer runs: tests/fuzz/README.md.
# Env: FUZZ_SECONDS (per target, default 25), SG_SRC, SG_BUILD.
set -u
here=$(cd "$(dirname "$0")" && pwd)
src=${SG_SRC:-$(cd "$here/.." && pwd)}
build=$(cd "${SG_BUILD:-$src/build}" && pwd)
secs=${FUZZ_SECONDS:-25}
fz=$build/tests/fuzz
if [ ! -x "$fz/fuzz_parser" ] || [ ! -x "$fz/fuzz_pcap" ]; then
	cmake --build "$build" --target fuzz_targets -j2 >/dev/null 2>&1 ||
		{ echo "cannot build fuzz targets in $build"; exit 1; }
fi
[ -x "$fz/fuzz_parser" ] || { echo "fuzz_parser not built (clang missing?)"; exit 1; }
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
bash "$here/fuzz/seeds.sh" "$work/seeds"
rc=0
opts=(-rss_limit_mb=2048 -timeout=10 -print_final_stats=1)

# target: parser / pcap / profile, from the file name prefix of regressions
replay() {
	local t=$1 dir=$2 files
	files=$(find "$dir" -maxdepth 1 -type f -name "$3" 2>/dev/null | sort)
	[ -z "$files" ] && return 0
	if "$fz/$t" "${opts[@]}" $files >"$work/replay-$t.log" 2>&1; then
		echo "replay $t: $(echo "$files" | wc -l) regression inputs ok"
	else
		echo "FAIL: $t crashes on a regression input"; tail -30 "$work/replay-$t.log"; rc=1
	fi
}
replay fuzz_parser "$here/fuzz/regressions" 'parser-*'
replay fuzz_pcap "$here/fuzz/regressions" 'pcap-*'
[ -x "$fz/fuzz_profile" ] && replay fuzz_profile "$here/fuzz/regressions" 'profile-*'

run() {
	local t=$1 seeds=$2; shift 2
	[ -x "$fz/$t" ] || { echo "skip $t (not built)"; return 0; }
	mkdir -p "$work/corpus-$t" "$work/art-$t"
	(cd "$work/art-$t" && "$fz/$t" "${opts[@]}" -max_total_time="$secs" "$@" \
		"$work/corpus-$t" "$seeds") >"$work/$t.log" 2>&1
	local r=$?
	local eps=$(grep -o 'average_exec_per_sec: *[0-9]*' "$work/$t.log" | grep -o '[0-9]*$')
	if [ $r -ne 0 ]; then
		echo "FAIL: $t rc=$r"
		grep -E 'ERROR|SUMMARY|runtime error|Test unit written' "$work/$t.log" | head -10
		for a in "$work/art-$t"/crash-* "$work/art-$t"/leak-* "$work/art-$t"/timeout-* "$work/art-$t"/oom-*; do
			[ -f "$a" ] || continue
			echo "  input ($a):"; head -c 600 "$a" | od -c | head -20
			mkdir -p "$src/tests/fuzz/found"
			cp "$a" "$src/tests/fuzz/found/${t#fuzz_}-$(basename "$a")"
		done
		rc=1
	else
		echo "$t: ${secs}s, ${eps:-?} exec/s, corpus $(ls "$work/corpus-$t" | wc -l)"
	fi
}
run fuzz_parser "$work/seeds/parser" -max_len=17000
run fuzz_pcap "$work/seeds/pcap" -max_len=65536
[ -x "$fz/fuzz_profile" ] && [ -n "$(ls "$work/seeds/profile")" ] && run fuzz_profile "$work/seeds/profile" -max_len=8192
exit $rc
