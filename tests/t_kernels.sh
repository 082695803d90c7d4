#!/usr/bin/env bash
# Kernel matrix (issue 18): the validator in Debian 12's 6.1 and 6.12 kernels
# (tests/kernels/qemu-run: qemu TCG, kernel packages fetched and cached by
# tests/kernels/fetch-kernel.sh), one guest boot per kernel. In each guest
# (tests/kernels/matrix-guest.sh):
#   - every shipped profile's validator loads with the variant the kernel
#     must get (6.1: portable, 6.12: may_goto) and the verifier processes at
#     most half of its 1M-instruction budget;
#   - `sipguard check --json` gives every packet of every capture (pcaps/ and
#     the generated vectors) the same verdict and reason as on this host;
#   - the kernel program and the userspace parser agree (tests/equal, pbx,
#     200 mutations);
#   - live: `sipguard enable` (pbx) in a namespace; a valid OPTIONS from a
#     second namespace over veth reaches a UDP listener, a friendly-scanner
#     one does not and counts as `scanner`; status, stats, disable.
# Prints a summary (variant and instructions per kernel and profile, time
# per kernel). Fails on any failure in any kernel.
# Env: SG_BUILD, SG_SRC; SG_KERNELS (default "6.1 6.12"); SG_KERNELS_JOBS
# (guests at a time, default 2); SG_KERNELS_KEEP=1 keeps the work dir (the
# guests' outputs in WORK/out-VERSION; rerun one with
# tests/kernels/qemu-run -f WORK VERSION -- 'bash tests/kernels/matrix-guest.sh WORK VARIANT 500000').
set -u
here=$(cd "$(dirname "$0")" && pwd)
src=${SG_SRC:-$(cd "$here/.." && pwd)}
build=$(cd "${SG_BUILD:-$src/build}" && pwd)
budget=500000
read -r -a kernels <<<"${SG_KERNELS:-6.1 6.12}"
# the variant each kernel must load: may_goto needs 6.9
want_variant() { case $1 in 6.1 | 6.1.* | linux-image-6.1.*) echo portable ;; *) echo may_goto ;; esac; }

fails=0
ok() { echo "ok   $*"; }
fail() { echo "FAIL $*"; fails=$((fails + 1)); }
t_start=$(date +%s)

for f in sipguard tests/equal/equal tests/vectors/gen_vectors; do
	[ -x "$build/$f" ] || { echo "FAIL $build/$f not built"; exit 1; }
done
[ "$(id -u)" = 0 ] || { echo "FAIL t_kernels needs root (apt-get, BPF, qemu-run)"; exit 1; }

# The work dir is packed into each guest at the same path.
W=$(mktemp -d /tmp/sg-kernels.XXXXXX)
[ "${SG_KERNELS_KEEP:-0}" = 1 ] && echo "work dir kept: $W" || trap 'rm -rf "$W"' EXIT
mkdir -p "$W/expect" "$W/vectors"

# Kernels: the newest of each version that apt offers (fetched and unpacked
# once; later runs find them in the cache), the host packages the harness
# needs (qemu-system-x86, cpio...). qemu-run then takes them from the cache.
for v in "${kernels[@]}"; do
	kdir=$("$src/tests/kernels/fetch-kernel.sh" "$v") || { echo "FAIL fetching kernel $v"; exit 1; }
	echo "kernel $v: ${kdir##*/}"
done
echo "kernels ready after $(($(date +%s) - t_start)) s (fetched once: later runs find them in ${SG_KERNEL_CACHE:-/var/cache/sipguard-kernels})"

# Inputs: the vectors (generated here), the UDP tool.
if ! "$build/tests/vectors/gen_vectors" "$W/vectors" >"$W/gen.log" 2>&1; then
	echo "FAIL gen_vectors:"; tail -20 "$W/gen.log"; exit 1
fi
cc -O2 -Wall -o "$W/sgudp" "$here/kernels/sgudp.c" || { echo "FAIL building tests/kernels/sgudp.c"; exit 1; }

cd "$src" || exit 1
caps=(pcaps/*.pcap "$W"/vectors/*.pcap)
printf '%s\n' "${caps[@]}" >"$W/caps"
# t_equal's inputs less the payloads tests/fuzz/seeds.sh extracts from the
# captures with tshark (minutes on a busy host): the captures go in whole.
printf '%s\n' tests/fuzz/corpus tests/fuzz/regressions tests/diff/regressions tests/fuzz/corpus_pcap \
	"${caps[@]}" >"$W/equal-inputs"
# One `sipguard check` (one validator load) per shipped profile: pbx and edge
# as the brief has them, the others with own hosts and peers, so that the
# reflection checks' maps are exercised too.
for ini in profiles/*.ini; do
	p=$(basename "$ini" .ini)
	case $p in
	pbx | edge) echo "$p" ;;
	*) echo "$p --own-host 192.0.2.10 --peer 198.51.100.0/24" ;;
	esac
done >"$W/checks"

# The host's verdicts, which every kernel must reproduce; the host's kernel
# (the newest of the matrix) is held to the same verifier budget.
summary=()
while read -r p opts; do
	# shellcheck disable=SC2086 # options are words
	"$build/sipguard" -v check --profile "$p" --json $opts "${caps[@]}" >"$W/expect/$p.json" 2>"$W/expect/$p.err" ||
		{ echo "FAIL host: sipguard check --profile $p failed:"; tail -20 "$W/expect/$p.err"; exit 1; }
	read -r var n < <(sed -n 's/.*validator loaded: \([a-z_]*\) variant, \([0-9]*\) instructions.*/\1 \2/p' "$W/expect/$p.err")
	[ -n "${n:-}" ] && [ "$n" -le $budget ] &&
		ok "host: $p: the ${var} variant loaded, the verifier processed $n instructions (<= $budget)" ||
		fail "host: $p: the ${var:-?} variant, ${n:-?} instructions verified on $(uname -r), over $budget"
	summary+=("$(printf '%-5s %-28s %-8s %-9s %7s' host "$(uname -r)" "$p" "${var:-?}" "${n:-?}")")
done <"$W/checks"
ok "host: $(wc -l <"$W/checks") profiles x ${#caps[@]} captures ($(grep -c '"index":' "$W/expect/pbx.json") packets) judged on $(uname -r)"

# The kernels run side by side (SG_KERNELS_JOBS=1: one after the other):
# a guest's work is mostly one thread (the verifier), so two guests keep two
# host cores busy. Their lines come interleaved, each prefixed [VERSION].
run_kernel() { # VERSION: the guest's output in $W/out-VERSION, exit status and ms beside
	local v=$1 t0 rc
	t0=$(date +%s%N)
	"$src/tests/kernels/qemu-run" --timeout 600 -b "$build" -f "$W" "$v" -- \
		"bash /sg/tests/kernels/matrix-guest.sh $W $(want_variant "$v") $budget" >"$W/out-$v" 2>&1
	rc=$?
	echo $((($(date +%s%N) - t0) / 1000000)) >"$W/ms-$v"
	echo $rc >"$W/rc-$v"
}
jobs_max=${SG_KERNELS_JOBS:-2}
pids=()
for v in "${kernels[@]}"; do
	echo "== $v: booting, expects the $(want_variant "$v") variant"
	: >"$W/out-$v"
	run_kernel "$v" &
	pids+=($!)
	tail --pid=$! -n +1 -f "$W/out-$v" 2>/dev/null | sed -u "s/^/[$v] /" &
	pids+=($!)
	[ $(( ${#pids[@]} / 2 )) -lt "$jobs_max" ] || { wait "${pids[@]}"; pids=(); }
done
[ ${#pids[@]} = 0 ] || wait "${pids[@]}"

for v in "${kernels[@]}"; do
	rc=$(cat "$W/rc-$v" 2>/dev/null || echo 125)
	ms=$(cat "$W/ms-$v" 2>/dev/null || echo 0)
	secs=$(printf '%d.%d' $((ms / 1000)) $((ms % 1000 / 100)))
	kv=$(sed -n 's/^kernel \([^,]*\),.*/\1/p' "$W/out-$v")
	if [ "$rc" = 0 ]; then
		ok "$v ($kv): every check passed, ${secs} s"
	else
		fail "$v (${kv:-no kernel}): exit $rc ($(grep -c '^FAIL' "$W/out-$v") failed checks), ${secs} s"
	fi
	while read -r _ p var n; do
		summary+=("$(printf '%-5s %-28s %-8s %-9s %7s' "$v" "${kv:-?}" "$p" "$var" "$n")")
	done < <(grep '^budget ' "$W/out-$v")
	summary+=("$(printf '%-5s %-28s time %s s (%s)' "$v" "${kv:-?}" "$secs" \
		"$(grep -E '^(kernel|time) ' "$W/out-$v" | grep -v 'time check-' |
			awk '$1 == "kernel" { printf "booted in %s s", $(NF - 1); next } { printf ", %s %s s", $2, $3 }')")")
done

echo "== summary (verifier budget $budget instructions)"
printf '%-5s %-28s %-8s %-9s %7s\n' kernel release profile variant insns
printf '%s\n' "${summary[@]}"
echo "t_kernels: $(($(date +%s) - t_start)) s in all, $([ $fails = 0 ] && echo ok || echo "$fails FAILED")"
exit $((fails > 0))
