#!/usr/bin/env bash
# Installs the Debian 12 packages sipguard needs and builds it into ./build.
# Idempotent; run as root.
set -euo pipefail
cd "$(dirname "$0")/.."
if [ "$(id -u)" != 0 ]; then echo "setup: run as root (apt-get, bpffs, netns)" >&2; exit 3; fi
pkgs=(build-essential cmake pkg-config clang llvm libbpf-dev bpftool libelf-dev zlib1g-dev
      libmnl-dev libnftnl-dev libpcap-dev libjson-c-dev libosip2-dev nftables iptables iproute2
      sip-tester sipvicious tcpdump tshark kamailio hyperfine gnuplot-nox libclang-rt-14-dev
      python3 jq linux-perf libcurl4-openssl-dev etcd-server etcd-client curl)
# without their Recommends: prometheus (for promtool, tests/t_metrics.sh;
# 19 MB, 96 MB installed) would bring prometheus-node-exporter
pkgs_norec=(prometheus)
missing=() missing_norec=()
for p in "${pkgs[@]}"; do dpkg -s "$p" >/dev/null 2>&1 || missing+=("$p"); done
for p in "${pkgs_norec[@]}"; do dpkg -s "$p" >/dev/null 2>&1 || missing_norec+=("$p"); done
if [ $((${#missing[@]} + ${#missing_norec[@]})) -gt 0 ]; then
	export DEBIAN_FRONTEND=noninteractive
	apt-get update -qq
	[ ${#missing[@]} -eq 0 ] || apt-get install -y -qq "${missing[@]}" >/dev/null
	[ ${#missing_norec[@]} -eq 0 ] ||
		apt-get install -y -qq --no-install-recommends "${missing_norec[@]}" >/dev/null
fi
# kamailio's and etcd-server's packages start daemons in the root namespace
# (5060; 2379 and 2380); the tests run their own inside their namespaces.
systemctl disable --now kamailio >/dev/null 2>&1 || true
systemctl disable --now etcd >/dev/null 2>&1 || true
# prometheus's starts one on 9090: the tests only use promtool. Stopped when
# installed here (a prometheus the host had before is left alone).
if [[ " ${missing_norec[*]} " == *" prometheus "* ]]; then
	systemctl disable --now prometheus >/dev/null 2>&1 || true
fi
cmake -S . -B build -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
cmake --build build -j"$(nproc)"
