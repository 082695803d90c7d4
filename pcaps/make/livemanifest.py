#!/usr/bin/env python3
"""Write the manifest of a live (tcpdump) capture from its packets.
Usage: livemanifest.py MODE PCAP PROFILES OPTIONS COMMENT [SUFFIX]
MODE benign : SIP messages pass sip, CRLF/STUN pass keepalive, TCP SYNs tcp-control.
MODE scanner: SIPVicious requests: drop scanner when the message carries the
              friendly-scanner User-Agent or a "sipvicious" From; otherwise
              (compact mode: no User-Agent) drop scanner-shape.
MODE flood  : well-formed requests from one source: pass sip.
Prints one line per packet to stderr for the record."""
import os, sys
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from pcaplib import read_pcap, write_manifest  # noqa: E402

mode, pcap, profiles, options, comment = sys.argv[1:6]
suffix = sys.argv[6] if len(sys.argv) > 6 else ""
pk = read_pcap(pcap)
exp = []
for i, p in enumerate(pk, 1):
    pl = p["payload"]
    if not pl and p["proto"] == "tcp":
        exp.append("pass tcp-control")  # the handshake: the stream starts here
        continue
    if not pl:
        sys.exit("%s: packet %d has no payload (capture filter should drop it)" % (pcap, i))
    if mode == "scanner":
        low = pl.lower()
        e = "drop scanner" if b"friendly-scanner" in low or b"sipvicious" in low else "drop scanner-shape"
    elif pl.strip(b"\r\n") == b"" or pl[:2] == b"\x00\x01":
        e = "pass keepalive"
    else:
        e = "pass sip"
    exp.append(e)
    if os.environ.get("SG_VERBOSE"): print("%3d %s %s:%s > %s:%s %s -> %s" % (i, p["proto"], p["src"], p["sport"], p["dst"], p["dport"],
          pl.split(b"\r\n", 1)[0][:60].decode("latin-1"), e), file=sys.stderr)
name = os.path.basename(pcap)
write_manifest(os.path.splitext(pcap)[0] + suffix + ".manifest", comment, name, profiles.split(), exp, options)
