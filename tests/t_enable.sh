#!/usr/bin/env bash
# Live test of sipguard enable/disable/status/stats/restore in network
# namespaces (tests/lib/lab.sh): nft wiring, idempotence, profile switch under
# load, two customers, monitor mode, attach mode, errors that change nothing.
set -u
here=$(cd "$(dirname "$0")" && pwd)
: "${SG_BUILD:=$here/../build}"
source "$here/lib/lab.sh"
[ -x "$SIPGUARD" ] || fail "no $SIPGUARD (build first)"
for t in sipp svmap svwar svcrack jq nft nsenter; do
	command -v $t >/dev/null || fail "$t not installed"
done
trap lab_down EXIT
lab_up || fail "lab setup"
export LAB_UAC_MAX=60

# test profiles: the shipped ones with a per-source rate that fits sipp load
profiles=$(cd "$here/../profiles" && pwd)
for p in pbx trunk; do
	printf '[profile]\nbase = %s/%s.ini\nname = %s-lab\n[rate]\nper_source = 5000/second burst 5000\n' \
		"$profiles" $p $p >"$LAB_TMP/$p-lab.ini"
done
printf '[profile]\nname = broken\n[methods]\nallow = INVITE\nthis line is wrong\n' >"$LAB_TMP/broken.ini"

A=sgt-acme B=sgt-beta

# ---- baseline: sipp works unprotected, svmap sees the UAS --------------------
lab_uas $LAB_CUST $LAB_CUST4
lab_uas $LAB_CUST2 $LAB_CUST24
lab_kamailio $LAB_CUST $LAB_CUSTK || fail "kamailio"
lab_kamailio $LAB_CUST2 $LAB_CUST2K || fail "kamailio 2"
lab_uac $LAB_PHONE4 $LAB_CUST4 50 50 || fail "baseline sipp without sipguard: $LAB_UAC_OK ok"
out=$(lab_phone timeout 20 svmap $LAB_CUSTK 2>&1)
echo "$out" | grep -q "$LAB_CUSTK:5060" || fail "baseline: svmap does not find kamailio unprotected: $out"
out=$(lab_phone timeout 20 svmap $LAB_CUST2K 2>&1)
echo "$out" | grep -q "$LAB_CUST2K:5060" || fail "baseline: svmap does not find kamailio 2 unprotected: $out"
ok "baseline without sipguard: 50 calls, svmap finds both kamailio servers"

# ---- enable pbx ------------------------------------------------------------
sg enable $A --profile pbx --netns $LAB_CUST || fail "enable pbx rc=$?"
rs=$(lab_ruleset $LAB_CUST)
echo "$rs" | grep -q "xt match bpf" || fail "no xt match bpf rule: $rs"
echo "$rs" | grep "xt match bpf" | grep -q "comment \"sipguard $A profile=pbx validator\"" ||
	fail "bpf rule without sipguard comment: $rs"
echo "$rs" | grep -q "hook input priority filter - 10; policy accept" || fail "base chain: $rs"
echo "$rs" | grep -q "limit rate 50/second burst 100 packets } goto sg\.$A\.1\.v comment \"sipguard $A profile=pbx metered\"" ||
	fail "rate meter: $rs"
echo "$rs" | grep -q "chain sg\.$A\.1\.v {" || fail "no validator chain: $rs"
[ -f $LAB_PINS/$A/1/sip_validate ] || fail "program not pinned"
[ -f "$LAB_STATE/customers/$A.conf" ] || fail "no state file"
sg status $A >/dev/null || fail "status after enable rc=$?"
ok "enable pbx: xt bpf rule with comment, rate meter, pins, state, status in sync"

# the guarded ports' branches: a datagram to another port (media) leaves
# the chain at the port compare, no validator sees it; one to 5060 goes
# through its family's UDP branch (.u4, .u6: metered there) to the
# validator's chain
chain_rule_packets() { # CHAIN KIND: packets counted by that rule of that chain
	lab_cust nft -j list chain inet sipguard "$1" 2>/dev/null | jq --arg k "$2" '
		[.nftables[] | .rule? // empty | select(.comment | endswith(" " + $k)) |
		 .expr[] | .counter? // empty | .packets] | add // 0'
}
send_udp() { # ADDRESS PORT COUNT: datagrams of 172 bytes that are not SIP
	lab_phone python3 -c 'import socket, sys
a, p, n = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
s = socket.socket(socket.AF_INET6 if ":" in a else socket.AF_INET, socket.SOCK_DGRAM)
for _ in range(n): s.sendto(b"\x80" * 172, (a, p))' "$@"
}
v_before=$(lab_rule_packets $A validator)
send_udp $LAB_CUST4 20000 20
send_udp 2001:db8:1::10 20000 20
[ "$(lab_rule_packets $A validator)" = "$v_before" ] || fail "media to port 20000 met the validator"
meter_has() { # SET ADDRESS: the source is in that meter
	lab_cust nft get element inet sipguard "$1" "{ $2 }" >/dev/null 2>&1
}
v0=$(chain_rule_packets sg.$A.1.v validator)
send_udp $LAB_CUST4 5060 7
sleep 0.2
v1=$(chain_rule_packets sg.$A.1.v validator)
send_udp 2001:db8:1::10 5060 5
sleep 0.2
v2=$(chain_rule_packets sg.$A.1.v validator)
[ "$v1" -eq $((v0 + 7)) ] && [ "$v2" -eq $((v1 + 5)) ] ||
	fail "not-SIP to 5060: validator $v0 -> $v1 (want +7, IPv4) -> $v2 (want +5, IPv6)"
meter_has sg.$A.1.rate4 $LAB_PHONE4 || fail "the IPv4 datagrams did not pass .u4's meter"
meter_has sg.$A.1.rate6 2001:db8:1::20 || fail "the IPv6 datagrams did not pass .u6's meter"
ok "branches: media to another port meets no validator; UDP to 5060 metered in its family's branch and dropped by the validator (7 IPv4, 5 IPv6)"

# per-source rate limit of the shipped pbx profile (50/s burst 100)
lab_uac $LAB_PHONE4 $LAB_CUST4 200 200 -recv_timeout 2s >/dev/null
rate=$(lab_rule_packets $A rate)
[ "${rate:-0}" -gt 0 ] || fail "rate limit rule never matched a 600 pkt/s flood"
ok "per-source rate meter dropped $rate packets of a flood"

# TCP connection attempts per source: the same 50/s burst 100, in the same
# meter as the source's UDP datagrams (one meter per family)
echo "$rs" | grep -q 'tcp flags syn / fin,syn,rst,ack add @sg.*rate4' || fail "no SYN meter rule: $rs"
lab_phone python3 -c '
import socket, sys
socks = []
for _ in range(300):
    s = socket.socket()
    s.setblocking(False)
    s.connect_ex((sys.argv[1], 5060))
    socks.append(s)
' $LAB_CUST4
syn=$(lab_rule_packets $A syn-rate)
[ "${syn:-0}" -gt 0 ] || fail "SYN meter never matched 300 connection attempts from one source"
[ "$(lab_rule_packets $A rate)" = "$rate" ] || fail "TCP SYNs counted by the UDP meter"
ok "per-source SYN meter dropped $syn of 300 connection attempts (the UDP rule's count untouched)"

# ---- peers (--peer) are not metered, but still judged --------------------------
# a peer list without the phone: the phone stays metered
sg enable $A --profile pbx --netns $LAB_CUST --peer 203.0.113.0/24 --peer 2001:db8:ffff::/48 >/dev/null ||
	fail "enable pbx with other peers"
rs=$(lab_ruleset $LAB_CUST)
echo "$rs" | grep -q "ip saddr @sg\.$A\.[0-9]*\.peer4 goto sg\.$A\.[0-9]*\.v comment \"sipguard $A profile=pbx peer\"" ||
	fail "no rule sends the peers4 set past the meter: $rs"
echo "$rs" | grep -q "ip6 saddr @sg\.$A\.[0-9]*\.peer6 goto sg\.$A\.[0-9]*\.v comment \"sipguard $A profile=pbx peer\"" ||
	fail "no rule sends the peers6 set past the meter: $rs"
lab_uac $LAB_PHONE4 $LAB_CUST4 200 200 -recv_timeout 2s >/dev/null
rate=$(lab_rule_packets $A rate)
[ "${rate:-0}" -gt 0 ] || fail "with other peers listed, the phone's flood was not metered"
# the phone is a peer: its flood passes the meter, and the validator still judges it
sg enable $A --profile pbx --netns $LAB_CUST --peer $LAB_PHONE4/32 >/dev/null || fail "enable pbx with the phone as peer"
lab_uac $LAB_PHONE4 $LAB_CUST4 200 200 -recv_timeout 2s; rc=$?
rate=$(lab_rule_packets $A rate); full=$(lab_rule_packets $A meter-full)
[ "${rate:-0}" -eq 0 ] && [ "${full:-0}" -eq 0 ] || fail "a peer's flood met the meter: rate $rate, meter-full $full"
[ $rc -eq 0 ] && [ "$LAB_UAC_OK" -eq 200 ] || fail "a peer's 200 calls at 200/s: rc=$rc ok=$LAB_UAC_OK failed=$LAB_UAC_FAILED"
s0=$(lab_reason $A scanner)
lab_phone timeout 20 svmap $LAB_CUSTK >/dev/null 2>&1
s1=$(lab_reason $A scanner)
[ "$s1" -gt "$s0" ] || fail "a peer's scanner message was not judged ($s0 -> $s1)"
sg enable $A --profile pbx --netns $LAB_CUST >/dev/null || fail "enable pbx without peers"
lab_ruleset $LAB_CUST | grep -q "peer4" && fail "peer sets left after enable without --peer: $(lab_ruleset $LAB_CUST)"
ok "peers: meters skip them (200 calls at 200/s, 0 metered; other peers listed: the phone metered), the validator still drops their scanner messages ($s0 -> $s1)"

# ---- enabling twice is a no-op -----------------------------------------------
before=$(nsenter --net=/run/netns/$LAB_CUST nft -a list ruleset 2>/dev/null | sed -E 's/packets [0-9]+ bytes [0-9]+//' | grep -vE 'elements|expires'; ls -R $LAB_PINS/$A; cat "$LAB_STATE/customers/$A.conf")
out=$(sg enable $A --profile pbx --netns $LAB_CUST) || fail "second enable rc=$?"
echo "$out" | grep -q "no change" || fail "second enable did something: $out"
after=$(nsenter --net=/run/netns/$LAB_CUST nft -a list ruleset 2>/dev/null | sed -E 's/packets [0-9]+ bytes [0-9]+//' | grep -vE 'elements|expires'; ls -R $LAB_PINS/$A; cat "$LAB_STATE/customers/$A.conf")
[ "$before" = "$after" ] || fail "second enable changed the ruleset/pins/state"
ok "enable twice: no change (handles, pins, state identical)"

# ---- bad inputs change nothing ------------------------------------------------
snap=$(lab_snapshot)
sg enable $A --profile pbx --netns sgt-nonexistent 2>/dev/null; rc=$?
[ $rc -eq 3 ] || fail "missing netns: rc=$rc, want 3"
err=$(sg enable $A --profile "$LAB_TMP/broken.ini" --netns $LAB_CUST 2>&1); rc=$?
[ $rc -eq 2 ] || fail "bad profile: rc=$rc, want 2"
echo "$err" | grep -qE "broken.ini:[0-9]+" || fail "bad profile error lacks FILE:LINE: $err"
sg enable $A --profile no-such-profile --netns $LAB_CUST 2>/dev/null; rc=$?
[ $rc -eq 2 ] || fail "unknown profile: rc=$rc, want 2"
sg enable Bad_Name --profile pbx --netns $LAB_CUST 2>/dev/null; rc=$?
[ $rc -eq 2 ] || fail "bad customer name: rc=$rc, want 2"
sg enable $A --profile pbx --netns $LAB_CUST --deny 198.51.100.300 2>/dev/null; rc=$?
[ $rc -eq 2 ] || fail "bad CIDR: rc=$rc, want 2"
sg enable $A --profile pbx --netns $LAB_CUST --attach inet:nosuch:input 2>/dev/null; rc=$?
[ $rc -eq 2 ] || fail "attach to a missing table: rc=$rc, want 2"
SIPGUARD_STATE_DIR=$LAB_STATE setpriv --reuid=65534 --regid=65534 --clear-groups \
	"$SIPGUARD" enable $A --profile pbx --netns $LAB_CUST 2>/dev/null; rc=$?
[ $rc -eq 3 ] || fail "not root: rc=$rc, want 3"
[ "$snap" = "$(lab_snapshot)" ] || fail "a failed enable changed the ruleset, pins or state"
ok "missing netns (3), bad/unknown profile with FILE:LINE (2), bad name (2), bad CIDR (2), attach target missing (2), not root (3): nothing changed"

# ---- sipp through pbx, then scanners -----------------------------------------
sg enable $A --profile "$LAB_TMP/pbx-lab.ini" --netns $LAB_CUST || fail "enable pbx-lab"
lab_uac $LAB_PHONE4 $LAB_CUST4 2000 300; rc=$?
[ $rc -eq 0 ] && [ "$LAB_UAC_OK" -eq 2000 ] || fail "sipp through pbx: rc=$rc ok=$LAB_UAC_OK failed=$LAB_UAC_FAILED"
ok "sipp 2000 calls at 300/s through pbx: all successful"

s0=$(lab_reason $A scanner); v0=$(lab_rule_packets $A validator)
out=$(lab_phone timeout 20 svmap $LAB_CUSTK 2>&1)
echo "$out" | grep -q "$LAB_CUSTK:5060" && fail "svmap got an answer: $out"
out=$(lab_phone timeout 30 svwar -e100-120 $LAB_CUSTK 2>&1)
echo "$out" | grep -qiE "replied|\| *1[0-2][0-9] *\|" && fail "svwar got answers: $out"
out=$(lab_phone timeout 30 svcrack -u100 -r1-30 $LAB_CUSTK 2>&1)
echo "$out" | grep -qiE "replied|\| *100 *\| *[0-9]+ *\|" && fail "svcrack got answers: $out"
s1=$(lab_reason $A scanner); v1=$(lab_rule_packets $A validator)
[ "$s1" -gt "$s0" ] || fail "stats: scanner count did not grow ($s0 -> $s1): $(ls -R $LAB_PINS/$A; mount | grep bpf)"
[ "$v1" -gt "$v0" ] || fail "validator rule counter did not grow ($v0 -> $v1)"
sg stats $A --prometheus | grep -qE "^sipguard_packets_total\{customer=\"$A\",profile=\"pbx-lab\",reason=\"scanner\",action=\"drop\"\} [1-9]" ||
	fail "prometheus output lacks the scanner drops"
ok "svmap/svwar/svcrack: no answer; scanner drops counted ($s0 -> $s1), prometheus ok"

# ---- profile switch during a running call load -------------------------------
lab_uac $LAB_PHONE4 $LAB_CUST4 1500 150 & uac=$!
sleep 2
sg enable $A --profile "$LAB_TMP/trunk-lab.ini" --netns $LAB_CUST >/dev/null || fail "switch to trunk"
lab_ruleset $LAB_CUST | grep -q "profile=trunk-lab validator" || fail "trunk rules not in place"
sleep 2
sg enable $A --profile "$LAB_TMP/pbx-lab.ini" --netns $LAB_CUST >/dev/null || fail "switch back to pbx"
wait $uac; rc=$?
[ $rc -eq 0 ] || fail "calls failed during pbx -> trunk -> pbx switch (sipp rc=$rc)"
[ "$(ls $LAB_PINS/$A | wc -l)" -eq 1 ] || fail "old generations still pinned: $(ls $LAB_PINS/$A)"
[ "$(lab_ruleset $LAB_CUST | grep -cE 'chain sg\.[a-z0-9_-]+\.[0-9]+ \{')" -eq 1 ] || fail "old chains left: $(lab_ruleset $LAB_CUST)"
ok "switch pbx -> trunk -> pbx under 150 calls/s: no call failed, one generation left"

# ---- second customer, other namespace, other profile --------------------------
sg enable $B --profile shield --netns $LAB_CUST2 >/dev/null || fail "enable shield for $B"
rs2=$(lab_ruleset $LAB_CUST2)
lab_uac $LAB_PHONE4B $LAB_CUST24 3 3 -recv_timeout 3s -timeout 15s
[ "${LAB_UAC_OK:-0}" -eq 0 ] || fail "shield let $LAB_UAC_OK calls through"
lab_uac $LAB_PHONE4 $LAB_CUST4 100 100 || fail "$A calls failed while $B has shield"
b0=$(lab_reason $B scanner)
lab_phone timeout 20 svmap $LAB_CUSTK >/dev/null 2>&1
sg enable $A --profile "$LAB_TMP/trunk-lab.ini" --netns $LAB_CUST >/dev/null || fail "switch $A"
[ "$(lab_reason $B scanner)" = "$b0" ] || fail "$A's scanners counted for $B"
[ "$rs2" = "$(lab_ruleset $LAB_CUST2)" ] || fail "$A's switch changed $B's rules"
[ "$(sg list | wc -l)" -eq 2 ] || fail "list: $(sg list)"
ok "two customers: shield blocks $B's calls, $A unaffected, counters and rules separate"

# ---- monitor mode -------------------------------------------------------------
sg enable $A --profile "$LAB_TMP/pbx-lab.ini" --netns $LAB_CUST --mode monitor >/dev/null || fail "monitor"
lab_ruleset $LAB_CUST | grep -q "mode=monitor validator" || fail "monitor comment missing"
s0=$(lab_reason $A scanner); v0=$(lab_rule_packets $A validator)
out=$(lab_phone timeout 20 svmap $LAB_CUSTK 2>&1)
echo "$out" | grep -q "$LAB_CUSTK:5060" || fail "monitor: svmap got no answer: $out"
s1=$(lab_reason $A scanner); v1=$(lab_rule_packets $A validator)
[ "$s1" -gt "$s0" ] || fail "monitor: would-drops not counted ($s0 -> $s1)"
[ "$v1" -eq "$v0" ] || fail "monitor: validator rule matched ($v0 -> $v1)"
sg stats $A --json | jq -e '.customers[0].reasons.scanner.action == "monitor"' >/dev/null ||
	fail "monitor action label"
lab_uac $LAB_PHONE4 $LAB_CUST4 200 100 || fail "monitor: calls failed"
ok "monitor: svmap answered, scanner would-drops counted ($s0 -> $s1), nothing dropped"

# ---- attach mode: into the customer's own table ---------------------------------
lab_cust2 nft -f - <<'EOF' || fail "customer table"
table inet filter {
	chain input { type filter hook input priority 0; policy accept; tcp dport 22 accept comment "theirs"; udp dport 53 accept; }
}
EOF
sg disable $B >/dev/null || fail "disable $B"
lab_ruleset $LAB_CUST2 | grep -q sipguard && fail "disable $B left its table"
theirs=$(lab_ruleset $LAB_CUST2)
sg enable $B --profile pbx --netns $LAB_CUST2 --attach inet:filter:input >/dev/null || fail "attach"
first=$(lab_cust2 nft list chain inet filter input 2>/dev/null | grep -v -E '^\s*(table|chain|type|\}|$)' | head -1)
echo "$first" | grep -q "jump sg.$B.1" || fail "jump not at the top: $first"
lab_cust2 nft list chain inet filter input 2>/dev/null | grep -q 'comment "theirs"' || fail "their rule lost"
out=$(lab_phone timeout 20 svmap $LAB_CUST2K 2>&1)
echo "$out" | grep -q "$LAB_CUST2K:5060" && fail "attach: svmap got an answer"
[ "$(lab_reason $B scanner)" -gt 0 ] || fail "attach: no scanner drops"
sg disable $B >/dev/null || fail "disable attached $B"
lab_ruleset $LAB_CUST2 | grep -qE "sipguard|sg\.$B" && fail "attach disable left sipguard objects"
[ "$(lab_ruleset $LAB_CUST2)" = "$theirs" ] ||
	fail "their table differs after disable: $(lab_ruleset $LAB_CUST2)"
lab_cust2 nft list chain inet filter input 2>/dev/null | grep -q 'comment "theirs"' || fail "their rule lost on disable"
ok "attach: jump inserted at the top of their chain, scanners dropped, their rules untouched"

# ---- restore after a "reboot" (rules and pins gone) ----------------------------
lab_cust nft delete table inet sipguard 2>/dev/null
rm -rf $LAB_PINS/$A
sg status $A >/dev/null; rc=$?
[ $rc -eq 4 ] || fail "status after losing rules and pins: rc=$rc, want 4"
sg restore || fail "restore rc=$?"
sg status $A >/dev/null || fail "status after restore rc=$?"
out=$(sg restore) || fail "second restore"
echo "$out" | grep -q "no change" || fail "second restore not idempotent: $out"
lab_uac $LAB_PHONE4 $LAB_CUST4 100 100 || fail "calls after restore"
ip netns del $LAB_CUST2 2>/dev/null
ok "restore rebuilt rules and pins; second restore no change"

# ---- disable -------------------------------------------------------------------
sg disable $A || fail "disable rc=$?"
lab_ruleset $LAB_CUST | grep -q sipguard && fail "rules left after disable"
[ -e $LAB_PINS/$A ] && fail "pins left after disable"
[ -e "$LAB_STATE/customers/$A.conf" ] && fail "state left after disable"
lab_uac $LAB_PHONE4 $LAB_CUST4 20 20 || fail "calls after disable"
ok "disable: rules, pins, state removed"
echo "all passed"
