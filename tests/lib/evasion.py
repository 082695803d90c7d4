#!/usr/bin/env python3
"""Attacker and listener for tests/t_evasion.sh.

  evasion.py listen LOG          records what the customer's sockets receive:
                                 UDP datagrams and TCP stream bytes on 5060
                                 (IPv4 and IPv6), one JSON object per line
  evasion.py cases [PROFILE]     the cases: NAME KIND(attack|valid) MARKER
  evasion.py send CASE           sends one case from the attacker namespace
  evasion.py check LOG CASES...  asserts, per case, what arrived: no byte of
                                 an attack's marker, every valid message whole

Every case carries a marker (its Call-ID and a unique token) so that what
arrived can be told apart. Crafted packets (fragments, extension headers)
go out through an AF_PACKET socket on the attacker's veth; the rest through
ordinary sockets, as an attacker's own kernel would shape them.
Environment of send: EV_IF (attacker veth), EV_SMAC, EV_DMAC, EV_SRC4,
EV_DST4, EV_SRC6, EV_DST6."""
import base64
import json
import os
import selectors
import socket
import struct
import sys
import time

PORT = 5060
UDP_SEGMENT = 103


def env(k):
    return os.environ[k]


# ---- messages ----------------------------------------------------------

def request(marker, method="OPTIONS", ua="Linphone/5.2.0", extra="", body="", frm=None, via_proto="UDP",
            dst=None):
    """A request whose identifiers (branch, tag, Call-ID) carry MARKER."""
    dst = dst or "192.0.2.10"
    frm = frm or "<sip:100@198.51.100.20>;tag=%s" % marker
    h = ("%s sip:200@%s SIP/2.0\r\n"
         "Via: SIP/2.0/%s 198.51.100.20:5060;branch=z9hG4bK%s\r\n"
         "Max-Forwards: 70\r\nFrom: %s\r\nTo: <sip:200@%s>\r\n"
         "Call-ID: %s@198.51.100.20\r\nCSeq: 1 %s\r\nUser-Agent: %s\r\n%s" %
         (method, dst, via_proto, marker, frm, dst, marker, method, ua, extra))
    if body:
        h += "Content-Type: application/sdp\r\n"
    h += "Content-Length: %d\r\n\r\n%s" % (len(body), body)
    return h.encode("latin-1")


def sdp(n):
    base = ("v=0\r\no=- 1 1 IN IP4 198.51.100.20\r\ns=-\r\nc=IN IP4 198.51.100.20\r\n"
            "t=0 0\r\nm=audio 4000 RTP/AVP 0\r\n")
    return base + "a=x-pad:" + "p" * max(0, n - len(base) - 10) + "\r\n"


def stun(size):
    """A STUN binding request of SIZE bytes (RFC 5389 magic cookie)."""
    attr = size - 20 - 4
    return (struct.pack("!HHI12s", 0x0001, size - 20, 0x2112A442, b"evasion-0001") +
            struct.pack("!HH", 0x8022, attr) + b"s" * attr)


# ---- crafted packets ------------------------------------------------------

def csum(b):
    if len(b) % 2:
        b += b"\0"
    s = sum(struct.unpack("!%dH" % (len(b) // 2), b))
    while s >> 16:
        s = (s & 0xFFFF) + (s >> 16)
    return ~s & 0xFFFF


def mac(s):
    return bytes(int(x, 16) for x in s.split(":"))


def send_frames(frames):
    s = socket.socket(socket.AF_PACKET, socket.SOCK_RAW)
    s.bind((env("EV_IF"), 0))
    for f in frames:
        s.send(f)
        time.sleep(0.002)


def eth(payload, v6):
    return mac(env("EV_DMAC")) + mac(env("EV_SMAC")) + struct.pack("!H", 0x86DD if v6 else 0x0800) + payload


def udp_segment(payload, v6, sport=5061):
    src, dst = (env("EV_SRC6"), env("EV_DST6")) if v6 else (env("EV_SRC4"), env("EV_DST4"))
    fam = socket.AF_INET6 if v6 else socket.AF_INET
    s, d = socket.inet_pton(fam, src), socket.inet_pton(fam, dst)
    ulen = 8 + len(payload)
    pseudo = s + d + (struct.pack("!IxxxB", ulen, 17) if v6 else struct.pack("!xBH", 17, ulen))
    c = csum(pseudo + struct.pack("!HHHH", sport, PORT, ulen, 0) + payload) or 0xFFFF
    return struct.pack("!HHHH", sport, PORT, ulen, c) + payload, s, d


def ip4_fragments(payload, ident, chunks):
    """IPv4 fragments of a UDP datagram, cut at the byte offsets CHUNKS
    (multiples of 8); an overlapping list is sent as given."""
    seg, s, d = udp_segment(payload, False)
    out = []
    for k, (off, end) in enumerate(chunks):
        part = seg[off:end]
        more = end < len(seg)
        h = struct.pack("!BBHHHBBH4s4s", 0x45, 0, 20 + len(part), ident,
                        (0x2000 if more else 0) | (off // 8), 64, 17, 0, s, d)
        h = h[:10] + struct.pack("!H", csum(h)) + h[12:]
        out.append(eth(h + part, False))
    return out


def ip6_packet(next_hdr, ext, l4):
    s = socket.inet_pton(socket.AF_INET6, env("EV_SRC6"))
    d = socket.inet_pton(socket.AF_INET6, env("EV_DST6"))
    body = ext + l4
    return eth(struct.pack("!IHBB", 6 << 28, len(body), next_hdr, 64) + s + d + body, True)


def ip6_dstopts_chain(n, payload):
    """IPv6: N destination-options headers (8 bytes each, PadN) before UDP."""
    seg, _, _ = udp_segment(payload, True)
    ext = b""
    for k in range(n):
        nh = 60 if k < n - 1 else 17
        ext += struct.pack("!BBBB", nh, 0, 1, 4) + b"\0" * 4
    return ip6_packet(60, ext, seg)


# ---- sockets --------------------------------------------------------------

def dst(v6):
    return (env("EV_DST6"), PORT) if v6 else (env("EV_DST4"), PORT)


def udp_send(data, v6, gso=0):
    s = socket.socket(socket.AF_INET6 if v6 else socket.AF_INET, socket.SOCK_DGRAM)
    if gso:
        s.setsockopt(socket.SOL_UDP, UDP_SEGMENT, gso)
    s.sendto(data, dst(v6))
    s.close()


def tcp_conn(v6, maxseg=0):
    s = socket.socket(socket.AF_INET6 if v6 else socket.AF_INET, socket.SOCK_STREAM)
    s.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    if maxseg:
        s.setsockopt(socket.IPPROTO_TCP, socket.TCP_MAXSEG, maxseg)
    s.settimeout(3)
    s.connect(dst(v6))
    return s


def tcp_parts(parts, v6, maxseg=0, flags=0, gap=0.05):
    """Sends PARTS on one connection, each its own segment(s)."""
    try:
        s = tcp_conn(v6, maxseg)
    except OSError:
        return  # refused or dropped (shield): nothing to send
    for p in parts:
        try:
            s.send(p, flags)
        except OSError:
            break
        time.sleep(gap)
    time.sleep(0.3)
    s.close()


def tcp_ts_option(l4):
    """(TSval, TSecr) of the TCP header L4, or None."""
    opts, i = l4[20:(l4[12] >> 4) * 4], 0
    while i < len(opts) and opts[i] != 0:
        if opts[i] == 1:
            i += 1
            continue
        if i + 1 >= len(opts) or opts[i + 1] < 2:
            break
        if opts[i] == 8 and opts[i + 1] == 10:
            return struct.unpack("!II", opts[i + 2:i + 10])
        i += opts[i + 1]
    return None


def tcp_sniffed_conn(v6, timestamps=False):
    """A kernel TCP connection, and the numbers of its handshake as seen on
    the attacker's interface: (sock, local port, client ISN, server ISN,
    the client's SYN TSval echoed by the SYN-ACK or None). Without
    TIMESTAMPS the connection has none (crafted segments need no option)."""
    with open("/proc/sys/net/ipv4/tcp_timestamps", "w") as f:
        f.write("1" if timestamps else "0")
    cap = socket.socket(socket.AF_PACKET, socket.SOCK_RAW, socket.htons(3))
    cap.bind((env("EV_IF"), 0))
    cap.settimeout(2)
    s = tcp_conn(v6)
    lport = s.getsockname()[1]
    deadline = time.time() + 3
    while time.time() < deadline:
        f = cap.recv(65535)
        et = struct.unpack("!H", f[12:14])[0]
        if et == 0x0800 and f[23] == 6:
            l4 = 14 + (f[14] & 15) * 4
        elif et == 0x86DD and f[20] == 6:
            l4 = 54
        else:
            continue
        sp, dp, seq, ack = struct.unpack("!HHII", f[l4:l4 + 12])
        if sp == PORT and dp == lport and f[l4 + 13] & 0x12 == 0x12:
            cap.close()
            ts = tcp_ts_option(f[l4:])
            return s, lport, (ack - 1) & 0xFFFFFFFF, seq, ts[1] if ts else None
    raise OSError("no SYN-ACK seen")


def tcp_frame(v6, sport, seq, ack, payload, good_sum=True, tsval=None):
    """A PSH|ACK segment of the connection, crafted; GOOD_SUM False: its
    TCP checksum is wrong (the receiving stack discards it); TSVAL: with a
    timestamp option (NOP NOP TS, as Linux sends it)."""
    src, dst = (env("EV_SRC6"), env("EV_DST6")) if v6 else (env("EV_SRC4"), env("EV_DST4"))
    fam = socket.AF_INET6 if v6 else socket.AF_INET
    s, d = socket.inet_pton(fam, src), socket.inet_pton(fam, dst)
    opts = b"" if tsval is None else struct.pack("!BBBBII", 1, 1, 8, 10, tsval & 0xFFFFFFFF, 0)
    hdr = struct.pack("!HHIIBBHHH", sport, PORT, seq & 0xFFFFFFFF, ack & 0xFFFFFFFF,
                      (5 + len(opts) // 4) << 4, 0x18, 65535, 0, 0) + opts
    n = len(hdr) + len(payload)
    pseudo = s + d + (struct.pack("!IxxxB", n, 6) if v6 else struct.pack("!xBH", 6, n))
    c = csum(pseudo + hdr + payload)
    if not good_sum:
        c ^= 0x5A5A
    l4 = hdr[:16] + struct.pack("!H", c) + hdr[18:] + payload
    if v6:
        return ip6_packet(6, b"", l4)
    ip = struct.pack("!BBHHHBBH4s4s", 0x45, 0, 20 + len(l4), 0x4747, 0x4000, 64, 6, 0, s, d)
    ip = ip[:10] + struct.pack("!H", csum(ip)) + ip[12:]
    return eth(ip + l4, False)


def tcp_insertion(m, v6, bad):
    """Ptacek and Newsham's insertion: a decoy the filter sees but the
    stack discards (BAD: 'sum', a wrong checksum; 'ack', an ACK of data the
    server never sent; 'paws', a timestamp far older than the SYN's), then
    the attack at the same sequence numbers."""
    attack = scanner(m, via_proto="TCP")
    decoy = attack.replace(b"friendly-scanner", b"Linphone/5.2.000").replace(m.encode(), b"d" * len(m))
    # no handshake seen: an error, not a case that passes for sending nothing
    s, lport, cisn, sisn, syn_ts = tcp_sniffed_conn(v6, timestamps=bad == "paws")
    old_ts = new_ts = None
    if bad == "paws":
        if syn_ts is None:
            raise OSError("the SYN-ACK echoes no timestamp")
        # the attack's clock far ahead of the kernel client's own ACKs
        old_ts, new_ts = syn_ts - 1000000, syn_ts + 1000000
    frames = [tcp_frame(v6, lport, cisn + 1, sisn + 1 + (100000 if bad == "ack" else 0), decoy,
                        good_sum=bad != "sum", tsval=old_ts),
              tcp_frame(v6, lport, cisn + 1, sisn + 1, attack, tsval=new_ts)]
    send_frames(frames)
    time.sleep(0.3)
    s.close()


# ---- the cases --------------------------------------------------------------
# name -> (kind, families, profiles, function(marker, v6) -> list of the
# messages that must arrive whole (valid) or [] (attack))

CASES = {}


def case(name, kind, fams=(4, 6), profiles=("pbx",)):
    def reg(fn):
        CASES[name] = (kind, fams, profiles, fn)
        return fn
    return reg


def scanner(marker, **kw):
    """A scanner request whose marker is only in a header after its
    User-Agent: the identifiers carry another token. Over TCP the segments
    before the one that ends the User-Agent line reach the socket (the
    stream is judged in order); the marker shows whether anything after
    the line that made it bad arrived."""
    kw["extra"] = "Subject: " + marker + "\r\n" + kw.get("extra", "")
    return request("id" + marker[::-1], ua="friendly-scanner", **kw)


@case("udp-frag-late-ua", "attack")
def _(m, v6):
    # a 3 kB request: the kernel fragments it; the User-Agent is in the last fragment
    udp_send(request(m, method="INVITE", body=sdp(2800), ua="friendly-scanner " + m), v6)
    return []


@case("udp-frag-crlf-first", "attack")
def _(m, v6):
    # the first fragment holds only CRLFs, the request follows
    udp_send(b"\r\n" * 800 + scanner(m), v6)
    return []


@case("udp-frag-crafted", "attack", fams=(4,))
def _(m, v6):
    # crafted IPv4 fragments, the last first: the datagram is whole only at the end
    data = scanner(m, body=sdp(1200))
    seg_len = 8 + len(data)
    cut = (seg_len // 2) // 8 * 8
    frames = ip4_fragments(data, 0x4242, [(cut, seg_len), (0, cut)])
    send_frames(frames)
    return []


@case("udp-frag-overlap", "attack", fams=(4,))
def _(m, v6):
    # overlapping fragments (a valid one rewritten by a second copy): the
    # kernel discards the datagram
    data = request(m, body=sdp(1200))
    seg_len = 8 + len(data)
    frames = ip4_fragments(data, 0x4343, [(0, 512), (256, seg_len)])
    send_frames(frames)
    return []


@case("udp-exthdr-chain", "attack", fams=(6,))
def _(m, v6):
    # 20 destination-options headers before the UDP header
    send_frames([ip6_dstopts_chain(20, scanner(m))])
    return []


@case("udp-gso-stun-first", "attack")
def _(m, v6):
    # one GSO send: a STUN keep-alive segment first, then the scanner
    sc = scanner(m)
    size = len(sc) + 16
    udp_send(stun(size) + sc, v6, gso=size)
    return []


@case("udp-big-headers", "attack", fams=(4,))
def _(m, v6):
    # the scanner's User-Agent after 17 KiB of headers: past the 16 KiB the
    # parser reads (a 9.5 KiB header section is read whole: udp-9k-headers-valid)
    pad = "".join("X-Pad-%d: %s\r\n" % (k, "a" * 90) for k in range(175))
    late = pad + "User-Agent: friendly-scanner\r\nSubject: %s\r\n" % m
    udp_send(request("id" + m[::-1], extra=late), v6)
    return []


@case("udp-escape-uri", "attack", fams=(4,))
def _(m, v6):
    # From's URI user part %-escaped: the SIP stack reads "sipvicious"
    udp_send(request(m, frm="<sip:sip%%76icious-%s@198.51.100.20>;tag=1" % m), v6)
    return []


@case("udp-quoted-pair", "attack", fams=(4,))
def _(m, v6):
    # a quoted-pair in From's display name: the stack reads "sipvicious"
    udp_send(request(m, frm='"sip\\vicious %s" <sip:100@198.51.100.20>;tag=1' % m), v6)
    return []


@case("udp-lws-ua", "attack", fams=(4,))
def _(m, v6):
    # two spaces where smap's User-Agent has one: the same LWS to the stack
    udp_send(request(m, ua="smap  0.42 " + m), v6)
    return []


@case("udp-reflection-fold", "attack", fams=(4,))
def _(m, v6):
    # a response whose top Via (compact, folded) is a stranger's
    r = ("SIP/2.0 200 OK\r\nv:\r\n SIP/2.0/UDP 203.0.113.9:5060;branch=z9hG4bK%s\r\n"
         "From: <sip:a@203.0.113.9>;tag=1\r\nTo: <sip:b@192.0.2.10>;tag=2\r\n"
         "Call-ID: %s@203.0.113.9\r\nCSeq: 1 OPTIONS\r\nContent-Length: 0\r\n\r\n" % (m, m))
    udp_send(r.encode(), v6)
    return []


@case("udp-frag-valid", "valid")
def _(m, v6):
    msg = request(m, method="INVITE", body=sdp(2800))
    udp_send(msg, v6)
    return [msg]


@case("udp-gso-valid", "valid")
def _(m, v6):
    msgs = [request(m + "-%d" % k) for k in range(3)]
    size = max(len(x) for x in msgs)
    msgs = [x.replace(b"Max-Forwards: 70", b"Max-Forwards: 70" + b" " * (size - len(x))) for x in msgs]
    udp_send(b"".join(msgs), v6, gso=size)
    return msgs


@case("udp-9k-headers-valid", "valid", fams=(4,))
def _(m, v6):
    # 9.5 KiB of headers (as zeek's long-paths trace): read whole, passes
    pad = "".join("X-Pad-%d: %s\r\n" % (k, "a" * 90) for k in range(95))
    msg = request(m, extra=pad)
    udp_send(msg, v6)
    return [msg]


@case("udp-12k-valid", "valid", fams=(4,))
def _(m, v6):
    msg = request(m, method="INVITE", body=sdp(12000))
    udp_send(msg, v6)
    return [msg]


@case("tcp-split-ua", "attack")
def _(m, v6):
    sc = scanner(m, via_proto="TCP")
    cut = sc.index(b"User-Agent") + 4
    tcp_parts([sc[:cut], sc[cut:]], v6)
    return []


@case("tcp-7-bytes", "attack")
def _(m, v6):
    sc = scanner(m, via_proto="TCP")
    tcp_parts([sc[k:k + 7] for k in range(0, len(sc), 7)], v6, gap=0.01)
    return []


@case("tcp-behind-ten", "attack")
def _(m, v6):
    msgs = b"".join(request(m + "-ok%d" % k, via_proto="TCP") for k in range(10))
    tcp_parts([msgs + scanner(m, via_proto="TCP")], v6)
    return []


@case("tcp-crlf-run", "attack")
def _(m, v6):
    tcp_parts([b"\r\n" * 2000 + scanner(m, via_proto="TCP")], v6)
    return []


@case("tcp-after-body", "attack")
def _(m, v6):
    first = request(m + "-body", method="MESSAGE", body="0123456789", via_proto="TCP")
    first = first.replace(b"application/sdp", b"text/plain")
    tcp_parts([first + scanner(m, via_proto="TCP")], v6)
    return []


@case("tcp-headers-first", "attack")
def _(m, v6):
    sc = scanner(m, via_proto="TCP")
    tcp_parts([sc[sc.index(b"\r\n") + 2:]], v6)
    return []


@case("tcp-urgent", "attack")
def _(m, v6):
    tcp_parts([scanner(m, via_proto="TCP")], v6, flags=socket.MSG_OOB)
    return []


@case("tcp-pipelined-valid", "valid")
def _(m, v6):
    msgs = [request(m + "-%d" % k, via_proto="TCP") for k in range(10)]
    tcp_parts([b"".join(msgs)], v6)
    return msgs


@case("tcp-split-valid", "valid")
def _(m, v6):
    msg = request(m, method="INVITE", body=sdp(600), via_proto="TCP")
    tcp_parts([msg[:100], msg[100:400], msg[400:]], v6)
    return [msg]


@case("tcp-smallmss-valid", "valid")
def _(m, v6):
    msg = request(m, method="INVITE", body=sdp(600), via_proto="TCP")
    tcp_parts([msg], v6, maxseg=88)
    return [msg]


@case("tcp-20k-valid", "valid")
def _(m, v6):
    # 20 x 1 kB in one write: one TSO/GRO skb of 20 kB, more than max_message
    msgs = [request(m + "-%d" % k, method="MESSAGE", body="t" * 800, via_proto="TCP").replace(
        b"application/sdp", b"text/plain") for k in range(20)]
    tcp_parts([b"".join(msgs)], v6)
    return msgs


@case("tcp-12k-valid", "valid")
def _(m, v6):
    msg = request(m, method="INVITE", body=sdp(12000), via_proto="TCP")
    tcp_parts([msg], v6)
    return [msg]


# [tcp] conntrack = yes: segments the stack discards never reach the validator
@case("tcp-insert-badsum", "attack", profiles=("pbx-conntrack",))
def _(m, v6):
    tcp_insertion(m, v6, "sum")
    return []


@case("tcp-insert-unsent-ack", "attack", profiles=("pbx-conntrack",))
def _(m, v6):
    tcp_insertion(m, v6, "ack")
    return []


# a decoy the stack discards for its old timestamp (PAWS), which conntrack
# does not check: the validator drops it itself, with or without conntrack
@case("tcp-insert-old-timestamp", "attack", profiles=("pbx", "pbx-conntrack"))
def _(m, v6):
    tcp_insertion(m, v6, "paws")
    return []


@case("tcp-conntrack-valid", "valid", profiles=("pbx-conntrack",))
def _(m, v6):
    msgs = [request(m + "-%d" % k, via_proto="TCP") for k in range(3)]
    tcp_parts(msgs, v6)
    return msgs


# shield: no SIP service here, everything to the ports is dropped
@case("shield-crlf-first", "attack", profiles=("shield",))
def _(m, v6):
    udp_send(b"\r\n" * 800 + request(m), v6)
    return []


@case("shield-garbage", "attack", profiles=("shield",))
def _(m, v6):
    udp_send(("hello " + m).encode(), v6)
    return []


@case("shield-tcp", "attack", profiles=("shield",))
def _(m, v6):
    tcp_parts([request(m, via_proto="TCP")], v6)
    return []


# ---- listener ------------------------------------------------------------------

def listen(log):
    sel = selectors.DefaultSelector()
    out = open(log, "a", buffering=1)

    def rec(**kw):
        if "data" in kw:
            kw["data"] = base64.b64encode(kw["data"]).decode()
        out.write(json.dumps(kw) + "\n")

    for fam, addr in ((socket.AF_INET6, "::"),):
        u = socket.socket(fam, socket.SOCK_DGRAM)
        u.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_V6ONLY, 0)
        u.bind((addr, PORT))
        sel.register(u, selectors.EVENT_READ, "udp")
        t = socket.socket(fam, socket.SOCK_STREAM)
        t.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_V6ONLY, 0)
        t.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        t.bind((addr, PORT))
        t.listen(64)
        sel.register(t, selectors.EVENT_READ, "accept")
    rec(event="ready", pid=os.getpid())
    conns = {}
    while True:
        for key, _ in sel.select(timeout=1):
            s = key.fileobj
            if key.data == "udp":
                d, a = s.recvfrom(65535)
                rec(proto="udp", src=a[0], data=d)
            elif key.data == "accept":
                c, a = s.accept()
                conns[c] = len(conns) + 1
                sel.register(c, selectors.EVENT_READ, "tcp")
            else:
                try:
                    d = s.recv(65535)
                except OSError:
                    d = b""
                if not d:
                    sel.unregister(s)
                    s.close()
                    continue
                rec(proto="tcp", conn=conns[s], data=d)


def check(log, names):
    udp, streams = [], {}
    for line in open(log):
        o = json.loads(line)
        if "data" not in o:
            continue
        d = base64.b64decode(o["data"])
        if o["proto"] == "udp":
            udp.append(d)
        else:
            streams[o["conn"]] = streams.get(o["conn"], b"") + d
    seen = udp + list(streams.values())
    bad = 0
    for arg in names:
        name, fam, marker, kind, want_file = arg.split(",")
        wants = json.load(open(want_file)) if kind == "valid" else []
        if kind == "attack":
            hit = [x for x in seen if marker.encode() in x]
            if hit:
                bad += 1
                print("FAIL %s (IPv%s): attack bytes arrived: %r" % (name, fam, hit[0][:160]))
            else:
                print("ok   %s (IPv%s): nothing of it arrived" % (name, fam))
        else:
            missing = [w for w in wants if not any(base64.b64decode(w) in x for x in seen)]
            if missing:
                bad += 1
                print("FAIL %s (IPv%s): %d of %d valid messages did not arrive whole" %
                      (name, fam, len(missing), len(wants)))
            else:
                print("ok   %s (IPv%s): %d valid message(s) arrived whole" % (name, fam, len(wants)))
    return 1 if bad else 0


def main():
    cmd = sys.argv[1]
    if cmd == "listen":
        listen(sys.argv[2])
    elif cmd == "cases":
        prof = sys.argv[2] if len(sys.argv) > 2 else "pbx"
        for name, (kind, fams, profiles, _) in CASES.items():
            if prof in profiles:
                for f in fams:
                    print(name, f, kind)
    elif cmd == "send":
        name, fam, marker, want_file = sys.argv[2:6]
        kind, fams, profiles, fn = CASES[name]
        msgs = fn(marker, fam == "6")
        json.dump([base64.b64encode(x).decode() for x in msgs], open(want_file, "w"))
    elif cmd == "check":
        sys.exit(check(sys.argv[2], sys.argv[3:]))


if __name__ == "__main__":
    main()
