#!/usr/bin/env bash
# Benign call flows with sipp between netns sg-cap-b (phone 198.51.100.20 /
# 2001:db8::20) and sg-cap-a (customer 192.0.2.10 / 2001:db8::10), captured on
# the customer's veth with tcpdump (filter: port 5060, both directions).
# Usage: pcaps/make/sipp_flows.sh [OUTDIR]     (root; every run bounded by timeout)
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
out=$(cd "${1:-$here/..}" && pwd)
sc=$here/sipp
source "$here/../../tests/lib/netns.sh"
work=$(mktemp -d)
trap 'sg_netns_teardown; rm -rf "$work"' EXIT
sg_netns_setup
S=(-nostdin -timeout 20 -timeout_error)
# TCP: segments that carry payload, and the SYN and SYN-ACK that start the
# streams (a stream is judged from its SYN on; other segments without
# payload have no SIP to judge)
tcpdata='((((ip[2:2] - ((ip[0]&0xf)<<2)) - ((tcp[12]&0xf0)>>2)) != 0) or (tcp[tcpflags] & tcp-syn) != 0)'

# flow NAME OPTIONS COMMENT FILTER -- SERVER_NS SERVER_ARGS... -- CLIENT_NS CLIENT_ARGS...
flow() {
	local name=$1 opts=$2 comment=$3 filter=$4; shift 5
	local srv=() cli=()
	while [ "$1" != -- ]; do srv+=("$1"); shift; done; shift
	cli=("$@")
	local sns=${srv[0]} cns=${cli[0]}
	SG_CAP_MAX=30 sg_capture "$SG_NS_A" "$SG_IF_A" "$out/$name.pcap" "$filter"
	( cd "$work" && nsenter --net=/run/netns/"$sns" timeout 25 sipp "${srv[@]:1}" "${S[@]}" >"$work/$name.srv" 2>&1 ) &
	local spid=$!
	sleep 0.5
	local rc=0
	( cd "$work" && nsenter --net=/run/netns/"$cns" timeout 25 sipp "${cli[@]:1}" "${S[@]}" >"$work/$name.cli" 2>&1 ) || rc=$?
	wait "$spid" || true
	sg_capture_stop
	[ $rc -eq 0 ] || { echo "$name: sipp client failed rc=$rc" >&2; tail -20 "$work/$name.cli" "$work"/*error* 2>/dev/null >&2; return 1; }
	python3 "$here/livemanifest.py" benign "$out/$name.pcap" "pbx edge" "$opts" \
		"$comment
Made by pcaps/make/sipp_flows.sh: sipp ${srv[*]:1} (in $sns)
  and sipp ${cli[*]:1} (in $cns); tcpdump on the customer veth, filter '$filter'."
	echo "$name: $(python3 -c "import sys; sys.path.insert(0,'$here'); from pcaplib import read_pcap; print(len(read_pcap('$out/$name.pcap')))") packets" >&2
}
A=$SG_NS_A B=$SG_NS_B

flow call-udp4 "" "Phone 198.51.100.20 calls the customer's PBX 192.0.2.10 over UDP (2 calls):
INVITE/100/180/200/ACK/BYE/200. Both ends use port 5060; responses go to the phone." "udp port 5060" \
	-- "$A" -sn uas -i "$SG_A4" -p 5060 -m 2 \
	-- "$B" -sn uac -i "$SG_B4" -p 5060 -m 2 -r 2 -d 200 -s 200 "$SG_A4:5060"

flow call-tcp4 "" "Same call flow over TCP (2 calls on one connection): the SYN, SYN-ACK and the segments with payload." "tcp port 5060 and $tcpdata" \
	-- "$A" -sn uas -t t1 -i "$SG_A4" -p 5060 -m 2 \
	-- "$B" -sn uac -t t1 -i "$SG_B4" -p 5060 -m 2 -r 2 -d 200 -s 200 "$SG_A4:5060"

flow call-udp6 "" "Same call flow over UDP/IPv6, 2001:db8::20 -> 2001:db8::10 (IPv6 literals in Via/URIs/SDP)." "udp port 5060" \
	-- "$A" -sn uas -i "$SG_A6" -p 5060 -m 1 \
	-- "$B" -sn uac -i "$SG_B6" -p 5060 -m 1 -d 200 -s 200 "[$SG_A6]:5060"

flow register-digest "" "Phone registers: REGISTER, 401 with WWW-Authenticate, REGISTER with Authorization, 200 OK (3 registrations;
scenarios pcaps/make/sipp/reg_uac.xml and reg_uas.xml)." "udp port 5060" \
	-- "$A" -sf "$sc/reg_uas.xml" -i "$SG_A4" -p 5060 -m 3 \
	-- "$B" -sf "$sc/reg_uac.xml" -au 100 -ap secret -s 100 -i "$SG_B4" -p 5060 -m 3 -r 3 "$SG_A4:5060"

flow options-keepalive "" "Phone qualifies the customer with OPTIONS keep-alives, customer answers 200 OK (4 rounds;
pcaps/make/sipp/opt_uac.xml and opt_uas.xml)." "udp port 5060" \
	-- "$A" -sf "$sc/opt_uas.xml" -i "$SG_A4" -p 5060 -m 4 \
	-- "$B" -sf "$sc/opt_uac.xml" -s 200 -i "$SG_B4" -p 5060 -m 4 -r 4 "$SG_A4:5060"

flow customer-own-invite "--own-host 192.0.2.10" "The customer 192.0.2.10 calls out to 198.51.100.20 (2 calls): responses come back to
192.0.2.10:5060 with the customer's own Via on top; checked with --own-host 192.0.2.10." "udp port 5060" \
	-- "$B" -sn uas -i "$SG_B4" -p 5060 -m 2 \
	-- "$A" -sn uac -i "$SG_A4" -p 5060 -m 2 -r 2 -d 200 -s 200 "$SG_B4:5060"

flow customer-own-options "--own-host 192.0.2.10" "The customer 192.0.2.10 qualifies a trunk 198.51.100.20 with OPTIONS; the 200 OKs carry its own Via." "udp port 5060" \
	-- "$B" -sf "$sc/opt_uas.xml" -i "$SG_B4" -p 5060 -m 4 \
	-- "$A" -sf "$sc/opt_uac.xml" -s trunk -i "$SG_A4" -p 5060 -m 4 -r 4 "$SG_B4:5060"

flow flood-options "" "Flood: OPTIONS at 100/s (sipp -m 150; the capture holds the ones tcpdump saw) from one source (198.51.100.20) toward the customer only.
Well-formed, so the eBPF program passes them (pass sip): floods are stopped by the nftables
per-source rate limits sipguard generates (meters with limit), not by the eBPF validators." "dst host $SG_A4 and udp dst port 5060" \
	-- "$A" -sf "$sc/opt_uas.xml" -i "$SG_A4" -p 5060 -m 150 \
	-- "$B" -sf "$sc/opt_uac.xml" -s 200 -i "$SG_B4" -p 5060 -m 150 -r 100 -l 50 "$SG_A4:5060"
