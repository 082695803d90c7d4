#!/usr/bin/env bash
# Every pcaps/*.manifest: for every profile it lists, run
#   $SG_BUILD/sipguard check --profile P --json [OPTIONS] CAPTURE
# and compare each packet's verdict and reason with the manifest.
# Prints every mismatch (manifest, profile, index, expected, got); fails on any
# mismatch, on a manifest index beyond the capture, on a malformed manifest,
# or when sipguard check fails.
# Env: SG_BUILD (set by tests/run), SG_SRC, SG_PCAPS (default $SG_SRC/pcaps).
set -u
here=$(cd "$(dirname "$0")" && pwd)
: "${SG_SRC:=$(cd "$here/.." && pwd)}"
: "${SG_BUILD:=$SG_SRC/build}"
: "${SG_PCAPS:=$SG_SRC/pcaps}"
sg=$SG_BUILD/sipguard
[ -x "$sg" ] || { echo "t_captures: $sg not built"; exit 1; }
shopt -s nullglob
manifests=("$SG_PCAPS"/*.manifest)
[ ${#manifests[@]} -gt 0 ] || { echo "t_captures: no manifests in $SG_PCAPS"; exit 1; }
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
fail=0 runs=0
for m in "${manifests[@]}"; do
	mname=$(basename "$m")
	# parse header lines: capture, profiles, options
	capture=$(awk '$1=="capture"{print $2; exit}' "$m")
	profiles=$(awk '$1=="profiles"{$1=""; print; exit}' "$m")
	options=$(awk '$1=="options"{$1=""; print; exit}' "$m")
	if [ -z "$capture" ] || [ -z "$profiles" ]; then
		echo "$mname: malformed manifest (needs 'capture' and 'profiles' lines)"; fail=1; continue
	fi
	cap=$SG_PCAPS/$capture
	[ -f "$cap" ] || { echo "$mname: capture $capture missing"; fail=1; continue; }
	for p in $profiles; do
		runs=$((runs + 1))
		out=$tmp/out.json
		# shellcheck disable=SC2086  # options are words by design
		"$sg" check --profile "$p" --json $options "$cap" >"$out" 2>"$tmp/err"
		rc=$?
		# check exits non-zero when it drops something? accept 0 and 1 if JSON came out
		if ! python3 -c 'import json,sys; json.load(open(sys.argv[1]))' "$out" 2>/dev/null; then
			echo "$mname [$p]: sipguard check rc=$rc, no JSON: $(head -c 300 "$tmp/err")"; fail=1; continue
		fi
		python3 - "$m" "$out" "$p" <<'PY' || fail=1
import json, re, sys
mpath, jpath, prof = sys.argv[1:4]
name = mpath.rsplit("/", 1)[-1]
default, rules, bad = None, [], False
for ln, line in enumerate(open(mpath), 1):
    line = line.split("#", 1)[0].strip() if not line.lstrip().startswith("#") else ""
    if not line:
        continue
    w = line.split()
    if w[0] in ("capture", "profiles", "options"):
        continue
    if w[0] == "default" and len(w) == 3:
        default = (w[1], w[2]); continue
    mm = re.fullmatch(r"(\d+)(?:-(\d+))?", w[0])
    if mm and len(w) == 3 and w[1] in ("pass", "drop"):
        a = int(mm.group(1)); b = int(mm.group(2) or a)
        if a < 1 or b < a:
            print("%s:%d: bad range %s" % (name, ln, w[0])); bad = True; continue
        rules.append((a, b, (w[1], w[2]), ln)); continue
    print("%s:%d: cannot parse: %s" % (name, ln, line)); bad = True
if default is not None and default[0] not in ("pass", "drop"):
    print("%s: bad default %s" % (name, default)); bad = True
j = json.load(open(jpath))
verdicts = j.get("verdicts", [])
n = j.get("packets", len(verdicts))
got = {}
for v in verdicts:
    got[int(v["index"])] = (v.get("verdict"), v.get("reason"))
if len(got) != n:
    print("%s [%s]: JSON reports %d packets but %d verdicts" % (name, prof, n, len(got))); bad = True
exp = {}
for i in range(1, n + 1):
    if default is not None:
        exp[i] = default
for a, b, e, ln in rules:
    if b > n:
        print("%s:%d: index %s beyond the capture (%d packets)" % (name, ln, b if a == b else "%d-%d" % (a, b), n)); bad = True
    for i in range(a, min(b, n) + 1):
        exp[i] = e
mis = 0
for i in range(1, n + 1):
    e = exp.get(i)
    g = got.get(i)
    if e is None:
        print("%s [%s] #%d: no expectation (no default)" % (name, prof, i)); bad = True; continue
    if g != e:
        mis += 1
        print("%s [%s] #%d: expected %s %s, got %s" % (name, prof, i, e[0], e[1], "%s %s" % g if g else "nothing"))
print("%s [%s]: %d packets, %d mismatches" % (name, prof, n, mis))
sys.exit(1 if bad or mis else 0)
PY
	done
done
echo "t_captures: $runs manifest/profile runs, $([ $fail -eq 0 ] && echo ok || echo FAILED)"
exit $fail
