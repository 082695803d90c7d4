#!/usr/bin/env python3
"""Per-file verdicts of `sipguard check --json` on the corpus captures.

Usage: report.py INDEX JSON [JSON2]
INDEX is make_pcap.py's LABEL.index, JSON the check output (one profile);
with JSON2 (a second profile) both reasons are shown. Prints
"FILE REASON1 [REASON2] | first line | User-Agent/Server" for every packet
dropped under either profile.
"""
import json
import re
import sys


def verdicts(path):
    return {int(v["index"]): v for v in json.load(open(path))["verdicts"]}


def main():
    idx = dict((int(l.split()[0]), l.split()[1]) for l in open(sys.argv[1]))
    runs = [verdicts(p) for p in sys.argv[2:]]
    for i in sorted(idx):
        vs = [r[i] for r in runs]
        if all(v["verdict"] == "pass" for v in vs):
            continue
        print("%s %s" % (idx[i], " ".join(v["reason"] for v in vs)))


if __name__ == "__main__":
    main()
