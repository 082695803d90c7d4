#!/usr/bin/env python3
"""Crafted captures for sipguard: odd-but-valid SIP, keep-alives, malformed
messages (one flaw each), reflected responses, scanner signatures.

Usage: pcaps/make/craft.py [OUTDIR]   (default: pcaps/)
Writes NAME.pcap and NAME[.PROFILE].manifest for each capture below.
Every packet goes 198.51.100.x -> 192.0.2.10:5060 (or 2001:db8::x -> 2001:db8::10)
unless stated; all addresses are documentation ranges.
"""
import re
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from pcaplib import udp, write_pcap, write_manifest, CUSTOMER4, PEER4, CUSTOMER6, PEER6  # noqa: E402

OUT = sys.argv[1] if len(sys.argv) > 1 else os.path.join(os.path.dirname(os.path.abspath(__file__)), "..")
SDP = ("v=0\r\no=alice 2890844526 2890844526 IN IP4 198.51.100.20\r\ns=-\r\n"
       "c=IN IP4 198.51.100.20\r\nt=0 0\r\nm=audio 49170 RTP/AVP 0 8 101\r\n"
       "a=rtpmap:0 PCMU/8000\r\na=rtpmap:8 PCMA/8000\r\na=rtpmap:101 telephone-event/8000\r\n"
       "a=sendrecv\r\n")


def msg(start, headers, body="", eol="\r\n", clen=True):
    """Build a message: headers = list of 'Name: value' lines (exact text)."""
    hs = list(headers)
    if clen is True:
        hs.append("Content-Length: %d" % len(body.encode("latin-1")))
    return start + eol + "".join(h + eol for h in hs) + eol + body


def lf_only(m):
    """Bare LF line ends everywhere, Content-Length recounted for the LF body."""
    head, body = m.replace("\r\n", "\n").split("\n\n", 1)
    head = re.sub(r"Content-Length: \d+", "Content-Length: %d" % len(body.encode("latin-1")), head)
    return head + "\n\n" + body


def base(method="INVITE", uri="sip:200@192.0.2.10", n=1, body=True, extra=(), drop=(), cseq=None):
    """A valid request from the phone; `drop` removes headers by name prefix."""
    hs = ["Via: SIP/2.0/UDP 198.51.100.20:5060;branch=z9hG4bK%06dcraft;rport" % n,
          "Max-Forwards: 70",
          "From: \"Alice\" <sip:100@198.51.100.20>;tag=a%d" % n,
          "To: <%s>" % uri,
          "Call-ID: craft-%d@198.51.100.20" % n,
          "CSeq: %s" % (cseq or "%d %s" % (n, method)),
          "Contact: <sip:100@198.51.100.20:5060>",
          "User-Agent: Linphone/5.2.0 (belle-sip/5.2.0)"]
    hs = [h for h in hs if not any(h.startswith(d + ":") for d in drop)]
    b = ""
    if body and method == "INVITE":
        hs.append("Content-Type: application/sdp")
        b = SDP
    return msg("%s %s SIP/2.0" % (method, uri), hs + list(extra), b)


def resp(code, reason, via, method="OPTIONS", n=1, extra=()):
    hs = ["Via: " + via,
          "From: <sip:100@192.0.2.10>;tag=q%d" % n,
          "To: <sip:ping@198.51.100.77>;tag=r%d" % n,
          "Call-ID: refl-%d@victim" % n,
          "CSeq: 1 %s" % method,
          "Server: SomeSIPServer/1.0"] + list(extra)
    return msg("SIP/2.0 %d %s" % (code, reason), hs)


def emit(name, items, comment, manifests):
    """items: list of (frame, expectation, note). manifests: list of
    (suffix, profiles, options, override dict expectation->expectation)."""
    frames = [f for f, _, _ in items]
    write_pcap(os.path.join(OUT, name + ".pcap"), frames)
    for suffix, profiles, options, override in manifests:
        exp = [override.get(i + 1, e) for i, (_, e, _) in enumerate(items)]
        notes = "\n".join("packet %d: %s -> %s" % (i + 1, note, exp[i]) for i, (_, _, note) in enumerate(items))
        write_manifest(os.path.join(OUT, name + suffix + ".manifest"),
                       comment + "\nMade by pcaps/make/craft.py (crafted, struct-written pcap).\n" + notes,
                       name + ".pcap", profiles, exp, options)


P = "pass sip"


def odd_valid():
    v4 = lambda m, n=0: (udp(m, ident=n), P)
    it = []
    # 1 compact header names, every one of v f t i m l c k s
    it.append((udp(msg("INVITE sip:200@192.0.2.10 SIP/2.0", [
        "v: SIP/2.0/UDP 198.51.100.20:5060;branch=z9hG4bKcompact1",
        "Max-Forwards: 70", "f: <sip:100@198.51.100.20>;tag=c1", "t: <sip:200@192.0.2.10>",
        "i: compact-1@198.51.100.20", "CSeq: 1 INVITE", "m: <sip:100@198.51.100.20>",
        "k: timer, 100rel", "s: compact names", "c: application/sdp", "l: %d" % len(SDP)], SDP, clen=False)),
        P, "compact header names v f t i m l c k s"))
    # 2 names in odd case
    it.append((udp(base(n=2).replace("Via:", "VIA:").replace("From:", "from:").replace("Call-ID:", "call-id:")
                   .replace("CSeq:", "CSEQ:").replace("Max-Forwards:", "max-FORWARDS:").replace("Content-Length:", "content-LENGTH:")),
               P, "header names in lower/upper/mixed case"))
    # 3 bare LF line ends
    it.append((udp(lf_only(base(n=3))), P, "bare LF line ends (body too)"))
    # 4 folded header lines
    it.append((udp(msg("OPTIONS sip:192.0.2.10 SIP/2.0", [
        "Via: SIP/2.0/UDP 198.51.100.20:5060;branch=z9hG4bKfold4", "Max-Forwards: 70",
        "From: \"Alice\"\r\n <sip:100@198.51.100.20>;tag=f4", "To: <sip:192.0.2.10>",
        "Call-ID: fold-4@198.51.100.20", "CSeq: 4 OPTIONS",
        "Subject: I know you're there,\r\n\tpick up the phone\r\n   and talk to me!",
        "Accept: application/sdp"])), P, "folded header lines (SP and HTAB continuations)"))
    # 5 whitespace before ':'
    it.append((udp(msg("OPTIONS sip:192.0.2.10 SIP/2.0", [
        "Via  : SIP/2.0/UDP 198.51.100.20:5060;branch=z9hG4bKws5", "Max-Forwards\t: 70",
        "From :<sip:100@198.51.100.20>;tag=w5", "To :   <sip:192.0.2.10>",
        "Call-ID : ws-5@198.51.100.20", "CSeq :5    OPTIONS"])), P, "whitespace before and around ':'"))
    # 6 IPv6 literals in Via and URIs (over IPv6)
    m6 = msg("INVITE sip:200@[2001:db8::10]:5060 SIP/2.0", [
        "Via: SIP/2.0/UDP [2001:db8::20]:5060;branch=z9hG4bKv6a;rport",
        "Max-Forwards: 70", "From: <sip:100@[2001:db8::20]>;tag=v6",
        "To: <sip:200@[2001:db8::10]>", "Call-ID: v6-6@[2001:db8::20]", "CSeq: 6 INVITE",
        "Contact: <sip:100@[2001:db8::20]:5060;transport=udp>", "Content-Type: application/sdp"],
        SDP.replace("IN IP4 198.51.100.20", "IN IP6 2001:db8::20"))
    it.append((udp(m6, src=PEER6, dst=CUSTOMER6), P, "IPv6 literals in Via, R-URI, From/To/Contact (IPv6 packet)"))
    # 7 same message over IPv4 with IPv6 literal only in Via received param and URI
    it.append((udp(base(n=7, uri="sip:200@[2001:db8::10]", extra=["Route: <sip:[2001:db8::10];lr>"])),
               P, "IPv6 literal R-URI over IPv4"))
    # 8 legal unusual chars in user part
    it.append((udp(base(n=8, uri="sip:*21#;phone-context=+1;x%23@192.0.2.10;user=phone")),
               P, "user part with # * ; %23 (escaped/unescaped)"))
    it.append((udp(base(n=9, uri="sip:%2Balice-o'neil.(home)!~_$&=+@192.0.2.10")),
               P, "user part with - . ! ~ * ' ( ) & = + $ , %HEX"))
    # 10 Content-Length missing on UDP
    it.append((udp(msg("OPTIONS sip:192.0.2.10 SIP/2.0", [
        "Via: SIP/2.0/UDP 198.51.100.20:5060;branch=z9hG4bKnocl10", "Max-Forwards: 70",
        "From: <sip:100@198.51.100.20>;tag=n10", "To: <sip:192.0.2.10>",
        "Call-ID: nocl-10@198.51.100.20", "CSeq: 10 OPTIONS"], clen=False)), P, "no Content-Length on UDP, no body"))
    it.append((udp(msg("INVITE sip:200@192.0.2.10 SIP/2.0", [
        "Via: SIP/2.0/UDP 198.51.100.20:5060;branch=z9hG4bKnocl11", "Max-Forwards: 70",
        "From: <sip:100@198.51.100.20>;tag=n11", "To: <sip:200@192.0.2.10>",
        "Call-ID: nocl-11@198.51.100.20", "CSeq: 11 INVITE", "Content-Type: application/sdp"],
        SDP, clen=False)), P, "no Content-Length on UDP, SDP body = rest of datagram"))
    # 12 bytes after the body (RFC 3261 18.3: ignored)
    it.append((udp(base(n=12) + "\r\n\r\njunk-after-body\0\1"), P, "bytes after the body (CL smaller than rest)"))
    # 13 multiple Via headers and comma-separated Via
    it.append((udp(msg("INVITE sip:200@192.0.2.10 SIP/2.0", [
        "Via: SIP/2.0/UDP 198.51.100.30:5060;branch=z9hG4bKp2a;received=198.51.100.30, SIP/2.0/TCP 198.51.100.31;branch=z9hG4bKp1b",
        "Via: SIP/2.0/UDP 198.51.100.20:5060;branch=z9hG4bKmv13;rport=5060",
        "v: SIP/2.0/UDP [2001:db8::20];branch=z9hG4bKmv13c",
        "Max-Forwards: 68", "Record-Route: <sip:198.51.100.30;lr>, <sip:198.51.100.31;lr;transport=tcp>",
        "From: <sip:100@198.51.100.20>;tag=m13", "To: <sip:200@192.0.2.10>",
        "Call-ID: mv-13@198.51.100.20", "CSeq: 13 INVITE", "Content-Type: application/sdp"], SDP)),
        P, "three Via headers, one comma-separated, one compact"))
    # 14 tel: and sips: URIs
    it.append((udp(base(n=14, uri="tel:+1-201-555-0123;phone-context=example.com")), P, "tel: Request-URI"))
    it.append((udp(base(n=15, uri="sips:200@192.0.2.10")), P, "sips: Request-URI"))
    it.append((udp(base("MESSAGE", "sip:200@192.0.2.10", 16, extra=["Content-Type: text/plain"],
                        body=False).replace("Content-Length: 0", "Content-Length: 5") + "hello"),
               P, "MESSAGE with text body"))
    # 17 emergency call urn:service:sos
    it.append((udp(base(n=17, uri="urn:service:sos", extra=[
        "Geolocation: <cid:target123@198.51.100.20>", "Priority: emergency"])), P, "urn:service:sos emergency INVITE"))
    # 18 1400-byte INVITE
    pad = "X-Padding: " + "a" * 100
    m = base(n=18, extra=[pad] * 5)
    while len(m) < 1400 - 40:
        m = base(n=18, extra=[pad] * (m.count("X-Padding") + 1))
    filler = 1400 - len(m) - len("X-Fill: \r\n")
    m = base(n=18, extra=[pad] * m.count("X-Padding") + ["X-Fill: " + "b" * filler])
    assert len(m) == 1400, len(m)
    it.append((udp(m), P, "1400-byte INVITE (one UDP datagram, 1428 B IPv4)"))
    # 19 STUN binding request on 5060 (RFC 5626 keep-alive)
    stun = bytes.fromhex("0001 0000 2112a442".replace(" ", "")) + bytes.fromhex("b7e7a701bc34d686fa87dfae")
    it.append((udp(stun), "pass keepalive", "STUN Binding request (RFC 5389/5626) on 5060"))
    # 20 Max-Forwards: 0
    it.append((udp(base("OPTIONS", "sip:192.0.2.10", 20).replace("Max-Forwards: 70", "Max-Forwards: 0")),
               P, "Max-Forwards: 0 (valid; the server answers 483)"))
    # 21 CRLF keep-alive
    it.append((udp("\r\n\r\n"), "pass keepalive", "CRLF CRLF keep-alive"))
    # 22.. other valid methods and shapes
    it.append((udp(base("REGISTER", "sip:192.0.2.10", 22, extra=["Expires: 3600"])), P, "REGISTER"))
    it.append((udp(base("ACK", "sip:200@192.0.2.10", 23, body=False)), P, "ACK without body"))
    it.append((udp(base("INVITE", "sip:200@192.0.2.10", 24, extra=[
        "Authorization: Digest username=\"100\", realm=\"pbx\", nonce=\"abc\", uri=\"sip:200@192.0.2.10\", response=\"0123456789abcdef0123456789abcdef\", algorithm=MD5"])),
        P, "INVITE with Authorization"))
    it.append((udp(base("OPTIONS", "sip:192.0.2.10", 25).replace("CSeq: 25 OPTIONS", "CSeq: 2147483647 OPTIONS")),
               P, "CSeq 2^31-1 (largest valid)"))
    it.append((udp(base("OPTIONS", "sip:192.0.2.10", 26).replace("Max-Forwards: 70", "Max-Forwards: 255")),
               P, "Max-Forwards 255 (largest valid)"))
    it.append((udp(base("INVITE", "sip:200@192.0.2.10;transport=udp?Subject=hi", 27,
                        extra=["Supported: replaces, timer", "Allow: INVITE, ACK, CANCEL, BYE, OPTIONS",
                               "P-Asserted-Identity: \"Alice\" <sip:+12015550100@198.51.100.20;user=phone>"])),
               P, "URI params and headers, long header set"))
    it.append((udp(base("INVITE", "sip:200@192.0.2.10", 28).replace("Content-Type: application/sdp",
               "Content-Type: multipart/mixed;boundary=unique-boundary-1").replace(
               "v=0", "--unique-boundary-1\r\nContent-Type: application/sdp\r\n\r\nv=0")), P,
               "multipart body (CL recomputed)"))
    # fix CL of 28 (body changed after msg built)
    f = it[-1]
    raw = base("INVITE", "sip:200@192.0.2.10", 28)
    hdr, body = raw.split("\r\n\r\n", 1)
    body = "--unique-boundary-1\r\nContent-Type: application/sdp\r\n\r\n" + body + "--unique-boundary-1--\r\n"
    hdr = hdr.replace("Content-Type: application/sdp", "Content-Type: multipart/mixed;boundary=unique-boundary-1")
    hdr = hdr.rsplit("Content-Length:", 1)[0] + "Content-Length: %d" % len(body)
    it[-1] = (udp(hdr + "\r\n\r\n" + body), f[1], f[2])
    emit("odd-valid", [(fr, e, n) for fr, e, n in it],
         "Odd-but-valid SIP (the usual sources of false drops), all to the customer 192.0.2.10:5060.\n"
         "Expected: pass sip; STUN and CRLF keep-alives pass keepalive.",
         [("", ["pbx", "edge"], "", {})])


def keepalive():
    it = []
    for i in range(3):
        it.append((udp("\r\n\r\n", ident=i), "pass keepalive", "CRLF CRLF ping (RFC 5626 3.5.1)"))
    it.append((udp("\r\n\r\n", src=PEER6, dst=CUSTOMER6), "pass keepalive", "CRLF CRLF ping over IPv6"))
    for i, tid in enumerate(["b7e7a701bc34d686fa87dfae", "0123456789abcdef01234567"]):
        it.append((udp(bytes.fromhex("000100002112a442" + tid)), "pass keepalive", "STUN Binding request"))
    it.append((udp(bytes.fromhex("000100002112a442" + "00" * 12), src=PEER6, dst=CUSTOMER6),
               "pass keepalive", "STUN Binding request over IPv6"))
    emit("keepalive", it, "Keep-alives on 5060: CRLFCRLF pings and STUN binding requests (RFC 5626).",
         [("", ["pbx", "edge"], "", {})])


def malformed():
    it = []
    D = lambda r: "drop " + r
    O = base("OPTIONS", "sip:192.0.2.10", 1, body=False)
    inv = base(n=1)

    def rm(m, name):  # remove one header line
        return "".join(l for l in m.splitlines(True) if not l.startswith(name + ":"))

    def dup(m, name, value):
        return m.replace("\r\n\r\n", "\r\n%s: %s\r\n\r\n" % (name, value), 1)

    it.append((udp("INVITE sip:200@192.0.2.10\r\n" + inv.split("\r\n", 1)[1]), D("bad-start-line"), "request line without version"))
    it.append((udp("SIP/2.0 20 OK\r\n" + resp(200, "OK", "SIP/2.0/UDP 192.0.2.10:5060;branch=z9hG4bKs").split("\r\n", 1)[1]),
               D("bad-start-line"), "status line with a 2-digit code"))
    it.append((udp(inv.replace("SIP/2.0\r\n", "SIP/3.0\r\n", 1)), D("bad-version"), "request line SIP/3.0"))
    it.append((udp(O.replace("OPTIONS sip:192.0.2.10", "OPTIONS http://192.0.2.10/")), D("bad-uri-scheme"), "http: Request-URI"))
    for h in ["Via", "From", "To", "Call-ID", "CSeq"]:
        it.append((udp(rm(inv, h)), D("missing-header"), "no " + h))
    it.append((udp(dup(O, "From", "<sip:101@198.51.100.20>;tag=x")), D("duplicate-header"), "two From"))
    it.append((udp(dup(O, "To", "<sip:300@192.0.2.10>")), D("duplicate-header"), "two To"))
    it.append((udp(dup(O, "Call-ID", "another@198.51.100.20")), D("duplicate-header"), "two Call-ID"))
    it.append((udp(dup(O, "CSeq", "2 OPTIONS")), D("duplicate-header"), "two CSeq"))
    it.append((udp(dup(O, "Content-Length", "0")), D("duplicate-header"), "two Content-Length (equal values)"))
    it.append((udp(dup(O, "l", "0")), D("duplicate-header"), "Content-Length and compact l"))
    it.append((udp(O.replace("CSeq: 1 OPTIONS", "CSeq: 2147483648 OPTIONS")), D("bad-cseq"), "CSeq number 2^31"))
    it.append((udp(O.replace("CSeq: 1 OPTIONS", "CSeq: -1 OPTIONS")), D("bad-cseq"), "CSeq number negative"))
    it.append((udp(O.replace("CSeq: 1 OPTIONS", "CSeq: 1 INVITE")), D("cseq-method"), "CSeq method INVITE in OPTIONS"))
    it.append((udp(O.replace("CSeq: 1 OPTIONS", "CSeq: 1 options")), D("cseq-method"), "CSeq method case differs (case-sensitive)"))
    it.append((udp(O.replace("Max-Forwards: 70", "Max-Forwards: 256")), D("bad-max-forwards"), "Max-Forwards 256"))
    it.append((udp(O.replace("Max-Forwards: 70", "Max-Forwards: seventy")), D("bad-max-forwards"), "Max-Forwards not numeric"))
    it.append((udp(O.replace("Content-Length: 0", "Content-Length: abc")), D("bad-content-length"), "Content-Length non-numeric"))
    it.append((udp(inv.replace("Content-Length: %d" % len(SDP), "Content-Length: %d" % (len(SDP) + 100))),
               D("bad-content-length"), "Content-Length 100 beyond the datagram"))
    it.append((udp(inv.replace("Content-Type: application/sdp\r\n", "")), D("missing-content-type"), "SDP body without Content-Type"))
    it.append((udp(O.replace("Accept:", "X-Bad: a\0b\r\nAccept:") if "Accept:" in O else
                   O.replace("User-Agent:", "X-Bad: a\0b\r\nUser-Agent:")), D("forbidden-bytes"), "NUL byte in a header value"))
    it.append((udp(O.replace("User-Agent:", "X-Bad: a\x07b\r\nUser-Agent:")), D("forbidden-bytes"), "bare BEL control byte in a header"))
    it.append((udp(O.replace("User-Agent:", "this line has no colon\r\nUser-Agent:")), D("bad-header"), "header line without colon"))
    it.append((udp(O.replace("User-Agent:", ": no-name\r\nUser-Agent:")), D("bad-header"), "header line with empty name"))
    it.append((udp(O.split("\r\n\r\n")[0] + "\r\n"), D("truncated"), "header section never ends (no blank line)"))
    it.append((udp(bytes(range(256))[:200]), D("not-sip"), "binary garbage"))
    it.append((udp(bytes.fromhex("160301") + b"\x00\xa5\x01\x00\x00\xa1\x03\x03" + bytes(64)), D("not-sip"), "TLS ClientHello bytes on 5060"))
    longuri = "sip:" + "9" * 600 + "@192.0.2.10"
    it.append((udp(base("OPTIONS", longuri, 40, body=False)), D("too-large"), "Request-URI of 615 bytes (> 512)"))
    it.append((udp(O.replace("User-Agent:", "Subject: " + "s" * 3000 + "\r\nUser-Agent:")), D("too-large"), "one header line of 3009 bytes (> 2048)"))
    it.append((udp(O.replace("User-Agent:", "X-H: h\r\n" * 140 + "User-Agent:")), D("too-large"), "149 header lines (> 128)"))
    emit("malformed", it,
         "Malformed requests, one flaw each (one sanity rule per packet), to 192.0.2.10:5060.\n"
         "Same reasons under pbx and edge (method cases are in method-foo), but for the http:\n"
         "Request-URI, a well-formed scheme that edge lets through (uri_schemes = any, RFC 3261\n"
         "allows any absoluteURI: the stack answers 416): malformed.edge.manifest.",
         [("", ["pbx"], "", {}), (".edge", ["edge"], "", {4: P})])


def method_foo():
    it = [(udp(base("FOO", "sip:192.0.2.10", 1, body=False)), "drop method-not-allowed", "unknown method FOO"),
          (udp(base("XYZZY", "sip:200@192.0.2.10", 2, body=False)), "drop method-not-allowed", "unknown method XYZZY")]
    emit("method-foo", it, "Well-formed requests with unknown methods: pbx allows a method list only.",
         [("", ["pbx"], "", {})])
    emit("method-foo", [(f, P, n) for f, _, n in it],
         "Same capture under edge: any well-formed method token is allowed.", [(".edge", ["edge"], "", {})])


def no_max_forwards():
    it = [(udp(base("INVITE", n=1, drop=["Max-Forwards"])), P, "INVITE without Max-Forwards"),
          (udp(base("OPTIONS", "sip:192.0.2.10", 2, drop=["Max-Forwards"])), P, "OPTIONS without Max-Forwards")]
    emit("no-max-forwards", it,
         "Requests without Max-Forwards: RFC 3261 16.3 has a proxy accept them; the shipped profiles pass\n"
         "them (require_max_forwards = no; t_check_basic covers the opt-in, reason missing-header).",
         [("", ["pbx", "edge"], "", {})])


def reflection():
    it = []
    vias = ["SIP/2.0/UDP 198.51.100.66:5060;branch=z9hG4bK-refl1;rport",
            "SIP/2.0/UDP pbx.example.net;branch=z9hG4bKrefl2",
            "SIP/2.0/UDP [2001:db8::66]:5060;branch=z9hG4bKrefl3",
            "SIP/2.0/UDP 192.0.2.100:5060;branch=z9hG4bKrefl4"]
    srcs = ["198.51.100.%d" % i for i in (30, 31, 32, 33, 34, 35)]
    cases = [(200, "OK", "OPTIONS"), (401, "Unauthorized", "REGISTER"), (404, "Not Found", "INVITE"),
             (100, "Trying", "INVITE"), (407, "Proxy Authentication Required", "INVITE"),
             (403, "Forbidden", "REGISTER"), (180, "Ringing", "INVITE"), (483, "Too Many Hops", "OPTIONS")]
    n = 0
    for ci, (code, reason, meth) in enumerate(cases):
        via = vias[ci % len(vias)]
        extra = ['WWW-Authenticate: Digest realm="asterisk",nonce="1a2b3c4d"'] if code == 401 else []
        if code == 200:
            extra = ["Allow: INVITE, ACK, CANCEL, OPTIONS, BYE", "Accept: application/sdp"]
        n += 1
        it.append((udp(resp(code, reason, via, meth, n, extra), src=srcs[ci % len(srcs)], ident=n),
                   "drop via-not-own", "%d %s to %s, top Via %s" % (code, reason, meth, via.split(";")[0])))
    # a response whose top Via is someone else's but the second Via is ours: still not own
    n += 1
    it.append((udp(resp(200, "OK", "SIP/2.0/UDP 198.51.100.66:5060;branch=z9hG4bKx, SIP/2.0/UDP 192.0.2.10:5060;branch=z9hG4bKy", n=n),
                   src=srcs[0]), "drop via-not-own", "200 OK, top Via foreign, our Via second"))
    n += 1
    it.append((udp(resp(200, "OK", "SIP/2.0/UDP [2001:db8::66]:5060;branch=z9hG4bKr6", n=n), src=PEER6, dst=CUSTOMER6),
               "drop via-not-own", "200 OK over IPv6 to 2001:db8::10, foreign Via"))
    emit("reflection", it,
         "Reflection: responses arriving at the customer 192.0.2.10:5060 for requests it never sent\n"
         "(top Via sent-by is another host). Checked with --own-host 192.0.2.10.",
         [("", ["pbx"], "--own-host 192.0.2.10", {})])


def scanners():
    it = []

    def ua_opt(n, ua, frm=None):
        m = base("OPTIONS", "sip:100@192.0.2.10", n, body=False)
        m = m.replace("User-Agent: Linphone/5.2.0 (belle-sip/5.2.0)", "User-Agent: " + ua)
        if frm:
            m = m.replace("From: \"Alice\" <sip:100@198.51.100.20>;tag=a%d" % n, "From: " + frm)
        return m
    it.append((udp(ua_opt(1, "sipcli/v1.8")), "drop scanner", "User-Agent sipcli/v1.8"))
    it.append((udp(ua_opt(2, "sundayddr")), "drop scanner", "User-Agent sundayddr"))
    it.append((udp(ua_opt(3, "VaxSIPUserAgent/3.1")), "drop scanner", "User-Agent VaxSIPUserAgent/3.1"))
    it.append((udp(ua_opt(4, "pplsip")), "drop scanner", "User-Agent pplsip"))
    nmap = ("OPTIONS sip:nm SIP/2.0\r\nVia: SIP/2.0/UDP nm;branch=foo;rport\r\nFrom: <sip:nm@nm>;tag=root\r\n"
            "To: <sip:nm2@nm2>\r\nCall-ID: 50000\r\nCSeq: 42 OPTIONS\r\nMax-Forwards: 70\r\nContent-Length: 0\r\n"
            "Contact: <sip:nm@nm>\r\nAccept: application/sdp\r\n\r\n")
    it.append((udp(nmap, sport=45123), "drop scanner", "Nmap SIPOptions probe (nmap-service-probes), OPTIONS sip:nm, From <sip:nm@nm>"))
    it.append((udp(ua_opt(6, "smap 0.6.0", "<sip:smap@localhost>;tag=6")), "drop scanner", "smap: From <sip:smap@...>, UA smap"))
    it.append((udp(base("OPTIONS", "sip:100@192.0.2.10", 7, body=False).replace(
        "From: \"Alice\" <sip:100@198.51.100.20>;tag=a7", "From: <sip:smap@localhost>;tag=7")
        .replace("User-Agent: Linphone/5.2.0 (belle-sip/5.2.0)\r\n", "")), "drop scanner", "smap From only, no User-Agent"))
    it.append((udp(ua_opt(8, "SIVuS_VoIP_Scanner", "\"SIVuS\" <sip:sivus-discovery@vopsecurity.org>;tag=8")),
               "drop scanner", "SIVuS: UA SIVuS_VoIP_Scanner, From sivus-discovery@vopsecurity.org"))
    # inviteflood-style: UA, branch without z9hG4bK, zero-padded 10-digit CSeq
    inv = ("INVITE sip:200@192.0.2.10 SIP/2.0\r\nVia: SIP/2.0/UDP 198.51.100.20:9;branch=9e8e2f9d\r\n"
           "From: 200 <sip:200@198.51.100.20:9>;tag=00000001\r\nTo: Receiver <sip:200@192.0.2.10>\r\n"
           "Call-ID: 0000000001@198.51.100.20\r\nCSeq: 0000000001 INVITE\r\nMax-Forwards: 70\r\n"
           "Contact: <sip:200@198.51.100.20:9>\r\nUser-Agent: Elite 1.0 Brcm Callctrl/1.5.1.0 MxSF/v.3.2.6.26\r\n"
           "Content-Type: application/sdp\r\nContent-Length: %d\r\n\r\n%s") % (len(SDP), SDP)
    it.append((udp(inv, sport=9), "drop scanner", "inviteflood-style INVITE (UA Elite 1.0 Brcm Callctrl..., no z9hG4bK)"))
    it.append((udp(ua_opt(10, "friendly-scanner")), "drop scanner", "crafted User-Agent friendly-scanner"))
    it.append((udp(ua_opt(11, "Linphone/5.2.0", "\"sipvicious\"<sip:100@1.1.1.1>;tag=3131")), "drop scanner",
               "From \"sipvicious\" with an ordinary UA"))
    it.append((udp(ua_opt(12, "SIPVicious-Friendly-Scanner")), "drop scanner", "UA in another case"))
    it.append((udp(ua_opt(13, "Linphone/5.2.0", "\"sipsscuser\" <sip:100@198.51.100.20>;tag=13")), "drop scanner", "From sipsscuser (ET)"))
    emit("scanners", it,
         "Scanner signatures beyond SIPVicious' own traffic (crafted after ET Open rules and tool sources),\n"
         "well-formed otherwise, to 192.0.2.10:5060.",
         [("", ["pbx", "edge"], "", {})])


if __name__ == "__main__":
    os.makedirs(OUT, exist_ok=True)
    for f in (odd_valid, keepalive, malformed, method_foo, no_max_forwards, reflection, scanners):
        f()
