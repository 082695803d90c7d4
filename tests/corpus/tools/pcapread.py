"""Read pcap / pcapng (optionally gzip-compressed) captures and yield the
UDP and TCP payloads they carry. Standard library only.

Used by the corpus extraction tools to take SIP messages out of public
captures. Link types: Ethernet (1), raw IP (101, 228, 229), Linux cooked
v1 (113) and v2 (276), null/loopback (0). 802.1Q tags are skipped.
IPv4 fragments are reassembled (by id), IPv6 fragments are not.
"""
import gzip
import struct


def _open(path):
    data = open(path, "rb").read()
    if data[:2] == b"\x1f\x8b":
        data = gzip.decompress(data)
    return data


def frames(path):
    """Yield (linktype, frame bytes) for every packet of the capture."""
    data = _open(path)
    magic = data[:4]
    if magic in (b"\xd4\xc3\xb2\xa1", b"\x4d\x3c\xb2\xa1"):
        e = "<"
    elif magic in (b"\xa1\xb2\xc3\xd4", b"\xa1\xb2\x3c\x4d"):
        e = ">"
    elif magic == b"\x0a\x0d\x0d\x0a":
        yield from _pcapng(data)
        return
    else:
        raise ValueError("%s: not a pcap/pcapng file" % path)
    linktype = struct.unpack(e + "I", data[20:24])[0] & 0x0FFFFFFF
    off = 24
    while off + 16 <= len(data):
        incl = struct.unpack(e + "I", data[off + 8:off + 12])[0]
        yield linktype, data[off + 16:off + 16 + incl]
        off += 16 + incl


def _pcapng(data):
    off, e, ifaces = 0, "<", []
    while off + 12 <= len(data):
        btype = struct.unpack(e + "I", data[off:off + 4])[0]
        if btype == 0x0A0D0D0A:
            bom = data[off + 8:off + 12]
            e = "<" if bom == b"\x4d\x3c\x2b\x1a" else ">"
            ifaces = []
        blen = struct.unpack(e + "I", data[off + 4:off + 8])[0]
        if blen < 12:
            break
        body = data[off + 8:off + blen - 4]
        if btype == 1:
            ifaces.append(struct.unpack(e + "H", body[:2])[0])
        elif btype == 6:
            iface, _, _, cap, _ = struct.unpack(e + "IIIII", body[:20])
            lt = ifaces[iface] if iface < len(ifaces) else 1
            yield lt, body[20:20 + cap]
        elif btype == 3:
            yield (ifaces[0] if ifaces else 1), body[4:]
        off += blen


def _l3(linktype, fr):
    """Return the IP packet of a frame, or None."""
    if linktype == 1:
        off = 12
        et = struct.unpack("!H", fr[off:off + 2])[0]
        while et in (0x8100, 0x88A8):
            off += 4
            et = struct.unpack("!H", fr[off:off + 2])[0]
        return fr[off + 2:] if et in (0x0800, 0x86DD) else None
    if linktype in (101, 228, 229, 12, 14):
        return fr
    if linktype == 113:
        et = struct.unpack("!H", fr[14:16])[0]
        return fr[16:] if et in (0x0800, 0x86DD) else None
    if linktype == 276:
        et = struct.unpack("!H", fr[0:2])[0]
        return fr[20:] if et in (0x0800, 0x86DD) else None
    if linktype == 0:
        return fr[4:]
    return None


def packets(path):
    """Yield dicts: proto ('udp'/'tcp'), src, dst, sport, dport, payload, seq,
    flags (TCP), n (1-based packet number in the capture)."""
    import ipaddress
    frags = {}
    for n, (lt, fr) in enumerate(frames(path), 1):
        ip = _l3(lt, fr)
        if not ip:
            continue
        v = ip[0] >> 4
        if v == 4:
            ihl = (ip[0] & 15) * 4
            tot = struct.unpack("!H", ip[2:4])[0] or len(ip)
            proto = ip[9]
            src, dst = ip[12:16], ip[16:20]
            fo = struct.unpack("!H", ip[6:8])[0]
            body = ip[ihl:tot]
            if fo & 0x3FFF:  # fragment: reassemble by (src, dst, id)
                key = (src, dst, ip[4:6], proto)
                lst = frags.setdefault(key, [])
                lst.append(((fo & 0x1FFF) * 8, body, bool(fo & 0x2000)))
                lst.sort(key=lambda x: x[0])
                whole, exp = b"", 0
                for o, b, _ in lst:
                    if o != exp:
                        break
                    whole += b
                    exp += len(b)
                else:
                    if not lst[-1][2]:
                        body = whole
                        del frags[key]
                    else:
                        continue
                if key in frags:
                    continue
            src = str(ipaddress.IPv4Address(src))
            dst = str(ipaddress.IPv4Address(dst))
        elif v == 6:
            proto = ip[6]
            plen = struct.unpack("!H", ip[4:6])[0]
            src = str(ipaddress.IPv6Address(ip[8:24]))
            dst = str(ipaddress.IPv6Address(ip[24:40]))
            body = ip[40:40 + plen]
            # skip simple extension headers (hop-by-hop, routing, dest opts)
            while proto in (0, 43, 60) and len(body) > 8:
                proto, body = body[0], body[(body[1] + 1) * 8:]
            if proto == 44:
                continue
        else:
            continue
        if proto == 17 and len(body) >= 8:
            sp, dp, ul = struct.unpack("!HHH", body[:6])
            yield dict(proto="udp", src=src, dst=dst, sport=sp, dport=dp,
                       payload=body[8:ul] if ul >= 8 else body[8:], n=n)
        elif proto == 6 and len(body) >= 20:
            sp, dp, seq = struct.unpack("!HHI", body[:8])
            doff = (body[12] >> 4) * 4
            yield dict(proto="tcp", src=src, dst=dst, sport=sp, dport=dp,
                       seq=seq, flags=body[13], payload=body[doff:], n=n)
