#!/usr/bin/env bash
# Real-world SIP corpus (tests/corpus, issue #17): wraps every valid/ and
# invalid/ message into one UDP packet (tests/corpus/make_pcap.py), runs
# `sipguard check --json` under edge and pbx, and compares with
# tests/corpus/EXPECTED: every valid message not listed there passes, every
# listed one gets its listed verdict; every invalid message drops under edge
# unless EXPECTED lists it as a deliberate pass. Prints per profile how many
# valid messages passed and dropped per reason, what each invalid message
# got, and every mismatch with the file and the EXPECTED justification.
# Fails on any mismatch.
# Env: SG_BUILD (build dir), SG_CHECK (command replacing "$SG_BUILD/sipguard
# check"), SG_CORPUS_KEEP=1 keeps the output dir.
set -u
SG_SRC=${SG_SRC:-$(cd "$(dirname "$0")/.." && pwd)}
SG_BUILD=${SG_BUILD:-$SG_SRC/build}
check=${SG_CHECK:-$SG_BUILD/sipguard check}
corpus=$SG_SRC/tests/corpus

if [ -z "${SG_CHECK:-}" ] && [ ! -x "$SG_BUILD/sipguard" ]; then
	echo "FAIL: $SG_BUILD/sipguard not built"
	exit 1
fi
command -v python3 >/dev/null || { echo "FAIL: python3 needed"; exit 1; }

out=$(mktemp -d /tmp/sg-corpus.XXXXXX)
[ "${SG_CORPUS_KEEP:-0}" = 1 ] && echo "output kept in $out" || trap 'rm -rf "$out"' EXIT

if ! python3 "$corpus/make_pcap.py" "$out" >"$out/make.log" 2>&1; then
	echo "FAIL: make_pcap.py failed:"
	cat "$out/make.log"
	exit 1
fi

for p in edge pbx; do
	for l in valid invalid; do
		# sipguard check exits 0 when it judged (drops are no error): judge the JSON
		if ! $check --profile "$p" --json "$out/$l.pcap" >"$out/$l.$p.json" 2>"$out/$l.$p.err"; then
			echo "FAIL: sipguard check --profile $p $l.pcap: $(head -c 300 "$out/$l.$p.err")"
			exit 1
		fi
	done
done

python3 - "$out" "$corpus/EXPECTED" <<'PYEOF'
import json, sys
from collections import Counter, defaultdict

out, expected_path = sys.argv[1], sys.argv[2]
PASS_CLASSES = {"sip", "keepalive", "not-guarded", "fragment", "tcp-continuation", "not-ip"}

expect = {}          # (profile, file) -> (what, justification, recommend)
bad_lines = 0
for n, line in enumerate(open(expected_path, encoding="utf-8"), 1):
    f = line.split(None, 3)
    if not f or f[0].startswith("#"):
        continue
    rec = f[0] == "RECOMMEND"
    if rec:
        f = line.split(None, 4)[1:]
    if len(f) < 3:
        print(f"FAIL EXPECTED:{n}: needs PROFILES FILE EXPECT")
        bad_lines += 1
        continue
    why = f[3].strip() if len(f) > 3 else ""
    for p in f[0].split(","):
        if p not in ("edge", "pbx"):
            print(f"FAIL EXPECTED:{n}: unknown profile {p}")
            bad_lines += 1
        expect[(p, f[1])] = (f[2], why, rec)

fail = bad_lines
seen = set()
for label in ("valid", "invalid"):
    index = {}
    for l in open(f"{out}/{label}.index"):
        i, name = l.split()
        index[int(i)] = name
    for p in ("edge", "pbx"):
        rep = json.load(open(f"{out}/{label}.{p}.json"))
        got = {int(v["index"]): (v["verdict"], v["reason"]) for v in rep["verdicts"]}
        if len(got) != len(index):
            print(f"FAIL {label} {p}: {len(got)} verdicts for {len(index)} messages")
            fail += 1
        reasons = Counter()
        mism = []
        for i, name in sorted(index.items()):
            verdict, reason = got.get(i, ("missing", "missing"))
            reasons[reason if verdict == "drop" else "pass:" + reason] += 1
            e = expect.get((p, name))
            if e:
                seen.add((p, name))
            if e:
                what = e[0]
                if what == "pass":
                    ok = verdict == "pass"
                elif what in PASS_CLASSES:
                    ok = verdict == "pass" and reason == what
                else:
                    ok = verdict == "drop" and reason == what
                want = what + (" (RECOMMEND)" if e[2] else "")
                if not ok:
                    mism.append(f"MISMATCH {p} {name}: expected {want}, got {verdict} {reason}\n    because: {e[1]}")
            elif label == "valid":
                if verdict != "pass":
                    mism.append(f"MISMATCH {p} {name}: expected pass (valid, not in EXPECTED), got {verdict} {reason}")
            elif p == "edge":
                if verdict != "drop":
                    mism.append(f"MISMATCH {p} {name}: expected a drop (invalid, no deliberate pass in EXPECTED), got {verdict} {reason}")
        npass = sum(v for k, v in reasons.items() if k.startswith("pass:"))
        drops = ", ".join(f"{k} {v}" for k, v in sorted(reasons.items()) if not k.startswith("pass:"))
        print(f"{label} {p}: {len(index)} messages, {npass} passed, {len(index) - npass} dropped" +
              (f" ({drops})" if drops else ""))
        for m in mism:
            print("  " + m)
        fail += len(mism)
        if label == "invalid":
            for i, name in sorted(index.items()):
                verdict, reason = got.get(i, ("missing", "missing"))
                print(f"    {p} {name}: {verdict} {reason}")
for (p, name) in sorted(set(expect) - seen):
    print(f"FAIL EXPECTED names {name} for {p}, which is not in the corpus")
    fail += 1
print(f"corpus: {fail} mismatches")
sys.exit(1 if fail else 0)
PYEOF
