#!/usr/bin/env python3
"""Wrap the corpus messages into captures that `sipguard check` can judge.

Usage: make_pcap.py [--corpus DIR] OUTDIR
Every DIR/valid/*.sip and DIR/invalid/*.sip (sorted by name) becomes one
Ethernet/IPv4/UDP packet, 198.51.100.20:5060 -> 192.0.2.10:5060 (documentation
addresses), its payload the file's exact bytes. Writes OUTDIR/valid.pcap,
OUTDIR/invalid.pcap and OUTDIR/valid.index / invalid.index ("N FILE" per line,
N = 1-based packet number, as sipguard check's verdict index counts).
A message over 1472 bytes stays one unfragmented packet (the checker
handles it). Uses the project's pcaps/make/pcaplib.py.
"""
import os
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "..", "pcaps", "make"))
import pcaplib  # noqa: E402

SRC, DST = "198.51.100.20", "192.0.2.10"


def main(argv):
    corpus = HERE
    if len(argv) >= 2 and argv[0] == "--corpus":
        corpus, argv = argv[1], argv[2:]
    if len(argv) != 1:
        sys.stderr.write(__doc__)
        return 2
    out = argv[0]
    os.makedirs(out, exist_ok=True)
    for label in ("valid", "invalid"):
        d = os.path.join(corpus, label)
        names = sorted(f for f in os.listdir(d) if f.endswith(".sip"))
        frames = []
        for i, n in enumerate(names, 1):
            data = open(os.path.join(d, n), "rb").read()
            frames.append(pcaplib.udp(data, src=SRC, dst=DST, sport=5060, dport=5060, ident=i))
        pcaplib.write_pcap(os.path.join(out, label + ".pcap"), frames)
        with open(os.path.join(out, label + ".index"), "w") as f:
            for i, n in enumerate(names, 1):
                f.write("%d %s/%s\n" % (i, label, n))
        print("%s: %d packets" % (label, len(frames)))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
