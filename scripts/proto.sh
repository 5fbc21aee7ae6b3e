#!/usr/bin/env bash
# Regenerates every committed .pb.go file from its .proto with the pinned
# protoc-gen-go. Needs protoc (Debian: protobuf-compiler).
set -euo pipefail
cd "$(dirname "$0")/.."
if ! command -v protoc >/dev/null 2>&1; then
	echo "protoc not found: apt-get install -y protobuf-compiler" >&2
	exit 1
fi
bin="$(pwd)/build/tools"
mkdir -p "$bin"
GOBIN="$bin" go install google.golang.org/protobuf/cmd/protoc-gen-go@v1.36.12
export PATH="$bin:$PATH"
go generate ./...
