#!/usr/bin/env bash
# Measures statusd start-up to RPC-ready on an empty data directory, the
# password key derivations inside it (the keystore's scrypt and the session
# store's PBKDF2, reported separately), and idle RSS.
# Usage: scripts/startup-bench.sh [path/to/statusd] [runs]
set -euo pipefail
bin="${1:-build/statusd}"
runs="${2:-5}"
port=18645
work="$(mktemp -d)"
trap 'kill "$pid" 2>/dev/null || true; rm -rf "$work"' EXIT
pid=""

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

totals=(); kdfs=(); nets=(); rss=()
for i in $(seq 1 "$runs"); do
	dir="$work/run$i"
	t0=$(now_ns)
	STATUSD_PASSWORD=bench "$bin" --datadir "$dir" --port 0 --nodiscover --ntp.enabled=false --fleet none --http --http.port "$port" \
		--rpc.noauth --log.format json 2>"$work/log$i" &
	pid=$!
	until curl -s -o /dev/null -H 'Content-Type: application/json' \
		-d '{"jsonrpc":"2.0","id":1,"method":"web3_clientVersion","params":[]}' "http://127.0.0.1:$port"; do
		if ! kill -0 "$pid" 2>/dev/null; then echo "statusd exited:"; cat "$work/log$i"; exit 1; fi
		sleep 0.002
	done
	t1=$(now_ns)
	total_ms=$(( (t1 - t0) / 1000000 ))
	# Both password key derivations: the keystore's scrypt and the session
	# store's PBKDF2 (each logs a "kdf" duration, a Go duration string).
	kdf_ms=$(grep -E '"(account|session store) unlocked"' "$work/log$i" | sed -E 's/.*"kdf":"([^"]+)".*/\1/' | go_ms)
	sleep 3
	rss_kb=$(awk '/VmRSS/ {print $2}' "/proc/$pid/status")
	kill -TERM "$pid"; wait "$pid" || true
	totals+=("$total_ms"); kdfs+=("$kdf_ms"); nets+=("$((total_ms - kdf_ms))"); rss+=("$rss_kb")
	echo "run $i: ready ${total_ms} ms (key derivation ${kdf_ms} ms, rest $((total_ms - kdf_ms)) ms), idle RSS $((rss_kb / 1024)) MiB"
done
echo "median over $runs runs: start-up to RPC-ready $(printf '%s\n' "${nets[@]}" | median) ms without key derivation;" \
	"key derivation $(printf '%s\n' "${kdfs[@]}" | median) ms; total $(printf '%s\n' "${totals[@]}" | median) ms;" \
	"idle RSS $(( $(printf '%s\n' "${rss[@]}" | median) / 1024 )) MiB"
