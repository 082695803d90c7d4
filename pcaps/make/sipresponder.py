#!/usr/bin/env python3
"""Tiny stateless SIP UDP server used as the target of svmap/svwar/svcrack.
REGISTER without credentials: 401 (extensions in KNOWN) or 404; with
credentials: 403. OPTIONS: 200. INVITE: 404 or 401. Runs for at most
--seconds, answers at most --max messages. Binds only the address given."""
import argparse, socket, time

KNOWN = {"100", "101", "105", "120"}
ap = argparse.ArgumentParser()
ap.add_argument("--addr", default="192.0.2.10")
ap.add_argument("--port", type=int, default=5060)
ap.add_argument("--seconds", type=float, default=30)
ap.add_argument("--max", type=int, default=2000)
a = ap.parse_args()
fam = socket.AF_INET6 if ":" in a.addr else socket.AF_INET
s = socket.socket(fam, socket.SOCK_DGRAM)
s.bind((a.addr, a.port))
end = time.time() + a.seconds
n = 0
while time.time() < end and n < a.max:
    s.settimeout(max(0.05, end - time.time()))
    try:
        data, peer = s.recvfrom(65535)
    except socket.timeout:
        break
    n += 1
    text = data.decode("latin-1")
    lines = text.replace("\r\n", "\n").split("\n")
    start = lines[0].split(" ")
    if len(start) < 3 or start[0].startswith("SIP/"):
        continue
    method, uri = start[0], start[1]
    keep, auth = [], False
    for l in lines[1:]:
        if not l:
            break
        name = l.split(":", 1)[0].strip().lower()
        if name in ("via", "v", "from", "f", "to", "t", "call-id", "i", "cseq"):
            if name in ("to", "t") and ";tag=" not in l:
                l += ";tag=sgresp%d" % n
            keep.append(l)
        if name in ("authorization", "proxy-authorization"):
            auth = True
    if method == "ACK":
        continue
    user = ""
    for l in keep:
        if l.lower().startswith(("to:", "t:")) and "sip:" in l:
            user = l.split("sip:", 1)[1].split("@", 1)[0]
    extra = []
    if method == "OPTIONS":
        code = "200 OK"
        extra = ["Allow: INVITE, ACK, CANCEL, OPTIONS, BYE, REGISTER"]
    elif auth:
        code = "403 Forbidden"
    elif user in KNOWN or method == "REGISTER" and user == "":
        code = "401 Unauthorized"
        extra = ['WWW-Authenticate: Digest realm="sipguard-lab", nonce="%08x", algorithm=MD5' % (n * 7919)]
    else:
        code = "404 Not Found"
    r = "SIP/2.0 %s\r\n" % code + "".join(h + "\r\n" for h in keep + extra + [
        "Server: sipguard-lab-responder", "Content-Length: 0"]) + "\r\n"
    s.sendto(r.encode("latin-1"), peer)
