#!/usr/bin/env bash
# Live fault tests of sipguard enable/status/restore (issue 5 part 4):
# kill -9 at each step of enable (SIPGUARD_FAULT test hook, fault.h), deleted
# pin, deleted namespace, bpffs missing, xt_bpf missing, verifier rejection,
# full disk for the state file, concurrent runs. Every failure must leave the
# ruleset, the pin tree and the state dir as they were (snap).
# Namespaces and customers are sgf-*, so this runs beside t_enable (sgt-*).
set -u
here=$(cd "$(dirname "$0")" && pwd)
: "${SG_BUILD:=$here/../build}"
source "$here/lib/lab.sh"
LAB_PHONE=sgf-phone${LAB_SUFFIX:-} LAB_CUST=sgf-cust${LAB_SUFFIX:-} LAB_CUST2=sgf-cust2${LAB_SUFFIX:-}
[ -x "$SIPGUARD" ] || fail "no $SIPGUARD (build first)"
for t in nft nsenter unshare flock; do command -v $t >/dev/null || fail "$t not installed"; done
PINS=$LAB_PINS
A=sgf-a B=sgf-b D=sgf-d M=sgf-m

down() {
	local c d
	for c in $(jobs -p); do kill "$c" 2>/dev/null; done
	for d in "${LAB_STATE:-}" "${TINY:-}"; do
		[ -n "$d" ] && [ -d "$d/customers" ] || continue
		for c in "$d"/customers/sgf-*.conf; do
			[ -e "$c" ] && SIPGUARD_STATE_DIR=$d "$SIPGUARD" disable "$(basename "$c" .conf)" >/dev/null 2>&1
		done
	done
	for c in $PINS/sgf-*; do
		[ -d "$c" ] || continue
		find "$c" -mindepth 2 -maxdepth 2 -exec rm -f {} + 2>/dev/null
		find "$c" -mindepth 1 -maxdepth 1 -type d -exec rmdir {} + 2>/dev/null
		rmdir "$c" 2>/dev/null
	done
	[ -n "${TINY:-}" ] && mountpoint -q "$TINY" && umount "$TINY"
	for c in $LAB_PHONE $LAB_CUST $LAB_CUST2; do ip netns del $c 2>/dev/null; done
	rm -rf "$PINS"
	[ -n "${LAB_STATE:-}" ] && rm -rf "$LAB_STATE"
	[ -n "${LAB_TMP:-}" ] && rm -rf "$LAB_TMP"
	return 0
}
trap down EXIT
lab_up || fail "lab setup"

# everything a failed command must leave untouched (our namespaces, pins, state)
snap() {
	lab_ruleset $LAB_CUST; lab_ruleset $LAB_CUST2
	find $PINS -path '*sgf-*' 2>/dev/null | sort
	find "$LAB_STATE" ${TINY:+"$TINY"} -type f 2>/dev/null | sort | while read -r f; do echo "== $f"; cat "$f"; done
}
gen_of() { sed -n 's/^generation = //p' "${2:-$LAB_STATE}/customers/$1.conf"; }
# converged C NS [STATEDIR]: one generation pinned = the state's, its chain,
# its branch chains and its validator's chain with the one validator rule
# (and no other) in NS, no .tmp state, status exits 0
converged() {
	local c=$1 ns=$2 sd=${3:-$LAB_STATE} g rs
	[ -f "$sd/customers/$c.conf" ] || fail "$c: no state file"
	[ -e "$sd/customers/$c.conf.tmp" ] && fail "$c: leftover $c.conf.tmp"
	g=$(gen_of "$c" "$sd")
	[ "$(ls $PINS/$c)" = "$g" ] || fail "$c: pinned generations '$(ls $PINS/$c | tr '\n' ' ')', state says $g"
	[ -e "$PINS/$c/$g/sip_validate" ] || fail "$c: program pin missing"
	rs=$(lab_ruleset "$ns")
	[ "$(echo "$rs" | grep -cE "chain sg\.$c\.[0-9]+ \{")" -eq 1 ] || fail "$c: chains: $rs"
	echo "$rs" | grep -q "chain sg\.$c\.$g " || fail "$c: chain of generation $g missing: $rs"
	local branches
	branches=$(echo "$rs" | grep -cE "chain sg\.$c\.$g\.[ut][46] \{")
	[ "$branches" -ge 1 ] || fail "$c: no branch chains: $rs"
	[ "$(echo "$rs" | grep -cE "chain sg\.$c\.[0-9]+\.[ut][46] \{")" -eq "$branches" ] ||
		fail "$c: branch chains of another generation: $rs"
	[ "$(echo "$rs" | grep -cE "chain sg\.$c\.[0-9]+\.v \{")" -eq 1 ] &&
		echo "$rs" | grep -qE "chain sg\.$c\.$g\.v \{" ||
		fail "$c: validator chains, want the one of generation $g: $rs"
	[ "$(echo "$rs" | grep -cE "sipguard $c .* (validator|no-sip-service)\"")" -eq 1 ] ||
		fail "$c: validator rules, want one: $rs"
	[ "$(echo "$rs" | grep -cE "goto sg\.$c\.$g\.v comment")" -ge "$branches" ] ||
		fail "$c: a branch that does not go to the validator: $rs"
	SIPGUARD_STATE_DIR=$sd "$SIPGUARD" status "$c" >/dev/null || fail "$c: status rc=$? after convergence"
}

sg enable $A --profile pbx --netns $LAB_CUST >/dev/null || fail "enable $A"
converged $A $LAB_CUST

# ---- kill -9 at each step of enable, then rerun --------------------------------
for point in after-pin before-nft after-nft; do
	rules0=$(lab_ruleset $LAB_CUST); g0=$(gen_of $A)
	SIPGUARD_FAULT=$point sg enable $A --profile trunk --netns $LAB_CUST >/dev/null 2>&1; rc=$?
	[ $rc -eq 137 ] || fail "$point: enable not killed (rc=$rc)"
	[ "$(gen_of $A)" = "$g0" ] || fail "$point: state file changed by the killed enable"
	case $point in
	after-pin|before-nft)
		[ "$rules0" = "$(lab_ruleset $LAB_CUST)" ] || fail "$point: rules changed before the transaction"
		sg status $A >/dev/null || fail "$point: status rc=$? (the old generation is intact)"
		[ "$(ls $PINS/$A | wc -l)" -eq 2 ] || fail "$point: expected an orphan generation: $(ls $PINS/$A)";;
	after-nft)
		lab_ruleset $LAB_CUST | grep -q "profile=trunk validator" || fail "$point: transaction not done"
		out=$(sg status $A 2>&1); rc=$?
		[ $rc -eq 4 ] || fail "$point: status rc=$rc, want 4 (state lags the kernel): $out"
		echo "$out" | grep -q "DRIFT: chain missing: sg.$A.$g0" || fail "$point: status: $out";;
	esac
	# rerun with the parameters of the state file, then the interrupted one
	sg enable $A --profile pbx --netns $LAB_CUST >/dev/null || fail "$point: rerun pbx rc=$?"
	converged $A $LAB_CUST
	lab_ruleset $LAB_CUST | grep -q "profile=pbx validator" || fail "$point: rerun pbx not in place"
	SIPGUARD_FAULT=$point sg enable $A --profile trunk --netns $LAB_CUST >/dev/null 2>&1
	sg enable $A --profile trunk --netns $LAB_CUST >/dev/null || fail "$point: rerun trunk rc=$?"
	converged $A $LAB_CUST
	lab_ruleset $LAB_CUST | grep -q "profile=trunk validator" || fail "$point: rerun trunk not in place"
	sg enable $A --profile pbx --netns $LAB_CUST >/dev/null || fail "$point: back to pbx"
	converged $A $LAB_CUST
	ok "kill -9 $point: old generation intact until the transaction, rerun (same or new profile) converges"
done

# ---- deleted pin: status names it, enable and restore repair it ----------------
for fix in enable restore; do
	g=$(gen_of $A)
	rm -f $PINS/$A/$g/sip_validate
	out=$(sg status $A 2>&1); rc=$?
	[ $rc -eq 4 ] || fail "deleted pin: status rc=$rc, want 4"
	echo "$out" | grep -q "pinned program missing: $PINS/$A/$g/sip_validate" || fail "deleted pin: status: $out"
	if [ $fix = enable ]; then
		sg enable $A --profile pbx --netns $LAB_CUST >/dev/null || fail "deleted pin: enable rc=$?"
	else
		sg restore >/dev/null || fail "deleted pin: restore rc=$?"
	fi
	converged $A $LAB_CUST
	[ "$(gen_of $A)" -gt "$g" ] || fail "deleted pin: $fix did not rebuild"
	ok "deleted pin: status exit 4 names it, $fix rebuilds"
done

# ---- deleted namespace: status names it, restore says so and changes nothing ----
sg enable $B --profile pbx --netns $LAB_CUST2 >/dev/null || fail "enable $B"
converged $B $LAB_CUST2
ip netns del $LAB_CUST2
out=$(sg status $B 2>&1); rc=$?
[ $rc -eq 4 ] || fail "deleted netns: status rc=$rc, want 4"
echo "$out" | grep -q "network namespace gone: $LAB_CUST2" || fail "deleted netns: status: $out"
before=$(snap)
out=$(sg restore 2>&1); rc=$?
[ $rc -ne 0 ] || fail "deleted netns: restore rc=0"
echo "$out" | grep -q "$B: network namespace '$LAB_CUST2' is gone" || fail "deleted netns: restore: $out"
echo "$out" | grep -q "$A: already enabled.*no change" || fail "deleted netns: restore touched $A: $out"
[ "$before" = "$(snap)" ] || fail "deleted netns: restore changed something"
sg status $A >/dev/null || fail "deleted netns: $A drifted"
ok "deleted netns: status exit 4 names it, restore exit $rc says '$(echo "$out" | grep -m1 "is gone")', nothing changed"
ip netns add $LAB_CUST2 || fail "re-create $LAB_CUST2"
sg disable $B >/dev/null || fail "disable $B"

# ---- bpffs missing: enable mounts it (private mount namespace) -----------------
out=$(SIPGUARD_STATE_DIR=$LAB_STATE PINS=$PINS SG=$SIPGUARD M=$M NS=$LAB_CUST2 unshare -m --propagation private bash -c '
	umount -l /sys/fs/bpf || exit 90
	[ "$(stat -f -c %T /sys/fs/bpf)" != bpf_fs ] || exit 91
	"$SG" enable $M --profile pbx --netns $NS 2>&1 || exit 92
	[ "$(stat -f -c %T /sys/fs/bpf)" = bpf_fs ] || exit 93
	[ -e $PINS/$M/1/sip_validate ] || exit 94
	"$SG" status $M >/dev/null || exit 95
	"$SG" disable $M >/dev/null || exit 96
	# a tmpfs over /sys/fs/bpf: not bpffs, mounted over
	mount -t tmpfs tmpfs /sys/fs/bpf || exit 97
	"$SG" enable $M --profile pbx --netns $NS 2>&1 || exit 98
	[ "$(stat -f -c %T /sys/fs/bpf)" = bpf_fs ] || exit 99
	"$SG" disable $M >/dev/null || exit 100
'); rc=$?
[ $rc -eq 0 ] || fail "bpffs missing: step rc=$rc: $out"
[ "$(echo "$out" | grep -c "mounted bpffs at /sys/fs/bpf")" -eq 2 ] || fail "bpffs missing: no mount message: $out"
[ "$(stat -f -c %T /sys/fs/bpf)" = bpf_fs ] || fail "host bpffs gone"
[ -e $PINS/$M ] && fail "bpffs missing: pins leaked into the host bpffs"
converged $A $LAB_CUST
ok "bpffs missing (unmounted, or tmpfs over it): enable mounts bpffs, says so, works"

# ---- xt_bpf missing (test hook: the probe reports absence) ----------------------
before=$(snap)
out=$(SIPGUARD_FAULT=no-xt-bpf sg enable $A --profile trunk --netns $LAB_CUST 2>&1); rc=$?
[ $rc -eq 3 ] || fail "no xt_bpf: rc=$rc, want 3: $out"
echo "$out" | grep -q "kernel lacks xt_bpf/nft_compat" || fail "no xt_bpf: $out"
[ "$before" = "$(snap)" ] || fail "no xt_bpf: something changed"
ok "xt_bpf missing: exit 3, 'kernel lacks xt_bpf/nft_compat', nothing changed"

# ---- verifier rejection (test hook: a program the verifier refuses) ------------
before=$(snap)
out=$(SIPGUARD_FAULT=verifier sg enable $A --profile trunk --netns $LAB_CUST 2>&1); rc=$?
[ $rc -eq 1 ] || fail "verifier: rc=$rc, want 1: $out"
echo "$out" | grep -q "kernel verifier rejected the validator" || fail "verifier: $out"
echo "$out" | grep -q "nothing changed" || fail "verifier: $out"
[ "$before" = "$(snap)" ] || fail "verifier: something changed"
converged $A $LAB_CUST
ok "verifier rejection: exit 1, names the verifier, previous generation intact"

# ---- kernel without bpf_loop (test hook: a kernel said to be 5.10) ----
before=$(snap)
out=$(SIPGUARD_FAULT=old-kernel sg enable $A --profile trunk --netns $LAB_CUST 2>&1); rc=$?
[ $rc -eq 1 ] || fail "old kernel: rc=$rc, want 1: $out"
echo "$out" | grep -q "kernel 5.10.0-test is too old for the validator: it lacks the bpf_loop helper (Linux 5.17" ||
	fail "old kernel: $out"
[ "$before" = "$(snap)" ] || fail "old kernel: something changed"
converged $A $LAB_CUST
ok "kernel without bpf_loop: exit 1, names the kernel and the version needed, previous generation intact"

# ---- full disk for the state file ----------------------------------------------
TINY=$LAB_TMP/tiny
mkdir -p "$TINY" && mount -t tmpfs -o size=4k tmpfs "$TINY" || fail "tiny tmpfs"
SIPGUARD_STATE_DIR=$TINY "$SIPGUARD" enable $D --profile pbx --netns $LAB_CUST2 >/dev/null || fail "enable $D on tiny"
dd if=/dev/zero of="$TINY/fill" bs=1k count=64 2>/dev/null
[ "$(df --output=avail "$TINY" | tail -1)" -eq 0 ] || fail "tiny tmpfs not full: $(df "$TINY")"
before=$(snap)
out=$(SIPGUARD_STATE_DIR=$TINY "$SIPGUARD" enable $D --profile trunk --netns $LAB_CUST2 2>&1); rc=$?
[ $rc -eq 1 ] || fail "full disk: rc=$rc, want 1: $out"
echo "$out" | grep -q "No space left on device" || fail "full disk: $out"
echo "$out" | grep -q "state file not written.*nothing changed" || fail "full disk: $out"
[ "$before" = "$(snap)" ] || fail "full disk: something changed"
converged $D $LAB_CUST2 "$TINY"
rm -f "$TINY/fill"
SIPGUARD_STATE_DIR=$TINY "$SIPGUARD" disable $D >/dev/null || fail "disable $D"
umount "$TINY"
ok "full disk: exit 1, 'No space left on device', rules and pins of the previous generation intact"

# ---- concurrent runs ------------------------------------------------------------
for round in 1 2 3; do
	sg enable $A --profile trunk --netns $LAB_CUST >"$LAB_TMP/ca" 2>&1 & pa=$!
	sg enable $B --profile pbx --netns $LAB_CUST2 >"$LAB_TMP/cb" 2>&1 & pb=$!
	wait $pa || fail "concurrent different customers: $A failed: $(cat "$LAB_TMP/ca")"
	wait $pb || fail "concurrent different customers: $B failed: $(cat "$LAB_TMP/cb")"
	converged $A $LAB_CUST; converged $B $LAB_CUST2
	sg disable $B >/dev/null || fail "disable $B"
	sg enable $A --profile pbx --netns $LAB_CUST >/dev/null || fail "back to pbx"
done
ok "two customers enabled at once, 3 rounds: both succeed and converge"
for round in 1 2 3; do
	sg enable $A --profile trunk --netns $LAB_CUST >"$LAB_TMP/c1" 2>&1 & p1=$!
	sg enable $A --profile shield --netns $LAB_CUST >"$LAB_TMP/c2" 2>&1 & p2=$!
	wait $p1 || fail "same customer: trunk run failed: $(cat "$LAB_TMP/c1")"
	wait $p2 || fail "same customer: shield run failed: $(cat "$LAB_TMP/c2")"
	converged $A $LAB_CUST
	prof=$(sed -n 's/^profile_name = //p' "$LAB_STATE/customers/$A.conf")
	# the validator (or shield's drop) of the state's profile
	[ "$(lab_ruleset $LAB_CUST | grep -cE "profile=$prof (validator|no-sip-service)")" -eq \
		"$(lab_ruleset $LAB_CUST | grep -cE "sipguard $A .* (validator|no-sip-service)\"")" ] ||
		fail "same customer: state says $prof, rules say $(lab_ruleset $LAB_CUST | grep -E 'validator|no-sip-service')"
	sg enable $A --profile pbx --netns $LAB_CUST >/dev/null || fail "back to pbx"
done
# the lock serialises: while someone holds it, enable waits
flock /run/sipguard.lock sleep 2 & holder=$!
sleep 0.3
t0=$(date +%s%N)
sg enable $A --profile trunk --netns $LAB_CUST >/dev/null || fail "enable behind the lock"
t1=$(date +%s%N)
wait $holder
[ $(( (t1 - t0) / 1000000 )) -ge 1500 ] || fail "enable did not wait for /run/sipguard.lock ($(( (t1 - t0) / 1000000 )) ms)"
converged $A $LAB_CUST
ok "same customer twice at once, 3 rounds: serialised, one consistent state; enable waits for the lock"

# ---- a dataplane pinned by another sipguard version -----------------------------
# (an upgrade with customers still enabled: the shared maps' layout differs;
# here one of this version's shared maps is missing, as an older one had it)
for c in $(ls "$LAB_STATE/customers" | sed -n 's/\.conf$//p'); do sg disable "$c" >/dev/null; done
sg enable $A --profile pbx --netns $LAB_CUST >/dev/null || fail "enable $A again"
rm "$PINS/_shared/sg_events"
before=$(snap)
out=$(sg enable $B --profile pbx --netns $LAB_CUST2 2>&1); rc=$?
[ $rc -ne 0 ] || fail "old dataplane: enable succeeded: $out"
echo "$out" | grep -q "was made by another version of sipguard (sg_events: missing" || fail "old dataplane: $out"
echo "$out" | grep -q "disable every customer, or reboot" || fail "old dataplane: no way out said: $out"
[ "$before" = "$(snap)" ] || fail "old dataplane: something changed"
sg disable $A >/dev/null || fail "old dataplane: disable $A"
[ -e "$PINS/_shared" ] && fail "old dataplane: still pinned after its last customer went"
sg enable $B --profile pbx --netns $LAB_CUST2 >/dev/null || fail "old dataplane: enable after it went"
converged $B $LAB_CUST2
ok "dataplane of another version: enable refuses (exit $rc) naming the map and the way out, nothing changed; gone with its last customer, then enable works"
echo "all passed"
