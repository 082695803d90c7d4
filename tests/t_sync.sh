#!/usr/bin/env bash
# Live test of sipguard sync (issue 16): a real etcd (Debian's etcd-server),
# started by the test on 127.0.0.1 with a random port and a temporary data
# directory, inside a network namespace of the test's own (sgy-net: its
# loopback is the test's, and losing the network is an nftables rule there).
# Two sync agents stand for two hosts: each has its own SIPGUARD_STATE_DIR,
# SIPGUARD_PIN_ROOT, key prefix and customer namespaces. Asserted:
#   - both converge on a change under their prefixes within 2 s;
#   - etcd killed (-9) right after a multi-key transaction and restarted,
#     then another one: both converge on the final revision;
#   - the network to etcd lost for 16 s while the desired state changes:
#     the agents notice, keep running, and converge once it is back;
#   - throughout, `status --json` of each host (polled without pause) only
#     ever shows the whole desired state of the revision it reports, every
#     customer in sync: never a half-applied transaction;
#   - host 1's changes are audited with origin=sync and the etcd key; host 2
#     runs with --json: one object per event and line, with the schema.
# LAB_SUFFIX (lab.sh) is appended to the namespaces' names.
set -u
here=$(cd "$(dirname "$0")" && pwd)
: "${SG_BUILD:=$here/../build}"
source "$here/lib/lab.sh"
[ -x "$SIPGUARD" ] || fail "no $SIPGUARD (build first)"
for t in etcd curl jq base64 nsenter nft; do command -v $t >/dev/null || fail "$t not installed (scripts/setup.sh)"; done
X=${LAB_SUFFIX:-}
# namespaces and pin roots sgy-* (bench/scale's are sgs-NNNNN)
NET=sgy-net$X
H1A=sgy-h1a$X H1B=sgy-h1b$X H2A=sgy-h2a$X H2B=sgy-h2b$X H2C=sgy-h2c$X
NS1="$H1A $H1B" NS2="$H2A $H2B $H2C"
TMP=$(mktemp -d /tmp/sgs.XXXXXX)
S1=$TMP/state1 S2=$TMP/state2
P1=/sys/fs/bpf/sgy-$$-1 P2=/sys/fs/bpf/sgy-$$-2
PORT=$((20000 + RANDOM % 30000)) PEER=$((50001 + RANDOM % 10000))
ETCD_PID= SYNC1= SYNC2= POLL=

h1() { SIPGUARD_STATE_DIR=$S1 SIPGUARD_PIN_ROOT=$P1 "$SIPGUARD" "$@"; }
h2() { SIPGUARD_STATE_DIR=$S2 SIPGUARD_PIN_ROOT=$P2 "$SIPGUARD" "$@"; }
in_net() { nsenter --net=/run/netns/$NET "$@"; }

down() {
	local p c h
	touch "$TMP/stop-poll"
	for p in $POLL $SYNC1 $SYNC2 $ETCD_PID; do kill "$p" 2>/dev/null; done
	for p in $POLL $SYNC1 $SYNC2 $ETCD_PID; do wait "$p" 2>/dev/null; done
	for h in h1 h2; do
		for c in $($h list 2>/dev/null | awk '{print $1}'); do $h disable "$c" >/dev/null 2>&1; done
	done
	rm -rf "$P1" "$P2"
	for c in $NET $NS1 $NS2; do ip netns del $c 2>/dev/null; done
	rm -rf "$TMP"
	return 0
}
trap down EXIT
for n in $NET $NS1 $NS2; do
	ip netns del $n 2>/dev/null
	ip netns add $n || fail "netns $n"
done
ip -n $NET link set lo up

logs() { echo "--- sync h1"; tail -25 "$TMP/sync1.log"; echo "--- sync h2"; tail -25 "$TMP/sync2.log"; echo "--- etcd"; tail -5 "$TMP/etcd.log"; }
die() { logs >&2; fail "$*"; }

etcd_start() {
	# two client addresses on the namespace's loopback: the agents use
	# 127.0.0.1, the test writes through 127.0.0.2 (still there when the
	# agents' network is lost)
	nsenter --net=/run/netns/$NET etcd --name sgs --data-dir "$TMP/etcd" \
		--listen-client-urls "http://127.0.0.1:$PORT,http://127.0.0.2:$PORT" \
		--advertise-client-urls "http://127.0.0.1:$PORT" \
		--listen-peer-urls "http://127.0.0.1:$PEER" --initial-advertise-peer-urls "http://127.0.0.1:$PEER" \
		--initial-cluster "sgs=http://127.0.0.1:$PEER" >>"$TMP/etcd.log" 2>&1 &
	ETCD_PID=$!
	local i
	for i in $(seq 100); do
		in_net curl -sf -m 1 "http://127.0.0.2:$PORT/health" 2>/dev/null | grep -q '"health":"true"' && return 0
		sleep 0.1
	done
	die "etcd did not start on 127.0.0.1:$PORT"
}

b64() { printf '%s' "$1" | base64 -w0; }
# cust PROFILE NETNS [MODE]: the text of a customer file
cust() {
	printf '[customer]\nprofile = %s\nnetns = %s\n' "$1" "$2"
	[ -n "${3:-}" ] && printf 'mode = %s\n' "$3"
	return 0
}
# txn put KEY TEXT | del KEY ...: one etcd transaction (/v3/kv/txn); prints its revision
txn() {
	local ops=() body out
	while [ $# -gt 0 ]; do
		case $1 in
		put) ops+=("{\"request_put\":{\"key\":\"$(b64 "$2")\",\"value\":\"$(b64 "$3")\"}}"); shift 3;;
		del) ops+=("{\"request_delete_range\":{\"key\":\"$(b64 "$2")\"}}"); shift 2;;
		esac
	done
	body="{\"success\":[$(IFS=,; echo "${ops[*]}")]}"
	out=$(in_net curl -sf -m 5 "http://127.0.0.2:$PORT/v3/kv/txn" -d "$body") || die "txn failed: $out"
	echo "$out" | jq -r .header.revision
}
rev_of() { sed -n 's/^revision = //p' "$1/sync.revision" 2>/dev/null; }
# wait_rev REV SECONDS: until both hosts applied REV; prints the milliseconds taken
wait_rev() {
	local t0 now
	t0=$(date +%s%N)
	while [ "$(rev_of "$S1")" != "$1" ] || [ "$(rev_of "$S2")" != "$1" ]; do
		now=$(date +%s%N)
		[ $(( (now - t0) / 1000000 )) -gt $(( $2 * 1000 )) ] &&
			die "revision $1 not applied by both within $2 s (h1 at $(rev_of "$S1"), h2 at $(rev_of "$S2"))"
		sleep 0.02
	done
	echo $(( ($(date +%s%N) - t0) / 1000000 ))
}
# sig HOST: what status --json shows: "EXIT REVISION customer:profile:mode:netns ..."
sig() {
	local out rc
	out=$($1 status --json 2>/dev/null); rc=$?
	echo "$rc $(echo "$out" | jq -r '([.sync_revision | tostring] +
		[.customers[] | "\(.customer):\(.profile):\(.mode):\(.netns)"]) | join(" ")' 2>/dev/null)"
}
declare -A EXP # EXP[HOST:REV]: the whole desired state of HOST at REV

etcd_start
ok "etcd $(etcd --version | head -1 | awk '{print $3}') on 127.0.0.1:$PORT (namespace $NET, data in $TMP/etcd)"

# ---- R0: two hosts, two customers each ---------------------------------------------
R0=$(txn put /sgs/h1/sgs-a "$(cust pbx $H1A)" put /sgs/h1/sgs-b "$(cust trunk $H1B)" \
	put /sgs/h2/sgs-c "$(cust pbx $H2A)" put /sgs/h2/sgs-d "$(cust trunk $H2B)")
EXP[h1:$R0]="$R0 sgs-a:pbx:enforce:$H1A sgs-b:trunk:enforce:$H1B"
EXP[h2:$R0]="$R0 sgs-c:pbx:enforce:$H2A sgs-d:trunk:enforce:$H2B"
SIPGUARD_AUDIT_LOG=$TMP/audit1.log SIPGUARD_STATE_DIR=$S1 SIPGUARD_PIN_ROOT=$P1 nsenter --net=/run/netns/$NET "$SIPGUARD" sync \
	--etcd "http://127.0.0.1:$PORT" --prefix /sgs/h1 --resync 30 >"$TMP/sync1.log" 2>&1 &
SYNC1=$!
SIPGUARD_STATE_DIR=$S2 SIPGUARD_PIN_ROOT=$P2 nsenter --net=/run/netns/$NET "$SIPGUARD" sync \
	--etcd "http://127.0.0.1:$PORT/" --prefix /sgs/h2/ --resync 30 --json >"$TMP/sync2.log" 2>&1 &
SYNC2=$!
ms=$(wait_rev "$R0" 30) || exit 1
for h in h1 h2; do
	[ "$(sig $h)" = "0 ${EXP[$h:$R0]}" ] || die "$h after revision $R0: $(sig $h), want ${EXP[$h:$R0]}"
done
ok "revision $R0: both agents enabled their two customers ($ms ms, validators loaded), status in sync"

# from now on, status of both hosts without pause
rm -f "$TMP/stop-poll"
(while [ ! -e "$TMP/stop-poll" ]; do echo "h1 $(sig h1)"; echo "h2 $(sig h2)"; done >"$TMP/polls") &
POLL=$!

# ---- R1: a change under both prefixes, applied within 2 s --------------------------
R1=$(txn put /sgs/h1/sgs-a "$(cust pbx $H1A monitor)" put /sgs/h2/sgs-c "$(cust pbx $H2A monitor)")
ms=$(wait_rev "$R1" 10) || exit 1
EXP[h1:$R1]="$R1 sgs-a:pbx:monitor:$H1A sgs-b:trunk:enforce:$H1B"
EXP[h2:$R1]="$R1 sgs-c:pbx:monitor:$H2A sgs-d:trunk:enforce:$H2B"
[ "$ms" -le 2000 ] || die "revision $R1 took $ms ms to be applied by both (limit 2000)"
for h in h1 h2; do
	[ "$(sig $h)" = "0 ${EXP[$h:$R1]}" ] || die "$h after revision $R1: $(sig $h)"
done
ok "revision $R1 (one transaction, both prefixes): both hosts converged in $ms ms"

# ---- R2 and etcd killed at once, restarted, R3: both converge on R3 -------------------
R2=$(txn put /sgs/h1/sgs-a "$(cust trunk $H1A monitor)" put /sgs/h1/sgs-b "$(cust pbx $H1B)" \
	put /sgs/h2/sgs-c "$(cust trunk $H2A)" del /sgs/h2/sgs-d put /sgs/h2/sgs-e "$(cust shield $H2C)")
kill -9 $ETCD_PID
wait $ETCD_PID 2>/dev/null
EXP[h1:$R2]="$R2 sgs-a:trunk:monitor:$H1A sgs-b:pbx:enforce:$H1B"
EXP[h2:$R2]="$R2 sgs-c:trunk:enforce:$H2A sgs-e:shield:enforce:$H2C"
sleep 1
etcd_start
R3=$(txn put /sgs/h1/sgs-a "$(cust pbx $H1A)" put /sgs/h2/sgs-c "$(cust pbx $H2A)" \
	put /sgs/h2/sgs-e "$(cust shield $H2C monitor)")
EXP[h1:$R3]="$R3 sgs-a:pbx:enforce:$H1A sgs-b:pbx:enforce:$H1B"
EXP[h2:$R3]="$R3 sgs-c:pbx:enforce:$H2A sgs-e:shield:monitor:$H2C"
ms=$(wait_rev "$R3" 20) || exit 1
for h in h1 h2; do
	[ "$(sig $h)" = "0 ${EXP[$h:$R3]}" ] || die "$h after revision $R3: $(sig $h)"
done
k=$(cat "$TMP/sync1.log" "$TMP/sync2.log" | grep -cE "watch lost|etcd unreachable")
ok "etcd killed after revision $R2 (5 keys, one transaction), restarted, revision $R3: both converged ${ms} ms after it ($k retries logged)"

# ---- the network to etcd lost for 16 s while R4 is written ---------------------------
l1=$(wc -l <"$TMP/sync1.log") l2=$(wc -l <"$TMP/sync2.log")
in_net nft -f - <<EOF || die "loss rules"
table inet sgsloss {
	chain out {
		type filter hook output priority 0; policy accept;
		ip daddr 127.0.0.1 tcp dport $PORT drop
		ip saddr 127.0.0.1 tcp sport $PORT drop
	}
}
EOF
R4=$(txn put /sgs/h1/sgs-b "$(cust trunk $H1B)" del /sgs/h2/sgs-e)
EXP[h1:$R4]="$R4 sgs-a:pbx:enforce:$H1A sgs-b:trunk:enforce:$H1B"
EXP[h2:$R4]="$R4 sgs-c:pbx:enforce:$H2A"
sleep 16
[ "$(rev_of "$S1")" = "$R3" ] && [ "$(rev_of "$S2")" = "$R3" ] || die "revision $R4 arrived through a lost network?"
kill -0 $SYNC1 2>/dev/null && kill -0 $SYNC2 2>/dev/null || die "an agent died while the network was lost"
in_net nft delete table inet sgsloss
ms=$(wait_rev "$R4" 20) || exit 1
for h in h1 h2; do
	[ "$(sig $h)" = "0 ${EXP[$h:$R4]}" ] || die "$h after revision $R4: $(sig $h)"
done
lost1=$(tail -n +$((l1 + 1)) "$TMP/sync1.log" | grep -cE "watch lost|etcd unreachable")
lost2=$(tail -n +$((l2 + 1)) "$TMP/sync2.log" | grep -cE "watch lost|etcd unreachable")
[ "$lost1" -ge 1 ] && [ "$lost2" -ge 1 ] || die "the agents did not notice the lost network ($lost1, $lost2 messages)"
ok "network to etcd lost 16 s during revision $R4: both agents noticed ($lost1, $lost2 messages), kept running, converged ${ms} ms after it came back"

# ---- status never showed a half-applied state -----------------------------------------
touch "$TMP/stop-poll"
wait $POLL
POLL=
n=0
while read -r host rc rev rest; do
	n=$((n + 1))
	[ "$rc" = 0 ] || die "poll $n: $host status exit $rc: $rev $rest"
	want=${EXP[$host:$rev]:-}
	[ -n "$want" ] || die "poll $n: $host at revision $rev, which no transaction of the test made: $rev $rest"
	[ "$rev${rest:+ $rest}" = "$want" ] || die "poll $n: $host at revision $rev shows '$rev $rest', want '$want'"
done <"$TMP/polls"
[ $n -ge 20 ] || die "only $n status polls"
revs=$(awk '{print $1 ":" $3}' "$TMP/polls" | sort -u | tr '\n' ' ')
ok "$n status polls of both hosts: each the whole state of its revision, in sync (seen: $revs)"

# ---- list --json shows the result; the agents stop on SIGTERM ----------------------------
h1 list --json | jq -e '[.customers[] | "\(.customer) \(.profile) \(.mode)"] == ["sgs-a pbx enforce", "sgs-b trunk enforce"]' >/dev/null ||
	die "h1 list --json: $(h1 list --json)"
h2 list --json | jq -e '[.customers[] | "\(.customer) \(.profile) \(.mode)"] == ["sgs-c pbx enforce"]' >/dev/null ||
	die "h2 list --json: $(h2 list --json)"
h1 stats --prometheus | grep -qx "sipguard_sync_revision $R4" || die "h1 stats --prometheus lacks sipguard_sync_revision $R4"
h1 status | grep -qx "sync: etcd revision $R4 applied" || die "h1 status: $(h1 status | tail -2)"
kill -TERM $SYNC1 $SYNC2
wait $SYNC1; rc1=$?
wait $SYNC2; rc2=$?
SYNC1= SYNC2=
[ $rc1 -eq 0 ] && [ $rc2 -eq 0 ] || die "agents on SIGTERM: exit $rc1 and $rc2"
grep -q "stopped; revision $R4 in force" "$TMP/sync1.log" || die "h1 did not say it stopped"
ok "list --json, stats --prometheus (sipguard_sync_revision $R4) and status show the result; SIGTERM stops the agents (exit 0)"

# ---- the audit trail of host 1, the JSON events of host 2 ---------------------------
a=$(sed -E 's/^[0-9T:+-]+ sipguard\[[0-9]+\]: //' "$TMP/audit1.log")
echo "$a" | grep -qx "enable customer=sgs-a profile=pbx mode=enforce netns=$H1A generation=1 origin=sync source=/sgs/h1/sgs-a result=ok" ||
	die "audit of h1: no enable of sgs-a with origin=sync: $a"
echo "$a" | grep -qx "switch customer=sgs-b profile=trunk mode=enforce netns=$H1B generation=3 prev_profile=pbx prev_generation=2 origin=sync source=/sgs/h1/sgs-b result=ok" ||
	die "audit of h1: no switch of sgs-b at revision $R4: $a"
echo "$a" | grep -v " origin=sync " && die "audit of h1: lines without origin=sync"
j=$(grep '^{' "$TMP/sync2.log")
echo "$j" | jq -se --argjson r4 "$R4" 'all(.schema == "sipguard/1" and (.event | type) == "string") and
	.[0].event == "start" and .[-1].event == "stopped" and .[-1].revision == $r4 and
	any(.event == "applied" and .revision == $r4 and .action == "sync" and .result == "ok" and
	    (.plan[] | select(.customer == "sgs-e") | .action == "disable" and .done))' >/dev/null ||
	die "sync --json of h2: $j"
ok "audit of h1: every change with origin=sync and its key; sync --json of h2: one object per event, the plan of revision $R4"
echo "--- what sync h2 logged"
cat "$TMP/sync2.log"
echo "all passed"
