#!/usr/bin/env bash
# Installation (issue 16): `cmake --install` into a DESTDIR lays out the
# expected files; `cpack -G DEB` (in its own build directory under
# $SG_BUILD/deb, configured for /usr, so the main build is left alone)
# makes a .deb with computed Depends, conffiles and maintainer scripts; the
# package installs into a fresh Debian 12 root (debootstrap, cached) with
# dpkg -i + apt-get -f install, and the installed sipguard works there:
# --help, profiles from /usr/share/sipguard/profiles, an override in
# /etc/sipguard/profiles, real verdicts from `check` on the example capture
# (BPF runs in the chroot: /proc and /sys are mounted in it), the restore
# unit enabled, then remove and purge leave the root clean.
#
# The root is made in a private mount namespace (unshare -m) as an overlay
# over the cached base: nothing is mounted or installed on this machine.
# Needs root and the Debian mirror (apt) on the first run: the base root
# (debootstrap --variant=minbase) and the .debs apt fetched into it are
# cached in /var/cache/sipguard-test-root ($SG_TEST_ROOT_CACHE); later runs
# need no network while the mirror's package lists stay current.
set -u
SG_SRC=${SG_SRC:-$(cd "$(dirname "$0")/.." && pwd)}
SG_BUILD=${SG_BUILD:-$SG_SRC/build}
SG_BUILD=$(cd "$SG_BUILD" && pwd) || { echo "FAIL: no build directory"; exit 1; }
cache=${SG_TEST_ROOT_CACHE:-/var/cache/sipguard-test-root}
fail=0
ok() { echo "ok   $*"; }
bad() { echo "FAIL $*"; fail=1; }
die() { echo "FAIL $*"; exit 1; }
[ "$(id -u)" = 0 ] || die "t_install needs root (chroot, mounts, BPF)"
tmp=$(mktemp -d /tmp/sg-install.XXXXXX)
trap 'rm -rf "$tmp"' EXIT
t0=$(date +%s)

for t in cmake cpack dpkg-deb dpkg-shlibdeps unshare chroot gzip; do
	command -v $t >/dev/null || die "$t not installed"
done
if ! command -v debootstrap >/dev/null; then
	echo "     installing debootstrap (Debian package)"
	DEBIAN_FRONTEND=noninteractive apt-get install -y -qq debootstrap >/dev/null 2>&1 ||
		{ apt-get update -qq >/dev/null 2>&1 &&
		  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq debootstrap >/dev/null 2>&1; } ||
		die "debootstrap not installed and apt-get could not install it"
fi
version=$(sed -n 's/^CMAKE_PROJECT_VERSION:STATIC=//p' "$SG_BUILD/CMakeCache.txt")
[ -n "$version" ] || die "no project version in $SG_BUILD/CMakeCache.txt (configure the build)"
arch=$(dpkg --print-architecture)

# ---- 1. cmake --install into a DESTDIR, with the main build's prefix --------
prefix=$(sed -n 's/^CMAKE_INSTALL_PREFIX:PATH=//p' "$SG_BUILD/CMakeCache.txt")
if [ "$prefix" = /usr ]; then etc=/etc unitdir=/lib/systemd/system
else etc=$prefix/etc unitdir=$prefix/lib/systemd/system; fi
had_manifest=$([ -e "$SG_BUILD/install_manifest.txt" ] && echo yes)
dd=$tmp/destdir
if DESTDIR=$dd cmake --install "$SG_BUILD" >"$tmp/install.log" 2>&1; then
	ok "cmake --install (prefix $prefix) into a DESTDIR"
else
	bad "cmake --install: $(tail -5 "$tmp/install.log")"
fi
[ -z "$had_manifest" ] && rm -f "$SG_BUILD/install_manifest.txt"
missing=()
for f in sbin/sipguard share/sipguard/profiles/{pbx,trunk,edge,shield,monitor}.ini \
	share/sipguard/profiles/README.md share/sipguard/profiles/signatures/scanners.list \
	share/sipguard/profiles/signatures/products-optin.list \
	share/man/man8/sipguard.8.gz share/man/man5/sipguard-profile.5.gz \
	share/man/man5/sipguard-customer.5.gz share/bash-completion/completions/sipguard \
	share/doc/sipguard/README.md share/doc/sipguard/copyright share/doc/sipguard/changelog.gz \
	share/doc/sipguard/examples/svwar.pcap; do
	[ -f "$dd$prefix/$f" ] || missing+=("$prefix/$f")
done
for f in "$unitdir"/sipguard-restore.service "$unitdir"/sipguard-sync.service "$etc"/default/sipguard; do
	[ -f "$dd$f" ] || missing+=("$f")
done
for d in "$etc"/sipguard/profiles "$etc"/sipguard/customers.d; do
	[ -d "$dd$d" ] && [ -z "$(ls -A "$dd$d")" ] || missing+=("$d/ (empty directory)")
done
[ ${#missing[@]} -eq 0 ] && ok "installed files: binary, profiles, units, man pages, completion, docs" ||
	bad "not installed: ${missing[*]}"
[ -x "$dd$prefix/sbin/sipguard" ] || bad "$prefix/sbin/sipguard not executable"
u=$dd$unitdir/sipguard-restore.service
grep -qx "ExecStart=$prefix/sbin/sipguard restore" "$u" &&
	grep -qx "ExecReload=$prefix/sbin/sipguard apply $etc/sipguard/customers.d" "$u" &&
	grep -qx "Documentation=man:sipguard(8) man:sipguard-customer(5)" "$u" &&
	grep -q "^After=.*network-online.target" "$u" && grep -q "^After=.*nftables.service" "$u" &&
	! grep -q @ "$u" && ok "restore unit has the installed paths" || bad "restore unit: $(cat "$u")"
u=$dd$unitdir/sipguard-sync.service
grep -qx "EnvironmentFile=-$etc/default/sipguard" "$u" && grep -qx "Restart=always" "$u" &&
	grep -qx "RestartSec=2" "$u" &&
	grep -qx "ExecStart=$prefix/sbin/sipguard sync --etcd \${SIPGUARD_ETCD} --prefix \${SIPGUARD_PREFIX} \$SIPGUARD_SYNC_OPTS" "$u" &&
	ok "sync unit" || bad "sync unit: $(cat "$u")"
if command -v systemd-analyze >/dev/null; then
	# unit syntax (the binary path must exist for verify: point it at the DESTDIR copy)
	mkdir -p "$tmp/units"
	for n in sipguard-restore sipguard-sync; do
		sed "s|$prefix/sbin/sipguard|$dd$prefix/sbin/sipguard|g; s|$etc/default|$dd$etc/default|" \
			"$dd$unitdir/$n.service" >"$tmp/units/$n.service"
	done
	systemd-analyze verify "$tmp/units/"*.service >"$tmp/verify" 2>&1
	# (the man pages are not installed on this machine: not a unit error)
	grep -v -e "Command 'man sipguard" -e "^$" "$tmp/verify" \
		| grep -i "sipguard-\(restore\|sync\)" >"$tmp/verify.own"
	[ -s "$tmp/verify.own" ] && bad "systemd-analyze verify: $(cat "$tmp/verify.own")" ||
		ok "systemd-analyze verify: no complaint about the units"
fi
for m in man8/sipguard.8 man5/sipguard-profile.5 man5/sipguard-customer.5; do
	zcat "$dd$prefix/share/man/$m.gz" >"$tmp/${m#*/}"
	w=$(LC_ALL=C.UTF-8 MANWIDTH=80 man --warnings -l "$tmp/${m#*/}" 2>&1 >/dev/null)
	grep -q @ "$tmp/${m#*/}" && w+=" (unreplaced @VAR@)"
	[ -z "$w" ] && ok "man ${m#*/}: no groff warnings" || bad "man ${m#*/}: $w"
done
if [ -f /usr/share/bash-completion/bash_completion ]; then
	comp=$(bash -c 'source /usr/share/bash-completion/bash_completion; source "$1"
		COMP_WORDS=(sipguard enable acme --mode ""); COMP_CWORD=4; COMP_LINE="sipguard enable acme --mode "
		COMP_POINT=${#COMP_LINE}; _sipguard sipguard; echo "${COMPREPLY[*]}"
		COMP_WORDS=(sipguard ""); COMP_CWORD=1; COMP_LINE="sipguard "; COMP_POINT=9
		COMPREPLY=(); _sipguard sipguard; echo "${COMPREPLY[*]}"' _ \
		"$dd$prefix/share/bash-completion/completions/sipguard" 2>&1)
	[ "$comp" = "enforce monitor
enable disable status stats list restore check profiles apply sync events" ] &&
		ok "bash completion: commands and --mode values" || bad "bash completion: $comp"
fi

# ---- 2. the Debian package, from its own build directory --------------------
pb=$SG_BUILD/deb
{
	cmake -S "$SG_SRC" -B "$pb" -DCMAKE_INSTALL_PREFIX=/usr -DCMAKE_BUILD_TYPE=RelWithDebInfo \
		-DCMAKE_SKIP_INSTALL_ALL_DEPENDENCY=ON &&
	cmake --build "$pb" -j"$(nproc)" --target sipguard sipguard_data
} >"$tmp/pkgbuild.log" 2>&1 || die "package build in $pb: $(tail -20 "$tmp/pkgbuild.log")"
rm -f "$pb"/sipguard_*.deb
(cd "$pb" && cpack -G DEB) >"$tmp/cpack.log" 2>&1; rc=$?
deb=$pb/sipguard_${version}_${arch}.deb
[ $rc -eq 0 ] && [ -f "$deb" ] && ok "cpack -G DEB: ${deb##*/}" ||
	die "cpack rc=$rc, no $deb: $(tail -20 "$tmp/cpack.log")"
(cd "$pb" && cpack -G DEB -D CPACK_PACKAGING_INSTALL_PREFIX=/usr/local) >"$tmp/cpack2.log" 2>&1; rc=$?
[ $rc -ne 0 ] && tr -s ' \n' '  ' <"$tmp/cpack2.log" | grep -q "a .deb needs /usr" && ok "cpack refuses a .deb for prefix /usr/local" ||
	bad "cpack with prefix /usr/local: rc=$rc $(tail -3 "$tmp/cpack2.log")"
[ -f "$deb" ] || die "the refused run removed $deb"
f() { dpkg-deb -f "$deb" "$1"; }
[ "$(f Package)" = sipguard ] && [ "$(f Version)" = "$version" ] && [ "$(f Architecture)" = "$arch" ] &&
	ok "control: sipguard $version $arch" || bad "control: $(dpkg-deb -f "$deb")"
dep=$(f Depends)
for l in libbpf1 libmnl0 libnftnl11 libpcap0.8 libcurl4 libjson-c5 libc6; do
	[[ ",$dep" == *[\ ,]$l\ * || ",$dep" == *[\ ,]$l ]] || bad "Depends lacks $l: $dep"
done
ok "Depends (dpkg-shlibdeps): $dep"
[[ "$(f Recommends)" == *nftables* ]] && ok "Recommends: $(f Recommends)" || bad "Recommends: $(f Recommends)"
dpkg-deb -e "$deb" "$tmp/control"
[ "$(cat "$tmp/control/conffiles")" = "/etc/default/sipguard" ] && ok "conffiles: every file under /etc" ||
	bad "conffiles: $(cat "$tmp/control/conffiles")"
for s in postinst prerm postrm; do
	[ -x "$tmp/control/$s" ] && sh -n "$tmp/control/$s" || bad "maintainer script $s"
done
dpkg-deb -c "$deb" | awk '{ print $6 }' | sed 's|^\./|/|' >"$tmp/contents"
missing=()
for p in /usr/sbin/sipguard /usr/share/sipguard/profiles/pbx.ini /usr/share/sipguard/profiles/signatures/scanners.list \
	/etc/sipguard/profiles/ /etc/sipguard/customers.d/ /etc/default/sipguard \
	/lib/systemd/system/sipguard-restore.service /lib/systemd/system/sipguard-sync.service \
	/usr/share/man/man8/sipguard.8.gz /usr/share/man/man5/sipguard-profile.5.gz \
	/usr/share/man/man5/sipguard-customer.5.gz /usr/share/bash-completion/completions/sipguard \
	/usr/share/doc/sipguard/README.md /usr/share/doc/sipguard/copyright \
	/usr/share/doc/sipguard/examples/svwar.pcap; do
	grep -qx "$p" "$tmp/contents" || missing+=("$p")
done
[ ${#missing[@]} -eq 0 ] && ok "package contents" || bad "package lacks: ${missing[*]}"
grep -q "^/usr/local" "$tmp/contents" && bad "package has /usr/local paths"

# ---- 3. a fresh Debian 12 root: the cached base -----------------------------
mirror=$(sed -n 's|^URIs: *\(http[^ ]*/debian\)/*$|\1|p; s|^deb \[*[^]]*\]* *\(http[^ ]*/debian\)/* bookworm .*|\1|p' \
	/etc/apt/sources.list.d/*.sources /etc/apt/sources.list 2>/dev/null | head -1)
mirror=${mirror:-http://deb.debian.org/debian}
base=$cache/base
mkdir -p "$cache/archives/partial"
if [ ! -e "$base/.sipguard-complete" ]; then
	echo "     making the base root in $base (debootstrap from $mirror, once)"
	rm -rf "$base.new"
	s=$(date +%s)
	unshare -m debootstrap --variant=minbase --include=ca-certificates,init-system-helpers bookworm "$base.new" "$mirror" \
		>"$tmp/debootstrap.log" 2>&1 || die "debootstrap: $(tail -20 "$tmp/debootstrap.log")"
	{
		echo "deb $mirror bookworm main"
		echo "deb $mirror bookworm-updates main"
		echo "deb ${mirror%/debian}/debian-security bookworm-security main"
	} >"$base.new/etc/apt/sources.list"
	cp /etc/resolv.conf "$base.new/etc/resolv.conf"
	unshare -m sh -c 'mount -t proc proc "$1/proc" && chroot "$1" apt-get update -qq' _ "$base.new" \
		>"$tmp/update.log" 2>&1 || die "apt-get update in the base root: $(tail -5 "$tmp/update.log")"
	# keep only what debootstrap left: package lists stay, fetched .debs go
	rm -f "$base.new"/var/cache/apt/archives/*.deb
	touch "$base.new/.sipguard-complete"
	rm -rf "$base" && mv "$base.new" "$base"
	ok "base root made in $(( $(date +%s) - s ))s"
fi

# ---- 4. install the package in an overlay over the base, and use it ---------
mkdir -p "$tmp/upper" "$tmp/work" "$tmp/root" "$tmp/out"
cat >"$tmp/inroot.sh" <<'EOS'
# runs inside `unshare -m`: every mount here vanishes with this process
set -u
tmp=$1 base=$2 cache=$3 deb=$4
r=$tmp/root o=$tmp/out
if ! mount -t overlay overlay -o "lowerdir=$base,upperdir=$tmp/upper,workdir=$tmp/work" "$r" 2>"$o/mount.err"; then
	echo "overlay refused ($(cat "$o/mount.err")): copying the base" >"$o/notes"
	cp -a "$base/." "$tmp/upper/" && mount --bind "$tmp/upper" "$r" || exit 10
fi
mount -t proc proc "$r/proc" && mount --rbind /sys "$r/sys" && mount --rbind /dev "$r/dev" || exit 11
mount --bind "$cache/archives" "$r/var/cache/apt/archives" || exit 12
cp /etc/resolv.conf "$r/etc/resolv.conf"
cp "$deb" "$r/tmp/sipguard.deb"
inr() { chroot "$r" env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin HOME=/root LC_ALL=C.UTF-8 "$@"; }
run() { # NAME CMD...: stdout, stderr, rc of CMD in the root into $o/NAME.*
	local n=$1; shift
	inr "$@" >"$o/$n.out" 2>"$o/$n.err"; echo $? >"$o/$n.rc"
}
export DEBIAN_FRONTEND=noninteractive
run dpkg-i dpkg -i /tmp/sipguard.deb
run apt-f apt-get -y -q --no-install-recommends -f install
if ! inr dpkg-query -W -f '${Status}' sipguard 2>/dev/null | grep -q "install ok installed"; then
	# the mirror moved on since the base's lists: refresh them once
	inr apt-get -q update >"$o/update.out" 2>&1
	run apt-f apt-get -y -q --no-install-recommends -f install
fi
run status dpkg-query -W -f '${Status}' sipguard
run help sipguard --help
run version sipguard --version
run profiles sipguard profiles
run check sipguard check --profile pbx /usr/share/doc/sipguard/examples/svwar.pcap
run checkjson sipguard check --profile pbx --json /usr/share/doc/sipguard/examples/svwar.pcap
run benign sipguard check --profile pbx /usr/share/doc/sipguard/examples/call-udp4.pcap
run nosuch sipguard check --profile no-such-profile /usr/share/doc/sipguard/examples/svwar.pcap
inr ls -l /etc/systemd/system/multi-user.target.wants/ >"$o/wants" 2>&1
# the operator's override: same name wins, a new name joins the list
printf '[profile]\nbase = /usr/share/sipguard/profiles/pbx.ini\nmode = monitor\ndescription = local pbx, monitor only\n' \
	>"$r/etc/sipguard/profiles/pbx.ini"
printf '[profile]\nbase = /usr/share/sipguard/profiles/edge.ini\ndescription = local edge\n' \
	>"$r/etc/sipguard/profiles/mine.ini"
run oprofiles sipguard profiles
run ocheck sipguard check --profile pbx /usr/share/doc/sipguard/examples/svwar.pcap
mkdir -p "$r/tmp/envp"
printf '[profile]\nname = envonly\ndescription = from SIPGUARD_PROFILES\n[signatures]\npattern = ua:friendly-scanner\n' \
	>"$r/tmp/envp/envonly.ini"
run eprofiles env SIPGUARD_PROFILES=/tmp/envp sipguard profiles
run epbx env SIPGUARD_PROFILES=/tmp/envp sipguard profiles pbx
rm -f "$r/etc/sipguard/profiles/pbx.ini"
# remove: units disabled, files gone, conffile and the operator's file kept
run remove dpkg -r sipguard
inr sh -c 'ls /usr/sbin/sipguard /usr/share/sipguard /lib/systemd/system/sipguard-restore.service \
	/etc/systemd/system/multi-user.target.wants/sipguard-restore.service 2>/dev/null; echo conf:; \
	ls /etc/default/sipguard /etc/sipguard/profiles/mine.ini' >"$o/after-remove" 2>&1
# purge: conffile gone, the operator's file (and so its directory) kept
run purge dpkg -P sipguard
inr sh -c 'ls -d /etc/default/sipguard /etc/sipguard/customers.d 2>/dev/null; echo kept:; \
	ls /etc/sipguard/profiles/mine.ini' >"$o/after-purge" 2>&1
rm -f "$r/etc/sipguard/profiles/mine.ini"
run purge2 sh -c 'dpkg -i /tmp/sipguard.deb && dpkg -P sipguard && ! test -e /etc/sipguard'
exit 0
EOS
s=$(date +%s)
unshare -m bash "$tmp/inroot.sh" "$tmp" "$base" "$cache" "$deb"; rc=$?
[ $rc -eq 0 ] || die "fresh root: setup failed (rc=$rc) $(cat "$tmp/out/"*.err 2>/dev/null | tail -5)"
[ -e "$tmp/out/notes" ] && echo "     $(cat "$tmp/out/notes")"
o=$tmp/out
out() { cat "$o/$1.out" "$o/$1.err" 2>/dev/null | tail -${2:-8}; }
rc() { cat "$o/$1.rc" 2>/dev/null; }

[ "$(cat "$o/status.out")" = "install ok installed" ] &&
	ok "dpkg -i + apt-get -f install in a fresh root ($(grep -c '^Get:' "$o/apt-f.out") packages fetched, the rest from the cache; $(( $(date +%s) - s ))s)" ||
	die "not installed: $(out dpkg-i) $(out apt-f)"
[ "$(rc help)" = 0 ] && grep -q "^Usage: sipguard" "$o/help.out" && ok "sipguard --help" ||
	bad "sipguard --help rc=$(rc help): $(out help)"
if [ "$(rc version)" = 0 ]; then
	grep -qw "$version" "$o/version.out" && ok "sipguard --version: $(head -1 "$o/version.out")" ||
		bad "sipguard --version does not say $version: $(out version)"
else
	ok "sipguard --version not accepted yet (rc=$(rc version)); the build defines SIPGUARD_VERSION=$version"
fi
if [ "$(rc profiles)" = 0 ]; then
	n=0
	for p in pbx trunk edge shield monitor; do
		grep -Eq "^$p +(enforce|monitor) +shipped " "$o/profiles.out" && n=$((n + 1))
	done
	[ $n = 5 ] && grep -qx "shipped:  /usr/share/sipguard/profiles" "$o/profiles.out" &&
		grep -q "^override: /etc/sipguard/profiles " "$o/profiles.out" &&
		ok "sipguard profiles: the 5 shipped ones from /usr/share/sipguard/profiles" ||
		bad "sipguard profiles: $(out profiles 12)"
else
	bad "sipguard profiles rc=$(rc profiles): $(out profiles)"
fi
drops=$(sed -n 's/.* \([0-9]*\) dropped,.*/\1/p' "$o/check.out")
scanner=$(sed -n 's/^ *scanner *\([0-9]*\) (drop)$/\1/p' "$o/check.out")
[ "$(rc check)" = 0 ] && [ "${drops:-0}" -gt 0 ] && [ "${scanner:-0}" -gt 0 ] &&
	ok "check svwar.pcap with the kernel program: $drops dropped, $scanner as scanner" ||
	bad "check svwar.pcap rc=$(rc check): $(out check)"
python3 - "$o/checkjson.out" <<'PY' && ok "check --json: every packet dropped as scanner" || bad "check --json: $(out checkjson 3)"
import json, sys
j = json.load(open(sys.argv[1]))
assert j["profile"] == "pbx" and j["packets"] > 0 and j["dropped"] == j["packets"], j
assert j["reasons"].get("scanner") == j["packets"], j["reasons"]
PY
[ "$(rc benign)" = 0 ] && grep -q " 0 dropped, 0 would drop" "$o/benign.out" &&
	ok "check call-udp4.pcap: benign call, nothing dropped" || bad "benign capture: $(out benign)"
[ "$(rc nosuch)" = 2 ] &&
	grep -q "no profile 'no-such-profile' in /etc/sipguard/profiles or /usr/share/sipguard/profiles" "$o/nosuch.err" &&
	ok "unknown profile names both directories" || bad "unknown profile rc=$(rc nosuch): $(out nosuch)"
grep -q "sipguard-restore.service -> /lib/systemd/system/sipguard-restore.service" "$o/wants" &&
	! grep -q sipguard-sync "$o/wants" && ok "postinst enabled sipguard-restore.service (sync not enabled)" ||
	bad "unit enablement: $(cat "$o/wants")"
grep -Eq "^pbx +monitor +override +local pbx, monitor only" "$o/oprofiles.out" &&
	grep -Eq "^mine +enforce +override +local edge" "$o/oprofiles.out" &&
	grep -Eq "^trunk +enforce +shipped " "$o/oprofiles.out" && [ "$(grep -c '^pbx ' "$o/oprofiles.out")" = 1 ] &&
	ok "override in /etc/sipguard/profiles wins per name, listed as override" ||
	bad "override listing: $(out oprofiles 12)"
grep -q " 0 dropped, [1-9][0-9]* would drop" "$o/ocheck.out" && ok "check --profile pbx uses the override (monitor)" ||
	bad "override not used by check: $(out ocheck)"
grep -Eq "^envonly +enforce" "$o/eprofiles.out" && ! grep -q "^pbx " "$o/eprofiles.out" &&
	[ "$(rc epbx)" = 2 ] && ok "SIPGUARD_PROFILES is the only directory when set" ||
	bad "SIPGUARD_PROFILES: $(out eprofiles) / rc=$(rc epbx) $(out epbx 2)"
[ "$(rc remove)" = 0 ] && [ "$(cat "$o/after-remove")" = "conf:
/etc/default/sipguard
/etc/sipguard/profiles/mine.ini" ] && ok "dpkg -r: files and unit links gone, conffile and operator's profile kept" ||
	bad "dpkg -r rc=$(rc remove): $(cat "$o/after-remove") $(out remove)"
[ "$(rc purge)" = 0 ] && [ "$(cat "$o/after-purge")" = "kept:
/etc/sipguard/profiles/mine.ini" ] && ok "dpkg -P: conffile gone, the operator's profile kept" ||
	bad "dpkg -P rc=$(rc purge): $(cat "$o/after-purge") $(out purge)"
[ "$(rc purge2)" = 0 ] && ok "install + purge leaves no /etc/sipguard" || bad "purge2: $(out purge2)"

echo "     t_install took $(( $(date +%s) - t0 ))s"
exit $fail
