#!/usr/bin/env python3
"""Framing cases with a tested policy (README "Framing policies"):
IPv4/IPv6 UDP fragments as the forward hook sees them, a reassembled large
datagram as the input hook sees it, and TCP segments holding two messages,
part of a message, or a message without Content-Length.
Writes framing.pcap and framing.manifest (profiles pbx edge)."""
import os
import struct
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from pcaplib import udp, write_pcap, write_manifest, _csum, _ip4, _ip6, MAC_A, MAC_B  # noqa: E402
from pcaplib import CUSTOMER4, PEER4, CUSTOMER6, PEER6  # noqa: E402

OUT = sys.argv[1] if len(sys.argv) > 1 else os.path.join(os.path.dirname(os.path.abspath(__file__)), "..")


def invite(n, ua="Linphone/5.2.0", pad=2600, clen=True, extra=""):
    body = "v=0\r\no=- 1 1 IN IP4 198.51.100.20\r\ns=-\r\nc=IN IP4 198.51.100.20\r\nt=0 0\r\n" \
           "m=audio 4000 RTP/AVP 0\r\na=x-pad:" + "p" * pad + "\r\n"
    h = ("INVITE sip:200@192.0.2.10 SIP/2.0\r\n"
         "Via: SIP/2.0/UDP 198.51.100.20:5060;branch=z9hG4bKframe%d\r\n"
         "Max-Forwards: 70\r\nFrom: <sip:100@198.51.100.20>;tag=f%d\r\nTo: <sip:200@192.0.2.10>\r\n"
         "Call-ID: frame-%d@198.51.100.20\r\nCSeq: 1 INVITE\r\nUser-Agent: %s\r\n%s"
         "Content-Type: application/sdp\r\n" % (n, n, n, ua, extra))
    if clen:
        h += "Content-Length: %d\r\n" % len(body)
    return h + "\r\n" + body


def fragments4(frame, size=1480):
    """Splits the IPv4 packet of an Ethernet frame into fragments of SIZE bytes."""
    eth, ip = frame[:14], frame[14:]
    ihl = (ip[0] & 0xf) * 4
    hdr, data = bytearray(ip[:ihl]), ip[ihl:]
    out = []
    for off in range(0, len(data), size):
        part = data[off:off + size]
        more = off + size < len(data)
        h = bytearray(hdr)
        struct.pack_into("!H", h, 2, ihl + len(part))
        struct.pack_into("!H", h, 6, (0x2000 if more else 0) | (off // 8))
        struct.pack_into("!H", h, 10, 0)
        struct.pack_into("!H", h, 10, _csum(bytes(h)))
        out.append(eth + bytes(h) + part)
    return out


def fragments6(frame, size=1448, ident=7):
    """Splits the IPv6 packet of an Ethernet frame with a fragment header."""
    eth, ip = frame[:14], frame[14:]
    base, data = bytearray(ip[:40]), ip[40:]
    nxt = base[6]
    base[6] = 44
    out = []
    for off in range(0, len(data), size):
        part = data[off:off + size]
        more = off + size < len(data)
        fh = struct.pack("!BBHI", nxt, 0, off | (1 if more else 0), ident)
        h = bytearray(base)
        struct.pack_into("!H", h, 4, 8 + len(part))
        out.append(eth + bytes(h) + fh + part)
    return out


def tcp(payload, seq=1000, sport=40000, flags=0x18):
    if isinstance(payload, str):
        payload = payload.encode("latin-1")
    s, d = _ip4(PEER4), _ip4(CUSTOMER4)
    th = struct.pack("!HHIIBBHHH", sport, 5060, seq & 0xffffffff, 1, 5 << 4, flags, 65535, 0, 0)
    pseudo = s + d + struct.pack("!xBH", 6, len(th) + len(payload))
    c = _csum(pseudo + th + payload)
    th = th[:16] + struct.pack("!H", c) + th[18:]
    ih = struct.pack("!BBHHHBBH4s4s", 0x45, 0, 20 + len(th) + len(payload), 9, 0x4000, 64, 6, 0, s, d)
    ih = ih[:10] + struct.pack("!H", _csum(ih)) + ih[12:]
    return MAC_A + MAC_B + struct.pack("!H", 0x0800) + ih + th + payload


class Stream:
    """One TCP connection from its SYN: segments carry the next stream bytes."""
    ports = iter(range(40001, 41000))

    def __init__(self, isn=1000):
        self.sport = next(Stream.ports)
        self.seq = isn + 1
        self.syn = tcp(b"", seq=isn, sport=self.sport, flags=0x02)

    def seg(self, data, seq=None, flags=0x18):
        if isinstance(data, str):
            data = data.encode("latin-1")
        f = tcp(data, seq=self.seq if seq is None else seq, sport=self.sport, flags=flags)
        if seq is None:
            self.seq += len(data)
        return f


def main():
    frames, expect, notes = [], [], []

    def add(fs, exp, note):
        for f, e in zip(fs, exp):
            frames.append(f)
            expect.append(e)
            notes.append("%d %s: %s" % (len(frames), e, note))

    # IP fragments: the kernel reassembles before sipguard's chain (README);
    # check does the same: every fragment gets its datagram's verdict
    big = udp(invite(1))
    add([big], ["pass sip"], "3 kB INVITE as one reassembled IPv4 datagram (input hook)")
    add(fragments4(udp(invite(2))), ["pass sip"] * 3, "3 kB INVITE in IPv4 fragments: reassembled, judged whole")
    add(fragments4(udp(invite(3, ua="friendly-scanner"))), ["drop scanner"] * 3,
        "scanner INVITE in IPv4 fragments: reassembled, dropped whole")
    add(fragments6(udp(invite(4), src=PEER6, dst=CUSTOMER6)), ["pass sip"] * 3,
        "3 kB INVITE in IPv6 fragments (fragment header): reassembled")
    add(fragments6(udp(invite(5, ua="sipcli/v1.8"), src=PEER6, dst=CUSTOMER6)), ["drop scanner"] * 3,
        "scanner INVITE in IPv6 fragments: its User-Agent in a later fragment")
    add(fragments4(udp(invite(6, extra="X-Long: " + "r" * 1700 + "\r\n", pad=100))), ["pass sip"] * 2,
        "a header line across two IPv4 fragments")
    add(fragments4(udp("INVITE sip:200@192.0.2.10 SIP/3.0\r\n" + invite(7)[len("INVITE sip:200@192.0.2.10 SIP/2.0\r\n"):])),
        ["drop bad-version"] * 3, "malformed start line in the first fragment")
    add([udp(invite(12, pad=5000)), udp(invite(13, ua="friendly-scanner", pad=5000))],
        ["pass sip", "drop scanner"],
        "5 kB reassembled datagrams: beyond BPF_PROG_TEST_RUN's page, check judges them with the userspace build")
    f = fragments4(udp(invite(16), ident=16))
    add(f[:2], ["drop fragment"] * 2, "a datagram whose last fragment never comes: never delivered")
    f = fragments6(udp("\r\n" * 740 + invite(17, ua="friendly-scanner", pad=100), src=PEER6, dst=CUSTOMER6), ident=17)
    add(f, ["drop scanner"] * len(f), "IPv6: a first fragment of CRLFs hides nothing: the datagram is judged")

    # TCP: each stream judged in order, whatever the segmentation
    m = invite(8, pad=50)
    st = Stream()
    add([st.syn, st.seg(m + invite(9, pad=50))], ["pass tcp-control", "pass sip"], "TCP segment with two valid messages")
    st = Stream()
    add([st.syn, st.seg(m + "\r\n\r\n" + invite(14, ua="friendly-scanner", pad=50))], ["pass tcp-control", "drop scanner"],
        "TCP segment: a scanner message behind a valid one (and a CRLF keep-alive) is judged too")
    st = Stream()
    add([st.syn, st.seg(m + "\r\n\r\n")], ["pass tcp-control", "pass sip"], "TCP segment: a message then a CRLF keep-alive")
    st = Stream()
    n2 = invite(15, pad=50)
    add([st.syn, st.seg(m + n2[:120]), st.seg(n2[120:])], ["pass tcp-control", "pass sip", "pass sip"],
        "TCP: a message, then the start of the next one, continued in the next segment")
    st = Stream()
    sc = invite(18, ua="friendly-scanner", pad=50)
    cut = sc.index("User-Agent") + 4
    add([st.syn, st.seg(sc[:cut]), st.seg(sc[cut:]), st.seg(m)], ["pass tcp-control", "pass sip", "drop scanner", "drop tcp-after-drop"],
        "TCP: a scanner User-Agent split over two segments is judged whole; the stream is dead after it")
    st = Stream()
    add([st.syn] + [st.seg(m[k:k + 7]) for k in range(0, 21, 7)], ["pass tcp-control"] + ["pass sip"] * 3,
        "TCP: a message 7 bytes a segment (the first three)")
    st = Stream()
    add([st.seg(m[m.index("Via:"):])], ["drop tcp-no-flow"], "TCP segment of a connection whose SYN was not seen")
    st = Stream()
    add([st.syn, st.seg(invite(10, ua="friendly-scanner", pad=50))], ["pass tcp-control", "drop scanner"], "scanner over TCP")
    st = Stream()
    add([st.syn, st.seg(invite(11, clen=False, pad=50))], ["pass tcp-control", "drop bad-content-length"],
        "complete TCP message without Content-Length (RFC 3261 18.3 MUST)")
    st = Stream()
    first = st.seg(m[:300])
    add([st.syn, first, first, st.seg(m[300:])], ["pass tcp-control", "pass sip", "pass tcp-retransmit", "pass sip"],
        "TCP: a segment sent twice (retransmission): its bytes are judged once")
    st = Stream()
    add([st.syn, st.seg(m[300:], seq=st.seq + 300)], ["pass tcp-control", "drop tcp-out-of-order"],
        "TCP: a segment after a gap is not judged out of its place: dropped, the peer resends")
    st = Stream()
    add([st.syn, st.seg(m, flags=0x38)], ["pass tcp-control", "drop tcp-urgent"],
        "TCP urgent data: the receiver reads other bytes than the filter")
    st = Stream()
    add([st.syn, st.seg("\r\n" * 2000 + invite(19, ua="friendly-scanner", pad=50))], ["pass tcp-control", "drop scanner"],
        "TCP: a long run of CRLFs before a message hides nothing")
    st = Stream()
    add([st.syn, st.seg(("OPTIONS sip:x@192.0.2.10 SIP/2.0\r\nVia: SIP/2.0/TCP 198.51.100.20;branch=z9hG4bKo\r\n"
                         "From: <sip:a@198.51.100.20>;tag=1\r\nTo: <sip:x@192.0.2.10>\r\nCall-ID: o%d\r\n"
                         "CSeq: 1 OPTIONS\r\nMax-Forwards: 70\r\nContent-Length: 0\r\n\r\n") * 1 + "".join(
                            "OPTIONS sip:x@192.0.2.10 SIP/2.0\r\nVia: SIP/2.0/TCP 198.51.100.20;branch=z9hG4bKo\r\n"
                            "From: <sip:a@198.51.100.20>;tag=1\r\nTo: <sip:x@192.0.2.10>\r\nCall-ID: o%d\r\n"
                            "CSeq: 1 OPTIONS\r\nMax-Forwards: 70\r\nContent-Length: 0\r\n\r\n" % k for k in range(9))
                        + invite(20, ua="friendly-scanner", pad=50))],
        ["pass tcp-control", "drop scanner"], "TCP: a scanner message behind ten valid ones in one segment")

    # UDP: a 9 KB header section is parsed whole (the parse window is 16 KiB,
    # the largest message a shipped profile takes): the scanner at its end is seen
    add([udp("INVITE sip:200@192.0.2.10 SIP/2.0\r\n" + "".join("X-H%d: %s\r\n" % (k, "a" * 90) for k in range(95))
             + "Via: SIP/2.0/UDP 198.51.100.20;branch=z9hG4bKw\r\nUser-Agent: friendly-scanner\r\n\r\n")],
        ["drop scanner"], "UDP: a 9 KB header section is parsed whole: a scanner at its end is found")
    # UDP: a header section longer than the window (and than max_message)
    add([udp("INVITE sip:200@192.0.2.10 SIP/2.0\r\n" + "".join("X-H%d: %s\r\n" % (k, "a" * 150) for k in range(110))
             + "Via: SIP/2.0/UDP 198.51.100.20;branch=z9hG4bKw\r\nUser-Agent: friendly-scanner\r\n\r\n")],
        ["drop too-large"], "UDP: 17 KB of headers, past max_message and the 16 KiB parse window: too large")
    write_pcap(os.path.join(OUT, "framing.pcap"), frames)
    write_manifest(os.path.join(OUT, "framing.manifest"),
                   "Framing policies (pcaps/make/framing.py): fragments and TCP segments.\n" + "\n".join(notes),
                   "framing.pcap", ["pbx", "edge"], expect)


if __name__ == "__main__":
    main()
