#!/usr/bin/env bash
# Fetches one of Debian 12's distribution kernels (cloud flavour: it boots in
# a couple of seconds under qemu's TCG because it carries no hardware drivers)
# and unpacks it into a cache, so tests can boot the kernels our users run.
#
# Usage: tests/kernels/fetch-kernel.sh [--cached] VERSION
#   VERSION  6.1    the highest linux-image-6.1.0-NN-cloud-amd64 apt offers
#            6.12   the highest linux-image-6.12.NNN+deb12-cloud-amd64
#            or a full package name (linux-image-...)
#   --cached take the newest matching kernel already in the cache without
#            asking apt (qemu-run does, to save a second per boot); fetch
#            as usual when there is none
# Prints the extracted directory (it holds boot/vmlinuz-KVER and
# lib/modules/KVER with a modules.dep). Cache: $SG_KERNEL_CACHE, default
# /var/cache/sipguard-kernels. A second run downloads nothing.
# Also installs the host packages the harness needs (qemu, cpio...) and
# unpacks the guest's busybox into $cache/busybox (see below).
set -euo pipefail

die() { echo "fetch-kernel: $*" >&2; exit 1; }

cached_ok=0
[ "${1:-}" = --cached ] && { cached_ok=1; shift; }
[ $# -eq 1 ] || die "usage: $0 [--cached] 6.1|6.12|linux-image-PACKAGE"
[ "$(id -u)" = 0 ] || die "run as root (apt-get)"
want=$1
cache=${SG_KERNEL_CACHE:-/var/cache/sipguard-kernels}
mkdir -p "$cache"

# apt-get update is slow and touches the network: only when something is
# missing, and at most once per run.
updated=
apt_update() {
	[ -n "$updated" ] && return 0
	echo "fetch-kernel: apt-get update" >&2
	DEBIAN_FRONTEND=noninteractive apt-get update -qq >&2 || die "apt-get update failed"
	updated=1
}

# Host packages of the harness: qemu, cpio for the initramfs, xz/zstd for
# compressed modules, depmod (kmod), and the tools packed into the guest
# (iproute2, nftables, bpftool, netcat-openbsd; nsenter and bash are
# essential). One
# dpkg-query for all: this runs before every boot.
host_pkgs=(qemu-system-x86 cpio xz-utils zstd kmod iproute2 nftables bpftool netcat-openbsd)
installed=" $(dpkg-query -W -f='${db:Status-Abbrev}${Package} ' "${host_pkgs[@]}" 2>/dev/null || true) "
missing=()
for p in "${host_pkgs[@]}"; do
	[[ $installed == *" ii $p "* ]] || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
	apt_update
	echo "fetch-kernel: installing ${missing[*]}" >&2
	DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null \
		|| die "apt-get install ${missing[*]} failed"
fi

# download_deb PKG DEST: apt-get download PKG and unpack it into DEST, via a
# temporary dir: an interrupted run leaves nothing a later run would take for
# complete. Runs FIXUP (if set) in the unpacked tree first.
download_deb() {
	local pkg=$1 dest=$2 dl deb
	# apt-get download drops privileges to _apt: give it a directory it may
	# write to, or it warns and downloads unsandboxed.
	dl=$(mktemp -d "$cache/.dl.XXXXXX")
	chown _apt "$dl" 2>/dev/null || true
	rm -rf "$dest.tmp"
	echo "fetch-kernel: downloading $pkg" >&2
	if ! (cd "$dl" && apt-get download -qq "$pkg" >&2); then
		rm -rf "$dl"
		die "apt-get download $pkg failed"
	fi
	deb=$(ls "$dl"/*.deb 2>/dev/null | head -n1)
	[ -n "$deb" ] || { rm -rf "$dl"; die "apt-get download $pkg left no .deb"; }
	dpkg-deb -x "$deb" "$dest.tmp" || { rm -rf "$dl" "$dest.tmp"; die "dpkg-deb -x $deb failed"; }
	rm -rf "$dl"
	if [ -n "${FIXUP:-}" ] && ! (cd "$dest.tmp" && $FIXUP); then
		rm -rf "$dest.tmp"
		die "preparing $pkg failed"
	fi
	touch "$dest.tmp/.complete"
	rm -rf "$dest"
	mv "$dest.tmp" "$dest"
}

# The guest's busybox comes from Debian's `busybox` package, unpacked here and
# not installed: busybox-static is built to prefer its own applets to PATH
# (FEATURE_PREFER_APPLETS, SH_STANDALONE), so in a guest shell `ip netns`,
# and `nsenter`, would run busybox's netns-less versions instead of the
# packed iproute2 and util-linux ones. This build looks PATH up.
if [ ! -f "$cache/busybox/.complete" ]; then
	apt-cache show busybox >/dev/null 2>&1 || apt_update
	download_deb busybox "$cache/busybox"
fi

# Package names per short version, and the glob of their cache dirs.
case $want in
6.1) pattern='^linux-image-6\.1\.0-[0-9]+-cloud-amd64$' glob='linux-image-6.1.0-*-cloud-amd64' ;;
6.12) pattern='^linux-image-6\.12\.[0-9]+\+deb12-cloud-amd64$' glob='linux-image-6.12.*+deb12-cloud-amd64' ;;
linux-image-*) pattern="^$(printf %s "$want" | sed 's/[.+]/\\&/g')\$" glob=$want ;;
*) die "unknown kernel '$want': give 6.1, 6.12 or a full linux-image-... package name" ;;
esac

# newest_cached: the highest complete kernel in the cache matching VERSION
# (sort -V puts 6.1.0-57 after 6.1.0-9 and 6.12.117 after 6.12.99).
newest_cached() {
	local d
	for d in "$cache"/$glob/.complete; do [ -f "$d" ] && echo "${d%/.complete}"; done | sort -V | tail -n1
}
if [ $cached_ok = 1 ]; then
	dir=$(newest_cached)
	[ -z "$dir" ] || { echo "$dir"; exit 0; }
fi

candidates() { apt-cache search --names-only "$pattern" 2>/dev/null | awk '{print $1}' | sort -V; }
pkg=$(candidates | tail -n1)
if [ -z "$pkg" ]; then
	# No apt lists yet (fresh machine), or offline: a cached kernel still does.
	dir=$(newest_cached)
	[ -z "$dir" ] || { echo "$dir"; exit 0; }
	apt_update
	pkg=$(candidates | tail -n1)
fi
if [ -z "$pkg" ]; then
	{
		echo "fetch-kernel: no package matches '$want' ($pattern). apt-cache offers these cloud kernels:"
		apt-cache search --names-only '^linux-image-[0-9].*-cloud-amd64$' | awk '{print "  " $1}' | sort -V
	} >&2
	exit 1
fi

dir=$cache/$pkg
if [ -f "$dir/.complete" ]; then
	echo "$dir"
	exit 0
fi

# The package leaves modules.dep to its postinst: make it here.
kernel_fixup() {
	ls boot/vmlinuz-* >/dev/null 2>&1 || { echo "fetch-kernel: $pkg has no boot/vmlinuz-*" >&2; return 1; }
	depmod -b "$PWD" "$(ls lib/modules)"
}
FIXUP=kernel_fixup download_deb "$pkg" "$dir"
echo "$dir"
