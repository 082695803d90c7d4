#!/usr/bin/env bash
# Labelled SIP vectors (tests/vectors/gen_vectors, osip2-built): generates the
# captures and manifests, runs `sipguard check --profile P --json` on each
# capture for every profile its manifest names, and compares each packet's
# verdict and reason with the manifest. Every mismatch is printed with the
# vector's comment line (name, osip2's verdict). Fails on any mismatch.
# Env: SG_BUILD (build dir), SG_CHECK (command replacing "$SG_BUILD/sipguard
# check", for testing this script), SG_VECTORS_KEEP=1 keeps the output dir.
set -u
SG_SRC=${SG_SRC:-$(cd "$(dirname "$0")/.." && pwd)}
SG_BUILD=${SG_BUILD:-$SG_SRC/build}
gen=$SG_BUILD/tests/vectors/gen_vectors
check=${SG_CHECK:-$SG_BUILD/sipguard check}

if [ ! -x "$gen" ]; then
	echo "FAIL: $gen not built (needs libosip2-dev; cmake --build $SG_BUILD --target gen_vectors)"
	exit 1
fi
if [ -z "${SG_CHECK:-}" ] && [ ! -x "$SG_BUILD/sipguard" ]; then
	echo "FAIL: $SG_BUILD/sipguard not built"
	exit 1
fi
command -v python3 >/dev/null || { echo "FAIL: python3 needed"; exit 1; }

out=$(mktemp -d /tmp/sg-vectors.XXXXXX)
[ "${SG_VECTORS_KEEP:-0}" = 1 ] && echo "output kept in $out" || trap 'rm -rf "$out"' EXIT

if ! "$gen" "$out" >"$out/gen.log" 2>&1; then
	echo "FAIL: gen_vectors failed:"
	cat "$out/gen.log"
	exit 1
fi
sed -n '1,/^osip2 agreement/p' "$out/gen.log"

fail=0 runs=0
for man in "$out"/*.manifest; do
	cap=$(awk '$1 == "capture" { print $2; exit }' "$man")
	profiles=$(awk '$1 == "profiles" { $1 = ""; print; exit }' "$man")
	if [ -z "$cap" ] || [ -z "$profiles" ]; then
		echo "FAIL: $(basename "$man"): no capture or profiles line"
		fail=1
		continue
	fi
	for p in $profiles; do
		json=$out/$(basename "$man" .manifest).$p.json
		runs=$((runs + 1))
		# sipguard check exits non-zero when it reports drops: judge the JSON
		$check --profile "$p" --json "$out/$cap" >"$json" 2>"$json.err"
		rc=$?
		python3 - "$man" "$p" "$json" "$rc" "$json.err" <<'EOF' || fail=1
import json, re, sys

man, prof, path, rc, errpath = sys.argv[1], sys.argv[2], sys.argv[3], sys.argv[4], sys.argv[5]
name = man.rsplit('/', 1)[-1]
expect, comment, default = {}, {}, None
for line in open(man, encoding='utf-8', errors='replace'):
    line = line.rstrip('\n')
    m = re.match(r'#\s*(\d+)\s', line)
    if m:
        comment[int(m.group(1))] = line
        continue
    f = line.split()
    if not f or f[0].startswith('#'):
        continue
    if f[0] == 'default':
        default = (f[1], f[2])
    elif f[0].isdigit():
        expect[int(f[0])] = (f[1], f[2])

def find_verdicts(o):
    if isinstance(o, dict):
        if isinstance(o.get('verdicts'), list):
            return o['verdicts']
        o = list(o.values())
    if isinstance(o, list):
        for x in o:
            v = find_verdicts(x)
            if v is not None:
                return v
    return None

try:
    verdicts = find_verdicts(json.load(open(path)))
except Exception as e:
    verdicts = None
    why = str(e)
else:
    why = 'no "verdicts" array'
if verdicts is None:
    err = open(errpath, errors='replace').read().strip()
    print(f'FAIL {name} profile {prof}: no verdicts from sipguard check (rc={rc}, {why}): {err[:300]}')
    sys.exit(1)

got = {}
for v in verdicts:
    got[int(v['index'])] = (v.get('verdict'), v.get('reason'))
bad = 0
indices = sorted(set(expect) | (set(got) if default else set()))
for i in indices:
    want = expect.get(i, default)
    have = got.get(i)
    if have is None:
        print(f'MISMATCH {name} {prof} #{i}: expected {want[0]} {want[1]}, packet missing from the report')
    elif have != want:
        print(f'MISMATCH {name} {prof} #{i}: expected {want[0]} {want[1]}, got {have[0]} {have[1]}')
    else:
        continue
    bad += 1
    print('    ' + comment.get(i, '# (no comment line)'))
if default and expect and max(expect) > len(got):
    print(f'MISMATCH {name} {prof}: report has {len(got)} packets, manifest lists up to #{max(expect)}')
    bad += 1
print(f'{"ok  " if not bad else "FAIL"} {name} profile {prof}: {len(indices) - bad}/{len(indices)} as expected')
sys.exit(1 if bad else 0)
EOF
	done
done
[ $runs -gt 0 ] || { echo "FAIL: no manifests generated"; exit 1; }
[ $fail -eq 0 ] && echo "all vectors as expected ($runs capture/profile runs)"
exit $fail
