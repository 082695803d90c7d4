#!/usr/bin/env bash
# Live test of sipguard apply (issue 16): a directory of customer files
# (sipguard-customer(5)) is this host's desired state. Three customers in
# namespaces of the test's own; a change, a removal and a namespace move,
# each shown exactly by --dry-run (which changes nothing) and then applied;
# a second apply says "no change" and leaves everything byte-identical; a
# broken file (or a missing namespace) anywhere changes nothing; a kernel
# that lost a customer's chain is repaired; one file applies its customer
# only; enable goes through the same plan. Every change is in the audit
# trail with origin=apply and its file; --json is one object with the
# schema, also when apply fails.
set -u
here=$(cd "$(dirname "$0")" && pwd)
: "${SG_BUILD:=$here/../build}"
source "$here/lib/lab.sh"
[ -x "$SIPGUARD" ] || fail "no $SIPGUARD (build first)"
for t in nft jq nsenter; do command -v $t >/dev/null || fail "$t not installed"; done
# LAB_SUFFIX (lab.sh): namespaces of their own when several checkouts test at once
N1=sga-n1${LAB_SUFFIX:-} N2=sga-n2${LAB_SUFFIX:-} N3=sga-n3${LAB_SUFFIX:-} N4=sga-n4${LAB_SUFFIX:-}
A=sga-a B=sga-b C=sga-c

down() {
	local c
	if [ -n "${LAB_STATE:-}" ] && [ -d "$LAB_STATE/customers" ]; then
		for c in "$LAB_STATE"/customers/*.conf; do
			[ -e "$c" ] && sg disable "$(basename "$c" .conf)" >/dev/null 2>&1
		done
	fi
	for c in $N1 $N2 $N3 $N4; do ip netns del $c 2>/dev/null; done
	rm -rf "$LAB_PINS"
	[ -n "${LAB_STATE:-}" ] && rm -rf "$LAB_STATE"
	[ -n "${LAB_TMP:-}" ] && rm -rf "$LAB_TMP"
	return 0
}
trap down EXIT
LAB_STATE=$(mktemp -d /tmp/sga-state.XXXXXX)
LAB_TMP=$(mktemp -d /tmp/sga-tmp.XXXXXX)
export SIPGUARD_AUDIT_LOG=$LAB_TMP/audit.log
for n in $N1 $N2 $N3 $N4; do
	ip netns del $n 2>/dev/null
	ip netns add $n || fail "netns $n"
done
D=$LAB_TMP/customers.d
mkdir -p "$D"

# everything apply may change: each namespace's ruleset (with handles and
# counters: byte-identical), the pin tree, every state file
snap() {
	local n
	for n in $N1 $N2 $N3 $N4; do echo "== $n"; nsenter --net=/run/netns/$n nft -a list ruleset 2>/dev/null; done
	find "$LAB_PINS" 2>/dev/null | sort
	find "$LAB_STATE" -type f | sort | while read -r f; do echo "== $f"; cat "$f"; done
}
# apply_ok OUT ARGS...: apply exits 0; its output in $out
apply_ok() { out=$(sg apply "$@" 2>&1) || fail "apply $*: rc=$?: $out"; }

cat >"$D/$A.conf" <<EOF
# ACME, PBX
[customer]
profile = pbx
netns = $N1
own_host = 192.0.2.10 pbx.acme.example
peer = 198.51.100.0/24
EOF
cat >"$D/$B.conf" <<EOF
[customer]
profile = trunk
netns = $N2
hook = input
deny = 192.0.2.66/32 203.0.113.0/24
EOF
cat >"$D/$C.conf" <<EOF
[customer]
profile = shield
netns = $N3
mode = monitor
EOF

# ---- dry run of three new customers: the plan, nothing changed -----------------
s0=$(snap)
apply_ok "$D" --dry-run
want="enable $A: profile pbx (enforce), netns $N1, hook input, own_host 192.0.2.10 pbx.acme.example, peer 198.51.100.0/24
enable $B: profile trunk (enforce), netns $N2, hook input, deny 192.0.2.66/32 203.0.113.0/24
enable $C: profile shield (monitor), netns $N3, hook input
plan: 3 to enable, 0 to change, 0 to repair, 0 to disable, 0 unchanged
dry run: nothing changed"
[ "$out" = "$want" ] || fail "dry run of three customers printed:
$out
instead of:
$want"
[ "$s0" = "$(snap)" ] || fail "dry run changed something"
ok "dry run: the plan of three enables, nothing changed"

# ---- apply: three customers, in sync; a second apply is no change ----------------
t0=$(date +%s%N)
apply_ok "$D"
t1=$(date +%s%N)
echo "$out" | grep -qx "applied: 3 enabled, 0 changed, 0 repaired, 0 disabled, 0 unchanged" || fail "apply: $out"
for c in $A $B $C; do sg status $c >/dev/null || fail "status $c after apply rc=$?"; done
sg list --json | jq -e --arg n1 $N1 --arg n2 $N2 --arg n3 $N3 '[.customers[] | "\(.customer) \(.profile) \(.mode) \(.netns)"] ==
	["sga-a pbx enforce \($n1)", "sga-b trunk enforce \($n2)", "sga-c shield monitor \($n3)"]' >/dev/null ||
	fail "list --json after apply: $(sg list --json)"
nsenter --net=/run/netns/$N1 nft list ruleset 2>/dev/null | grep -q "sipguard $A profile=pbx validator" || fail "no validator rule in $N1"
ok "apply: 3 enabled in $(( (t1 - t0) / 1000000 )) ms, status in sync, list --json shows them"
audit() { sed -E 's/^[0-9T:+-]+ sipguard\[[0-9]+\]: //' "$SIPGUARD_AUDIT_LOG"; }
got=$(audit)
for want in "enable customer=$A profile=pbx mode=enforce netns=$N1 generation=1 origin=apply source=$D/$A.conf result=ok" \
	"enable customer=$B profile=trunk mode=enforce netns=$N2 generation=1 origin=apply source=$D/$B.conf result=ok" \
	"enable customer=$C profile=shield mode=monitor netns=$N3 generation=1 origin=apply source=$D/$C.conf result=ok"; do
	echo "$got" | grep -qxF "$want" || fail "audit: no line '$want' in: $got"
done
[ "$(echo "$got" | wc -l)" -eq 3 ] || fail "audit: want 3 lines after the first apply: $got"
ok "audit: one line per customer enabled, origin=apply and its file"
s1=$(snap)
apply_ok "$D"
[ "$out" = "no change (3 customers as desired)" ] || fail "second apply: $out"
[ "$s1" = "$(snap)" ] || fail "second apply changed something"
out=$(sg enable $B --profile trunk --netns $N2 --deny 203.0.113.0/24 --deny 192.0.2.66/32) || fail "enable as the file says"
echo "$out" | grep -q "already enabled with these parameters.*no change" || fail "enable of the same state (lists in another order): $out"
[ "$s1" = "$(snap)" ] || fail "enable of the same state changed something"
ok "second apply: 'no change', ruleset/pins/state byte-identical; enable of the same parameters too"

# ---- change one, remove one: the dry run says exactly that ------------------------
cat >"$D/$B.conf" <<EOF
[customer]
profile = pbx
netns = $N2
mode = monitor
deny = 203.0.113.0/24 192.0.2.67/32
EOF
rm "$D/$C.conf"
apply_ok "$D" --dry-run
want="change $B: profile trunk -> pbx, mode profile's -> monitor, deny +192.0.2.67/32 -192.0.2.66/32
disable $C: not in the desired state (profile shield, netns $N3)
plan: 0 to enable, 1 to change, 0 to repair, 1 to disable, 1 unchanged
dry run: nothing changed"
[ "$out" = "$want" ] || fail "dry run of a change and a removal printed:
$out
instead of:
$want"
[ "$s1" = "$(snap)" ] || fail "dry run of a change and a removal changed something"
j=$(sg apply "$D" --dry-run --json) || fail "apply --dry-run --json rc=$?"
echo "$j" | jq -e '.dry_run and .change and .counts == {"keep":1,"enable":0,"change":1,"repair":0,"disable":1} and
	(.plan[] | select(.customer == "sga-b") | .changes == {"profile":{"from":"trunk","to":"pbx"},
	 "mode":{"from":"profile","to":"monitor"},"deny":{"added":["192.0.2.67/32"],"removed":["192.0.2.66/32"]}}) and
	(.plan[] | select(.customer == "sga-c") | .action == "disable")' >/dev/null || fail "apply --dry-run --json: $j"
[ "$s1" = "$(snap)" ] || fail "dry run --json changed something"
ok "dry run of a change and a removal: exactly that plan (text and JSON), nothing changed"

apply_ok "$D"
echo "$out" | grep -qx "applied: 0 enabled, 1 changed, 0 repaired, 1 disabled, 1 unchanged" || fail "apply: $out"
sg status $B >/dev/null || fail "status $B rc=$?"
sg status $A >/dev/null || fail "status $A rc=$?"
[ -e "$LAB_STATE/customers/$C.conf" ] && fail "$C still has a state file"
[ -e "$LAB_PINS/$C" ] && fail "$C still has pins"
nsenter --net=/run/netns/$N3 nft list ruleset 2>/dev/null | grep -q sipguard && fail "$C's rules are still in $N3"
nsenter --net=/run/netns/$N2 nft list ruleset 2>/dev/null | grep -q "sipguard $B profile=pbx mode=monitor validator" ||
	fail "$B's rules are not pbx monitor: $(nsenter --net=/run/netns/$N2 nft list ruleset)"
nsenter --net=/run/netns/$N2 nft list ruleset 2>/dev/null | grep -q "192.0.2.67" || fail "$B's new deny entry is missing"
nsenter --net=/run/netns/$N2 nft list ruleset 2>/dev/null | grep -q "192.0.2.66" && fail "$B's old deny entry is still there"
s2=$(snap)
apply_ok "$D"
[ "$out" = "no change (2 customers as desired)" ] || fail "apply after convergence: $out"
[ "$s2" = "$(snap)" ] || fail "apply after convergence changed something"
j=$(sg apply "$D" --json 2>/dev/null) || fail "apply --json after convergence rc=$?"
[ "$(echo "$j" | wc -l)" -eq 1 ] || fail "apply --json: not one line: $j"
echo "$j" | jq -e --arg d "$D" '.schema == "sipguard/1" and .action == "apply" and .source == $d and
	.result == "unchanged" and .exit_code == 0 and (.change | not) and (.dry_run | not) and .counts.keep == 2' >/dev/null ||
	fail "apply --json after convergence: $j"
[ "$s2" = "$(snap)" ] || fail "apply --json after convergence changed something"
got=$(audit)
echo "$got" | grep -qxF "switch customer=$B profile=pbx mode=monitor netns=$N2 generation=2 prev_profile=trunk prev_mode=enforce prev_generation=1 origin=apply source=$D/$B.conf result=ok" ||
	fail "audit: no switch of $B: $got"
echo "$got" | grep -qx "disable customer=$C netns=$N3 prev_profile=shield prev_mode=monitor prev_generation=1 origin=apply result=ok" ||
	fail "audit: no disable of $C: $got"
[ "$(echo "$got" | wc -l)" -eq 5 ] || fail "audit: want 5 lines (a run without change is not one): $got"
ok "apply --json (schema, unchanged), audit: $B's switch and $C's disable with origin=apply"
ok "apply converged: $B pbx monitor with its new deny list, $C gone (rules, pins, state); then 'no change'"

# ---- a broken file, or a missing namespace, anywhere: nothing changes ----------------
sed -i 's/^mode = monitor/mode = enforce/' "$D/$B.conf" # a real change waits behind the errors
printf '[customer]\nprofile = pbx\nnetns = %s\nprofil = trunk\n' $N3 >"$D/$C.conf"
out=$(sg apply "$D" 2>&1); rc=$?
[ $rc -eq 2 ] || fail "broken file: rc=$rc, want 2: $out"
echo "$out" | grep -qF "$D/$C.conf:4: unknown key 'profil' in [customer]" || fail "broken file: no FILE:LINE: $out"
echo "$out" | grep -q "nothing changed" || fail "broken file: $out"
[ "$s2" = "$(snap)" ] || fail "a broken file changed something"
j=$(sg apply "$D" --json 2>/dev/null); rc=$?
[ $rc -eq 2 ] || fail "broken file --json: rc=$rc, want 2"
echo "$j" | jq -e --arg f "$D/$C.conf:4: unknown key 'profil'" '.schema == "sipguard/1" and .result == "failed" and
	.exit_code == 2 and (.error | startswith($f))' >/dev/null || fail "broken file --json: $j"
printf '[customer]\nprofile = pbx\nnetns = %s\n' sga-nosuch >"$D/$C.conf"
out=$(sg apply "$D" 2>&1); rc=$?
[ $rc -eq 3 ] || fail "missing namespace: rc=$rc, want 3: $out"
echo "$out" | grep -qF "$D/$C.conf:3: network namespace 'sga-nosuch' not found" || fail "missing namespace: $out"
[ "$s2" = "$(snap)" ] || fail "a missing namespace changed something"
printf '[customer]\nprofile = no-such-profile\nnetns = %s\n' $N3 >"$D/$C.conf"
out=$(sg apply "$D" 2>&1); rc=$?
[ $rc -eq 2 ] || fail "unknown profile: rc=$rc, want 2: $out"
echo "$out" | grep -qF "$D/$C.conf:2: profile 'no-such-profile' not loaded" || fail "unknown profile: $out"
[ "$s2" = "$(snap)" ] || fail "an unknown profile changed something"
j=$(sg apply "$D" --json 2>/dev/null); rc=$?
[ $rc -eq 2 ] || fail "unknown profile --json: rc=$rc, want 2"
echo "$j" | jq -e '.schema == "sipguard/1" and .result == "failed" and .exit_code == 2 and
	(.plan[] | select(.customer == "sga-c") | .action == null and .exit_code == 2 and (.error | test("no-such-profile")))' >/dev/null ||
	fail "unknown profile --json: $j"
audit | tail -1 | grep -q "^enable customer=$C profile=no-such-profile netns=$N3 origin=apply source=$D/$C.conf result=failed: no profile 'no-such-profile'" ||
	fail "audit of the unknown profile: $(audit | tail -1)"
ok "apply --json of a broken file and of an unknown profile: exit 2, result failed, the error; the failure audited"
printf '[customer]\nprofile = pbx\nnetns = %s\n' $N3 >"$D/Bad_Name.conf"
out=$(sg apply "$D" 2>&1); rc=$?
[ $rc -eq 2 ] || fail "bad file name: rc=$rc, want 2: $out"
echo "$out" | grep -qF "$D/Bad_Name.conf:0: bad customer name 'Bad_Name'" || fail "bad file name: $out"
[ "$s2" = "$(snap)" ] || fail "a bad file name changed something"
rm -f "$D/Bad_Name.conf" "$D/$C.conf"
sed -i 's/^mode = enforce/mode = monitor/' "$D/$B.conf"
ok "unknown key (2, FILE:LINE), missing namespace (3), unknown profile (2), bad file name (2): ruleset, pins, state byte-identical"

# ---- a namespace move is said in the plan and in the output ----------------------
sed -i "s/^netns = $N1/netns = $N4/" "$D/$A.conf"
apply_ok "$D" --dry-run
echo "$out" | grep -qx "change $A: netns $N1 -> $N4 (moves to another network namespace)" || fail "dry run of a move: $out"
apply_ok "$D"
echo "$out" | grep -qx "$A: moved from network namespace '$N1' to '$N4'" || fail "apply of a move: $out"
nsenter --net=/run/netns/$N1 nft list ruleset 2>/dev/null | grep -q sipguard && fail "$A's rules stayed in $N1"
nsenter --net=/run/netns/$N4 nft list ruleset 2>/dev/null | grep -q "sipguard $A profile=pbx validator" || fail "$A's rules not in $N4"
sg status $A >/dev/null || fail "status $A after the move rc=$?"
ok "namespace move: 'netns $N1 -> $N4 (moves ...)' in the plan, 'moved from' in the output, rules only in $N4"

# ---- kill -9 in the middle of a plan: a rerun converges ---------------------------------
cp "$D/$A.conf" "$LAB_TMP/a.conf" && cp "$D/$B.conf" "$LAB_TMP/b.conf"
printf 'mode = monitor\n' >>"$D/$A.conf"
sed -i 's/^mode = monitor/mode = enforce/' "$D/$B.conf"
for point in after-pin before-nft after-nft; do
	out=$(SIPGUARD_FAULT=$point sg apply "$D" 2>&1); rc=$?
	[ $rc -eq 137 ] || fail "apply killed at $point: rc=$rc: $out"
	apply_ok "$D"
	echo "$out" | grep -q "^applied: " || fail "rerun after a kill at $point: $out"
	for c in $A $B; do
		sg status $c >/dev/null || fail "status $c after a kill at $point and a rerun: rc=$?"
		[ "$(ls "$LAB_PINS/$c" | wc -l)" -eq 1 ] || fail "$c: generations pinned after the rerun: $(ls "$LAB_PINS/$c")"
	done
	apply_ok "$D"
	[ "$out" = "no change (2 customers as desired)" ] || fail "second rerun after a kill at $point: $out"
	# back, for the next point
	cp "$LAB_TMP/a.conf" "$D/$A.conf" && cp "$LAB_TMP/b.conf" "$D/$B.conf"
	apply_ok "$D"
	printf 'mode = monitor\n' >>"$D/$A.conf"
	sed -i 's/^mode = monitor/mode = enforce/' "$D/$B.conf"
done
cp "$LAB_TMP/a.conf" "$D/$A.conf" && cp "$LAB_TMP/b.conf" "$D/$B.conf"
apply_ok "$D"
ok "apply of two changes killed -9 at after-pin, before-nft, after-nft: a rerun converges (one generation each, status in sync), then 'no change'"

# ---- the kernel lost a chain: apply repairs it ----------------------------------------
nsenter --net=/run/netns/$N2 nft delete table inet sipguard 2>/dev/null
sg status $B >/dev/null; [ $? -eq 4 ] || fail "status after deleting $B's table: want 4"
apply_ok "$D" --dry-run
echo "$out" | grep -qx "repair $B: its chain is missing; rebuilt as its state says (profile pbx, netns $N2)" ||
	fail "dry run of a repair: $out"
apply_ok "$D"
echo "$out" | grep -qx "applied: 0 enabled, 0 changed, 1 repaired, 0 disabled, 1 unchanged" || fail "repair: $out"
sg status $B >/dev/null || fail "status $B after the repair rc=$?"
ok "a deleted table: the plan says repair, apply rebuilds it"

# ---- one file: that customer only ------------------------------------------------------
sed -i 's/^peer = .*/peer = 198.51.100.0\/25/' "$D/$A.conf"
sb=$(nsenter --net=/run/netns/$N2 nft -a list ruleset 2>/dev/null; cat "$LAB_STATE/customers/$B.conf")
apply_ok "$D/$A.conf"
echo "$out" | grep -qx "change $A: peer +198.51.100.0/25 -198.51.100.0/24" || fail "apply of one file: $out"
echo "$out" | grep -q "^disable" && fail "apply of one file disabled others: $out"
[ "$sb" = "$(nsenter --net=/run/netns/$N2 nft -a list ruleset 2>/dev/null; cat "$LAB_STATE/customers/$B.conf")" ] ||
	fail "apply of $A's file touched $B"
ok "apply of one file: its customer changed, the others untouched"

# ---- an empty directory: every customer managed here is disabled ----------------------
mkdir "$LAB_TMP/empty"
apply_ok "$LAB_TMP/empty"
echo "$out" | grep -qx "applied: 0 enabled, 0 changed, 0 repaired, 2 disabled, 0 unchanged" || fail "empty dir: $out"
[ -z "$(sg list)" ] || fail "customers left: $(sg list)"
ok "an empty directory disables every customer"
echo "all passed"
