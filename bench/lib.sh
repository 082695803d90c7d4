# Shared by bench/run, bench/scale and bench/framing (sourced, not run).

# sgb_pps NS_SEND NS_RECV PORT PAYLOAD SECS COUNT -> "sent secs received":
# sgbtraffic recv in NS_RECV on 192.0.2.10:PORT, then sgbtraffic send from
# 198.51.100.20 in NS_SEND for SECS seconds or COUNT packets of PAYLOAD.
# Uses $TRAFFIC (the sgbtraffic binary) and $WORK; the sender runs under the
# command in $LIVE_WRAP if set (a profiler). SGB_PIN=1: the sender on CPU 0
# (where veth also runs the whole receive path, softirq included) and the
# receiver on CPU 1, so that what a rule costs falls on the one CPU that
# sets the rate (left to the scheduler, the two move between the CPUs from
# run to run and the rates spread over 30-270% of each other).
sgb_pps() {
	local f=$WORK/recv.out s rp pin_s= pin_r=
	[ "${SGB_PIN:-0}" = 1 ] && pin_s="taskset -c 0" pin_r="taskset -c 1"
	ip netns exec "$2" $pin_r timeout $(($5 + 10)) "$TRAFFIC" recv --bind 192.0.2.10:"$3" \
		--duration $(($5 + 5)) --idle 500 >"$f" &
	rp=$!
	for _ in $(seq 50); do grep -q ready "$f" 2>/dev/null && break; sleep 0.05; done
	s=$(${LIVE_WRAP:-} nsenter --net=/run/netns/"$1" $pin_s timeout $(($5 + 5)) "$TRAFFIC" send \
		--src 198.51.100.20 --to 192.0.2.10:"$3" --file "$4" --count "$6" --duration "$5")
	wait $rp
	echo "$(echo "$s" | awk '{print $2, $4}') $(awk '/received/{print $2}' "$f")"
}

# sgb_old_build ROOT COMMIT DIR LOG TARGET...: the TARGETs of an older
# commit (the per-customer validator of before the shared one, for the live
# comparisons) built in DIR (its source in DIR/src, the build in DIR/b),
# from what is already there; output to LOG. Returns non-zero on failure.
sgb_old_build() {
	local root=$1 commit=$2 dir=$3 out=$4
	shift 4
	if [ ! -f "$dir/src/CMakeLists.txt" ]; then
		rm -rf "$dir" && mkdir -p "$dir/src" &&
			git -C "$root" archive "$commit" | tar -x -C "$dir/src" || return 1
	fi
	{ [ -f "$dir/b/CMakeCache.txt" ] || cmake -S "$dir/src" -B "$dir/b" -DCMAKE_BUILD_TYPE=Release; } >>"$out" 2>&1 &&
		cmake --build "$dir/b" -j2 --target "$@" >>"$out" 2>&1
}
