#!/usr/bin/env python3
"""Rebuild tests/corpus/valid and tests/corpus/invalid from the public sources.

Usage: build_corpus.py MIRROR_DIR
MIRROR_DIR holds bare git copies of the source repositories as
MIRROR_DIR/OWNER+NAME/repo (the layout the project's fetch tool gives).
Each source is read at the commit pinned in SOURCES below, so a rebuild gives
the same bytes. Writes the .sip files and INDEX.tsv (one row per file:
file, label, source, origin, product, sha1, note).

Selection rules (SOURCES.md says the same in prose):
- captures: every SIP message (UDP datagram, or TCP message cut by its
  Content-Length) and every non-SIP, non-STUN payload under 64 bytes sent
  to the capture's SIP port (a keep-alive); fuzzed captures are not used;
- test-suite string literals: a literal chain that decodes to a SIP start
  line, a header section ended by an empty line, and whose test does not
  expect a failure (no throw/invalid/malformed/illegal/reject/bad/
  isWellFormed/junk/garbage near it); the rest is left out, not guessed;
- RFC 4475: the bit-exact archive of the RFC (section 4), as carried by two
  SIP stacks (identical bytes); valid/invalid by the RFC's own section;
- exact duplicates are kept once (the first source in SOURCES order).
"""
import hashlib
import json
import os
import re
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
CORPUS = os.path.dirname(HERE)
sys.path.insert(0, HERE)

START = re.compile(r"^(?:[!-~]+ [^ \r\n]+ SIP/2\.0\r?\n|SIP/2\.0 \d{3} )", re.I)
NEG = re.compile(r"throw|invalid|malform|illegal|reject|\bbad\b|iswellformed|junk|garbage|"
                 r"shouldfail|expect_fail|parse_error|PJSIP_EINVALID|PJ_EINVAL|EBADMSG", re.I)

# ---- RFC 4475 labels (section numbers and what the RFC says is wrong) ----
RFC4475_VALID = {
    "wsinv": "3.1.1.1 short tortuous INVITE", "intmeth": "3.1.1.2 wide range of valid characters",
    "esc01": "3.1.1.3 valid use of % escaping", "escnull": "3.1.1.4 escaped nulls in URIs",
    "esc02": "3.1.1.5 use of % when it is not an escape", "lwsdisp": "3.1.1.6 message with no LWS between display name and <",
    "longreq": "3.1.1.7 long values in header fields", "dblreq": "3.1.1.8 extra trailing octets in a UDP datagram",
    "semiuri": "3.1.1.9 semicolon-separated parameters in URI user part", "transports": "3.1.1.10 varied and unknown transport types",
    "mpart01": "3.1.1.11 multipart MIME message", "unreason": "3.1.1.12 unusual reason phrase",
    "noreason": "3.1.1.13 empty reason phrase",
    "badbranch": "3.2.1 missing transaction identifier (well-formed)",
    "unkscm": "3.3.2 Request-URI with unknown scheme (well-formed, answered 416)",
    "novelsc": "3.3.3 Request-URI with known but atypical scheme (well-formed)",
    "unksm2": "3.3.4 unknown URI schemes in header fields (well-formed)",
    "bext01": "3.3.5 Proxy-Require and Require (well-formed, answered 420)",
    "invut": "3.3.6 unknown Content-Type (well-formed, answered 415)",
    "regaut01": "3.3.7 unknown authorization scheme (well-formed)",
    "bcast": "3.3.10 200 OK with broadcast Via (well-formed)",
    "zeromf": "3.3.11 Max-Forwards of zero (well-formed, answered 483)",
    "cparam01": "3.3.12 REGISTER with a Contact header parameter",
    "cparam02": "3.3.13 REGISTER with a url-parameter",
    "regescrt": "3.3.14 REGISTER with a URL escaped header",
    "sdp01": "3.3.15 unacceptable Accept offering (well-formed, answered 406)",
    "inv2543": "3.4.1 INVITE with RFC 2543 syntax (to be accepted)",
}
RFC4475_INVALID = {
    "badinv01": "3.1.2.1 extraneous header field separators",
    "clerr": "3.1.2.2 Content-Length larger than message",
    "ncl": "3.1.2.3 negative Content-Length",
    "scalar02": "3.1.2.4 request scalar fields with overlarge values",
    "scalarlg": "3.1.2.5 response scalar fields with overlarge values",
    "quotbal": "3.1.2.6 unterminated quoted string in display name",
    "ltgtruri": "3.1.2.7 <> enclosing Request-URI",
    "lwsruri": "3.1.2.8 malformed SIP Request-URI (embedded LWS)",
    "lwsstart": "3.1.2.9 multiple SP separating Request-Line elements",
    "trws": "3.1.2.10 SP characters at end of Request-Line",
    "escruri": "3.1.2.11 escaped headers in SIP Request-URI",
    "baddate": "3.1.2.12 invalid time zone in Date header field",
    "regbadct": "3.1.2.13 failure to enclose name-addr URI in <>",
    "badaspec": "3.1.2.14 spaces within addr-spec",
    "baddn": "3.1.2.15 non-token characters in display name",
    "badvers": "3.1.2.16 unknown protocol version",
    "mismatch01": "3.1.2.17 start line and CSeq method mismatch",
    "mismatch02": "3.1.2.18 unknown method with CSeq method mismatch",
    "bigcode": "3.1.2.19 overlarge response code",
    "insuf": "3.3.1 missing required header fields",
    "multi01": "3.3.8 multiple values in single-value required fields",
    "mcl01": "3.3.9 multiple Content-Length values",
}

# ---- sources, in priority order (exact duplicates keep the first) ----
# (id, repo, commit, kind, paths/args, licence)
PCAPS = [
    ("ndpi-fax-t38", "ntop/nDPI", "3b1286ab03b0c9223ac208a01868d8c1f6c0ae00",
     "tests/cfgs/default/pcap/FAX-Call-t38-CA-TDM-SIP-FB-1.pcap"),
    ("zeek-wireshark", "zeek/zeek", "a13de64fbbdb01f90961c04719b308fbbb6d199e",
     "testing/btest/Traces/sip/wireshark.pcap"),
    ("suricata-sip-method", "OISF/suricata-verify", "10a45e4bad6d29d0f1239d93119ea24e1bbdab19",
     "tests/sip-method/sip.pcap"),
    ("ndpi-sip", "ntop/nDPI", "3b1286ab03b0c9223ac208a01868d8c1f6c0ae00",
     "tests/cfgs/default/pcap/sip.pcap"),
    ("ndpi-webex", "ntop/nDPI", "3b1286ab03b0c9223ac208a01868d8c1f6c0ae00",
     "tests/cfgs/default/pcap/webex.pcap"),
    ("suricata-cloudshark", "OISF/suricata-verify", "10a45e4bad6d29d0f1239d93119ea24e1bbdab19",
     "tests/sip-body-frames/public-cloudshark-sip-s0.pcap"),
    ("ndpi-sip-hello", "ntop/nDPI", "3b1286ab03b0c9223ac208a01868d8c1f6c0ae00",
     "tests/cfgs/default/pcap/sip_hello.pcapng"),
    ("suricata-tcp-pattern", "OISF/suricata-verify", "10a45e4bad6d29d0f1239d93119ea24e1bbdab19",
     "tests/sip-tcp-pattern-matching/sip.pcap"),
    ("zeek-long-paths", "zeek/zeek", "a13de64fbbdb01f90961c04719b308fbbb6d199e",
     "testing/btest/Traces/sip/sip-long-request-response-paths.pcap"),
    ("suricata-sdp", "OISF/suricata-verify", "10a45e4bad6d29d0f1239d93119ea24e1bbdab19",
     "tests/sip-sdp/sdp.pcap"),
    ("suricata-pattern", "OISF/suricata-verify", "10a45e4bad6d29d0f1239d93119ea24e1bbdab19",
     "tests/sip-pattern-matching/sip.pcap"),
    ("suricata-options", "OISF/suricata-verify", "10a45e4bad6d29d0f1239d93119ea24e1bbdab19",
     "tests/sip-options-method/input.pcap"),
    # not used: tests/sip-body-large/sip-body-large.pcap (a crafted 64 KB TCP
    # message: no UDP datagram can carry it)
    ("suricata-tcp-method", "OISF/suricata-verify", "10a45e4bad6d29d0f1239d93119ea24e1bbdab19",
     "tests/sip-tcp-method/sip-tcp.pcap"),
    # not used: tests/sip-header-multi-value/sip_header_multi_val.pcap (crafted
    # with two To and two Content-Length headers to test multi-value matching:
    # RFC 4475 3.3.8/3.3.9 call such messages invalid, the test does not say)
    ("suricata-compact", "OISF/suricata-verify", "10a45e4bad6d29d0f1239d93119ea24e1bbdab19",
     "tests/sip-compact-form/sip_compact_form.pcap"),
    ("pcpp-sip-resp", "seladb/PcapPlusPlus", "200853b3a0b5ea2c443d6bee1a67f9c9c67b8f1b",
     "Tests/Packet++Test/PacketExamples/sip_resp.pcap"),
    ("pcpp-sip-reqs", "seladb/PcapPlusPlus", "200853b3a0b5ea2c443d6bee1a67f9c9c67b8f1b",
     "Tests/Packet++Test/PacketExamples/sip_reqs.pcap"),
    ("pcpp-sip-non-default-port", "seladb/PcapPlusPlus", "200853b3a0b5ea2c443d6bee1a67f9c9c67b8f1b",
     "Tests/Packet++Test/PacketExamples/sip_non_default_port.pcap"),
    ("pcpp-sip-not-sdp", "seladb/PcapPlusPlus", "200853b3a0b5ea2c443d6bee1a67f9c9c67b8f1b",
     "Tests/Packet++Test/PacketExamples/sip_not_sdp.pcap"),
    ("pcpp-sdp", "seladb/PcapPlusPlus", "200853b3a0b5ea2c443d6bee1a67f9c9c67b8f1b",
     "Tests/Packet++Test/PacketExamples/sdp.pcap"),
]
# captures whose messages the source itself calls invalid
PCAP_INVALID = {
    ("zeek-invalid-cl", "zeek/zeek", "a13de64fbbdb01f90961c04719b308fbbb6d199e",
     "testing/btest/Traces/sip/invalid-content-length.pcap"): "Content-Length not a number (zeek test invalid-content-length)",
    ("zeek-junk-before", "zeek/zeek", "a13de64fbbdb01f90961c04719b308fbbb6d199e",
     "testing/btest/Traces/sip/sip-junk-before-request.pcap"): "crafted (zeek test sip-junk-before-request): 4 NUL bytes, then a REGISTER without Via/From/To/Call-ID/CSeq (RFC 3261 8.1.1)",
}

RESIP = ("resiprocate/resiprocate", "68c54f2994e466b2aa62e18e8e0c246f4ed049e6")
SIPSORCERY = ("sipsorcery-org/sipsorcery", "ef0fd22722036ae6ced29c71108f75fce2b1935d")
PJ = ("pjsip/pjproject", "b7317ffcaf1d20a38eb231cf15b7b65c4734dbb4")
VYATTA = ("danos/vyatta-dataplane", "84b1553657aeca5e920b41431ab8796f1bd23dc4")
SOFIA = ("freeswitch/sofia-sip", "7333682a297f28130ff46d5ef0f9e2f72adca0e8")
RE = ("baresip/re", "848ed0b69469dc1074dad2fea9b339fbb9cb4fb7")
JSIP = ("usnistgov/jsip", "bbf30675950d63a7d2cf5570a68a2e4ead66aad6")

CS_MACROS = ["m_CRLF=\\r\\n", "CRLF=\\r\\n", "SIPConstants.CRLF=\\r\\n"]
LITERALS = [
    ("resip", RESIP, ["resip/stack/test/testSipMessage.cxx", "resip/stack/test/testDigestAuthentication.cxx",
                      "resip/stack/test/testApplicationSip.cxx", "resip/stack/test/testSipMessageMemory.cxx",
                      "resip/stack/test/testIdentity.cxx", "resip/stack/test/testExternalBodyContents.cxx"],
     ["CRLF=\\r\\n", "RESIP_COOKIE=-524287-"]),
    ("sipsorcery", SIPSORCERY, ["test/unit/core/SIP/SIPRequestUnitTest.cs", "test/unit/core/SIP/SIPMessageUnitTest.cs",
                                "test/unit/core/SIP/SIPResponseUnitTest.cs", "test/unit/core/SIP/SIPDialogueUnitTest.cs",
                                "test/unit/core/SIP/SIPTransportUnitTest.cs", "test/unit/core/SIP/SIPHeaderUnitTest.cs",
                                "test/unit/core/SIP/SIPStreamConnectionUnitTest.cs",
                                "test/unit/core/SIPTransactions/SIPTransactionEngineUnitTest.cs",
                                "test/integration/app/SIPUserAgentUnitTest.cs"], CS_MACROS),
    ("pjsip", PJ, ["pjsip/src/test/msg_test.c"], []),
    ("vyatta", VYATTA, ["tests/whole_dp/src/dp_test_npf_alg_sip_data1.c", "tests/whole_dp/src/dp_test_npf_alg_sip_data2.c",
                        "tests/whole_dp/src/dp_test_npf_alg_sip_data3.c", "tests/whole_dp/src/dp_test_npf_alg_sip_data4.c",
                        "tests/whole_dp/src/dp_test_npf_alg_sip.c", "tests/whole_dp/src/dp_test_npf_cgnat_sip.c"], []),
    ("sofia", SOFIA, ["libsofia-sip-ua/sip/torture_sip.c", "libsofia-sip-ua/nta/test_nta.c", "tests/test_refer.c"], []),
    ("re", RE, ["test/sip.c", "test/sipauth.c"], []),
    ("jsip", JSIP, ["src/test/tck/factory/FactoryTestHarness.java", "src/test/tck/factory/MessageFactoryTest.java",
                    "src/test/unit/gov/nist/javax/sip/multipartmime/MultipartMimeParserTest.java",
                    "src/test/unit/gov/nist/javax/sip/parser/RussianDisplayNameTest.java",
                    "src/test/unit/gov/nist/javax/sip/stack/NIOParsingTest.java",
                    "src/test/unit/gov/nist/javax/sip/stack/TransactionAlreadyExistsExceptionTest.java"], []),
]


COMPACT = {b"via": b"v", b"from": b"f", b"to": b"t", b"call-id": b"i", b"cseq": None}


def incomplete(t):
    """Why a test-suite literal is not a whole, self-consistent UDP message
    (RFC 3261 8.1.1 mandatory headers, 8.1.1.5 CSeq, 18.3 Content-Length),
    or None. Max-Forwards is not asked for here: its absence is one of the
    things the corpus measures."""
    t = t.lstrip(b"\r\n")
    if re.search(rb"\r(?!\n)", t.split(b"\r\n\r\n")[0]):
        return "bare CR used as a line end (RFC 3261 7.3.1 asks for CRLF; a parser robustness test)"
    m = re.search(rb"\r?\n\r?\n", t)
    head, body = t[:m.start()], t[m.end():]
    names = set(x.lower() for x in re.findall(rb"^([!-9;-~]+)[ \t]*:", head, re.M))
    miss = [k.decode() for k, c in COMPACT.items() if k not in names and (c is None or c not in names)]
    if miss:
        return "lacks " + " ".join(miss)
    cseq = re.search(rb"^cseq[ \t]*:[ \t]*(\d+)[ \t]+([!-~]+)", head, re.I | re.M)
    if not cseq:
        return "CSeq without number and method"
    if not t.startswith(b"SIP/2.0 ") and cseq.group(2) != t.split(b" ", 1)[0]:
        return "CSeq method %s differs from the request's (RFC 4475 3.1.2.17 calls that invalid)" % cseq.group(2).decode()
    cl = re.search(rb"^(?:content-length|l)[ \t]*:[ \t]*(\d+)", head, re.I | re.M)
    if body.strip(b"\r\n") and b"content-type" not in names and b"c" not in names:
        return "a body without Content-Type (RFC 3261 20.15)"
    if cl and int(cl.group(1)) > len(body):
        return "Content-Length %s beyond the %d body bytes (RFC 3261 18.3: discarded on UDP)" % (cl.group(1).decode(), len(body))
    return None


def git_blob(mirror, repo, commit, path):
    gd = os.path.join(mirror, repo.replace("/", "+"), "repo")
    return subprocess.run(["git", "--git-dir", gd, "show", "%s:%s" % (commit, path)],
                          check=True, capture_output=True).stdout


def product(b):
    for h in (b"user-agent", b"server"):
        m = re.search(rb"^" + h + rb"[ \t]*:[ \t]*([^\r\n]*)", b, re.I | re.M)
        if m:
            return m.group(1).decode("latin-1").strip()[:60]
    return ""


class Corpus:
    def __init__(self):
        self.seen = {}
        self.rows = []
        self.skipped = []

    def add(self, label, name, data, source, origin, note=""):
        h = hashlib.sha1(data).hexdigest()
        if h in self.seen:
            self.seen[h][6] += " dup:%s:%s" % (source, origin)
            return
        fn = "%s/%s.sip" % (label, re.sub(r"[^A-Za-z0-9_.+-]", "_", name))
        with open(os.path.join(CORPUS, fn), "wb") as f:
            f.write(data)
        row = [fn, label, source, origin, product(data), h[:12], note]
        self.seen[h] = row
        self.rows.append(row)


def main():
    mirror = sys.argv[1]
    c = Corpus()
    for d in ("valid", "invalid"):
        os.makedirs(os.path.join(CORPUS, d), exist_ok=True)
        for f in os.listdir(os.path.join(CORPUS, d)):
            os.remove(os.path.join(CORPUS, d, f))

    # RFC 4475: resiprocate's copy (identical to sipsorcery's test/unit/rfc4475tests)
    for name, why in list(RFC4475_VALID.items()) + list(RFC4475_INVALID.items()):
        data = git_blob(mirror, RESIP[0], RESIP[1], "resip/stack/test/%s.dat" % name)
        label = "valid" if name in RFC4475_VALID else "invalid"
        c.add(label, "rfc4475-" + name, data, "rfc4475", "RFC 4475 " + why.split()[0] + " " + name + ".dat", why)

    # RFC 5118 as transcribed by sipsorcery's TortureTests.cs (no final CRLF there)
    src = git_blob(mirror, SIPSORCERY[0], SIPSORCERY[1], "test/unit/core/SIP/TortureTests.cs")
    with tempfile.NamedTemporaryFile(suffix=".cs") as tf:
        tf.write(src)
        tf.flush()
        out = subprocess.run([sys.executable, os.path.join(HERE, "extract_literals.py")] +
                             sum([["--macro", m] for m in CS_MACROS], []) + [tf.name],
                             check=True, capture_output=True, text=True).stdout
    for line in out.splitlines():
        o = json.loads(line)
        m = re.findall(r"public void (RFC5118_\w+)", o["context"])
        if not m:
            continue
        t = o["text"].encode("latin-1")
        hdr, sep, body = t.partition(b"\r\n\r\n")
        note = "RFC 5118 " + m[-1][8:].replace("_", ".") + " via sipsorcery TortureTests.cs L%d" % o["line"]
        if not sep:
            t = t + b"\r\n\r\n"
            note += "; end of headers (CRLF CRLF) added: the transcription stops after the last header"
        else:
            cl = re.search(rb"content-length\s*:\s*(\d+)", hdr, re.I)
            if cl and int(cl.group(1)) == len(body) + 2:
                t += b"\r\n"
                note += "; final CRLF of the body added (Content-Length counts it)"
        label = "invalid" if m[-1] == "RFC5118_4_2" else "valid"
        hdr, sep, body = t.partition(b"\r\n\r\n")
        cl = re.search(rb"content-length\s*:\s*(\d+)", hdr, re.I)
        if cl and int(cl.group(1)) != len(body):
            c.skipped.append(("rfc5118", note, "transcription's body (%d bytes) does not match its Content-Length %s" % (len(body), cl.group(1).decode())))
            continue
        if label == "invalid":
            note += "; 4.2 invalid: IPv6 reference without [] in the Request-URI"
        c.add(label, "rfc5118-" + m[-1][8:], t, "rfc5118", "sipsorcery test/unit/core/SIP/TortureTests.cs L%d" % o["line"], note)

    # captures
    for (sid, repo, commit, path), label, why in [(p, "valid", "") for p in PCAPS] + \
            [(k, "invalid", v) for k, v in PCAP_INVALID.items()]:
        data = git_blob(mirror, repo, commit, path)
        with tempfile.NamedTemporaryFile(suffix=".pcap") as tf:
            tf.write(data)
            tf.flush()
            out = subprocess.run([sys.executable, os.path.join(HERE, "extract_pcap.py"), tf.name],
                                 check=True, capture_output=True, text=True).stdout
        for i, line in enumerate(out.splitlines(), 1):
            o = json.loads(line)
            t = o["text"].encode("latin-1")
            kind = "ka" if o["kind"] == "keepalive" else "msg"
            if kind == "msg" and not re.search(rb"\r?\n\r?\n", t):
                c.skipped.append((sid, "%s %s packet %d" % (repo, path, o["n"]), "cut in the capture (%d bytes, no end of header section)" % len(t)))
                continue
            note = why or ("keep-alive %r" % t if kind == "ka" else "")
            c.add(label, "pcap-%s-%s%03d" % (sid, "ka" if kind == "ka" else "", i), t, sid,
                  "%s %s packet %d %s %s:%d->%s:%d" % (repo, path, o["n"], o["proto"], o["src"], o["sport"], o["dst"], o["dport"]),
                  note)

    # string literals of test suites
    for sid, (repo, commit), paths, macros in LITERALS:
        for path in paths:
            src = git_blob(mirror, repo, commit, path)
            with tempfile.NamedTemporaryFile(suffix=os.path.splitext(path)[1]) as tf:
                tf.write(src)
                tf.flush()
                out = subprocess.run([sys.executable, os.path.join(HERE, "extract_literals.py")] +
                                     sum([["--macro", m] for m in macros], []) + [tf.name],
                                     check=True, capture_output=True, text=True).stdout
            base = os.path.splitext(os.path.basename(path))[0]
            for line in out.splitlines():
                o = json.loads(line)
                t = o["text"].encode("latin-1")
                origin = "%s %s L%d" % (repo, path, o["line"])
                why = None
                if o["unresolved"]:
                    why = "unresolved " + " ".join(o["unresolved"])
                elif not re.search(rb"\r?\n\r?\n", t.lstrip(b"\r\n")):
                    why = "no end of header section (a fragment)"
                elif NEG.search(o["context"]):
                    why = "its test may expect a failure (%s)" % NEG.search(o["context"]).group(0)
                else:
                    why = incomplete(t)
                if why:
                    c.skipped.append((sid, origin, why))
                    continue
                c.add("valid", "%s-%s-L%d" % (sid, base, o["line"]), t, sid, origin)

    with open(os.path.join(CORPUS, "INDEX.tsv"), "w") as f:
        f.write("# file\tlabel\tsource\torigin\tproduct (User-Agent/Server)\tsha1\tnote\n")
        for r in c.rows:
            f.write("\t".join(x.replace("\t", " ").replace("\n", " ") for x in r) + "\n")
    with open(os.path.join(CORPUS, "SKIPPED.tsv"), "w") as f:
        f.write("# source\torigin\twhy left out\n")
        for s in c.skipped:
            f.write("\t".join(s) + "\n")
    from collections import Counter
    cnt = Counter((r[2], r[1]) for r in c.rows)
    for k in sorted(cnt):
        print("%-24s %-8s %d" % (k[0], k[1], cnt[k]))
    print("total", len(c.rows), "skipped", len(c.skipped))


if __name__ == "__main__":
    main()
