#!/usr/bin/env bash
# Live fragment policy at the input hook (README "Framing policies"): 3 kB
# UDP INVITEs over IPv4 and IPv6, reassembled by the kernel before
# sipguard's chain (its defrag chain), so judged whole: valid ones reach the
# SIP port whole; scanner ones do not, count as scanner, and no fragment
# ever reaches the validator. (tests/t_evasion.sh tries harder.)
set -u
here=$(cd "$(dirname "$0")" && pwd)
: "${SG_BUILD:=$here/../build}"
source "$here/lib/lab.sh"
LAB_PHONE=sgt-fphone LAB_CUST=sgt-fcust LAB_CUST2=sgt-fcust2
trap lab_down EXIT
lab_up || fail "lab setup"
C=sgt-frag

sg enable $C --profile pbx --netns $LAB_CUST || fail "enable rc=$?"

# receiver: counts whole datagrams per marker, dual-stack on 5060
lab_cust timeout 30 python3 - "$LAB_TMP/got" <<'PY' &
import socket, sys, time
s = socket.socket(socket.AF_INET6, socket.SOCK_DGRAM)
s.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_V6ONLY, 0)
s.bind(("::", 5060)); s.settimeout(0.5)
got = {}
end = time.time() + 25
while time.time() < end:
    try:
        d, a = s.recvfrom(65535)
    except socket.timeout:
        continue
    for line in d.split(b"\r\n"):
        if line.startswith(b"Call-ID: "):
            got[line[9:].decode()] = len(d)
    open(sys.argv[1], "w").write("".join("%s %d\n" % kv for kv in sorted(got.items())))
PY
rx=$!
sleep 1

send() { # FAMILY DST CALLID UA
	lab_phone python3 - "$@" <<'PY'
import socket, sys
fam, dst, cid, ua = sys.argv[1:5]
body = "v=0\r\no=- 1 1 IN IP4 198.51.100.20\r\ns=-\r\nt=0 0\r\na=x-pad:" + "p" * 2800 + "\r\n"
m = ("INVITE sip:200@192.0.2.10 SIP/2.0\r\nVia: SIP/2.0/UDP 198.51.100.20:5060;branch=z9hG4bK%s\r\n"
     "Max-Forwards: 70\r\nFrom: <sip:100@198.51.100.20>;tag=1\r\nTo: <sip:200@192.0.2.10>\r\n"
     "Call-ID: %s\r\nCSeq: 1 INVITE\r\nUser-Agent: %s\r\nContent-Type: application/sdp\r\n"
     "Content-Length: %d\r\n\r\n%s") % (cid, cid, ua, len(body), body)
s = socket.socket(socket.AF_INET6 if fam == "6" else socket.AF_INET, socket.SOCK_DGRAM)
s.sendto(m.encode(), (dst, 5060))
PY
}
send 4 $LAB_CUST4 valid4 "Linphone/5.2.0"
send 6 2001:db8:1::10 valid6 "Linphone/5.2.0"
send 4 $LAB_CUST4 scan4 "friendly-scanner"
send 6 2001:db8:1::10 scan6 "friendly-scanner"
sleep 2
kill $rx 2>/dev/null; wait $rx 2>/dev/null
cat "$LAB_TMP/got" 2>/dev/null
grep -q "^valid4 3[0-9][0-9][0-9]$" "$LAB_TMP/got" || fail "valid 3 kB IPv4 INVITE did not arrive whole"
grep -q "^valid6 3[0-9][0-9][0-9]$" "$LAB_TMP/got" || fail "valid 3 kB IPv6 INVITE did not arrive whole"
grep -q "^scan" "$LAB_TMP/got" && fail "a fragmented scanner INVITE reached the SIP port"
scanner=$(lab_reason $C scanner)
frag=$(lab_reason $C fragment)
[ "$scanner" -eq 2 ] || fail "scanner count $scanner, expected 2 (IPv4 and IPv6 datagrams, reassembled)"
[ "$frag" -eq 0 ] || fail "fragment count $frag, expected 0 (reassembled before the chain)"
ok "3 kB INVITEs: valid ones arrive whole over IPv4 and IPv6, scanners dropped whole ($scanner), no fragment judged"
sg disable $C || fail "disable"
