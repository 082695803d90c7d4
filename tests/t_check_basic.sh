#!/usr/bin/env bash
# sipguard check (issue 2 part 4): verdicts from the kernel program on
# hand-built captures in every supported framing (Ethernet, 802.1Q, pcapng,
# Linux cooked v1/v2, raw IP, null/loopback), JSON and text formats, monitor
# mode, own hosts / peers, several captures, and the errors (truncated
# capture, missing file, bad profile, bad usage). Needs root (BPF).
set -u
SG_SRC=${SG_SRC:-$(cd "$(dirname "$0")/.." && pwd)}
SG_BUILD=${SG_BUILD:-$SG_SRC/build}
sg=$SG_BUILD/sipguard
[ -x "$sg" ] || { echo "FAIL: $sg not built"; exit 1; }
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
fail=0
ok() { echo "ok   $*"; }
bad() { echo "FAIL $*"; fail=1; }

python3 - "$tmp" <<'PY'
import struct, sys, os
out = sys.argv[1]

def csum(b):
    if len(b) % 2: b += b"\0"
    s = sum(struct.unpack("!%dH" % (len(b) // 2), b))
    while s >> 16: s = (s & 0xffff) + (s >> 16)
    return ~s & 0xffff

def ip4(src, dst, proto, l4):
    h = struct.pack("!BBHHHBBH4s4s", 0x45, 0, 20 + len(l4), 1, 0x4000, 64, proto, 0,
                    bytes(map(int, src.split("."))), bytes(map(int, dst.split("."))))
    h = h[:10] + struct.pack("!H", csum(h)) + h[12:]
    return h + l4

def udp4(payload, src="198.51.100.20", dst="192.0.2.10", sport=5060, dport=5060):
    u = struct.pack("!HHHH", sport, dport, 8 + len(payload), 0) + payload
    return ip4(src, dst, 17, u)

def udp6(payload, sport=5060, dport=5060):
    s = bytes.fromhex("20010db8000000000000000000000020")
    d = bytes.fromhex("20010db8000000000000000000000010")
    u = struct.pack("!HHHH", sport, dport, 8 + len(payload), 0) + payload
    return struct.pack("!IHBB", 6 << 28, len(u), 17, 64) + s + d + u

def sip(start, ua="Linphone/5.2.0", via="198.51.100.20:5060", method=None, mf=True, callid="a84b4c76e66710@pc33"):
    m = method or start.split()[0]
    lines = [start, "Via: SIP/2.0/UDP %s;branch=z9hG4bK776asdhds" % via,
             "From: <sip:alice@198.51.100.20>;tag=1928301774", "To: <sip:bob@192.0.2.10>",
             "Call-ID: " + callid, "CSeq: 314159 " + m]
    if mf: lines.append("Max-Forwards: 70")
    if ua: lines.append("User-Agent: " + ua)
    lines += ["Content-Length: 0", "", ""]
    return "\r\n".join(lines).encode()

def resp(code, via):
    return ("SIP/2.0 %d OK\r\nVia: SIP/2.0/UDP %s;branch=z9hG4bK776asdhds\r\n"
            "From: <sip:alice@198.51.100.20>;tag=1928301774\r\nTo: <sip:bob@192.0.2.10>;tag=9\r\n"
            "Call-ID: a84b4c76e66710@pc33\r\nCSeq: 314159 OPTIONS\r\nContent-Length: 0\r\n\r\n" % (code, via)).encode()

invite = udp4(sip("INVITE sip:bob@192.0.2.10 SIP/2.0"))
svmap = udp4(sip("OPTIONS sip:100@192.0.2.10 SIP/2.0", ua="friendly-scanner"))
web = udp4(b"GET / HTTP/1.0\r\n\r\n", dport=80)
opt6 = udp6(sip("OPTIONS sip:bob@[2001:db8::10] SIP/2.0", via="[2001:db8::20]:5060"))
regis = udp4(sip("REGISTER sip:192.0.2.10 SIP/2.0"))
arp = bytes(28)
# L3 packets with their ethertype; None = not IP
pkts = [(invite, 0x0800), (svmap, 0x0800), (web, 0x0800), (arp, 0x0806), (opt6, 0x86dd), (regis, 0x0800)]

def eth(l3, et, vlan=False):
    h = b"\x02\0\0\0\0\x01" + b"\x02\0\0\0\0\x02"
    if vlan: h += struct.pack("!HH", 0x8100, 42)
    return h + struct.pack("!H", et) + l3

def pcap(name, linktype, frames):
    with open(os.path.join(out, name), "wb") as f:
        f.write(struct.pack("<IHHiIII", 0xa1b2c3d4, 2, 4, 0, 0, 65535, linktype))
        for i, fr in enumerate(frames):
            f.write(struct.pack("<IIII", 1700000000 + i, 0, len(fr), len(fr)) + fr)

def pad4(b): return b + b"\0" * (-len(b) % 4)

def pcapng(name, linktype, frames):
    def blk(t, body):
        n = 12 + len(body)
        return struct.pack("<II", t, n) + body + struct.pack("<I", n)
    with open(os.path.join(out, name), "wb") as f:
        f.write(blk(0x0A0D0D0A, struct.pack("<IHHq", 0x1A2B3C4D, 1, 0, -1)))
        f.write(blk(1, struct.pack("<HHI", linktype, 0, 65535)))
        for i, fr in enumerate(frames):
            f.write(blk(6, struct.pack("<IIIII", 0, 0, i, len(fr), len(fr)) + pad4(fr)))

pcap("eth.pcap", 1, [eth(p, et) for p, et in pkts])
pcap("vlan.pcap", 1, [eth(p, et, vlan=True) for p, et in pkts])
pcapng("eth.pcapng", 1, [eth(p, et) for p, et in pkts])
sll = lambda p, et: struct.pack("!HHH8sH", 0, 1, 6, b"\x02\0\0\0\0\x01\0\0", et) + p
pcap("sll.pcap", 113, [sll(p, et) for p, et in pkts])
sll2 = lambda p, et: struct.pack("!HHIHBB8s", et, 0, 1, 1, 0, 6, b"\x02\0\0\0\0\x01\0\0") + p
pcap("sll2.pcap", 276, [sll2(p, et) for p, et in pkts])
# raw IP and null/loopback cannot carry ARP: use a non-IP byte string instead
rawpk = [(p if et != 0x0806 else b"\x00" * 28) for p, et in pkts]
pcap("raw.pcap", 101, rawpk)
# raw IP packets shorter than their IP header (BPF_PROG_TEST_RUN refuses them)
pcap("short.pcap", 101, [bytes([0x45] + [0] * (n - 1)) for n in (1, 2, 13, 19)] +
     [bytes([0x60] + [0] * (n - 1)) for n in (1, 20, 39)])
af = lambda p, et: struct.pack("<I", 10 if et == 0x86dd else 2) + p
pcap("null.pcap", 0, [af(p, et) if et != 0x0806 else struct.pack("<I", 99) + p for p, et in pkts])
# truncated: cut in the middle of the 4th record
data = open(os.path.join(out, "eth.pcap"), "rb").read()
off = 24
for i in range(3):
    off += 16 + struct.unpack("<I", data[off + 8:off + 12])[0]
open(os.path.join(out, "trunc.pcap"), "wb").write(data[:off + 16 + 10])
# not a capture at all
open(os.path.join(out, "junk.pcap"), "wb").write(b"this is not a capture\n")
# reflection: responses at 5060; 2 with our Via, 2 with a foreign one; sources in and out of the peer list
pcap("refl.pcap", 1, [eth(udp4(resp(200, "192.0.2.10:5060"), src="198.51.100.7"), 0x0800),
                      eth(udp4(resp(200, "203.0.113.99:5060"), src="198.51.100.7"), 0x0800),
                      eth(udp4(resp(200, "192.0.2.10:5060"), src="203.0.113.5"), 0x0800),
                      eth(udp4(resp(200, "PBX.Example.COM"), src="198.51.100.7"), 0x0800)])
# opt-in settings of the profiles (profiles/README.md), one packet each:
# 1 an OPTIONS without Max-Forwards, 2 a text keep-alive "hello", 3 a BYE
# with control bytes in its To tag, 4 the 481 echoing them, 5 an OPTIONS with
# CR CR LF line ends, 6 a NUL in a To tag, 7 an im: Request-URI
def tagged(start, to_tag, cseq):
    return ("%s\r\nVia: SIP/2.0/UDP 198.51.100.20:5060;branch=z9hG4bKctl\r\nMax-Forwards: 70\r\n"
            "From: <sip:alice@198.51.100.20>;tag=1928301774\r\nTo: <sip:bob@192.0.2.10>;tag=%s\r\n"
            "Call-ID: ctl@pc33\r\nCSeq: %s\r\nContent-Length: 0\r\n\r\n" % (start, to_tag, cseq)).encode("latin-1")
optin = [udp4(sip("OPTIONS sip:bob@192.0.2.10 SIP/2.0", mf=False)), udp4(b"hello"),
         udp4(tagged("BYE sip:bob@192.0.2.10 SIP/2.0", "a\x01\x02b", "2 BYE")),
         udp4(tagged("SIP/2.0 481 Call/Transaction Does Not Exist", "a\x01\x02b", "2 BYE")),
         udp4(sip("OPTIONS sip:bob@192.0.2.10 SIP/2.0").replace(b"\r\n", b"\r\r\n")),
         udp4(tagged("BYE sip:bob@192.0.2.10 SIP/2.0", "a\x00b", "2 BYE")),
         udp4(sip("MESSAGE im:bob@192.0.2.10 SIP/2.0"))]
pcap("optin.pcap", 1, [eth(p, 0x0800) for p in optin])
# a pattern with a space ("smap 0." in User-Agent): its space matches any run
# of spaces and tabs, and the prefilter must not clear such a value; odd but
# valid User-Agents that only look close pass
# (in "xsmap\t0.42" the only window the prefilter checks in "smap " is "ap\t")
lws = ["smap 0.42", "smap  0.42", "smap\t0.42", "SMAP \t 0.42", "x smap\t\t0.42 y", "smap%200.42", "xsmap\t0.42",
       "smap0.42", "smap 1.0", "map 0.42", "Linphone/5.2.0 (belle-sip/5.2.0)", "a\tb  c smap"]
pcap("lws.pcap", 1, [eth(udp4(sip("OPTIONS sip:bob@192.0.2.10 SIP/2.0", ua=u)), 0x0800) for u in lws])
PY
[ -f "$tmp/eth.pcap" ] || { echo "FAIL: packet generator"; exit 1; }

# expected per packet of eth.pcap under pbx
# (a drop says what was wrong: the detail after the reason)
want="1 pass sip
2 drop scanner: pattern \"friendly-scanner\" in User-Agent, line 8
3 pass not-guarded
4 pass not-ip
5 pass sip
6 pass sip"
for c in eth.pcap vlan.pcap eth.pcapng sll.pcap sll2.pcap raw.pcap null.pcap; do
	"$sg" check --profile pbx "$tmp/$c" >"$tmp/out" 2>"$tmp/err"; rc=$?
	got=$(grep -E '^[0-9]+ ' "$tmp/out")
	if [ $rc -eq 0 ] && [ "$got" = "$want" ]; then ok "pbx verdicts on $c"
	else bad "pbx on $c rc=$rc: got [$got] $(cat "$tmp/err")"; fi
done
grep -q "profile pbx (enforce): 6 packets, 4 sip, 5 passed, 1 dropped, 0 would drop" "$tmp/out" \
	&& ok "text summary" || bad "text summary: $(cat "$tmp/out")"

# JSON
"$sg" check --profile pbx --json "$tmp/eth.pcap" >"$tmp/j" 2>"$tmp/err" || bad "json rc: $(cat "$tmp/err")"
python3 - "$tmp/j" <<'PY' && ok "json format" || bad "json format: $(cat "$tmp/j")"
import json, sys
j = json.load(open(sys.argv[1]))
assert j["schema"] == "sipguard/1", j
assert set(j) == {"schema", "profile", "mode", "packets", "sip", "passed", "dropped", "would_drop", "reasons", "verdicts"}, j.keys()
assert (j["profile"], j["mode"], j["packets"], j["sip"], j["passed"], j["dropped"], j["would_drop"]) == ("pbx", "enforce", 6, 4, 5, 1, 0), j
assert j["reasons"] == {"sip": 3, "not-guarded": 1, "not-ip": 1, "scanner": 1}, j["reasons"]
assert [(v["index"], v["verdict"], v["reason"]) for v in j["verdicts"]] == [
    (1, "pass", "sip"), (2, "drop", "scanner"), (3, "pass", "not-guarded"), (4, "pass", "not-ip"),
    (5, "pass", "sip"), (6, "pass", "sip")], j["verdicts"]
d = j["verdicts"][1]
assert d["detail"] == 'pattern "friendly-scanner" in User-Agent, line 8', d
assert d["detail_fields"] == {"kind": "signature", "line": 8, "field": "User-Agent",
                              "pattern": "friendly-scanner"}, d
assert all("detail" not in v for v in j["verdicts"] if v["verdict"] == "pass"), j["verdicts"]
PY

# monitor mode (profile and --mode)
for args in "--profile monitor" "--profile pbx --mode monitor"; do
	# shellcheck disable=SC2086
	"$sg" check $args --json "$tmp/eth.pcap" >"$tmp/j" 2>"$tmp/err"
	python3 - "$tmp/j" <<'PY' && ok "monitor ($args)" || bad "monitor ($args): $(cat "$tmp/j" "$tmp/err")"
import json, sys
j = json.load(open(sys.argv[1]))
assert (j["mode"], j["passed"], j["dropped"], j["would_drop"]) == ("monitor", 6, 0, 1), j
v = j["verdicts"][1]
assert (v["verdict"], v["reason"], v.get("would_drop")) == ("pass", "scanner", True), v
PY
done
"$sg" check --profile monitor "$tmp/eth.pcap" | grep -q "^2 pass scanner (would drop): pattern \"friendly-scanner\" in User-Agent, line 8$" && ok "monitor text" || bad "monitor text"

# trunk: no REGISTER; shield: every SIP message dropped; edge: any method
"$sg" check --profile trunk "$tmp/eth.pcap" | grep -q "^6 drop method-not-allowed: line 1 (start line)$" && ok "trunk drops REGISTER" || bad "trunk REGISTER"
"$sg" check --profile shield "$tmp/eth.pcap" >"$tmp/out"
grep -q "^1 drop no-sip-service$" "$tmp/out" && grep -q "^5 drop no-sip-service$" "$tmp/out" && ok "shield" || bad "shield: $(cat "$tmp/out")"

# opt-in settings: the shipped profiles against a pbx with each one switched
# the other way (optin.pcap, one packet per setting)
verdicts() { "$sg" check --profile "$1" "$tmp/optin.pcap" | grep -E '^[0-9]+ ' | sed 's/: .*//' | tr '\n' ';'; } # (without the detail)
shipped="1 pass sip;2 pass keepalive;3 drop forbidden-bytes;4 drop forbidden-bytes;5 drop forbidden-bytes;6 drop forbidden-bytes;"
want_pbx="${shipped}7 drop bad-uri-scheme;"
want_edge="${shipped}7 pass sip;"
want_optin="1 drop missing-header;2 drop not-sip;3 pass sip;4 pass sip;5 pass sip;6 drop forbidden-bytes;7 pass sip;"
printf '[profile]\nbase = %s/profiles/pbx.ini\nname = pbx-optin\n[sanity]\n%b\n' "$SG_SRC" \
	"require_max_forwards = yes\ntext_keepalives = no\nallow_control_bytes = yes\nallow_cr_cr_lf = yes\nuri_schemes = any" \
	>"$tmp/optin.ini"
for p in pbx edge trunk; do
	got=$(verdicts $p)
	want=$want_pbx
	[ $p = edge ] && want=$want_edge
	[ "$got" = "$want" ] && ok "$p: shipped defaults on optin.pcap" || bad "$p on optin.pcap: got [$got], want [$want]"
done
got=$(verdicts "$tmp/optin.ini")
[ "$got" = "$want_optin" ] && ok "opt-in settings on optin.pcap" || bad "opt-in profile on optin.pcap: got [$got], want [$want_optin]"

# several captures: index continues, capture named
"$sg" check --profile pbx "$tmp/eth.pcap" "$tmp/sll.pcap" >"$tmp/out"
grep -q "^8 $tmp/sll.pcap drop scanner: pattern" "$tmp/out" && grep -q "12 packets" "$tmp/out" && ok "two captures" \
	|| bad "two captures: $(cat "$tmp/out")"
"$sg" check --profile pbx --json "$tmp/eth.pcap" "$tmp/sll.pcap" | python3 -c '
import json,sys; j=json.load(sys.stdin); v=j["verdicts"][7]
assert j["packets"]==12 and v["index"]==8 and v["capture"].endswith("sll.pcap") and v["reason"]=="scanner"' \
	&& ok "two captures json" || bad "two captures json"

# reflection: own hosts and peers apply only when given
"$sg" check --profile pbx "$tmp/refl.pcap" | grep -c " pass sip$" | grep -qx 4 && ok "responses pass without own hosts" \
	|| bad "responses without own hosts"
"$sg" check --profile pbx --own-host 192.0.2.10 --own-host pbx.example.com "$tmp/refl.pcap" >"$tmp/out"
[ "$(grep -E '^[0-9]' "$tmp/out" | sed 's/: .*//' | tr '\n' ';')" = "1 pass sip;2 drop via-not-own;3 pass sip;4 pass sip;" ] &&
	grep -q "^2 drop via-not-own: top Via [^ ]* is not one of the customer's hosts" "$tmp/out" \
	&& ok "--own-host" || bad "--own-host: $(cat "$tmp/out")"
"$sg" check --profile pbx --peer 198.51.100.0/24 --peer 2001:db8::/32 "$tmp/refl.pcap" >"$tmp/out"
[ "$(grep -E '^[0-9]' "$tmp/out" | sed 's/: .*//' | tr '\n' ';')" = "1 pass sip;2 pass sip;3 drop response-not-peer;4 pass sip;" ] &&
	grep -q "^3 drop response-not-peer: source [^ ]* is not one of the customer's peers" "$tmp/out" \
	&& ok "--peer" || bad "--peer: $(cat "$tmp/out")"

# a pattern's space in the User-Agent (lws.pcap), the prefilter on (pbx)
got=$("$sg" check --profile pbx "$tmp/lws.pcap" | grep -E '^ *[0-9]+ ' | awk '{ printf "%s %s %s;", $1, $2, $3 }' | sed 's/:;/;/g')
want="1 drop scanner;2 drop scanner;3 drop scanner;4 drop scanner;5 drop scanner;6 drop scanner;7 drop scanner;8 pass sip;9 pass sip;10 pass sip;11 pass sip;12 pass sip;"
[ "$got" = "$want" ] && ok "a pattern's space in User-Agent: runs of spaces and tabs and %20 drop, near misses pass" ||
	bad "lws.pcap: got [$got] want [$want]"
"$sg" profiles pbx >"$tmp/out" 2>&1
grep -q "prefilter: 3-byte grams every [1-9]" "$tmp/out" && ! grep -q "always scanned" "$tmp/out" &&
	ok "pbx: the prefilter covers every field (smap's space included)" || bad "pbx prefilter: $(grep prefilter "$tmp/out")"
printf '[profile]\nbase = %s/profiles/pbx.ini\nname = pbx-short\n[signatures]\npattern = ua:ab cd\n' "$SG_SRC" >"$tmp/short.ini"
"$sg" profiles "$tmp/short.ini" | grep -q "prefilter: always scanned: ua " &&
	ok "a pattern too short between its spaces is shown as always scanned" || bad "short pattern: $("$sg" profiles "$tmp/short.ini" 2>&1 | grep prefilter)"

# TCP timestamps (PAWS): data older than the connection's newest timestamp
# by more than 1 is dropped, as the stack discards it; odd-but-valid option
# layouts, the window of 1, a connection without timestamps and a kept 0
# pass. One stream per case, each from its own port.
python3 - "$tmp/paws.pcap" <<'PY'
import struct, sys
def csum(b):
    if len(b) % 2: b += b"\0"
    s = sum(struct.unpack("!%dH" % (len(b) // 2), b))
    while s >> 16: s = (s & 0xffff) + (s >> 16)
    return ~s & 0xffff
SRC, DST = bytes([198, 51, 100, 20]), bytes([192, 0, 2, 10])
def seg(sport, seq, flags, opts=b"", payload=b""):
    opts += b"\0" * (-len(opts) % 4)
    th = struct.pack("!HHIIBBHHH", sport, 5060, seq & 0xffffffff, 1, (5 + len(opts) // 4) << 4, flags, 65535, 0, 0) + opts
    l4 = th + payload
    c = csum(SRC + DST + struct.pack("!xBH", 6, len(l4)) + l4)
    l4 = l4[:16] + struct.pack("!H", c) + l4[18:]
    ip = struct.pack("!BBHHHBBH4s4s", 0x45, 0, 20 + len(l4), 1, 0x4000, 64, 6, 0, SRC, DST)
    return ip[:10] + struct.pack("!H", csum(ip)) + ip[12:] + l4
def ts(v): return struct.pack("!BBBBII", 1, 1, 8, 10, v & 0xffffffff, 0)
SYN_TS = lambda v: b"\x02\x04\x05\xb4\x04\x02\x08\x0a" + struct.pack("!II", v, 0) + b"\x01\x03\x03\x07"
def msg(n):
    return ("OPTIONS sip:bob@192.0.2.10 SIP/2.0\r\nVia: SIP/2.0/TCP 198.51.100.20:5060;branch=z9hG4bK-%d\r\n"
            "From: <sip:alice@198.51.100.20>;tag=%d\r\nTo: <sip:bob@192.0.2.10>\r\nCall-ID: paws-%d\r\n"
            "CSeq: %d OPTIONS\r\nMax-Forwards: 70\r\nContent-Length: 0\r\n\r\n" % (n, n, n, n)).encode()
A, B = 0x18, 0x10  # PSH|ACK, ACK
P = []
# 40001: Linux's SYN layout; data with NOP NOP TS; TS after a SACK block;
# one older by 1 (the stack's window); then 3 older: dropped; the same
# bytes again with a newer clock: judged
m1, m2, m3 = msg(1), msg(2), msg(3)
P += [seg(40001, 100, 0x02, SYN_TS(1000)),
      seg(40001, 101, A, ts(1005), m1[:60]),
      seg(40001, 101 + 60, A, b"\x01\x01\x05\x0a" + bytes(8) + ts(1006), m1[60:]),
      seg(40001, 101 + len(m1), A, ts(1005), m2),
      seg(40001, 101 + len(m1) + len(m2), A, ts(1003), m3),
      seg(40001, 101 + len(m1) + len(m2), A, ts(2000), m3)]
# 40002: no timestamps in the SYN: the stack ignores them after
P += [seg(40002, 500, 0x02, b"\x02\x04\x05\xb4"),
      seg(40002, 501, A, ts(50), msg(4)),
      seg(40002, 501 + len(msg(4)), A, ts(10), msg(5))]
# 40003: the SYN's TSval is 0: nothing is checked against it
P += [seg(40003, 900, 0x02, SYN_TS(0)),
      seg(40003, 901, A, ts(0xffffff00), msg(6))]
# 40004: an option of length 0 ends the stack's parse: the old TS after it is not read
P += [seg(40004, 700, 0x02, SYN_TS(5000)),
      seg(40004, 701, A, b"\x1e\x00" + ts(10)[2:], msg(7)),
      seg(40004, 701 + len(msg(7)), A, b"\x01\x01\x08\x0a" + struct.pack("!II", 10, 0), msg(8))]
with open(sys.argv[1], "wb") as f:
    f.write(struct.pack("<IHHiIII", 0xa1b2c3d4, 2, 4, 0, 0, 65535, 101))
    for i, p in enumerate(P):
        f.write(struct.pack("<IIII", 1700000000, i, len(p), len(p)) + p)
PY
"$sg" check --profile pbx "$tmp/paws.pcap" >"$tmp/out" 2>"$tmp/err"
got=$(grep -E '^ *[0-9]+ ' "$tmp/out" | awk '{ printf "%s %s %s;", $1, $2, $3 }' | sed 's/:;/;/g')
want="1 pass tcp-control;2 pass sip;3 pass sip;4 pass sip;5 drop tcp-stale-timestamp;6 pass sip;7 pass tcp-control;8 pass sip;9 pass sip;10 pass tcp-control;11 pass sip;12 pass tcp-control;13 pass sip;14 drop tcp-stale-timestamp;"
[ "$got" = "$want" ] && ok "TCP timestamps (PAWS): stale data dropped, odd layouts, the window of 1, no timestamps and a kept 0 pass" ||
	bad "PAWS: got [$got] want [$want]: $(cat "$tmp/err")"

# errors: truncated capture names file and packet, exit 2, no summary / JSON on stdout
"$sg" check --profile pbx --json "$tmp/trunc.pcap" >"$tmp/out" 2>"$tmp/err"; rc=$?
[ $rc -eq 2 ] && grep -q "trunc.pcap: packet 4" "$tmp/err" && [ ! -s "$tmp/out" ] && ok "truncated capture: $(cat "$tmp/err")" \
	|| bad "truncated capture rc=$rc out=[$(head -c 200 "$tmp/out")] err=$(cat "$tmp/err")"
"$sg" check --profile pbx "$tmp/eth.pcap" "$tmp/trunc.pcap" >"$tmp/out" 2>"$tmp/err"; rc=$?
[ $rc -eq 2 ] && [ ! -s "$tmp/out" ] && ok "truncated second capture: no partial output" || bad "truncated second rc=$rc"
"$sg" check --profile pbx "$tmp/short.pcap" >"$tmp/out" 2>"$tmp/err"; rc=$?
n=$(grep -cE '^ *[0-9]+ +pass +not-ip' "$tmp/out")
[ $rc -eq 0 ] && [ "$n" = 7 ] && ok "packets shorter than their IP header: 7 x not-ip" ||
	bad "short packets rc=$rc, $n not-ip: $(cat "$tmp/err" "$tmp/out" | head -5)"
"$sg" check --profile pbx "$tmp/junk.pcap" >"$tmp/out" 2>"$tmp/err"; rc=$?
[ $rc -eq 2 ] && grep -q "junk.pcap" "$tmp/err" && ok "not a capture" || bad "junk rc=$rc"
"$sg" check --profile pbx "$tmp/nope.pcap" >/dev/null 2>"$tmp/err"; rc=$?
[ $rc -eq 2 ] && grep -q "nope.pcap" "$tmp/err" && ok "missing capture" || bad "missing rc=$rc"
"$sg" check --profile no-such "$tmp/eth.pcap" >/dev/null 2>&1; rc=$?
[ $rc -eq 2 ] && ok "unknown profile" || bad "unknown profile rc=$rc"
"$sg" check "$tmp/eth.pcap" >/dev/null 2>&1; rc=$?
[ $rc -eq 2 ] && ok "no --profile" || bad "no --profile rc=$rc"
"$sg" check --profile pbx >/dev/null 2>&1; rc=$?
[ $rc -eq 2 ] && ok "no capture" || bad "no capture rc=$rc"
"$sg" check --profile pbx --peer 300.1.1.1/8 "$tmp/eth.pcap" >/dev/null 2>&1; rc=$?
[ $rc -eq 2 ] && ok "bad --peer" || bad "bad --peer rc=$rc"
"$sg" check --profile pbx --mode sometimes "$tmp/eth.pcap" >/dev/null 2>&1; rc=$?
[ $rc -eq 2 ] && ok "bad --mode" || bad "bad --mode rc=$rc"
exit $fail
