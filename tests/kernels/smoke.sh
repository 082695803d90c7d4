#!/usr/bin/env bash
# Smoke test of the kernel harness: for each of Debian 12's 6.1 and 6.12
# cloud kernels, boots it under qemu and checks, inside, what the project's
# tests rely on: the kernel version, two network namespaces joined by a veth
# pair (192.0.2.0/24) that carry a UDP datagram to a listener, an nft table
# loaded with nft -f in one namespace, and bpffs at /sys/fs/bpf. Prints the
# time of each boot. Exit 0 only if everything passes in both kernels.
# Usage: tests/kernels/smoke.sh [VERSION...]   (default: 6.1 6.12)
set -euo pipefail
# The whole script is one block, read before it runs: editing this file
# while a run is under way (runs can take minutes) cannot change that run.
{

here=$(cd "$(dirname "$0")" && pwd)
versions=("$@")
[ ${#versions[@]} -gt 0 ] || versions=(6.1 6.12)

# The guest script: every check prints "ok ..." or "FAIL ..."; the exit code
# is the number of failures.
read -r -d '' guest <<'EOF' || true
echo "guest up $(cut -d' ' -f1 /proc/uptime) s when the command started"
fails=0
ok() { echo "ok   $*"; }
fail() { echo "FAIL $*"; fails=$((fails + 1)); }
echo "kernel $(uname -r)"

ip netns add sga && ip netns add sgb &&
ip link add sgva netns sga type veth peer name sgvb netns sgb &&
ip -n sga addr add 192.0.2.1/24 dev sgva &&
ip -n sgb addr add 192.0.2.2/24 dev sgvb &&
ip -n sga link set sgva up && ip -n sgb link set sgvb up &&
ip -n sga link set lo up && ip -n sgb link set lo up &&
	ok "two netns (sga, sgb) joined by veth, 192.0.2.1 and .2" ||
	fail "netns/veth setup"

# UDP listener in sgb (OpenBSD nc: busybox's has no -u), datagram from sga.
ip netns exec sgb timeout 10 nc -u -l -W 1 -p 5060 >/tmp/udp.got 2>/tmp/udp.err &
listener=$!
for i in 1 2 3 4 5 6 7 8 9 10; do
	ip netns exec sgb cat /proc/net/udp | grep -q ' 00000000:13C4 ' && break
	sleep 0.2
done
echo "sipguard-smoke-$$" | ip netns exec sga nc -u -w 1 -q 1 192.0.2.2 5060 ||
	fail "nc -u send from sga"
wait $listener
got=$(cat /tmp/udp.got)
[ "$got" = "sipguard-smoke-$$" ] &&
	ok "UDP datagram from sga reached the listener in sgb" ||
	fail "UDP datagram not received (got '$got'; $(cat /tmp/udp.err))"

cat >/tmp/t.nft <<'NFT'
table inet sgsmoke {
	chain input {
		type filter hook input priority filter; policy accept;
		udp dport 5060 limit rate 100/second counter accept
		meta l4proto udp ct state new counter
	}
}
NFT
if nsenter --net=/run/netns/sga nft -f /tmp/t.nft 2>/tmp/nft.err &&
	nsenter --net=/run/netns/sga nft list table inet sgsmoke | grep -q 'limit rate 100/second'; then
	ok "nft -f loaded a table (limit, counter, ct) in sga"
else
	fail "nft -f in sga: $(cat /tmp/nft.err)"
fi
nft list tables | grep -q sgsmoke && fail "the table leaked into the root namespace"

# statfs magic of bpffs (busybox stat names it UNKNOWN)
magic=$(stat -f -c %t /sys/fs/bpf)
[ "$magic" = cafe4a11 ] && ok "/sys/fs/bpf is bpffs" || fail "/sys/fs/bpf has fs magic 0x$magic, not bpffs"

ip netns del sga; ip netns del sgb
exit $fails
EOF

# Newer kernels in apt are fetched here, not in qemu-run (which takes the
# newest cached one without asking apt).
for v in "${versions[@]}"; do
	"$here/fetch-kernel.sh" "$v" >/dev/null
done

out=$(mktemp)
trap 'rm -f "$out"' EXIT
failed=() timings=()
for v in "${versions[@]}"; do
	echo "== $v"
	start=$(date +%s%N)
	set +e
	"$here/qemu-run" --timeout 180 "$v" -- "$guest" | tee "$out"
	rc=${PIPESTATUS[0]}
	set -e
	ms=$(( ($(date +%s%N) - start) / 1000000 ))
	up=$(sed -n 's/^guest up \([0-9.]*\) s.*/\1/p' "$out")
	timings+=("$(printf '%-5s %d.%d s in all (pack, boot, checks, power-off); guest up %s s at the command' \
		"$v" $((ms / 1000)) $((ms % 1000 / 100)) "${up:-?}")")
	[ $rc = 0 ] || failed+=("$v (exit $rc)")
done
echo "== timings"
printf '%s\n' "${timings[@]}"
if [ ${#failed[@]} -gt 0 ]; then
	echo "smoke: FAILED in ${failed[*]}"
	exit 1
fi
echo "smoke: all checks passed in ${versions[*]}"
exit
}
