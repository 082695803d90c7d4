#!/usr/bin/env python3
"""Take SIP messages out of string literals in a test source file.

Usage: extract_literals.py [--macro NAME=C-ESCAPED-TEXT]... SOURCE > messages.jsonl

A message is a chain of adjacent string literals (C/C++/Java/C#: "...",
C# $"..." and @"...") joined by whitespace, '+', '(' or known macro names
(CRLF and the like, given with --macro), whose decoded text starts (after
optional CR/LF) with a SIP request or status line. Each chain is printed as
one JSON object: line (1-based line of its first literal), text (latin-1
string of the exact bytes), context (the source lines around it, for
labelling). Chains with an interpolation or macro that is not known are
reported with "unresolved": the caller skips them.

Only data comes out: the messages, byte for byte as the literals spell them.
"""
import json
import re
import sys

START = re.compile(r"^(?:\r?\n)*(?:[!-~]+ [^ \r\n]+ SIP/2\.0\r?\n|SIP/2\.0 \d{3} )", re.I)


def c_unescape(s, unresolved):
    out, i = [], 0
    while i < len(s):
        c = s[i]
        if c != "\\":
            out.append(c)
            i += 1
            continue
        i += 1
        if i >= len(s):
            break
        c = s[i]
        simple = {"r": "\r", "n": "\n", "t": "\t", "\"": "\"", "\\": "\\", "'": "'",
                  "a": "\x07", "b": "\x08", "f": "\x0c", "v": "\x0b", "?": "?", "0": None}
        if c == "x":
            m = re.match(r"[0-9a-fA-F]{1,2}", s[i + 1:])
            out.append(chr(int(m.group(0), 16)))
            i += 1 + len(m.group(0))
        elif c == "u":
            out.append(chr(int(s[i + 1:i + 5], 16)))
            i += 5
        elif c in "01234567":
            m = re.match(r"[0-7]{1,3}", s[i:])
            out.append(chr(int(m.group(0), 8)))
            i += len(m.group(0))
        elif c == "\n":  # line continuation inside a literal
            i += 1
        elif c in simple:
            out.append(simple[c])
            i += 1
        else:
            unresolved.append("\\" + c)
            out.append(c)
            i += 1
    return "".join(out)


# C-like literal ("..." and C# $"...") or C# verbatim (@"..." / $@"...", "" = quote)
LIT = re.compile(r'(?:(\$@|@\$|@)"((?:[^"]|"")*)"(?!")|(\$)?"((?:[^"\\\n]|\\.|\\\n)*)")', re.S)


def decode(prefix, body, macros, unresolved):
    prefix = prefix or ""
    if "@" in prefix:  # verbatim: "" is a quote, newlines are literal
        body = body.replace('""', '"')
        txt = body
    else:
        txt = c_unescape(body, unresolved)
    if "$" in prefix:
        def sub(m):
            name = m.group(1).strip()
            if name in macros:
                return macros[name]
            unresolved.append("{" + name + "}")
            return ""
        txt = re.sub(r"(?<!\{)\{([^{}]+)\}(?!\})", sub, txt)
        txt = txt.replace("{{", "{").replace("}}", "}")
    return txt


def chains(src, macros):
    """Yield (start offset, end offset, text, unresolved) for every chain."""
    joiner = re.compile(r"(?:\s|\+|//[^\n]*\n|/\*.*?\*/)*", re.S)
    macro_re = None
    if macros:
        macro_re = re.compile(r"(?:%s)\b" % "|".join(re.escape(m) for m in sorted(macros, key=len, reverse=True)))
    pos = 0
    while True:
        m = LIT.search(src, pos)
        if not m:
            return
        start, parts, unresolved = m.start(), [], []
        parts.append(decode(m.group(1) or m.group(3), m.group(2) if m.group(1) else m.group(4), macros, unresolved))
        end = m.end()
        while True:
            j = joiner.match(src, end).end()
            m2 = LIT.match(src, j)
            if m2 and (j > end or True):
                parts.append(decode(m2.group(1) or m2.group(3), m2.group(2) if m2.group(1) else m2.group(4), macros, unresolved))
                end = m2.end()
                continue
            if macro_re:
                mm = macro_re.match(src, j)
                if mm:
                    parts.append(macros[mm.group(0)])
                    end = mm.end()
                    continue
            break
        yield start, end, "".join(parts), unresolved
        pos = end


def main():
    args = sys.argv[1:]
    macros = {}
    while args and args[0] == "--macro":
        name, _, val = args[1].partition("=")
        macros[name] = c_unescape(val, [])
        args = args[2:]
    path = args[0]
    src = open(path, encoding="latin-1").read()
    lines = src.split("\n")
    for start, end, text, unresolved in chains(src, macros):
        if not START.match(text):
            continue
        l0 = src.count("\n", 0, start)
        l1 = src.count("\n", 0, end)
        ctx = "\n".join(lines[max(0, l0 - 12):l0]) + "\n...\n" + "\n".join(lines[l1 + 1:l1 + 16])
        print(json.dumps({"line": l0 + 1, "end_line": l1 + 1, "text": text,
                          "unresolved": unresolved, "context": ctx}))


if __name__ == "__main__":
    main()
