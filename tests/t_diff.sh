#!/usr/bin/env bash
# Differential test against osip2 (issue 5 part 2): pinned expected reasons
# (tests/diff/regressions/EXPECTED), then every seed input (fuzz corpus,
# regressions, vector and capture payloads) plus DIFF_MUTATIONS mutations from a
# fixed seed, compared with osip2. Fails on a wrong pinned reason or on any
# disagreement outside the classes of tests/diff/KNOWN.md.
set -u
here=$(cd "$(dirname "$0")" && pwd)
src=${SG_SRC:-$(cd "$here/.." && pwd)}
build=$(cd "${SG_BUILD:-$src/build}" && pwd)
tool=$build/tests/diff/diff_osip
[ -x "$tool" ] || cmake --build "$build" --target diff_osip -j2 >/dev/null 2>&1
[ -x "$tool" ] || { echo "diff_osip not built (libosip2-dev missing?)"; exit 1; }
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
SG_BUILD=$build bash "$here/fuzz/seeds.sh" "$work/seeds"
rc=0
echo "== pinned reasons"
"$tool" -x "$here/diff/regressions/EXPECTED" || rc=1
echo "== osip2 differential"
"$tool" -k "$here/diff/KNOWN.md" -n "${DIFF_MUTATIONS:-50000}" -s "${DIFF_SEED:-5}" -o "$work" \
	"$work/seeds/parser" "$here/fuzz/regressions" "$here/diff/regressions" || {
	rc=1
	for f in "$work"/*-*-0; do
		[ -f "$f" ] || continue
		grep -q "$(basename "${f%-0}" | sed 's/-\(accept\|reject\)$//')" "$here/diff/KNOWN.md" && continue
		echo "example $(basename "$f"):"; head -c 400 "$f" | od -c | head -12
	done
}
exit $rc
