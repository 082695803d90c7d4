#!/usr/bin/env python3
"""Take the SIP messages (and the non-SIP keep-alives sent to a SIP port) out
of a capture. Prints one JSON object per message: n (packet number of its
first segment), proto, src, dst, sport, dport, kind ('sip' or 'keepalive'),
text (latin-1 string of the exact payload bytes).

UDP: one datagram = one message (IPv4 fragments reassembled). TCP: each
direction's stream is put in sequence order (retransmissions dropped) and
cut into messages by their Content-Length; CRLF keep-alives between them
are reported as keep-alives.
Usage: extract_pcap.py CAPTURE
"""
import json
import os
import re
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import pcapread  # noqa: E402

START = re.compile(rb"^(?:[!-~]+ [^ \r\n]+ SIP/2\.0\r?\n|SIP/2\.0 \d{3})", re.I)
CL = re.compile(rb"^(?:content-length|l)[ \t]*:[ \t]*(\d+)", re.I | re.M)


def emit(p, kind, payload, n=None):
    print(json.dumps({"n": n or p["n"], "proto": p["proto"], "src": p["src"], "dst": p["dst"],
                      "sport": p["sport"], "dport": p["dport"], "kind": kind,
                      "text": payload.decode("latin-1")}))


def main(path):
    pk = list(pcapread.packets(path))
    sipports = set()
    for p in pk:
        if START.match(p["payload"].lstrip(b"\r\n")):
            sipports.add((p["proto"], p["dport"]))
    streams = {}
    for p in pk:
        pl = p["payload"]
        if p["proto"] == "udp":
            if START.match(pl):
                emit(p, "sip", pl)
            elif pl and (p["proto"], p["dport"]) in sipports and len(pl) < 64 \
                    and not pl.startswith(b"\x00\x01"):  # not STUN
                emit(p, "keepalive", pl)
        elif p["proto"] == "tcp" and pl:
            key = (p["src"], p["sport"], p["dst"], p["dport"])
            streams.setdefault(key, {}).setdefault(p["seq"], (p, pl))
    for key, segs in streams.items():
        order = sorted(segs.items())
        data, first = b"", {}
        base = order[0][0]
        for seq, (p, pl) in order:
            off = (seq - base) & 0xFFFFFFFF
            if off < len(data):
                pl = pl[len(data) - off:]
            first.setdefault(len(data), p)
            data += pl
        pos = 0
        while pos < len(data):
            p0 = first.get(pos) or next(first[k] for k in sorted(first) if k <= pos) if first else None
            if data[pos:pos + 2] == b"\r\n" and not START.match(data[pos:]):
                j = pos
                while data[j:j + 2] == b"\r\n":
                    j += 2
                if not START.match(data[j:]):
                    break
                emit(p0, "keepalive", data[pos:j])
                pos = j
                continue
            if not START.match(data[pos:]):
                break
            h = data.find(b"\r\n\r\n", pos)
            if h < 0:
                break
            m = CL.search(data[pos:h])
            end = h + 4 + (int(m.group(1)) if m else 0)
            emit(p0, "sip", data[pos:end])
            pos = end


if __name__ == "__main__":
    main(sys.argv[1])
