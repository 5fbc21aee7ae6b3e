#!/usr/bin/env bash
# Checks contrib/systemd/statusd.service with `systemd-analyze verify`.
# verify wants ExecStart's binary to exist, so the unit is checked as a copy
# whose /usr/local/bin/statusd is a freshly built one; nothing else changes.
# Without systemd-analyze it fails under CI (.ci/run installs Debian's
# systemd) and otherwise skips, saying how to install it.
set -euo pipefail
cd "$(dirname "$0")/.."
GO="${GO:-go}"
unit=contrib/systemd/statusd.service

if ! command -v systemd-analyze >/dev/null 2>&1; then
	if [ "${CI:-}" = "true" ]; then
		echo "systemd-verify: systemd-analyze not found (CI installs Debian's systemd in .ci/run)" >&2
		exit 1
	fi
	echo "systemd-verify: SKIPPED, systemd-analyze not installed (apt-get install systemd)" >&2
	exit 0
fi
grep -q '^ExecStart=/usr/local/bin/statusd ' "$unit" || {
	echo "systemd-verify: $unit: ExecStart does not run /usr/local/bin/statusd" >&2
	exit 1
}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
"$GO" build -o "$tmp/statusd" ./cmd/statusd
sed "s#/usr/local/bin/statusd#$tmp/statusd#" "$unit" >"$tmp/statusd.service"
out=$(systemd-analyze verify --man=no "$tmp/statusd.service" 2>&1) || {
	echo "$out" >&2
	exit 1
}
if [ -n "$out" ]; then
	echo "$out" >&2
	echo "systemd-verify: warnings above" >&2
	exit 1
fi
echo "systemd-verify: $unit ok"
