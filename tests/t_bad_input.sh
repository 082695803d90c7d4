#!/usr/bin/env bash
# Bad inputs, offline (check) and live (enable/disable/status/restore against a
# customer enabled in its own namespace): each must give its exit code, a
# message that says what is wrong, and change nothing (ruleset, pins, state).
# Prints the README "Bad input" table from what it observed; with
# SG_BAD_TABLE=FILE it also writes it there.
set -u
here=$(cd "$(dirname "$0")" && pwd)
: "${SG_BUILD:=$here/../build}"
source "$here/lib/lab.sh"
LAB_CUST=sgb-cust${LAB_SUFFIX:-}
[ -x "$SIPGUARD" ] || fail "no $SIPGUARD (build first)"
for t in nft setpriv; do command -v $t >/dev/null || fail "$t not installed"; done
PINS=$LAB_PINS
A=sgb-a
pcaps=$(cd "$here/../pcaps" && pwd)
P=$pcaps/call-udp4.pcap

down() {
	[ -n "${LAB_STATE:-}" ] && [ -e "$LAB_STATE/customers/$A.conf" ] && sg disable $A >/dev/null 2>&1
	if [ -d $PINS/$A ]; then
		find $PINS/$A -mindepth 2 -maxdepth 2 -exec rm -f {} + 2>/dev/null
		find $PINS/$A -mindepth 1 -maxdepth 1 -type d -exec rmdir {} + 2>/dev/null
		rmdir $PINS/$A 2>/dev/null
	fi
	ip netns del $LAB_CUST 2>/dev/null
	rm -rf "$PINS"
	[ -n "${LAB_STATE:-}" ] && rm -rf "$LAB_STATE"
	[ -n "${LAB_TMP:-}" ] && rm -rf "$LAB_TMP"
	return 0
}
trap down EXIT
LAB_STATE=$(mktemp -d /tmp/sgb-state.XXXXXX)
LAB_TMP=$(mktemp -d /tmp/sgb-tmp.XXXXXX)
chmod 755 "$LAB_TMP"
ip netns del $LAB_CUST 2>/dev/null
ip netns add $LAB_CUST || fail "netns"

printf '[profile]\nname = broken\n[methods]\nallow = INVITE\nthis line is wrong\n' >"$LAB_TMP/broken.ini"
# customer files for apply: the enabled customer as it is, plus one broken one
mkdir -p "$LAB_TMP/cust-key" "$LAB_TMP/cust-netns"
printf '[customer]\nprofile = pbx\nnetns = %s\n' $LAB_CUST | tee "$LAB_TMP/cust-key/$A.conf" >"$LAB_TMP/cust-netns/$A.conf"
printf '[customer]\nprofile = pbx\nnetns = %s\nprofil = trunk\n' $LAB_CUST >"$LAB_TMP/cust-key/sgb-b.conf"
printf '[customer]\nprofile = pbx\n' >"$LAB_TMP/cust-netns/sgb-b.conf"
head -c 100 "$P" >"$LAB_TMP/trunc.pcap"        # header + part of packet 1
head -c 10 "$P" >"$LAB_TMP/trunc-header.pcap"  # not even the file header
echo "this is not a capture file, just some text" >"$LAB_TMP/notcap.pcap"
chmod 644 "$LAB_TMP"/*

sg enable $A --profile pbx --netns $LAB_CUST >/dev/null || fail "enable $A"
snap() {
	lab_ruleset $LAB_CUST
	find $PINS -path "*$A*" 2>/dev/null | sort
	find "$LAB_STATE" -type f | sort | while read -r f; do echo "== $f"; cat "$f"; done
}
base=$(snap)
table="| input tried | what sipguard says (exact start of the message) | exit | state afterwards |
|---|---|---|---|"

# bad WHAT RC PHRASE CMD...: CMD exits RC, says PHRASE, changes nothing
bad() {
	local what=$1 want=$2 phrase=$3 out rc first; shift 3
	out=$("$@" 2>&1); rc=$?
	[ $rc -eq "$want" ] || fail "$what: rc=$rc, want $want: $out"
	echo "$out" | grep -qF -- "$phrase" || fail "$what: message lacks '$phrase': $out"
	[ "$base" = "$(snap)" ] || fail "$what: something changed"
	first=$(echo "$out" | grep -F -m1 -- "$phrase" | sed "s|$LAB_TMP|DIR|g; s|$pcaps|pcaps|g; s|$here/../profiles|profiles|g" | cut -c1-110)
	table+="
| $what | \`${first//|/\\|}\` | $want | unchanged |"
	ok "$what: exit $rc, '$phrase'"
}
S=$SIPGUARD
nobody() { SIPGUARD_STATE_DIR=$LAB_STATE setpriv --reuid=65534 --regid=65534 --clear-groups "$S" "$@"; }

# ---- offline: check ------------------------------------------------------------
bad "check: profile with a bad line" 2 "broken.ini:5: expected 'key = value'" sg check --profile "$LAB_TMP/broken.ini" "$P"
bad "check: unknown profile" 2 "sipguard: no profile 'no-such-profile'" sg check --profile no-such-profile "$P"
bad "check: missing profile file" 2 "missing.ini: cannot read profile: No such file" sg check --profile "$LAB_TMP/missing.ini" "$P"
bad "check: missing capture" 2 "cannot read capture" sg check --profile pbx "$LAB_TMP/missing.pcap"
bad "check: capture truncated inside a packet" 2 "the file is truncated or corrupt, no verdicts given" sg check --profile pbx "$LAB_TMP/trunc.pcap"
bad "check: capture truncated inside its header" 2 "cannot read capture" sg check --profile pbx "$LAB_TMP/trunc-header.pcap"
bad "check: not a capture" 2 "cannot read capture: unknown file format" sg check --profile pbx "$LAB_TMP/notcap.pcap"
bad "check: no capture given" 2 "give at least one capture file" sg check --profile pbx
bad "check: --mode block" 2 "--mode must be enforce or monitor" sg check --profile pbx --mode block "$P"

# ---- command line ----------------------------------------------------------------
bad "unknown command" 2 "unknown command 'frobnicate'" sg frobnicate
bad "unknown global option" 2 "unknown option '--frob'" sg --frob
bad "unknown enable option" 2 "unrecognized option '--bogus'" sg enable $A --profile pbx --bogus
bad "enable without --profile" 2 "--profile NAME|FILE is required" sg enable $A --netns $LAB_CUST
bad "enable without --netns" 2 "--netns NAME|PATH|host is required" sg enable $A --profile pbx

# ---- live: enable against the enabled customer's namespace ------------------------
bad "enable: profile with a bad line" 2 "broken.ini:5: expected 'key = value'" sg enable $A --profile "$LAB_TMP/broken.ini" --netns $LAB_CUST
bad "enable: unknown profile" 2 "no profile 'no-such-profile'" sg enable $A --profile no-such-profile --netns $LAB_CUST
bad "enable: missing namespace" 3 "network namespace 'sgb-nonexistent' not found" sg enable $A --profile pbx --netns sgb-nonexistent
bad "customer name ../x" 2 "bad customer name '../x'" sg enable ../x --profile pbx --netns $LAB_CUST
bad "customer name of 33 chars" 2 "bad customer name 'abcdefghijabcdefghijabcdefghijabc'" sg enable abcdefghijabcdefghijabcdefghijabc --profile pbx --netns $LAB_CUST
bad "customer name SGB-A (uppercase)" 2 "bad customer name 'SGB-A'" sg enable SGB-A --profile pbx --netns $LAB_CUST
bad "disable ../x" 2 "bad customer name '../x'" sg disable ../x
bad "status ../x" 2 "bad customer name '../x'" sg status ../x
bad "status of an unknown customer" 1 "customer 'sgb-nosuch' is not enabled" sg status sgb-nosuch
bad "enable: --deny 10.0.0.0/33" 2 "--deny '10.0.0.0/33': not an address or CIDR" sg enable $A --profile pbx --netns $LAB_CUST --deny 10.0.0.0/33
bad "enable: --allow 198.51.100.300" 2 "--allow '198.51.100.300': not an address or CIDR" sg enable $A --profile pbx --netns $LAB_CUST --allow 198.51.100.300
bad "enable: --peer nothing" 2 "--peer 'nothing': not an address or CIDR" sg enable $A --profile pbx --netns $LAB_CUST --peer nothing
bad "enable: --hook output" 2 "--hook: input or forward" sg enable $A --profile pbx --netns $LAB_CUST --hook output
bad "enable: --mode block" 2 "--mode: enforce or monitor" sg enable $A --profile pbx --netns $LAB_CUST --mode block
bad "enable: --attach to a missing table" 2 "--attach: table inet nosuch not found" sg enable $A --profile pbx --netns $LAB_CUST --attach inet:nosuch:input
bad "apply: customer file with an unknown key" 2 "sgb-b.conf:4: unknown key 'profil' in [customer]" sg apply "$LAB_TMP/cust-key"
bad "apply: customer file without netns" 2 "sgb-b.conf:0: customer.netns is required" sg apply "$LAB_TMP/cust-netns"
bad "apply: missing directory" 2 "no-such-dir: No such file or directory: nothing changed" sg apply "$LAB_TMP/no-such-dir"
bad "enable as nobody" 3 "must run as root" nobody enable $A --profile pbx --netns $LAB_CUST
bad "disable as nobody" 3 "must run as root" nobody disable $A
bad "restore as nobody" 3 "must run as root" nobody restore
bad "apply as nobody" 3 "must run as root" nobody apply "$LAB_TMP/cust-netns"
bad "sync without --etcd" 2 "--etcd URL and --prefix PREFIX are required" sg sync --prefix /sipguard/hosts/x/
bad "sync: --resync 0" 2 "--resync: seconds, 1..86400" sg sync --etcd http://127.0.0.1:1 --prefix /x/ --resync 0

sg status $A >/dev/null || fail "status of $A after the bad inputs rc=$?"
echo
echo "$table"
[ -n "${SG_BAD_TABLE:-}" ] && echo "$table" >"$SG_BAD_TABLE"
echo "all passed"
