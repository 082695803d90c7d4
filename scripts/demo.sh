#!/usr/bin/env bash
# The main job on a built-in default: installs and builds, then builds a lab
# customer (network namespaces sgt-phone -> sgt-cust, documentation addresses),
# enables the shipped `pbx` profile for it, sends benign calls and the bundled
# attacks through it (live SIPVicious, replayed attack captures) and prints
# the per-reason table. Everything it creates is removed on exit.
#   scripts/demo.sh [--profile NAME] [--calls N]
set -euo pipefail
cd "$(dirname "$0")/.."
profile=pbx calls=200
while [ $# -gt 0 ]; do
	case $1 in
	--profile) profile=$2; shift 2 ;;
	--calls) calls=$2; shift 2 ;;
	-h|--help) sed -n '2,7p' "$0"; exit 0 ;;
	*) echo "demo: unknown option $1" >&2; exit 2 ;;
	esac
done
[ -n "${SG_DEMO_NO_SETUP:-}" ] || bash scripts/setup.sh >/dev/null

export SG_BUILD=${SG_BUILD:-$PWD/build}
source tests/lib/lab.sh
set +e
trap 'sg disable lab >/dev/null 2>&1; lab_down' EXIT
lab_up || { echo "demo: lab set-up failed" >&2; exit 1; }
export LAB_UAC_MAX=120 LAB_UAS_MAX=600
lab_uas $LAB_CUST $LAB_CUST4
lab_kamailio $LAB_CUST $LAB_CUSTK || exit 1

echo "== sipguard enable lab --profile $profile (customer namespace $LAB_CUST)"
# the lab's sipp load is one source: lift the per-source rate for the demo
lab_profile=$LAB_TMP/$profile-lab.ini
printf '[profile]\nbase = %s/profiles/%s.ini\nname = %s\n[rate]\nper_source = 5000/second burst 5000\n' \
	"$PWD" "$profile" "$profile" >"$lab_profile"
sg enable lab --profile "$lab_profile" --netns $LAB_CUST --own-host $LAB_CUST4 --own-host $LAB_CUSTK ||
	{ echo "demo: enable failed" >&2; exit 1; }
lab_cust nft list table inet sipguard 2>/dev/null | grep -E "comment|hook" | sed 's/^[[:space:]]*/   /'

echo "== benign: $calls sipp calls phone -> customer"
lab_uac $LAB_PHONE4 $LAB_CUST4 "$calls" 100
echo "   calls completed: $LAB_UAC_OK, failed: $LAB_UAC_FAILED"

echo "== attacks: svmap, svwar, svcrack against the customer's kamailio"
for cmd in "svmap $LAB_CUSTK" "svwar -e100-120 $LAB_CUSTK" "svcrack -u100 -r1-20 $LAB_CUSTK"; do
	out=$(lab_phone timeout 20 $cmd 2>&1 | grep -E "$LAB_CUSTK|[0-9]{3} *\|" | head -3)
	printf '   %-32s %s\n' "$cmd" "${out:-no answer}"
done

echo "== replaying the bundled attack captures into the customer"
for p in malformed scanners reflection svmap svwar svcrack method-foo; do
	lab_phone python3 tests/lib/replay_pcap.py --to4 $LAB_CUST4 --to6 2001:db8:1::10 \
		--rate 500 pcaps/$p.pcap | sed "s/^/   $p: /"
done
sleep 1

echo "== sipguard stats lab"
sg stats lab
echo
echo "== offline: sipguard check --profile $profile on every bundled capture (options from its manifest)"
printf '   %-24s %8s %8s  %s\n' capture packets dropped "drop reasons"
for m in pcaps/*.manifest; do
	grep -q "^profiles.* $profile\b\|^profiles $profile\b" "$m" || continue
	cap=$(sed -n 's/^capture //p' "$m")
	opts=$(sed -n 's/^options //p' "$m")
	# shellcheck disable=SC2086
	"$SIPGUARD" check --profile "$profile" --json $opts "pcaps/$cap" |
		jq -r --arg c "$cap" '"\($c) \(.packets) \(.dropped) \([.verdicts[] | select(.verdict == "drop") | .reason] | group_by(.) | map("\(.[0])=\(length)") | join(" "))"' |
		while read -r c n d r; do printf '   %-24s %8s %8s  %s\n' "$c" "$n" "$d" "$r"; done
done
