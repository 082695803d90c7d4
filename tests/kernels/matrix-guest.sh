#!/usr/bin/env bash
# The guest half of tests/t_kernels.sh: runs inside a qemu-run guest, with
# the work directory WORK that t_kernels.sh prepared on the host and packed
# at the same path:
#   WORK/checks        lines "PROFILE [OPTIONS...]": one `sipguard check` each
#   WORK/caps          the captures, one path a line (same paths as on the host)
#   WORK/expect/P.json the host's `sipguard check --json` output for line P
#   WORK/equal-inputs  the inputs of the equality test, one path a line
#   WORK/sgudp         tests/kernels/sgudp.c, built on the host
# Checks, each printing "ok ..." or "FAIL ...":
#   1. every profile's validator loads, with the VARIANT expected of this
#      kernel, and the verifier processed at most BUDGET instructions;
#   2. every packet gets the same verdict and reason as on the host (the
#      whole JSON output is compared byte for byte);
#   3. the kernel program and the userspace parser agree (tests/equal, pbx);
#   4. live: `sipguard enable` in a namespace, a valid OPTIONS arrives at a
#      listener, a friendly-scanner OPTIONS does not and counts as scanner.
# Also prints "budget PROFILE VARIANT INSNS" and "time STEP SECONDS" lines
# for the host's summary. Exit status: the number of failures.
# Usage: matrix-guest.sh WORK VARIANT BUDGET
set -u
W=$1 want=$2 budget=$3
fails=0
ok() { echo "ok   $*"; }
fail() { echo "FAIL $*"; fails=$((fails + 1)); }
up() { cut -d' ' -f1 /proc/uptime; }
# elapsed seconds since uptime T0, one decimal
since() { awk -v a="$1" -v b="$(up)" 'BEGIN { printf "%.1f", b - a }'; }
kver=$(uname -r)
echo "kernel $kver, guest up $(up) s"

mapfile -t caps <"$W/caps"
mkdir -p "$W/got"

# ---- 1 and 2: every profile's validator, the verdicts on every capture -----
t=$(up)
while read -r prof opts; do
	[ -n "$prof" ] || continue
	t1=$(up)
	# shellcheck disable=SC2086 # options are words
	sipguard -v check --profile "$prof" --json $opts "${caps[@]}" \
		>"$W/got/$prof.json" 2>"$W/got/$prof.err"
	rc=$?
	line=$(grep -o 'validator loaded: [a-z_]* variant, [0-9]* instructions' "$W/got/$prof.err")
	variant=$(echo "$line" | awk '{print $3}')
	insns=$(echo "$line" | awk '{print $5}')
	echo "time check-$prof $(since "$t1")"
	if [ $rc != 0 ] || [ -z "$line" ]; then
		fail "$prof: sipguard check failed (exit $rc) on $kver; the last 40 lines of its log:"
		tail -n 40 "$W/got/$prof.err" | sed 's/^/    | /'
		continue
	fi
	echo "budget $prof $variant $insns"
	grep 'may_goto variant not loaded' "$W/got/$prof.err" | sed 's/^/    note: /'
	[ "$variant" = "$want" ] &&
		ok "$prof: the $variant variant loaded" ||
		fail "$prof: the $variant variant loaded on $kver, expected $want"
	[ "$insns" -le "$budget" ] &&
		ok "$prof: the verifier processed $insns instructions (<= $budget)" ||
		fail "$prof: the verifier processed $insns instructions on $kver ($variant variant), over $budget"
	if cmp -s "$W/expect/$prof.json" "$W/got/$prof.json"; then
		ok "$prof${opts:+ $opts}: all $(grep -c '"index":' "$W/got/$prof.json") verdicts as on the host"
	else
		fail "$prof${opts:+ $opts}: verdicts differ from the host's (< host, > $kver):"
		diff "$W/expect/$prof.json" "$W/got/$prof.json" | head -n 40 | sed 's/^/    | /'
	fi
done <"$W/checks"
echo "time checks $(since "$t")"

# When the variant is not the one expected, can the expected one load at
# all? (one more load, only then: says whether the pick or the verifier is
# at fault)
first=$(awk 'NF { print $1; exit }' "$W/checks")
if [ -s "$W/got/$first.err" ] && ! grep -q "validator loaded: $want variant" "$W/got/$first.err"; then
	SIPGUARD_VARIANT=$want sipguard -v check --profile "$first" "${caps[0]}" >/dev/null 2>"$W/got/forced.err"
	rc=$?
	line=$(grep -o 'validator loaded: [a-z_]* variant, [0-9]* instructions' "$W/got/forced.err")
	if [ $rc = 0 ] && [ -n "$line" ]; then
		echo "    note: forced with SIPGUARD_VARIANT=$want, $first's $line: the kernel takes the $want variant, sipguard did not pick it"
	else
		echo "    note: forced with SIPGUARD_VARIANT=$want, $first does not load either (exit $rc); the last 40 lines:"
		tail -n 40 "$W/got/forced.err" | sed 's/^/    | /'
	fi
fi

# ---- 3: kernel program equals userspace build ------------------------------
t=$(up)
mapfile -t inputs <"$W/equal-inputs"
/sg/build/tests/equal/equal -p pbx -n 200 "${inputs[@]}" >"$W/got/equal.out" 2>&1
rc=$?
echo "time equal $(since "$t")"
if [ $rc = 0 ] && grep -qE '^pbx +[0-9]+ packets, 0 differ, 0 run errors' "$W/got/equal.out"; then
	ok "equal: $(grep -E '^pbx +[0-9]+ packets' "$W/got/equal.out" | sed 's/  */ /g'); $(grep -o 'verifier processed [0-9]* instructions ([a-z_]* variant' "$W/got/equal.out"))"
else
	fail "equal (pbx, 200 mutations) exit $rc on $kver:"
	grep -v '^ *$' "$W/got/equal.out" | tail -n 40 | sed 's/^/    | /'
fi

# ---- 4: live --------------------------------------------------------------
t=$(up)
C=sgk-cust P=sgk-phone A=sgk
export SIPGUARD_STATE_DIR=$W/state SIPGUARD_PIN_ROOT=/sys/fs/bpf/sgk
mkdir -p "$SIPGUARD_STATE_DIR"
# one ip per namespace (-batch): every exec costs 0.1-0.3 s under TCG
if ip netns add $C && ip netns add $P &&
	ip link add sgk-p netns $P type veth peer name sgk-c netns $C &&
	printf '%s\n' "addr add 198.51.100.20/24 dev sgk-p" "link set sgk-p up" "link set lo up" \
		"route add 192.0.2.0/24 dev sgk-p" |
	ip -n $P -batch - &&
	printf '%s\n' "addr add 192.0.2.10/24 dev sgk-c" "link set sgk-c up" "link set lo up" \
		"route add 198.51.100.0/24 dev sgk-c" |
	ip -n $C -batch -; then
	ok "live: namespaces $P (198.51.100.20) and $C (192.0.2.10) joined by veth"
else
	fail "live: namespace setup"
fi
if sipguard enable $A --profile pbx --netns $C >"$W/got/enable.out" 2>&1; then
	ok "live: sipguard enable $A --profile pbx --netns $C"
else
	fail "live: sipguard enable exit $? on $kver:"
	tail -n 40 "$W/got/enable.out" | sed 's/^/    | /'
fi
sipguard status $A >"$W/got/status.out" 2>&1 &&
	ok "live: sipguard status $A: exit 0 ($(grep -o '[a-z_]* variant' "$W/got/status.out"), $(grep -o 'in sync' "$W/got/status.out"))" ||
	{ fail "live: sipguard status $A exit $?"; sed 's/^/    | /' "$W/got/status.out"; }

sip() { # sip UA CALLID
	printf '%s\r\n' "OPTIONS sip:100@192.0.2.10 SIP/2.0" \
		"Via: SIP/2.0/UDP 198.51.100.20:5062;branch=z9hG4bK-$2" \
		"Max-Forwards: 70" "From: <sip:alice@198.51.100.20>;tag=$2" "To: <sip:100@192.0.2.10>" \
		"Call-ID: $2@198.51.100.20" "CSeq: 1 OPTIONS" "User-Agent: $1" "Content-Length: 0" ""
}
sip "Linphone/5.2.5 (belle-sip/5.2.94)" sgkvalid77a1 >"$W/valid.sip"
sip "friendly-scanner" sgkscan42b7 >"$W/scanner.sip"
got=$W/got/udp.rec
ip netns exec $C "$W/sgudp" recv 5060 "$got" sgkvalid77a1 20 2>"$W/got/udp.err" &
listener=$!
for _ in $(seq 50); do [ -e "$got.ready" ] && break; sleep 0.1; done
[ -e "$got.ready" ] || fail "live: the UDP listener in $C did not start: $(cat "$W/got/udp.err")"
# the scanner first: had it passed, it would be recorded before the valid one
ip netns exec $P "$W/sgudp" send 192.0.2.10 5060 "$W/scanner.sip" || fail "live: sending the scanner OPTIONS"
ip netns exec $P "$W/sgudp" send 192.0.2.10 5060 "$W/valid.sip" || fail "live: sending the valid OPTIONS"
wait $listener
lrc=$?
if grep -q 'User-Agent: Linphone' "$got" 2>/dev/null && [ $lrc = 0 ]; then
	ok "live: the valid OPTIONS (User-Agent: Linphone) reached the listener in $C"
	# sent before the valid one, over the same veth: had it passed, it
	# would be there
	grep -q 'friendly-scanner' "$got" &&
		fail "live: the friendly-scanner OPTIONS reached the listener" ||
		ok "live: the friendly-scanner OPTIONS did not reach the listener"
else
	fail "live: the valid OPTIONS did not arrive (listener exit $lrc; so nothing tells whether the scanner's would have)"
fi
sipguard stats $A --prometheus >"$W/got/stats.out" 2>&1
# labels other than customer and reason (profile, action) may come between
n() { sed -n "/^sipguard_packets_total{customer=\"$A\",.*reason=\"$1\",/s/.*} //p" "$W/got/stats.out"; }
[ "$(n scanner)" = 1 ] && [ "$(n sip)" = 1 ] &&
	ok "live: sipguard stats $A: scanner 1, sip 1" ||
	{ fail "live: sipguard stats $A: scanner '$(n scanner)', sip '$(n sip)', expected 1 and 1:"; sipguard stats $A 2>&1 | sed 's/^/    | /'; }
sipguard disable $A >"$W/got/disable.out" 2>&1 &&
	ok "live: sipguard disable $A" ||
	{ fail "live: sipguard disable $A exit $?"; sed 's/^/    | /' "$W/got/disable.out"; }
[ -z "$(ip netns exec $C nft list ruleset 2>/dev/null)" ] && [ -z "$(ls -A /sys/fs/bpf/sgk 2>/dev/null)" ] &&
	ok "live: no rules and no pins left" ||
	fail "live: rules or pins left after disable: $(ip netns exec $C nft list ruleset | head -5) $(ls /sys/fs/bpf/sgk)"
ip netns del $C; ip netns del $P
echo "time live $(since "$t")"
echo "guest up $(up) s at the end"
exit $fails
