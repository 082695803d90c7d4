"""Minimal pcap reader/writer and packet builder for sipguard's captures.

No third-party modules: struct only. Frames are Ethernet (linktype 1), like
the tcpdump captures taken on the veth pair, so every capture in pcaps/ has
the same link type. UDP checksums are computed (IPv6 requires one).
"""
import struct

LINKTYPE_ETHERNET = 1
MAC_A = bytes.fromhex("020000000a0a")  # customer side
MAC_B = bytes.fromhex("020000001414")  # phone / attacker side
CUSTOMER4, PEER4 = "192.0.2.10", "198.51.100.20"
CUSTOMER6, PEER6 = "2001:db8::10", "2001:db8::20"


def _csum(data):
    if len(data) % 2:
        data += b"\0"
    s = sum(struct.unpack("!%dH" % (len(data) // 2), data))
    while s >> 16:
        s = (s & 0xFFFF) + (s >> 16)
    return (~s) & 0xFFFF


def _ip4(a):
    return bytes(int(x) for x in a.split("."))


def _ip6(a):
    import ipaddress
    return ipaddress.IPv6Address(a).packed


def udp(payload, src=PEER4, dst=CUSTOMER4, sport=5060, dport=5060, ident=1):
    """Ethernet + IPv4/IPv6 + UDP frame carrying payload (bytes or str)."""
    if isinstance(payload, str):
        payload = payload.encode("latin-1")
    v6 = ":" in src
    ulen = 8 + len(payload)
    if v6:
        s, d = _ip6(src), _ip6(dst)
        pseudo = s + d + struct.pack("!IxxxB", ulen, 17)
    else:
        s, d = _ip4(src), _ip4(dst)
        pseudo = s + d + struct.pack("!xBH", 17, ulen)
    hdr = struct.pack("!HHHH", sport, dport, ulen, 0)
    c = _csum(pseudo + hdr + payload) or 0xFFFF
    seg = struct.pack("!HHHH", sport, dport, ulen, c) + payload
    if v6:
        ip = struct.pack("!IHBB", 6 << 28, len(seg), 17, 64) + s + d
        et = 0x86DD
    else:
        h = struct.pack("!BBHHHBBH4s4s", 0x45, 0, 20 + len(seg), ident & 0xFFFF,
                        0x4000, 64, 17, 0, s, d)
        ip = h[:10] + struct.pack("!H", _csum(h)) + h[12:]
        et = 0x0800
    src_mac, dst_mac = (MAC_A, MAC_B) if dst in (PEER4, PEER6) else (MAC_B, MAC_A)
    return dst_mac + src_mac + struct.pack("!H", et) + ip + seg


def write_pcap(path, frames, t0=1700000000):
    with open(path, "wb") as f:
        f.write(struct.pack("<IHHiIII", 0xA1B2C3D4, 2, 4, 0, 0, 262144, LINKTYPE_ETHERNET))
        for i, fr in enumerate(frames):
            f.write(struct.pack("<IIII", t0 + i // 1000, (i % 1000) * 1000, len(fr), len(fr)))
            f.write(fr)


def read_pcap(path):
    """List of dicts: frame, proto ('udp'/'tcp'/None), src, dst, sport, dport, payload."""
    import ipaddress
    data = open(path, "rb").read()
    magic = struct.unpack("<I", data[:4])[0]
    e = "<" if magic in (0xA1B2C3D4, 0xA1B23C4D) else ">"
    linktype = struct.unpack(e + "I", data[20:24])[0]
    off, out = 24, []
    while off + 16 <= len(data):
        _, _, incl, _ = struct.unpack(e + "IIII", data[off:off + 16])
        fr = data[off + 16:off + 16 + incl]
        off += 16 + incl
        p = {"frame": fr, "proto": None, "src": None, "dst": None,
             "sport": None, "dport": None, "payload": b""}
        l3 = fr[14:] if linktype == LINKTYPE_ETHERNET else fr
        et = struct.unpack("!H", fr[12:14])[0] if linktype == LINKTYPE_ETHERNET else None
        if (et == 0x0800 or et is None) and l3 and l3[0] >> 4 == 4:
            ihl = (l3[0] & 15) * 4
            tot = struct.unpack("!H", l3[2:4])[0]
            proto = l3[9]
            p["src"], p["dst"] = str(ipaddress.IPv4Address(l3[12:16])), str(ipaddress.IPv4Address(l3[16:20]))
            l4 = l3[ihl:tot]
        elif l3 and l3[0] >> 4 == 6:
            proto = l3[6]
            plen = struct.unpack("!H", l3[4:6])[0]
            p["src"], p["dst"] = str(ipaddress.IPv6Address(l3[8:24])), str(ipaddress.IPv6Address(l3[24:40]))
            l4 = l3[40:40 + plen]
        else:
            out.append(p)
            continue
        if proto == 17:
            p["proto"] = "udp"
            p["sport"], p["dport"] = struct.unpack("!HH", l4[:4])
            p["payload"] = l4[8:]
        elif proto == 6:
            p["proto"] = "tcp"
            p["sport"], p["dport"] = struct.unpack("!HH", l4[:4])
            p["payload"] = l4[(l4[12] >> 4) * 4:]
        out.append(p)
    return out


def write_manifest(path, comment, capture, profiles, expect, options="", default=None):
    """expect: list of 'verdict reason' strings, one per packet (1-based order).
    The most common expectation becomes `default`, the rest are ranges."""
    from collections import Counter
    if default is None:
        default = Counter(expect).most_common(1)[0][0]
    lines = ["# " + l if l else "#" for l in comment.strip("\n").split("\n")]
    lines += ["capture " + capture, "profiles " + " ".join(profiles)]
    if options:
        lines.append("options " + options)
    lines.append("default " + default)
    i, n = 0, len(expect)
    while i < n:
        j = i
        while j + 1 < n and expect[j + 1] == expect[i]:
            j += 1
        if expect[i] != default:
            rng = str(i + 1) if i == j else "%d-%d" % (i + 1, j + 1)
            lines.append("%s %s" % (rng, expect[i]))
        i = j + 1
    lines.append("# packets %d" % n)
    with open(path, "w") as f:
        f.write("\n".join(lines) + "\n")
