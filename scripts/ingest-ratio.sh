#!/usr/bin/env bash
# Runs the side-by-side envelope ingest benchmark of interop/whisper-geth
# (statusd, then go-ethereum v1.9.20 whisperv6, then the feeder alone, fed
# the same envelopes) several times and prints each run's statusd/geth
# ratios and their medians: of envelopes per second of wall time, and of
# envelopes per CPU-second the node's process used (what one core of ingest
# buys, whatever else shares the machine). The machines are shared and
# noisy; a ratio taken within one run, seconds apart, is what compares.
# Usage: scripts/ingest-ratio.sh [runs] [envelopes per run, a multiple of 128]
set -euo pipefail
runs="${1:-5}"
n="${2:-64000}"
cd "$(dirname "$0")/../interop/whisper-geth"
go="${GO:-go}"

# rate KIND UNIT prints the metric UNIT of sub-benchmark KIND.
rate() { awk -v k="$1" -v u="$2" '$1 ~ "^BenchmarkIngest/" k "(-[0-9]+)?$" {for (i = 2; i <= NF; i++) if ($i == u) print $(i-1)}'; }

median() { sort -n | awk '{a[NR] = $1} END {m = (NR % 2) ? a[(NR + 1) / 2] : (a[NR / 2] + a[NR / 2 + 1]) / 2; printf "x%.2f (min x%.2f, max x%.2f)", m, a[1], a[NR]}'; }

ratios=()
cpuratios=()
for i in $(seq 1 "$runs"); do
	out="$("$go" test -run '^$' -bench 'Ingest$' -benchtime "${n}x" -count 1 -timeout 10m .)"
	s="$(rate statusd envelopes/s <<<"$out")"
	g="$(rate geth envelopes/s <<<"$out")"
	h="$(rate harness envelopes/s <<<"$out")"
	sc="$(rate statusd envelopes/cpu-s <<<"$out")"
	gc="$(rate geth envelopes/cpu-s <<<"$out")"
	if [ -z "$s" ] || [ -z "$g" ] || [ -z "$sc" ] || [ -z "$gc" ]; then
		echo "run $i: no result" >&2
		echo "$out" >&2
		exit 1
	fi
	r="$(awk -v s="$s" -v g="$g" 'BEGIN {printf "%.2f", s / g}')"
	rc="$(awk -v s="$sc" -v g="$gc" 'BEGIN {printf "%.2f", s / g}')"
	ratios+=("$r")
	cpuratios+=("$rc")
	printf 'run %d: statusd %s env/s (%s per CPU-s), geth %s env/s (%s per CPU-s), feeder into a sink %s env/s: x%s wall, x%s per CPU-s\n' \
		"$i" "$s" "$sc" "$g" "$gc" "$h" "$r" "$rc"
done
echo "median statusd/geth over $runs runs: wall $(printf '%s\n' "${ratios[@]}" | median), per CPU-second $(printf '%s\n' "${cpuratios[@]}" | median)"
