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
# Prints the extracted directory (it holds boot/vmlinuz-KVER, the
# uncompressed boot/vmlinux-KVER and lib/modules/KVER with a modules.dep).
# Cache: $SG_KERNEL_CACHE, default /var/cache/sipguard-kernels. A second run
# downloads nothing.
# Also installs the host packages the harness needs (qemu, cpio...) and
# unpacks the guest's busybox builds into $cache/busybox{,-static}.
set -euo pipefail
# The whole script is one block, read before it runs: editing this file
# while a run is under way (runs can take minutes) cannot change that run.
{

die() { echo "fetch-kernel: $*" >&2; exit 1; }

cached_ok=0
[ "${1:-}" = --cached ] && { cached_ok=1; shift; }
[ $# -eq 1 ] || die "usage: $0 [--cached] 6.1|6.12|linux-image-PACKAGE"
[ "$(id -u)" = 0 ] || die "run as root (apt-get)"
want=$1
cache=${SG_KERNEL_CACHE:-/var/cache/sipguard-kernels}
mkdir -p "$cache"

# One fetch-kernel at a time per cache: two runs would unpack into the same
# temporary dirs.
exec 9>"$cache/.lock"
flock 9
# what an interrupted run left (no run is under way: we hold the lock)
rm -rf "$cache"/.dl.* "$cache"/*.tmp

# apt-get update is slow and touches the network: only when something is
# missing, and at most once per run.
updated=
apt_update() {
	[ -n "$updated" ] && return 0
	echo "fetch-kernel: apt-get update" >&2
	DEBIAN_FRONTEND=noninteractive apt-get update -qq >&2 || die "apt-get update failed"
	updated=1
}

# Host packages of the harness: qemu, cpio for the initramfs, xz/zstd/lz4
# for compressed modules and kernels, depmod (kmod), and the tools packed
# into the guest (iproute2, nftables, bpftool, netcat-openbsd; nsenter and
# bash are essential). One dpkg-query for all: this runs before every boot.
host_pkgs=(qemu-system-x86 cpio xz-utils zstd lz4 kmod iproute2 nftables bpftool netcat-openbsd)
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

# The guest's busybox builds come from Debian's packages, unpacked here and
# not installed (the two conflict on the host). `busybox` (dynamic) is the
# guest's /bin/sh and applets: it looks commands up in PATH, so `ip netns`
# and `nsenter` in a guest shell reach the packed iproute2 and util-linux.
# busybox-static prefers its own applets to PATH (FEATURE_PREFER_APPLETS,
# SH_STANDALONE), which would run busybox's netns-less ip there; it runs the
# guest's /init, where exactly that makes it fast: its applets start without
# exec or dynamic linking (a dynamic exec costs 70-150 ms under TCG).
for bb in busybox busybox-static; do
	if [ ! -f "$cache/$bb/.complete" ]; then
		apt-cache show "$bb" >/dev/null 2>&1 || apt_update
		download_deb "$bb" "$cache/$bb"
	fi
done

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

# extract_vmlinux VMLINUZ OUT: the uncompressed ELF kernel inside a bzImage
# (as the kernel's scripts/extract-vmlinux finds it: the first offset of a
# compressor's magic that decompresses to an ELF file). qemu boots that
# directly through its PVH entry: no firmware real-mode hop, no
# decompression in the guest, about 0.7 s less per boot under TCG.
extract_vmlinux() {
	local in=$1 out=$2 magic tool off
	for magic in '\x28\xb5\x2f\xfd:zstd' '\x02\x21\x4c\x18:lz4' '\xfd\x37\x7a\x58\x5a\x00:xz' '\x1f\x8b\x08:gzip'; do
		tool=${magic##*:} magic=${magic%:*}
		command -v "$tool" >/dev/null || continue
		for off in $(LC_ALL=C grep -obUaP "$magic" "$in" | head -n 3 | cut -d: -f1); do
			tail -c +$((off + 1)) "$in" | "$tool" -dc >"$out" 2>/dev/null || true
			# a whole ELF kernel, with the PVH entry note qemu needs
			if [ "$(head -c4 "$out" | tr -d '\0')" = $'\x7fELF' ] &&
				[ "$(stat -c %s "$out")" -gt 4000000 ] &&
				LC_ALL=C grep -qaF 'Xen' "$out"; then
				return 0
			fi
		done
	done
	rm -f "$out"
	return 1
}

# The package leaves modules.dep to its postinst: make it here.
kernel_fixup() {
	local kver
	kver=$(ls lib/modules)
	[ -f "boot/vmlinuz-$kver" ] || { echo "fetch-kernel: $pkg has no boot/vmlinuz-$kver" >&2; return 1; }
	depmod -b "$PWD" "$kver" || return 1
	extract_vmlinux "boot/vmlinuz-$kver" "boot/vmlinux-$kver" ||
		echo "fetch-kernel: no vmlinux found in boot/vmlinuz-$kver: qemu-run boots the bzImage (slower)" >&2
}
FIXUP=kernel_fixup download_deb "$pkg" "$dir"
echo "$dir"
exit
}
