#!/usr/bin/env bash
# Runs SIPVicious (svmap, svwar, svcrack; normal and compact mode) for real
# from netns sg-cap-b (198.51.100.20) against a small SIP responder in
# sg-cap-a (192.0.2.10:5060) and captures only what goes toward the customer
# (dst host 192.0.2.10 and udp dst port 5060): the tools' requests.
# Usage: pcaps/make/sipvicious.sh [OUTDIR]     (root; every run bounded by timeout)
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
out=$(cd "${1:-$here/..}" && pwd)
source "$here/../../tests/lib/netns.sh"
trap sg_netns_teardown EXIT
sg_netns_setup
work=$(mktemp -d); trap 'sg_netns_teardown; rm -rf "$work"' EXIT
filter="dst host $SG_A4 and udp dst port 5060"

run() {  # run NAME COMMENT TOOL ARGS...
	local name=$1 comment=$2; shift 2
	sg_in_a timeout 40 python3 "$here/sipresponder.py" --addr "$SG_A4" --seconds 35 &
	local rpid=$!
	sleep 0.3
	SG_CAP_MAX=40 sg_capture "$SG_NS_A" "$SG_IF_A" "$out/$name.pcap" "$filter"
	# the tools write session state under ~/.sipvicious: keep it out of $HOME
	( cd "$work" && HOME=$work sg_in_b timeout 30 "$@" >"$work/$name.log" 2>&1 ) || true
	sg_capture_stop
	kill "$rpid" 2>/dev/null || true; wait "$rpid" 2>/dev/null || true
	echo "== $name: $*" >&2; tail -5 "$work/$name.log" >&2
	python3 "$here/livemanifest.py" scanner "$out/$name.pcap" "pbx edge" "" \
		"$comment
Made by pcaps/make/sipvicious.sh: \`$*\` run in netns sg-cap-b (198.51.100.20)
against pcaps/make/sipresponder.py on 192.0.2.10:5060, tcpdump filter '$filter'
(only the tool's requests; responses to the attacker are not in the capture)." 2>"$work/$name.list"
	cat "$work/$name.list" >&2
}

ext=(-x "$SG_B4")
run svmap "svmap: OPTIONS scan of 192.0.2.8-12 port 5060 (UA friendly-scanner, From \"sipvicious\")." \
	svmap "${ext[@]}" -t 0.05 192.0.2.8-12
run svmap-invite "svmap -m INVITE against 192.0.2.10 (still friendly-scanner / sipvicious)." \
	svmap "${ext[@]}" -m INVITE 192.0.2.10
run svmap-compact "svmap -c (compact: v/t/f/i/m headers, no User-Agent; From still \"sipvicious\")." \
	svmap "${ext[@]}" -c -t 0.05 192.0.2.8-12
run svwar "svwar REGISTER extension scan 100-130 (UA friendly-scanner, From \"<ext>\"<sip:ext@...>)." \
	svwar "${ext[@]}" -e100-130 -t 0.05 192.0.2.10
run svwar-options "svwar -m OPTIONS extension scan 100-115." \
	svwar "${ext[@]}" -m OPTIONS -e100-115 -t 0.05 192.0.2.10
run svwar-compact "svwar -c (compact, no User-Agent, From is the extension: only the message shape is left)." \
	svwar "${ext[@]}" -c -e100-130 -t 0.05 192.0.2.10
run svcrack "svcrack -u100 -r1-50: REGISTER, 401, then digest Authorization retries (UA friendly-scanner)." \
	svcrack "${ext[@]}" -u100 -r1-50 -t 0.05 192.0.2.10
run svcrack-compact "svcrack -c -u100 -r1-30 (compact, no User-Agent)." \
	svcrack "${ext[@]}" -c -u100 -r1-30 -t 0.05 192.0.2.10
