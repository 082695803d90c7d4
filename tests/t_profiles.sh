#!/usr/bin/env bash
# Profiles (issue 2 part 3): every shipped profile loads; broken profiles
# fail with exit 2 and a FILE:LINE message; a missing include is an error.
set -u
SG_SRC=${SG_SRC:-$(cd "$(dirname "$0")/.." && pwd)}
SG_BUILD=${SG_BUILD:-$SG_SRC/build}
sg=$SG_BUILD/sipguard
[ -x "$sg" ] || { echo "FAIL: $sg not built"; exit 1; }
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
fail=0
ok() { echo "ok   $*"; }
bad() { echo "FAIL $*"; fail=1; }

# 1. shipped profiles
n=0
for f in "$SG_SRC"/profiles/*.ini; do
	p=$(basename "$f" .ini); n=$((n + 1))
	if "$sg" profiles "$p" >"$tmp/out" 2>"$tmp/err"; then ok "shipped $p loads"
	else bad "shipped $p: $(cat "$tmp/err")"; fi
done
[ $n -ge 5 ] || bad "expected at least 5 shipped profiles, found $n"
"$sg" profiles >"$tmp/list" 2>&1 || bad "sipguard profiles failed: $(cat "$tmp/list")"
for p in pbx trunk edge shield monitor; do
	grep -q "^$p " "$tmp/list" || bad "profile list lacks $p"
done

# settings that matter
"$sg" profiles pbx >"$tmp/pbx"
grep -q "INVITE ACK BYE CANCEL REGISTER OPTIONS PRACK SUBSCRIBE NOTIFY PUBLISH INFO REFER MESSAGE UPDATE" "$tmp/pbx" || bad "pbx methods"
for p in pbx trunk edge; do
	"$sg" profiles $p | grep -q "require_max_forwards=no" || bad "$p requires Max-Forwards (RFC 3261 16.3: optional)"
	"$sg" profiles $p | grep -q "^keepalives: .*text_keepalives=yes" || bad "$p drops text keep-alives"
done
grep -q "max_message=16384 max_line=2048 max_headers=128 max_uri=512" "$tmp/pbx" || bad "pbx limits"
grep -q "scanner_shape=yes" "$tmp/pbx" || bad "pbx scanner_shape"
"$sg" profiles trunk | grep "^methods:" | grep -qw "REGISTER" && bad "trunk allows REGISTER"
"$sg" profiles edge | grep -q "any well-formed method" || bad "edge any method"
"$sg" profiles edge | grep -q "uri_schemes=any" || bad "edge takes any Request-URI scheme"
for p in pbx trunk; do
	"$sg" profiles $p | grep -q "uri_schemes=sip sips tel tels urn" || bad "$p scheme list"
done
"$sg" profiles shield | grep -q "drop_all_sip=yes" || bad "shield drop_all_sip"
"$sg" profiles shield | grep -q "5061" || bad "shield guards 5061"
for p in pbx trunk edge monitor; do
	"$sg" profiles $p | grep -q "5061" && bad "$p guards 5061 (TLS)"
done
"$sg" profiles monitor | grep -q "^mode: *monitor" || bad "monitor mode"
diff <("$sg" profiles pbx | sed -n '/^ports/,$p') <("$sg" profiles monitor | sed -n '/^ports/,$p') >/dev/null \
	|| bad "monitor checks differ from pbx"
# shipped scanner list hits no real product
grep -Eiq 'asterisk|zoiper|sipp@|performance test' "$SG_SRC/profiles/signatures/scanners.list" \
	&& bad "scanners.list has a product pattern"
ok "shipped settings checked"

# 2. broken profiles: each must exit 2 naming FILE:LINE
long=$(printf 'a%.0s' $(seq 64))
i=0
while IFS='|' read -r line expect body; do
	i=$((i + 1))
	f=$tmp/broken$i.ini
	printf '%b' "$body" >"$f"
	"$sg" profiles "$f" >"$tmp/out" 2>"$tmp/err"
	rc=$?
	if [ $rc -ne 2 ]; then bad "broken#$i ($expect): rc=$rc, want 2"; continue; fi
	if ! grep -q "^$f:$line: " "$tmp/err"; then bad "broken#$i ($expect): no '$f:$line:' in: $(cat "$tmp/err")"; continue; fi
	grep -qi -- "$expect" "$tmp/err" || { bad "broken#$i: message lacks '$expect': $(cat "$tmp/err")"; continue; }
	ok "broken#$i: $(head -1 "$tmp/err")"
done <<EOF2
2|unknown section|[profile]\n[bogus]\n
2|unknown key|[profile]\ncolour = red\n
3|bad value|[profile]\nname = x\nmode = sometimes\n
2|unknown method|[methods]\nallow = INVITE FROB\n
2|too long|[signatures]\npattern = ua:$long\n
3|too many distinct|[signatures]\npattern = any:abcdefghijklmnopqrstuvwxyz0123456789\npattern = any:!#%%&()*+,-./;<=>?@[]^_{}~\x22\x27\x60\\\\\n
2|include|[signatures]\ninclude = no-such-file.list\n
1|outside a section|name = x\n
2|bad port|[ports]\nudp = 70000\n
3|bad value|[sanity]\nenabled = yes\nmax_headers = 500\n
2|bad value|[sanity]\nrequire_max_forwards = maybe\n
2|unknown scheme 'http'|[sanity]\nuri_schemes = sip sips tel tels urn http\n
3|all five|[sanity]\nenabled = yes\nuri_schemes = sip sips\n
2|unknown signature field|[signatures]\npattern = body:x\n
2|bad rate|[rate]\nper_source = fast\n
1|bad section header|[profile\n
2|expected 'key = value'|[profile]\njust words\n
2|empty value|[profile]\nname =\n
EOF2

# include of a missing file, from a signature list that itself is fine
printf 'ua:ok-pattern\n' >"$tmp/good.list"
printf '[signatures]\ninclude = good.list\ninclude = missing.list\n' >"$tmp/inc.ini"
"$sg" profiles "$tmp/inc.ini" >/dev/null 2>"$tmp/err"; rc=$?
[ $rc -eq 2 ] && grep -q "^$tmp/inc.ini:3: cannot read include" "$tmp/err" && ok "missing include" \
	|| bad "missing include: rc=$rc $(cat "$tmp/err")"
# an error inside an included list names the list's file and line
printf 'ua:fine\n# comment\nnofields\n' >"$tmp/broken.list"
printf '[signatures]\ninclude = broken.list\n' >"$tmp/inc2.ini"
"$sg" profiles "$tmp/inc2.ini" >/dev/null 2>"$tmp/err"; rc=$?
[ $rc -eq 2 ] && grep -q "^$tmp/broken.list:3: " "$tmp/err" && ok "error in include names the list" \
	|| bad "error in include: rc=$rc $(cat "$tmp/err")"
# unknown profile name
"$sg" profiles no-such-profile >/dev/null 2>"$tmp/err"; rc=$?
[ $rc -eq 2 ] && ok "unknown profile name" || bad "unknown profile: rc=$rc"
# a good custom profile with base and a pattern; pattern given twice merges
printf '[profile]\nbase = %s/profiles/pbx.ini\nname = custom\n[signatures]\npattern = ua:my-scanner\npattern = from:my-scanner\n' "$SG_SRC" >"$tmp/custom.ini"
"$sg" profiles "$tmp/custom.ini" >"$tmp/out" 2>"$tmp/err" && grep -q "pattern = ua|from:my-scanner" "$tmp/out" \
	&& ok "custom profile with base" || bad "custom profile: $(cat "$tmp/err" "$tmp/out")"
# base loop
printf '[profile]\nbase = loop.ini\n' >"$tmp/loop.ini"
"$sg" profiles "$tmp/loop.ini" >/dev/null 2>"$tmp/err"; rc=$?
[ $rc -eq 2 ] && ok "base loop refused" || bad "base loop: rc=$rc"

exit $fail
