# shellcheck shell=bash
# Shared helpers: two network namespaces joined by a veth pair, documentation
# addresses only. Source this file, then:
#   sg_netns_setup            # creates $SG_NS_A (customer) and $SG_NS_B (peer)
#   trap sg_netns_teardown EXIT
#   sg_in_a CMD...            # run CMD in the customer namespace (net only)
#   sg_in_b CMD...            # run CMD in the phone/attacker namespace
# Customer side (A, veth $SG_IF_A): 192.0.2.10/24, 2001:db8::10/64
# Peer side     (B, veth $SG_IF_B): 198.51.100.20/24, 2001:db8::20/64
# Names can be overridden before sourcing (e.g. SG_NS_A=sg-live-a).
: "${SG_NS_A:=sg-cap-a}" "${SG_NS_B:=sg-cap-b}"
: "${SG_IF_A:=sgcap-a}" "${SG_IF_B:=sgcap-b}"
SG_A4=192.0.2.10 SG_B4=198.51.100.20
SG_A6=2001:db8::10 SG_B6=2001:db8::20

# Enter only the network namespace (keeps /sys/fs/bpf visible, see DESIGN 3).
sg_in_a() { nsenter --net=/run/netns/"$SG_NS_A" "$@"; }
sg_in_b() { nsenter --net=/run/netns/"$SG_NS_B" "$@"; }

sg_netns_teardown() {
	ip netns del "$SG_NS_A" 2>/dev/null || true
	ip netns del "$SG_NS_B" 2>/dev/null || true
}

sg_netns_setup() {
	sg_netns_teardown
	ip netns add "$SG_NS_A" && ip netns add "$SG_NS_B" || return 1
	ip link add "$SG_IF_A" netns "$SG_NS_A" type veth peer name "$SG_IF_B" netns "$SG_NS_B" || return 1
	local ns ifc a4 a6 other
	for ns in A B; do
		if [ $ns = A ]; then ifc=$SG_IF_A a4=$SG_A4/24 a6=$SG_A6/64 other=198.51.100.0/24
		else ifc=$SG_IF_B a4=$SG_B4/24 a6=$SG_B6/64 other=192.0.2.0/24; fi
		local n; n=$([ $ns = A ] && echo "$SG_NS_A" || echo "$SG_NS_B")
		ip -n "$n" link set lo up
		ip -n "$n" addr add "$a4" dev "$ifc"
		ip -n "$n" addr add "$a6" dev "$ifc" nodad
		ip -n "$n" link set "$ifc" up
		ip -n "$n" route add "$other" dev "$ifc"
	done
	# wait for both ends to be up (no ping on this system: check the flag)
	local i
	for i in $(seq 30); do
		ip -n "$SG_NS_A" link show "$SG_IF_A" | grep -q LOWER_UP &&
			ip -n "$SG_NS_B" link show "$SG_IF_B" | grep -q LOWER_UP && return 0
		sleep 0.1
	done
	echo "netns: veth $SG_IF_A/$SG_IF_B did not come up" >&2
	return 1
}

# sg_capture NS IFACE FILE FILTER... : start tcpdump in the background (pid in
# SG_CAP_PID), bounded by ${SG_CAP_MAX:-60} s, and wait until it is listening.
sg_capture() {
	local ns=$1 ifc=$2 file=$3; shift 3
	local err; err=$(mktemp)
	nsenter --net=/run/netns/"$ns" timeout "${SG_CAP_MAX:-60}" \
		tcpdump -i "$ifc" -U -s 0 -w "$file" "$@" 2>"$err" &
	SG_CAP_PID=$!
	local i
	for i in $(seq 50); do grep -q listening "$err" && break; sleep 0.1; done
	rm -f "$err"
}
# sg_capture_stop: let the last packets be written, then stop tcpdump.
sg_capture_stop() {
	sleep 0.5
	kill -INT "$SG_CAP_PID" 2>/dev/null || true
	wait "$SG_CAP_PID" 2>/dev/null || true
}
