#!/usr/bin/env bash
# Drop events (issue 15), live: scanner, malformed and reflection packets
# into an enabled customer give events with the right reason, detail and
# addresses, in text and JSON, for that customer only; a valid message
# gives none; the packets `events --pcap` writes read back with `sipguard
# check` to the same reasons; monitor mode says would-drop; --follow prints
# an event as it comes; a flood is sampled to the profile's [events] rate
# and every drop either sent an event or is counted as suppressed.
set -u
here=$(cd "$(dirname "$0")" && pwd)
: "${SG_BUILD:=$here/../build}"
source "$here/lib/lab.sh"
for t in python3 jq; do command -v $t >/dev/null || fail "$t not installed"; done
[ -x "$SIPGUARD" ] || fail "no $SIPGUARD (build first)"
trap lab_down EXIT
lab_up || fail "lab setup"
A=sgt-eva B=sgt-evb

# a pbx without the per-source rate limit (the flood must reach the
# validator) and with a small event rate, so that sampling shows
printf '[profile]\nbase = %s/profiles/pbx.ini\nname = pbx-events\n[rate]\nper_source = none\n[events]\nrate = 5/second burst 10\n' \
	"$SG_SRC" >"$LAB_TMP/pbx-events.ini"

# send.py KIND COUNT [v6]: SIP datagrams from the phone to the customer
cat >"$LAB_TMP/send.py" <<'PY'
import socket, sys
kind, count = sys.argv[1], int(sys.argv[2])
v6 = len(sys.argv) > 3
dst = ("2001:db8:1::10" if v6 else "192.0.2.10", 5060)
def req(ua="Linphone/5.2.0", via=True, n=0):
    h = "OPTIONS sip:200@192.0.2.10 SIP/2.0\r\n"
    if via:
        h += "Via: SIP/2.0/UDP 198.51.100.20:5062;branch=z9hG4bKev%d\r\n" % n
    h += ("Max-Forwards: 70\r\nFrom: <sip:100@198.51.100.20>;tag=ev%d\r\n"
          "To: <sip:200@192.0.2.10>\r\nCall-ID: ev%d@198.51.100.20\r\nCSeq: 1 OPTIONS\r\n"
          "User-Agent: %s\r\nContent-Length: 0\r\n\r\n" % (n, n, ua))
    return h.encode()
def resp(n=0):
    return ("SIP/2.0 200 OK\r\nVia: SIP/2.0/UDP 203.0.113.9:5060;branch=z9hG4bKr%d\r\n"
            "From: <sip:a@203.0.113.9>;tag=1\r\nTo: <sip:b@192.0.2.10>;tag=2\r\n"
            "Call-ID: r%d@203.0.113.9\r\nCSeq: 1 OPTIONS\r\nContent-Length: 0\r\n\r\n" % (n, n)).encode()
s = socket.socket(socket.AF_INET6 if v6 else socket.AF_INET, socket.SOCK_DGRAM)
s.bind(("::" if v6 else "0.0.0.0", 5062))
for n in range(count):
    msg = {"scanner": lambda: req("friendly-scanner", n=n), "novia": lambda: req(via=False, n=n),
           "reflection": lambda: resp(n), "valid": lambda: req(n=n)}[kind]()
    s.sendto(msg, dst)
PY
send() { lab_phone python3 "$LAB_TMP/send.py" "$@" || fail "send $*"; }

sg enable $A --profile "$LAB_TMP/pbx-events.ini" --netns $LAB_CUST --own-host $LAB_CUST4 \
	>/dev/null || fail "enable $A"
sg enable $B --profile "$LAB_TMP/pbx-events.ini" --netns $LAB_CUST2 >/dev/null || fail "enable $B"

# ---- bad usage changes nothing, says what is wrong ---------------------------
out=$(sg events sgt-nosuch 2>&1); rc=$?
[ $rc -eq 2 ] && echo "$out" | grep -q "no customer 'sgt-nosuch'" || fail "unknown customer: rc $rc: $out"
out=$(sg events --reason no-such-reason 2>&1); rc=$?
[ $rc -eq 2 ] && echo "$out" | grep -q "unknown drop reason" || fail "unknown reason: rc $rc: $out"

# ---- one of each ------------------------------------------------------------
send valid 1
send scanner 1
send novia 1
send reflection 1
send scanner 1 v6
sleep 0.3
# B gets a scanner too: not in A's events
lab_phone python3 - <<'PY' || fail "send to B"
import socket
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.sendto(b"OPTIONS sip:1@192.0.2.130 SIP/2.0\r\nVia: SIP/2.0/UDP 198.51.100.21;branch=z9hG4bKb\r\n"
         b"From: <sip:1@x>;tag=1\r\nTo: <sip:1@x>\r\nCall-ID: b@x\r\nCSeq: 1 OPTIONS\r\n"
         b"Max-Forwards: 70\r\nUser-Agent: sipvicious\r\nContent-Length: 0\r\n\r\n", ("192.0.2.130", 5060))
PY
sleep 0.3

text=$(sg events $A) || fail "events $A"
echo "$text"
[ "$(echo "$text" | grep -c .)" -eq 4 ] || fail "want 4 events for $A, got: $text"
echo "$text" | grep -q " $A pbx-events drop scanner udp 198.51.100.20:5062 -> 192.0.2.10:5060 len [0-9]* \"OPTIONS sip:200@192.0.2.10 SIP/2.0\": pattern \"friendly-scanner\" in User-Agent, line 8" ||
	fail "scanner event (text)"
echo "$text" | grep -q " drop missing-header udp .*: missing Via$" || fail "missing-header event"
echo "$text" | grep -q " drop via-not-own udp 198.51.100.20:5062 -> 192.0.2.10:5060 .*\"SIP/2.0 200 OK\"" ||
	fail "via-not-own event"
echo "$text" | grep -q " drop scanner udp \[2001:db8:1::20\]:5062 -> \[2001:db8:1::10\]:5060 " ||
	fail "IPv6 scanner event"
echo "$text" | grep -q "sipvicious" && fail "$B's event in $A's"
ok "text: scanner (pattern, field, line), missing Via, via-not-own, IPv6; valid message and $B's drop not there"

json=$(sg events $A --json) || fail "events --json"
echo "$json" | jq -e . >/dev/null || fail "events --json is not JSON lines: $json"
[ "$(echo "$json" | jq -s 'length')" -eq 4 ] || fail "want 4 JSON events"
echo "$json" | jq -e -s '.[0] | .schema == "sipguard/1" and .customer == "sgt-eva" and .reason == "scanner"
	and .action == "drop" and .proto == "udp" and .src == "198.51.100.20" and .sport == 5062
	and .dst == "192.0.2.10" and .dport == 5060 and .detail_fields.pattern == "friendly-scanner"
	and .detail_fields.field == "User-Agent" and (.detail | test("friendly-scanner"))
	and (.payload_head | startswith("OPTIONS sip:200@"))' >/dev/null || fail "scanner JSON: $(echo "$json" | head -1)"
echo "$json" | jq -e -s '.[1] | .reason == "missing-header" and .detail_fields.missing == ["Via"]' >/dev/null ||
	fail "missing-header JSON"
[ "$(sg events $A --json --reason scanner | jq -s 'length')" -eq 2 ] || fail "--reason scanner"
all=$(sg events --json | jq -s 'length')
[ "$all" -eq 5 ] || fail "every customer's events: want 5, got $all"
ok "JSON: one object per event with schema, addresses, detail_fields; --reason; all customers"

# ---- the packets of the events, back through check ---------------------------
sg events $A --pcap "$LAB_TMP/ev.pcap" >/dev/null || fail "events --pcap"
want=$(echo "$json" | jq -r .reason | tr '\n' ' ')
got=$("$SIPGUARD" check --profile "$LAB_TMP/pbx-events.ini" --own-host $LAB_CUST4 --json "$LAB_TMP/ev.pcap" |
	jq -r '.verdicts[].reason' | tr '\n' ' ')
[ "$want" = "$got" ] || fail "check on the events' pcap: '$got', events said '$want'"
det=$("$SIPGUARD" check --profile "$LAB_TMP/pbx-events.ini" --own-host $LAB_CUST4 "$LAB_TMP/ev.pcap" | head -1)
echo "$det" | grep -q 'pattern "friendly-scanner" in User-Agent, line 8' || fail "check's detail: $det"
ok "--pcap: check gives the same reasons ($got) and the same detail"

# ---- follow ---------------------------------------------------------------------
sg events $A --follow --json >"$LAB_TMP/follow" 2>&1 &
fpid=$!
sleep 0.5
send novia 1
for i in $(seq 30); do [ "$(grep -c missing-header "$LAB_TMP/follow")" -ge 2 ] && break; sleep 0.1; done
kill $fpid; wait $fpid 2>/dev/null
[ "$(grep -c missing-header "$LAB_TMP/follow")" -eq 2 ] || fail "--follow: $(cat "$LAB_TMP/follow")"
ok "--follow printed the recorded events, then the new one as it came"

# ---- monitor mode: would-drop ------------------------------------------------
sg enable $B --profile "$LAB_TMP/pbx-events.ini" --netns $LAB_CUST2 --mode monitor >/dev/null ||
	fail "monitor $B"
lab_phone python3 - <<'PY' || fail "send to B"
import socket
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.sendto(b"OPTIONS sip:1@192.0.2.130 SIP/2.0\r\nFrom: <sip:1@x>;tag=1\r\nTo: <sip:1@x>\r\n"
         b"Call-ID: m@x\r\nCSeq: 1 OPTIONS\r\nMax-Forwards: 70\r\nContent-Length: 0\r\n\r\n",
         ("192.0.2.130", 5060))
PY
sleep 0.3
sg events $B | tail -1 | grep -q " would-drop missing-header .*missing Via" || fail "monitor: $(sg events $B)"
ok "monitor mode: would-drop"

# ---- a flood, sampled ---------------------------------------------------------
N=4000
start=$(date +%s.%N)
send scanner $N
secs=$(echo "$(date +%s.%N) - $start" | bc)
sleep 0.3
drops=$(lab_reason $A scanner)
supp=$(sg stats $A --json | jq -r '.customers[0].reasons.scanner.events_suppressed')
events=$(sg events $A --json --reason scanner | jq -s 'length')
ncpu=$(nproc)
echo "flood: $N sent in ${secs}s, $drops scanner drops, $events events, $supp suppressed ($ncpu CPUs)"
[ "$drops" -ge $((N + 2)) ] || fail "drops $drops < $N + 2"
[ $((events + supp)) -eq "$drops" ] || fail "events $events + suppressed $supp != drops $drops"
# 5/second after a burst of 10, per CPU: at most ncpu * (10 + 5 * secs) + the 2 before
max=$(echo "$ncpu * (10 + 5 * ($secs + 1)) + 2" | bc | cut -d. -f1)
[ "$events" -ge 10 ] && [ "$events" -le "$max" ] || fail "events $events not in [10, $max]"
ok "flood of $N: $events events (rate 5/s, burst 10, per CPU: at most $max), $supp suppressed, events + suppressed = drops"
grep -q "sipguard_events_suppressed_total{customer=\"$A\",.*reason=\"scanner\"} $supp" <(sg stats --prometheus) ||
	fail "prometheus suppressed: $(sg stats --prometheus | grep suppressed | head -3)"
ok "stats --prometheus: sipguard_events_suppressed_total = $supp"

sg disable $A >/dev/null && sg disable $B >/dev/null || fail "disable"
echo "all passed"
