#!/usr/bin/env bash
# Measures start-up to RPC-ready and idle memory of statusd beside a bare
# go-ethereum v1.9.20 Whisper node (interop/whisper-geth/cmd/refnode), run
# after run on the same machine, and prints the medians and the
# statusd/reference ratios.
#
# statusd starts on an empty data directory with the messenger and the
# mailserver client running (one mailserver configured, a loopback address
# nobody listens on, so mailserver selection runs too); its start-up is
# reported without the password key derivations (the keystore's scrypt and
# the session store's PBKDF2, which statusd logs and which are reported
# apart). The reference has no keys to derive. "RPC-ready" is the first
# answer to shh_version over HTTP. Idle memory is read 3 s after that:
# VmRSS, and its anonymous part (heap, stacks; the rest is the mapped
# binary).
#
# Idle memory can be bimodal (a large buffer that the Go runtime zeroed,
# so made resident, in some starts and not in others), so besides the
# medians each binary's anonymous RSS is split into modes: starts within
# 1 MiB of that binary's smallest value are "low", the others "high"; the
# summary gives each mode's count and median, and every start's value.
#
# Usage: scripts/startup-bench.sh [path/to/statusd] [runs] [path/to/refnode]
# With BASELINE=path/to/another/statusd, that binary runs in the same loop
# too, so a change is compared before and after in one run. With
# RESTART=1, each statusd keeps one data directory, created by a first
# start that is not measured, so every measured start unlocks an existing
# keystore and reopens an existing database (a restart) instead of
# creating them.
set -euo pipefail
bin="${1:-build/statusd}"
runs="${2:-5}"
ref="${3:-}"
base="${BASELINE:-}"
restart="${RESTART:-}"
port=18645
work="$(mktemp -d)"
pid=""
trap 'if [ -n "$pid" ]; then kill "$pid" 2>/dev/null || true; fi; rm -rf "$work"' EXIT

if [ -z "$ref" ]; then
	ref="$work/refnode"
	(cd "$(dirname "$0")/../interop/whisper-geth" && "${GO:-go}" build -o "$ref" ./cmd/refnode)
fi
# The mapped binary is most of either process's RSS, and how much of it is
# resident depends on how its pages entered the page cache (a binary just
# written by the linker differs from one read at exec). Dropping each
# binary's cached pages first (dd iflag=nocache; only these files) puts
# them all in the same state. Pages not yet written back cannot be
# dropped, so each file is synced first.
for f in "$bin" "$ref" ${base:+"$base"}; do
	sync "$f" || true
	dd if="$f" iflag=nocache count=0 status=none || true
done
# A mailserver nobody answers: an enode with a valid key on a closed port.
mailserver="enode://9b051344d034958a68a1a4dc26bcda29ad2298bbabd6b79826e2de19e7c900494f1175eee53fe8ee79ddaa34fb7dd84d374a451a2f0d5d50ecf39f4c0be40778@127.0.0.1:9"

now_ns() { date +%s%N; }

# go_ms sums Go duration strings ("5.2s", "850.3ms", "1m2s"), one a line,
# in whole milliseconds.
go_ms() {
	awk '{
		s = $0
		while (match(s, /^[0-9.]+/)) {
			num = substr(s, 1, RLENGTH); s = substr(s, RLENGTH + 1)
			if (s ~ /^ms/) { f = 1; s = substr(s, 3) }
			else if (s ~ /^(us|µs)/) { f = 0.001; sub(/^(us|µs)/, "", s) }
			else if (s ~ /^ns/) { f = 0.000001; s = substr(s, 3) }
			else if (s ~ /^s/) { f = 1000; s = substr(s, 2) }
			else if (s ~ /^m/) { f = 60000; s = substr(s, 2) }
			else if (s ~ /^h/) { f = 3600000; s = substr(s, 2) }
			else break
			total += num * f
		}
	} END { printf "%d", total }'
}

median() { sort -n | awk '{a[NR]=$1} END {if (NR%2) print a[(NR+1)/2]; else print int((a[NR/2]+a[NR/2+1])/2)}'; }
mib() { awk -v k="$1" 'BEGIN {printf "%.1f", k / 1024}'; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN {printf "x%.2f", a / b}'; }

# wait_ready polls the HTTP endpoint until it answers; $1 names the log.
wait_ready() {
	until curl -s -o /dev/null -H 'Content-Type: application/json' \
		-d '{"jsonrpc":"2.0","id":1,"method":"shh_version","params":[]}' "http://127.0.0.1:$port"; do
		if ! kill -0 "$pid" 2>/dev/null; then echo "$2 exited:"; cat "$1"; exit 1; fi
		sleep 0.002
	done
}

# idle_mem prints "VmRSS RssAnon" of $pid in KiB after 3 s of idling.
idle_mem() {
	sleep 3
	awk '/^VmRSS/ {r=$2} /^RssAnon/ {a=$2} END {print r, a}' "/proc/$pid/status"
}

stop() { kill -TERM "$pid"; wait "$pid" || true; pid=""; }

# start_statusd BIN DIR LOG starts statusd in the background as $pid.
start_statusd() {
	STATUSD_PASSWORD=bench "$1" --datadir "$2" --port 0 --nodiscover --ntp.enabled=false --fleet none \
		--mailserver.servers "$mailserver" --http --http.port "$port" --rpc.noauth --log.format json 2>"$3" &
	pid=$!
}

# run_statusd BIN TAG RUN appends to the TAG_* arrays.
run_statusd() {
	local b="$1" tag="$2" i="$3" dir="$work/$2-$3" log="$work/$2-$3.log"
	local t0 t1 total kdf mem
	if [ -n "$restart" ]; then
		dir="$work/$tag"
		if [ ! -d "$dir" ]; then
			start_statusd "$b" "$dir" "$log"
			wait_ready "$log" "$b"
			stop
		fi
	fi
	t0=$(now_ns)
	start_statusd "$b" "$dir" "$log"
	wait_ready "$log" "$b"
	t1=$(now_ns)
	total=$(( (t1 - t0) / 1000000 ))
	# Both password key derivations: the keystore's scrypt and the session
	# store's PBKDF2 (each logs a "kdf" duration, a Go duration string).
	kdf=$(grep -E '"(account|session store) unlocked"' "$log" | sed -E 's/.*"kdf":"([^"]+)".*/\1/' | go_ms)
	mem=$(idle_mem)
	stop
	eval "${tag}_net+=($((total - kdf))); ${tag}_kdf+=($kdf); ${tag}_rss+=(${mem% *}); ${tag}_anon+=(${mem#* })"
	echo "run $i $tag: ready ${total} ms (key derivation ${kdf} ms, rest $((total - kdf)) ms), idle RSS $(mib "${mem% *}") MiB (anonymous $(mib "${mem#* }") MiB)"
}

run_ref() {
	local i="$1" log="$work/ref-$1.log" t0 t1 mem
	t0=$(now_ns)
	"$ref" -rpcport "$port" -exit-on-stdin-eof=false </dev/null >"$log" 2>&1 &
	pid=$!
	wait_ready "$log" "$ref"
	t1=$(now_ns)
	mem=$(idle_mem)
	stop
	ref_net+=($(( (t1 - t0) / 1000000 ))); ref_rss+=("${mem% *}"); ref_anon+=("${mem#* }")
	echo "run $i reference: ready $(( (t1 - t0) / 1000000 )) ms, idle RSS $(mib "${mem% *}") MiB (anonymous $(mib "${mem#* }") MiB)"
}

sd_net=(); sd_kdf=(); sd_rss=(); sd_anon=()
base_net=(); base_kdf=(); base_rss=(); base_anon=()
ref_net=(); ref_rss=(); ref_anon=()
for i in $(seq 1 "$runs"); do
	run_statusd "$bin" sd "$i"
	run_ref "$i"
	if [ -n "$base" ]; then run_statusd "$base" base "$i"; fi
done

m() { printf '%s\n' "$@" | median; }
# modes prints the low/high split of the KiB values given (see the top).
modes() {
	printf '%s\n' "$@" | sort -n | awk '
		NR == 1 { cut = $1 + 1024 }
		{ if ($1 <= cut) lo[++nl] = $1; else hi[++nh] = $1 }
		function med(a, n) { return n % 2 ? a[(n + 1) / 2] : (a[n / 2] + a[n / 2 + 1]) / 2 }
		END {
			printf "low mode %d of %d starts (median %.1f MiB)", nl, NR, med(lo, nl) / 1024
			if (nh) printf ", high mode %d (median %.1f MiB)", nh, med(hi, nh) / 1024
		}'
}
# each prints every start's KiB values in MiB, in run order.
each() { for v in "$@"; do printf '%s ' "$(mib "$v")"; done; }
# summary TAG NAME prints TAG's medians and its ratios to the reference.
summary() {
	local net rss anon kdf
	eval "net=\$(m \"\${${1}_net[@]}\"); rss=\$(m \"\${${1}_rss[@]}\"); anon=\$(m \"\${${1}_anon[@]}\"); kdf=\$(m \"\${${1}_kdf[@]}\")"
	echo "$2: start-up to RPC-ready ${net} ms without key derivation ($(ratio "$net" "$rn") the reference; key derivation ${kdf} ms)," \
		"idle RSS $(mib "$rss") MiB ($(ratio "$rss" "$rr") the reference), anonymous $(mib "$anon") MiB ($(ratio "$anon" "$ra"))"
	eval "echo \"  anonymous: \$(modes \"\${${1}_anon[@]}\"); each start: \$(each \"\${${1}_anon[@]}\")\""
	eval "echo \"  idle RSS, each start: \$(each \"\${${1}_rss[@]}\"); start-up, each (ms): \${${1}_net[*]}\""
}
rn=$(m "${ref_net[@]}"); rr=$(m "${ref_rss[@]}"); ra=$(m "${ref_anon[@]}")
dirs="empty data directories"
if [ -n "$restart" ]; then dirs="existing data directories (restarts)"; fi
echo "medians over $runs runs, statusd on $dirs (targets: start-up <= x1.50, idle RSS <= x1.25 the reference):"
echo "reference (go-ethereum v1.9.20 whisperv6): start-up to RPC-ready ${rn} ms, idle RSS $(mib "$rr") MiB, anonymous $(mib "$ra") MiB"
echo "  anonymous: $(modes "${ref_anon[@]}"); each start: $(each "${ref_anon[@]}")"
echo "  idle RSS, each start: $(each "${ref_rss[@]}"); start-up, each (ms): ${ref_net[*]}"
summary sd "statusd ($bin)"
if [ -n "$base" ]; then summary base "baseline ($base)"; fi
