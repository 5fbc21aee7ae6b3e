#!/usr/bin/env bash
# Runs the side-by-side envelope ingest benchmark of interop/whisper-geth
# (statusd, then go-ethereum v1.9.20 whisperv6, then the feeder alone, fed
# the same envelopes) several times and prints each run's statusd/geth
# ratio and the median of the ratios. The machines are shared and noisy;
# a ratio taken within one run, seconds apart, is what compares.
# Usage: scripts/ingest-ratio.sh [runs] [envelopes per run, a multiple of 128]
set -euo pipefail
runs="${1:-5}"
n="${2:-64000}"
cd "$(dirname "$0")/../interop/whisper-geth"
go="${GO:-go}"

rate() { awk -v k="$1" '$1 ~ "^BenchmarkIngest/" k "(-[0-9]+)?$" {for (i = 2; i <= NF; i++) if ($i == "envelopes/s") print $(i-1)}'; }

ratios=()
for i in $(seq 1 "$runs"); do
	out="$("$go" test -run '^$' -bench 'Ingest$' -benchtime "${n}x" -count 1 -timeout 10m .)"
	s="$(rate statusd <<<"$out")"
	g="$(rate geth <<<"$out")"
	h="$(rate harness <<<"$out")"
	if [ -z "$s" ] || [ -z "$g" ]; then
		echo "run $i: no result" >&2
		echo "$out" >&2
		exit 1
	fi
	r="$(awk -v s="$s" -v g="$g" 'BEGIN {printf "%.2f", s / g}')"
	ratios+=("$r")
	printf 'run %d: statusd %s env/s, geth %s env/s, feeder into a sink %s env/s: x%s\n' "$i" "$s" "$g" "$h" "$r"
done
printf '%s\n' "${ratios[@]}" | sort -n | awk '{a[NR] = $1} END {m = (NR % 2) ? a[(NR + 1) / 2] : (a[NR / 2] + a[NR / 2 + 1]) / 2; printf "median statusd/geth over %d runs: x%.2f (min x%.2f, max x%.2f)\n", NR, m, a[1], a[NR]}'
