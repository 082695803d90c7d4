#!/usr/bin/env python3
"""Replays the UDP payloads of a capture towards a lab customer.

Run inside the sender's network namespace (nsenter --net=...). Every UDP
packet of the capture whose destination port is in --ports is sent again,
in order, from this host to --to4/--to6 (IPv4/IPv6 packets respectively)
at the same destination port. TCP packets are skipped: a segment cannot be
replayed without its connection. Bounded: at most --max packets, --rate per
second. Prints how many packets it sent.
"""
import argparse
import socket
import struct
import sys
import time


def packets(path):
    with open(path, "rb") as f:
        data = f.read()
    if len(data) < 24:
        sys.exit("%s: not a pcap file (too short)" % path)
    magic = struct.unpack("<I", data[:4])[0]
    if magic in (0xa1b2c3d4, 0xa1b23c4d):
        endian = "<"
    elif magic in (0xd4c3b2a1, 0x4d3cb2a1):
        endian = ">"
    else:
        sys.exit("%s: only classic pcap is replayed (got magic %#x)" % (path, magic))
    linktype = struct.unpack(endian + "I", data[20:24])[0]
    off = 24
    while off + 16 <= len(data):
        incl = struct.unpack(endian + "I", data[off + 8:off + 12])[0]
        frame = data[off + 16:off + 16 + incl]
        off += 16 + incl
        if len(frame) < incl:
            sys.exit("%s: truncated record" % path)
        if linktype == 1:          # Ethernet
            ethertype = struct.unpack(">H", frame[12:14])[0]
            l3 = frame[14:]
            if ethertype == 0x8100:
                l3 = frame[18:]
        elif linktype == 113:      # Linux SLL
            l3 = frame[16:]
        elif linktype == 276:      # Linux SLL2
            l3 = frame[20:]
        elif linktype in (101, 228, 229, 12, 14):
            l3 = frame
        else:
            continue
        yield l3


def udp_of(l3):
    if not l3:
        return None
    v = l3[0] >> 4
    if v == 4:
        ihl = (l3[0] & 0xf) * 4
        if l3[9] != 17 or struct.unpack(">H", l3[6:8])[0] & 0x1fff:
            return None
        u = l3[ihl:]
        fam = 4
    elif v == 6:
        if l3[6] != 17:
            return None
        u = l3[40:]
        fam = 6
    else:
        return None
    if len(u) < 8:
        return None
    dport = struct.unpack(">H", u[2:4])[0]
    ulen = struct.unpack(">H", u[4:6])[0]
    return fam, dport, u[8:ulen]


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("capture", nargs="+")
    ap.add_argument("--to4", default="192.0.2.10")
    ap.add_argument("--to6", default="2001:db8::10")
    ap.add_argument("--ports", default="5060")
    ap.add_argument("--rate", type=float, default=2000.0)
    ap.add_argument("--max", type=int, default=20000)
    a = ap.parse_args()
    ports = {int(p) for p in a.ports.split(",")}
    s4 = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    s6 = None
    sent = 0
    gap = 1.0 / a.rate
    for path in a.capture:
        for l3 in packets(path):
            r = udp_of(l3)
            if not r or r[1] not in ports:
                continue
            fam, dport, payload = r
            if fam == 4:
                s4.sendto(payload, (a.to4, dport))
            else:
                if s6 is None:
                    s6 = socket.socket(socket.AF_INET6, socket.SOCK_DGRAM)
                s6.sendto(payload, (a.to6, dport))
            sent += 1
            if sent >= a.max:
                break
            time.sleep(gap)
    print("sent %d" % sent)


if __name__ == "__main__":
    main()
