#!/usr/bin/env bash
# Builds the seed corpora for the fuzz targets into OUT/{parser,pcap,profile}:
#   parser:  tests/fuzz/corpus/*, plus the UDP/TCP payload of every packet of
#            pcaps/** and of the vector captures (tests/vectors/**, $SG_BUILD/tests/vectors/**)
#   pcap:    tests/fuzz/corpus_pcap/* and those captures themselves (small ones)
#   profile: profiles/* (shipped profiles) and tests/fuzz/corpus_profile/*
# Usage: seeds.sh OUT   (SG_SRC, SG_BUILD optional)
set -u
here=$(cd "$(dirname "$0")" && pwd)
src=${SG_SRC:-$(cd "$here/../.." && pwd)}
build=${SG_BUILD:-$src/build}
out=$1
mkdir -p "$out/parser" "$out/pcap" "$out/profile"
cp "$here"/corpus/* "$out/parser/" 2>/dev/null
cp "$here"/corpus_pcap/* "$out/pcap/" 2>/dev/null
cp "$here"/corpus_profile/* "$out/profile/" 2>/dev/null
[ -d "$src/profiles" ] && find "$src/profiles" -maxdepth 1 -type f ! -name '*.md' -exec cp {} "$out/profile/" \;
caps=$(find "$src/pcaps" "$src/tests/vectors" "$build/tests/vectors" \
	\( -name '*.pcap' -o -name '*.pcapng' -o -name '*.cap' \) -type f 2>/dev/null | sort -u)
n=0
for c in $caps; do
	size=$(stat -c %s "$c")
	[ "$size" -le 262144 ] && cp "$c" "$out/pcap/$(echo "$c" | md5sum | cut -c1-12)-$(basename "$c")"
	command -v tshark >/dev/null || continue
	tshark -r "$c" -T fields -e udp.payload -e tcp.payload 2>/dev/null | tr -d '\t:' |
	while read -r hex; do
		[ -z "$hex" ] && continue
		echo "$hex" | xxd -r -p > "$out/parser/cap-$(echo "$hex" | md5sum | cut -c1-16)"
	done
	n=$((n + 1))
done
# vector payload files (if the vectors are kept as raw messages too)
for d in "$src/tests/vectors" "$build/tests/vectors"; do
	[ -d "$d" ] || continue
	find "$d" -type f \( -name '*.sip' -o -name '*.msg' -o -name '*.txt' \) -size -64k \
		-exec sh -c 'cp "$1" "$2/vec-$(md5sum < "$1" | cut -c1-16)"' _ {} "$out/parser" \;
done
echo "seeds: $(ls "$out/parser" | wc -l) payloads ($n captures), $(ls "$out/pcap" | wc -l) captures, $(ls "$out/profile" | wc -l) profiles"
