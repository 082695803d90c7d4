# shellcheck shell=bash
# Lab for live sipguard tests: a phone/attacker namespace and two customer
# namespaces, joined by veth pairs, documentation addresses only.
#
#   sgt-phone  198.51.100.20/32 (veth sgtp-c1) ---- sgtc-c1 192.0.2.10,.11/25   sgt-cust
#              198.51.100.21/32 (veth sgtp-c2) ---- sgtc-c2 192.0.2.130,.131/25 sgt-cust2
#              2001:db8:1::20 / 2001:db8:2::20        2001:db8:1::10 / 2001:db8:2::10
#
# Source this file, then:  lab_up; trap lab_down EXIT
#   lab_phone CMD...  lab_cust CMD...  lab_cust2 CMD...   (network namespace only:
#   nsenter --net keeps /sys/fs/bpf visible, see DESIGN 3)
# sipguard runs with SIPGUARD_STATE_DIR in a temporary directory and
# SIPGUARD_PIN_ROOT in a bpffs directory of the test's own (LAB_PINS), so a
# test never touches /var/lib/sipguard nor the host's shared dataplane in
# /sys/fs/bpf/sipguard; customers of tests are named sgt-*.
# LAB_SUFFIX (default empty) is appended to the namespace names, so that test
# runs of several checkouts on one host do not take each other's namespaces.
LAB_PHONE=sgt-phone${LAB_SUFFIX:-} LAB_CUST=sgt-cust${LAB_SUFFIX:-} LAB_CUST2=sgt-cust2${LAB_SUFFIX:-}
LAB_PHONE4=198.51.100.20 LAB_PHONE4B=198.51.100.21
LAB_CUST4=192.0.2.10 LAB_CUST24=192.0.2.130      # sipp UAS
LAB_CUSTK=192.0.2.11 LAB_CUST2K=192.0.2.131       # kamailio (lab_kamailio)
: "${SG_BUILD:=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)/build}"
SIPGUARD=${SIPGUARD:-$SG_BUILD/sipguard}
: "${LAB_PINS:=/sys/fs/bpf/sgt-$$}" # bpffs takes no dot in a name
export SIPGUARD_PIN_ROOT=$LAB_PINS

lab_phone() { nsenter --net=/run/netns/$LAB_PHONE "$@"; }
lab_cust() { nsenter --net=/run/netns/$LAB_CUST "$@"; }
lab_cust2() { nsenter --net=/run/netns/$LAB_CUST2 "$@"; }

# sipguard with the test's private state directory
sg() { SIPGUARD_STATE_DIR=$LAB_STATE "$SIPGUARD" "$@"; }

lab_down() {
	local c
	# background jobs of the test (sipp ...): stop them by pid
	for c in $(jobs -p); do kill "$c" 2>/dev/null; done
	if [ -n "${LAB_STATE:-}" ] && [ -d "$LAB_STATE/customers" ]; then
		for c in "$LAB_STATE"/customers/*.conf; do
			[ -e "$c" ] || continue
			c=$(basename "$c" .conf)
			sg disable "$c" >/dev/null 2>&1 || true
		done
	fi
	rm -rf "$LAB_PINS"
	# what still runs in the lab's namespaces (sipp -bg daemonises itself,
	# out of reach of jobs and timeout), and lab_uas's sipp in a namespace
	# the test deleted and made again (found by its error file in LAB_TMP)
	for c in $LAB_PHONE $LAB_CUST $LAB_CUST2; do
		ip netns pids $c 2>/dev/null | xargs -r kill 2>/dev/null
	done
	if [ -n "${LAB_TMP:-}" ]; then
		for c in /proc/[0-9]*; do
			grep -qF -- "$LAB_TMP/uas-" "$c/cmdline" 2>/dev/null && kill "${c#/proc/}" 2>/dev/null
		done
	fi
	ip netns del $LAB_PHONE 2>/dev/null
	ip netns del $LAB_CUST 2>/dev/null
	ip netns del $LAB_CUST2 2>/dev/null
	[ -n "${LAB_STATE:-}" ] && rm -rf "$LAB_STATE"
	[ -n "${LAB_TMP:-}" ] && rm -rf "$LAB_TMP"
	return 0
}

lab_up() {
	LAB_STATE=$(mktemp -d /tmp/sgt-state.XXXXXX)
	LAB_TMP=$(mktemp -d /tmp/sgt-tmp.XXXXXX)
	ip netns del $LAB_PHONE 2>/dev/null; ip netns del $LAB_CUST 2>/dev/null
	ip netns del $LAB_CUST2 2>/dev/null
	ip netns add $LAB_PHONE && ip netns add $LAB_CUST && ip netns add $LAB_CUST2 || return 1
	ip link add sgtp-c1 netns $LAB_PHONE type veth peer name sgtc-c1 netns $LAB_CUST || return 1
	ip link add sgtp-c2 netns $LAB_PHONE type veth peer name sgtc-c2 netns $LAB_CUST2 || return 1
	local n
	for n in $LAB_PHONE $LAB_CUST $LAB_CUST2; do ip -n $n link set lo up; done
	ip -n $LAB_PHONE addr add $LAB_PHONE4/32 dev sgtp-c1
	ip -n $LAB_PHONE addr add $LAB_PHONE4B/32 dev sgtp-c2
	ip -n $LAB_PHONE addr add 2001:db8:1::20/128 dev sgtp-c1 nodad
	ip -n $LAB_PHONE addr add 2001:db8:2::20/128 dev sgtp-c2 nodad
	ip -n $LAB_CUST addr add $LAB_CUST4/25 dev sgtc-c1
	ip -n $LAB_CUST addr add $LAB_CUSTK/25 dev sgtc-c1
	ip -n $LAB_CUST addr add 2001:db8:1::10/64 dev sgtc-c1 nodad
	ip -n $LAB_CUST2 addr add $LAB_CUST24/25 dev sgtc-c2
	ip -n $LAB_CUST2 addr add $LAB_CUST2K/25 dev sgtc-c2
	ip -n $LAB_CUST2 addr add 2001:db8:2::10/64 dev sgtc-c2 nodad
	ip -n $LAB_PHONE link set sgtp-c1 up; ip -n $LAB_PHONE link set sgtp-c2 up
	ip -n $LAB_CUST link set sgtc-c1 up; ip -n $LAB_CUST2 link set sgtc-c2 up
	ip -n $LAB_PHONE route add 192.0.2.0/25 dev sgtp-c1 src $LAB_PHONE4
	ip -n $LAB_PHONE route add 192.0.2.128/25 dev sgtp-c2 src $LAB_PHONE4B
	ip -n $LAB_PHONE -6 route add 2001:db8:1::/64 dev sgtp-c1 src 2001:db8:1::20
	ip -n $LAB_PHONE -6 route add 2001:db8:2::/64 dev sgtp-c2 src 2001:db8:2::20
	ip -n $LAB_CUST route add 198.51.100.0/24 dev sgtc-c1
	ip -n $LAB_CUST -6 route add 2001:db8:1::20/128 dev sgtc-c1
	ip -n $LAB_CUST2 route add 198.51.100.0/24 dev sgtc-c2
	ip -n $LAB_CUST2 -6 route add 2001:db8:2::20/128 dev sgtc-c2
	local i
	for i in $(seq 50); do
		ip -n $LAB_PHONE link show sgtp-c1 | grep -q LOWER_UP &&
			ip -n $LAB_PHONE link show sgtp-c2 | grep -q LOWER_UP && return 0
		sleep 0.1
	done
	echo "lab: veth links did not come up" >&2
	return 1
}

# lab_uas NS ADDR [PORT]: sipp UAS in the background (pid in LAB_UAS_PID),
# bounded by ${LAB_UAS_MAX:-300} s.
lab_uas() {
	local ns=$1 addr=$2 port=${3:-5060}
	nsenter --net=/run/netns/"$ns" timeout "${LAB_UAS_MAX:-300}" \
		sipp -sn uas -i "$addr" -p "$port" -nostdin -trace_err \
		-error_file "$LAB_TMP/uas-$ns.err" >/dev/null 2>&1 &
	LAB_UAS_PID=$!
	sleep 0.5
}

# lab_kamailio NS ADDR: kamailio (lab-kamailio.cfg) on ADDR:5060 in the
# background, bounded by ${LAB_UAS_MAX:-300} s; waits until it answers.
lab_kamailio() {
	local ns=$1 addr=$2 i
	mkdir -p "$LAB_TMP/kam-$ns"
	nsenter --net=/run/netns/"$ns" timeout "${LAB_UAS_MAX:-300}" kamailio \
		-f "$(dirname "${BASH_SOURCE[0]}")/lab-kamailio.cfg" -D -E -m 16 -M 4 \
		-l "udp:$addr:5060" -Y "$LAB_TMP/kam-$ns" >"$LAB_TMP/kam-$ns.log" 2>&1 &
	for i in $(seq 50); do
		nsenter --net=/run/netns/"$ns" ss -lun 2>/dev/null | grep -q "$addr:5060" && return 0
		sleep 0.1
	done
	echo "lab: kamailio did not start in $ns" >&2
	return 1
}

# lab_uac SRC DST CALLS RATE [extra sipp args]: sipp UAC from the phone; exit
# code of sipp (0 = every call successful). Successful-call count in
# LAB_UAC_OK, failed in LAB_UAC_FAILED.
lab_uac() {
	local src=$1 dst=$2 calls=$3 rate=$4; shift 4
	local stf=$LAB_TMP/uac-$$-$RANDOM.csv rc
	lab_phone timeout "${LAB_UAC_MAX:-120}" sipp -sn uac "$dst:5060" -i "$src" -p 0 \
		-m "$calls" -r "$rate" -l 500 -nostdin -timeout "${LAB_UAC_MAX:-120}s" \
		-recv_timeout 10s -trace_stat -stf "$stf" -fd 3600 "$@" >/dev/null 2>&1
	rc=$?
	LAB_UAC_OK=$(lab_csv "$stf" SuccessfulCall\(C\))
	LAB_UAC_FAILED=$(lab_csv "$stf" FailedCall\(C\))
	return $rc
}

# lab_csv FILE COLUMN: value of COLUMN in the last line of sipp's stat CSV
lab_csv() {
	[ -s "$1" ] || { echo 0; return; }
	awk -F';' -v col="$2" 'NR==1 { for (i = 1; i <= NF; i++) if ($i == col) c = i }
		END { print (c ? $c : 0) + 0 }' "$1"
}

# lab_ruleset NS: nft ruleset of NS without volatile counters and meter entries
lab_ruleset() {
	nsenter --net=/run/netns/"$1" nft list ruleset 2>/dev/null |
		sed -E 's/counter packets [0-9]+ bytes [0-9]+/counter/' | grep -v expires
}

# lab_snapshot: everything a failed command must leave untouched
lab_snapshot() {
	{
		lab_ruleset $LAB_CUST; lab_ruleset $LAB_CUST2
		find "$LAB_PINS" 2>/dev/null | sort
		find "$LAB_STATE" -type f -exec sh -c 'echo "== $1"; cat "$1"' _ {} \; 2>/dev/null | sort
	}
}

# lab_reason CUSTOMER REASON: packets counted for REASON (stats --json)
lab_reason() {
	sg stats "$1" --json | jq -r --arg r "$2" '.customers[0].reasons[$r].packets // 0'
}
# lab_rule_packets CUSTOMER KIND: packets of sipguard's rule of that kind
lab_rule_packets() {
	sg stats "$1" --json | jq -r --arg k "$2" '[.customers[0].rules[] | select(.kind == $k) | .packets] | add // 0'
}

fail() { echo "FAIL: $*" >&2; exit 1; }
ok() { echo "ok: $*"; }
