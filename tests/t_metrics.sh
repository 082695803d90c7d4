#!/usr/bin/env bash
# Live test of what operators read (tests/lib/lab.sh namespaces): the command
# line (--help, --version, -v, bad options), every JSON output (jq; one line,
# "schema": "sipguard/1"), the Prometheus exposition and the node_exporter
# textfile (promtool check metrics; one HELP/TYPE per family, stable labels),
# the audit trail (SIPGUARD_AUDIT_LOG; the journal too when journald runs),
# and a broken state file: outputs stay valid JSON, exit codes say so.
set -u
here=$(cd "$(dirname "$0")" && pwd)
: "${SG_BUILD:=$here/../build}"
source "$here/lib/lab.sh"
[ -x "$SIPGUARD" ] || fail "no $SIPGUARD (build first)"
for t in jq promtool nft nsenter python3; do
	command -v $t >/dev/null || fail "$t not installed (scripts/setup.sh)"
done
trap lab_down EXIT
lab_up || fail "lab setup"
export SIPGUARD_AUDIT_LOG=$LAB_TMP/audit.log
since=$(date '+%Y-%m-%d %H:%M:%S')
A=sgt-met B=sgt-met2
o=$LAB_TMP/out e=$LAB_TMP/err
pcaps=$(cd "$here/../pcaps" && pwd)

# json_ok WHAT: $o holds one line of JSON with the schema
json_ok() {
	[ "$(wc -l <"$o")" -eq 1 ] || fail "$1: not one line: $(head -c 400 "$o")"
	jq -e '.schema == "sipguard/1"' "$o" >/dev/null || fail "$1: not JSON with schema sipguard/1: $(head -c 400 "$o")"
}
# jqt WHAT FILTER: the filter holds on $o
jqt() { jq -e "$2" "$o" >/dev/null || fail "$1: ($2) does not hold: $(head -c 600 "$o")"; }

# prom_ok WHAT FILE: promtool accepts it, each family has one HELP and one
# TYPE before all of its samples, and no sample has a handle label
prom_ok() {
	promtool check metrics <"$2" >"$LAB_TMP/promtool" 2>&1 || fail "$1: promtool: $(cat "$LAB_TMP/promtool")"
	python3 - "$2" <<'PY' || fail "$1: exposition not grouped by family"
import re, sys
seen, cur, ok = set(), None, True
help_, type_ = {}, {}
for line in open(sys.argv[1]):
    line = line.rstrip("\n")
    m = re.match(r"# (HELP|TYPE) (\S+)", line)
    if m:
        d = help_ if m.group(1) == "HELP" else type_
        d[m.group(2)] = d.get(m.group(2), 0) + 1
        if m.group(2) != cur:
            if m.group(2) in seen:
                print("family %s starts twice" % m.group(2)); ok = False
            seen.add(m.group(2)); cur = m.group(2)
        continue
    name = re.match(r"[a-zA-Z_:][a-zA-Z0-9_:]*", line).group(0)
    if name != cur:
        print("sample %s outside its family block (%s)" % (name, cur)); ok = False
    if 'handle="' in line:
        print("handle label: " + line); ok = False
for f in seen:
    if help_.get(f) != 1 or type_.get(f) != 1:
        print("family %s: %s HELP, %s TYPE" % (f, help_.get(f), type_.get(f))); ok = False
sys.exit(0 if ok else 1)
PY
}

# ---- command line -----------------------------------------------------------
"$SIPGUARD" --version >"$o" || fail "--version rc=$?"
grep -qxE 'sipguard [0-9]+\.[0-9]+\.[0-9]+' "$o" || fail "--version: $(cat "$o")"
"$SIPGUARD" -v --version >"$o" || fail "-v --version rc=$?"
grep -qE '^libbpf [0-9]+\.[0-9]+$' "$o" && grep -q '^json-c ' "$o" || fail "-v --version: $(cat "$o")"
for c in enable disable status stats list restore apply sync check profiles; do
	"$SIPGUARD" $c --help >"$o" 2>"$e" || fail "$c --help rc=$?"
	grep -q "^Usage: sipguard $c" "$o" && [ ! -s "$e" ] || fail "$c --help: not a usage on stdout: $(head -3 "$o" "$e")"
	"$SIPGUARD" $c --bogus >"$o" 2>"$e"; rc=$?
	[ $rc -eq 2 ] && [ ! -s "$o" ] && grep -q "Usage: sipguard $c" "$e" ||
		fail "$c --bogus: rc=$rc, want 2, usage on stderr only: $(head -3 "$o" "$e")"
done
"$SIPGUARD" --bogus >"$o" 2>"$e"; rc=$?
[ $rc -eq 2 ] && [ ! -s "$o" ] || fail "sipguard --bogus rc=$rc"
# options after the positional arguments too (getopt_long permutes)
"$SIPGUARD" check "$pcaps/svwar.pcap" --profile pbx --json >"$o" || fail "check with options last rc=$?"
json_ok "check, options last"
# libbpf speaks with -v only: the verifier's log of a rejected load
SIPGUARD_FAULT=verifier "$SIPGUARD" check --profile pbx "$pcaps/svwar.pcap" >/dev/null 2>"$e"
grep -q "libbpf" "$e" && fail "libbpf messages without -v: $(head -5 "$e")"
grep -q "run with -v" "$e" || fail "verifier failure without its hint: $(cat "$e")"
SIPGUARD_FAULT=verifier "$SIPGUARD" -v check --profile pbx "$pcaps/svwar.pcap" >/dev/null 2>"$e"
grep -q "BEGIN PROG LOAD LOG" "$e" || fail "-v: no verifier log from libbpf: $(head -5 "$e")"
ok "--version, -v --version, --help (stdout, 0) and bad options (stderr, 2) of every command; libbpf and the verifier log with -v only"

# ---- offline JSON: check, profiles -------------------------------------------
"$SIPGUARD" check --profile pbx --json "$pcaps/svwar.pcap" >"$o" || fail "check --json rc=$?"
json_ok "check --json"
jqt "check --json" '.profile == "pbx" and .packets > 0 and .dropped == .packets and (.verdicts | length) == .packets'
"$SIPGUARD" profiles --json >"$o" || fail "profiles --json rc=$?"
json_ok "profiles --json"
jqt "profiles --json" '[.profiles[].name] | index("pbx") != null'
jqt "profiles --json" '.profiles[] | select(.name == "pbx") | .from == "shipped" and .mode == "enforce"'
"$SIPGUARD" profiles pbx --json >"$o" || fail "profiles pbx --json rc=$?"
json_ok "profiles pbx --json"
jqt "profiles pbx --json" '.profile.name == "pbx" and .profile.rate.per_source == 50 and (.profile.methods.allow | index("INVITE")) != null'
printf '[profile]\nname = broken\nthis line is wrong\n' >"$LAB_TMP/broken.ini"
"$SIPGUARD" profiles "$LAB_TMP/broken.ini" --json >"$o" 2>"$e"; rc=$?
[ $rc -eq 2 ] || fail "profiles broken.ini --json rc=$rc, want 2"
json_ok "profiles broken --json"
jqt "profiles broken --json" '.error | test("broken.ini:3")'
# failures that are not a bad command line still give an object, with why
# nobody reads the profiles from a copy it can read: a checkout in a 0700
# directory (mktemp -d) would otherwise make the profile lookup, which
# comes first, fail with exit 2 before the missing privileges show
chmod 711 "$LAB_TMP"
cp -r "$here/../profiles" "$LAB_TMP/profiles-nobody" && chmod -R a+rX "$LAB_TMP/profiles-nobody"
nobody() { SIPGUARD_PROFILES=$LAB_TMP/profiles-nobody SIPGUARD_STATE_DIR=$LAB_STATE \
	setpriv --reuid=65534 --regid=65534 --clear-groups "$SIPGUARD" "$@"; }
if command -v setpriv >/dev/null; then
	nobody check --profile pbx --json "$pcaps/svwar.pcap" >"$o" 2>/dev/null; rc=$?
	[ $rc -eq 3 ] || fail "check --json as nobody rc=$rc, want 3"
	json_ok "check --json as nobody"
	jqt "check --json as nobody" '.error | test("root")'
	nobody status --json >"$o" 2>/dev/null; rc=$?
	[ $rc -eq 3 ] || fail "status --json as nobody rc=$rc, want 3"
	json_ok "status --json as nobody"
	jqt "status --json as nobody" '(.error | test("root")) and .customers == []'
fi
sg status sgt-nosuch --json >"$o" 2>/dev/null; rc=$?
[ $rc -eq 1 ] || fail "status of an unknown customer rc=$rc, want 1"
json_ok "status --json, unknown customer"
jqt "status --json, unknown customer" '.error | test("not enabled")'
ok "check --json, profiles --json (list, one, broken: exit 2 with the error in the JSON), errors as JSON (not root: 3, unknown customer: 1)"

# ---- enable --json, traffic ----------------------------------------------------
sg enable $A --profile pbx --netns $LAB_CUST --json >"$o" 2>"$e" || fail "enable --json rc=$?: $(cat "$e")"
json_ok "enable --json"
jqt "enable --json" ".customer == \"$A\" and .action == \"enable\" and .result == \"ok\" and .generation == 1 and .previous == null and .profile == \"pbx\" and .mode == \"enforce\" and .netns == \"$LAB_CUST\""
grep -q "enabled profile pbx" "$e" || fail "enable --json: the text report is not on stderr: $(cat "$e")"
sg enable $A --profile pbx --netns $LAB_CUST --json >"$o" 2>/dev/null || fail "enable again --json rc=$?"
json_ok "enable again --json"
jqt "enable again --json" '.result == "unchanged" and .generation == 1'
sg enable $B --profile edge --netns $LAB_CUST2 >/dev/null || fail "enable $B rc=$?"

# a few packets to the customer: valid SIP, a scanner, garbage
lab_phone python3 - "$LAB_CUST4" <<'PY'
import socket, sys
dst = (sys.argv[1], 5060)
def msg(ua, n):
    return ("OPTIONS sip:100@%s SIP/2.0\r\nVia: SIP/2.0/UDP 198.51.100.20:5070;branch=z9hG4bK%d\r\n"
            "Max-Forwards: 70\r\nFrom: <sip:a@198.51.100.20>;tag=%d\r\nTo: <sip:100@%s>\r\n"
            "Call-ID: c%d@198.51.100.20\r\nCSeq: 1 OPTIONS\r\nUser-Agent: %s\r\nContent-Length: 0\r\n\r\n"
            % (dst[0], n, n, dst[0], n, ua)).encode()
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.bind(("198.51.100.20", 5070))
for n in range(5):
    s.sendto(msg("lab-phone", n), dst)
for n in range(7):
    s.sendto(msg("friendly-scanner", 100 + n), dst)
for n in range(3):
    s.sendto(b"\x01\x02 not sip at all " * 20, dst)
PY
sleep 0.5
sg stats $A --json >"$o" || fail "stats --json rc=$?"
json_ok "stats --json"
jqt "stats --json" ".customers[0].customer == \"$A\" and .customers[0].reasons.scanner.packets == 7 and .customers[0].reasons.sip.packets == 5 and .customers[0].reasons[\"not-sip\"].packets == 3 and .customers[0].in_sync"
# one validator rule (in the validator's chain); a to-validator rule ends
# each TCP branch (IPv4 and IPv6): the UDP branches' meters, enforcing, send
# on or drop every packet
jqt "stats --json" '.customers[0].rules | (map(select(.kind == "validator")) | length == 1) and (map(select(.kind == "to-validator")) | length == 2)'
jqt "stats --json" '.profiles | map(select(.profile == "pbx" and .verified_instructions > 0)) | length == 1'
ok "enable --json (ok, then unchanged; text on stderr), 15 packets counted: 5 sip, 7 scanner, 3 not-sip"

# ---- status, list ------------------------------------------------------------
sg status --json >"$o" || fail "status --json rc=$?"
json_ok "status --json"
jqt "status --json" ".in_sync and (.customers | length) == 2 and (.customers[0].rules | length) > 3 and .customers[0].pins.program_present"
sg list --json >"$o" || fail "list --json rc=$?"
json_ok "list --json"
jqt "list --json" "[.customers[].customer] == [\"$A\", \"$B\"] and .customers[0].generation == 1"
ok "status --json, list --json"

# ---- Prometheus --------------------------------------------------------------
sg stats --prometheus >"$LAB_TMP/prom" || fail "stats --prometheus rc=$?"
prom_ok "stats --prometheus" "$LAB_TMP/prom"
p=$LAB_TMP/prom
for want in \
	"sipguard_customer_info{customer=\"$A\",profile=\"pbx\",mode=\"enforce\"} 1" \
	"sipguard_customer_info{customer=\"$B\",profile=\"edge\",mode=\"enforce\"} 1" \
	"sipguard_customer_drift{customer=\"$A\"} 0" \
	"sipguard_customer_generation{customer=\"$A\"} 1" \
	"sipguard_packets_total{customer=\"$A\",profile=\"pbx\",reason=\"scanner\",action=\"drop\"} 7" \
	"sipguard_packets_total{customer=\"$A\",profile=\"pbx\",reason=\"sip\",action=\"pass\"} 5" \
	"sipguard_events_suppressed_total{customer=\"$A\",reason=\"scanner\"} 0" \
	"sipguard_state_errors 0"; do
	grep -qxF "$want" "$p" || fail "prometheus: no line '$want'"
done
# the xt bpf rules (one per branch, summed) count what they matched: the drops (7 scanner, 3 not-sip)
grep -qE "^sipguard_rule_packets_total\{customer=\"$A\",profile=\"pbx\",family=\"inet\",role=\"validator\"\} 10$" "$p" ||
	fail "prometheus: the validator rule did not match 10 packets: $(grep rule_packets "$p" | grep $A)"
grep -qE "^sipguard_rule_packets_total\{customer=\"$A\",profile=\"pbx\",family=\"ip\",role=\"rate\"\} " "$p" ||
	fail "prometheus: no IPv4 rate rule: $(grep rule_packets "$p" | grep $A)"
grep -qE '^sipguard_profile_info\{profile="pbx",slot="[0-9]+",variant="(may_goto|portable)"\} 1$' "$p" ||
	fail "prometheus: no profile_info for pbx"
grep -qE '^sipguard_profile_verified_instructions\{profile="pbx",slot="[0-9]+"\} [1-9][0-9]*$' "$p" ||
	fail "prometheus: no verified instructions for pbx"
# stable: the same series after a switch and back (handles change, labels do not)
series() { grep -v '^#' "$1" | grep "customer=\"$A\"" | grep -v generation | sed 's/ [0-9]*$//' | sort; }
series "$p" >"$LAB_TMP/series1"

tf=$LAB_TMP/textfile
mkdir -p "$tf"
sg stats --prometheus --textfile "$tf" >"$o" || fail "--textfile rc=$?"
[ ! -s "$o" ] || fail "--textfile printed on stdout: $(head -3 "$o")"
[ -f "$tf/sipguard.prom" ] || fail "--textfile: no $tf/sipguard.prom"
[ "$(ls -A "$tf")" = "sipguard.prom" ] || fail "--textfile left other files: $(ls -A "$tf")"
[ "$(stat -c %a "$tf/sipguard.prom")" = 644 ] || fail "--textfile: mode $(stat -c %a "$tf/sipguard.prom")"
prom_ok "--textfile" "$tf/sipguard.prom"
diff <(grep '^# ' "$p") <(grep '^# ' "$tf/sipguard.prom") >/dev/null || fail "--textfile: other families than stdout"
sg stats --textfile /nonexistent/dir >/dev/null 2>"$e"; rc=$?
[ $rc -eq 1 ] && grep -q "/nonexistent/dir" "$e" || fail "--textfile to a missing directory: rc=$rc $(cat "$e")"
ok "prometheus: promtool ok, families grouped, customer info, drift, per reason, rules by role and family, suppressed events, profile validators; textfile atomic (0644, nothing else left)"

# ---- switch, audit -------------------------------------------------------------
sg enable $A --profile trunk --netns $LAB_CUST --json >"$o" 2>/dev/null || fail "switch --json rc=$?"
json_ok "switch --json"
jqt "switch --json" '.action == "switch" and .result == "ok" and .profile == "trunk" and .generation == 2 and .previous.profile == "pbx" and .previous.generation == 1'
sg enable $A --profile pbx --netns $LAB_CUST --json >"$o" 2>/dev/null || fail "switch back rc=$?"
jqt "switch back --json" '.action == "switch" and .generation == 3'
sg stats --prometheus >"$LAB_TMP/prom2" || fail "stats --prometheus after switches rc=$?"
series "$LAB_TMP/prom2" >"$LAB_TMP/series2"
diff "$LAB_TMP/series1" "$LAB_TMP/series2" >/dev/null || fail "series changed with the generation: $(diff "$LAB_TMP/series1" "$LAB_TMP/series2")"
grep -qxF "sipguard_customer_generation{customer=\"$A\"} 3" "$LAB_TMP/prom2" || fail "generation gauge not 3"
sg enable $A --profile no-such-profile --netns $LAB_CUST --json >"$o" 2>/dev/null; rc=$?
[ $rc -eq 2 ] || fail "enable of a missing profile rc=$rc, want 2"
json_ok "failed enable --json"
jqt "failed enable --json" '.result == "failed" and (.error | test("no profile .no-such-profile.")) and .generation == 3 and .exit_code == 2'

a=$SIPGUARD_AUDIT_LOG
[ -f "$a" ] || fail "no audit log at $a"
want=(
	"enable customer=$A profile=pbx mode=enforce netns=$LAB_CUST generation=1 result=ok"
	"enable customer=$B profile=edge mode=enforce netns=$LAB_CUST2 generation=1 result=ok"
	"switch customer=$A profile=trunk mode=enforce netns=$LAB_CUST generation=2 prev_profile=pbx prev_generation=1 result=ok"
	"switch customer=$A profile=pbx mode=enforce netns=$LAB_CUST generation=3 prev_profile=trunk prev_generation=2 result=ok"
	"enable customer=$A profile=no-such-profile netns=$LAB_CUST generation=3 prev_profile=pbx prev_mode=enforce prev_generation=3 result=failed: no profile 'no-such-profile'"
)
got=$(sed -E 's/^[0-9T:+-]+ sipguard\[[0-9]+\]: //' "$a")
[ "$(echo "$got" | wc -l)" -eq 5 ] || fail "audit: want 5 lines (the unchanged enable is not a change): $got"
for i in 0 1 2 3 4; do
	line=$(echo "$got" | sed -n "$((i + 1))p")
	[[ "$line" == "${want[$i]}"* ]] || fail "audit line $((i + 1)): got '$line', want '${want[$i]}...'"
done
grep -qE '^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9:]{8}[+-][0-9]{4} sipguard\[[0-9]+\]: ' "$a" || fail "audit: no timestamp/pid prefix: $(head -1 "$a")"
ok "switch --json (previous, generation), labels stable across generations, failed enable --json (2, error), audit: 5 lines"

# ---- broken state file: valid JSON, exit codes --------------------------------
echo 'garbage $%^ not a state file' >"$LAB_STATE/customers/sgt-x.conf"
sg list --json >"$o" 2>"$e"; rc=$?
[ $rc -eq 1 ] || fail "list --json with a broken state file rc=$rc, want 1"
json_ok "list --json, broken state"
jqt "list --json, broken state" "(.customers | length) == 3 and (.customers[] | select(.customer == \"sgt-x\") | .error | test(\"sgt-x.conf\")) and (.customers[] | select(.customer == \"$A\") | .profile == \"pbx\")"
grep -q "sgt-x.conf" "$e" || fail "list: the broken state file not named on stderr: $(cat "$e")"
sg list >"$o" 2>"$e"; rc=$?
[ $rc -eq 1 ] && grep -q "sgt-x.conf" "$e" || fail "list (text) with a broken state file rc=$rc"
sg status --json >"$o" 2>"$e"; rc=$?
[ $rc -eq 4 ] || fail "status --json with a broken state file rc=$rc, want 4"
json_ok "status --json, broken state"
jqt "status --json, broken state" '(.in_sync | not) and (.customers[] | select(.customer == "sgt-x") | (.in_sync | not) and (.error | length > 0))'
sg status sgt-x --json >"$o" 2>/dev/null; rc=$?
[ $rc -eq 4 ] || fail "status sgt-x rc=$rc, want 4"
json_ok "status sgt-x --json"
sg stats --json >"$o" 2>"$e"; rc=$?
[ $rc -eq 1 ] || fail "stats --json with a broken state file rc=$rc, want 1"
json_ok "stats --json, broken state"
jqt "stats --json, broken state" "(.customers[] | select(.customer == \"sgt-x\") | .error | length > 0) and (.customers[] | select(.customer == \"$A\") | .reasons.scanner.packets == 7)"
sg stats --prometheus >"$LAB_TMP/prom3" 2>"$e"; rc=$?
[ $rc -eq 1 ] || fail "stats --prometheus with a broken state file rc=$rc, want 1"
prom_ok "stats --prometheus, broken state" "$LAB_TMP/prom3"
grep -qxF 'sipguard_customer_drift{customer="sgt-x"} 1' "$LAB_TMP/prom3" && grep -qxF 'sipguard_state_errors 1' "$LAB_TMP/prom3" ||
	fail "prometheus: the broken state file is not reported"
sg stats --textfile "$tf" 2>/dev/null; rc=$?
[ $rc -eq 1 ] || fail "--textfile with a broken state file rc=$rc, want 1"
prom_ok "--textfile, broken state" "$tf/sipguard.prom"
grep -qxF 'sipguard_state_errors 1' "$tf/sipguard.prom" || fail "--textfile: state error not written"
sg restore --json >"$o" 2>"$e"; rc=$?
[ $rc -eq 1 ] || fail "restore --json with a broken state file rc=$rc, want 1"
json_ok "restore --json"
jqt "restore --json" ".result == \"failed\" and (.customers[] | select(.customer == \"sgt-x\") | .result == \"failed\") and (.customers[] | select(.customer == \"$A\") | .result == \"unchanged\" and .action == \"restore\")"
tail -1 "$a" | grep -q "restore customer=sgt-x result=failed: unreadable state file" || fail "audit: restore of the broken state: $(tail -1 "$a")"
rm -f "$LAB_STATE/customers/sgt-x.conf"
ok "broken state file: list 1, status 4, stats 1 (JSON, Prometheus, textfile), restore 1; valid JSON with an error entry, named on stderr, audited"

# ---- disable, restore ------------------------------------------------------------
sg disable $B --json >"$o" 2>/dev/null || fail "disable --json rc=$?"
json_ok "disable --json"
jqt "disable --json" ".customer == \"$B\" and .action == \"disable\" and .result == \"ok\" and .generation == null and .previous.profile == \"edge\""
sg disable $B --json >"$o" 2>/dev/null; rc=$?
[ $rc -eq 1 ] || fail "disable of a disabled customer rc=$rc"
json_ok "disable again --json"
jqt "disable again --json" '.result == "failed" and (.error | test("not enabled"))'
tail -2 "$a" | head -1 | grep -q "disable customer=$B netns=$LAB_CUST2 prev_profile=edge prev_mode=enforce prev_generation=1 result=ok" ||
	fail "audit: disable: $(tail -2 "$a")"
# restore rebuilds what the namespace lost
lab_cust nft delete table inet sipguard
sg restore --json >"$o" 2>/dev/null || fail "restore --json rc=$?"
json_ok "restore --json"
jqt "restore --json" ".result == \"ok\" and (.customers | length) == 1 and .customers[0].result == \"ok\" and .customers[0].generation == 4"
tail -1 "$a" | grep -q "restore customer=$A profile=pbx mode=enforce netns=$LAB_CUST generation=4 prev_profile=pbx prev_generation=3 result=ok" ||
	fail "audit: restore: $(tail -1 "$a")"
ok "disable --json (ok; again: 1, failed), restore --json after the table was lost, audited"

# ---- the journal, when journald runs ---------------------------------------------
if [ -S /run/systemd/journal/socket ] && command -v journalctl >/dev/null; then
	sleep 1
	j=$(journalctl -t sipguard --since "$since" -o cat 2>/dev/null)
	echo "$j" | grep -q "switch customer=$A profile=trunk" || fail "journal: no switch line: $j"
	ok "journal: journalctl -t sipguard has the audit lines"
else
	ok "journal: no systemd-journald here, the audit file alone was checked"
fi
sg disable $A >/dev/null || fail "disable $A"

# ---- many customers: status and stats probe them on several threads, in -------
# batches of 64; what they print must be in name order, each customer's
# entry the same as its own status, drift where it is
MANY=150 mns=sgt-many${LAB_SUFFIX:-}
many_down() { ip netns list | awk -v p="^$mns-" '$1 ~ p { print "netns del " $1 }' | ip -force -batch - 2>/dev/null; }
trap 'many_down; lab_down' EXIT
for i in $(seq -w 1 $MANY); do echo "netns add $mns-$i"; done | ip -force -batch - || fail "$MANY namespaces"
for i in $(seq -w 1 $MANY); do
	sg enable sgt-m$i --profile pbx --netns $mns-$i >/dev/null 2>"$e" || fail "enable sgt-m$i: $(cat "$e")"
done
ip netns del $mns-070                          # a namespace gone, in the second batch
cp "$LAB_STATE/customers/sgt-m130.conf" "$LAB_TMP/m130.conf"
echo "garbage" >"$LAB_STATE/customers/sgt-m130.conf"  # a state file broken, in the third
sg status --json >"$o" 2>"$e"; rc=$?
[ $rc -eq 4 ] || fail "status of $MANY customers, one drifted: rc=$rc"
json_ok "status --json of $MANY customers"
jqt "status --json order" "[.customers[].customer] == ([range(1; $((MANY + 1)))] | map(\"sgt-m\" + (tostring | if length == 1 then \"00\" + . elif length == 2 then \"0\" + . else . end)))"
jqt "status --json drift" '[.customers[] | select(.in_sync == false) | .customer] == ["sgt-m070", "sgt-m130"]'
jqt "status --json whole" '.in_sync == false and ([.customers[] | select(.customer != "sgt-m070" and .customer != "sgt-m130") | .rules | length] | unique) == [18]'
for i in 001 064 065 070 128 129 150; do
	want=$(sg status sgt-m$i --json 2>/dev/null | jq -c '.customers[0]')
	got=$(jq -c ".customers[] | select(.customer == \"sgt-m$i\")" "$o")
	[ -n "$want" ] && [ "$want" = "$got" ] || fail "status sgt-m$i: alone $want, among $MANY $got"
done
sg status >"$o" 2>"$e"
[ "$(grep -c '^sgt-m' "$o")" -eq $MANY ] || fail "status text: $(grep -c '^sgt-m' "$o") customers, want $MANY"
grep '^sgt-m' "$o" | cut -d: -f1 | sort -c 2>"$e" || fail "status text out of order: $(cat "$e")"
sg stats --prometheus >"$o" 2>"$e"; rc=$?
[ $rc -eq 1 ] || fail "stats of $MANY customers, one state file broken: rc=$rc"
[ "$(grep -c '^sipguard_customer_info{' "$o")" -eq $((MANY - 1)) ] ||
	fail "stats --prometheus: $(grep -c '^sipguard_customer_info{' "$o") customers, want $((MANY - 1))"
promtool check metrics <"$o" >"$e" 2>&1 || fail "stats --prometheus of $MANY: $(head -5 "$e")"
ok "status and stats over $MANY customers (3 batches, worker threads): name order, entries as alone, drift on 070 and 130 only"
cp "$LAB_TMP/m130.conf" "$LAB_STATE/customers/sgt-m130.conf"
for i in $(seq -w 1 $MANY); do sg disable sgt-m$i >/dev/null 2>&1; done
many_down
[ -n "${SG_KEEP_OUTPUT:-}" ] && cp -r "$LAB_TMP" "$SG_KEEP_OUTPUT"
exit 0
